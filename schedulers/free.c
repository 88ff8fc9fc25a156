/*
 * free.c: the `free` scheduler. Threads run truly in parallel and
 * scheduling points do nothing: what the hardware and the OS do alone.
 */
#include <stddef.h>

#include "schedulers/sched.h"

static void free_begin(jostle__thread *t, uint64_t run_seed) {
  (void)t;
  (void)run_seed;
}

const jostle__sched_ops jostle__sched_free = {
    .name = "free",
    .summary = "no injection: threads run in parallel, points do nothing",
    .validate = NULL,
    .begin = free_begin,
    .point = NULL,
};
