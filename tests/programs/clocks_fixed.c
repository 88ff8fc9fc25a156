/* clocks_fixed.c: a correct program that trusts its clocks. A thread
 * sleeps 20 ms and main checks that 20 ms passed; a timed wait on a
 * condition variable (on the monotonic clock) that nobody signals returns
 * at its deadline, and the clock then reads at least the deadline; a loop
 * that waits on the clock alone for 1 ms ends. It prints the time it
 * started, in seconds. */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never;

static double seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *sleeper(void *arg) {
  (void)arg;
  usleep(20000);
  return NULL;
}

static void *waiter(void *arg) {
  (void)arg;
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_nsec += 5000000;
  if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
  pthread_mutex_lock(&lock);
  int rc = 0;
  while (rc != ETIMEDOUT) rc = pthread_cond_timedwait(&never, &lock, &deadline);
  pthread_mutex_unlock(&lock);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  assert(now.tv_sec > deadline.tv_sec ||
         (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec));
  return NULL;
}

int main(void) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&never, &attr);
  struct timeval started;
  gettimeofday(&started, NULL);
  double start = seconds(CLOCK_MONOTONIC);
  pthread_t a, b;
  pthread_create(&a, NULL, sleeper, NULL);
  pthread_create(&b, NULL, waiter, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(seconds(CLOCK_MONOTONIC) - start >= 0.02);
  double until = seconds(CLOCK_REALTIME) + 0.001;
  while (seconds(CLOCK_REALTIME) < until) {
  }
  printf("started=%ld time=%ld\n", (long)started.tv_sec, (long)time(NULL) - (long)started.tv_sec);
  return 0;
}
