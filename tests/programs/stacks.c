/* stacks.c: threads with stacks of their own choosing. One runs on a stack
 * the program gives it (pthread_attr_setstack) and checks that its locals
 * live there; one asks for a stack larger than the default
 * (pthread_attr_setstacksize) and uses most of it. Both add to a counter
 * under a mutex; main checks the sum. */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIVEN_SIZE (4u << 20) /* room for a sanitizer runtime's own use */
#define LARGE_SIZE (32u << 20)
#define LARGE_USE (12u << 20) /* more than the usual 8 MiB default */

static char *given;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long sum;

static void add(long v) {
  pthread_mutex_lock(&lock);
  sum += v;
  pthread_mutex_unlock(&lock);
}

static void *on_given_stack(void *arg) {
  char here;
  assert(&here >= given && &here < given + GIVEN_SIZE);
  add((long)(intptr_t)arg);
  return NULL;
}

static void *on_large_stack(void *arg) {
  volatile char big[LARGE_USE];
  memset((char *)big, 1, sizeof big);
  add((long)(intptr_t)arg + big[LARGE_USE - 1] - 1);
  return NULL;
}

int main(void) {
  given = aligned_alloc(4096, GIVEN_SIZE);
  assert(given != NULL);
  pthread_attr_t own, large;
  pthread_attr_init(&own);
  pthread_attr_setstack(&own, given, GIVEN_SIZE);
  pthread_attr_init(&large);
  pthread_attr_setstacksize(&large, LARGE_SIZE);
  pthread_t a, b;
  assert(pthread_create(&a, &own, on_given_stack, (void *)1) == 0);
  assert(pthread_create(&b, &large, on_large_stack, (void *)2) == 0);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_attr_destroy(&own);
  pthread_attr_destroy(&large);
  free(given);
  printf("sum=%ld\n", sum);
  assert(sum == 3);
  return 0;
}
