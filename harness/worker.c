/*
 * worker.c: a worker process. It builds the thread pool once, finishes the
 * runs its slot holds claimed (a dead worker's batch, or runs an earlier
 * campaign of the cell left undone), then runs batches of consecutive runs
 * claimed from the shared counter, up to the plan's last run, recording
 * every outcome in its slot's tally before it moves `next` past the run.
 * Placement is re-planned per batch (binding a thread costs tens of
 * microseconds, far more than a run). Serving a program, runs share the
 * worker's process, which goes back to the program's first state after
 * each (program_run_shared), or, where that cannot be, every run is a
 * process of its own, forked from the worker (program_run).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/seed.h"
#include "harness/capture.h"
#include "harness/heap.h"
#include "harness/pool.h"
#include "harness/program.h"
#include "harness/program_calls.h"
#include "harness/program_reset.h"
#include "harness/program_stdin.h"
#include "harness/shared.h"
#include "schedulers/forks.h"

/* Exit status of a worker that could not start; the slot says why. */
#define WORKER_FAILED 125

static _Noreturn void give_up(jostle__slot *slot, const char *why) {
  snprintf(slot->error, sizeof slot->error, "%s", why);
  _exit(WORKER_FAILED);
}

/* Counts run i, whose outcome is r, in the slot, and moves `next` past it. */
static void record(const jostle__plan *p, jostle__shared *sh, jostle__slot *slot,
                   jostle__pool *pool, const jostle__capture *cap, uint64_t i,
                   const jostle_run *r) {
  jostle__tally *tally = jostle__slot_tally(slot);
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
    if (p->until_divergence) atomic_store_explicit(&sh->stop, 1, memory_order_relaxed);
  }
  atomic_fetch_add_explicit(&slot->n_done, 1, memory_order_relaxed);
  atomic_store_explicit(&slot->next, i + 1, memory_order_release);
}

/* ---- program mode: a process per run ---------------------------------- */

typedef struct run_ctx {
  const jostle__plan *p;
  jostle__shared *sh;
  jostle__slot *slot;
  jostle__pool *pool;
  const jostle__capture *cap;
  uint64_t i;
} run_ctx;

/* A run whose program exited with status, having written what cap holds:
 * what --outcome takes from that, when it asks (harness/program.h). A race
 * found before stays the outcome. */
static void program_exit_outcome(jostle_run *r, const jostle__plan *p, int verdict,
                                 const char *text, int status, const jostle__capture *cap) {
  static char printed[JOSTLE__TEXT_MAX];
  jostle__program_exit_run(r, p->n_threads, verdict, text, status);
  if (verdict != JOSTLE__RUN_OK) return;
  int got = jostle__program_printed(status, cap->map, jostle__capture_taken(cap), printed,
                                    sizeof printed);
  if (got == 0) r->reason = "nothing it wrote matched --outcome";
  if (got != 1) return;
  r->verdict = JOSTLE__RUN_PRINTED;
  r->verdict_text = printed;
  r->n_obs = 0;
}

/* In the run's process: the program exited with status. */
static void program_exited(void *arg, int status) {
  run_ctx *x = arg;
  jostle_run r;
  const char *text = NULL;
  int verdict = jostle__pool_verdict(x->pool, &text);
  program_exit_outcome(&r, x->p, verdict == JOSTLE__RUN_RACE ? verdict : JOSTLE__RUN_OK, text,
                       status, x->cap);
  record(x->p, x->sh, x->slot, x->pool, x->cap, x->i, &r);
}

/* Forks the process of one of a program's runs: in it (0 returned), the
 * pool's thread is the calling thread and the process dies with the
 * worker. */
static pid_t fork_run_process(jostle__pool *pool) {
  jostle__program_stdin_rewind();
  fflush(NULL);
  pid_t worker = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != worker) _exit(0);
  jostle__pool_adopt_fork(pool);
  return 0;
}

/* Run i in a process of its own, forked from this one, in which the
 * program's main has not run. The run's process records its outcome when
 * the program exits or jostle ends the run; one that dies first is
 * recorded here, by how it died. */
static void program_run(const jostle__plan *p, jostle__shared *sh, jostle__slot *slot,
                        jostle__pool *pool, const jostle__capture *cap, uint64_t i) {
  pid_t pid = fork_run_process(pool);
  if (pid == 0) {
    run_ctx x = {p, sh, slot, pool, cap, i};
    jostle__program_arm(program_exited, &x);
    const jostle_run *r = jostle__pool_run(pool, jostle__run_seed(p, i));
    jostle__program_disarm();
    record(p, sh, slot, pool, cap, i, r);
    _exit(0);
  }
  char text[JOSTLE__TEXT_MAX];
  jostle_run r;
  if (pid < 0) {
    snprintf(text, sizeof text, "limit (no process for the run: %s)", strerror(errno));
    jostle__program_exit_run(&r, p->n_threads, JOSTLE__RUN_LIMIT, text, 0);
    record(p, sh, slot, pool, cap, i, &r);
    return;
  }
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (atomic_load_explicit(&slot->next, memory_order_acquire) != i) return;
  /* Died before its outcome was recorded. */
  char crash[JOSTLE__DETAIL_MAX];
  jostle__crash_describe(&slot->crash, crash, sizeof crash);
  if (WIFSIGNALED(status)) {
    char line[160];
    jostle__capture_last_line(cap->map, jostle__capture_taken(cap), line, sizeof line);
    const char *abbrev = sigabbrev_np(WTERMSIG(status));
    int len = abbrev ? snprintf(text, sizeof text, "crash (SIG%s)", abbrev)
                     : snprintf(text, sizeof text, "crash (signal %d)", WTERMSIG(status));
    if (line[0] && len > 0 && (size_t)len < sizeof text)
      snprintf(text + len, sizeof text - (size_t)len, ": %s", line);
    jostle__program_exit_run(&r, p->n_threads, JOSTLE__RUN_CRASH, text, 0);
  } else {
    /* an exit jostle's hook did not see (a raw exit_group) */
    program_exit_outcome(&r, p, JOSTLE__RUN_OK, NULL, WEXITSTATUS(status), cap);
  }
  record(p, sh, slot, pool, cap, i, &r);
}

/* ---- program mode: runs that share the worker's process --------------- */

/* Whether this worker's runs of a program share its process
 * (jostle__program_share). */
static int sharing;

/* From now on, every run of the program gets a process of its own, for
 * `why`; the first worker to say so says why. */
static void stop_sharing(jostle__shared *sh, const char *why) {
  int none = 0;
  if (atomic_compare_exchange_strong_explicit(&sh->program_forks, &none, 1,
                                              memory_order_acq_rel, memory_order_relaxed)) {
    snprintf(sh->program_forks_why, sizeof sh->program_forks_why, "%s", why);
    atomic_store_explicit(&sh->program_forks, 2, memory_order_release);
  }
  sharing = 0;
}

/* This process can serve no more runs: a fresh worker takes the slot. */
static _Noreturn void replaced(jostle__shared *sh, const char *why) {
  stop_sharing(sh, why);
  _exit(JOSTLE__WORKER_REPLACED);
}

/* A thread other than main exited, main running (uncontrolled). */
static void exited_beside_main(void *arg, int status) {
  run_ctx *x = arg;
  program_exited(arg, status);
  replaced(x->sh, "a thread other than main called exit while main ran");
}

/* Run i in this process, which then goes back to the state the first run
 * started from (harness/program_reset.h). */
static void program_run_shared(const jostle__plan *p, jostle__shared *sh, jostle__slot *slot,
                               jostle__pool *pool, const jostle__capture *cap, uint64_t i) {
  run_ctx x = {p, sh, slot, pool, cap, i};
  jostle__program_stdin_rewind();
  jostle__program_arm_shared(exited_beside_main, &x);
  const jostle_run *r = jostle__pool_run(pool, jostle__run_seed(p, i));
  int status;
  jostle_run exited;
  if (jostle__program_disarm_shared(&status) &&
      (r->verdict == JOSTLE__RUN_OK || r->verdict == JOSTLE__RUN_RACE)) {
    program_exit_outcome(&exited, p, r->verdict, r->verdict_text, status, cap);
    r = &exited;
  }
  const char *why = jostle__program_reset();
  record(p, sh, slot, pool, cap, i, r);
  if (why != NULL) replaced(sh, why);
}

/* Whether a worker's runs of the served program share its process: unless
 * JOSTLE_PROGRAM_RUNS=fork asks for a process per run, or a worker found
 * they cannot. */
static int share_runs(jostle__shared *sh) {
  const char *knob = getenv("JOSTLE_PROGRAM_RUNS");
  if (knob != NULL && strcmp(knob, "fork") == 0) return 0;
  if (atomic_load_explicit(&sh->program_forks, memory_order_acquire)) return 0;
  const char *why = jostle__program_share();
  if (why != NULL) stop_sharing(sh, why);
  return why == NULL;
}

/* The calibration run's end in the program's exit: the profile (surw's),
 * which the worker shares, is made before the process ends. */
static void calibration_exited(void *arg, int status) {
  (void)status;
  jostle__pool_calibration_ends(arg);
}

/* The calibration run (pct's, surw's), in a process of its own: the steps
 * it made before the program exited or died, counted in the slot, and the
 * profile of a strategy that keeps one, which every worker makes for
 * itself (its runs must not depend on which worker runs them). */
static uint64_t program_calibrate(jostle__slot *slot, jostle__pool *pool, uint64_t known,
                                  int profiled) {
  if (known != 0 && !profiled) return jostle__pool_calibrate(pool, known);
  pid_t pid = fork_run_process(pool);
  if (pid == 0) {
    jostle__program_arm(calibration_exited, pool);
    (void)jostle__pool_calibrate(pool, 0);
    jostle__program_disarm();
    _exit(0);
  }
  if (pid < 0) give_up(slot, "could not fork the calibration run's process");
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  char crash[JOSTLE__DETAIL_MAX];
  jostle__crash_describe(&slot->crash, crash, sizeof crash);
  uint64_t steps = jostle__slot_steps(slot) -
                   atomic_load_explicit(&slot->calibration_base, memory_order_relaxed);
  return jostle__pool_calibrate(pool, steps ? steps : 1);
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
  /* A program makes threads of its own, which the plan does not count:
   * none may spin on a processor that another needs. */
  if (jostle__program_served != NULL) spin_ok = 0;
  if (jostle__pool_place(pool, pu, spin_ok) != 0) {
    atomic_store_explicit(&sh->pin_disabled, 1, memory_order_relaxed);
    atomic_store_explicit(&slot->bind_failed, 1, memory_order_relaxed);
  }
  /* Not a run of the campaign: a death here must not be blamed on one.
   * A portfolio's members calibrate one after the other, each its own. */
  for (int k = 0; first && k < jostle__pool_members(pool); k++) {
    jostle__pool_member(pool, k);
    uint64_t known = atomic_load_explicit(&sh->calibration[k], memory_order_acquire);
    atomic_store_explicit(&slot->calibration_base, jostle__slot_steps(slot),
                          memory_order_relaxed);
    atomic_store_explicit(&slot->calibrating, k + 1, memory_order_release);
    uint64_t measured = jostle__program_served != NULL
                            ? program_calibrate(slot, pool, known, jostle__pool_profiled(pool))
                            : jostle__pool_calibrate(pool, known);
    atomic_store_explicit(&slot->calibrating, 0, memory_order_release);
    if (measured != 0 && known == 0)
      atomic_store_explicit(&sh->calibration[k], measured, memory_order_release);
  }
}

/* Puts run i under its member: i mod K of a portfolio, whichever worker
 * runs it. */
static void member_of_run(jostle__pool *pool, uint64_t i) {
  jostle__pool_member(pool, jostle__portfolio_member_of(i, jostle__pool_members(pool)));
}

static void run_claimed(const jostle__plan *p, jostle__shared *sh, jostle__slot *slot,
                        jostle__pool *pool, const jostle__capture *cap) {
  uint64_t end = atomic_load_explicit(&slot->chunk_end, memory_order_relaxed);
  /* No run's: a calibration run's, or output that began with a NUL byte
   * and went unseen. */
  size_t stale = jostle__capture_written(cap);
  if (stale > 0) jostle__capture_restart(cap, stale);
  for (uint64_t i = atomic_load_explicit(&slot->next, memory_order_relaxed);
       i < end; i++) {
    if (atomic_load_explicit(&sh->stop, memory_order_relaxed)) return;
    member_of_run(pool, i);
    if (jostle__program_served != NULL) {
      if (sharing) program_run_shared(p, sh, slot, pool, cap, i);
      else program_run(p, sh, slot, pool, cap, i);
      continue;
    }
    record(p, sh, slot, pool, cap, i, jostle__pool_run(pool, jostle__run_seed(p, i)));
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
  /* A program's threads are no pool threads: what the pool's would publish
   * proves nothing about them. */
  if (jostle__program_served == NULL)
    jostle__pool_publish_waits(pool, jostle__slot_waits(sh, slot));
  jostle__tally_adopt(jostle__slot_tally(slot));
  if (jostle__program_served != NULL) {
    jostle__program_calls_start();
    jostle__program_stdin_own();
    /* without room, the program keeps libc's heap */
    (void)jostle__heap_start();
    sharing = share_runs(sh);
  }
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
