/* shutdown_fixed.c: a pool of two workers takes tasks from a queue; main
 * queues four tasks and then asks the pool to shut down. A worker leaves
 * only when the queue is empty: every task runs. */
#include <assert.h>
#include <pthread.h>

#define TASKS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int queued, done, shutting_down;

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (queued == 0 && !shutting_down) pthread_cond_wait(&work, &lock);
    if (queued == 0) break; /* shutting down, and nothing left */
    queued--;
    done++;
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < TASKS; i++) {
    pthread_mutex_lock(&lock);
    queued++;
    pthread_cond_signal(&work);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  shutting_down = 1;
  pthread_cond_broadcast(&work);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  assert(done == TASKS);
  return 0;
}
