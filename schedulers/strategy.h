/*
 * strategy.h: private to the control runtime (baton.c, trace.c,
 * feedback.c) and the controlled strategies (random.c, pct.c, ...): the
 * inside of a jostle__control (control.h) and what a strategy may ask of it.
 * (tests/check_pos.c sets these fields by hand, to put a strategy before a
 * moment of a run.)
 *
 * Only the thread holding the baton reads or writes these fields, but for
 * `turn`, `aborting`, `arrived` and each seat's `sleeping`, `wake` and
 * `parked`, which waiting threads (and parked OS threads, carrier.c) read
 * (and write, for their own seat) while another holds the baton. The
 * per-thread arrays grow when the run creates threads: only the holder
 * reallocates them, and waiters never touch them; each thread's seat is
 * allocated once and never moves.
 */
#ifndef JOSTLE_STRATEGY_H
#define JOSTLE_STRATEGY_H

#include <stdatomic.h>
#include <sys/types.h>

#include "schedulers/control.h"

#define JOSTLE__VERDICT_MAX 192
#define JOSTLE__ACCESS_SLOTS 256     /* feedback: addresses remembered per run */

typedef enum jostle__thread_state {
  JOSTLE__RUNNABLE,
  JOSTLE__BLOCKED,                   /* waits for `waits_on` */
  JOSTLE__DONE,
} jostle__thread_state;

/* feedback: the last access to an address and its last write (a hashed
 * slot), see feedback.h. */
typedef struct jostle__access {
  const void *addr;
  const void *pc;
  int thread;
  int wrote;
  const void *write_pc;              /* NULL: not written in this run */
  int writer;
} jostle__access;

#define JOSTLE__READ_CHAINS 64       /* feedback: reads-from chains, by thread % 64 */

/* What a waiting thread touches: its own line. */
typedef struct jostle__seat {
  _Alignas(64) _Atomic uint32_t sleeping; /* waits in futex_wait */
  uint32_t spin_budget;              /* adaptive, the thread's own */
  jmp_buf *escape;                   /* where it lands when the run is abandoned */
  /* A thread the run created (pthread_create): its context, what it runs. */
  jostle__thread context;
  void *(*fn)(void *);
  void *arg;
  pthread_t tid;
  int reaped;                        /* its real thread was joined */
  int detached;                      /* detached in the model: not joinable; its real
                                        thread stays joinable, for the run's end */
  /* The switching hand-over (carrier.c), when the control uses it. */
  void *sp;                          /* its saved registers, while it waits */
  void *tcb;                         /* its thread pointer (the FS base) */
  pid_t home;                        /* the OS thread it started on */
  int created;                       /* a thread the run created */
  int wake_after;                    /* taken up: wake this thread's home first */
  _Atomic uint32_t wake;             /* 1: its home takes it up */
  _Atomic uint32_t parked;           /* a created thread has parked */
  struct jostle__control *owner;
  void *park_stack;                  /* where its home waits */
} jostle__seat;

struct jostle__control {
  _Alignas(64) _Atomic uint32_t turn;      /* the thread holding the baton */
  _Alignas(64) _Atomic int aborting;       /* every thread must leave */
  int active;                        /* between begin and the last exit */
  int n_pool;                        /* the pool's threads, 0 .. n_pool-1 */
  int n_threads;                     /* and those the run created after them */
  int capacity;                      /* threads the arrays below hold */
  int n_seats;                       /* seats made: seats[0 .. n_seats-1] */
  int spin;                          /* 1: hand-offs may spin */
  int carried;                       /* hand-offs switch threads (carrier.c) */
  int tid_offset, wrfsbase;          /* carrier.c's facts of this process */
  _Atomic int arrived;               /* carrier.c: pool threads parked this run */
  const jostle__sched_ops *ops;
  const jostle__sched_cfg *cfg;      /* cfg_in, or `quiet` while calibrating */
  const jostle__sched_cfg *cfg_in;
  jostle__sched_cfg quiet;
  uint64_t rng;                      /* the choices, under a seed */
  uint64_t replay_pos;               /* the next decision of cfg->replay */
  const void *run_state;             /* the run's state, for traces */
  size_t run_state_size;
  uint64_t n_steps, step_limit;
  uint64_t time_ns;                  /* the run's virtual time (control.h) */
  uint64_t alarm_ns;                 /* a program's alarm in it, 0: none */
  uint64_t n_counted;                /* the points counted against step_limit */
  int n_done;                        /* threads of the run that are done */
  uint64_t calibration;              /* steps of the calibration run */
  struct jostle__races *races;       /* --races: the run's detector, else NULL */
  struct jostle__calls *calls;       /* --races: shadow call stacks, else NULL */
  int races_failed;                  /* it ran out of memory in this run */
  jostle__step_counter *steps_out;   /* every point adds one, when not NULL */
  /* Per thread of the run, growing with it. */
  jostle__seat **seats;
  jostle__thread_state *state;       /* written through jostle__control_set_state */
  uint64_t *runnable;                /* bit i: state[i] is RUNNABLE */
  uint64_t n_made_runnable;          /* states set RUNNABLE so far: a strategy that
                                        sees it unchanged knows no thread joined the
                                        runnable ones */
  const jostle__object **waits_on;
  jostle__point *pending;            /* the point each thread is parked at */
  unsigned char *timed;              /* blocked in a timed wait */
  unsigned char *timed_out;
  int *scratch;                      /* candidates of a pick */
  unsigned char *strategy_threads;   /* ops->thread_run_size bytes each */
  void *strategy;                    /* ops->run_size bytes */
  void *profile;                     /* ops->profile_size bytes, kept across runs */
  /* The objects of the run, in stable chunks, found by address through an
   * open-addressing index of object numbers + 1 (0: empty). */
  int n_objects;
  int n_chunks;
  jostle__object **chunks;
  int *index;
  size_t index_cap;                  /* a power of two, above twice n_objects */
  jostle__access accesses[JOSTLE__ACCESS_SLOTS]; /* feedback, when enabled */
  uint64_t read_chain[JOSTLE__READ_CHAINS]; /* feedback: what each thread read */
  int (*reap)(pthread_t, void **);   /* the C library's pthread_join */
  jostle__verdict verdict;
  char verdict_text[JOSTLE__VERDICT_MAX];
  uint64_t schedule_hash;            /* FNV over every choice made */
  struct jostle__trace *trace;       /* trace.c's, once a run was traced */
};

/* Sets thread i's state, and keeps the set of runnable threads with it
 * (a point picks among them at the cost of a few words, not of a scan of
 * every thread). */
static inline void jostle__control_set_state(struct jostle__control *c, int i,
                                             jostle__thread_state state) {
  uint64_t bit = (uint64_t)1 << (i & 63);
  if (state == JOSTLE__RUNNABLE) {
    c->runnable[i >> 6] |= bit;
    c->n_made_runnable++;
  } else {
    c->runnable[i >> 6] &= ~bit;
  }
  c->state[i] = state;
}

/* The strategy's state of the run, and of its thread k. */
static inline void *jostle__control_strategy(jostle__control *c) { return c->strategy; }
static inline void *jostle__control_thread_strategy(jostle__control *c, int k) {
  return c->strategy_threads + (size_t)k * c->ops->thread_run_size;
}

/* The point thread k is parked at: the last it reached, which it has not
 * yet passed (for the thread holding the baton, the point it reached last,
 * on which the strategy is deciding), so a strategy can see what every
 * thread will do next (pos). A thread that has reached no point yet is at
 * its start, which touches nothing: a YIELD with no address. A thread that
 * blocked is still at the point that led it to block (its lock, its wait).
 * Set before the strategy is asked; `call` and `expected` are valid while
 * thread k is parked and not done. */
static inline const jostle__point *jostle__control_pending(const jostle__control *c, int k) {
  return &c->pending[k];
}

/* The steps of the calibration run (ops->calibrate), at least 1; 0 in the
 * calibration run itself. */
static inline uint64_t jostle__control_calibration(const jostle__control *c) {
  return c->calibration;
}

/* The strategy's profile (ops->profile_size bytes), which lives as long as
 * the control: filled in the calibration run, read in the others. */
static inline void *jostle__control_profile(jostle__control *c) { return c->profile; }

/* The model of the object at addr, or NULL when the run has not used it. */
jostle__object *jostle__control_find_object(const jostle__control *c, const void *addr);

/* The choice source. Every decision of a run comes from here, so a run is
 * a function of its source: the run's seed (random numbers), or a recorded
 * schedule (cfg->replay), or, for fuzzing, a byte string.
 *
 * jostle__control_choose: a number in [0, n) from the run's seed, for
 * strategies' own draws (pct's priorities). */
uint32_t jostle__control_choose(jostle__control *c, uint32_t n);

/* A pick (sched_ops.pick): the runnable thread the source names, uniform
 * under a seed; under cfg->replay the next recorded decision (and under
 * cfg->input the input's next bits). Where that names a thread that cannot
 * run, or the schedule or input has ended: at a yield, the next runnable
 * thread after `current` (so spin-waits end); else `current` if it can
 * run, else the lowest-numbered runnable thread. Under
 * cfg->spurious_wakeups a thread waiting on a condition variable is a
 * candidate too, and wakes when chosen. A pick is made only when some
 * thread can run: when none can, the run is a deadlock, even if a
 * condition waiter could wake spuriously (a real one need not). */
int jostle__control_pick_runnable(jostle__control *c, int current, const jostle__point *p);

#endif
