/* lazy_racy.c: lazy initialisation without pthread_once: both threads may
 * see the configuration missing and make it, each its own, so the two
 * use different ones (and one leaks). */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct config {
  int value;
} config;

static config *shared;
static int made;

static config *get_config(void) {
  if (shared == NULL) {
    config *c = malloc(sizeof *c);
    c->value = 42;
    made++;
    shared = c;
  }
  return shared;
}

static void *user(void *arg) {
  config **seen = arg;
  *seen = get_config();
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
