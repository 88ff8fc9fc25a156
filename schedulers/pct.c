/*
 * pct.c: the `pct` controlled scheduler, probabilistic concurrency testing
 * (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Each run gives the n threads distinct random priorities d..d+n-1 and
 * picks d-1 change points uniformly among the k steps a run takes (k is
 * measured once per pool, see pool.c). The runnable thread of highest
 * priority always runs; when the run reaches a change point, the running
 * thread drops below every other thread. A bug of depth d is then found
 * with probability at least 1/(n k^(d-1)) per run.
 *
 * Spin-waits would starve under strict priorities: a thread that yields
 * (jostle_yield, sched_yield, a sleep) drops below every other thread too,
 * so the thread it waits for gets to run. Both kinds of drop take the next
 * value of one decreasing counter: the latest to drop is the lowest, and a
 * change point still matters after threads have yielded.
 */
#include "schedulers/control.h"

static const char *pct_validate(const jostle__sched_cfg *cfg) {
  if (cfg->pct_depth < 1 || cfg->pct_depth > JOSTLE_MAX_THREADS)
    return "pct depth must be from 1 to 64";
  return NULL;
}

static void pct_run_begin(jostle__control *c) {
  int d = c->cfg->pct_depth, n = c->n_threads;
  /* A random permutation of d .. d+n-1 (Fisher-Yates). */
  for (int i = 0; i < n; i++) c->priority[i] = d + i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)jostle__control_choose(c, (uint32_t)(i + 1));
    int tmp = c->priority[i];
    c->priority[i] = c->priority[j];
    c->priority[j] = tmp;
  }
  uint64_t k = c->k_estimate > 0 ? c->k_estimate : 1;
  c->n_changes = d - 1 < JOSTLE_MAX_THREADS ? d - 1 : JOSTLE_MAX_THREADS;
  for (int j = 0; j < c->n_changes; j++)
    c->change_at[j] = 1 + jostle__control_choose(c, (uint32_t)(k > UINT32_MAX ? UINT32_MAX : k));
  c->low_water = d; /* initial priorities are d and above */
}

static int pct_pick(jostle__control *c, int current, const jostle__point *p) {
  if (current >= 0 && c->state[current] == JOSTLE__RUNNABLE) {
    int drop = p != NULL && p->kind == JOSTLE__POINT_YIELD;
    for (int j = 0; j < c->n_changes; j++) drop |= c->change_at[j] == c->n_steps;
    if (drop) c->priority[current] = --c->low_water;
  }
  int best = -1;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE && (best < 0 || c->priority[i] > c->priority[best]))
      best = i;
  /* only condition waiters left, under --spurious-wakeups: one wakes */
  return best >= 0 ? best : jostle__control_pick_runnable(c, current, p);
}

const jostle__sched_ops jostle__sched_pct = {
    .name = "pct",
    .summary = "controlled: random priorities with d-1 change points (--depth, default 3)",
    .validate = pct_validate,
    .begin = NULL,
    .point = jostle__control_point,
    .run_begin = pct_run_begin,
    .pick = pct_pick,
    .needs_k = 1,
};
