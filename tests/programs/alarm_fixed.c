/* alarm_fixed.c: a correct program that waits for its alarm. It asks for
 * SIGALRM in a second and naps 100 ms at a time until its handler says the
 * alarm rang, while a thread adds to a counter under a mutex; it prints
 * how many naps it took (about 10). */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t rang;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int count;

static void ring(int sig) {
  (void)sig;
  rang = 1;
}

static void *adder(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    pthread_mutex_lock(&lock);
    count++;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  signal(SIGALRM, ring);
  alarm(1);
  pthread_t t;
  pthread_create(&t, NULL, adder, NULL);
  int naps = 0;
  while (!rang) {
    usleep(100000);
    naps++;
    assert(naps < 100);
  }
  pthread_join(t, NULL);
  assert(count == 3);
  printf("naps=%d\n", naps);
  return 0;
}
