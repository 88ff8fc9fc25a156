/*
 * program_calls.c: a served program's calls that change its process
 * beyond its own data (program_calls.h). Each jostle__prog_NAME is the
 * program's NAME, renamed by jostle-cc; from here, NAME is the C
 * library's.
 */
#include "harness/program_calls.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "schedulers/control.h"

int jostle__program_calls_sharing;

/* What the run in progress changed. Its calls come from any of its
 * threads, but only while the worker waits for the run's end, which
 * orders them before the reset. */
static struct {
  _Atomic int opened, rand, drand, getopt, timer;
  const char *_Atomic kept;    /* a call whose effect no reset undoes */
} touched;

/* ---- exit handlers: a run's own, run by its exit ---------------------- */

typedef struct handler {
  void (*fn)(void);
  void (*fn_status)(int status, void *arg);
  void (*fn_arg)(void *arg);
  void *arg;
} handler;

static handler *handlers;
static int n_handlers, cap_handlers;
static atomic_flag handlers_lock = ATOMIC_FLAG_INIT;

static int add_handler(handler h) {
  while (atomic_flag_test_and_set_explicit(&handlers_lock, memory_order_acquire)) {}
  int rc = 0;
  if (n_handlers == cap_handlers) {
    int grown = cap_handlers ? cap_handlers * 2 : 32;
    handler *more = realloc(handlers, (size_t)grown * sizeof *more);
    if (more == NULL) rc = -1;
    else {
      handlers = more;
      cap_handlers = grown;
    }
  }
  if (rc == 0) handlers[n_handlers++] = h;
  atomic_flag_clear_explicit(&handlers_lock, memory_order_release);
  return rc;
}

int jostle__prog_atexit(void (*fn)(void));
int jostle__prog_atexit(void (*fn)(void)) {
  if (!jostle__program_calls_sharing) return atexit(fn);
  return add_handler((handler){.fn = fn});
}

int jostle__prog_on_exit(void (*fn)(int, void *), void *arg);
int jostle__prog_on_exit(void (*fn)(int, void *), void *arg) {
  if (!jostle__program_calls_sharing) return on_exit(fn, arg);
  return add_handler((handler){.fn_status = fn, .arg = arg});
}

/* A C++ program's destructors of static objects: those constructed in a
 * run (a function's static) are the run's. */
int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);
int jostle__prog___cxa_atexit(void (*fn)(void *), void *arg, void *dso);
int jostle__prog___cxa_atexit(void (*fn)(void *), void *arg, void *dso) {
  if (!jostle__program_calls_sharing) return __cxa_atexit(fn, arg, dso);
  return add_handler((handler){.fn_arg = fn, .arg = arg});
}

void jostle__program_calls_exit_handlers(int status) {
  /* a handler may register more: they run next, as under exit */
  while (n_handlers > 0) {
    handler h = handlers[--n_handlers];
    if (h.fn) h.fn();
    else if (h.fn_arg) h.fn_arg(h.arg);
    else h.fn_status(status, h.arg);
  }
}

/* ---- signal dispositions: each kept as it was before the run --------- */

static struct sigaction before[NSIG];
static unsigned char changed[NSIG];
static atomic_flag signals_lock = ATOMIC_FLAG_INIT;

static void note_signal(int sig) {
  if (!jostle__program_calls_sharing || sig <= 0 || sig >= NSIG) return;
  while (atomic_flag_test_and_set_explicit(&signals_lock, memory_order_acquire)) {}
  if (!changed[sig] && sigaction(sig, NULL, &before[sig]) == 0) changed[sig] = 1;
  atomic_flag_clear_explicit(&signals_lock, memory_order_release);
}

sighandler_t jostle__prog_signal(int sig, sighandler_t fn);
sighandler_t jostle__prog_signal(int sig, sighandler_t fn) {
  note_signal(sig);
  return signal(sig, fn);
}

int jostle__prog_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int jostle__prog_sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  if (act != NULL) note_signal(sig);
  return sigaction(sig, act, old);
}

/* ---- timers: a run's alarm rings in that run or never ------------------ */

#define NS 1000000000ULL

/* An alarm `ns` from now in a controlled run's virtual time (0: none);
 * the one it replaces, in ns from now (0: none). */
static uint64_t virtual_alarm(jostle__control *c, uint64_t ns) {
  uint64_t now = jostle__control_time(c);
  uint64_t was = jostle__control_alarm(c, ns ? now + ns : 0);
  return was > now ? was - now : 0;
}

/* A real timer the run set, which its reset cancels. */
static void timer_set(void) {
  if (jostle__program_calls_sharing) atomic_store_explicit(&touched.timer, 1, memory_order_relaxed);
}

unsigned jostle__prog_alarm(unsigned seconds);
unsigned jostle__prog_alarm(unsigned seconds) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL) {
    timer_set();
    return alarm(seconds);
  }
  uint64_t left = virtual_alarm(c, (uint64_t)seconds * NS);
  return (unsigned)((left + NS - 1) / NS);
}

useconds_t jostle__prog_ualarm(useconds_t usecs, useconds_t interval);
useconds_t jostle__prog_ualarm(useconds_t usecs, useconds_t interval) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL) {
    timer_set();
    return ualarm(usecs, interval);
  }
  if (interval != 0) jostle__control_unsupported(c, me, "ualarm", "with an interval");
  return (useconds_t)(virtual_alarm(c, (uint64_t)usecs * 1000) / 1000);
}

int jostle__prog_setitimer(int which, const struct itimerval *set, struct itimerval *old);
int jostle__prog_setitimer(int which, const struct itimerval *set, struct itimerval *old) {
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c == NULL) {
    timer_set();
    return setitimer(which, set, old);
  }
  if (which != ITIMER_REAL) jostle__control_unsupported(c, me, "setitimer", "on a CPU-time clock");
  if (set != NULL && (set->it_interval.tv_sec != 0 || set->it_interval.tv_usec != 0))
    jostle__control_unsupported(c, me, "setitimer", "with an interval");
  uint64_t ns = set == NULL ? 0
                            : (uint64_t)set->it_value.tv_sec * NS +
                                  (uint64_t)set->it_value.tv_usec * 1000;
  uint64_t left = set == NULL ? 0 : virtual_alarm(c, ns);
  if (old != NULL)
    *old = (struct itimerval){.it_value = {.tv_sec = (time_t)(left / NS),
                                           .tv_usec = (suseconds_t)(left % NS / 1000)}};
  return 0;
}

/* ---- calls whose effect stays ------------------------------------------ */

static void keeps(const char *call) {
  if (jostle__program_calls_sharing)
    atomic_store_explicit(&touched.kept, call, memory_order_relaxed);
}

int jostle__prog_pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int jostle__prog_pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
  keeps("pthread_key_create");
  return pthread_key_create(key, destructor);
}

#define KEEPS(ret, name, params, args)  \
  ret jostle__prog_##name params;       \
  ret jostle__prog_##name params {      \
    keeps(#name);                       \
    return name args;                   \
  }

KEEPS(int, setenv, (const char *name, const char *value, int overwrite),
      (name, value, overwrite))
KEEPS(int, putenv, (char *text), (text))
KEEPS(int, unsetenv, (const char *name), (name))
KEEPS(int, clearenv, (void), ())
KEEPS(int, chdir, (const char *path), (path))
KEEPS(int, fchdir, (int fd), (fd))

/* ---- rand, drand48 and getopt: their sequences start again ------------ */

#define NOTES(flag, ret, name, params, args)                                      \
  ret jostle__prog_##name params;                                                 \
  ret jostle__prog_##name params {                                                \
    atomic_store_explicit(&touched.flag, 1, memory_order_relaxed);                \
    return name args;                                                             \
  }
#define NOTES_VOID(flag, name, params, args)                                      \
  void jostle__prog_##name params;                                                \
  void jostle__prog_##name params {                                               \
    atomic_store_explicit(&touched.flag, 1, memory_order_relaxed);                \
    name args;                                                                    \
  }

NOTES(rand, int, rand, (void), ())
NOTES(rand, long, random, (void), ())
NOTES_VOID(rand, srand, (unsigned seed), (seed))
NOTES_VOID(rand, srandom, (unsigned seed), (seed))
NOTES(drand, double, drand48, (void), ())
NOTES(drand, long, lrand48, (void), ())
NOTES(drand, long, mrand48, (void), ())
NOTES_VOID(drand, srand48, (long seed), (seed))
NOTES(getopt, int, getopt, (int argc, char *const argv[], const char *opts),
      (argc, argv, opts))
NOTES(getopt, int, getopt_long,
      (int argc, char *const argv[], const char *opts, const struct option *longs, int *at),
      (argc, argv, opts, longs, at))
NOTES(getopt, int, getopt_long_only,
      (int argc, char *const argv[], const char *opts, const struct option *longs, int *at),
      (argc, argv, opts, longs, at))

/* ---- descriptors: the reset checks them when the run opened any -------- */

#define OPENS(ret, name, params, args) NOTES(opened, ret, name, params, args)

/* open's mode comes only with O_CREAT or O_TMPFILE */
static mode_t mode_of(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define OPENS_VARIADIC(name, params, last, args)                                  \
  int jostle__prog_##name params;                                                 \
  int jostle__prog_##name params {                                                \
    va_list ap;                                                                   \
    va_start(ap, last);                                                           \
    mode_t mode = mode_of(flags, ap);                                             \
    va_end(ap);                                                                   \
    atomic_store_explicit(&touched.opened, 1, memory_order_relaxed);              \
    return name args;                                                             \
  }

OPENS_VARIADIC(open, (const char *path, int flags, ...), flags, (path, flags, mode))
OPENS_VARIADIC(open64, (const char *path, int flags, ...), flags, (path, flags, mode))
OPENS_VARIADIC(openat, (int dir, const char *path, int flags, ...), flags,
               (dir, path, flags, mode))
OPENS_VARIADIC(openat64, (int dir, const char *path, int flags, ...), flags,
               (dir, path, flags, mode))
OPENS(int, creat, (const char *path, mode_t mode), (path, mode))
OPENS(int, creat64, (const char *path, mode_t mode), (path, mode))
OPENS(FILE *, fopen, (const char *path, const char *how), (path, how))
OPENS(FILE *, fopen64, (const char *path, const char *how), (path, how))
OPENS(FILE *, fdopen, (int fd, const char *how), (fd, how))
OPENS(FILE *, freopen, (const char *path, const char *how, FILE *f), (path, how, f))
OPENS(FILE *, freopen64, (const char *path, const char *how, FILE *f), (path, how, f))
OPENS(FILE *, tmpfile, (void), ())
OPENS(FILE *, tmpfile64, (void), ())
OPENS(DIR *, opendir, (const char *path), (path))
OPENS(DIR *, fdopendir, (int fd), (fd))
OPENS(FILE *, popen, (const char *command, const char *how), (command, how))
OPENS(int, socket, (int domain, int type, int protocol), (domain, type, protocol))
OPENS(int, socketpair, (int domain, int type, int protocol, int fds[2]),
      (domain, type, protocol, fds))
OPENS(int, accept, (int fd, struct sockaddr *addr, socklen_t *len), (fd, addr, len))
OPENS(int, accept4, (int fd, struct sockaddr *addr, socklen_t *len, int flags),
      (fd, addr, len, flags))
OPENS(int, pipe, (int fds[2]), (fds))
OPENS(int, pipe2, (int fds[2], int flags), (fds, flags))
OPENS(int, dup, (int fd), (fd))
OPENS(int, dup2, (int fd, int to), (fd, to))
OPENS(int, dup3, (int fd, int to, int flags), (fd, to, flags))
OPENS(int, mkstemp, (char *template), (template))
OPENS(int, mkostemp, (char *template, int flags), (template, flags))
OPENS(int, eventfd, (unsigned value, int flags), (value, flags))
OPENS(int, epoll_create, (int size), (size))
OPENS(int, epoll_create1, (int flags), (flags))
OPENS(int, timerfd_create, (int clock, int flags), (clock, flags))
OPENS(int, signalfd, (int fd, const sigset_t *mask, int flags), (fd, mask, flags))
OPENS(int, memfd_create, (const char *name, unsigned flags), (name, flags))
OPENS(int, inotify_init, (void), ())
OPENS(int, inotify_init1, (int flags), (flags))

int jostle__program_calls_opened(void) {
  return atomic_load_explicit(&touched.opened, memory_order_relaxed);
}

/* ---- the reset ----------------------------------------------------------- */

static void fresh_getopt(void) {
  /* optind 0 makes getopt start over; an empty command line leaves it 1 */
  char *none[] = {"", NULL};
  optind = 0;
  (void)getopt(1, none, "");
  opterr = 1;
  optopt = '?';
  optarg = NULL;
}

void jostle__program_calls_start(void) { fresh_getopt(); }

const char *jostle__program_calls_reset(void) {
  n_handlers = 0;
  for (int sig = 1; sig < NSIG; sig++)
    if (changed[sig]) {
      sigaction(sig, &before[sig], NULL);
      changed[sig] = 0;
    }
  if (atomic_exchange_explicit(&touched.rand, 0, memory_order_relaxed))
    srandom(1); /* the sequence of a program that never seeds it */
  if (atomic_exchange_explicit(&touched.drand, 0, memory_order_relaxed)) {
    unsigned short zero[3] = {0, 0, 0};
    seed48(zero); /* drand48's state before its first call */
  }
  if (atomic_exchange_explicit(&touched.getopt, 0, memory_order_relaxed)) fresh_getopt();
  if (atomic_exchange_explicit(&touched.timer, 0, memory_order_relaxed)) {
    static const struct itimerval none;
    setitimer(ITIMER_REAL, &none, NULL);
    setitimer(ITIMER_VIRTUAL, &none, NULL);
    setitimer(ITIMER_PROF, &none, NULL);
  }
  atomic_store_explicit(&touched.opened, 0, memory_order_relaxed);
  return atomic_exchange_explicit(&touched.kept, NULL, memory_order_relaxed);
}
