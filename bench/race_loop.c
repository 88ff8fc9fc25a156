/*
 * race_loop.c: an ordinary pthread program for bench/races.sh, which builds
 * it three ways (plain; with ThreadSanitizer, -fsanitize=thread and its
 * runtime; as jostle-cc builds a program) and compares what each costs per
 * memory access and how many runs each needs to report its race.
 *
 *   race_loop ACCESSES [clean|unordered|masked]
 *
 * Two threads each make ACCESSES loads and stores to an array of their own
 * on the heap (no race there, but every access is checked), after the
 * mode's shared accesses:
 *   clean      none (the cost measurement: a run is never cut short);
 *   unordered  both threads increment one counter, nothing orders them:
 *              a race in every interleaving;
 *   masked     thread 0 writes `data`, then locks and unlocks a mutex;
 *              thread 1 locks and unlocks it, then reads `data`. When
 *              thread 0's critical section comes first, the mutex orders
 *              the write before the read and there is no race to see;
 *              only the other order shows it. Started first, thread 0
 *              nearly always goes first on real threads.
 * Exits 0 (ThreadSanitizer's report is its own exit code).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WORDS = 4096 };

static long accesses;
static int mode; /* 0 clean, 1 unordered, 2 masked */
static long counter, data;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long results[2]; /* each thread's own */

/* accesses/2 read-modify-writes of the thread's own words */
static void own_work(uint64_t *words) {
  for (long i = 0; i < accesses / 2; i++) words[i & (WORDS - 1)] += (uint64_t)i;
}

static void *worker(void *arg) {
  long id = (long)arg;
  uint64_t *words = calloc(WORDS, sizeof *words);
  if (words == NULL) abort();
  if (mode == 1) {
    counter++;
  } else if (mode == 2 && id == 0) {
    data = 1;
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
  } else if (mode == 2) {
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    results[id] = data;
  }
  own_work(words);
  results[id] += (long)words[0];
  free(words);
  return NULL;
}

int main(int argc, char **argv) {
  static const char *const modes[] = {"clean", "unordered", "masked"};
  accesses = argc > 1 ? atol(argv[1]) : 0;
  mode = argc > 2 ? -1 : 0;
  for (int m = 0; argc > 2 && m < 3; m++)
    if (strcmp(argv[2], modes[m]) == 0) mode = m;
  if (mode < 0) {
    fprintf(stderr, "race_loop: unknown mode '%s' (clean, unordered or masked)\n", argv[2]);
    return 2;
  }
  pthread_t t[2];
  for (long i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  return 0;
}
