/*
 * pct.c: the `pct` controlled scheduler, probabilistic concurrency testing
 * (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Each run gives the n threads distinct random priorities d..d+n-1 and
 * picks d-1 change points uniformly among the k steps a run takes (k is
 * measured once per pool, see jostle__control_calibration). The runnable
 * thread of highest priority always runs; when the run reaches a change
 * point, the running thread drops below every other thread. A bug of depth
 * d is then found with probability at least 1/(n k^(d-1)) per run.
 *
 * Spin-waits would starve under strict priorities: a thread that yields
 * (jostle_yield, sched_yield, a sleep) drops below every other thread too,
 * so the thread it waits for gets to run. Both kinds of drop take the next
 * value of one decreasing counter: the latest to drop is the lowest, and a
 * change point still matters after threads have yielded. A thread the run
 * creates starts below every other, as if it had just dropped.
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

#include "common/assert.h"
#include "schedulers/strategy.h"

#define MAX_DEPTH 64

typedef struct pct_opts {
  int depth;                       /* bug depth d: d-1 priority changes */
} pct_opts;

typedef struct pct_run {
  uint64_t change_at[MAX_DEPTH];   /* steps that lower the running thread */
  int n_changes;
  int low_water;                   /* the lowest priority given */
  uint64_t spurious_at;            /* --spurious-wakeups: from this step a
                                      condition waiter wakes, once; 0 none */
  int last;                        /* the last pick, the highest runnable; -1 none */
  uint64_t runnable_at;            /* c->n_made_runnable at that pick */
} pct_run;

typedef struct pct_thread {
  int priority;                    /* higher runs first */
} pct_thread;

static const jostle__sched_option pct_options[] = {
    {.name = "depth", .metavar = "D", .type = JOSTLE__OPT_INT,
     .help = "bug depth, D-1 priority changes", .offset = offsetof(pct_opts, depth),
     .min = 1, .max = MAX_DEPTH, .def.i = 3},
    {0},
};

static int *priority(jostle__control *c, int k) {
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
    int tmp = *priority(c, i);
    *priority(c, i) = *priority(c, j);
    *priority(c, j) = tmp;
  }
  uint64_t k = jostle__control_calibration(c) > 0 ? jostle__control_calibration(c) : 1;
  r->n_changes = d - 1;
  for (int j = 0; j < r->n_changes; j++)
    r->change_at[j] = 1 + jostle__control_choose(c, (uint32_t)(k > UINT32_MAX ? UINT32_MAX : k));
  r->low_water = d; /* initial priorities are d and above */
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

static int pct_pick(jostle__control *c, int current, const jostle__point *p) {
  pct_run *r = jostle__control_strategy(c);
  if (current >= 0 && c->state[current] == JOSTLE__RUNNABLE) {
    int drop = p != NULL && p->kind == JOSTLE__POINT_YIELD;
    for (int j = 0; j < r->n_changes; j++) drop |= r->change_at[j] == c->n_steps;
    if (drop) *priority(c, current) = --r->low_water;
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
  if (current >= 0 && current == r->last && c->state[current] == JOSTLE__RUNNABLE &&
      *priority(c, current) > r->low_water && c->n_made_runnable == r->runnable_at)
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
  pct_run *r = jostle__control_strategy(c);
  *priority(c, k) = --r->low_water;
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
