/* exit_code.c: a counter of two threads, unlocked; the program says a
 * lost increment by its exit status (1), as a test binary would. Also
 * keeps state in a global that each run must find as loaded. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int counter;
static int runs_seen; /* 0 as loaded: a run that finds 1 was not reset */

static void *inc(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) counter++;
  return NULL;
}

int main(void) {
  if (runs_seen++ != 0) {
    fprintf(stderr, "state left from an earlier run\n");
    return 3;
  }
  pthread_t a, b;
  pthread_create(&a, NULL, inc, NULL);
  pthread_create(&b, NULL, inc, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  if (counter != 6) {
    printf("counter=%d\n", counter);
    exit(1);
  }
  return 0;
}
