/* many_fixed.c: a correct program at the scale of a real one: 500
 * threads (400 joined, 100 detached that report through a semaphore),
 * 5,000 mutexes on the heap, a barrier that all 400 joined threads cross,
 * and a short sleep in each. Every thread adds to ten mutexes' counters of
 * its own and to one shared counter; main checks every sum. */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

#define JOINED 400
#define DETACHED 100
#define MUTEXES 5000
#define PER_THREAD (MUTEXES / (JOINED + DETACHED))

static pthread_mutex_t *locks;
static int *counts;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;
static long total;
static pthread_barrier_t barrier;
static sem_t detached_done;

static void work(long me) {
  struct timespec tick = {0, 1000};
  for (int k = 0; k < PER_THREAD; k++) {
    int m = (int)me * PER_THREAD + k;
    pthread_mutex_lock(&locks[m]);
    counts[m]++;
    pthread_mutex_unlock(&locks[m]);
  }
  nanosleep(&tick, NULL);
  pthread_mutex_lock(&total_lock);
  total += me;
  pthread_mutex_unlock(&total_lock);
}

static void *joined(void *arg) {
  work((long)arg);
  pthread_barrier_wait(&barrier);
  return NULL;
}

static void *detached(void *arg) {
  work((long)arg);
  sem_post(&detached_done);
  return NULL;
}

int main(void) {
  locks = malloc(MUTEXES * sizeof *locks);
  counts = calloc(MUTEXES, sizeof *counts);
  assert(locks != NULL && counts != NULL);
  for (int m = 0; m < MUTEXES; m++) pthread_mutex_init(&locks[m], NULL);
  pthread_barrier_init(&barrier, NULL, JOINED);
  sem_init(&detached_done, 0, 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t[JOINED];
  long n = 0;
  for (int i = 0; i < JOINED; i++) assert(pthread_create(&t[i], NULL, joined, (void *)n++) == 0);
  for (int i = 0; i < DETACHED; i++) {
    pthread_t d;
    assert(pthread_create(&d, &attr, detached, (void *)n++) == 0);
  }
  for (int i = 0; i < JOINED; i++) assert(pthread_join(t[i], NULL) == 0);
  for (int i = 0; i < DETACHED; i++) sem_wait(&detached_done);
  for (int m = 0; m < MUTEXES; m++) assert(counts[m] == 1);
  assert(total == (long)(JOINED + DETACHED) * (JOINED + DETACHED - 1) / 2);
  pthread_barrier_destroy(&barrier);
  for (int m = 0; m < MUTEXES; m++) pthread_mutex_destroy(&locks[m]);
  free(locks);
  free(counts);
  return 0;
}
