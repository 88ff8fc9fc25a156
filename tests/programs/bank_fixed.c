/* bank_fixed.c: bank_racy.c's fixed twin: each transfer holds one lock. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static long accounts[2] = {100, 100};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *teller(void *arg) {
  int from = (int)(long)arg, to = 1 - from;
  for (int i = 0; i < 10; i++) {
    pthread_mutex_lock(&lock);
    accounts[from] -= 1;
    accounts[to] += 1;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, teller, (void *)0L);
  pthread_create(&b, NULL, teller, (void *)1L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("total=%ld\n", accounts[0] + accounts[1]);
  assert(accounts[0] + accounts[1] == 200);
  return 0;
}
