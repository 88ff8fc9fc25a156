/*
 * hint.c: what a known-racy scenario that came out clean should try
 * (jostle__cli_racy_try). Its reports say it ("known racy, not found in
 * 100,000 runs: try --scheduler random"), so that a clean run of a racy
 * scenario does not pass for a pass.
 *
 * Under an uncontrolled scheduler, whether a race shows depends on the
 * machine's timing and load; a controlled scheduler draws every
 * interleaving from the run's seed and finds each built-in race within a
 * few runs on any machine, so it is the one thing to try. Under a
 * controlled scheduler the search is already the seed's: more runs, or
 * another controlled strategy. A data race that leaves the outcome right
 * shows only to --races, under a controlled scheduler.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* The synchronisation wrappers, without which controlled schedulers cannot
 * run in this program (a plain link with the shared library). */
extern const int jostle__sync_wrap_linked __attribute__((weak));

static int can_run(const jostle__sched_ops *s) {
  return !s->follows_schedule &&
         (!jostle__sched_controlled(s) || &jostle__sync_wrap_linked != NULL);
}

void jostle__cli_racy_try(jostle__cell *c, int needs_races) {
  if (c->racy_try[0] != '\0') return; /* read from a results file that says it */
  const jostle__sched_ops *controlled = jostle__sched_first(1);
  if (!c->controlled && controlled != NULL && can_run(controlled)) {
    snprintf(c->racy_try, sizeof c->racy_try, "--scheduler %s%s", controlled->name,
             needs_races ? " --races" : "");
    return;
  }
  if (needs_races && c->controlled) {
    snprintf(c->racy_try, sizeof c->racy_try, "--races");
    return;
  }
  size_t len = (size_t)snprintf(c->racy_try, sizeof c->racy_try, "more runs (-n)");
  /* A portfolio ran every controlled strategy already; nor is one offered
   * beside them, which would only run them again. */
  const jostle__sched_ops *own = jostle__sched_find(c->scheduler);
  for (int i = 0; jostle__schedulers[i] != NULL && len < sizeof c->racy_try; i++) {
    const jostle__sched_ops *s = jostle__schedulers[i];
    if ((s->pick != NULL) != (c->controlled != 0) || !can_run(s) || s->portfolio ||
        (own != NULL && own->portfolio) || strcmp(s->name, c->scheduler) == 0)
      continue;
    len += (size_t)snprintf(c->racy_try + len, sizeof c->racy_try - len, " or --scheduler %s",
                            s->name);
  }
}
