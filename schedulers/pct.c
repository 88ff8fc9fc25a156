/*
 * pct.c: the `pct` controlled scheduler, probabilistic concurrency testing
 * (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Each run gives the n threads distinct random priorities d..d+n-1 and
 * picks d-1 change points uniformly among the k steps a run takes (k is
 * measured once per pool, see jostle__control_calibration). The runnable
 * thread of highest priority always runs; when the run reaches a change
 * point, the running thread drops below every thread that no change point
 * dropped. A bug of depth d is then found with probability at least
 * 1/(n k^(d-1)) per run.
 *
 * As in the paper, change point j (drawn at step change_at[j], j = 0 ..
 * d-2) lowers the running thread to priority j: the steps are drawn
 * independently of j, so of two threads dropped by change points either
 * may run first (a bug that needs the thread dropped second to run before
 * the one dropped first, as a lock-free stack's ABA does, is found at
 * depth 3: bench/aba.c).
 *
 * Spin-waits would starve under strict priorities: a thread that yields
 * (jostle_yield, sched_yield, a sleep) drops below every other thread too,
 * so the thread it waits for gets to run. A priority is therefore a level
 * and a rank within it: every thread starts on the top level, ranked by
 * its random priority; a yield opens a new level below every other, and
 * so does the first change point after a yield (or the first of the run),
 * where later change points join it, ranked by j. So a change point still
 * matters after threads have yielded: it drops the thread below them. A
 * thread the run creates starts below every other, as if it had yielded.
 *
 * Spurious wake-ups (--spurious-wakeups). Strict priorities never choose a
 * condition waiter, and pct once woke one only when no thread could run.
 * That found less than without the option: lost-wakeup's waiter, whose
 * signal came first, was rescued from the deadlock that is the bug (a
 * real condition variable need never wake it), and a waiter woken early,
 * before the event, was never tried. Now a run under the option draws one
 * more point, like a change point: a step s uniform among the k steps of
 * the calibration run. At the first pick at or after s at which a thread
 * waits on a condition variable (and another can run), one such waiter,
 * drawn from the choice source, wakes unsignalled and runs at once; its
 * priority is unchanged. One per run, so the option adds a bug of one
 * more step of depth to what pct finds, and takes nothing away: when only
 * a spurious wake-up could go on, the run is a deadlock (baton.c), with
 * the option or without. The waiter runs at once so that the recorded
 * decision names it, and `replay` (which offers condition waiters as
 * candidates under the option) wakes it at the same step: the run replays
 * exactly. Draws come from jostle__control_choose after the change
 * points', so runs without the option are as they were.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/assert.h"
#include "schedulers/strategy.h"

#define MAX_DEPTH 64

typedef struct pct_opts {
  int depth;                       /* bug depth d: d-1 priority changes */
} pct_opts;

typedef struct pct_run {
  uint64_t change_at[MAX_DEPTH];   /* steps that lower the running thread */
  int n_changes;
  int64_t low_level;               /* the lowest level opened */
  int changes_open;                /* the last drop was a change point's:
                                      its level takes the next ones */
  uint64_t spurious_at;            /* --spurious-wakeups: from this step a
                                      condition waiter wakes, once; 0 none */
  int last;                        /* the last pick, the highest runnable; -1 none */
  uint64_t runnable_at;            /* c->n_made_runnable at that pick */
} pct_run;

typedef struct pct_thread {
  int64_t priority;                /* higher runs first: LEVEL_SPAN * level + rank */
} pct_thread;

/* Ranks within a level below the top one: 0 for a yield, j + 1 for change
 * point j. The top level, 0, holds the initial priorities d .. d+n-1. */
#define LEVEL_SPAN ((int64_t)MAX_DEPTH + 1)

static const jostle__sched_option pct_options[] = {
    {.name = "depth", .metavar = "D", .type = JOSTLE__OPT_INT,
     .help = "bug depth, D-1 priority changes", .offset = offsetof(pct_opts, depth),
     .min = 1, .max = MAX_DEPTH, .def.i = 3},
    {0},
};

static int64_t *priority(jostle__control *c, int k) {
  return &((pct_thread *)jostle__control_thread_strategy(c, k))->priority;
}

static const char *pct_validate(const jostle__sched_cfg *cfg) {
  const pct_opts *o = (const void *)cfg->opts;
  if (o->depth < 1 || o->depth > MAX_DEPTH) return "pct depth must be from 1 to 64";
  return NULL;
}

static void pct_run_begin(jostle__control *c) {
  pct_run *r = jostle__control_strategy(c);
  int d = ((const pct_opts *)(const void *)c->cfg->opts)->depth, n = c->n_threads;
  /* A random permutation of d .. d+n-1 (Fisher-Yates). */
  for (int i = 0; i < n; i++) *priority(c, i) = d + i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)jostle__control_choose(c, (uint32_t)(i + 1));
    int64_t tmp = *priority(c, i);
    *priority(c, i) = *priority(c, j);
    *priority(c, j) = tmp;
  }
  uint64_t k = jostle__control_calibration(c) > 0 ? jostle__control_calibration(c) : 1;
  r->n_changes = d - 1;
  for (int j = 0; j < r->n_changes; j++)
    r->change_at[j] = 1 + jostle__control_choose(c, (uint32_t)(k > UINT32_MAX ? UINT32_MAX : k));
  r->low_level = 0;
  r->changes_open = 0;
  r->last = -1;
  if (c->cfg->spurious_wakeups)
    r->spurious_at = 1 + jostle__control_choose(c, (uint32_t)(k > UINT32_MAX ? UINT32_MAX : k));
}

/* A thread waiting on a condition variable, drawn from the choice source,
 * woken unsignalled; -1 when none waits. */
static int wake_spuriously(jostle__control *c) {
  int *waiters = c->scratch, n = 0;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__BLOCKED && c->waits_on[i] != NULL &&
        c->waits_on[i]->kind == JOSTLE__OBJ_COND)
      waiters[n++] = i;
  if (n == 0) return -1;
  int w = waiters[jostle__control_choose(c, (uint32_t)n)];
  jostle__control_set_state(c, w, JOSTLE__RUNNABLE);
  c->waits_on[w] = NULL;
  return w;
}

/* Thread k below every other, on a level of its own. */
static void drop_lowest(pct_run *r, jostle__control *c, int k) {
  *priority(c, k) = --r->low_level * LEVEL_SPAN;
  r->changes_open = 0;
}

/* Thread k to priority j on the change points' level: the lowest, opened
 * by the first change point since a yield. */
static void drop_to_change(pct_run *r, jostle__control *c, int k, int j) {
  if (!r->changes_open) r->low_level--;
  r->changes_open = 1;
  *priority(c, k) = r->low_level * LEVEL_SPAN + j + 1;
}

static int pct_pick(jostle__control *c, int current, const jostle__point *p) {
  pct_run *r = jostle__control_strategy(c);
  int dropped = 0;
  if (current >= 0 && c->state[current] == JOSTLE__RUNNABLE) {
    int yields = p != NULL && p->kind == JOSTLE__POINT_YIELD, change = -1;
    for (int j = 0; j < r->n_changes && change < 0; j++)
      if (r->change_at[j] == c->n_steps) change = j;
    if (yields) drop_lowest(r, c, current);
    else if (change >= 0) drop_to_change(r, c, current, change);
    dropped = yields || change >= 0;
  }
  if (r->spurious_at != 0 && c->n_steps >= r->spurious_at) {
    int woken = wake_spuriously(c);
    if (woken >= 0) {
      r->spurious_at = 0;
      r->last = -1;
      return woken;
    }
  }
  /* The last pick still runs, undropped, and no thread has become runnable
   * since: it is still the highest (only a drop changes a priority, and a
   * created thread starts lowest). */
  if (!dropped && current >= 0 && current == r->last && c->state[current] == JOSTLE__RUNNABLE &&
      c->n_made_runnable == r->runnable_at)
    return current;
  int best = -1;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE && (best < 0 || *priority(c, i) > *priority(c, best)))
      best = i;
  JOSTLE_ASSERT(best >= 0); /* a pick is made only when a thread can run */
  r->last = best;
  r->runnable_at = c->n_made_runnable;
  return best;
}

static void pct_spawned(jostle__control *c, int creator, int k) {
  (void)creator;
  drop_lowest(jostle__control_strategy(c), c, k);
}

const jostle__sched_ops jostle__sched_pct = {
    .name = "pct",
    .summary = "controlled: random priorities with d-1 change points (--depth, default 3)",
    .options = pct_options,
    .opts_size = sizeof(pct_opts),
    .validate = pct_validate,
    .point = jostle__control_point,
    .run_size = sizeof(pct_run),
    .thread_run_size = sizeof(pct_thread),
    .run_begin = pct_run_begin,
    .pick = pct_pick,
    .spawned = pct_spawned,
    .calibrate = 1,
};
