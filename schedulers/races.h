/*
 * races.h: private to the control runtime (baton.c). A happens-before data
 * race detector for controlled runs (--races).
 *
 * Vector clocks per thread, FastTrack's epochs for the last write and the
 * reads since it of every byte (Flanagan and Freund, PLDI 2009), and
 * happens-before edges from what the control models: a lock's release to
 * its next acquire (mutexes, spinlocks, read-write locks, a condition
 * wait's mutex), a semaphore's post to the wait it ends, a thread's
 * creation to its first step and its last step to its join, and atomics by
 * their memory order under the C11 rules (a release store, or a release
 * sequence continued by read-modify-writes, read by an acquire load;
 * relaxed atomics order nothing; fences: a release fence before a relaxed
 * store, a relaxed load before an acquire fence). One thread runs at a time,
 * so the detector needs no synchronisation of its own.
 *
 * A data race is two accesses to a byte, at least one a write and at least
 * one not atomic, that no edge orders. The detector keeps the first of a
 * run. What it may miss (never what it may add): a byte read by more than
 * JOSTLE__RACES_READERS threads at once forgets its oldest reader; a
 * compare-exchange counts as a read and, for the edges, as a write.
 */
#ifndef JOSTLE_RACES_H
#define JOSTLE_RACES_H

#include <stdint.h>

#include "schedulers/sched.h"
#include "schedulers/strategy.h"

#define JOSTLE__RACES_READERS 4

typedef struct jostle__races jostle__races;

/* Where an access was made: its code, the call stack that reached it
 * (calls.h) and the run's step, the point it was made at (the trace's
 * numbering; 0 for an access to the thread's own stack, which is no
 * point). */
typedef struct jostle__race_site {
  const void *pc;
  uint32_t stack;
  uint64_t step;
} jostle__race_site;

/* One of the two accesses of a race. */
typedef struct jostle__race_access {
  int thread;
  int wrote;
  int atomic;
  unsigned width;                    /* bytes of the access */
  jostle__race_site site;
} jostle__race_access;

typedef struct jostle__race {
  const void *addr;                  /* the first byte both touched */
  jostle__race_access earlier, later;
} jostle__race;

/* NULL when out of memory. */
jostle__races *jostle__races_create(void);
void jostle__races_destroy(jostle__races *r);

/* A run of n threads begins: nothing is known, no thread is ordered
 * with another. Returns 0, or -1 when out of memory. */
int jostle__races_begin(jostle__races *r, int n);

/* Thread `parent` created thread `child` (the next index). -1: out of
 * memory. */
int jostle__races_spawn(jostle__races *r, int parent, int child);

/* Thread `joiner` waited for thread `joined` to finish. */
void jostle__races_joined(jostle__races *r, int joiner, int joined);

/* Thread t took synchronisation object obj (a lock, a semaphore's count),
 * or let it go (unlock, post). -1: out of memory. */
int jostle__races_acquire(jostle__races *r, int t, const void *obj);
int jostle__races_release(jostle__races *r, int t, const void *obj);

/* Thread t made the access `a` (READ, WRITE or ATOMIC, its width and
 * orders) at addr, from `site`. -1: out of memory. */
int jostle__races_access(jostle__races *r, int t, const void *addr, jostle__point_access a,
                         const jostle__race_site *site);

/* Thread t made an atomic_thread_fence of memory order `order`. */
void jostle__races_fence(jostle__races *r, int t, int order);

/* The run's first race, or NULL. */
const jostle__race *jostle__races_found(const jostle__races *r);

/* The race's full report (race_report.c), without its frame: the data as
 * the code names it, then each access, the later first, with its thread,
 * operation, size, step and call stack, a line per frame:
 *   WARNING: DATA RACE on s->counter
 *   write of 8 bytes by thread 1 at step 6:
 *     scenarios/counter.c:51 (plain_thread)
 *     harness/pool.c:120 (run_body)
 *   previous read of 8 bytes by thread 0 at step 5:
 *     ...
 * `calls` may be NULL (no stacks: the access's own line alone). */
struct jostle__calls;
void jostle__race_report(const jostle__control *c, const struct jostle__calls *calls,
                         const jostle__race *race, char *buf, size_t size);

/* The race's outcome text, "race on s->counter: write at FILE:LINE (fn) vs
 * read at FILE:LINE (fn)", the same whichever access came first
 * (race_text.c). */
void jostle__race_text(const jostle__control *c, const jostle__race *race, char *buf,
                       size_t size);

#endif
