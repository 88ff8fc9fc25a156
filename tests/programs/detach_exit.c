/* detach_exit.c: a detached logger reports through a semaphore, and a
 * worker ends with pthread_exit, its cleanup handler letting go of the
 * lock it held; main joins the worker and checks what both did. */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t logged;
static int lines, cleaned;
static long answer = 42;

static void *logger(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  lines++;
  pthread_mutex_unlock(&lock);
  sem_post(&logged);
  return NULL;
}

static void let_go(void *arg) {
  (void)arg;
  cleaned = 1;
  pthread_mutex_unlock(&lock);
}

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  pthread_cleanup_push(let_go, NULL);
  lines++;
  pthread_exit(&answer);
  pthread_cleanup_pop(0);
}

int main(void) {
  pthread_t l, w;
  void *result = NULL;
  sem_init(&logged, 0, 0);
  pthread_create(&l, NULL, logger, NULL);
  pthread_detach(l);
  pthread_create(&w, NULL, worker, NULL);
  pthread_join(w, &result);
  sem_wait(&logged);
  pthread_mutex_lock(&lock);
  printf("lines=%d cleaned=%d\n", lines, cleaned);
  assert(lines == 2 && cleaned == 1 && result == &answer);
  pthread_mutex_unlock(&lock);
  return 0;
}
