/* read_input.c: main reads its standard input, a line per item, and two
 * threads count the items' bytes under a mutex; it prints `items=N
 * bytes=B`. A correct program whose outcome is a function of its input:
 * every run of it under jostle must read the same input, from its start. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { MAX_ITEMS = 64 };

static char items[MAX_ITEMS][128];
static int n_items, next_item;
static long bytes;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *count(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    int i = next_item < n_items ? next_item++ : -1;
    if (i >= 0) bytes += (long)strlen(items[i]);
    pthread_mutex_unlock(&lock);
    if (i < 0) return NULL;
  }
}

int main(void) {
  while (n_items < MAX_ITEMS && fgets(items[n_items], sizeof items[n_items], stdin) != NULL)
    n_items++;
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, count, NULL);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  printf("items=%d bytes=%ld\n", n_items, bytes);
  return 0;
}
