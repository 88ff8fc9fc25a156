/* main_exit.c: main starts two workers and ends with pthread_exit; the
 * process goes on until they are done, and its exit handler checks that
 * both finished. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int finished;

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  if (++finished == 2) printf("finished=%d\n", finished);
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void both_finished(void) { assert(finished == 2); }

int main(void) {
  pthread_t t[2];
  atexit(both_finished);
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, NULL);
  pthread_exit(NULL);
}
