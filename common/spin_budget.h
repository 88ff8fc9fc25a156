/*
 * spin_budget.h: private to jostle. The adaptive spin budget of a thread
 * that waits for another: the pool's barrier and the controlled hand-over
 * both spin for a while, then sleep on a futex.
 *
 * A waiter starts at JOSTLE__SPIN_BUDGET_INITIAL pauses. Spinning that
 * ends in sleep anyway (the awaited thread is not running: another process
 * has its processor) cuts the budget to a quarter of what was spun, never
 * below JOSTLE__SPIN_BUDGET_MIN; spinning that succeeds doubles it, up to
 * the caller's limit, without wrapping. The rule is a pure function so
 * that it is tested without depending on how the machine schedules.
 */
#ifndef JOSTLE_SPIN_BUDGET_H
#define JOSTLE_SPIN_BUDGET_H

#include <stdint.h>

#define JOSTLE__SPIN_BUDGET_INITIAL 1024u
#define JOSTLE__SPIN_BUDGET_MIN 16u

/* The budget after spinning ended with the awaited event. */
static inline uint32_t jostle__spin_budget_grown(uint32_t budget, uint32_t limit) {
  if (budget >= limit) return budget;
  return budget > limit / 2 ? limit : budget * 2;
}

/* The budget after `spun` pauses (non-zero) ended in sleep anyway. */
static inline uint32_t jostle__spin_budget_shrunk(uint32_t spun) {
  return spun / 4 > JOSTLE__SPIN_BUDGET_MIN ? spun / 4 : JOSTLE__SPIN_BUDGET_MIN;
}

#endif
