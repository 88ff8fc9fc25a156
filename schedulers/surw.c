/*
 * surw.c: the `surw` controlled scheduler, selectively uniform random walk
 * (Zhao et al., "Selectively Uniform Concurrency Testing", ASPLOS 2025).
 *
 * A random walk draws the next thread uniformly at each step, so a thread
 * with few steps left runs its events early far more often than one with
 * many: the interleavings of the events that matter are anything but
 * equally likely, and one that needs a short thread late is rare. surw
 * makes every interleaving of a selected set of events, the interesting
 * ones, equally likely, whatever the other steps of each thread.
 *
 * Which events. The calibration run (a random walk at the fixed seed, see
 * jostle__control_calibration) logs every access and synchronisation call
 * with its thread, address and code location. A code location is
 * interesting when in that run it touched memory that two or more threads
 * used, at least one of them writing (bytes are keyed by the access's
 * first address), or called on a synchronisation object that two or more
 * threads used. Later runs know events by their code location alone:
 * heap addresses move from run to run, code does not. A thread's weight
 * is its count of interesting events in that run, and the counts of the
 * threads it created are added to its own; a thread a later run creates
 * takes its count over from its creator.
 *
 * The walk. At each pick, a thread is drawn uniformly among the runnable
 * ones not held. When its next event (jostle__control_pending) is not
 * interesting it runs. When it is, and no thread is intended yet, an
 * intended thread is drawn with probability proportional to the
 * interesting events each runnable thread has left; the drawn thread runs
 * if it is the intended one, and is held otherwise (and another is drawn).
 * Once the intended thread has made an interesting event, or yields (a
 * spin-wait must end), or cannot run, every held thread is released; so
 * they are when every runnable thread is held. The next interesting event
 * is then that of thread i with probability left_i / sum(left): the
 * uniform distribution over interleavings of the interesting events.
 *
 * A scenario whose calibration run crashed or hung in another process
 * (harness/pool.c makes no run then) has no profile; surw then runs as
 * random does and never refuses it. So it does under --spurious-wakeups,
 * whose extra candidates (condition waiters) the walk does not weigh.
 * Every draw comes from jostle__control_choose and the profile from a
 * fixed seed, so a run is still a function of its seed in any process.
 */
#include <stdlib.h>

#include "common/assert.h"
#include "schedulers/strategy.h"

#define LOG_MAX 16384        /* events of the calibration run logged */
#define PCS_SLOTS 4096       /* the set of interesting code locations */
#define THREADS_MAX 64       /* threads of the calibration run weighed */

typedef struct surw_event {
  const void *pc, *addr;
  int thread;
  int wrote;                 /* a store, a read-modify-write or a sync call */
} surw_event;

typedef struct surw_profile {
  int ready;                 /* calibrated: the walk is selective */
  uint32_t n_log;
  surw_event log[LOG_MAX];
  int parent[THREADS_MAX];   /* the calibration run's creator + 1, 0: a pool thread */
  uint64_t weight[THREADS_MAX]; /* interesting events, with its children's */
  const void *pcs[PCS_SLOTS];   /* interesting code locations (open addressing) */
  int n_pcs;
} surw_profile;

typedef struct surw_run {
  int intended;              /* the thread whose event comes next, or -1 */
} surw_run;

typedef struct surw_thread {
  uint64_t left;             /* interesting events it has left */
  int held;
} surw_thread;

static surw_thread *thread_of(jostle__control *c, int k) {
  return jostle__control_thread_strategy(c, k);
}

static size_t slot_of(const void *key, size_t mask) {
  uint64_t x = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ULL;
  return (size_t)(x >> 32) & mask;
}

static int pc_interesting(const surw_profile *prof, const void *pc) {
  if (pc == NULL) return 0;
  for (size_t i = slot_of(pc, PCS_SLOTS - 1);; i = (i + 1) & (PCS_SLOTS - 1)) {
    if (prof->pcs[i] == pc) return 1;
    if (prof->pcs[i] == NULL) return 0;
  }
}

static void add_pc(surw_profile *prof, const void *pc) {
  if (pc == NULL || prof->n_pcs >= PCS_SLOTS / 2) return; /* full: fewer are selected */
  size_t i = slot_of(pc, PCS_SLOTS - 1);
  while (prof->pcs[i] != NULL && prof->pcs[i] != pc) i = (i + 1) & (PCS_SLOTS - 1);
  if (prof->pcs[i] == NULL) {
    prof->pcs[i] = pc;
    prof->n_pcs++;
  }
}

/* A sync call without a code location is known by its call's name. */
static const void *where(const jostle__point *p) {
  if (p->pc != NULL) return p->pc;
  return p->kind == JOSTLE__POINT_SYNC ? (const void *)p->call : NULL;
}

/* The calibration run: log what current is about to do. */
static void note(jostle__control *c, int current, const jostle__point *p) {
  surw_profile *prof = jostle__control_profile(c);
  if (current < 0 || p == NULL || p->addr == NULL || prof->n_log >= LOG_MAX) return;
  int wrote;
  switch (p->kind) {
  case JOSTLE__POINT_READ: wrote = 0; break;
  case JOSTLE__POINT_WRITE: wrote = 1; break;
  case JOSTLE__POINT_ATOMIC: wrote = jostle__access_op(p->access) != JOSTLE__OP_LOAD; break;
  case JOSTLE__POINT_SYNC: wrote = 1; break;
  default: return;
  }
  prof->log[prof->n_log++] = (surw_event){where(p), p->addr, current, wrote};
}

typedef struct surw_cell {
  const void *addr;
  uint64_t threads;          /* bit (thread mod 64) */
  int wrote;
} surw_cell;

/* After the calibration run: the interesting code locations and weights. */
static void surw_calibrated(jostle__control *c) {
  surw_profile *prof = jostle__control_profile(c);
  size_t cap = 64;
  while (cap < 2 * (size_t)prof->n_log) cap *= 2;
  surw_cell *cells = calloc(cap, sizeof *cells);
  if (cells == NULL) return; /* out of memory: no profile, a random walk */
  for (uint32_t e = 0; e < prof->n_log; e++) {
    const surw_event *ev = &prof->log[e];
    size_t i = slot_of(ev->addr, cap - 1);
    while (cells[i].addr != NULL && cells[i].addr != ev->addr) i = (i + 1) & (cap - 1);
    cells[i].addr = ev->addr;
    cells[i].threads |= (uint64_t)1 << (ev->thread & 63);
    cells[i].wrote |= ev->wrote;
  }
  for (uint32_t e = 0; e < prof->n_log; e++) {
    const surw_event *ev = &prof->log[e];
    size_t i = slot_of(ev->addr, cap - 1);
    while (cells[i].addr != ev->addr) i = (i + 1) & (cap - 1);
    uint64_t t = cells[i].threads;
    if (cells[i].wrote && (t & (t - 1)) != 0) add_pc(prof, ev->pc);
  }
  free(cells);
  for (uint32_t e = 0; e < prof->n_log; e++) {
    const surw_event *ev = &prof->log[e];
    if (ev->thread < THREADS_MAX && pc_interesting(prof, ev->pc)) prof->weight[ev->thread]++;
  }
  /* a creator's index is below its children's */
  for (int k = THREADS_MAX - 1; k > 0; k--)
    if (prof->parent[k] > 0) prof->weight[prof->parent[k] - 1] += prof->weight[k];
  prof->ready = 1;
}

static void surw_run_begin(jostle__control *c) {
  surw_profile *prof = jostle__control_profile(c);
  surw_run *r = jostle__control_strategy(c);
  r->intended = -1;
  if (!prof->ready) return;
  for (int k = 0; k < c->n_threads && k < THREADS_MAX; k++) thread_of(c, k)->left = prof->weight[k];
}

/* (The creator is the holder; c->turn is not, under the switching
 * hand-over, which hands over without it.) */
static void surw_spawned(jostle__control *c, int creator, int k) {
  surw_profile *prof = jostle__control_profile(c);
  if (jostle__control_calibration(c) == 0) {
    if (k < THREADS_MAX && creator < k) prof->parent[k] = creator + 1;
    return;
  }
  if (!prof->ready || creator < 0 || creator >= k) return;
  uint64_t want = k < THREADS_MAX ? prof->weight[k] : 0, *from = &thread_of(c, creator)->left;
  uint64_t take = want < *from ? want : *from;
  thread_of(c, k)->left = take;
  *from -= take;
}

static void release_all(jostle__control *c, surw_run *r) {
  r->intended = -1;
  for (int i = 0; i < c->n_threads; i++) thread_of(c, i)->held = 0;
}

static int next_interesting(jostle__control *c, int k) {
  const jostle__point *p = jostle__control_pending(c, k);
  return p->kind != JOSTLE__POINT_YIELD &&
         pc_interesting(jostle__control_profile(c), where(p));
}

/* A runnable thread drawn with probability proportional to its events
 * left, or -1 when none has any. */
static int draw_intended(jostle__control *c) {
  uint64_t total = 0;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE) total += thread_of(c, i)->left;
  if (total == 0) return -1;
  uint64_t x = total > UINT32_MAX ? (uint64_t)jostle__control_choose(c, UINT32_MAX) * total / UINT32_MAX
                                  : jostle__control_choose(c, (uint32_t)total);
  for (int i = 0; i < c->n_threads; i++) {
    if (c->state[i] != JOSTLE__RUNNABLE) continue;
    uint64_t w = thread_of(c, i)->left;
    if (x < w) return i;
    x -= w;
  }
  JOSTLE_ASSERT(0); /* x < total */
  return -1;
}

static int surw_pick(jostle__control *c, int current, const jostle__point *p) {
  surw_profile *prof = jostle__control_profile(c);
  if (jostle__control_calibration(c) == 0) {
    note(c, current, p);
    return jostle__control_pick_runnable(c, current, p);
  }
  if (!prof->ready || c->cfg->spurious_wakeups) return jostle__control_pick_runnable(c, current, p);
  surw_run *r = jostle__control_strategy(c);
  if (r->intended >= 0 &&
      (c->state[r->intended] != JOSTLE__RUNNABLE ||
       (r->intended == current && p != NULL && p->kind == JOSTLE__POINT_YIELD)))
    release_all(c, r);
  for (;;) {
    int *cands = c->scratch, n = 0;
    for (int i = 0; i < c->n_threads; i++)
      if (c->state[i] == JOSTLE__RUNNABLE && !thread_of(c, i)->held) cands[n++] = i;
    if (n == 0) {
      release_all(c, r);
      continue;
    }
    int t = cands[jostle__control_choose(c, (uint32_t)n)];
    if (!next_interesting(c, t)) return t;
    if (r->intended < 0) r->intended = draw_intended(c);
    if (r->intended < 0 || r->intended == t) {
      surw_thread *s = thread_of(c, t);
      if (s->left > 0) s->left--;
      if (r->intended == t) release_all(c, r);
      return t;
    }
    thread_of(c, t)->held = 1;
  }
}

const jostle__sched_ops jostle__sched_surw = {
    .name = "surw",
    .summary = "controlled: uniform over interleavings of shared-memory events (profiled)",
    .point = jostle__control_point,
    .run_size = sizeof(surw_run),
    .thread_run_size = sizeof(surw_thread),
    .run_begin = surw_run_begin,
    .pick = surw_pick,
    .spawned = surw_spawned,
    .calibrate = 1,
    .profile_size = sizeof(surw_profile),
    .calibrated = surw_calibrated,
};
