/* order_print.c: two threads sign a shared log under a mutex, and main
 * prints the order they signed in, `order=AB` or `order=BA`: a correct
 * program whose output depends on the schedule, for an outcome taken from
 * what a program prints (jostle run --outcome). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char order[3];
static int signed_in;

static void *sign(void *arg) {
  pthread_mutex_lock(&lock);
  order[signed_in++] = *(const char *)arg;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, sign, "A");
  pthread_create(&b, NULL, sign, "B");
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("signed by %d threads\norder=%s\n", signed_in, order);
  return 0;
}
