/*
 * scenarios_sync.c: test-sync-all, every synchronisation call jostle
 * models, used correctly. It must complete under every scheduler with the
 * same outcome, and with --races it must never race: each shared datum
 * below is plain memory, ordered only by the call beside it, so an edge
 * the detector lacked would show as a race. The Makefile compiles this
 * file with the hooks, as it does the built-in scenarios (plain under
 * SANITIZER=thread, where no access is a point).
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "jostle.h"

enum { LOCKS = 7, MAX_SYNC_THREADS = 16 };

typedef struct sync_state {
  pthread_mutex_t m;
  pthread_rwlock_t rw;
  pthread_cond_t cv;
  pthread_spinlock_t spin;
  sem_t sem;
  mtx_t c11_m;
  pthread_barrier_t barrier;
  pthread_once_t once;
  once_flag c11_once;
  int in_cs[LOCKS];   /* threads inside each lock's critical section */
  int overlaps;       /* times two were inside at once, or a datum was wrong */
  int shared[LOCKS];  /* one per critical section, under its lock */
  int ready;          /* set by thread 0, waited for by the others */
  int once_value;     /* written by pthread_once's init, read after it */
  int c11_once_value; /* likewise, call_once's */
  int phase[2][MAX_SYNC_THREADS]; /* each thread's, read by all after a barrier */
  int child_value;    /* written by a C11 thread, read after thrd_join */
} sync_state;

/* The state the once inits write (they take no argument): set by setup,
 * before the run's threads start. */
static sync_state *once_state;

static void once_init(void) {
  sched_yield(); /* another caller waits for the init meanwhile */
  once_state->once_value = 42;
}

static void c11_once_init(void) { once_state->c11_once_value = 43; }

static void sync_setup(jostle_run *r) {
  sync_state *s = jostle_state(r);
  pthread_mutex_init(&s->m, NULL);
  pthread_rwlock_init(&s->rw, NULL);
  pthread_cond_init(&s->cv, NULL);
  pthread_spin_init(&s->spin, PTHREAD_PROCESS_PRIVATE);
  sem_init(&s->sem, 0, 1);
  mtx_init(&s->c11_m, mtx_plain);
  pthread_barrier_init(&s->barrier, NULL, (unsigned)jostle_threads(r));
  s->once = (pthread_once_t)PTHREAD_ONCE_INIT;
  once_flag fresh = ONCE_FLAG_INIT;
  s->c11_once = fresh;
  once_state = s;
}

/* Critical section `k` (one per lock): never two threads inside at once. */
static void enter_cs(sync_state *s, int k) {
  if (s->in_cs[k]++) s->overlaps++;
  sched_yield();
  s->shared[k]++;
  s->in_cs[k]--;
}

static int c11_child(void *arg) {
  sync_state *s = arg;
  s->child_value = 7;
  return 7;
}

/* Each thread writes its own slot of a phase, then after the barrier reads
 * every thread's. */
static void barrier_phase(jostle_run *r, sync_state *s, int phase, int index) {
  s->phase[phase][index] = index + 1 + phase;
  pthread_barrier_wait(&s->barrier);
  for (int t = 0; t < jostle_threads(r); t++)
    if (s->phase[phase][t] != t + 1 + phase) s->overlaps++;
}

static void sync_thread(jostle_run *r, int index) {
  sync_state *s = jostle_state(r);
  struct timespec later = {0, 0}, nap = {0, 1000};
  clock_gettime(CLOCK_REALTIME, &later);
  later.tv_sec += 60;
  pthread_mutex_lock(&s->m);
  enter_cs(s, 0);
  pthread_mutex_unlock(&s->m);
  while (pthread_mutex_trylock(&s->m) != 0) sched_yield();
  enter_cs(s, 1);
  pthread_mutex_unlock(&s->m);
  if (pthread_mutex_timedlock(&s->m, &later) == 0) {
    enter_cs(s, 2);
    pthread_mutex_unlock(&s->m);
  } else {
    pthread_mutex_lock(&s->m); /* timed out: take it untimed */
    enter_cs(s, 2);
    pthread_mutex_unlock(&s->m);
  }
  pthread_rwlock_wrlock(&s->rw);
  enter_cs(s, 3);
  pthread_rwlock_unlock(&s->rw);
  pthread_rwlock_rdlock(&s->rw);
  usleep(1);
  pthread_rwlock_unlock(&s->rw);
  pthread_spin_lock(&s->spin);
  enter_cs(s, 4);
  pthread_spin_unlock(&s->spin);
  sem_wait(&s->sem);
  enter_cs(s, 5);
  sem_post(&s->sem);
  mtx_lock(&s->c11_m);
  enter_cs(s, 6);
  mtx_unlock(&s->c11_m);
  nanosleep(&nap, NULL);
  pthread_once(&s->once, once_init);
  if (s->once_value != 42) s->overlaps++;
  call_once(&s->c11_once, c11_once_init);
  if (s->c11_once_value != 43) s->overlaps++;
  barrier_phase(r, s, 0, index);
  barrier_phase(r, s, 1, index); /* the barrier again: its second round */
  if (index == 0) {
    thrd_t child;
    int rc = 0;
    if (thrd_create(&child, c11_child, s) != thrd_success || thrd_join(child, &rc) != thrd_success ||
        rc != 7 || s->child_value != 7)
      s->overlaps++;
  }
  pthread_mutex_lock(&s->m);
  if (index == 0) {
    s->ready = 1;
    pthread_cond_broadcast(&s->cv);
  } else {
    while (!s->ready) pthread_cond_wait(&s->cv, &s->m);
    pthread_cond_signal(&s->cv);
  }
  pthread_mutex_unlock(&s->m);
}

static void sync_check(jostle_run *r) {
  sync_state *s = jostle_state(r);
  int total = 0;
  for (int k = 0; k < LOCKS; k++) total += s->shared[k];
  jostle_observe(r, "shared", total);
  jostle_observe(r, "overlaps", s->overlaps);
  if (total != LOCKS * jostle_threads(r) || s->overlaps != 0) jostle_fail(r, "broken lock");
}

static void sync_teardown(jostle_run *r) {
  sync_state *s = jostle_state(r);
  pthread_mutex_destroy(&s->m);
  pthread_rwlock_destroy(&s->rw);
  pthread_cond_destroy(&s->cv);
  pthread_spin_destroy(&s->spin);
  sem_destroy(&s->sem);
  mtx_destroy(&s->c11_m);
  pthread_barrier_destroy(&s->barrier);
}

JOSTLE_SCENARIO(test_sync_all) {
    .name = "test-sync-all",
    .summary = "test only: every modelled synchronisation call used correctly; never diverges",
    .threads = 3,
    .min_threads = 2,
    .max_threads = MAX_SYNC_THREADS,
    .state_size = sizeof(sync_state),
    .setup = sync_setup,
    .thread = sync_thread,
    .check = sync_check,
    .teardown = sync_teardown,
};

/* test-barrier-race: after the barrier's first round thread 1 writes x
 * and waits at its second, while thread 0 reads x before its second:
 * nothing orders the two, in any interleaving, so with --races every run
 * races. (The write happens before thread 1 arrives again; a thread 0 that
 * left the first round late must still not be ordered after it.) */
typedef struct barrier_race_state {
  pthread_barrier_t barrier;
  int x;
  int seen; /* thread 0's */
} barrier_race_state;

static void barrier_race_setup(jostle_run *r) {
  barrier_race_state *s = jostle_state(r);
  pthread_barrier_init(&s->barrier, NULL, 2);
}

static void barrier_race_thread(jostle_run *r, int index) {
  barrier_race_state *s = jostle_state(r);
  pthread_barrier_wait(&s->barrier);
  if (index == 1) s->x = 1;
  else s->seen = s->x;
  pthread_barrier_wait(&s->barrier);
}

static void barrier_race_check(jostle_run *r) {
  barrier_race_state *s = jostle_state(r);
  jostle_observe(r, "seen", s->seen >= 0);
}

static void barrier_race_teardown(jostle_run *r) {
  barrier_race_state *s = jostle_state(r);
  pthread_barrier_destroy(&s->barrier);
}

JOSTLE_SCENARIO(test_barrier_race) {
    .name = "test-barrier-race",
    .summary = "test only: a write and a read between the same two rounds of a barrier race",
    .threads = 2,
    .min_threads = 2,
    .max_threads = 2,
    .state_size = sizeof(barrier_race_state),
    .setup = barrier_race_setup,
    .thread = barrier_race_thread,
    .check = barrier_race_check,
    .teardown = barrier_race_teardown,
};
