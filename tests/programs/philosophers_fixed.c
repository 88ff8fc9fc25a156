/* philosophers_fixed.c: three dining philosophers, each takes the lower-
 * numbered of its two forks first: no cycle of waits, no deadlock. */
#include <pthread.h>
#include <stdio.h>

#define N 3

static pthread_mutex_t forks[N] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                                   PTHREAD_MUTEX_INITIALIZER};
static int meals;

static void *philosopher(void *arg) {
  int me = (int)(long)arg;
  int left = me, right = (me + 1) % N;
  int first = left < right ? left : right, second = left < right ? right : left;
  for (int i = 0; i < 2; i++) {
    pthread_mutex_lock(&forks[first]);
    pthread_mutex_lock(&forks[second]);
    meals++;
    pthread_mutex_unlock(&forks[second]);
    pthread_mutex_unlock(&forks[first]);
  }
  return NULL;
}

int main(void) {
  pthread_t t[N];
  for (long i = 0; i < N; i++) pthread_create(&t[i], NULL, philosopher, (void *)i);
  for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
  printf("meals=%d\n", meals);
  return meals == 2 * N ? 0 : 1;
}
