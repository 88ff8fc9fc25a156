/* sleepy_fixed.c: a correct program that sleeps. Two threads share a
 * spin lock that backs off with sleep(0); a third sleeps an hour in each
 * of sleep, usleep, nanosleep and clock_nanosleep before it sets a flag.
 * Under a controlled scheduler a sleep is a yield in virtual time: a run
 * ends at once, where real sleeps would make it a hang. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

static atomic_flag spin = ATOMIC_FLAG_INIT;
static int counter;
static atomic_int slept;

static void *spinner(void *arg) {
  (void)arg;
  for (int i = 0; i < 20; i++) {
    while (atomic_flag_test_and_set_explicit(&spin, memory_order_acquire)) sleep(0);
    counter++;
    atomic_flag_clear_explicit(&spin, memory_order_release);
  }
  return NULL;
}

static void *sleeper(void *arg) {
  (void)arg;
  struct timespec hour = {3600, 0};
  sleep(3600);
  usleep(999999); /* usleep takes less than a second */
  nanosleep(&hour, NULL);
  clock_nanosleep(CLOCK_MONOTONIC, 0, &hour, NULL);
  atomic_store(&slept, 1);
  return NULL;
}

int main(void) {
  pthread_t a, b, c;
  pthread_create(&a, NULL, spinner, NULL);
  pthread_create(&b, NULL, spinner, NULL);
  pthread_create(&c, NULL, sleeper, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_join(c, NULL);
  assert(counter == 40);
  assert(atomic_load(&slept) == 1);
  return 0;
}
