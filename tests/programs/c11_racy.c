/* c11_racy.c: c11_fixed.c with the increment outside the mutex: a lost
 * update among C11 threads. */
#include <assert.h>
#include <stdio.h>
#include <threads.h>

static long count;
static int done;
static mtx_t lock;
static cnd_t finished;

static int counter(void *arg) {
  (void)arg;
  for (int i = 0; i < 5; i++) count++;
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
