/*
 * campaign.c: the parent side of a cell: forks the workers, watches them,
 * and turns what their slots hold into the cell's result.
 *
 * The parent has one thread. It waits in sigtimedwait() for SIGCHLD, SIGINT
 * or SIGTERM (blocked, so they queue), at most a tick at a time, and on each
 * wake: reaps dead workers, checks for hung runs, enforces the time budget
 * and reports progress. A worker that dies inside a run (its slot's next <
 * chunk_end) has its run counted as a crash (or a hang, when the parent
 * killed it for making no progress), and a fresh worker takes over the rest
 * of its batch and the slot's tally, so nothing else is lost. When that
 * worker cannot be forked, the campaign says so, stops and returns -1: a
 * cell is never silently short of runs.
 */
#include "harness/campaign.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/cache_line.h"
#include "common/clock.h"
#include "harness/program.h"
#include "harness/shared.h"

#define TICK_NS 20000000ULL        /* longest wait between checks: 20 ms */
#define PROGRESS_NS 200000000ULL   /* progress every 200 ms */
#define SAMPLE_NS 100000000ULL     /* first spacing of the cell's samples */

typedef struct watch {
  pid_t pid;                       /* 0: no live worker */
  uint64_t last_next;              /* slot->next when last seen moving */
  uint64_t last_steps;             /* slot->steps likewise (controlled runs) */
  uint64_t last_move_ns;
  int killed_for_hang;
  /* Uncontrolled: the board's stamp when it last showed a deadlock in the
   * run `last_next` (0: it did not), and the deadlock's text. */
  uint64_t deadlock_stamp;
  int killed_for_deadlock;
  char deadlock[JOSTLE__TEXT_MAX];
  jostle__capture capture;         /* the slot's workers' stdout and stderr */
} watch;

pid_t (*jostle__campaign_fork)(void) = fork;

static pid_t spawn(const jostle__plan *p, jostle__shared *sh, int i,
                   const sigset_t *child_mask, const jostle__capture *cap) {
  fflush(NULL); /* a scenario that calls exit() must not repeat our output */
  pid_t parent = getpid();
  pid_t pid = jostle__campaign_fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
  signal(SIGINT, SIG_IGN); /* the terminal's ^C is the parent's to handle */
  signal(SIGTERM, SIG_DFL);
  sigprocmask(SIG_SETMASK, child_mask, NULL);
  jostle__worker_main(p, sh, i, cap);
}

static void describe_death(const jostle__plan *p, int status, int hang, char *buf,
                           size_t size) {
  if (hang && jostle__sched_controlled(p->sched))
    snprintf(buf, size, "hang (no scheduling point in %.3g s)", (double)p->timeout_ns / 1e9);
  else if (hang)
    snprintf(buf, size, "hang (no progress in %.3g s)", (double)p->timeout_ns / 1e9);
  else if (WIFSIGNALED(status)) {
    const char *abbrev = sigabbrev_np(WTERMSIG(status));
    if (abbrev != NULL)
      snprintf(buf, size, "crash (SIG%s)", abbrev);
    else
      snprintf(buf, size, "crash (signal %d)", WTERMSIG(status));
  } else
    snprintf(buf, size, "crash (exit %d)", WEXITSTATUS(status));
}

/* Whether a stop signal reached the campaign: taken already (the cell is
 * interrupted), or pending, as when the whole process group got SIGTERM and
 * the worker died of it before the parent's wait took it. Marks the cell. */
static int stop_signal(jostle__cell *out) {
  sigset_t pending;
  if (!out->interrupted && sigpending(&pending) == 0 &&
      (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1))
    out->interrupted = 1;
  return out->interrupted;
}

/* A worker is gone: account for the run it was in, if any. Returns 1 when
 * its slot should get a fresh worker, 0 when not, -1 on a broken worker. */
static int on_death(const jostle__plan *p, jostle__shared *sh, int i,
                    watch *w, int status, jostle__cell *out) {
  jostle__slot *slot = jostle__slot_at(sh, i);
  int hang = w->killed_for_hang, deadlock = w->killed_for_deadlock;
  w->pid = 0;
  w->killed_for_hang = w->killed_for_deadlock = 0;
  w->deadlock_stamp = 0;
  /* What the dead worker published is not the next one's. */
  jostle__waits_init(jostle__slot_waits(sh, slot), p->n_threads);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
      atomic_load_explicit(&slot->finished, memory_order_acquire))
    return 0;
  /* Its process could serve no more runs of a program; its last run is
   * counted. */
  if (WIFEXITED(status) && WEXITSTATUS(status) == JOSTLE__WORKER_REPLACED &&
      atomic_load_explicit(&sh->program_forks, memory_order_acquire) == 2)
    return !atomic_load_explicit(&sh->stop, memory_order_relaxed);
  /* Read, and cleared for the next worker, on every way out. */
  char detail[JOSTLE__DETAIL_MAX], output[JOSTLE__OUTPUT_MAX];
  jostle__crash_describe(&slot->crash, detail, sizeof detail);
  size_t wrote = jostle__capture_written(&w->capture);
  if (wrote > 0) jostle__output_keep(output, w->capture.map, wrote);
  jostle__capture_restart(&w->capture, wrote);
  uint64_t run = atomic_load_explicit(&slot->next, memory_order_acquire);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM && stop_signal(out)) {
    /* The campaign is being stopped (a job timeout signals the whole
     * process group): the run in flight did not end, it is left undone. */
    atomic_store_explicit(&sh->stop, 1, memory_order_relaxed);
    return 0;
  }
  int calibrating = atomic_load_explicit(&slot->calibrating, memory_order_acquire);
  if (calibrating > 0) {
    /* The calibration run (not a run of the campaign) crashed or hung:
     * the steps it made before it died measure it as well, and, its seed
     * being fixed, the same in every process. The fresh worker takes them
     * instead of calibrating again. */
    uint64_t steps = jostle__slot_steps(slot) -
                     atomic_load_explicit(&slot->calibration_base, memory_order_relaxed);
    uint64_t unknown = 0;
    atomic_compare_exchange_strong_explicit(&sh->calibration[calibrating - 1], &unknown,
                                            steps ? steps : 1,
                                            memory_order_release, memory_order_relaxed);
    atomic_store_explicit(&slot->calibrating, 0, memory_order_relaxed);
    return 1;
  }
  if (run >= atomic_load_explicit(&slot->chunk_end, memory_order_acquire)) {
    char why[96];
    describe_death(p, status, 0, why, sizeof why);
    fprintf(stderr, "jostle: worker %d of %s died outside a run: %s%s%s\n", i,
            p->scenario->name, why, slot->error[0] ? ": " : "", slot->error);
    return -1;
  }
  char text[JOSTLE__TEXT_MAX];
  describe_death(p, status, hang, text, sizeof text);
  if (deadlock) snprintf(text, sizeof text, "%s", w->deadlock);
  /* A program's run that shared the worker's process died with it: its
   * crash reads as one in a process of its own (harness/worker.c). */
  if (jostle__program_served != NULL && !hang && !deadlock && WIFSIGNALED(status) &&
      wrote > 0) {
    char line[160];
    jostle__capture_last_line(output, strlen(output), line, sizeof line);
    size_t len = strlen(text);
    if (line[0] && len < sizeof text) snprintf(text + len, sizeof text - len, ": %s", line);
  }
  jostle__class cls = deadlock ? JOSTLE__DEADLOCK : hang ? JOSTLE__HANG : JOSTLE__CRASH;
  if (jostle__cell_add(out, cls, text, 1, run, jostle__run_seed(p, run)) != 0) {
    fprintf(stderr, "jostle: out of memory\n");
    return -1;
  }
  if (cls == JOSTLE__CRASH) jostle__cell_detail(out, cls, text, run, detail);
  if (wrote > 0) jostle__cell_output(out, cls, text, run, output, strlen(output));
  atomic_store_explicit(&slot->next, run + 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&slot->n_done, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&slot->n_divergent, 1, memory_order_relaxed);
  if (p->until_divergence) atomic_store_explicit(&sh->stop, 1, memory_order_relaxed);
  return !atomic_load_explicit(&sh->stop, memory_order_relaxed);
}

/* Once a worker found that a program's runs cannot share its process:
 * says why, and returns 1. */
static int say_forks(const jostle__plan *p, jostle__shared *sh) {
  if (atomic_load_explicit(&sh->program_forks, memory_order_acquire) != 2) return 0;
  const jostle__program *program = jostle__program_served;
  fprintf(stderr, "jostle: %s: %s every run is a process of its own (slower): %s\n",
          p->scenario->name, program != NULL && !program->rebuilt ? "as it is," : "from now on",
          sh->program_forks_why);
  return 1;
}

/* Live threads of process pid, or -1 when they cannot be counted. */
static int count_threads(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  if (d == NULL) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

/* An uncontrolled run that has not moved for a tick: a deadlock when the
 * worker's board proves one, and shows the same on two reads a tick apart
 * (a condition variable may wake with no signal). Returns 1 when it is. */
static int deadlocked(const jostle__plan *p, jostle__shared *sh, jostle__slot *slot,
                      watch *w) {
  const jostle__waits *board = jostle__slot_waits(sh, slot);
  uint64_t stamp = 0;
  char text[JOSTLE__TEXT_MAX];
  /* Threads the pool does not know of may wake anyone: counted only when
   * the board shows a deadlock without them. */
  int found = jostle__waits_deadlock(board, 0, &stamp, text, sizeof text);
  if (found) {
    int threads = count_threads(w->pid);
    found = jostle__waits_deadlock(board, threads < 0 ? -1 : threads - p->n_threads, &stamp,
                                   text, sizeof text);
  }
  if (!found || stamp == 0) {
    w->deadlock_stamp = 0;
    return 0;
  }
  if (w->deadlock_stamp != stamp) {
    w->deadlock_stamp = stamp;
    return 0;
  }
  snprintf(w->deadlock, sizeof w->deadlock, "%s", text);
  return 1;
}

static void check_hangs(const jostle__plan *p, jostle__shared *sh, watch *ws,
                        uint64_t now) {
  for (int i = 0; i < p->n_jobs; i++) {
    watch *w = &ws[i];
    if (w->pid == 0 || w->killed_for_hang || w->killed_for_deadlock) continue;
    jostle__slot *slot = jostle__slot_at(sh, i);
    uint64_t next = atomic_load_explicit(&slot->next, memory_order_acquire);
    uint64_t end = atomic_load_explicit(&slot->chunk_end, memory_order_acquire);
    /* A controlled run that makes scheduling points is making progress,
     * however slowly a loaded machine runs it: its end is the step limit's
     * to decide, which is a function of its seed. Only code that makes no
     * point at all for the timeout hangs. */
    uint64_t steps = jostle__slot_steps(slot);
    if (next != w->last_next || next >= end || steps != w->last_steps) {
      w->last_next = next;
      w->last_steps = steps;
      w->last_move_ns = now;
      w->deadlock_stamp = 0;
    } else if (!jostle__sched_controlled(p->sched) && deadlocked(p, sh, slot, w)) {
      kill(w->pid, SIGKILL);
      w->killed_for_deadlock = 1;
    } else if (now - w->last_move_ns > p->timeout_ns) {
      kill(w->pid, SIGKILL);
      w->killed_for_hang = 1;
    }
  }
}

static void totals(jostle__shared *sh, int n, uint64_t *runs, uint64_t *div) {
  *runs = *div = 0;
  for (int i = 0; i < n; i++) {
    jostle__slot *slot = jostle__slot_at(sh, i);
    *runs += atomic_load_explicit(&slot->n_done, memory_order_relaxed);
    *div += atomic_load_explicit(&slot->n_divergent, memory_order_relaxed);
  }
}

static int collect(const jostle__plan *p, jostle__shared *sh, jostle__cell *out) {
  jostle__tally **tallies = malloc((size_t)p->n_jobs * sizeof *tallies);
  if (tallies == NULL) return -1;
  for (int i = 0; i < p->n_jobs; i++) tallies[i] = jostle__slot_tally(jostle__slot_at(sh, i));
  int rc = jostle__tally_collect(tallies, p->n_jobs, p, out);
  free(tallies);
  return rc;
}

/* Appends a sample when `every` has passed since the last one; when the
 * cell is full, keeps every other sample and doubles the spacing. */
static void sample(jostle__cell *out, uint64_t elapsed, uint64_t runs, uint64_t div,
                   uint64_t *every, int force) {
  if (out->n_samples > 0 && !force &&
      elapsed - out->samples[out->n_samples - 1].elapsed_ns < *every)
    return;
  if (jostle__cell_sample(out, (jostle__sample){elapsed, runs, div})) *every *= 2;
}

/* Adds to *done what ran: the pending ranges and the claimed part of the
 * plan's range, less what each slot still held claimed (its worker
 * stopped, or died for good, before those runs). */
static int record_done(const jostle__plan *p, jostle__shared *sh, const jostle__range *pending,
                       size_t n_pending, jostle__runset *done) {
  uint64_t claimed = atomic_load(&sh->next_run), last = jostle__plan_end(p);
  int rc = jostle__runset_add(done, p->first_run, claimed < last ? claimed : last);
  for (size_t i = 0; rc == 0 && i < n_pending; i++)
    rc = jostle__runset_add(done, pending[i].begin, pending[i].end);
  for (int i = 0; rc == 0 && i < p->n_jobs; i++) {
    jostle__slot *slot = jostle__slot_at(sh, i);
    rc = jostle__runset_remove(done, atomic_load(&slot->next), atomic_load(&slot->chunk_end));
  }
  return rc;
}

int jostle__campaign_run(const jostle__plan *p, jostle__cell *out,
                         jostle__progress_fn progress, void *progress_ctx) {
  return jostle__campaign_run_ranges(p, NULL, 0, NULL, out, progress, progress_ctx);
}

int jostle__campaign_run_ranges(const jostle__plan *p, const jostle__range *pending,
                                size_t n_pending, jostle__runset *done, jostle__cell *out,
                                jostle__progress_fn progress, void *progress_ctx) {
  JOSTLE_ASSERT(n_pending <= (size_t)p->n_jobs);
  size_t waits_offset = jostle__round_to_lines(sizeof(jostle__slot) +
                                               jostle__tally_size(JOSTLE__MAX_LISTED));
  size_t stride = jostle__round_to_lines(waits_offset + jostle__waits_size(p->n_threads));
  size_t size = sizeof(jostle__shared) + (size_t)p->n_jobs * stride;
  jostle__shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) {
    fprintf(stderr, "jostle: cannot map %zu bytes of shared memory: %s\n", size,
            strerror(errno));
    return -1;
  }
  sh->slot_stride = stride;
  sh->waits_offset = waits_offset;
  atomic_init(&sh->next_run, p->first_run);
  for (int i = 0; i < p->n_jobs; i++) {
    jostle__slot *slot = jostle__slot_at(sh, i);
    jostle__tally_init(jostle__slot_tally(slot), JOSTLE__MAX_LISTED);
    jostle__waits_init(jostle__slot_waits(sh, slot), p->n_threads);
  }
  /* Pending runs are claimed before any worker starts: a worker finishes
   * its slot's claimed runs first, as a replaced worker does. */
  for (size_t i = 0; i < n_pending; i++) {
    atomic_init(&jostle__slot_at(sh, (int)i)->next, pending[i].begin);
    atomic_init(&jostle__slot_at(sh, (int)i)->chunk_end, pending[i].end);
  }

  /* The caller's mask is restored on return; workers start from it less
   * the signals the parent waits for. */
  sigset_t waited, entry_mask, child_mask;
  sigemptyset(&waited);
  sigaddset(&waited, SIGCHLD);
  sigaddset(&waited, SIGINT);
  sigaddset(&waited, SIGTERM);
  sigprocmask(SIG_BLOCK, &waited, &entry_mask);
  child_mask = entry_mask;
  sigdelset(&child_mask, SIGINT);
  sigdelset(&child_mask, SIGTERM);
  sigdelset(&child_mask, SIGCHLD);

  int rc = 0, warned_bind = 0, warned_forks = 0;
  watch *ws = calloc((size_t)p->n_jobs, sizeof *ws);
  uint64_t start = jostle__now_ns(), last_progress = start, every = SAMPLE_NS;
  out->n_samples = 0;
  out->first_divergence_ns = 0;
  sample(out, 0, 0, 0, &every, 1);
  if (ws == NULL) {
    fprintf(stderr, "jostle: out of memory\n");
    rc = -1;
  }
  for (int i = 0; rc == 0 && i < p->n_jobs; i++) {
    if (jostle__capture_open(&ws[i].capture) != 0 && i == 0)
      fprintf(stderr, "jostle: cannot capture the scenario's output (%s): it goes to "
                      "jostle's own\n", strerror(errno));
  }
  for (int i = 0; rc == 0 && i < p->n_jobs; i++) {
    ws[i].pid = spawn(p, sh, i, &child_mask, &ws[i].capture);
    ws[i].last_move_ns = start;
    if (ws[i].pid < 0) {
      fprintf(stderr, "jostle: cannot fork a worker: %s\n", strerror(errno));
      ws[i].pid = 0;
      rc = -1;
    }
  }
  if (rc != 0) atomic_store(&sh->stop, 1);

  int n_alive = 0;
  for (int i = 0; ws && i < p->n_jobs; i++) n_alive += ws[i].pid != 0;
  while (n_alive > 0) {
    struct timespec tick = {0, (long)TICK_NS};
    siginfo_t info;
    int sig = sigtimedwait(&waited, &info, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      out->interrupted = 1;
      atomic_store(&sh->stop, 1);
    }
    for (int i = 0; i < p->n_jobs; i++) {
      int status;
      if (ws[i].pid == 0 || waitpid(ws[i].pid, &status, WNOHANG) != ws[i].pid)
        continue;
      n_alive--;
      int again = on_death(p, sh, i, &ws[i], status, out);
      if (again < 0) {
        rc = -1;
        atomic_store(&sh->stop, 1);
      } else if (again) {
        ws[i].pid = spawn(p, sh, i, &child_mask, &ws[i].capture);
        int fork_errno = errno;
        ws[i].last_move_ns = jostle__now_ns();
        if (ws[i].pid > 0) {
          n_alive++;
        } else {
          /* the slot's runs would be lost without a word: end the cell */
          fprintf(stderr, "jostle: cannot fork a worker: %s\n", strerror(fork_errno));
          ws[i].pid = 0;
          rc = -1;
          atomic_store(&sh->stop, 1);
        }
      }
    }
    uint64_t now = jostle__now_ns();
    check_hangs(p, sh, ws, now);
    uint64_t runs, div;
    totals(sh, p->n_jobs, &runs, &div);
    /* Not before the first run: workers that start late (a loaded machine,
     * a short soak batch) would leave a cell with no runs, which reads as
     * clean. */
    if (p->duration_ns && now - start >= p->duration_ns && runs > 0) atomic_store(&sh->stop, 1);
    for (int i = 0; !warned_bind && i < p->n_jobs; i++) {
      if (atomic_load(&jostle__slot_at(sh, i)->bind_failed)) {
        fprintf(stderr, "jostle: cannot bind threads for --pin %s here; "
                        "going on unpinned\n", jostle__pin_name(p->pin));
        warned_bind = 1;
      }
    }
    warned_forks = warned_forks || say_forks(p, sh);
    if (div > 0 && out->first_divergence_ns == 0) out->first_divergence_ns = now - start;
    sample(out, now - start, runs, div, &every, 0);
    if (progress && now - last_progress >= PROGRESS_NS) {
      progress(progress_ctx, runs, div, now - start);
      last_progress = now;
    }
  }
  out->elapsed_ns = jostle__now_ns() - start;
  if (!warned_forks) say_forks(p, sh);
  sigprocmask(SIG_SETMASK, &entry_mask, NULL);
  for (int i = 0; ws && i < p->n_jobs; i++) jostle__capture_close(&ws[i].capture);
  free(ws);

  totals(sh, p->n_jobs, &out->n_runs, &out->n_divergent);
  if (out->n_divergent > 0 && out->first_divergence_ns == 0)
    out->first_divergence_ns = out->elapsed_ns;
  sample(out, out->elapsed_ns, out->n_runs, out->n_divergent, &every, 1);
  if (collect(p, sh, out) != 0 ||
      (done != NULL && record_done(p, sh, pending, n_pending, done) != 0)) {
    fprintf(stderr, "jostle: out of memory\n");
    rc = -1;
  }
  jostle__cell_sort(out);
  munmap(sh, size);
  return rc;
}
