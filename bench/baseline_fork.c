/*
 * baseline_fork.c: the lost-increment counter with a new process per run
 * (fork, two threads, exit with the verdict), the way isolating each run
 * in its own process would do it.
 * usage: baseline_fork SECONDS
 * prints: runs=N divergent=D elapsed_ns=T
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 3;
    }
    if (pid == 0) {
      pthread_t a, b;
      if (pthread_create(&a, NULL, increment, NULL) != 0 ||
          pthread_create(&b, NULL, increment, NULL) != 0)
        _exit(3);
      pthread_join(a, NULL);
      pthread_join(b, NULL);
      _exit(counter == 2 ? 0 : 1);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
      fprintf(stderr, "baseline_fork: child failed\n");
      return 3;
    }
    runs++;
    divergent += WEXITSTATUS(status) == 1;
    now = now_ns();
  } while (now < end);
  printf("runs=%llu divergent=%llu elapsed_ns=%llu\n", runs, divergent, now - start);
  return 0;
}
