/*
 * scenarios/common.h: helpers shared by the built-in scenarios.
 *
 * Private to scenarios/: not part of jostle's API. A user's own scenario
 * includes jostle.h alone (see scenarios/examples/).
 */
#ifndef JOSTLE_SCENARIOS_COMMON_H
#define JOSTLE_SCENARIOS_COMMON_H

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "jostle.h"

/* The most threads of the scenarios that keep per-thread slots in their
 * state (.max_threads): the state is zeroed before every run, so it stays
 * small. */
#define SCENARIO_MAX_THREADS 64

/* Spin steps between two sched_yield() calls of one spin-wait. */
#define SPIN_STEPS_PER_SCHED_YIELD 32

/*
 * One step of a wait on a flag that another thread of the run sets; start
 * `n_steps` at 0 for each wait. jostle_yield() lets a controlled scheduler
 * run the thread being waited for, the pause eases the spin on the core, and
 * the occasional sched_yield() hands the CPU over when the run has more
 * threads than the machine has CPUs, so that the waiter does not burn its
 * whole time slice while the thread it waits for is not running.
 */
static inline void spin_step(unsigned *n_steps) {
  jostle_yield();
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
  if (++*n_steps % SPIN_STEPS_PER_SCHED_YIELD == 0)
    sched_yield();
}

/* Out of memory in a scenario: abort with a message, like every allocation
 * failure in jostle. Returns `p` when it is not NULL. */
static inline void *need_memory(void *p) {
  if (p == NULL) {
    fputs("jostle: scenario: out of memory\n", stderr);
    abort();
  }
  return p;
}

#endif /* JOSTLE_SCENARIOS_COMMON_H */
