/*
 * sync_wrap.c: the synchronisation calls, sleeps and clocks of scenario
 * code, wrapped.
 *
 * Programs with scenarios are linked with -Wl,--wrap=SYMBOL for each call
 * below (see WRAP_SYMS in the Makefile), so the scenario's call to, say,
 * pthread_mutex_lock lands in __wrap_pthread_mutex_lock, and __real_... is
 * the C library's.
 *
 * Uncontrolled runs (free, noise): a scheduling point of kind SYNC, where
 * noise may act, then the real call. A pool thread in a campaign also
 * publishes the blocking call it is in and the locks it holds (waits.h),
 * from which the campaign's parent proves a deadlock: a lock is tried
 * first, and only a thread the try turned away is shown waiting.
 *
 * Controlled runs: the call is a scheduling point, then it is carried out
 * on jostle's model of the object (control.h), never on the real one: the
 * real object's memory is left as initialised, so setup and check (which
 * run outside the schedule) may use the real calls on it. The model knows
 * who holds what and who waits for what, which is how a deadlock is named.
 * Timed waits time out only when no other thread can run. Condition
 * variables wake spuriously only under cfg->spurious_wakeups, as a choice
 * of the strategy while another thread can run (baton.c, pct.c), never as
 * the only way on: that is a deadlock. Mutex types are not
 * modelled: every mutex behaves as a default one (relocking it deadlocks).
 * Sleeps and yields are points of kind YIELD and take no real time; the
 * clocks read the run's virtual time, which sleeps and timed-out waits
 * move on (the clocks' section). A thread
 * created inside a controlled run joins the run's schedule: it runs only
 * with the baton, and a join waits for it in the model; the run ends when
 * every created thread is done (joined or not). pthread_once and call_once
 * run the init in the first caller, the others wait for it; a barrier lets
 * its threads go when the count its pthread_barrier_init gave has arrived.
 * C11's <threads.h> mutexes, condition variables and threads are the same
 * models as pthreads'. A detached thread is detached in the model only
 * (the run's end joins every thread it created), and a created thread may
 * pthread_exit. pthread_cancel (the end of this file), pthread_exit from a
 * pool's thread, and a condition wait on a mutex the thread does not
 * hold, end the run with a limit, `unsupported: CALL`.
 *
 * These wrappers are in the static library only: the shared library
 * cannot carry them (its __real_ references would stay unresolved), so a
 * program linked with it refuses controlled schedulers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sched.h>
#include <poll.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "schedulers/control.h"
#include "schedulers/spares.h"
#include "schedulers/waits.h"

/* Referenced with -Wl,-u so that this file is always linked in. */
const int jostle__sync_wrap_linked = 1;

/* The caller's code address and the wrapped call's name, for traces. */
#define PC __builtin_return_address(0), __func__ + sizeof "__wrap_" - 1

/* The scheduling point every wrapped call starts with; returns the run's
 * control when the run is controlled, else NULL. */
static jostle__control *enter(jostle__point_kind kind, const void *addr,
                              const void *pc, const char *call, int *me) {
  jostle__thread *t = jostle__self;
  if (t != NULL && t->point != NULL) {
    jostle__point p = {.kind = kind, .addr = addr, .pc = pc, .call = call};
    t->point(t, &p);
  }
  return jostle__control_of_self(me);
}

/* A controlled timed wait's result rc; one that timed out ends at its
 * deadline t (the clocks' section below). */
static int waited_until(jostle__control *c, const struct timespec *t, int rc);

/* ---- mutexes and spinlocks -------------------------------------------- */

int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_trylock(pthread_mutex_t *m);
int __real_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t);
int __real_pthread_mutex_unlock(pthread_mutex_t *m);
int __real_pthread_spin_lock(pthread_spinlock_t *s);
int __real_pthread_spin_trylock(pthread_spinlock_t *s);
int __real_pthread_spin_unlock(pthread_spinlock_t *s);

int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m);
int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t);
int __wrap_pthread_mutex_unlock(pthread_mutex_t *m);
int __wrap_pthread_spin_lock(pthread_spinlock_t *s);
int __wrap_pthread_spin_trylock(pthread_spinlock_t *s);
int __wrap_pthread_spin_unlock(pthread_spinlock_t *s);

/* Acquires a modelled lock; timed: give up when time would have to pass. */
static int lock(jostle__control *c, int me, const void *addr,
                jostle__object_kind kind, int try, int timed) {
  jostle__object *o = jostle__control_object(c, addr, kind, 0);
  while (o->owner >= 0) {
    if (try) return EBUSY;
    if (jostle__control_block(c, me, o, timed)) return ETIMEDOUT;
  }
  o->owner = me;
  jostle__control_acquired(c, me, addr);
  return 0;
}

/* Wakes one waiter, the strategy's choice: only one can take the lock, and
 * waking them all would make every other one a step to block again, N
 * steps for each unlock that N threads wait for. A thread that takes the
 * lock first (barging) is still possible: the woken one blocks again, and
 * that unlock wakes one in turn. */
static int unlock(jostle__control *c, int me, const void *addr, jostle__object_kind kind) {
  jostle__object *o = jostle__control_object(c, addr, kind, 0);
  if (o->owner != me) return EPERM;
  o->owner = -1;
  jostle__control_released(c, me, addr);
  jostle__control_wake_one(c, o);
  return 0;
}

/* ---- uncontrolled: the real calls, with their waits published --------- */

/* A real lock call (lock, trylock, timedlock or unlock of one kind). */
typedef int (*real_lock_fn)(void *obj);

/* Takes a real lock: tries first, and only when turned away shows the
 * thread waiting for it while the blocking call runs. A relock of an
 * error-checking mutex the thread holds returns at once (EDEADLK), so it
 * is never shown waiting. */
static int real_lock(jostle__waiter *w, void *obj, jostle__object_kind kind, int exclusive,
                     real_lock_fn try_fn, real_lock_fn lock_fn) {
  int rc = try_fn(obj);
  if (rc == 0 || rc != EBUSY) goto taken;
  int errorcheck = kind == JOSTLE__OBJ_MUTEX &&
                   (((pthread_mutex_t *)obj)->__data.__kind & 3) == PTHREAD_MUTEX_ERRORCHECK;
  if (errorcheck && jostle__waits_holds(w, obj)) return lock_fn(obj);
  uint32_t was = jostle__waits_block(w, obj, kind,
                                     exclusive ? JOSTLE__WAITS_LOCK : JOSTLE__WAITS_READ, 0);
  rc = lock_fn(obj);
  jostle__waits_unblock(w, was);
taken:
  if (rc == 0) jostle__waits_hold(w, obj, exclusive);
  return rc;
}

/* A lock taken without waiting (try, timed): listed when taken. */
static int real_take(jostle__waiter *w, int rc, const void *obj, int exclusive) {
  if (rc == 0 && w != NULL) jostle__waits_hold(w, obj, exclusive);
  return rc;
}

/* Unlisted before the real call lets go. */
static int real_unlock(void *obj, real_lock_fn unlock_fn) {
  jostle__waiter *w = jostle__waiter_self();
  if (w != NULL) jostle__waits_release(w, obj);
  return unlock_fn(obj);
}

static int mutex_try(void *m) { return __real_pthread_mutex_trylock(m); }
static int mutex_lock(void *m) { return __real_pthread_mutex_lock(m); }
static int mutex_unlock(void *m) { return __real_pthread_mutex_unlock(m); }
static int spin_try(void *s) { return __real_pthread_spin_trylock(s); }
static int spin_lock(void *s) { return __real_pthread_spin_lock(s); }
static int spin_unlock(void *s) { return __real_pthread_spin_unlock(s); }

int __wrap_pthread_mutex_lock(pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  if (c) return lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 0);
  jostle__waiter *w = jostle__waiter_self();
  if (w == NULL) return __real_pthread_mutex_lock(m);
  return real_lock(w, m, JOSTLE__OBJ_MUTEX, 1, mutex_try, mutex_lock);
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  if (c) return lock(c, me, m, JOSTLE__OBJ_MUTEX, 1, 0);
  return real_take(jostle__waiter_self(), __real_pthread_mutex_trylock(m), m, 1);
}

int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  if (c) return waited_until(c, t, lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 1));
  return real_take(jostle__waiter_self(), __real_pthread_mutex_timedlock(m, t), m, 1);
}

/* pthread_mutex_clocklock: a timed lock on a clock (C++'s timed mutexes). */
int __real_pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *t);
int __wrap_pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *t);
int __wrap_pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  if (c) return waited_until(c, t, lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 1));
  return real_take(jostle__waiter_self(), __real_pthread_mutex_clocklock(m, clock, t), m, 1);
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? unlock(c, me, m, JOSTLE__OBJ_MUTEX) : real_unlock(m, mutex_unlock);
}

int __wrap_pthread_spin_lock(pthread_spinlock_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, (const void *)s, PC, &me);
  if (c) return lock(c, me, (const void *)s, JOSTLE__OBJ_SPIN, 0, 0);
  jostle__waiter *w = jostle__waiter_self();
  if (w == NULL) return __real_pthread_spin_lock(s);
  return real_lock(w, (void *)s, JOSTLE__OBJ_SPIN, 1, spin_try, spin_lock);
}

int __wrap_pthread_spin_trylock(pthread_spinlock_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, (const void *)s, PC, &me);
  if (c) return lock(c, me, (const void *)s, JOSTLE__OBJ_SPIN, 1, 0);
  return real_take(jostle__waiter_self(), __real_pthread_spin_trylock(s), (const void *)s, 1);
}

int __wrap_pthread_spin_unlock(pthread_spinlock_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, (const void *)s, PC, &me);
  return c ? unlock(c, me, (const void *)s, JOSTLE__OBJ_SPIN)
           : real_unlock((void *)s, spin_unlock);
}

/* ---- read-write locks: owner is the writer, count the readers ---------- */

int __real_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_tryrdlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_trywrlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_unlock(pthread_rwlock_t *l);

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l);

static int read_lock(jostle__control *c, int me, const void *l, int try) {
  jostle__object *o = jostle__control_object(c, l, JOSTLE__OBJ_RWLOCK, 0);
  while (o->owner >= 0) {
    if (try) return EBUSY;
    jostle__control_block(c, me, o, 0);
  }
  o->count++;
  jostle__control_acquired(c, me, l);
  return 0;
}

static int write_lock(jostle__control *c, int me, const void *l, int try) {
  jostle__object *o = jostle__control_object(c, l, JOSTLE__OBJ_RWLOCK, 0);
  while (o->owner >= 0 || o->count > 0) {
    if (try) return EBUSY;
    jostle__control_block(c, me, o, 0);
  }
  o->owner = me;
  jostle__control_acquired(c, me, l);
  return 0;
}

static int rw_tryrd(void *l) { return __real_pthread_rwlock_tryrdlock(l); }
static int rw_rd(void *l) { return __real_pthread_rwlock_rdlock(l); }
static int rw_trywr(void *l) { return __real_pthread_rwlock_trywrlock(l); }
static int rw_wr(void *l) { return __real_pthread_rwlock_wrlock(l); }
static int rw_unlock(void *l) { return __real_pthread_rwlock_unlock(l); }

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  if (c) return read_lock(c, me, l, 0);
  jostle__waiter *w = jostle__waiter_self();
  if (w == NULL) return __real_pthread_rwlock_rdlock(l);
  return real_lock(w, l, JOSTLE__OBJ_RWLOCK, 0, rw_tryrd, rw_rd);
}

int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  if (c) return read_lock(c, me, l, 1);
  return real_take(jostle__waiter_self(), __real_pthread_rwlock_tryrdlock(l), l, 0);
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  if (c) return write_lock(c, me, l, 0);
  jostle__waiter *w = jostle__waiter_self();
  if (w == NULL) return __real_pthread_rwlock_wrlock(l);
  return real_lock(w, l, JOSTLE__OBJ_RWLOCK, 1, rw_trywr, rw_wr);
}

int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  if (c) return write_lock(c, me, l, 1);
  return real_take(jostle__waiter_self(), __real_pthread_rwlock_trywrlock(l), l, 1);
}

int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  if (c == NULL) return real_unlock(l, rw_unlock);
  jostle__object *o = jostle__control_object(c, l, JOSTLE__OBJ_RWLOCK, 0);
  if (o->owner == me) o->owner = -1;
  else if (o->count > 0) o->count--;
  else return EPERM;
  jostle__control_released(c, me, l);
  jostle__control_wake_all(c, o);
  return 0;
}

/* ---- condition variables ---------------------------------------------- */

int __real_pthread_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m);
int __real_pthread_cond_timedwait(pthread_cond_t *cv, pthread_mutex_t *m,
                                  const struct timespec *t);
int __real_pthread_cond_signal(pthread_cond_t *cv);
int __real_pthread_cond_broadcast(pthread_cond_t *cv);

int __wrap_pthread_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m);
int __wrap_pthread_cond_timedwait(pthread_cond_t *cv, pthread_mutex_t *m,
                                  const struct timespec *t);
int __wrap_pthread_cond_signal(pthread_cond_t *cv);
int __wrap_pthread_cond_broadcast(pthread_cond_t *cv);

/* Releases m, waits to be signalled, takes m again. Waiting on a mutex
 * the thread does not hold is undefined (the real call's behaviour under
 * `free` is whatever it is): the model cannot follow it, and a silent
 * EPERM would hide it, so the run ends there. */
static int cond_wait(jostle__control *c, int me, const void *cv, const void *m, int timed,
                     const char *call) {
  if (unlock(c, me, m, JOSTLE__OBJ_MUTEX) != 0)
    jostle__control_unsupported(c, me, call, "without holding its mutex");
  jostle__object *o = jostle__control_object(c, cv, JOSTLE__OBJ_COND, 0);
  int timed_out = jostle__control_block(c, me, o, timed);
  lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 0);
  return timed_out ? ETIMEDOUT : 0;
}

/* The real wait: its mutex unlisted while it is let go, and, when the wait
 * has no time limit, shown waiting to be woken since the wake count read
 * before it began. */
static int real_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m, const struct timespec *t) {
  jostle__waiter *w = jostle__waiter_self();
  if (w == NULL)
    return t ? __real_pthread_cond_timedwait(cv, m, t) : __real_pthread_cond_wait(cv, m);
  uint64_t wakes = jostle__waits_wakes();
  jostle__waits_release(w, m);
  int rc;
  if (t == NULL) {
    uint32_t was = jostle__waits_block(w, cv, JOSTLE__OBJ_COND, JOSTLE__WAITS_WAKE, wakes);
    rc = __real_pthread_cond_wait(cv, m);
    jostle__waits_unblock(w, was);
  } else {
    rc = __real_pthread_cond_timedwait(cv, m, t);
  }
  if (rc == 0 || rc == ETIMEDOUT) jostle__waits_hold(w, m, 1);
  return rc;
}

int __wrap_pthread_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  return c ? cond_wait(c, me, cv, m, 0, "pthread_cond_wait") : real_cond_wait(cv, m, NULL);
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *cv, pthread_mutex_t *m,
                                  const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  return c ? waited_until(c, t, cond_wait(c, me, cv, m, 1, "pthread_cond_timedwait"))
           : real_cond_wait(cv, m, t);
}

/* pthread_cond_clockwait: a timed wait on a clock (C++'s wait_for and
 * wait_until). */
int __real_pthread_cond_clockwait(pthread_cond_t *cv, pthread_mutex_t *m, clockid_t clock,
                                  const struct timespec *t);
int __wrap_pthread_cond_clockwait(pthread_cond_t *cv, pthread_mutex_t *m, clockid_t clock,
                                  const struct timespec *t);
int __wrap_pthread_cond_clockwait(pthread_cond_t *cv, pthread_mutex_t *m, clockid_t clock,
                                  const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  if (c) return waited_until(c, t, cond_wait(c, me, cv, m, 1, "pthread_cond_clockwait"));
  jostle__waiter *w = jostle__waiter_self();
  if (w == NULL) return __real_pthread_cond_clockwait(cv, m, clock, t);
  jostle__waits_release(w, m);
  int rc = __real_pthread_cond_clockwait(cv, m, clock, t);
  if (rc == 0 || rc == ETIMEDOUT) jostle__waits_hold(w, m, 1);
  return rc;
}

/* A wake counts after the real call: a wait shown since an earlier count
 * may have ended. */
static int woke(int rc) {
  jostle__waits_woke();
  return rc;
}

int __wrap_pthread_cond_signal(pthread_cond_t *cv) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  if (c == NULL) return woke(__real_pthread_cond_signal(cv));
  jostle__control_wake_one(c, jostle__control_object(c, cv, JOSTLE__OBJ_COND, 0));
  return 0;
}

int __wrap_pthread_cond_broadcast(pthread_cond_t *cv) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  if (c == NULL) return woke(__real_pthread_cond_broadcast(cv));
  jostle__control_wake_all(c, jostle__control_object(c, cv, JOSTLE__OBJ_COND, 0));
  return 0;
}

/* ---- semaphores: count starts at the real semaphore's value ------------ */

int __real_sem_wait(sem_t *s);
int __real_sem_trywait(sem_t *s);
int __real_sem_timedwait(sem_t *s, const struct timespec *t);
int __real_sem_post(sem_t *s);

int __wrap_sem_wait(sem_t *s);
int __wrap_sem_trywait(sem_t *s);
int __wrap_sem_timedwait(sem_t *s, const struct timespec *t);
int __wrap_sem_post(sem_t *s);

static jostle__object *sem_object(jostle__control *c, sem_t *s) {
  int value = 0;
  sem_getvalue(s, &value);
  return jostle__control_object(c, s, JOSTLE__OBJ_SEM, value);
}

static int sem_down(jostle__control *c, int me, sem_t *s, int try, int timed) {
  jostle__object *o = sem_object(c, s);
  while (o->count <= 0) {
    if (try || jostle__control_block(c, me, o, timed)) {
      errno = try ? EAGAIN : ETIMEDOUT;
      return -1;
    }
  }
  o->count--;
  jostle__control_acquired(c, me, s);
  return 0;
}

/* The real wait, shown waiting to be woken only once a try found the
 * semaphore empty, since the wake count read before that try. */
static int real_sem_wait(sem_t *s) {
  jostle__waiter *w = jostle__waiter_self();
  if (w == NULL) return __real_sem_wait(s);
  uint64_t wakes = jostle__waits_wakes();
  if (__real_sem_trywait(s) == 0) return 0;
  if (errno != EAGAIN) return -1;
  uint32_t was = jostle__waits_block(w, s, JOSTLE__OBJ_SEM, JOSTLE__WAITS_WAKE, wakes);
  int rc = __real_sem_wait(s);
  int saved = errno;
  jostle__waits_unblock(w, was);
  errno = saved;
  return rc;
}

int __wrap_sem_wait(sem_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  return c ? sem_down(c, me, s, 0, 0) : real_sem_wait(s);
}

int __wrap_sem_trywait(sem_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  return c ? sem_down(c, me, s, 1, 0) : __real_sem_trywait(s);
}

int __wrap_sem_timedwait(sem_t *s, const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  if (c == NULL) return __real_sem_timedwait(s, t);
  int rc = sem_down(c, me, s, 0, 1);
  if (rc != 0) waited_until(c, t, ETIMEDOUT);
  return rc;
}

int __wrap_sem_post(sem_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  if (c == NULL) return woke(__real_sem_post(s));
  jostle__object *o = sem_object(c, s);
  o->count++;
  jostle__control_released(c, me, s);
  jostle__control_wake_one(c, o); /* one count, one waiter (as unlock) */
  return 0;
}

/* ---- yields and sleeps ------------------------------------------------- */

int __real_sched_yield(void);
int __wrap_sched_yield(void);

int __wrap_sched_yield(void) {
  int me;
  return enter(JOSTLE__POINT_YIELD, NULL, PC, &me) ? 0 : __real_sched_yield();
}

/* ---- clocks and sleeps: a controlled run's virtual time ----------------- */

/* Under a controlled scheduler a run has a time of its own (control.h),
 * which every clock that tells the time of day or the time since a point
 * reads, all alike: 2026-01-01 00:00:00 UTC when the run starts, in every
 * run and every replay. A sleep is a yield that takes no real time and
 * moves the run's time on by its length; a timed wait that times out
 * (only when no other thread can run) moves it on to its deadline. So a
 * program that sleeps a second runs as fast as one that yields and sees a
 * second pass, and a loop that waits for a deadline reaches it. CPU-time
 * clocks stay real. */
#define VIRTUAL_EPOCH_S 1767225600LL
#define NS 1000000000ULL
#define FAR_NS (UINT64_MAX / 4)

int __real_clock_gettime(clockid_t clock, struct timespec *ts);
int __real_gettimeofday(struct timeval *restrict tv, void *restrict tz);
time_t __real_time(time_t *t);
int __real_timespec_get(struct timespec *ts, int base);

int __wrap_clock_gettime(clockid_t clock, struct timespec *ts);
int __wrap_gettimeofday(struct timeval *restrict tv, void *restrict tz);
time_t __wrap_time(time_t *t);
int __wrap_timespec_get(struct timespec *ts, int base);

static int virtual_clock(clockid_t clock) {
  switch (clock) {
  case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC:
  case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME: case CLOCK_TAI:
    return 1;
  default:
    return 0;
  }
}

static struct timespec virtual_now(jostle__control *c) {
  uint64_t ns = jostle__control_time(c);
  return (struct timespec){.tv_sec = (time_t)(VIRTUAL_EPOCH_S + (int64_t)(ns / NS)),
                           .tv_nsec = (long)(ns % NS)};
}

/* The run's time at an absolute time t of a virtual clock. */
static uint64_t virtual_at(const struct timespec *t) {
  if (t == NULL || t->tv_sec < VIRTUAL_EPOCH_S) return 0;
  uint64_t s = (uint64_t)(t->tv_sec - VIRTUAL_EPOCH_S);
  return s >= FAR_NS / NS ? FAR_NS : s * NS + (uint64_t)t->tv_nsec % NS;
}

/* A span of time, 0 for none or a negative one. */
static uint64_t span(const struct timespec *d) {
  if (d == NULL || d->tv_sec < 0) return 0;
  uint64_t s = (uint64_t)d->tv_sec;
  return s >= FAR_NS / NS ? FAR_NS : s * NS + (uint64_t)d->tv_nsec % NS;
}

static int waited_until(jostle__control *c, const struct timespec *t, int rc) {
  if (rc == ETIMEDOUT) jostle__control_time_reach(c, virtual_at(t));
  return rc;
}

int __wrap_clock_gettime(clockid_t clock, struct timespec *ts) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL || ts == NULL || !virtual_clock(clock)) return __real_clock_gettime(clock, ts);
  *ts = virtual_now(c);
  return 0;
}

int __wrap_gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL || tz != NULL) {
    int rc = __real_gettimeofday(tv, tz);
    if (c == NULL || rc != 0) return rc;
  }
  if (tv != NULL) {
    struct timespec now = virtual_now(c);
    *tv = (struct timeval){.tv_sec = now.tv_sec, .tv_usec = now.tv_nsec / 1000};
  }
  return 0;
}

time_t __wrap_time(time_t *t) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL) return __real_time(t);
  time_t now = virtual_now(c).tv_sec;
  if (t != NULL) *t = now;
  return now;
}

int __wrap_timespec_get(struct timespec *ts, int base) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL || base != TIME_UTC || ts == NULL) return __real_timespec_get(ts, base);
  *ts = virtual_now(c);
  return base;
}

int __real_usleep(useconds_t us);
int __real_nanosleep(const struct timespec *req, struct timespec *rem);
unsigned __real_sleep(unsigned seconds);
int __real_clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
                           struct timespec *rem);
int __real_thrd_sleep(const struct timespec *req, struct timespec *rem);

int __wrap_usleep(useconds_t us);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);
unsigned __wrap_sleep(unsigned seconds);
int __wrap_clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
                           struct timespec *rem);
int __wrap_thrd_sleep(const struct timespec *req, struct timespec *rem);

/* A sleep that began now and ends at the run's time `end` (relative: now
 * + the span), as a yield; 1 when the run is controlled (the sleep is
 * done), else 0 (the caller sleeps for real). */
static int slept(uint64_t span_ns, int relative, const void *pc, const char *call) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  uint64_t end = c == NULL ? 0 : relative ? jostle__control_time(c) + span_ns : span_ns;
  c = enter(JOSTLE__POINT_YIELD, NULL, pc, call, &me);
  if (c == NULL) return 0;
  jostle__control_time_reach(c, end);
  return 1;
}

int __wrap_usleep(useconds_t us) {
  return slept((uint64_t)us * 1000, 1, PC) ? 0 : __real_usleep(us);
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem) {
  if (!slept(span(req), 1, PC)) return __real_nanosleep(req, rem);
  if (rem != NULL) *rem = (struct timespec){0, 0};
  return 0;
}

unsigned __wrap_sleep(unsigned seconds) {
  return slept((uint64_t)seconds * NS, 1, PC) ? 0 : __real_sleep(seconds);
}

int __wrap_clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
                           struct timespec *rem) {
  int until = (flags & TIMER_ABSTIME) != 0 && virtual_clock(clock);
  if (!slept(until ? virtual_at(req) : span(req), !until, PC))
    return __real_clock_nanosleep(clock, flags, req, rem);
  if (rem != NULL && !(flags & TIMER_ABSTIME)) *rem = (struct timespec){0, 0};
  return 0;
}

int __wrap_thrd_sleep(const struct timespec *req, struct timespec *rem) {
  if (!slept(span(req), 1, PC)) return __real_thrd_sleep(req, rem);
  if (rem != NULL) *rem = (struct timespec){0, 0};
  return 0;
}

void __real_thrd_yield(void);
void __wrap_thrd_yield(void);

void __wrap_thrd_yield(void) {
  int me;
  if (enter(JOSTLE__POINT_YIELD, NULL, PC, &me) == NULL) __real_thrd_yield();
}

/* ---- descriptors: waits that another thread ends ------------------------ */

/* Under a controlled scheduler only the baton's holder runs, so a read of
 * an empty pipe that another thread of the run will fill, or a write to a
 * full one that another will drain, would wait for ever in the kernel.
 * These calls first ask the kernel whether they would wait (poll, no
 * timeout); while they would, and another thread can run, they yield (a
 * point, as a spin-wait with sched_yield is), then ask again. Once no other
 * thread can run, the wait is for the world outside the run, and the real
 * call waits for it. A descriptor set not to wait (O_NONBLOCK, MSG_DONTWAIT)
 * is left to the real call, which returns at once. A poll with a timeout
 * times out, its timeout passed in the run's time, once no other thread
 * can run or after POLL_YIELDS yields. */
int __real_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
ssize_t __real_read(int fd, void *buf, size_t size);
ssize_t __real_write(int fd, const void *buf, size_t size);
ssize_t __real_recv(int fd, void *buf, size_t size, int flags);
ssize_t __real_send(int fd, const void *buf, size_t size, int flags);

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
ssize_t __wrap_read(int fd, void *buf, size_t size);
ssize_t __wrap_write(int fd, const void *buf, size_t size);
ssize_t __wrap_recv(int fd, void *buf, size_t size, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t size, int flags);

/* A poll with a timeout lets the others run this many times, then times
 * out: a thread that spins until the poll is over must not spin for ever. */
#define POLL_YIELDS 1000

/* Yields while none of fds is ready and another thread can run, at most
 * `most` times (-1: no bound); what the last look said (poll's result). */
static int yield_until_ready(jostle__control *c, int me, struct pollfd *fds, nfds_t n,
                             int most, const void *pc, const char *call) {
  for (int yields = 0;; yields++) {
    int ready = __real_poll(fds, n, 0);
    if (ready != 0 || !jostle__control_others_runnable(c, me) || yields == most) return ready;
    c = enter(JOSTLE__POINT_YIELD, NULL, pc, call, &me);
  }
}

/* The wait of a read or write of fd for `events`; a descriptor that does
 * not wait (O_NONBLOCK) goes on at once. */
static void until_ready(jostle__control *c, int me, int fd, short events, const void *pc,
                        const char *call) {
  struct pollfd p = {.fd = fd, .events = events};
  if (__real_poll(&p, 1, 0) != 0 || (fcntl(fd, F_GETFL) & O_NONBLOCK)) return;
  (void)yield_until_ready(c, me, &p, 1, -1, pc, call);
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout_ms) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL || timeout_ms == 0) return __real_poll(fds, n, timeout_ms);
  int ready = yield_until_ready(c, me, fds, n, timeout_ms > 0 ? POLL_YIELDS : -1, PC);
  if (ready != 0) return ready;
  if (timeout_ms < 0) return __real_poll(fds, n, timeout_ms);
  jostle__control_time_reach(c, jostle__control_time(c) + (uint64_t)timeout_ms * 1000000);
  return 0;
}

ssize_t __wrap_read(int fd, void *buf, size_t size) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c != NULL) until_ready(c, me, fd, POLLIN, PC);
  return __real_read(fd, buf, size);
}

ssize_t __wrap_write(int fd, const void *buf, size_t size) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c != NULL) until_ready(c, me, fd, POLLOUT, PC);
  return __real_write(fd, buf, size);
}

ssize_t __wrap_recv(int fd, void *buf, size_t size, int flags) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c != NULL && !(flags & MSG_DONTWAIT)) until_ready(c, me, fd, POLLIN, PC);
  return __real_recv(fd, buf, size, flags);
}

ssize_t __wrap_send(int fd, const void *buf, size_t size, int flags) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c != NULL && !(flags & MSG_DONTWAIT)) until_ready(c, me, fd, POLLOUT, PC);
  return __real_send(fd, buf, size, flags);
}

/* ---- threads created inside a scenario ---------------------------------- */

int __real_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t tid, void **result);
int __real_pthread_detach(pthread_t tid);

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __wrap_pthread_join(pthread_t tid, void **result);

static const jostle__thread_calls real_calls = {__real_pthread_create, __real_pthread_join,
                                                __real_pthread_detach};

/* A served program's threads, when its runs share a process (spares.h). */
static int spare_create(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *),
                        void *arg) {
  return jostle__spare_create(&real_calls, tid, attr, fn, arg);
}

static int spare_join(pthread_t tid, void **result) {
  return jostle__spare_join(&real_calls, tid, result);
}

/* Under a controlled run: the thread's creation in the model. */
static int spawn(jostle__control *c, pthread_t *tid, const pthread_attr_t *attr,
                 void *(*fn)(void *), void *arg) {
  return jostle__spares_on
             ? jostle__control_spawn(c, tid, attr, fn, arg, spare_create, spare_join)
             : jostle__control_spawn(c, tid, attr, fn, arg, __real_pthread_create,
                                     __real_pthread_join);
}

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c != NULL) return spawn(c, tid, attr, fn, arg);
  return jostle__spares_on ? spare_create(tid, attr, fn, arg)
                           : __real_pthread_create(tid, attr, fn, arg);
}

int __wrap_pthread_join(pthread_t tid, void **result) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c != NULL) return jostle__control_join(c, me, tid, result);
  return jostle__spares_on ? spare_join(tid, result) : __real_pthread_join(tid, result);
}

/* ---- once: the first caller runs the init, the others wait for it ------- */

int __real_pthread_once(pthread_once_t *once, void (*init)(void));
void __real_call_once(once_flag *once, void (*init)(void));

int __wrap_pthread_once(pthread_once_t *once, void (*init)(void));
void __wrap_call_once(once_flag *once, void (*init)(void));

static void no_init(void) {}

/* What the C library leaves in a once object whose init is done, read
 * from one it ran: the model writes it when its init is done, so that the
 * real calls (and later runs, as after a real call) see the init done. */
static int once_done(void) {
  static pthread_once_t probe = PTHREAD_ONCE_INIT;
  static _Atomic int done = -1;
  int v = atomic_load_explicit(&done, memory_order_relaxed);
  if (v < 0) {
    __real_pthread_once(&probe, no_init);
    v = *(volatile int *)&probe;
    atomic_store_explicit(&done, v, memory_order_relaxed);
  }
  return v;
}

static void once(jostle__control *c, int me, pthread_once_t *flag, void (*init)(void)) {
  _Atomic int *state = (_Atomic int *)flag;
  jostle__object *o = jostle__control_object(c, flag, JOSTLE__OBJ_ONCE, 0);
  while (o->owner >= 0) jostle__control_block(c, me, o, 0);
  if (atomic_load_explicit(state, memory_order_relaxed) == once_done()) {
    jostle__control_acquired(c, me, flag);
    return;
  }
  o->owner = me;
  init();
  o->owner = -1;
  atomic_store_explicit(state, once_done(), memory_order_relaxed);
  jostle__control_released(c, me, flag);
  jostle__control_wake_all(c, o);
}

int __wrap_pthread_once(pthread_once_t *flag, void (*init)(void)) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, flag, PC, &me);
  if (c == NULL) return __real_pthread_once(flag, init);
  once(c, me, flag, init);
  return 0;
}

/* glibc's once_flag holds a pthread_once_t, and call_once is pthread_once
 * on it. */
void __wrap_call_once(once_flag *flag, void (*init)(void)) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, flag, PC, &me);
  if (c == NULL) __real_call_once(flag, init);
  else once(c, me, (pthread_once_t *)flag, init);
}

/* ---- a C++ function's static: its first caller constructs it ----------- */

/* The Itanium C++ ABI's guard of a function's static object: its first
 * byte says the object is constructed. Under a controlled run the model
 * says who constructs it and the others wait, as at a once (the C++
 * library's own wait is a futex, which no schedule could follow). The real
 * calls are weak: a C program has none. */
__attribute__((weak)) int __real___cxa_guard_acquire(int64_t *guard);
__attribute__((weak)) void __real___cxa_guard_release(int64_t *guard);
__attribute__((weak)) void __real___cxa_guard_abort(int64_t *guard);

int __wrap___cxa_guard_acquire(int64_t *guard);
void __wrap___cxa_guard_release(int64_t *guard);
void __wrap___cxa_guard_abort(int64_t *guard);

/* The C++ library jostle-cc links is static, and under ThreadSanitizer the
 * program is not instrumented: the runtime sees neither the library's guard
 * nor the program's own inline test of its first byte, which skips the call
 * once the object is constructed. So in that build the first byte stays 0,
 * every use of the static comes here, and byte 1 holds the state (0 none,
 * 1 being constructed, 2 constructed) in atomics the runtime sees. A
 * construction that calls its own function again spins there. */
#if defined(__SANITIZE_THREAD__)
#define GUARD_STATE(guard) ((_Atomic unsigned char *)(guard) + 1)
static int guard_done(int64_t *guard) {
  return atomic_load_explicit(GUARD_STATE(guard), memory_order_acquire) == 2;
}
static void guard_set(int64_t *guard, unsigned char state) {
  atomic_store_explicit(GUARD_STATE(guard), state, memory_order_release);
}
static int guard_acquire_free(int64_t *guard) {
  for (;;) {
    unsigned char s = 0;
    if (atomic_compare_exchange_weak_explicit(GUARD_STATE(guard), &s, 1, memory_order_acquire,
                                              memory_order_acquire))
      return 1;
    if (s == 2) return 0;
    if (s == 1) __real_sched_yield();
  }
}
static void guard_over_free(int64_t *guard, int done, void (*real)(int64_t *)) {
  (void)real;
  guard_set(guard, done ? 2 : 0);
}
#else
static int guard_done(int64_t *guard) {
  return atomic_load_explicit((_Atomic char *)guard, memory_order_acquire) != 0;
}
/* as the C++ library leaves it: its word 1, constructed */
static void guard_set(int64_t *guard, unsigned char state) {
  if (state == 2) atomic_store_explicit((_Atomic int *)guard, 1, memory_order_release);
}
static int guard_acquire_free(int64_t *guard) { return __real___cxa_guard_acquire(guard); }
static void guard_over_free(int64_t *guard, int done, void (*real)(int64_t *)) {
  (void)done;
  real(guard);
}
#endif

int __wrap___cxa_guard_acquire(int64_t *guard) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, guard, PC, &me);
  if (c == NULL) return guard_acquire_free(guard);
  jostle__object *o = jostle__control_object(c, guard, JOSTLE__OBJ_ONCE, 0);
  /* a construction that calls its own function again waits for itself:
   * a deadlock, where the C++ library would throw */
  while (o->owner >= 0) jostle__control_block(c, me, o, 0);
  if (guard_done(guard)) {
    jostle__control_acquired(c, me, guard);
    return 0;
  }
  o->owner = me;
  return 1;
}

/* The construction is over, done (release) or not (abort). */
static void guard_over(int64_t *guard, int done, void (*real)(int64_t *), const void *pc,
                       const char *call) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, guard, pc, call, &me);
  if (c == NULL) {
    guard_over_free(guard, done, real);
    return;
  }
  jostle__object *o = jostle__control_object(c, guard, JOSTLE__OBJ_ONCE, 0);
  o->owner = -1;
  if (done) guard_set(guard, 2);
  jostle__control_released(c, me, guard);
  jostle__control_wake_all(c, o);
}

void __wrap___cxa_guard_release(int64_t *guard) {
  guard_over(guard, 1, __real___cxa_guard_release, PC);
}

void __wrap___cxa_guard_abort(int64_t *guard) {
  guard_over(guard, 0, __real___cxa_guard_abort, PC);
}

/* ---- barriers: counted from their init --------------------------------- */

int __real_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                                unsigned count);
int __real_pthread_barrier_destroy(pthread_barrier_t *b);
int __real_pthread_barrier_wait(pthread_barrier_t *b);

int __wrap_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                                unsigned count);
int __wrap_pthread_barrier_destroy(pthread_barrier_t *b);
int __wrap_pthread_barrier_wait(pthread_barrier_t *b);

/* The count of each barrier initialised and not destroyed, by any thread
 * in or out of a run: only the real object holds it, in the C library's
 * own layout. */
enum { MAX_BARRIERS = 256 };
static struct {
  const void *addr;
  unsigned count;
} barriers[MAX_BARRIERS];
static pthread_mutex_t barriers_lock = PTHREAD_MUTEX_INITIALIZER;

/* b's slot, or a free one (addr NULL), or NULL when full; under the lock. */
static int barrier_slot(const void *b) {
  int free_slot = -1;
  for (int i = 0; i < MAX_BARRIERS; i++) {
    if (barriers[i].addr == b) return i;
    if (barriers[i].addr == NULL && free_slot < 0) free_slot = i;
  }
  return free_slot;
}

int __wrap_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                                unsigned count) {
  int rc = __real_pthread_barrier_init(b, attr, count);
  if (rc != 0) return rc;
  __real_pthread_mutex_lock(&barriers_lock);
  int i = barrier_slot(b);
  if (i >= 0) barriers[i].addr = b, barriers[i].count = count;
  __real_pthread_mutex_unlock(&barriers_lock);
  return 0;
}

int __wrap_pthread_barrier_destroy(pthread_barrier_t *b) {
  __real_pthread_mutex_lock(&barriers_lock);
  int i = barrier_slot(b);
  if (i >= 0 && barriers[i].addr == b) barriers[i].addr = NULL;
  __real_pthread_mutex_unlock(&barriers_lock);
  return __real_pthread_barrier_destroy(b);
}

/* The count of b's init; 0 when jostle did not see it. */
static unsigned barrier_count(const void *b) {
  __real_pthread_mutex_lock(&barriers_lock);
  int i = barrier_slot(b);
  unsigned count = i >= 0 && barriers[i].addr == b ? barriers[i].count : 0;
  __real_pthread_mutex_unlock(&barriers_lock);
  return count;
}

/* Every thread arriving lets its past go; leaving, each takes what all of
 * its round let go. A round's edges go through one of two addresses in the
 * barrier, by the round's parity: a thread that leaves late still takes
 * only its own round's (the next but one cannot begin before it arrives
 * again). */
int __wrap_pthread_barrier_wait(pthread_barrier_t *b) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, b, PC, &me);
  if (c == NULL) return __real_pthread_barrier_wait(b);
  unsigned need = barrier_count(b);
  if (need == 0)
    jostle__control_unsupported(c, me, "pthread_barrier_wait",
                                "on a barrier whose pthread_barrier_init jostle did not see");
  jostle__object *o = jostle__control_object(c, b, JOSTLE__OBJ_BARRIER, 0);
  int round = o->round;
  const char *edges = (const char *)b + (round & 1);
  jostle__control_released(c, me, edges);
  if ((unsigned)++o->count == need) {
    o->count = 0;
    o->round++;
    jostle__control_wake_all(c, o);
    jostle__control_acquired(c, me, edges);
    return PTHREAD_BARRIER_SERIAL_THREAD;
  }
  while (o->round == round) jostle__control_block(c, me, o, 0);
  jostle__control_acquired(c, me, edges);
  return 0;
}

/* ---- C11 <threads.h>: the pthreads models on the same objects ---------- */

int __real_mtx_lock(mtx_t *m);
int __real_mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict t);
int __real_mtx_trylock(mtx_t *m);
int __real_mtx_unlock(mtx_t *m);
int __real_cnd_wait(cnd_t *cv, mtx_t *m);
int __real_cnd_timedwait(cnd_t *restrict cv, mtx_t *restrict m,
                         const struct timespec *restrict t);
int __real_cnd_signal(cnd_t *cv);
int __real_cnd_broadcast(cnd_t *cv);
int __real_thrd_create(thrd_t *tid, thrd_start_t fn, void *arg);
int __real_thrd_join(thrd_t tid, int *result);

int __wrap_mtx_lock(mtx_t *m);
int __wrap_mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict t);
int __wrap_mtx_trylock(mtx_t *m);
int __wrap_mtx_unlock(mtx_t *m);
int __wrap_cnd_wait(cnd_t *cv, mtx_t *m);
int __wrap_cnd_timedwait(cnd_t *restrict cv, mtx_t *restrict m,
                         const struct timespec *restrict t);
int __wrap_cnd_signal(cnd_t *cv);
int __wrap_cnd_broadcast(cnd_t *cv);
int __wrap_thrd_create(thrd_t *tid, thrd_start_t fn, void *arg);
int __wrap_thrd_join(thrd_t tid, int *result);

/* A model's errno-style result as <threads.h> says it. */
static int thrd_result(int rc) {
  return rc == 0 ? thrd_success : rc == EBUSY ? thrd_busy : rc == ETIMEDOUT ? thrd_timedout
                                                                            : thrd_error;
}

int __wrap_mtx_lock(mtx_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? thrd_result(lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 0)) : __real_mtx_lock(m);
}

int __wrap_mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? thrd_result(waited_until(c, t, lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 1)))
           : __real_mtx_timedlock(m, t);
}

int __wrap_mtx_trylock(mtx_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? thrd_result(lock(c, me, m, JOSTLE__OBJ_MUTEX, 1, 0)) : __real_mtx_trylock(m);
}

int __wrap_mtx_unlock(mtx_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? thrd_result(unlock(c, me, m, JOSTLE__OBJ_MUTEX)) : __real_mtx_unlock(m);
}

int __wrap_cnd_wait(cnd_t *cv, mtx_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  return c ? thrd_result(cond_wait(c, me, cv, m, 0, "cnd_wait")) : __real_cnd_wait(cv, m);
}

int __wrap_cnd_timedwait(cnd_t *restrict cv, mtx_t *restrict m,
                         const struct timespec *restrict t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  return c ? thrd_result(waited_until(c, t, cond_wait(c, me, cv, m, 1, "cnd_timedwait")))
           : __real_cnd_timedwait(cv, m, t);
}

int __wrap_cnd_signal(cnd_t *cv) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  if (c == NULL) return __real_cnd_signal(cv);
  jostle__control_wake_one(c, jostle__control_object(c, cv, JOSTLE__OBJ_COND, 0));
  return thrd_success;
}

int __wrap_cnd_broadcast(cnd_t *cv) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  if (c == NULL) return __real_cnd_broadcast(cv);
  jostle__control_wake_all(c, jostle__control_object(c, cv, JOSTLE__OBJ_COND, 0));
  return thrd_success;
}

/* A C11 thread's start: its function and argument, on the heap until it
 * starts; its int result is the pthread's. */
typedef struct c11_start {
  thrd_start_t fn;
  void *arg;
} c11_start;

static void *c11_main(void *p) {
  c11_start s = *(c11_start *)p;
  free(p);
  return (void *)(intptr_t)s.fn(s.arg);
}

int __wrap_thrd_create(thrd_t *tid, thrd_start_t fn, void *arg) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c == NULL && !jostle__spares_on) return __real_thrd_create(tid, fn, arg);
  c11_start *s = malloc(sizeof *s);
  if (s == NULL) return thrd_nomem;
  *s = (c11_start){fn, arg};
  pthread_t t;
  int rc = c != NULL ? spawn(c, &t, NULL, c11_main, s) : spare_create(&t, NULL, c11_main, s);
  if (rc != 0) {
    free(s);
    return rc == ENOMEM || rc == EAGAIN ? thrd_nomem : thrd_error;
  }
  *tid = (thrd_t)t;
  return thrd_success;
}

int __wrap_thrd_join(thrd_t tid, int *result) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c == NULL && !jostle__spares_on) return __real_thrd_join(tid, result);
  void *r = NULL;
  int rc = c != NULL ? jostle__control_join(c, me, (pthread_t)tid, &r)
                     : spare_join((pthread_t)tid, &r);
  if (rc == 0 && result != NULL) *result = (int)(intptr_t)r;
  return thrd_result(rc);
}

/* ---- detach and exit, for the threads a run created -------------------- */

_Noreturn void __real_pthread_exit(void *result);
int __real_thrd_detach(thrd_t tid);
_Noreturn void __real_thrd_exit(int result);

int __wrap_pthread_detach(pthread_t tid);
_Noreturn void __wrap_pthread_exit(void *result);
int __wrap_thrd_detach(thrd_t tid);
_Noreturn void __wrap_thrd_exit(int result);

int __wrap_pthread_detach(pthread_t tid) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c != NULL) return jostle__control_detach(c, tid);
  return jostle__spares_on ? jostle__spare_detach(&real_calls, tid) : __real_pthread_detach(tid);
}

int __wrap_thrd_detach(thrd_t tid) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c != NULL) return thrd_result(jostle__control_detach(c, (pthread_t)tid));
  return jostle__spares_on ? thrd_result(jostle__spare_detach(&real_calls, (pthread_t)tid))
                           : __real_thrd_detach(tid);
}

/* A created thread ends as a real one does, its cleanup handlers first
 * (baton.c, spawned_main); a spare keeps its result for a join. A pool's
 * thread would leave the pool's own loop: a program's main ends as
 * pthread_exit ends it (harness/program.c), under a controlled run or when
 * its runs share a process, and a scenario's thread body ends the run
 * there. */
#define EXIT_CREATED_ONLY()                                                          \
  do {                                                                               \
    int me_;                                                                         \
    jostle__control *c_ = jostle__control_of_self(&me_);                             \
    if (c_ != NULL && !jostle__control_is_created(c_, me_) &&                        \
        jostle__pool_thread_exit == NULL)                                            \
      jostle__control_unsupported(c_, me_, __func__ + sizeof "__wrap_" - 1,          \
                                  "from a thread the run did not create");           \
    enter(JOSTLE__POINT_SYNC, NULL, PC, &me_);                                       \
    if (c_ != NULL && !jostle__control_is_created(c_, me_)) jostle__pool_thread_exit(); \
    if (c_ == NULL && jostle__spares_on && jostle__self != NULL &&                   \
        jostle__pool_thread_exit != NULL)                                            \
      jostle__pool_thread_exit();                                                    \
  } while (0)

_Noreturn void __wrap_pthread_exit(void *result) {
  EXIT_CREATED_ONLY();
  jostle__spare_exiting(result);
  __real_pthread_exit(result);
}

_Noreturn void __wrap_thrd_exit(int result) {
  EXIT_CREATED_ONLY();
  jostle__spare_exiting((void *)(intptr_t)result);
  __real_thrd_exit(result);
}

/* ---- calls that are not modelled ----------------------------------------- */

/* Until jostle models it, pthread_cancel ends a controlled run at once with
 * a limit, `unsupported: CALL` (jostle__control_unsupported): carried out
 * on the real thread, it would leave the model waiting for a thread that
 * is gone (a false deadlock). No scheduling point comes first: the run
 * ends at the call, whatever another thread would have done.
 * Uncontrolled runs (and setup, check and teardown of controlled ones):
 * a point of kind SYNC, then the real call, as above. */
#define UNMODELLED(addr)                                                  \
  do {                                                                    \
    int me_;                                                              \
    jostle__control *c_ = jostle__control_of_self(&me_);                  \
    if (c_ != NULL) jostle__control_unsupported(c_, me_, PC_CALL, NULL);  \
    enter(JOSTLE__POINT_SYNC, (addr), PC, &me_);                          \
  } while (0)
#define PC_CALL (__func__ + sizeof "__wrap_" - 1)

/* A raw futex call (syscall(SYS_futex, ...)) waits or wakes outside the
 * model: refused as pthread_cancel is. Other system calls pass. */
long __real_syscall(long number, ...);
long __wrap_syscall(long number, ...);

long __wrap_syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
#if defined(__x86_64__) /* jostle's own futex calls are no syscall() there (common/futex.h) */
  if (number == SYS_futex || number == SYS_futex_waitv) {
    int me;
    jostle__control *c = jostle__control_of_self(&me);
    if (c != NULL) jostle__control_unsupported(c, me, "syscall(SYS_futex)", NULL);
    enter(JOSTLE__POINT_SYNC, (void *)a[0], PC, &me);
  }
#endif
  return __real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Timed read-write locks (C++'s shared_timed_mutex): refused as
 * pthread_cancel is, until the model times them out. */
int __real_pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *t);
int __real_pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *t);
int __real_pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
                                      const struct timespec *t);
int __real_pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
                                      const struct timespec *t);
int __wrap_pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *t);
int __wrap_pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *t);
int __wrap_pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
                                      const struct timespec *t);
int __wrap_pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
                                      const struct timespec *t);

int __wrap_pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *t) {
  UNMODELLED(l);
  return __real_pthread_rwlock_timedrdlock(l, t);
}

int __wrap_pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *t) {
  UNMODELLED(l);
  return __real_pthread_rwlock_timedwrlock(l, t);
}

int __wrap_pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
                                      const struct timespec *t) {
  UNMODELLED(l);
  return __real_pthread_rwlock_clockrdlock(l, clock, t);
}

int __wrap_pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
                                      const struct timespec *t) {
  UNMODELLED(l);
  return __real_pthread_rwlock_clockwrlock(l, clock, t);
}

int __real_pthread_cancel(pthread_t tid);
int __wrap_pthread_cancel(pthread_t tid);

int __wrap_pthread_cancel(pthread_t tid) {
  UNMODELLED(NULL);
  return __real_pthread_cancel(tid);
}
