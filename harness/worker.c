/*
 * worker.c: a worker process. It builds the thread pool once, finishes the
 * runs its slot holds claimed (a dead worker's batch, or runs an earlier
 * campaign of the cell left undone), then runs batches of consecutive runs
 * claimed from the shared counter, up to the plan's last run, recording
 * every outcome in its slot's tally before it moves `next` past the run.
 * Placement is re-planned per batch (binding a thread costs tens of
 * microseconds, far more than a run).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/seed.h"
#include "harness/capture.h"
#include "harness/pool.h"
#include "harness/shared.h"
#include "schedulers/forks.h"

/* Exit status of a worker that could not start; the slot says why. */
#define WORKER_FAILED 125

static _Noreturn void give_up(jostle__slot *slot, const char *why) {
  snprintf(slot->error, sizeof slot->error, "%s", why);
  _exit(WORKER_FAILED);
}

static void place(const jostle__plan *p, jostle__shared *sh, jostle__slot *slot,
                  jostle__pool *pool, int slot_index, uint64_t batch_start,
                  int *placed) {
  int pu[JOSTLE_MAX_THREADS];
  int pin_off = atomic_load_explicit(&sh->pin_disabled, memory_order_relaxed);
  jostle__pin pin = pin_off ? JOSTLE__PIN_NONE : p->pin;
  int spin_ok = jostle__placement_plan(pin, slot_index, p->n_jobs, p->n_threads,
                                       jostle__mix(p->seed ^ 0x706c616365ULL, batch_start),
                                       pu);
  /* Fixed placements are applied once; random ones every batch. */
  if (*placed && pin != JOSTLE__PIN_RANDOM) return;
  int first = !*placed;
  *placed = 1;
  if (jostle__pool_place(pool, pu, spin_ok) != 0) {
    atomic_store_explicit(&sh->pin_disabled, 1, memory_order_relaxed);
    atomic_store_explicit(&slot->bind_failed, 1, memory_order_relaxed);
  }
  if (first) {
    /* Not a run of the campaign: a death here must not be blamed on one. */
    uint64_t known = atomic_load_explicit(&sh->calibration, memory_order_acquire);
    atomic_store_explicit(&slot->calibration_base, jostle__slot_steps(slot),
                          memory_order_relaxed);
    atomic_store_explicit(&slot->calibrating, 1, memory_order_release);
    uint64_t measured = jostle__pool_calibrate(pool, known);
    atomic_store_explicit(&slot->calibrating, 0, memory_order_release);
    if (measured != 0 && known == 0)
      atomic_store_explicit(&sh->calibration, measured, memory_order_release);
  }
}

static void run_claimed(const jostle__plan *p, jostle__shared *sh, jostle__slot *slot,
                        jostle__pool *pool, const jostle__capture *cap) {
  jostle__tally *tally = jostle__slot_tally(slot);
  uint64_t end = atomic_load_explicit(&slot->chunk_end, memory_order_relaxed);
  /* No run's: a calibration run's, or output that began with a NUL byte
   * and went unseen. */
  size_t stale = jostle__capture_written(cap);
  if (stale > 0) jostle__capture_restart(cap, stale);
  for (uint64_t i = atomic_load_explicit(&slot->next, memory_order_relaxed);
       i < end; i++) {
    if (atomic_load_explicit(&sh->stop, memory_order_relaxed)) return;
    const jostle_run *r = jostle__pool_run(pool, jostle__run_seed(p, i));
    jostle__class cls = jostle__tally_record(tally, r, i);
    jostle__tally_entry *first = cls == JOSTLE__RACE ? jostle__tally_first(tally, i) : NULL;
    if (first != NULL)
      jostle__pool_race_report(pool, first->race_report, sizeof first->race_report,
                               first->race_steps);
    size_t wrote = jostle__capture_taken(cap);
    if (wrote > 0) {
      jostle__tally_output(tally, i, cap->map, wrote);
      jostle__capture_restart(cap, wrote);
    }
    if (cls != JOSTLE__ALLOWED) {
      atomic_fetch_add_explicit(&slot->n_divergent, 1, memory_order_relaxed);
      if (p->until_divergence)
        atomic_store_explicit(&sh->stop, 1, memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&slot->n_done, 1, memory_order_relaxed);
    atomic_store_explicit(&slot->next, i + 1, memory_order_release);
  }
}

_Noreturn void jostle__worker_main(const jostle__plan *p, jostle__shared *sh, int slot_index,
                                   const jostle__capture *cap) {
  jostle__slot *slot = jostle__slot_at(sh, slot_index);
  jostle__capture_attach(cap);
  jostle__watch_forks();
  jostle__crash_watch(&slot->crash);
  jostle__pool *pool = jostle__pool_create(p);
  if (pool == NULL) give_up(slot, "could not start the scenario's threads");
  jostle__pool_count_steps(pool, slot->steps);
  jostle__pool_publish_waits(pool, jostle__slot_waits(sh, slot));
  jostle__tally_adopt(jostle__slot_tally(slot));
  int placed = 0;
  uint64_t resume = atomic_load_explicit(&slot->next, memory_order_relaxed);
  if (resume < atomic_load_explicit(&slot->chunk_end, memory_order_relaxed)) {
    place(p, sh, slot, pool, slot_index, resume, &placed);
    run_claimed(p, sh, slot, pool, cap);
  }
  uint64_t last = jostle__plan_end(p);
  while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
    uint64_t start = atomic_fetch_add_explicit(&sh->next_run, p->chunk_runs,
                                               memory_order_relaxed);
    if (start >= last) break;
    uint64_t end = last - start < p->chunk_runs ? last : start + p->chunk_runs;
    /* `next` first: no moment shows a run in flight that is not claimed. */
    atomic_store_explicit(&slot->next, start, memory_order_relaxed);
    atomic_store_explicit(&slot->chunk_end, end, memory_order_release);
    place(p, sh, slot, pool, slot_index, start, &placed);
    run_claimed(p, sh, slot, pool, cap);
  }
  jostle__pool_destroy(pool);
  atomic_store_explicit(&slot->finished, 1, memory_order_release);
  _exit(0);
}
