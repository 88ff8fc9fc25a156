/*
 * control.h: private to jostle. Controlled runs: exactly one scenario
 * thread runs at a time, and at each scheduling point a strategy decides
 * which runnable thread continues ("the baton").
 *
 * A jostle__control belongs to one thread pool and serves its runs one
 * after the other. Thread 0 prepares it before the start barrier
 * (jostle__control_begin); every thread then enters (waits for its turn),
 * runs its body with points handing the baton on, and exits; thread 0 reads
 * the verdict after the end barrier. Only the thread holding the baton
 * touches the control's state; the hand-off (a release store of `turn`,
 * acquired by the thread that waits for it) orders everything else.
 *
 * Blocking: the synchronisation wrappers (sync_wrap.c) model mutexes,
 * rwlocks, condition variables, semaphores and spinlocks here instead of
 * calling the real ones, so the control knows which thread waits for what.
 * When no thread can run, the run is a deadlock; past the step limit, a
 * step-limit. Either way every thread leaves its body by longjmp back into
 * the pool (threads are only ever parked at points, never inside libc),
 * and the pool records the verdict as the run's outcome.
 */
#ifndef JOSTLE_CONTROL_H
#define JOSTLE_CONTROL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>

#include "jostle.h"
#include "schedulers/sched.h"

#define JOSTLE__MAX_OBJECTS 64       /* sync objects one run may use */
#define JOSTLE__VERDICT_MAX 192
#define JOSTLE__ACCESS_SLOTS 256     /* feedback: addresses remembered per run */

typedef enum jostle__thread_state {
  JOSTLE__RUNNABLE,
  JOSTLE__BLOCKED,                   /* waits for `waits_on` */
  JOSTLE__DONE,
} jostle__thread_state;

typedef enum jostle__object_kind {
  JOSTLE__OBJ_MUTEX, JOSTLE__OBJ_RWLOCK, JOSTLE__OBJ_COND,
  JOSTLE__OBJ_SEM, JOSTLE__OBJ_SPIN,
  JOSTLE__OBJ_THREAD,                /* a created thread, which joiners wait for */
} jostle__object_kind;

/* A synchronisation object as the model sees it. */
typedef struct jostle__object {
  const void *addr;                  /* the user's object */
  jostle__object_kind kind;
  int id;                            /* order of first use in the run */
  int owner;                         /* mutex, spin, rwlock writer; -1 none */
  int count;                         /* rwlock readers, semaphore value; thread:
                                        its index */
} jostle__object;

/* feedback: the last access to an address (a hashed slot), see feedback.h. */
typedef struct jostle__access {
  const void *addr;
  const void *pc;
  int thread;
  int wrote;
} jostle__access;

typedef enum jostle__verdict {
  JOSTLE__RUN_OK,
  JOSTLE__RUN_DEADLOCK,
  JOSTLE__RUN_STEP_LIMIT,
} jostle__verdict;

typedef struct jostle__control {
  _Alignas(64) _Atomic uint32_t turn;      /* the thread holding the baton */
  _Atomic uint32_t sleeping[JOSTLE_MAX_THREADS]; /* waits in futex_wait */
  _Alignas(64) _Atomic int aborting;       /* every thread must leave */
  int active;                        /* between begin and the last exit */
  int n_pool;                        /* the pool's threads, 0 .. n_pool-1 */
  int n_threads;                     /* and those the run created after them */
  int spin;                          /* 1: hand-offs may spin */
  uint32_t spin_budget[JOSTLE_MAX_THREADS]; /* each thread's own, adaptive */
  const jostle__sched_ops *ops;
  const jostle__sched_cfg *cfg;
  uint64_t rng;                      /* the choices, under a seed */
  uint64_t replay_pos;               /* the next decision of cfg->replay */
  const void *run_state;             /* the run's state, for traces */
  size_t run_state_size;
  uint64_t n_steps, step_limit;
  jostle__thread_state state[JOSTLE_MAX_THREADS];
  const jostle__object *waits_on[JOSTLE_MAX_THREADS];
  int timed[JOSTLE_MAX_THREADS];     /* blocked in a timed wait */
  int timed_out[JOSTLE_MAX_THREADS];
  jmp_buf *escape[JOSTLE_MAX_THREADS];
  /* strategy state */
  int priority[JOSTLE_MAX_THREADS];  /* pct: higher runs first */
  uint64_t change_at[JOSTLE_MAX_THREADS]; /* pct: steps that lower priority */
  int n_changes;
  int low_water;                     /* pct: the lowest priority given */
  uint64_t k_estimate;               /* pct: steps of a typical run */
  int n_objects;
  jostle__object objects[JOSTLE__MAX_OBJECTS];
  /* Threads the run's bodies created (pthread_create): n_pool .. n_threads-1.
   * Each runs spawn_fn(spawn_arg) on a real thread, under the control. */
  jostle__thread spawned[JOSTLE_MAX_THREADS];
  void *(*spawn_fn[JOSTLE_MAX_THREADS])(void *);
  void *spawn_arg[JOSTLE_MAX_THREADS];
  pthread_t spawn_tid[JOSTLE_MAX_THREADS];
  int reaped[JOSTLE_MAX_THREADS];    /* its real thread was joined */
  jostle__access accesses[JOSTLE__ACCESS_SLOTS]; /* feedback, when enabled */
  uint32_t n_conflicts;              /* feedback: pairs met this run */
  int (*reap)(pthread_t, void **);   /* the C library's pthread_join */
  jostle__verdict verdict;
  char verdict_text[JOSTLE__VERDICT_MAX];
  uint64_t schedule_hash;            /* FNV over every choice made */
} jostle__control;

/* "mutex", "rwlock", "cond", "sem", "spinlock". */
const char *jostle__object_kind_name(jostle__object_kind kind);

/* Thread 0, before the start barrier: resets c for a run with `seed`. */
void jostle__control_begin(jostle__control *c, uint64_t seed);

/* Each thread, after the start barrier: waits for the baton. `escape` is
 * where the thread lands if the run is abandoned. */
void jostle__control_enter(jostle__control *c, int index, jmp_buf *escape);

/* Each thread, when its body returns (or after it escaped): gives the baton
 * on. */
void jostle__control_exit(jostle__control *c, int index);

/* Thread 0, after the end barrier: waits for the threads the run created,
 * then closes the run, however it ended, so that check, teardown and the
 * next setup run outside the schedule. */
void jostle__control_end(jostle__control *c);

/* The scheduling point of a controlled scheduler (sched_ops.point). */
void jostle__control_point(jostle__thread *t, const jostle__point *p);

/* The control of the calling thread's run, or NULL when uncontrolled. */
jostle__control *jostle__control_of_self(int *index);

/* For the wrappers, holding the baton: the model of the object at addr. */
jostle__object *jostle__control_object(jostle__control *c, const void *addr,
                                       jostle__object_kind kind, int initial);

/* Blocks the calling thread on o (optionally a timed wait) until another
 * thread wakes it, passing the baton on. Returns 1 when a timed wait
 * timed out (nothing else could run), else 0. */
int jostle__control_block(jostle__control *c, int index, const jostle__object *o,
                          int timed);

/* Makes every thread blocked on o runnable again (they re-check). */
void jostle__control_wake_all(jostle__control *c, const jostle__object *o);

/* Makes one thread blocked on o runnable (the strategy's choice); returns
 * 0 when none waited. */
int jostle__control_wake_one(jostle__control *c, const jostle__object *o);

/* For the thread wrappers, holding the baton: adds a runnable thread that
 * will run fn(arg), its context a copy of the creator's; returns its index,
 * or -1 when the run has JOSTLE_MAX_THREADS threads. The caller starts the
 * real thread, which calls jostle__control_enter and _exit like the pool's. */
int jostle__control_spawn(jostle__control *c, void *(*fn)(void *), void *arg);

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
 * run, else the lowest-numbered runnable thread. */
int jostle__control_pick_runnable(jostle__control *c, int current, const jostle__point *p);

extern const jostle__sched_ops jostle__sched_random;
extern const jostle__sched_ops jostle__sched_pct;
extern const jostle__sched_ops jostle__sched_replay;

#endif
