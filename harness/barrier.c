/*
 * barrier.c: spin-then-futex barrier (see barrier.h).
 *
 * The last thread to arrive resets the count and bumps the generation; the
 * others wait for the generation to change. A waiter that gives up spinning
 * announces itself in `sleepers` before it sleeps, and the releaser reads
 * `sleepers` after bumping `gen`: both sides use sequentially consistent
 * operations, so at least one sees the other's write and no wake-up is lost
 * (futex_wait also re-checks the generation atomically).
 */
#include "barrier.h"

#include "common/cpu.h"
#include "common/futex.h"
#include "common/spin_budget.h"

void jostle__barrier_init(jostle__barrier *b, uint32_t n_threads) {
  atomic_init(&b->gen, 0);
  atomic_init(&b->sleepers, 0);
  atomic_init(&b->arrived, 0);
  atomic_init(&b->spin_limit, 0);
  atomic_init(&b->release_cycles, 0);
  b->n_threads = n_threads;
}

void jostle__barrier_set_spin(jostle__barrier *b, uint32_t spin_limit) {
  atomic_store_explicit(&b->spin_limit, spin_limit, memory_order_relaxed);
}

void jostle__barrier_wait(jostle__barrier *b, uint32_t *budget) {
  uint32_t gen = atomic_load_explicit(&b->gen, memory_order_acquire);
  if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) ==
      b->n_threads - 1) {
    /* No thread can arrive for the next generation before it sees this
     * one released, so resetting the count here is safe. */
    atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&b->release_cycles, jostle__cycles(), memory_order_relaxed);
    atomic_store_explicit(&b->gen, gen + 1, memory_order_seq_cst);
    if (atomic_load_explicit(&b->sleepers, memory_order_seq_cst) != 0)
      jostle__futex_wake_all(&b->gen);
    return;
  }
  uint32_t limit = atomic_load_explicit(&b->spin_limit, memory_order_relaxed);
  uint32_t spin = *budget < limit ? *budget : limit;
  for (uint32_t i = 0; i < spin; i++) {
    if (atomic_load_explicit(&b->gen, memory_order_acquire) != gen) {
      *budget = jostle__spin_budget_grown(*budget, limit);
      return;
    }
    jostle__cpu_relax();
  }
  if (spin > 0) *budget = jostle__spin_budget_shrunk(spin);
  atomic_fetch_add_explicit(&b->sleepers, 1, memory_order_seq_cst);
  while (atomic_load_explicit(&b->gen, memory_order_seq_cst) == gen)
    jostle__futex_wait(&b->gen, gen);
  atomic_fetch_sub_explicit(&b->sleepers, 1, memory_order_relaxed);
}
