/* fresh_state.c: a correct program that checks, as it starts, that its
 * process is as a fresh one would be, and then changes all of it: its
 * data, zeroed data, thread-local variables (main's and a new thread's),
 * arguments, errno, heap (a block made by a constructor included, which
 * each run frees), rand's sequence, getopt's position, exit handlers and a
 * signal disposition. Each check that fails is an assert
 * of its own. It exits with a signature of its first heap address (the
 * low bits, the same in every process): one exit status in every run when
 * the heap starts over each time. Run it as `fresh_state -v -n 3`. */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int loaded = 5;
static int zeros[64];
static _Thread_local int local = 7;
static int handler_runs;
static int first_rand = -1;
static char *made_before_main; /* by a constructor; main frees it */

__attribute__((constructor)) static void before_main(void) {
  made_before_main = malloc(16);
  strcpy(made_before_main, "constructed");
}

static void on_exit_handler(void) {
  assert(++handler_runs == 1); /* each run's handlers are its own */
}

static void *thread_main(void *arg) {
  assert(local == 7);
  assert(errno == 0);
  local = 9;
  errno = ENOENT;
  void *p = malloc(100);
  memset(p, 1, 100);
  free(p);
  return arg;
}

int main(int argc, char **argv) {
  assert(loaded == 5);
  for (int i = 0; i < 64; i++) assert(zeros[i] == 0);
  assert(local == 7);
  assert(handler_runs == 0);
  assert(argc == 4 && strcmp(argv[1], "-v") == 0);
  assert(made_before_main != NULL && strcmp(made_before_main, "constructed") == 0);
  struct sigaction now;
  assert(sigaction(SIGUSR1, NULL, &now) == 0 && now.sa_handler == SIG_DFL);

  /* rand's first value is a fresh process's */
  int r = rand();
  if (first_rand < 0) first_rand = r;
  assert(r == 1804289383);

  int opt, verbose = 0, n = 0;
  while ((opt = getopt(argc, argv, "vn:")) != -1) {
    if (opt == 'v') verbose = 1;
    else if (opt == 'n') n = atoi(optarg);
  }
  assert(verbose == 1 && n == 3 && optind == 4);

  unsigned char *first = malloc(24);
  assert(first != NULL);
  int signature = (int)(((uintptr_t)first >> 4) & 0x7f);

  strcpy(made_before_main, "used");
  free(made_before_main); /* each run frees the block the constructor made */
  loaded = 6;
  for (int i = 0; i < 64; i++) zeros[i] = i + 1;
  local = 8;
  argv[1][1] = 'x';
  signal(SIGUSR1, SIG_IGN);
  atexit(on_exit_handler);

  pthread_t t;
  assert(pthread_create(&t, NULL, thread_main, NULL) == 0);
  assert(pthread_join(t, NULL) == 0);
  assert(local == 8);
  /* blocks left allocated: the next run's heap must not see them */
  for (int i = 0; i < 10; i++) assert(malloc(1000) != NULL);
  exit(signature);
}
