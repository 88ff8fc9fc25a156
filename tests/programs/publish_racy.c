/* publish_racy.c: a writer says the data is ready before it fills it: a
 * reader that sees the flag may read the data still empty. */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static int data[4];
static atomic_int ready;

static void *writer(void *arg) {
  (void)arg;
  atomic_store(&ready, 1); /* the bug: published before it is filled */
  for (int i = 0; i < 4; i++) data[i] = 10 + i;
  return NULL;
}

static void *reader(void *arg) {
  int *sum = arg;
  while (!atomic_load(&ready)) sched_yield();
  for (int i = 0; i < 4; i++) *sum += data[i];
  return NULL;
}

int main(void) {
  int sum = 0;
  pthread_t w, r;
  pthread_create(&r, NULL, reader, &sum);
  pthread_create(&w, NULL, writer, NULL);
  pthread_join(w, NULL);
  pthread_join(r, NULL);
  assert(sum == 46);
  return 0;
}
