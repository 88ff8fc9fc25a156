/* interleave.c: a correct program whose exit status is a fingerprint of
 * the order in which its three threads took a lock (a hash of the
 * sequence of their numbers, 0 to 255): under a controlled scheduler, a
 * function of the run's seed, so two runs of one seed that exit
 * differently did not run the same schedule. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 3
#define ROUNDS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int order[THREADS * ROUNDS];
static int n;

static void *worker(void *arg) {
  int me = (int)(long)arg;
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&lock);
    order[n++] = me;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  unsigned hash = 2166136261u;
  for (int i = 0; i < n; i++) hash = (hash ^ (unsigned)order[i]) * 16777619u;
  printf("order");
  for (int i = 0; i < n; i++) printf(" %d", order[i]);
  printf("\n");
  return (int)(hash & 0xff);
}
