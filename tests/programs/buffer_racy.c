/* buffer_racy.c: a one-slot buffer, one producer and two consumers. A
 * consumer waits for an item with `if` where it needs `while`: woken, it
 * may find the slot emptied by the other consumer, which came in between,
 * and take an item that is not there. */
#include <assert.h>
#include <pthread.h>

#define ITEMS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static int count, taken;

static void *producer(void *arg) {
  (void)arg;
  for (int i = 0; i < ITEMS; i++) {
    pthread_mutex_lock(&lock);
    while (count == 1) pthread_cond_wait(&not_full, &lock);
    count = 1;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  for (int i = 0; i < ITEMS / 2; i++) {
    pthread_mutex_lock(&lock);
    if (count == 0) pthread_cond_wait(&not_empty, &lock); /* the bug: if, not while */
    assert(count == 1);
    count = 0;
    taken++;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  pthread_t p, c1, c2;
  pthread_create(&c1, NULL, consumer, NULL);
  pthread_create(&c2, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(p, NULL);
  pthread_join(c1, NULL);
  pthread_join(c2, NULL);
  assert(taken == ITEMS);
  return 0;
}
