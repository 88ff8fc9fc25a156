/* quick_exit.c: ends with quick_exit, with status 0 once its thread's
 * work is seen, 5 when it is not. */
#include <pthread.h>
#include <stdlib.h>

static int done;

static void *work(void *arg) {
  (void)arg;
  done = 1;
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  pthread_join(t, NULL);
  quick_exit(done ? 0 : 5);
}
