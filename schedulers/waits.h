/*
 * waits.h: private to jostle. What the threads of an uncontrolled run
 * (free, noise) are blocked in, published so that the campaign's parent can
 * tell a deadlock the moment it happens instead of after a whole --timeout.
 *
 * Under the controlled schedulers the model knows who waits for what
 * (control.h). Under free and noise the real calls block, so the wrappers
 * (sync_wrap.c) publish, per pool thread, the wrapped call it is blocked in
 * and the locks it holds, in memory the parent shares (the worker's slot).
 * The parent reads the records while a run makes no progress and calls the
 * run a deadlock only when the records prove one (waits.c says how).
 *
 * Each record has one writer at a time: its thread, or thread 0 between
 * runs while the others are parked at the pool's barrier. The parent reads
 * a record under its sequence number (odd while it changes), as a seqlock.
 */
#ifndef JOSTLE_WAITS_H
#define JOSTLE_WAITS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "schedulers/control.h"
#include "schedulers/sched.h"

#define JOSTLE__WAITS_HELD 8         /* locks a record lists; more are unknown */

typedef enum jostle__wait_state {
  JOSTLE__WAITS_RUNNING,             /* anything but the waits below */
  JOSTLE__WAITS_LOCK,                /* mutex, spinlock, rwlock for writing */
  JOSTLE__WAITS_READ,                /* rwlock for reading */
  JOSTLE__WAITS_WAKE,                /* condition variable, semaphore */
  JOSTLE__WAITS_DONE,                /* its body is over: parked at the barrier */
} jostle__wait_state;

typedef struct jostle__waiter {
  _Atomic uint32_t seq;
  _Atomic uint32_t state;            /* jostle__wait_state */
  _Atomic uint32_t kind;             /* jostle__object_kind of `on` */
  _Atomic uint32_t n_held;           /* may exceed JOSTLE__WAITS_HELD */
  _Atomic uintptr_t on;              /* the object waited for */
  _Atomic uint64_t wakes;            /* the board's wakes when the wait began */
  /* Lock addresses, bit 0 set when held exclusively. */
  _Atomic uintptr_t held[JOSTLE__WAITS_HELD];
} jostle__waiter;

typedef struct jostle__waits {
  /* Condition signals and broadcasts, semaphore posts, by any thread. */
  _Atomic uint64_t wakes;
  /* Set when a thread released a lock its record did not list (a lock
   * taken in setup, or unlocked by another thread than its owner): who
   * holds what is then unknown until the next run. */
  _Atomic int unsure;
  int n_threads;
  jostle__waiter threads[];
} jostle__waits;

/* Bytes of a board for n pool threads; fills one in place. */
size_t jostle__waits_size(int n_threads);
void jostle__waits_init(jostle__waits *w, int n_threads);

/* The worker's board, NULL when nothing is published (controlled
 * schedulers, a run outside a campaign). */
extern jostle__waits *jostle__waits_board;

/* ---- for the thread pool ------------------------------------------------ */

/* Before a run's threads are released, on thread 0, the others parked:
 * every record says running, holding nothing. */
void jostle__waits_begin_run(jostle__waits *w);

/* Thread `index` finished its body (done = 1) or left the end barrier
 * (done = 0). */
void jostle__waits_done(jostle__waits *w, int index, int done);

/* ---- for the wrappers: NULL or the calling thread's record ------------ */

static inline jostle__waiter *jostle__waiter_self(void) {
  jostle__thread *t = jostle__self;
  return t != NULL ? t->waiter : NULL;
}

/* The calling thread is about to block on `on` (of `kind`, in `state`);
 * returns what to give jostle__waits_unblock when the call returns. */
uint32_t jostle__waits_block(jostle__waiter *me, const void *on, jostle__object_kind kind,
                             jostle__wait_state state, uint64_t wakes);
void jostle__waits_unblock(jostle__waiter *me, uint32_t was);

/* The calling thread took lock `addr` (exclusive: not a read lock), or is
 * about to release it. */
void jostle__waits_hold(jostle__waiter *me, const void *addr, int exclusive);
void jostle__waits_release(jostle__waiter *me, const void *addr);
int jostle__waits_holds(const jostle__waiter *me, const void *addr);

/* Reads the board's wake count (before a wait) or adds one (after a
 * signal, broadcast or post: a wait that began before it may be over). */
uint64_t jostle__waits_wakes(void);
void jostle__waits_woke(void);

/* ---- for the campaign's parent ----------------------------------------- */

/* Reads the board. Returns 1 and the outcome's text, "deadlock (thread 0
 * waits for mutex#0 held by thread 1; ...)", when the records prove that a
 * thread can never go on; 0 when they do not, or while a record changes.
 * *stamp is set to a hash of every record's sequence number, which the
 * caller compares between two reads: equal, nothing moved in between.
 * other_threads: live threads of the worker that are not pool threads
 * (they may wake anyone); -1 when unknown. */
int jostle__waits_deadlock(const jostle__waits *w, int other_threads, uint64_t *stamp,
                           char *text, size_t size);

#endif
