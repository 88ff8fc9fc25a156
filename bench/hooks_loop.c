/*
 * hooks_loop.c: what the instrumentation hooks (schedulers/tsan_hooks.c)
 * cost when they do not switch. The Makefile builds this file twice, plain
 * (hooks_loop) and compiled like a scenario (hooks_loop-instrumented, every
 * load a call into the hooks); bench/run.sh runs both in the same run and
 * prints the ratios.
 *
 * Two memory-bound loops over arrays larger than L2, each measured with
 * the hooks in three states:
 *   none      no jostle__thread attached: outside a run (and what every
 *             thread sees under the `free` scheduler between runs);
 *   null      a jostle__thread attached whose point is NULL: a run under
 *             the `free` scheduler;
 *   noop      attached with a point function that returns at once: the
 *             floor of any scheduler that decides not to switch.
 * Loops:
 *   chase     a pointer chase through a random cycle over 4 MiB: each
 *             load waits for the previous one (latency bound);
 *   stride    a sum over 64 MiB reading one 8-byte word per 64-byte line
 *             (bandwidth bound, with the prefetchers' help).
 *
 * Usage: hooks_loop [MILLIONS]: loads per measurement, in millions (20).
 * Prints one line per measurement: "LOOP STATE NS_PER_LOAD".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/clock.h"
#include "common/seed.h"
#include "schedulers/sched.h"

enum {
  CHASE_BYTES = 4 << 20,
  STRIDE_BYTES = 64 << 20,
  STRIDE_WORDS = 8,  /* one word per 64-byte line */
};

static uint32_t *chase_next;
static uint64_t *stride_words;
static volatile uint64_t sink;

/* Sattolo's shuffle: one cycle through every slot, in random order. */
static void make_cycle(uint32_t *next, uint32_t n) {
  uint64_t rng = 1;
  for (uint32_t i = 0; i < n; i++) next[i] = i;
  for (uint32_t i = n - 1; i > 0; i--) {
    uint32_t j = (uint32_t)(jostle__splitmix(&rng) % i);
    uint32_t t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
}

__attribute__((noinline)) static uint64_t chase(uint64_t n_loads) {
  const uint32_t *next = chase_next; /* in a register: one hooked load per step */
  uint32_t at = 0;
  for (uint64_t i = 0; i < n_loads; i++) at = next[at];
  return at;
}

__attribute__((noinline)) static uint64_t stride(uint64_t n_loads) {
  const size_t n_words = STRIDE_BYTES / sizeof(uint64_t);
  const uint64_t *words = stride_words;
  uint64_t sum = 0;
  size_t at = 0;
  for (uint64_t i = 0; i < n_loads; i++) {
    sum += words[at];
    at += STRIDE_WORDS;
    if (at >= n_words) at = 0;
  }
  return sum;
}

static void noop_point(jostle__thread *t, const jostle__point *p) {
  (void)t;
  (void)p;
}

int main(int argc, char **argv) {
  const double millions = argc > 1 ? atof(argv[1]) : 20;
  if (!(millions > 0)) {
    fprintf(stderr, "hooks_loop: MILLIONS: expected a positive number, got %s\n", argv[1]);
    return 2;
  }
  const uint64_t n_loads = (uint64_t)(millions * 1e6);
  chase_next = malloc(CHASE_BYTES);
  stride_words = malloc(STRIDE_BYTES);
  if (chase_next == NULL || stride_words == NULL) {
    fprintf(stderr, "hooks_loop: out of memory\n");
    return 1;
  }
  make_cycle(chase_next, CHASE_BYTES / sizeof(uint32_t));
  for (size_t i = 0; i < STRIDE_BYTES / sizeof(uint64_t); i++) stride_words[i] = i;

  static const char *const states[] = {"none", "null", "noop"};
  static const char *const loops[] = {"chase", "stride"};
  jostle__thread t = {0};
  for (int loop = 0; loop < 2; loop++) {
    sink += loop == 0 ? chase(n_loads / 8) : stride(n_loads / 8); /* warm up */
    for (int state = 0; state < 3; state++) {
      t.point = state == 2 ? noop_point : NULL;
      jostle__thread_attach(state == 0 ? NULL : &t);
      const uint64_t start = jostle__now_ns();
      sink += loop == 0 ? chase(n_loads) : stride(n_loads);
      const uint64_t elapsed = jostle__now_ns() - start;
      jostle__thread_attach(NULL);
      printf("%s %s %.3f\n", loops[loop], states[state], (double)elapsed / (double)n_loads);
    }
  }
  free(chase_next);
  free(stride_words);
  return 0;
}
