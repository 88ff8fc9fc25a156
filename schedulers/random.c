/*
 * random.c: the `random` controlled scheduler. At every scheduling point
 * the next thread to run is drawn uniformly among the runnable ones, the
 * current thread included.
 */
#include "schedulers/strategy.h"

const jostle__sched_ops jostle__sched_random = {
    .name = "random",
    .summary = "controlled: one thread at a time, the next drawn uniformly at each point",
    .point = jostle__control_point,
    .pick = jostle__control_pick_runnable,
};
