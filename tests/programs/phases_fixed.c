/* phases_fixed.c: three workers fill their parts of a table with a scale
 * set up once (by whichever worker comes first), wait at a barrier, and
 * worker 0 then sums the table. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

enum { WORKERS = 3, PART = 4 };

static int table[WORKERS * PART];
static int scale;
static long total;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_barrier_t barrier;

static void init_scale(void) { scale = 2; }

static void *worker(void *arg) {
  int id = (int)(long)arg;
  pthread_once(&once, init_scale);
  for (int i = 0; i < PART; i++) table[id * PART + i] = scale;
  pthread_barrier_wait(&barrier);
  if (id == 0)
    for (int i = 0; i < WORKERS * PART; i++) total += table[i];
  return NULL;
}

int main(void) {
  pthread_t t[WORKERS];
  pthread_barrier_init(&barrier, NULL, WORKERS);
  for (long i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&barrier);
  printf("total=%ld\n", total);
  assert(total == 2 * WORKERS * PART);
  return 0;
}
