/* bank_racy.c: two tellers move money between two accounts without a
 * lock; the total is checked at the end. A lost update breaks it. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static long accounts[2] = {100, 100};

static void *teller(void *arg) {
  int from = (int)(long)arg, to = 1 - from;
  for (int i = 0; i < 10; i++) {
    long f = accounts[from];
    accounts[from] = f - 1;
    long t = accounts[to];
    accounts[to] = t + 1;
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
