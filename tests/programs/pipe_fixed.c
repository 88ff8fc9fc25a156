/* pipe_fixed.c: a correct program whose threads talk through a pipe: a
 * producer writes three messages, a consumer reads them as they come and
 * answers through a second pipe, which main polls. The consumer first
 * reads a pipe nobody writes, set not to wait: it returns at once. Then
 * main polls that pipe for 50 ms while a thread spins until the poll has
 * timed out. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static int to_consumer[2], to_main[2], idle[2];
static atomic_int polled;

static void *spinner(void *arg) {
  (void)arg;
  while (!atomic_load(&polled)) sched_yield();
  return NULL;
}

static void *producer(void *arg) {
  (void)arg;
  for (char m = 'a'; m < 'd'; m++) assert(write(to_consumer[1], &m, 1) == 1);
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  char none;
  assert(read(idle[0], &none, 1) == -1 && errno == EAGAIN);
  char got[3];
  for (int i = 0; i < 3; i++) assert(read(to_consumer[0], &got[i], 1) == 1);
  assert(got[0] == 'a' && got[1] == 'b' && got[2] == 'c');
  char done = '!';
  assert(write(to_main[1], &done, 1) == 1);
  return NULL;
}

int main(void) {
  assert(pipe(to_consumer) == 0 && pipe(to_main) == 0 && pipe(idle) == 0);
  assert(fcntl(idle[0], F_SETFL, O_NONBLOCK) == 0);
  pthread_t p, c;
  pthread_create(&c, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  struct pollfd answer = {.fd = to_main[0], .events = POLLIN};
  assert(poll(&answer, 1, -1) == 1);
  char done;
  assert(read(to_main[0], &done, 1) == 1 && done == '!');
  pthread_join(p, NULL);
  pthread_join(c, NULL);
  pthread_t s;
  pthread_create(&s, NULL, spinner, NULL);
  struct pollfd quiet = {.fd = idle[0], .events = POLLIN};
  assert(poll(&quiet, 1, 50) == 0);
  atomic_store(&polled, 1);
  pthread_join(s, NULL);
  for (int i = 0; i < 2; i++) close(to_consumer[i]), close(to_main[i]), close(idle[i]);
  puts("done");
  return 0;
}
