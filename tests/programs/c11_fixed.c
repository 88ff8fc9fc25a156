/* c11_fixed.c: C11 threads (<threads.h>): two counters add under a mutex,
 * and main waits on a condition variable until both say they are done. */
#include <assert.h>
#include <stdio.h>
#include <threads.h>

static long count;
static int done;
static mtx_t lock;
static cnd_t finished;

static int counter(void *arg) {
  (void)arg;
  for (int i = 0; i < 5; i++) {
    mtx_lock(&lock);
    count++;
    mtx_unlock(&lock);
  }
  mtx_lock(&lock);
  done++;
  cnd_signal(&finished);
  mtx_unlock(&lock);
  return 5;
}

int main(void) {
  thrd_t a, b;
  int ra = 0, rb = 0;
  mtx_init(&lock, mtx_plain);
  cnd_init(&finished);
  thrd_create(&a, counter, NULL);
  thrd_create(&b, counter, NULL);
  mtx_lock(&lock);
  while (done < 2) cnd_wait(&finished, &lock);
  mtx_unlock(&lock);
  thrd_join(a, &ra);
  thrd_join(b, &rb);
  printf("count=%ld\n", count);
  assert(count == 10 && ra == 5 && rb == 5);
  return 0;
}
