/*
 * sync_wrap.c: the synchronisation calls of scenario code, wrapped.
 *
 * Programs with scenarios are linked with -Wl,--wrap=SYMBOL for each call
 * below (see WRAP_SYMS in the Makefile), so the scenario's call to, say,
 * pthread_mutex_lock lands in __wrap_pthread_mutex_lock, and __real_... is
 * the C library's.
 *
 * Uncontrolled runs (free, noise): a scheduling point of kind SYNC, where
 * noise may act, then the real call.
 *
 * Controlled runs: the call is a scheduling point, then it is carried out
 * on jostle's model of the object (control.h), never on the real one: the
 * real object's memory is left as initialised, so setup and check (which
 * run outside the schedule) may use the real calls on it. The model knows
 * who holds what and who waits for what, which is how a deadlock is named.
 * Timed waits time out only when no other thread can run. Condition
 * variables wake spuriously only under cfg->spurious_wakeups, where the
 * waiter is one more candidate of every pick (baton.c). Mutex types are not
 * modelled: every mutex behaves as a default one (relocking it deadlocks).
 * Sleeps and yields are points of kind YIELD and take no time. A thread
 * created inside a controlled run joins the run's schedule: it runs only
 * with the baton, and a join waits for it in the model; the run ends when
 * every created thread is done (joined or not). Detaching is not modelled.
 *
 * These wrappers are in the static library only: the shared library
 * cannot carry them (its __real_ references would stay unresolved), so a
 * program linked with it refuses controlled schedulers.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>

#include "schedulers/control.h"

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
    jostle__point p = {kind, addr, pc, call};
    t->point(t, &p);
  }
  return jostle__control_of_self(me);
}

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
  return 0;
}

static int unlock(jostle__control *c, int me, const void *addr, jostle__object_kind kind) {
  jostle__object *o = jostle__control_object(c, addr, kind, 0);
  if (o->owner != me) return EPERM;
  o->owner = -1;
  jostle__control_wake_all(c, o);
  return 0;
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 0) : __real_pthread_mutex_lock(m);
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? lock(c, me, m, JOSTLE__OBJ_MUTEX, 1, 0) : __real_pthread_mutex_trylock(m);
}

int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 1) : __real_pthread_mutex_timedlock(m, t);
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, m, PC, &me);
  return c ? unlock(c, me, m, JOSTLE__OBJ_MUTEX) : __real_pthread_mutex_unlock(m);
}

int __wrap_pthread_spin_lock(pthread_spinlock_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, (const void *)s, PC, &me);
  return c ? lock(c, me, (const void *)s, JOSTLE__OBJ_SPIN, 0, 0) : __real_pthread_spin_lock(s);
}

int __wrap_pthread_spin_trylock(pthread_spinlock_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, (const void *)s, PC, &me);
  return c ? lock(c, me, (const void *)s, JOSTLE__OBJ_SPIN, 1, 0)
           : __real_pthread_spin_trylock(s);
}

int __wrap_pthread_spin_unlock(pthread_spinlock_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, (const void *)s, PC, &me);
  return c ? unlock(c, me, (const void *)s, JOSTLE__OBJ_SPIN) : __real_pthread_spin_unlock(s);
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
  return 0;
}

static int write_lock(jostle__control *c, int me, const void *l, int try) {
  jostle__object *o = jostle__control_object(c, l, JOSTLE__OBJ_RWLOCK, 0);
  while (o->owner >= 0 || o->count > 0) {
    if (try) return EBUSY;
    jostle__control_block(c, me, o, 0);
  }
  o->owner = me;
  return 0;
}

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  return c ? read_lock(c, me, l, 0) : __real_pthread_rwlock_rdlock(l);
}

int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  return c ? read_lock(c, me, l, 1) : __real_pthread_rwlock_tryrdlock(l);
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  return c ? write_lock(c, me, l, 0) : __real_pthread_rwlock_wrlock(l);
}

int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  return c ? write_lock(c, me, l, 1) : __real_pthread_rwlock_trywrlock(l);
}

int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, l, PC, &me);
  if (c == NULL) return __real_pthread_rwlock_unlock(l);
  jostle__object *o = jostle__control_object(c, l, JOSTLE__OBJ_RWLOCK, 0);
  if (o->owner == me) o->owner = -1;
  else if (o->count > 0) o->count--;
  else return EPERM;
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

/* Releases m, waits to be signalled, takes m again. */
static int cond_wait(jostle__control *c, int me, const void *cv, const void *m, int timed) {
  if (unlock(c, me, m, JOSTLE__OBJ_MUTEX) != 0) return EPERM;
  jostle__object *o = jostle__control_object(c, cv, JOSTLE__OBJ_COND, 0);
  int timed_out = jostle__control_block(c, me, o, timed);
  lock(c, me, m, JOSTLE__OBJ_MUTEX, 0, 0);
  return timed_out ? ETIMEDOUT : 0;
}

int __wrap_pthread_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  return c ? cond_wait(c, me, cv, m, 0) : __real_pthread_cond_wait(cv, m);
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *cv, pthread_mutex_t *m,
                                  const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  return c ? cond_wait(c, me, cv, m, 1) : __real_pthread_cond_timedwait(cv, m, t);
}

int __wrap_pthread_cond_signal(pthread_cond_t *cv) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  if (c == NULL) return __real_pthread_cond_signal(cv);
  jostle__control_wake_one(c, jostle__control_object(c, cv, JOSTLE__OBJ_COND, 0));
  return 0;
}

int __wrap_pthread_cond_broadcast(pthread_cond_t *cv) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, cv, PC, &me);
  if (c == NULL) return __real_pthread_cond_broadcast(cv);
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
  return 0;
}

int __wrap_sem_wait(sem_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  return c ? sem_down(c, me, s, 0, 0) : __real_sem_wait(s);
}

int __wrap_sem_trywait(sem_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  return c ? sem_down(c, me, s, 1, 0) : __real_sem_trywait(s);
}

int __wrap_sem_timedwait(sem_t *s, const struct timespec *t) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  return c ? sem_down(c, me, s, 0, 1) : __real_sem_timedwait(s, t);
}

int __wrap_sem_post(sem_t *s) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, s, PC, &me);
  if (c == NULL) return __real_sem_post(s);
  jostle__object *o = sem_object(c, s);
  o->count++;
  jostle__control_wake_all(c, o);
  return 0;
}

/* ---- yields and sleeps ------------------------------------------------- */

int __real_sched_yield(void);
int __real_usleep(useconds_t us);
int __real_nanosleep(const struct timespec *req, struct timespec *rem);

int __wrap_sched_yield(void);
int __wrap_usleep(useconds_t us);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);

int __wrap_sched_yield(void) {
  int me;
  return enter(JOSTLE__POINT_YIELD, NULL, PC, &me) ? 0 : __real_sched_yield();
}

int __wrap_usleep(useconds_t us) {
  int me;
  return enter(JOSTLE__POINT_YIELD, NULL, PC, &me) ? 0 : __real_usleep(us);
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem) {
  int me;
  return enter(JOSTLE__POINT_YIELD, NULL, PC, &me) ? 0 : __real_nanosleep(req, rem);
}

/* ---- threads created inside a scenario ---------------------------------- */

int __real_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t tid, void **result);

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __wrap_pthread_join(pthread_t tid, void **result);

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c == NULL) return __real_pthread_create(tid, attr, fn, arg);
  return jostle__control_spawn(c, tid, attr, fn, arg, __real_pthread_create,
                               __real_pthread_join);
}

int __wrap_pthread_join(pthread_t tid, void **result) {
  int me;
  jostle__control *c = enter(JOSTLE__POINT_SYNC, NULL, PC, &me);
  if (c == NULL) return __real_pthread_join(tid, result);
  return jostle__control_join(c, me, tid, result);
}
