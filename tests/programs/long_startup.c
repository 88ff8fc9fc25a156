/* long_startup.c: main fills a large table alone (300,000 stores, more
 * points than the default step limit) before two workers sum halves of it
 * under a lock. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

enum { N = 100000 };

static long table[N];
static long total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
  long half = (long)arg, sum = 0;
  for (long i = half * (N / 2); i < (half + 1) * (N / 2); i += 1000) sum += table[i];
  pthread_mutex_lock(&lock);
  total += sum;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  for (int pass = 0; pass < 3; pass++)
    for (long i = 0; i < N; i++) table[i] = pass + 1;
  pthread_t a, b;
  pthread_create(&a, NULL, worker, (void *)0L);
  pthread_create(&b, NULL, worker, (void *)1L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("total=%ld\n", total);
  assert(total == 3 * (N / 1000));
  return 0;
}
