/*
 * barrier.h: private to jostle. The start/end barrier of the thread pool.
 *
 * A centralised, generation-counting barrier that spins, then blocks on a
 * futex. Spinning releases waiting threads within a cache-line transfer of
 * each other, which is what makes races show up; blocking keeps it from
 * collapsing when threads outnumber processors (a spinning waiter would
 * burn the time slice of the very thread it waits for). The owner of the
 * pool sets the spin budget from the placement: zero when oversubscribed.
 */
#ifndef JOSTLE_BARRIER_H
#define JOSTLE_BARRIER_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/cache_line.h"
#include "common/spin_budget.h"

typedef struct jostle__barrier {
  _Alignas(JOSTLE__CACHE_LINE) _Atomic uint32_t gen; /* bumped per release */
  _Atomic uint32_t sleepers;       /* waiters blocked in futex_wait */
  _Alignas(JOSTLE__CACHE_LINE) _Atomic uint32_t arrived;
  uint32_t n_threads;
  _Atomic uint32_t spin_limit;     /* pause iterations before blocking */
  _Atomic unsigned long long release_cycles; /* jostle__cycles() at release */
} jostle__barrier;

void jostle__barrier_init(jostle__barrier *b, uint32_t n_threads);

/* Sets the most waiters spin before they block; any thread, any time. */
void jostle__barrier_set_spin(jostle__barrier *b, uint32_t spin_limit);

/* Returns once all n_threads threads have called it for this generation.
 * Memory written before the call by any thread is visible after it.
 * `budget` is the calling thread's own adaptive spin budget (start it at
 * JOSTLE__SPIN_BUDGET_INITIAL), kept by the rule of common/spin_budget.h. */
void jostle__barrier_wait(jostle__barrier *b, uint32_t *budget);

#endif
