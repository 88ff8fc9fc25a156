/* lock_order.c: two threads transfer between two accounts, each taking
 * the accounts' locks in its own order: a lock-order deadlock. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t account_lock[2] = {PTHREAD_MUTEX_INITIALIZER,
                                          PTHREAD_MUTEX_INITIALIZER};
static long balance[2] = {50, 50};

static void *transfer(void *arg) {
  int from = (int)(long)arg, to = 1 - from;
  pthread_mutex_lock(&account_lock[from]);
  pthread_mutex_lock(&account_lock[to]);
  balance[from] -= 10;
  balance[to] += 10;
  pthread_mutex_unlock(&account_lock[to]);
  pthread_mutex_unlock(&account_lock[from]);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, transfer, (void *)0L);
  pthread_create(&b, NULL, transfer, (void *)1L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld %ld\n", balance[0], balance[1]);
  return 0;
}
