/* insert_racy.c: check-then-insert into a set with the check and the
 * insert in two critical sections: two threads adding one key may both
 * find it missing and both add it. */
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int keys[8], n_keys;

static int contains(int key) {
  for (int i = 0; i < n_keys; i++)
    if (keys[i] == key) return 1;
  return 0;
}

static void *adder(void *arg) {
  int key = (int)(long)arg;
  pthread_mutex_lock(&lock);
  int found = contains(key);
  pthread_mutex_unlock(&lock);
  if (!found) {
    pthread_mutex_lock(&lock);
    keys[n_keys++] = key;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, adder, (void *)7L);
  pthread_create(&b, NULL, adder, (void *)7L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(n_keys == 1);
  return 0;
}
