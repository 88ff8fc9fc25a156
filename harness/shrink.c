/*
 * shrink.c: replays and schedule shrinking (see shrink.h).
 *
 * A schedule's context switches are what a person reads in a trace, so
 * fewer is better. Each candidate is replayed by the `replay` scheduler,
 * which tolerates schedules that name a thread that cannot run (it keeps
 * the current thread, see replay.c), and what is kept is the schedule the
 * replay actually followed, as recorded: a shrunk schedule replays exactly.
 * Every step strictly lowers (switches, decisions), so shrinking ends.
 */
#include "harness/shrink.h"

#include <stdlib.h>
#include <string.h>

#include "harness/campaign.h"
#include "schedulers/control.h"

int jostle__replay_once(const jostle__plan *p, jostle__cell *cell) {
  int failed = jostle__campaign_run(p, cell, NULL, NULL) != 0;
  return failed || cell->interrupted || cell->n_outcomes != 1 ? -1 : 0;
}

/* Replays candidate; 1 when it gave outcome (cls, text), 0 when another,
 * -1 when it could not be replayed. */
static int same_outcome(const jostle__plan *base, const jostle__schedule *candidate,
                        jostle__schedule *rec, jostle__class cls, const char *text) {
  jostle__plan p = *base;
  p.sched = jostle__sched_follower();
  p.sched_cfg.replay = candidate;
  p.sched_cfg.record = rec;
  p.sched_cfg.trace = 0;
  jostle__cell cell;
  memset(&cell, 0, sizeof cell);
  int rc = jostle__replay_once(&p, &cell);
  if (rc == 0)
    rc = cell.outcomes[0].cls == cls && strcmp(cell.outcomes[0].text, text) == 0 &&
         !rec->overflow;
  jostle__cell_free(&cell);
  return rc;
}

static int better(const jostle__schedule *a, const jostle__schedule *b) {
  uint64_t sa = jostle__schedule_switches(a), sb = jostle__schedule_switches(b);
  return sa < sb || (sa == sb && a->n < b->n);
}

/* Makes candidate k from best into out (room for best->n decisions);
 * 0 when there is no k-th candidate. */
typedef int (*make_fn)(const jostle__schedule *best, uint64_t k, jostle__schedule *out);

/* Candidate k: best cut short before its k-th stretch (a stretch is a run
 * of decisions naming the same thread). */
static int cut_before(const jostle__schedule *best, uint64_t k, jostle__schedule *out) {
  uint64_t stretch = 0, i = 0;
  for (; i < best->n; i++) {
    if (i > 0 && best->d[i] != best->d[i - 1]) stretch++;
    if (stretch == k) break;
  }
  if (i == best->n && stretch < k) return 0;
  out->n = i;
  memcpy(out->d, best->d, i * sizeof *out->d);
  return 1;
}

/* Candidate k: best without its k-th stretch, counting from the end. */
static int drop_stretch(const jostle__schedule *best, uint64_t k, jostle__schedule *out) {
  uint64_t stretch = 0, end = best->n;
  while (end > 0) {
    uint64_t start = end - 1;
    while (start > 0 && best->d[start - 1] == best->d[end - 1]) start--;
    if (stretch == k) {
      memcpy(out->d, best->d, start * sizeof *out->d);
      memcpy(out->d + start, best->d + end, (best->n - end) * sizeof *out->d);
      out->n = best->n - (end - start);
      return 1;
    }
    stretch++;
    end = start;
  }
  return 0;
}

jostle__schedule *jostle__shrink(const jostle__plan *p, const jostle__schedule *start,
                                 jostle__class cls, const char *text, jostle__schedule *rec,
                                 unsigned max_replays, unsigned *n_replays) {
  jostle__schedule *best = jostle__schedule_copy(start), *cand = NULL;
  *n_replays = 0;
  const make_fn makes[] = {cut_before, drop_stretch};
  int improved = 1;
  while (best != NULL && improved && *n_replays < max_replays) {
    improved = 0;
    free(cand);
    cand = malloc(sizeof *cand + (best->n + 1) * sizeof *cand->d);
    if (cand == NULL) goto fail;
    *cand = (jostle__schedule){0, best->n, 0};
    for (size_t m = 0; !improved && m < sizeof makes / sizeof *makes; m++) {
      for (uint64_t k = 0; !improved && *n_replays < max_replays && makes[m](best, k, cand); k++) {
        (*n_replays)++;
        int same = same_outcome(p, cand, rec, cls, text);
        if (same < 0) goto fail;
        if (!same || !better(rec, best)) continue;
        jostle__schedule *next = jostle__schedule_copy(rec);
        if (next == NULL) goto fail;
        free(best);
        best = next;
        improved = 1;
      }
    }
  }
  free(cand);
  return best;
fail:
  free(cand);
  free(best);
  return NULL;
}
