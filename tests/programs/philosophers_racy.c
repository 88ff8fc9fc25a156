/* philosophers_racy.c: three dining philosophers, each takes the fork on
 * its left, then the one on its right: when all three hold their left
 * fork, none can go on (a deadlock). */
#include <pthread.h>
#include <stdio.h>

#define N 3

static pthread_mutex_t forks[N] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                                   PTHREAD_MUTEX_INITIALIZER};
static int meals;

static void *philosopher(void *arg) {
  int me = (int)(long)arg;
  int left = me, right = (me + 1) % N;
  for (int i = 0; i < 2; i++) {
    pthread_mutex_lock(&forks[left]);
    pthread_mutex_lock(&forks[right]);
    meals++;
    pthread_mutex_unlock(&forks[right]);
    pthread_mutex_unlock(&forks[left]);
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
