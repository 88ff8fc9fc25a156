/* lock_order_big.c: lock_order.c's deadlock, its locks placed after a
 * megabyte of zeroed data, past the pages mapped from the program's file:
 * they are named all the same. */
#include <pthread.h>
#include <stdio.h>

static struct {
  char ballast[1 << 20];
  pthread_mutex_t lock[2];
  long balance[2];
} bank;

static void *transfer(void *arg) {
  int from = (int)(long)arg, to = 1 - from;
  pthread_mutex_lock(&bank.lock[from]);
  pthread_mutex_lock(&bank.lock[to]);
  bank.balance[from] -= 10;
  bank.balance[to] += 10;
  pthread_mutex_unlock(&bank.lock[to]);
  pthread_mutex_unlock(&bank.lock[from]);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, transfer, (void *)0L);
  pthread_create(&b, NULL, transfer, (void *)1L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld %ld %d\n", bank.balance[0], bank.balance[1], bank.ballast[0]);
  return 0;
}
