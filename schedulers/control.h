/*
 * control.h: private to jostle. Controlled runs: exactly one scenario
 * thread runs at a time, and at each scheduling point a strategy decides
 * which runnable thread continues ("the baton").
 *
 * A jostle__control is opaque outside the control runtime (baton.c) and its
 * strategies (strategy.h). It belongs to one thread pool and serves its
 * runs one after the other. Thread 0 prepares it before the start barrier
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
 * step-limit; when a table the run needs cannot grow, or the scenario
 * makes a call jostle does not model, a limit. Either way
 * every thread leaves its body by longjmp back into the pool (threads are
 * only ever parked at points, never inside libc), and the pool records the
 * verdict as the run's outcome. A run may create any number of threads and
 * use any number of objects: the tables grow as it does.
 */
#ifndef JOSTLE_CONTROL_H
#define JOSTLE_CONTROL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>

#include "jostle.h"
#include "schedulers/sched.h"

typedef struct jostle__control jostle__control;

typedef enum jostle__object_kind {
  JOSTLE__OBJ_MUTEX, JOSTLE__OBJ_RWLOCK, JOSTLE__OBJ_COND,
  JOSTLE__OBJ_SEM, JOSTLE__OBJ_SPIN,
  JOSTLE__OBJ_THREAD,                /* a created thread, which joiners wait for */
  JOSTLE__OBJ_ONCE, JOSTLE__OBJ_BARRIER,
} jostle__object_kind;

/* A synchronisation object as the model sees it; the wrappers change
 * owner and count, the control the rest. Its address is stable for the
 * run. */
typedef struct jostle__object {
  const void *addr;                  /* the user's object */
  jostle__object_kind kind;
  int id;                            /* order of first use in the run */
  int owner;                         /* mutex, spin, rwlock writer, the thread running
                                        a once's init; -1 none */
  int count;                         /* rwlock readers, semaphore value, threads at a
                                        barrier; thread: its index */
  int round;                         /* barrier: rounds completed */
} jostle__object;

typedef enum jostle__verdict {
  JOSTLE__RUN_OK,
  JOSTLE__RUN_DEADLOCK,
  JOSTLE__RUN_STEP_LIMIT,
  JOSTLE__RUN_LIMIT,                 /* a table of jostle's could not grow, or
                                        a call it does not model */
  JOSTLE__RUN_RACE,                  /* --races: two accesses no edge orders (races.h) */
  JOSTLE__RUN_CRASH,                 /* a program's run died of a signal (the worker
                                        records it: harness/program.h) */
  JOSTLE__RUN_PRINTED,               /* a program's outcome is what it printed
                                        (--outcome: harness/program.h) */
} jostle__verdict;

/* "mutex", "rwlock", "cond", "sem", "spinlock", "thread", "once", "barrier". */
const char *jostle__object_kind_name(jostle__object_kind kind);

/* ---- for the thread pool ---------------------------------------------- */

/* A control for runs of n_pool threads under scheduler `ops` with cfg
 * (both must outlive it); run_state is the run's state of state_size
 * bytes (traces name addresses in it). NULL when out of memory. */
jostle__control *jostle__control_create(const jostle__sched_ops *ops,
                                        const jostle__sched_cfg *cfg, int n_pool,
                                        const void *run_state, size_t state_size);
void jostle__control_destroy(jostle__control *c);

/* Whether hand-offs may spin (every thread has a processor of its own). */
void jostle__control_set_spin(jostle__control *c, int spin);

/* How hand-overs are made. Where it can, the thread handing over switches
 * to the next one itself, in user space (carrier.h); else, and when the
 * environment says JOSTLE_HANDOVER=kernel, it wakes the next one's OS
 * thread through the kernel and sleeps. Both give every run the same
 * schedule. jostle__control_switches: whether c's do;
 * jostle__control_switching: NULL when this process can switch, else why
 * not, in a few words. */
int jostle__control_switches(const jostle__control *c);
const char *jostle__control_switching(void);

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

/* After jostle__control_end: how the run ended, its text ("deadlock
 * (...)", valid until the next run), a hash of every choice it made
 * (equal schedules, equal hashes) and its scheduling points. */
jostle__verdict jostle__control_verdict(const jostle__control *c, const char **text);

/* The verdict of a run that ends where it stands, before
 * jostle__control_end (a program that exits, in its run's own process):
 * the verdict so far, or the run's first race under --races. */
jostle__verdict jostle__control_verdict_now(jostle__control *c, const char **text);
uint64_t jostle__control_schedule_hash(const jostle__control *c);
uint64_t jostle__control_steps(const jostle__control *c);

/* --races: the shadow call stacks of c's runs (calls.h), which each
 * thread's context points to so that the function hooks find them; NULL
 * without --races. */
struct jostle__calls *jostle__control_calls(const jostle__control *c);

/* After jostle__control_end of a run whose verdict is a race: its full
 * report into buf (jostle__race_report), and the steps of its two
 * accesses, the earlier first. */
void jostle__control_race_report(const jostle__control *c, char *buf, size_t size,
                                 uint64_t steps[2]);

/* Scheduling points counted for a watcher in another process: thread i
 * adds to counter i % JOSTLE__STEP_COUNTERS, each alone on its cache line,
 * so that threads handing the baton on do not also hand a line to and fro. */
#define JOSTLE__STEP_COUNTERS 64
typedef struct jostle__step_counter {
  _Alignas(64) _Atomic uint64_t n;
} jostle__step_counter;

/* From now on every scheduling point adds one to the calling thread's
 * counter of the JOSTLE__STEP_COUNTERS at `counters` (relaxed stores);
 * NULL stops. */
void jostle__control_count_steps(jostle__control *c, jostle__step_counter *counters);

/* Calibration (ops->calibrate): jostle__control_calibrating(c, 1) before
 * a run that measures, (c, 0) after it. That run is neither traced nor
 * recorded, and its steps become jostle__control_calibration(c). */
void jostle__control_calibrating(jostle__control *c, int on);

/* Sets jostle__control_calibration(c) to `steps` (at least 1) without a
 * run: a measure taken by another process of the campaign. */
void jostle__control_set_calibration(jostle__control *c, uint64_t steps);

/* ---- for scheduling points and the wrappers ----------------------------- */

/* The scheduling point of a controlled scheduler (sched_ops.point). */
void jostle__control_point(jostle__thread *t, const jostle__point *p);

/* An access of thread t to its own stack, which is no scheduling point:
 * seen by --races only. */
void jostle__control_own_access(jostle__thread *t, jostle__point_access access,
                                const void *addr, const void *pc);

/* The control of the calling thread's run, or NULL when uncontrolled. */
jostle__control *jostle__control_of_self(int *index);

/* Holding the baton: the model of the object at addr (made at first use
 * with count `initial`). Ends the run with a limit when the table cannot
 * grow. */
jostle__object *jostle__control_object(jostle__control *c, const void *addr,
                                       jostle__object_kind kind, int initial);

/* Blocks the calling thread on o (optionally a timed wait) until another
 * thread wakes it, passing the baton on. Returns 1 when a timed wait
 * timed out (nothing else could run), else 0. */
int jostle__control_block(jostle__control *c, int index, const jostle__object *o,
                          int timed);

/* The run's virtual time, in ns from the start of the run, which its
 * clocks read (sync_wrap.c): every run starts at 0; sleeps and timed waits
 * that time out move it on to their end; each reading moves it on by
 * 1 us, so that a wait on the clock alone ends. Holding the baton. */
uint64_t jostle__control_time(jostle__control *c);
void jostle__control_time_reach(jostle__control *c, uint64_t ns);

/* Whether a thread other than `index` can run now: a wait that only
 * another thread or the world outside can end (a read of an empty pipe)
 * yields while one can, and waits for real once none can. */
int jostle__control_others_runnable(const jostle__control *c, int index);

/* A program's alarm in virtual time: SIGALRM is raised in the thread that
 * moves the run's time to `at` ns or past it (0: no alarm). Returns the
 * time of the alarm it replaces (0: none). */
uint64_t jostle__control_alarm(jostle__control *c, uint64_t at);

/* Makes every thread blocked on o runnable again (they re-check). */
void jostle__control_wake_all(jostle__control *c, const jostle__object *o);

/* Makes one thread blocked on o runnable (the strategy's choice); returns
 * 0 when none waited. */
int jostle__control_wake_one(jostle__control *c, const jostle__object *o);

/* Thread `index` took the object at addr (a lock, a semaphore's count) or
 * let it go (unlock, post): happens-before edges for --races. */
void jostle__control_acquired(jostle__control *c, int index, const void *addr);
void jostle__control_released(jostle__control *c, int index, const void *addr);

/* An atomic_thread_fence of memory order `order` by the calling thread,
 * for --races; nothing outside a controlled run. */
void jostle__control_fence_of_self(int order);

/* A call that jostle does not model (`why` NULL: pthread_barrier_wait,
 * C11 mtx_lock, ...), or a use of a modelled call that the model cannot
 * follow (`why`: "without holding its mutex"), by thread `index` holding
 * the baton. Ends the run at once with a limit whose text is
 * "unsupported: CALL (not modelled under controlled schedulers)", or
 * "unsupported: CALL WHY": jostle's limit, never a hang, a deadlock that
 * is not one, or a crash. call and why are copied. */
_Noreturn void jostle__control_unsupported(jostle__control *c, int index, const char *call,
                                           const char *why);

/* The process's end, by thread `index` holding the baton (a served
 * program's exit, when its runs share a process): every thread of the run
 * leaves now, as after a verdict, but the verdict stays what it is (a race
 * found so far is still judged at the end). */
_Noreturn void jostle__control_halt(jostle__control *c, int index);

/* pthread_create inside a controlled run: a new thread of the run, which
 * runs fn(arg) on a real thread (started with `create`, the C library's
 * pthread_create) only when it holds the baton. Returns 0 with *tid set,
 * or an error number. */
int jostle__control_spawn(jostle__control *c, pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg,
                          int (*create)(pthread_t *, const pthread_attr_t *,
                                        void *(*)(void *), void *),
                          int (*join)(pthread_t, void **));

/* pthread_join inside a controlled run, by thread `index`: waits in the
 * model for the created thread tid to finish, then joins it. Returns 0,
 * ESRCH when tid is not a thread of this run that is still to be joined,
 * or EINVAL when it was detached. */
int jostle__control_join(jostle__control *c, int index, pthread_t tid, void **result);

/* pthread_detach inside a controlled run: tid is no longer joinable in the
 * model; its real thread stays joinable, and the run's end joins it.
 * Returns 0, ESRCH as join does, or EINVAL when it was detached already. */
int jostle__control_detach(jostle__control *c, pthread_t tid);

/* Whether thread `index` is one the run created (not one of the pool's:
 * a scenario's thread body, a program's main), which may pthread_exit. */
int jostle__control_is_created(const jostle__control *c, int index);

/* What pthread_exit does in a pool's thread of a controlled run: NULL, the
 * run ends there (unsupported); a program's main runs there, and
 * harness/program.c ends main as pthread_exit would (it does not return). */
extern void (*jostle__pool_thread_exit)(void);

/* Thread `index` waits in the model until every thread the run created is
 * done (a program's main that called pthread_exit). */
void jostle__control_await_created(jostle__control *c, int index);

#endif
