/* publish_fixed.c: a writer fills the data, then says it is ready (a
 * release store); a reader that sees the flag (an acquire load) reads it
 * full. */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static int data[4];
static atomic_int ready;

static void *writer(void *arg) {
  (void)arg;
  for (int i = 0; i < 4; i++) data[i] = 10 + i;
  atomic_store_explicit(&ready, 1, memory_order_release);
  return NULL;
}

static void *reader(void *arg) {
  int *sum = arg;
  while (!atomic_load_explicit(&ready, memory_order_acquire)) sched_yield();
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
