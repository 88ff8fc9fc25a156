/*
 * free.c: the `free` scheduler. Threads run truly in parallel and
 * scheduling points do nothing: what the hardware and the OS do alone.
 */
#include "schedulers/sched.h"

const jostle__sched_ops jostle__sched_free = {
    .name = "free",
    .summary = "no injection: threads run in parallel, points do nothing",
};
