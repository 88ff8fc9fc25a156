/*
 * random.c: the `random` controlled scheduler. At every scheduling point
 * the next thread to run is drawn uniformly among the runnable ones, the
 * current thread included.
 */
#include "schedulers/control.h"

static void random_run_begin(jostle__control *c) { (void)c; }

static int random_pick(jostle__control *c, int current, const jostle__point *p) {
  (void)current;
  (void)p;
  int runnable[JOSTLE_MAX_THREADS], n = 0;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE) runnable[n++] = i;
  return runnable[jostle__control_choose(c, (uint32_t)n)];
}

const jostle__sched_ops jostle__sched_random = {
    .name = "random",
    .summary = "controlled: one thread at a time, the next drawn uniformly at each point",
    .validate = NULL,
    .begin = NULL,
    .point = jostle__control_point,
    .run_begin = random_run_begin,
    .pick = random_pick,
};
