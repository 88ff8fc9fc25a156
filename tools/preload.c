/*
 * preload.c: what makes libjostle-preload.so, jostle whole as a library
 * that `jostle run` preloads (LD_PRELOAD) into a dynamically linked
 * program that was not rebuilt with jostle-cc (harness/program.h).
 *
 * A rebuilt program has its calls routed to jostle's wrappers at its link
 * (-Wl,--wrap); here the library interposes them instead: each call NAME
 * of the wrappers' list is defined to go to __wrap_NAME, and __real_NAME,
 * which the wrappers call, is the next definition of NAME (the C
 * library's, the C++ library's), found by dlsym on first use. The
 * program's main is taken from __libc_start_main, and its exits are
 * interposed as jostle-cc wraps them. Nothing else of the program is
 * seen: its loads and stores are no scheduling points, and its data
 * cannot be reset, so every run is a process of its own.
 *
 * x86-64 Linux with the GNU C library.
 */
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "harness/program.h"

/* The definition of `name` after this library's; a process that has none
 * cannot go on. Condition variables: the current version, not the one
 * kept for programs of 2002 that dlsym would give. */
static void *next_definition(const char *name) {
  void *fn = NULL;
  if (strncmp(name, "pthread_cond_", 13) == 0) fn = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2");
  if (fn == NULL) fn = dlsym(RTLD_NEXT, name);
  if (fn == NULL) {
    fprintf(stderr, "jostle: preload: no %s after jostle's in this process\n", name);
    abort();
  }
  return fn;
}

#define NEXT(name, type)                                                     \
  static void *_Atomic next_;                                                \
  void *fn_ = atomic_load_explicit(&next_, memory_order_relaxed);            \
  if (fn_ == NULL) {                                                         \
    fn_ = next_definition(name);                                             \
    atomic_store_explicit(&next_, fn_, memory_order_relaxed);                \
  }                                                                          \
  __typeof__(type) fn = (__typeof__(type))fn_

/* NAME goes to __wrap_NAME; __real_NAME is the next definition of NAME. */
#define FORWARD(ret, name, params, args)                                     \
  ret __wrap_##name params;                                                  \
  ret __real_##name params;                                                  \
  JOSTLE_API ret name params;                                                \
  ret name params { return __wrap_##name args; }                  \
  ret __real_##name params {                                                 \
    NEXT(#name, ret(*) params);                                              \
    return fn args;                                                          \
  }

#define FORWARD_VOID(name, params, args)                                     \
  void __wrap_##name params;                                                 \
  void __real_##name params;                                                 \
  JOSTLE_API void name params;                                               \
  void name params { __wrap_##name args; }                        \
  void __real_##name params {                                                \
    NEXT(#name, void(*) params);                                             \
    fn args;                                                                 \
  }

#define FORWARD_NORETURN(name, params, args)                                 \
  _Noreturn void __wrap_##name params;                                       \
  _Noreturn void __real_##name params;                                       \
  JOSTLE_API _Noreturn void name params { __wrap_##name args; }              \
  _Noreturn void __real_##name params {                                      \
    NEXT(#name, void(*) params);                                             \
    fn args;                                                                 \
    abort();                                                                 \
  }

typedef const struct timespec *deadline;

FORWARD(int, pthread_mutex_lock, (pthread_mutex_t * m), (m))
FORWARD(int, pthread_mutex_trylock, (pthread_mutex_t * m), (m))
FORWARD(int, pthread_mutex_timedlock, (pthread_mutex_t * m, deadline t), (m, t))
FORWARD(int, pthread_mutex_clocklock, (pthread_mutex_t * m, clockid_t c, deadline t), (m, c, t))
FORWARD(int, pthread_mutex_unlock, (pthread_mutex_t * m), (m))
FORWARD(int, pthread_spin_lock, (pthread_spinlock_t * s), (s))
FORWARD(int, pthread_spin_trylock, (pthread_spinlock_t * s), (s))
FORWARD(int, pthread_spin_unlock, (pthread_spinlock_t * s), (s))
FORWARD(int, pthread_rwlock_rdlock, (pthread_rwlock_t * l), (l))
FORWARD(int, pthread_rwlock_tryrdlock, (pthread_rwlock_t * l), (l))
FORWARD(int, pthread_rwlock_wrlock, (pthread_rwlock_t * l), (l))
FORWARD(int, pthread_rwlock_trywrlock, (pthread_rwlock_t * l), (l))
FORWARD(int, pthread_rwlock_unlock, (pthread_rwlock_t * l), (l))
FORWARD(int, pthread_rwlock_timedrdlock, (pthread_rwlock_t * l, deadline t), (l, t))
FORWARD(int, pthread_rwlock_timedwrlock, (pthread_rwlock_t * l, deadline t), (l, t))
FORWARD(int, pthread_rwlock_clockrdlock, (pthread_rwlock_t * l, clockid_t c, deadline t),
        (l, c, t))
FORWARD(int, pthread_rwlock_clockwrlock, (pthread_rwlock_t * l, clockid_t c, deadline t),
        (l, c, t))
FORWARD(int, pthread_cond_wait, (pthread_cond_t * cv, pthread_mutex_t *m), (cv, m))
FORWARD(int, pthread_cond_timedwait, (pthread_cond_t * cv, pthread_mutex_t *m, deadline t),
        (cv, m, t))
FORWARD(int, pthread_cond_clockwait,
        (pthread_cond_t * cv, pthread_mutex_t *m, clockid_t c, deadline t), (cv, m, c, t))
FORWARD(int, pthread_cond_signal, (pthread_cond_t * cv), (cv))
FORWARD(int, pthread_cond_broadcast, (pthread_cond_t * cv), (cv))
FORWARD(int, sem_wait, (sem_t * s), (s))
FORWARD(int, sem_trywait, (sem_t * s), (s))
FORWARD(int, sem_timedwait, (sem_t * s, deadline t), (s, t))
FORWARD(int, sem_post, (sem_t * s), (s))
FORWARD(int, sched_yield, (void), ())
FORWARD(int, usleep, (useconds_t us), (us))
FORWARD(int, nanosleep, (deadline req, struct timespec *rem), (req, rem))
FORWARD(unsigned, sleep, (unsigned seconds), (seconds))
FORWARD(int, clock_nanosleep, (clockid_t c, int flags, deadline req, struct timespec *rem),
        (c, flags, req, rem))
FORWARD(int, thrd_sleep, (deadline req, struct timespec *rem), (req, rem))
FORWARD(int, poll, (struct pollfd * fds, nfds_t n, int timeout), (fds, n, timeout))
FORWARD(ssize_t, read, (int fd, void *buf, size_t size), (fd, buf, size))
FORWARD(ssize_t, write, (int fd, const void *buf, size_t size), (fd, buf, size))
FORWARD(ssize_t, recv, (int fd, void *buf, size_t size, int flags), (fd, buf, size, flags))
FORWARD(ssize_t, send, (int fd, const void *buf, size_t size, int flags), (fd, buf, size, flags))
FORWARD(int, clock_gettime, (clockid_t c, struct timespec *ts), (c, ts))
FORWARD(int, gettimeofday, (struct timeval *restrict tv, void *restrict tz), (tv, tz))
FORWARD(time_t, time, (time_t *t), (t))
FORWARD(int, timespec_get, (struct timespec *ts, int base), (ts, base))
FORWARD_VOID(thrd_yield, (void), ())
FORWARD(int, pthread_create,
        (pthread_t * tid, const pthread_attr_t *attr, void *(*start)(void *), void *arg),
        (tid, attr, start, arg))
FORWARD(int, pthread_join, (pthread_t tid, void **result), (tid, result))
FORWARD(int, pthread_detach, (pthread_t tid), (tid))
FORWARD(int, pthread_once, (pthread_once_t * once, void (*init)(void)), (once, init))
FORWARD_VOID(call_once, (once_flag * once, void (*init)(void)), (once, init))
FORWARD(int, __cxa_guard_acquire, (int64_t * guard), (guard))
FORWARD_VOID(__cxa_guard_release, (int64_t * guard), (guard))
FORWARD_VOID(__cxa_guard_abort, (int64_t * guard), (guard))
FORWARD(int, pthread_barrier_init,
        (pthread_barrier_t * b, const pthread_barrierattr_t *attr, unsigned count),
        (b, attr, count))
FORWARD(int, pthread_barrier_destroy, (pthread_barrier_t * b), (b))
FORWARD(int, pthread_barrier_wait, (pthread_barrier_t * b), (b))
FORWARD(int, mtx_lock, (mtx_t * m), (m))
FORWARD(int, mtx_timedlock, (mtx_t *restrict m, const struct timespec *restrict t), (m, t))
FORWARD(int, mtx_trylock, (mtx_t * m), (m))
FORWARD(int, mtx_unlock, (mtx_t * m), (m))
FORWARD(int, cnd_wait, (cnd_t * cv, mtx_t *m), (cv, m))
FORWARD(int, cnd_timedwait,
        (cnd_t *restrict cv, mtx_t *restrict m, const struct timespec *restrict t), (cv, m, t))
FORWARD(int, cnd_signal, (cnd_t * cv), (cv))
FORWARD(int, cnd_broadcast, (cnd_t * cv), (cv))
FORWARD(int, thrd_create, (thrd_t * tid, thrd_start_t start, void *arg), (tid, start, arg))
FORWARD(int, thrd_join, (thrd_t tid, int *result), (tid, result))
FORWARD(int, thrd_detach, (thrd_t tid), (tid))
FORWARD(int, pthread_cancel, (pthread_t tid), (tid))
FORWARD_NORETURN(pthread_exit, (void *result), (result))
FORWARD_NORETURN(thrd_exit, (int result), (result))

/* syscall(number, ...): its six arguments, as the kernel takes them. */
long __wrap_syscall(long number, ...);
long __real_syscall(long number, ...);

JOSTLE_API long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  return __wrap_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

long __real_syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  NEXT("syscall", long (*)(long, ...));
  return fn(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* ---- the program's exits ------------------------------------------------ */

JOSTLE_API _Noreturn void exit(int status) {
  jostle__program_exiting(status, 1);
  NEXT("exit", void (*)(int));
  fn(status);
  abort();
}

JOSTLE_API _Noreturn void _exit(int status) {
  jostle__program_exiting(status, 0);
  NEXT("_exit", void (*)(int));
  fn(status);
  abort();
}

JOSTLE_API _Noreturn void _Exit(int status) {
  jostle__program_exiting(status, 0);
  NEXT("_Exit", void (*)(int));
  fn(status);
  abort();
}

/* ---- the program's main ------------------------------------------------- */

static jostle__program_main_fn program_main;

/* The program's main, unless jostle started it: then jostle serves it,
 * and the environment its own children get is the one jostle found. */
static int preload_main(int argc, char **argv, char **envp) {
  const char *serve = getenv(JOSTLE__SERVE_ENV);
  if (serve == NULL) return program_main(argc, argv, envp);
  char *mine = strdup(serve);
  unsetenv(JOSTLE__SERVE_ENV);
  const char *was = getenv(JOSTLE__PRELOAD_WAS_ENV);
  if (was != NULL && was[0] != '\0') setenv("LD_PRELOAD", was, 1);
  else unsetenv("LD_PRELOAD");
  unsetenv(JOSTLE__PRELOAD_WAS_ENV);
  if (mine == NULL) return 3;
  jostle__program_image not_rebuilt = {0};
  int status = jostle__program_serve(mine, program_main, &not_rebuilt, argc, argv, envp);
  free(mine);
  return status;
}

typedef int (*start_main_fn)(jostle__program_main_fn main, int argc, char **argv,
                             void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
                             void *stack_end);

JOSTLE_API int __libc_start_main(jostle__program_main_fn main, int argc, char **argv,
                                 void (*init)(void), void (*fini)(void),
                                 void (*rtld_fini)(void), void *stack_end);

int __libc_start_main(jostle__program_main_fn main, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end) {
  program_main = main;
  NEXT("__libc_start_main", start_main_fn);
  return fn(preload_main, argc, argv, init, fini, rtld_fini, stack_end);
}
