/* hits_racy.c: two threads count hits in one global without a lock, and
 * main only prints the count: a data race that no exit status shows. */
#include <pthread.h>
#include <stdio.h>

static long hits;

static void *visitor(void *arg) {
  (void)arg;
  for (int i = 0; i < 5; i++) hits++;
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, visitor, NULL);
  pthread_create(&b, NULL, visitor, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("hits=%ld\n", hits);
  return 0;
}
