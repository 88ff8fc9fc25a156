/*
 * shared.h: private to jostle. The memory a campaign's parent shares with
 * its worker processes (one anonymous MAP_SHARED mapping, made before the
 * first fork).
 *
 * Who writes what: the parent writes `stop` and, while a slot has no live
 * worker, that slot; a worker writes its own slot and claims runs from
 * `next_run`; any worker may set `stop` (--until-divergence). Fields read
 * by another process while written are atomics.
 */
#ifndef JOSTLE_SHARED_H
#define JOSTLE_SHARED_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/cache_line.h"
#include "harness/barrier.h"
#include "harness/capture.h"
#include "harness/crash.h"
#include "harness/tally.h"
#include "schedulers/control.h"
#include "schedulers/waits.h"

typedef struct jostle__slot {
  /* The run this worker executes next; the runs [next, chunk_end) are
   * claimed and not yet done. When its worker dies with next < chunk_end,
   * run `next` is the one that crashed or hung. */
  _Alignas(JOSTLE__CACHE_LINE) _Atomic uint64_t next;
  _Atomic uint64_t chunk_end;
  _Atomic uint64_t n_done;          /* runs counted in this slot */
  _Atomic uint64_t n_divergent;     /* of which not allowed */
  _Atomic int finished;             /* the worker returned normally */
  _Atomic int bind_failed;          /* placement was refused once */
  _Atomic int calibrating;          /* in the pool's calibration run of member
                                       calibrating - 1, no run; 0: not */
  _Atomic uint64_t calibration_base; /* sum of `steps` when it started */
  /* Controlled: scheduling points made so far, by every run of this worker;
   * the parent counts a run's progress in them, not in time alone. */
  jostle__step_counter steps[JOSTLE__STEP_COUNTERS];
  char error[160];                  /* why the worker gave up, if it did */
  jostle__crash_record crash;       /* what its fatal signal left, if any */
} jostle__slot;

/* Exit status of a worker whose process can serve no more runs of a
 * program (harness/program_reset.h): its slot gets a fresh worker. */
#define JOSTLE__WORKER_REPLACED 124

typedef struct jostle__shared {
  /* The next unclaimed run of the plan's range [first_run, end); starts at
   * first_run. */
  _Alignas(JOSTLE__CACHE_LINE) _Atomic uint64_t next_run;
  _Alignas(JOSTLE__CACHE_LINE) _Atomic int stop;
  _Atomic int pin_disabled;         /* binding failed: stop trying */
  /* The steps of the calibration run (pct), once a worker has measured
   * them, or the parent has counted them in a calibration run that died;
   * 0 before. The run has a fixed seed, so every measure is the same. A
   * worker's measure for a strategy with a profile carries JOSTLE__PROFILED
   * (harness/pool.h), the parent's count of a dead run never does. One per
   * member of a portfolio (jostle__pool_member), which calibrate apart;
   * else only the first is used. */
  _Atomic uint64_t calibration[JOSTLE__MAX_MEMBERS];
  /* A served program's runs share a worker's process until a worker finds
   * they cannot (harness/program_reset.h): then 1 while that worker writes
   * why, 2 once it has, and every run from then on gets a process of its
   * own. */
  _Atomic int program_forks;
  char program_forks_why[160];
  size_t slot_stride;               /* bytes from one slot to the next */
  size_t waits_offset;              /* from a slot to its board of waits */
} jostle__shared;

/* Slot i and its tally follow the header. */
static inline jostle__slot *jostle__slot_at(jostle__shared *sh, int i) {
  return (jostle__slot *)((char *)sh + sizeof(jostle__shared) +
                          (size_t)i * sh->slot_stride);
}

/* The scheduling points the slot's workers have made so far, all threads. */
static inline uint64_t jostle__slot_steps(jostle__slot *slot) {
  uint64_t steps = 0;
  for (int k = 0; k < JOSTLE__STEP_COUNTERS; k++)
    steps += atomic_load_explicit(&slot->steps[k].n, memory_order_relaxed);
  return steps;
}

static inline jostle__tally *jostle__slot_tally(jostle__slot *slot) {
  return (jostle__tally *)((char *)slot + sizeof(jostle__slot));
}

/* Where the slot's worker publishes its threads' waits (uncontrolled). */
static inline jostle__waits *jostle__slot_waits(jostle__shared *sh, jostle__slot *slot) {
  return (jostle__waits *)((char *)slot + sh->waits_offset);
}

/* Runs in a forked worker process: finishes the slot's claimed runs, then
 * claims batches until the plan's runs are all claimed or `stop` is set.
 * Its scenario's output goes to `cap`. Never returns. */
_Noreturn void jostle__worker_main(const jostle__plan *p, jostle__shared *sh, int slot_index,
                                   const jostle__capture *cap);

#endif
