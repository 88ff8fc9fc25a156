/* lazy_fixed.c: lazy initialisation with pthread_once: the configuration
 * is made once, and every thread sees it made. */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct config {
  int value;
} config;

static config *shared;
static int made;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void make_config(void) {
  config *c = malloc(sizeof *c);
  c->value = 42;
  made++;
  shared = c;
}

static void *user(void *arg) {
  config **seen = arg;
  pthread_once(&once, make_config);
  *seen = shared;
  return NULL;
}

int main(void) {
  config *seen[2];
  pthread_t a, b;
  pthread_create(&a, NULL, user, &seen[0]);
  pthread_create(&b, NULL, user, &seen[1]);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(made == 1);
  assert(seen[0] == seen[1] && seen[0]->value == 42);
  return 0;
}
