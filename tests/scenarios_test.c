/*
 * scenarios_test.c: scenarios that exist only to test jostle itself; linked
 * into the test programs and jostle-test, never into jostle.
 *
 * Which runs crash or hang is a pure function of the run's seed, so a test
 * can compute the exact counts a campaign must report.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "jostle.h"
#include "tests/scenarios_test.h"

int jostle_test_crashes(unsigned long long seed) { return seed % 7 == 3; }
int jostle_test_hangs(unsigned long long seed) { return seed % 31 == 5; }

typedef struct { _Atomic int hits; } test_state;

static void crash_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  atomic_fetch_add(&st->hits, 1);
  if (index == 1 && jostle_test_crashes(jostle_seed(r))) raise(SIGSEGV);
}

static void count_check(jostle_run *r) {
  test_state *st = jostle_state(r);
  jostle_observe(r, "hits", atomic_load(&st->hits));
}

JOSTLE_SCENARIO(test_crash) {
    .name = "test-crash",
    .summary = "test only: a thread raises SIGSEGV in runs whose seed % 7 == 3",
    .racy = 1,
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = crash_thread,
    .check = count_check,
};

static void hang_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  atomic_fetch_add(&st->hits, 1);
  if (index == 0 && jostle_test_hangs(jostle_seed(r)))
    for (;;) atomic_fetch_add(&st->hits, 1);
}

JOSTLE_SCENARIO(test_hang) {
    .name = "test-hang",
    .summary = "test only: a thread spins forever in runs whose seed % 31 == 5",
    .racy = 1,
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = hang_thread,
    .check = count_check,
};

static void abort_thread(jostle_run *r, int index) {
  (void)r;
  if (index == 0) abort();
}

JOSTLE_SCENARIO(test_abort) {
    .name = "test-abort",
    .summary = "test only: every run aborts",
    .racy = 1,
    .threads = 2,
    .thread = abort_thread,
    .check = count_check,
};

static void count_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  (void)index;
  atomic_fetch_add(&st->hits, 1);
}

static const char *const two_hits[] = {"hits=2", NULL};

JOSTLE_SCENARIO(test_allowed) {
    .name = "test-allowed",
    .summary = "test only: threads count in; only hits=2 is allowed",
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = count_thread,
    .check = count_check,
    .allowed = two_hits,
};

int jostle_test_many_value(unsigned long long seed) { return (int)(seed % JOSTLE_TEST_MANY); }

/* The outcome is a pure function of the run's seed, whatever the
 * scheduler did: value=V, divergent when V is a multiple of 7. */
static void many_check(jostle_run *r) {
  int v = jostle_test_many_value(jostle_seed(r));
  jostle_observe(r, "value", v);
  if (v % 7 == 0) jostle_fail(r, "a multiple of 7");
}

JOSTLE_SCENARIO(test_many_outcomes) {
    .name = "test-many-outcomes",
    .summary = "test only: value=SEED%3000, divergent when a multiple of 7: more outcomes than "
               "a cell lists",
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = count_thread,
    .check = many_check,
};

/* ---- what stays a thread's own ------------------------------------------- */

/* Each thread, and a thread each creates, keeps its thread-local storage,
 * errno and pthread_self across scheduling points, whichever OS thread
 * runs it after each (a controlled hand-over may switch threads in user
 * space): a run in which one changed counts it. */
typedef struct {
  _Atomic int changed;
} self_state;

static _Thread_local int own_index = -1;

static void keep_self(self_state *st, int index) {
  pthread_t me = pthread_self();
  own_index = index;
  for (int i = 0; i < 20; i++) {
    errno = 1000 + index;
    jostle_yield();
    if (own_index != index || errno != 1000 + index || !pthread_equal(pthread_self(), me))
      atomic_fetch_add(&st->changed, 1);
  }
}

typedef struct {
  self_state *st;
  int index;
} self_child;

static void *self_child_main(void *arg) {
  self_child *c = arg;
  keep_self(c->st, c->index);
  return NULL;
}

static void self_thread(jostle_run *r, int index) {
  self_state *st = jostle_state(r);
  self_child child = {st, 100 + index};
  pthread_t kid;
  if (pthread_create(&kid, NULL, self_child_main, &child) != 0) abort();
  keep_self(st, index);
  if (pthread_join(kid, NULL) != 0) abort();
}

static void self_check(jostle_run *r) {
  self_state *st = jostle_state(r);
  jostle_observe(r, "changed", atomic_load(&st->changed));
  if (atomic_load(&st->changed) != 0) jostle_fail(r, "a thread's own state changed");
}

JOSTLE_SCENARIO(test_thread_self) {
    .name = "test-thread-self",
    .summary = "test only: TLS, errno and pthread_self stay each thread's own across points",
    .threads = 3,
    .state_size = sizeof(self_state),
    .thread = self_thread,
    .check = self_check,
};

/* Thread 0 aborts after thread 1 has run a while: under a controlled
 * scheduler it often aborts on another thread's OS thread. */
static void late_abort_thread(jostle_run *r, int index) {
  (void)r;
  for (int i = 0; i < 4; i++) jostle_yield();
  if (index == 0) abort();
}

JOSTLE_SCENARIO(test_abort_late) {
    .name = "test-abort-late",
    .summary = "test only: every run aborts, after points of both threads",
    .racy = 1,
    .threads = 2,
    .thread = late_abort_thread,
    .check = count_check,
};

/* ---- parameters ---------------------------------------------------------- */

/* As many parameters as a scenario may have, the first named `wide`, the
 * others with names as long as jostle allows (48 bytes), each taking any
 * 64-bit value and defaulting to values of 20 characters: the lines made of
 * parameters (a cell's header, reproduce commands, schedule files) must
 * hold them whole. Every run diverges and observes `wide`. */
static const jostle_param_def many_params[] = {
    {"wide", 0, LLONG_MIN, LLONG_MAX, "any 64-bit value: the outcome observes it"},
    {"p01-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 1, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p02-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 2, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p03-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 3, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p04-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 4, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p05-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 5, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p06-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 6, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p07-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 7, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p08-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 8, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p09-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 9, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p10-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 10, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p11-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 11, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p12-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 12, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p13-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 13, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p14-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 14, LLONG_MIN, LLONG_MAX, "a long name"},
    {"p15-a-parameter-name-as-long-as-jostle-allows-xx", LLONG_MIN + 15, LLONG_MIN, LLONG_MAX, "a long name"},
    {0},
};

static void params_thread(jostle_run *r, int index) { (void)r, (void)index; }

static void params_check(jostle_run *r) {
  jostle_observe(r, "wide", jostle_param(r, 0));
  jostle_fail(r, "always");
}

JOSTLE_SCENARIO(test_params) {
    .name = "test-params",
    .summary = "test only: 16 parameters of any 64-bit value, long names; always divergent",
    .threads = 1,
    .params = many_params,
    .thread = params_thread,
    .check = params_check,
};

/* ---- controlled schedulers ---------------------------------------------- */

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>

/* Thread 0 waits for a flag nobody sets, yielding: a livelock, which a
 * controlled scheduler ends at the step limit. */
static void spin_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  if (index == 0)
    while (atomic_load(&st->hits) != -1) sched_yield();
}

/* Crashes in the calibration run of a controlled pool only (its seed is
 * fixed: harness/pool.h), which is not a run of the campaign. */
static void calibration_crash_thread(jostle_run *r, int index) {
  if (index == 0 && jostle_seed(r) == 0x6b2d657374ULL) raise(SIGSEGV);
}

JOSTLE_SCENARIO(test_calibration_crash) {
    .name = "test-calibration-crash",
    .summary = "test only: crashes in a controlled pool's calibration run",
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = calibration_crash_thread,
    .check = count_check,
};

JOSTLE_SCENARIO(test_spin) {
    .name = "test-spin",
    .summary = "test only: thread 0 waits forever for a flag, yielding",
    .racy = 1,
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = spin_thread,
    .check = count_check,
};

/* Threads created inside a scenario: each scenario thread starts
 * `children` threads and joins them. Each child adds one to a count, under
 * a mutex (test-spawn) or as a load and a store with a yield between
 * (test-spawn-racy, which loses updates). */
enum { MAX_CHILDREN = 8 };

typedef struct spawn_state {
  pthread_mutex_t m;
  int count;
  int racy;
  int joined;           /* children whose join returned their argument */
} spawn_state;

static void spawn_setup(jostle_run *r) {
  spawn_state *s = jostle_state(r);
  pthread_mutex_init(&s->m, NULL);
}

static void *child_main(void *arg) {
  spawn_state *s = arg;
  if (s->racy) {
    int seen = s->count;
    jostle_yield();
    s->count = seen + 1;
  } else {
    pthread_mutex_lock(&s->m);
    s->count++;
    pthread_mutex_unlock(&s->m);
  }
  return s;
}

static void spawn_thread(jostle_run *r, int index) {
  (void)index;
  spawn_state *s = jostle_state(r);
  pthread_t kids[MAX_CHILDREN];
  int n = (int)jostle_param(r, 0);
  for (int i = 0; i < n; i++)
    if (pthread_create(&kids[i], NULL, child_main, s) != 0) abort();
  for (int i = 0; i < n; i++) {
    void *result = NULL;
    if (pthread_join(kids[i], &result) != 0) abort();
    pthread_mutex_lock(&s->m);
    s->joined += result == s;
    pthread_mutex_unlock(&s->m);
  }
}

static void spawn_check(jostle_run *r) {
  spawn_state *s = jostle_state(r);
  int want = jostle_threads(r) * (int)jostle_param(r, 0);
  jostle_observe(r, "count", s->count);
  jostle_observe(r, "joined", s->joined);
  if (s->count != want) jostle_fail(r, "lost updates");
  if (s->joined != want) jostle_fail(r, "a join lost its child's result");
}

static void spawn_teardown(jostle_run *r) {
  spawn_state *s = jostle_state(r);
  pthread_mutex_destroy(&s->m);
}

static const jostle_param_def spawn_params[] = {
    {"children", 2, 1, MAX_CHILDREN, "threads each scenario thread creates and joins"},
    {0},
};

JOSTLE_SCENARIO(test_spawn) {
    .name = "test-spawn",
    .summary = "test only: threads create and join threads; counts under a mutex",
    .threads = 2,
    .params = spawn_params,
    .state_size = sizeof(spawn_state),
    .setup = spawn_setup,
    .thread = spawn_thread,
    .check = spawn_check,
    .teardown = spawn_teardown,
};

static void racy_spawn_setup(jostle_run *r) {
  spawn_setup(r);
  ((spawn_state *)jostle_state(r))->racy = 1;
}

JOSTLE_SCENARIO(test_spawn_racy) {
    .name = "test-spawn-racy",
    .summary = "test only: created threads count without a lock (lost updates)",
    .racy = 1,
    .threads = 2,
    .params = spawn_params,
    .state_size = sizeof(spawn_state),
    .setup = racy_spawn_setup,
    .thread = spawn_thread,
    .check = spawn_check,
    .teardown = spawn_teardown,
};

/* Thread 0 holds the mutex while it joins a child that needs it: a
 * deadlock between a thread and the thread it waits for (controlled
 * schedulers only: under free it really hangs). */
static void *locking_child(void *arg) {
  spawn_state *s = arg;
  pthread_mutex_lock(&s->m);
  s->count++;
  pthread_mutex_unlock(&s->m);
  return NULL;
}

static void join_deadlock_thread(jostle_run *r, int index) {
  (void)index;
  spawn_state *s = jostle_state(r);
  pthread_t kid;
  pthread_mutex_lock(&s->m);
  if (pthread_create(&kid, NULL, locking_child, s) != 0) abort();
  pthread_join(kid, NULL);
  pthread_mutex_unlock(&s->m);
}

JOSTLE_SCENARIO(test_join_deadlock) {
    .name = "test-join-deadlock",
    .summary = "test only: joins, holding a mutex, a thread that needs it",
    .racy = 1,
    .threads = 1,
    .params = spawn_params,
    .state_size = sizeof(spawn_state),
    .setup = spawn_setup,
    .thread = join_deadlock_thread,
    .check = spawn_check,
    .teardown = spawn_teardown,
};

/* Many threads: every one takes the lock once. Beyond the 64 threads that
 * once sized jostle's tables. */
typedef struct crowd_state {
  pthread_mutex_t m;
  int count;
} crowd_state;

static void crowd_thread(jostle_run *r, int index) {
  (void)index;
  crowd_state *s = jostle_state(r);
  pthread_mutex_lock(&s->m);
  s->count++;
  pthread_mutex_unlock(&s->m);
}

static void crowd_check(jostle_run *r) {
  crowd_state *s = jostle_state(r);
  jostle_observe(r, "count", s->count);
  if (s->count != jostle_threads(r)) jostle_fail(r, "lost updates");
}

JOSTLE_SCENARIO(test_many_threads) {
    .name = "test-many-threads",
    .summary = "test only: 200 threads, each counts once under one mutex",
    .threads = 200,
    .state_size = sizeof(crowd_state),
    .thread = crowd_thread,
    .check = crowd_check,
};

/* Many synchronisation objects: each thread takes every one of 2,000
 * mutexes in turn (in the same order, so never a deadlock). */
#define MANY_MUTEXES 2000
typedef struct mutexes_state {
  pthread_mutex_t m[MANY_MUTEXES];  /* zeroed: default mutexes */
  int count[MANY_MUTEXES];
} mutexes_state;

static void mutexes_thread(jostle_run *r, int index) {
  (void)index;
  mutexes_state *s = jostle_state(r);
  for (int i = 0; i < MANY_MUTEXES; i++) {
    pthread_mutex_lock(&s->m[i]);
    s->count[i]++;
    pthread_mutex_unlock(&s->m[i]);
  }
}

static void mutexes_check(jostle_run *r) {
  mutexes_state *s = jostle_state(r);
  int bad = 0;
  for (int i = 0; i < MANY_MUTEXES; i++) bad += s->count[i] != jostle_threads(r);
  jostle_observe(r, "miscounted", bad);
  if (bad) jostle_fail(r, "lost updates");
}

JOSTLE_SCENARIO(test_many_mutexes) {
    .name = "test-many-mutexes",
    .summary = "test only: 2 threads take each of 2,000 mutexes in turn",
    .threads = 2,
    .state_size = sizeof(mutexes_state),
    .thread = mutexes_thread,
    .check = mutexes_check,
};

/* A run that creates more threads than a controlled run can number
 * (JOSTLE_MAX_THREADS in all): a limit of jostle's, not a crash. */
static void *nothing(void *arg) { return arg; }

static void thread_limit_thread(jostle_run *r, int index) {
  (void)r;
  (void)index;
  for (int i = 0; i < JOSTLE_MAX_THREADS + 8; i++) {
    pthread_t kid;
    if (pthread_create(&kid, NULL, nothing, NULL) != 0) return;
    pthread_join(kid, NULL);
  }
}

static void nothing_to_check(jostle_run *r) { jostle_observe(r, "done", 1); }

JOSTLE_SCENARIO(test_thread_limit) {
    .name = "test-thread-limit",
    .summary = "test only: creates and joins more threads than a controlled run numbers",
    .threads = 1,
    .thread = thread_limit_thread,
    .check = nothing_to_check,
};

/* Slow runs that make scheduling points all along: each thread computes
 * for 2 ms (no point) between yields, 200 times, so a run takes about
 * 0.8 s. Under a controlled scheduler that is progress, however long the
 * run takes, and never a hang for a shorter --timeout. The 2 ms are of the
 * thread's CPU time: a controlled run's other clocks are virtual. */
#include <time.h>

static void compute_for_ms(long ms) {
  struct timespec t0, t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  do clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < ms * 1000000L);
}

static void slow_thread(jostle_run *r, int index) {
  (void)r;
  (void)index;
  for (int i = 0; i < 200; i++) {
    compute_for_ms(2);
    jostle_yield();
  }
}

JOSTLE_SCENARIO(test_slow) {
    .name = "test-slow",
    .summary = "test only: runs of about 0.8 s that make a point every 2 ms",
    .threads = 2,
    .thread = slow_thread,
    .check = nothing_to_check,
};

/* A thread that loops forever without a scheduling point (its counter is
 * on its own stack, which is never a point). */
static void pointless_thread(jostle_run *r, int index) {
  (void)r;
  volatile unsigned long spins = 0;
  if (index == 0)
    for (;;) spins++;
}

JOSTLE_SCENARIO(test_pointless_hang) {
    .name = "test-pointless-hang",
    .summary = "test only: thread 0 loops forever and makes no scheduling point",
    .racy = 1,
    .threads = 2,
    .thread = pointless_thread,
    .check = nothing_to_check,
};

/* ---- the calls jostle models, and those it does not ---------------------- */

#include <linux/futex.h>
#include <sys/syscall.h>
#include <threads.h>

/* test-calls: with -D call=K, every thread's body makes call K of
 * jostle_test_calls[] (scenarios_test.h), used correctly where the entry
 * says it is fine under `free`. Under a controlled scheduler each run
 * carries a modelled call out and passes as under free, and ends at any
 * other with `unsupported: CALL`. */
typedef struct calls_state {
  pthread_barrier_t barrier;
  pthread_once_t once;
  once_flag c11_once;
  mtx_t m;
  cnd_t cv;
  pthread_mutex_t pm;
  pthread_cond_t pcv;
  pthread_rwlock_t rw;
  int in_cs;              /* threads inside m's critical section */
  int cleaned;            /* an exiting thread's cleanup handler ran */
  int ready;              /* under m */
  _Atomic int arrived;    /* at the barrier */
  _Atomic int flag;       /* thrd_yield: thread 0 is done */
  _Atomic int bad;        /* something the call promises did not hold */
} calls_state;

static _Atomic int once_runs; /* pthread_once and call_once run this many inits */

/* Yields inside: another caller must wait for it, not run it too. */
static void once_init(void) {
  atomic_fetch_add(&once_runs, 1);
  sched_yield();
}

static void calls_setup(jostle_run *r) {
  calls_state *s = jostle_state(r);
  once_flag fresh = ONCE_FLAG_INIT;
  pthread_barrier_init(&s->barrier, NULL, (unsigned)jostle_threads(r));
  s->once = (pthread_once_t)PTHREAD_ONCE_INIT;
  s->c11_once = fresh;
  mtx_init(&s->m, mtx_timed);
  cnd_init(&s->cv);
  pthread_mutex_init(&s->pm, NULL);
  pthread_cond_init(&s->pcv, NULL);
  pthread_rwlock_init(&s->rw, NULL);
  atomic_store(&once_runs, 0);
}

static void calls_teardown(jostle_run *r) {
  calls_state *s = jostle_state(r);
  pthread_barrier_destroy(&s->barrier);
  mtx_destroy(&s->m);
  cnd_destroy(&s->cv);
  pthread_mutex_destroy(&s->pm);
  pthread_cond_destroy(&s->pcv);
  pthread_rwlock_destroy(&s->rw);
}

static void calls_check(jostle_run *r) {
  calls_state *s = jostle_state(r);
  jostle_observe(r, "bad", atomic_load(&s->bad));
  if (atomic_load(&s->bad)) jostle_fail(r, "a call broke its promise");
}

static struct timespec in_a_minute_on(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  t.tv_sec += 60;
  return t;
}

static struct timespec in_a_minute(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += 60;
  return t;
}

/* Inside m (however it was taken): never two threads at once. */
static void c11_critical_section(calls_state *s) {
  if (s->in_cs++) atomic_fetch_add(&s->bad, 1);
  thrd_yield();
  s->in_cs--;
  mtx_unlock(&s->m);
}

static void *sleeper(void *arg) {
  for (;;) {
    struct timespec nap = {0, 1000000};
    nanosleep(&nap, NULL); /* a cancellation point */
  }
  return arg;
}

/* Exits holding pm: its cleanup handler lets it go, and counts. */
static void exit_cleanup(void *arg) {
  calls_state *s = arg;
  s->cleaned++;
  pthread_mutex_unlock(&s->pm);
}

static void *exiting_child(void *arg) {
  calls_state *s = arg;
  pthread_mutex_lock(&s->pm);
  pthread_cleanup_push(exit_cleanup, s);
  pthread_exit(arg);
  pthread_cleanup_pop(0);
}

static void *c11_exiting_child(void *arg) {
  (void)arg;
  thrd_exit(3);
}

static int c11_child(void *arg) {
  calls_state *s = arg;
  atomic_fetch_add(&s->arrived, 1);
  return 7;
}

static void call_thread(jostle_run *r, int index) {
  calls_state *s = jostle_state(r);
  struct timespec deadline = in_a_minute();
  pthread_t kid;
  thrd_t c11_kid;
  void *result = NULL;
  int rc = 0;
  switch (jostle_param(r, 0)) {
  case 0:
    atomic_fetch_add(&s->arrived, 1);
    pthread_barrier_wait(&s->barrier);
    if (atomic_load(&s->arrived) != jostle_threads(r)) atomic_fetch_add(&s->bad, 1);
    break;
  case 1:
    pthread_once(&s->once, once_init);
    if (atomic_load(&once_runs) != 1) atomic_fetch_add(&s->bad, 1);
    break;
  case 2:
    if (index != 0) break;
    if (pthread_create(&kid, NULL, sleeper, NULL) != 0) abort();
    pthread_cancel(kid);
    pthread_join(kid, &result);
    if (result != PTHREAD_CANCELED) atomic_fetch_add(&s->bad, 1);
    break;
  case 3:
    if (index != 0) break;
    if (pthread_create(&kid, NULL, nothing, NULL) != 0) abort();
    pthread_detach(kid);
    break;
  case 4:
    if (index != 0) break;
    if (pthread_create(&kid, NULL, exiting_child, s) != 0) abort();
    pthread_join(kid, &result);
    if (result != s || s->cleaned != 1 || pthread_mutex_trylock(&s->pm) != 0)
      atomic_fetch_add(&s->bad, 1);
    else
      pthread_mutex_unlock(&s->pm);
    break;
  case 5:
    mtx_lock(&s->m);
    c11_critical_section(s);
    break;
  case 6:
    while (mtx_trylock(&s->m) != thrd_success) thrd_yield();
    c11_critical_section(s);
    break;
  case 7:
    if (mtx_timedlock(&s->m, &deadline) != thrd_success) atomic_fetch_add(&s->bad, 1);
    else c11_critical_section(s);
    break;
  case 8:
    mtx_unlock(&s->m); /* not held: controlled schedulers only */
    break;
  case 9:
    cnd_wait(&s->cv, &s->m); /* not held: controlled schedulers only */
    break;
  case 10:
    cnd_timedwait(&s->cv, &s->m, &deadline); /* likewise */
    break;
  case 11:
    cnd_signal(&s->cv);
    break;
  case 12:
    cnd_broadcast(&s->cv);
    break;
  case 13:
    if (thrd_create(&c11_kid, c11_child, s) != thrd_success) abort();
    if (thrd_join(c11_kid, &rc) != thrd_success || rc != 7) atomic_fetch_add(&s->bad, 1);
    break;
  case 14:
    if (index != 0) break;
    if (pthread_create(&kid, NULL, nothing, NULL) != 0) abort();
    thrd_join((thrd_t)kid, &rc); /* glibc: a thrd_t is a pthread_t */
    break;
  case 15:
    if (index != 0) break;
    if (pthread_create(&kid, NULL, nothing, NULL) != 0) abort();
    thrd_detach((thrd_t)kid);
    break;
  case 16:
    if (index != 0) break;
    if (pthread_create(&kid, NULL, c11_exiting_child, NULL) != 0) abort();
    pthread_join(kid, NULL);
    break;
  case 17:
    call_once(&s->c11_once, once_init);
    if (atomic_load(&once_runs) != 1) atomic_fetch_add(&s->bad, 1);
    break;
  case 18:
    pthread_cond_wait(&s->pcv, &s->pm); /* not held: controlled schedulers only */
    break;
  case 19:
    pthread_cond_timedwait(&s->pcv, &s->pm, &deadline); /* likewise */
    break;
  case 20:
    /* C11 mutex and condition variable used together, correctly */
    mtx_lock(&s->m);
    if (index == 0) {
      s->ready = 1;
      cnd_broadcast(&s->cv);
    }
    while (!s->ready) {
      if (index % 2) cnd_wait(&s->cv, &s->m);
      else cnd_timedwait(&s->cv, &s->m, &deadline);
    }
    cnd_signal(&s->cv);
    mtx_unlock(&s->m);
    break;
  case 21:
    /* a spin-wait that yields: thread 0 sets the flag the others wait for */
    if (index == 0) atomic_store(&s->flag, 1);
    else
      while (!atomic_load(&s->flag)) thrd_yield();
    break;
  case 22:
    if (index == 1) pthread_exit(NULL); /* a thread body: controlled schedulers only */
    break;
  case 23: {
    /* created detached, and detached after: neither is joinable */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&kid, &attr, nothing, NULL) != 0) abort();
    int state = 0;
    pthread_attr_getdetachstate(&attr, &state);
    if (state != PTHREAD_CREATE_DETACHED) atomic_fetch_add(&s->bad, 1);
    pthread_attr_destroy(&attr);
    break;
  }
  case 24:
    sleep(0);
    break;
  case 25: {
    struct timespec none = {0, 0};
    if (clock_nanosleep(CLOCK_MONOTONIC, 0, &none, NULL) != 0) atomic_fetch_add(&s->bad, 1);
    break;
  }
  case 26: {
    struct timespec none = {0, 0};
    if (thrd_sleep(&none, NULL) != 0) atomic_fetch_add(&s->bad, 1);
    break;
  }
  case 27:
    /* a raw futex wake of a word nobody waits on: harmless, but outside the model */
    syscall(SYS_futex, &s->flag, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    break;
  case 28: {
    /* C++'s timed mutexes: a timed lock on a clock, then never two inside */
    struct timespec t = in_a_minute_on(CLOCK_MONOTONIC);
    if (pthread_mutex_clocklock(&s->pm, CLOCK_MONOTONIC, &t) != 0) {
      atomic_fetch_add(&s->bad, 1);
      break;
    }
    if (s->in_cs++) atomic_fetch_add(&s->bad, 1);
    sched_yield();
    s->in_cs--;
    pthread_mutex_unlock(&s->pm);
    break;
  }
  case 29:
    /* C++'s wait_for: a timed wait on a clock, looped, as a wait must be */
    pthread_mutex_lock(&s->pm);
    if (index == 0) {
      s->ready = 1;
      pthread_cond_broadcast(&s->pcv);
    }
    while (!s->ready) {
      struct timespec t = in_a_minute_on(CLOCK_MONOTONIC);
      int waited = pthread_cond_clockwait(&s->pcv, &s->pm, CLOCK_MONOTONIC, &t);
      if (waited != 0 && waited != ETIMEDOUT) atomic_fetch_add(&s->bad, 1);
    }
    pthread_mutex_unlock(&s->pm);
    break;
  case 30: {
    /* timed read-write locks: not modelled yet */
    struct timespec t = in_a_minute_on(CLOCK_MONOTONIC);
    if (pthread_rwlock_clockrdlock(&s->rw, CLOCK_MONOTONIC, &t) != 0) atomic_fetch_add(&s->bad, 1);
    else pthread_rwlock_unlock(&s->rw);
    break;
  }
  case 31:
    if (pthread_rwlock_timedwrlock(&s->rw, &deadline) != 0) atomic_fetch_add(&s->bad, 1);
    else pthread_rwlock_unlock(&s->rw);
    break;
  default:
    abort();
  }
}

const jostle_test_call jostle_test_calls[] = {
    {.call = "pthread_barrier_wait", .modelled = 1, .free_ok = 1},
    {.call = "pthread_once", .modelled = 1, .free_ok = 1},
    {.call = "pthread_cancel", .free_ok = 1},
    {.call = "pthread_detach", .modelled = 1, .free_ok = 1},
    {.call = "pthread_exit", .modelled = 1, .free_ok = 1}, /* by a created thread */
    {.call = "mtx_lock", .modelled = 1, .free_ok = 1, .tsan_blind = 1},
    {.call = "mtx_trylock", .modelled = 1, .free_ok = 1, .tsan_blind = 1},
    {.call = "mtx_timedlock", .modelled = 1, .free_ok = 1, .tsan_blind = 1},
    {.call = "mtx_unlock", .modelled = 1, .free_ok = 0}, /* not held: thrd_error */
    {.call = "cnd_wait without holding its mutex", .free_ok = 0},
    {.call = "cnd_timedwait without holding its mutex", .free_ok = 0},
    {.call = "cnd_signal", .modelled = 1, .free_ok = 1},
    {.call = "cnd_broadcast", .modelled = 1, .free_ok = 1},
    {.call = "thrd_create", .modelled = 1, .free_ok = 1, .tsan_blind = 1},
    {.call = "thrd_join", .modelled = 1, .free_ok = 0},
    {.call = "thrd_detach", .modelled = 1, .free_ok = 0},
    {.call = "thrd_exit", .modelled = 1, .free_ok = 0},
    {.call = "call_once", .modelled = 1, .free_ok = 1},
    {.call = "pthread_cond_wait without holding its mutex", .free_ok = 0},
    {.call = "pthread_cond_timedwait without holding its mutex", .free_ok = 0},
    {.call = "mtx_lock", .modelled = 1, .free_ok = 1, .tsan_blind = 1}, /* C11 mutex and condition variable together */
    {.call = "thrd_yield", .modelled = 1, .free_ok = 1}, /* a yield */
    {.call = "pthread_exit from a thread the run did not create", .free_ok = 0},
    {.call = "pthread_create", .modelled = 1, .free_ok = 1}, /* detached */
    {.call = "sleep", .modelled = 1, .free_ok = 1},
    {.call = "clock_nanosleep", .modelled = 1, .free_ok = 1},
    {.call = "thrd_sleep", .modelled = 1, .free_ok = 1},
    {.call = "syscall(SYS_futex)", .free_ok = 1},
    {.call = "pthread_mutex_clocklock", .modelled = 1, .free_ok = 1, .tsan_blind = 1},
    {.call = "pthread_cond_clockwait", .modelled = 1, .free_ok = 1},
    {.call = "pthread_rwlock_clockrdlock", .free_ok = 1, .tsan_blind = 1},
    {.call = "pthread_rwlock_timedwrlock", .free_ok = 1},
};
const int jostle_test_n_calls = (int)(sizeof jostle_test_calls / sizeof jostle_test_calls[0]);

static const jostle_param_def call_params[] = {
    {"call", 0, 0, sizeof jostle_test_calls / sizeof jostle_test_calls[0] - 1,
     "which call every thread makes (jostle_test_calls in scenarios_test.h)"},
    {0},
};

JOSTLE_SCENARIO(test_calls) {
    .name = "test-calls",
    .summary = "test only: -D call=K makes call K of the pthreads and C11 calls (modelled or not)",
    .threads = 2,
    .params = call_params,
    .state_size = sizeof(calls_state),
    .setup = calls_setup,
    .thread = call_thread,
    .check = calls_check,
    .teardown = calls_teardown,
};

/* ---- a scenario that forks -------------------------------------------- */

/* Every run forks three children: thread 0's returns from the thread body
 * into jostle, check's returns from check, and thread 1's waits forever,
 * holding open every descriptor it inherited (a pipe to jostle's reader,
 * say). None is part of a run. */
static void fork_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  atomic_fetch_add(&st->hits, 1);
  pid_t pid = fork();
  if (pid != 0 || index == 0) return;
  for (;;) pause();
}

static void fork_check(jostle_run *r) {
  count_check(r);
  (void)fork();
}

JOSTLE_SCENARIO(test_fork) {
    .name = "test-fork",
    .summary = "test only: every run forks children that return into jostle or wait forever",
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = fork_thread,
    .check = fork_check,
    .allowed = two_hits,
};

/* ---- outcomes made by the threads ------------------------------------- */

int jostle_test_thread_fails(unsigned long long seed) { return seed % 5 == 2; }

/* Each thread observes its index; in runs whose seed says so, thread 1
 * also finds its invariant broken. check adds one observation of its own,
 * after the threads'. */
static void observing_thread(jostle_run *r, int index) {
  jostle_observe(r, "seen", index);
  if (index == 1 && jostle_test_thread_fails(jostle_seed(r)))
    jostle_fail(r, "invariant broken in a thread");
}

static void observing_check(jostle_run *r) { jostle_observe(r, "checked", 1); }

JOSTLE_SCENARIO(test_thread_outcome) {
    .name = "test-thread-outcome",
    .summary = "test only: threads observe and fail from their bodies",
    .threads = 2,
    .thread = observing_thread,
    .check = observing_check,
};

/* ---- a scenario that misuses jostle_param ------------------------------ */


/* -D index=K: thread 0 asks for parameter K, declared or not. */
static const jostle_param_def index_param[] = {
    {"index", 0, -20, 20, "the parameter index thread 0 asks for"}, {0}};

static void bad_param_thread(jostle_run *r, int index) {
  if (index == 0) jostle_observe(r, "value", jostle_param(r, (int)jostle_param(r, 0)));
}

static void no_check(jostle_run *r) { (void)r; }

JOSTLE_SCENARIO(test_bad_param) {
    .name = "test-bad-param",
    .summary = "test only: thread 0 reads parameter number -D index",
    .threads = 2,
    .params = index_param,
    .thread = bad_param_thread,
    .check = no_check,
};

/* ---- waits under free: deadlocks proved, and waits that end ------------ */

#include <semaphore.h>

/* test-waits: -D case=K runs case K of jostle_test_waits[] (scenarios_test.h).
 * Threads order their steps with `flag` (plain atomics, a wait in
 * sched_yield), so that the deadlocking cases deadlock in every run and
 * the others block, for longer than the parent's two reads, in waits that
 * end. */
typedef struct waits_state {
  pthread_mutex_t a, b;
  pthread_cond_t cv;
  pthread_rwlock_t rw;
  pthread_spinlock_t spin;
  sem_t sem;
  int ready;              /* under a */
  _Atomic int flag;
} waits_state;

#define LONG_WAIT_US 300000 /* well over two of the parent's 20 ms ticks */

static void waits_setup(jostle_run *r) {
  waits_state *s = jostle_state(r);
  pthread_mutex_init(&s->a, NULL);
  pthread_mutex_init(&s->b, NULL);
  pthread_cond_init(&s->cv, NULL);
  pthread_rwlock_init(&s->rw, NULL);
  pthread_spin_init(&s->spin, PTHREAD_PROCESS_PRIVATE);
  sem_init(&s->sem, 0, 0);
}

static void wait_for_flag(waits_state *s, int at_least) {
  while (atomic_load(&s->flag) < at_least) sched_yield();
}

static void *late_waker(void *arg) {
  waits_state *s = arg;
  usleep(LONG_WAIT_US);
  pthread_mutex_lock(&s->a);
  s->ready = 1;
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->a);
  return NULL;
}

static void wait_for_ready(waits_state *s) {
  pthread_mutex_lock(&s->a);
  while (!s->ready) pthread_cond_wait(&s->cv, &s->a);
  pthread_mutex_unlock(&s->a);
}

static void waits_thread(jostle_run *r, int index) {
  waits_state *s = jostle_state(r);
  pthread_t kid;
  switch (jostle_param(r, 0)) {
  case 0: /* lock order: each holds one and waits for the other */
    pthread_mutex_lock(index == 0 ? &s->a : &s->b);
    atomic_fetch_add(&s->flag, 1);
    wait_for_flag(s, 2);
    pthread_mutex_lock(index == 0 ? &s->b : &s->a);
    break;
  case 1: /* a signal sent before the wait */
    if (index == 1) {
      pthread_cond_signal(&s->cv);
      atomic_store(&s->flag, 1);
      break;
    }
    pthread_mutex_lock(&s->a);
    wait_for_flag(s, 1);
    pthread_cond_wait(&s->cv, &s->a);
    break;
  case 2: /* a default mutex taken twice */
    if (index == 0) {
      pthread_mutex_lock(&s->a);
      pthread_mutex_lock(&s->a);
    }
    break;
  case 3: /* a mutex its holder never lets go of */
  case 4: /* a read lock likewise, and a writer */
  case 5: /* a spinlock likewise */
    if (index == 1) {
      int k = jostle_param(r, 0);
      if (k == 3) pthread_mutex_lock(&s->a);
      else if (k == 4) pthread_rwlock_rdlock(&s->rw);
      else pthread_spin_lock(&s->spin);
      atomic_store(&s->flag, 1);
      break;
    }
    wait_for_flag(s, 1);
    if (jostle_param(r, 0) == 3) pthread_mutex_lock(&s->a);
    else if (jostle_param(r, 0) == 4) pthread_rwlock_wrlock(&s->rw);
    else pthread_spin_lock(&s->spin);
    break;
  case 6: /* a semaphore nobody posts */
    if (index == 0) sem_wait(&s->sem);
    break;
  case 7: /* a holder that sleeps, then lets go */
    if (index == 1) {
      pthread_mutex_lock(&s->a);
      atomic_store(&s->flag, 1);
      usleep(LONG_WAIT_US);
      pthread_mutex_unlock(&s->a);
      break;
    }
    wait_for_flag(s, 1);
    pthread_mutex_lock(&s->a);
    pthread_mutex_unlock(&s->a);
    break;
  case 8: /* a signal that comes late */
    if (index == 1) late_waker(s);
    else wait_for_ready(s);
    break;
  case 9: /* a signal from a thread the pool does not know, after its
             creator finished */
    if (index == 1) {
      if (pthread_create(&kid, NULL, late_waker, s) != 0) abort();
      pthread_detach(kid);
    } else {
      wait_for_ready(s);
    }
    break;
  case 10: /* a mutex unlocked by another thread than its owner, then
              taken by that thread, which sleeps before it lets go */
    if (index == 0) {
      pthread_mutex_lock(&s->a);
      atomic_store(&s->flag, 1);
    } else if (index == 1) {
      wait_for_flag(s, 1);
      pthread_mutex_unlock(&s->a);
      pthread_mutex_lock(&s->a);
      atomic_store(&s->flag, 2);
      usleep(LONG_WAIT_US);
      pthread_mutex_unlock(&s->a);
    } else {
      wait_for_flag(s, 2);
      pthread_mutex_lock(&s->a);
      pthread_mutex_unlock(&s->a);
    }
    break;
  case 11: /* a reader waits for a writer that sleeps, then lets go */
    if (index == 1) {
      pthread_rwlock_wrlock(&s->rw);
      atomic_store(&s->flag, 1);
      usleep(LONG_WAIT_US);
      pthread_rwlock_unlock(&s->rw);
      break;
    }
    wait_for_flag(s, 1);
    pthread_rwlock_rdlock(&s->rw);
    pthread_rwlock_unlock(&s->rw);
    break;
  }
}

static void waits_check(jostle_run *r) { jostle_observe(r, "done", 1); }

static void waits_teardown(jostle_run *r) {
  waits_state *s = jostle_state(r);
  sem_destroy(&s->sem);
  pthread_spin_destroy(&s->spin);
}

const jostle_test_wait jostle_test_waits[] = {
    {"lock order", 2,
     "deadlock (thread 0 waits for mutex#0 held by thread 1; "
     "thread 1 waits for mutex#1 held by thread 0)"},
    {"signal before the wait", 2, "deadlock (thread 0 waits for cond#0)"},
    {"relocked mutex", 2, "deadlock (thread 0 waits for mutex#0 held by thread 0)"},
    {"mutex never let go of", 2,
     "deadlock (thread 0 waits for mutex#0 held by thread 1, which has finished)"},
    {"read lock never let go of", 2,
     "deadlock (thread 0 waits for rwlock#0 held by thread 1, which has finished)"},
    {"spinlock never let go of", 2,
     "deadlock (thread 0 waits for spinlock#0 held by thread 1, which has finished)"},
    {"semaphore nobody posts", 2, "deadlock (thread 0 waits for sem#0)"},
    {"holder sleeps", 2, NULL},
    {"late signal", 2, NULL},
    {"signal from a thread the pool does not know", 2, NULL},
    {"mutex unlocked by another thread", 3, NULL},
    {"writer sleeps", 2, NULL},
};
const int jostle_test_n_waits = sizeof jostle_test_waits / sizeof *jostle_test_waits;

static const jostle_param_def waits_params[] = {
    {"case", 0, 0, sizeof jostle_test_waits / sizeof *jostle_test_waits - 1,
     "which case of jostle_test_waits (scenarios_test.h)"},
    {0},
};

JOSTLE_SCENARIO(test_waits) {
    .name = "test-waits",
    .summary = "test only: -D case=K blocks in wrapped calls, deadlocking or not",
    .racy = 1,
    .threads = 2,
    .min_threads = 2,
    .max_threads = 3,
    .params = waits_params,
    .state_size = sizeof(waits_state),
    .setup = waits_setup,
    .thread = waits_thread,
    .check = waits_check,
    .teardown = waits_teardown,
};

/* ---- a scenario that writes to stdout and stderr ----------------------- */

/* test-output: in runs whose seed says so (jostle_test_prints), thread 0
 * prints lines that look like jostle's own, and the run is divergent; in
 * runs where jostle_test_crashes, thread 1 writes to stderr and aborts. */
#include <stdio.h>

int jostle_test_prints(unsigned long long seed) { return seed % 5 == 1; }

static void output_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  if (index == 0 && jostle_test_prints(jostle_seed(r))) {
    printf("%s", JOSTLE_TEST_PRINTED);
    atomic_fetch_add(&st->hits, 1);
  }
  if (index == 1 && !jostle_test_prints(jostle_seed(r)) && jostle_test_crashes(jostle_seed(r))) {
    fputs(JOSTLE_TEST_CRASH_WROTE, stderr);
    abort();
  }
}

static void output_check(jostle_run *r) {
  test_state *st = jostle_state(r);
  if (atomic_load(&st->hits)) jostle_fail(r, "printed");
  jostle_observe(r, "printed", atomic_load(&st->hits));
}

JOSTLE_SCENARIO(test_output) {
    .name = "test-output",
    .summary = "test only: prints lines that look like jostle's, and writes before a crash",
    .racy = 1,
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = output_thread,
    .check = output_check,
};
