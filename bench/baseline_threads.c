/*
 * baseline_threads.c: the lost-increment counter run the naive way, a new
 * pair of threads per run (create, join), as a test loop would do it.
 * usage: baseline_threads SECONDS
 * prints: runs=N divergent=D elapsed_ns=T
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long counter;

static void *increment(void *arg) {
  (void)arg;
  counter++;
  return NULL;
}

static unsigned long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  unsigned long long start = now_ns(), end = start + (unsigned long long)(seconds * 1e9);
  unsigned long long runs = 0, divergent = 0, now;
  do {
    for (int batch = 0; batch < 64; batch++) {
      pthread_t a, b;
      counter = 0;
      if (pthread_create(&a, NULL, increment, NULL) != 0 ||
          pthread_create(&b, NULL, increment, NULL) != 0) {
        perror("pthread_create");
        return 3;
      }
      pthread_join(a, NULL);
      pthread_join(b, NULL);
      runs++;
      divergent += counter != 2;
    }
    now = now_ns();
  } while (now < end);
  printf("runs=%llu divergent=%llu elapsed_ns=%llu\n", runs, divergent, now - start);
  return 0;
}
