/*
 * spares.c: the threads a served program creates, kept from run to run
 * (spares.h).
 *
 * Every thread the program made and nobody took back yet has an entry in
 * `used`. A start bumps the entry's `go` word, which the spare waits on;
 * its end sets F_DONE in `flags`. Who takes the thread back is decided by
 * that word alone: the end of a detached thread, the detach of an ended
 * one, or a join. Taken back, a spare waits in `idle` for the next start;
 * a thread that ends for real (pthread_exit, or a real thread made for
 * attributes a spare cannot honour) is joined, or detached when it is the
 * one taking itself back.
 */
#include "schedulers/spares.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpu.h"
#include "common/futex.h"
#include "schedulers/sched.h"

#define F_DONE 1u
#define F_DETACHED 2u
#define F_WAITING 4u     /* a joiner sleeps on `flags` */

typedef struct spare {
  pthread_t tid;
  int real;              /* a thread of its own, ending with its function */
  int dead;              /* ended by pthread_exit */
  int used;              /* started and not taken back (under the lock) */
  void *(*fn)(void *);
  void *arg;
  void *result;
  _Atomic uint32_t go;   /* one more per start */
  _Atomic uint32_t sleeping;
  _Atomic uint32_t flags;
  char *tls;             /* the program's thread-locals as this thread was born */
  char *tls_at;
  size_t tls_size;
  char *zero_at;
  size_t zero_size;
} spare;

int jostle__spares_on;
void (*jostle__spares_tls)(char **data, char **data_end, char **zero, char **zero_end);

static const jostle__thread_calls *calls;
static atomic_flag lock = ATOMIC_FLAG_INIT;
static spare **used, **idle;
static int n_used, cap_used, n_idle, cap_idle;
static _Atomic uint32_t running;
static _Atomic uint32_t awaiting;
static _Thread_local spare *current;

static void take_lock(void) {
  while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire)) jostle__cpu_relax();
}

static void drop_lock(void) { atomic_flag_clear_explicit(&lock, memory_order_release); }

/* Appends s to list (*n of *cap); -1 when out of memory. Under the lock. */
static int push(spare ***list, int *n, int *cap, spare *s) {
  if (*n == *cap) {
    int grown = *cap ? *cap * 2 : 16;
    spare **more = realloc(*list, (size_t)grown * sizeof *more);
    if (more == NULL) return -1;
    *list = more;
    *cap = grown;
  }
  (*list)[(*n)++] = s;
  return 0;
}

/* Waits until *word differs from `seen`. Never spinning: a program's
 * threads are more than the processors as often as not, and a spinning
 * spare takes the processor from the thread it waits for (bench/programs.sh:
 * 4,800 runs/s of bank_fixed with 2,000 polls first, 53,000 with none). */
static void await_change(_Atomic uint32_t *word, _Atomic uint32_t *sleeping, uint32_t seen) {
  while (atomic_load_explicit(word, memory_order_acquire) == seen) {
    atomic_store_explicit(sleeping, 1, memory_order_seq_cst);
    if (atomic_load_explicit(word, memory_order_seq_cst) == seen) jostle__futex_wait(word, seen);
    atomic_store_explicit(sleeping, 0, memory_order_relaxed);
  }
}

static void keep_tls(spare *s) {
  if (jostle__spares_tls == NULL) return;
  char *data, *data_end, *zero, *zero_end;
  jostle__spares_tls(&data, &data_end, &zero, &zero_end);
  s->tls_at = data;
  s->tls_size = (size_t)(data_end - data);
  s->zero_at = zero;
  s->zero_size = (size_t)(zero_end - zero);
  s->tls = s->tls_size ? malloc(s->tls_size) : NULL;
  if (s->tls != NULL) memcpy(s->tls, data, s->tls_size);
  else s->tls_size = 0;
}

static void fresh_tls(const spare *s) {
  if (s->tls_size) memcpy(s->tls_at, s->tls, s->tls_size);
  if (s->zero_size) memset(s->zero_at, 0, s->zero_size);
}

/* The thread of s is no program's thread any more. `self`: called by that
 * thread. */
static void take_back(spare *s, int self) {
  int ends = s->real || s->dead;
  take_lock();
  s->used = 0;
  if (ends) {
    for (int i = 0; i < n_used; i++)
      if (used[i] == s) {
        used[i] = used[--n_used];
        break;
      }
  } else if (push(&idle, &n_idle, &cap_idle, s) != 0) {
    /* no room to keep it: it stays in `used`, unused, and is never started again */
  }
  drop_lock();
  if (!ends) return;
  if (self) calls->detach(pthread_self());
  else calls->join(s->tid, NULL);
  free(s->tls);
  free(s);
}

static void finish(spare *s, void *result) {
  s->result = result;
  if (atomic_fetch_sub_explicit(&running, 1, memory_order_acq_rel) == 1 &&
      atomic_load_explicit(&awaiting, memory_order_seq_cst))
    jostle__futex_wake_all(&running);
  uint32_t old = atomic_fetch_or_explicit(&s->flags, F_DONE, memory_order_acq_rel);
  if (old & F_WAITING) jostle__futex_wake_all(&s->flags);
  if (old & F_DETACHED) take_back(s, 1);
}

/* pthread_exit in a program's thread: its end is the cleanup handler's. */
static void ended(void *arg) {
  spare *s = arg;
  s->dead = 1;
  current = NULL;
  finish(s, s->result);
}

static void *spare_main(void *arg) {
  spare *s = arg;
  keep_tls(s);
  uint32_t seen = 0;
  for (;;) {
    await_change(&s->go, &s->sleeping, seen);
    seen = atomic_load_explicit(&s->go, memory_order_acquire);
    fresh_tls(s);
    jostle__thread_attach(NULL);
    errno = 0;
    current = s;
    void *result;
    pthread_cleanup_push(ended, s);
    result = s->fn(s->arg);
    pthread_cleanup_pop(0);
    current = NULL;
    finish(s, result);
  }
  return NULL;
}

static void *real_main(void *arg) {
  spare *s = arg;
  current = s;
  void *result;
  pthread_cleanup_push(ended, s);
  result = s->fn(s->arg);
  pthread_cleanup_pop(0);
  current = NULL;
  finish(s, result);
  return result;
}

/* Whether attr gives the thread a stack of the program's own
 * (pthread_attr_setstack). glibc keeps the stack's top, NULL until one is
 * given, and reports its base as top - size. */
static int stack_given(const pthread_attr_t *attr) {
  void *base;
  size_t size;
  return pthread_attr_getstack(attr, &base, &size) == 0 && (uintptr_t)base + size != 0;
}

/* Whether attr asks for what a spare has: no stack of its own, none
 * larger than the default. */
static int spare_fits(const pthread_attr_t *attr) {
  if (attr == NULL) return 1;
  if (stack_given(attr)) return 0;
  pthread_attr_t dflt;
  size_t want = 0, have = 0;
  if (pthread_attr_getstacksize(attr, &want) != 0 || pthread_getattr_default_np(&dflt) != 0)
    return 0;
  int ok = pthread_attr_getstacksize(&dflt, &have) == 0 && want <= have;
  pthread_attr_destroy(&dflt);
  return ok;
}

static int detached_by(const pthread_attr_t *attr) {
  int state = PTHREAD_CREATE_JOINABLE;
  if (attr != NULL) pthread_attr_getdetachstate(attr, &state);
  return state == PTHREAD_CREATE_DETACHED;
}

/* A spare to start with `flags`: an idle one, or a new one (not started
 * yet). */
static spare *spare_to_start(uint32_t flags, int *fresh) {
  take_lock();
  spare *s = n_idle ? idle[--n_idle] : NULL;
  if (s != NULL) {
    atomic_store_explicit(&s->flags, flags, memory_order_relaxed);
    s->used = 1;
  }
  drop_lock();
  *fresh = s == NULL;
  return s != NULL ? s : calloc(1, sizeof(spare));
}

int jostle__spare_create(const jostle__thread_calls *real, pthread_t *tid,
                         const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
  calls = real;
  int fresh = 1, own = !spare_fits(attr);
  uint32_t flags = detached_by(attr) ? F_DETACHED : 0;
  spare *s = own ? calloc(1, sizeof(spare)) : spare_to_start(flags, &fresh);
  if (s == NULL) return EAGAIN;
  s->fn = fn;
  s->arg = arg;
  s->result = NULL;
  s->real = own;
  if (fresh) atomic_store_explicit(&s->flags, flags, memory_order_relaxed);
  atomic_fetch_add_explicit(&running, 1, memory_order_relaxed);
  if (fresh) {
    take_lock();
    s->used = 1;
    int full = push(&used, &n_used, &cap_used, s);
    drop_lock();
    /* joinable whatever attr says: the entry decides who takes it back */
    pthread_attr_t mine;
    int with_attr = own && pthread_attr_init(&mine) == 0;
    if (with_attr) {
      void *base;
      size_t size;
      if (stack_given(attr) && pthread_attr_getstack(attr, &base, &size) == 0)
        pthread_attr_setstack(&mine, base, size);
      else if (pthread_attr_getstacksize(attr, &size) == 0)
        pthread_attr_setstacksize(&mine, size);
    }
    atomic_store_explicit(&s->go, 1, memory_order_relaxed); /* started before it runs */
    int rc = full ? EAGAIN
                  : real->create(&s->tid, with_attr ? &mine : NULL, own ? real_main : spare_main, s);
    if (with_attr) pthread_attr_destroy(&mine);
    if (rc != 0) {
      take_lock();
      if (!full) n_used--;
      drop_lock();
      atomic_fetch_sub_explicit(&running, 1, memory_order_relaxed);
      free(s);
      return rc;
    }
  } else {
    atomic_fetch_add_explicit(&s->go, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&s->sleeping, memory_order_seq_cst)) jostle__futex_wake_all(&s->go);
  }
  *tid = s->tid;
  return 0;
}

static spare *find(pthread_t tid) {
  spare *s = NULL;
  take_lock();
  for (int i = 0; i < n_used && s == NULL; i++)
    if (used[i]->used && pthread_equal(used[i]->tid, tid)) s = used[i];
  drop_lock();
  return s;
}

int jostle__spare_join(const jostle__thread_calls *real, pthread_t tid, void **result) {
  spare *s = find(tid);
  if (s == NULL) return real->join(tid, result);
  uint32_t f = atomic_load_explicit(&s->flags, memory_order_acquire);
  if (f & F_DETACHED) return EINVAL;
  if (s == current) return EDEADLK;
  while (!(f & F_DONE)) {
    f = atomic_fetch_or_explicit(&s->flags, F_WAITING, memory_order_acq_rel) | F_WAITING;
    if (!(f & F_DONE)) jostle__futex_wait(&s->flags, f);
    f = atomic_load_explicit(&s->flags, memory_order_acquire);
  }
  if (result != NULL) *result = s->result;
  take_back(s, 0);
  return 0;
}

int jostle__spare_detach(const jostle__thread_calls *real, pthread_t tid) {
  spare *s = find(tid);
  if (s == NULL) return real->detach(tid);
  uint32_t old = atomic_fetch_or_explicit(&s->flags, F_DETACHED, memory_order_acq_rel);
  if (old & F_DETACHED) return EINVAL;
  if (old & F_DONE) take_back(s, 0);
  return 0;
}

void jostle__spare_exiting(void *result) {
  if (current != NULL) current->result = result;
}

int jostle__spares_running(void) {
  return (int)atomic_load_explicit(&running, memory_order_acquire);
}

void jostle__spares_await(void) {
  atomic_store_explicit(&awaiting, 1, memory_order_seq_cst);
  for (uint32_t n; (n = atomic_load_explicit(&running, memory_order_seq_cst)) != 0;)
    jostle__futex_wait(&running, n);
  atomic_store_explicit(&awaiting, 0, memory_order_relaxed);
  (void)jostle__spares_reap();
}

int jostle__spares_reap(void) {
  for (;;) {
    spare *done = NULL;
    take_lock();
    for (int i = 0; i < n_used && done == NULL; i++) {
      spare *s = used[i];
      uint32_t f = atomic_load_explicit(&s->flags, memory_order_acquire);
      if (s->used && (f & (F_DONE | F_DETACHED)) == F_DONE) done = s;
    }
    drop_lock();
    if (done == NULL) break;
    take_back(done, 0);
  }
  return jostle__spares_running();
}
