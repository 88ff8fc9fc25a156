/* exit_thread.c: a worker thread ends the program with exit(0) while main
 * still waits for it: a correct program (the process ends there). */
#include <pthread.h>
#include <stdlib.h>

static int ready;

static void *finisher(void *arg) {
  (void)arg;
  __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
  exit(0);
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, finisher, NULL);
  pthread_join(t, NULL);
  return 7; /* never reached: the thread exits first */
}
