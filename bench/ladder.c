/*
 * bench/ladder.c: a race only a deep interleaving shows, for measuring
 * search (bench/fuzz.sh); not a built-in.
 *
 * Thread 1 stores 1, 2, 3, ... into x; thread 0 loads x K times. The run
 * fails when thread 0's loads saw exactly 2, 3, 6, 7, 9, 11, 12, 15 (the
 * first K of them): between its loads thread 1 must make exactly 2, 1, 3,
 * 1, 2, 2, 1, 3 stores, an irregular pattern of switches at exact points
 * (not a regular alternation, which a fuzzer's bytes such as 0x55 spell
 * out at once). A uniformly random schedule does it about once in 2^(K +
 * stores): 2^11, 2^14 and 2^17 runs for K = 4, 5, 6 (the model; measured
 * about twice as often). pct with depth 3 has two priority changes and
 * cannot do it for K > 1. The built-ins' races need one or two switches
 * (bench/fuzz.sh shows how soon everything finds them); here the
 * interleaving itself is the whole search space, which is what
 * interleaving feedback is meant to guide.
 *
 * Every step is written out, so each has its own program counter and a
 * pair of accesses names its step. No branch of the threads or the check
 * depends on what a load saw: the scenario's code coverage is the same for
 * every interleaving, and only the interleaving feedback tells them apart.
 *
 *   ladder-4, ladder-5, ladder-6   K = 4, 5, 6
 */
#include <stdatomic.h>

#include "jostle.h"

#define MAX_STEPS 8

/* what the i-th load must see: the stores made before it */
static const long wanted[MAX_STEPS] = {2, 3, 6, 7, 9, 11, 12, 15};

struct ladder {
  _Atomic long x;
  long seen[MAX_STEPS];
};

static int steps(const jostle_run *r) { return (int)jostle_param(r, 0); }

#define STORE(i) \
  if ((i) < wanted[k - 1]) atomic_store_explicit(&s->x, (i) + 1, memory_order_relaxed)
#define LOAD(i) \
  if ((i) < k) seen[i] = atomic_load_explicit(&s->x, memory_order_relaxed)

static void ladder_thread(jostle_run *r, int index) {
  struct ladder *s = jostle_state(r);
  int k = steps(r);
  if (index == 1) {
    STORE(0); STORE(1); STORE(2); STORE(3); STORE(4); STORE(5); STORE(6); STORE(7);
    STORE(8); STORE(9); STORE(10); STORE(11); STORE(12); STORE(13); STORE(14);
    return;
  }
  long seen[MAX_STEPS] = {0};
  LOAD(0); LOAD(1); LOAD(2); LOAD(3); LOAD(4); LOAD(5); LOAD(6); LOAD(7);
  for (int i = 0; i < k; i++) s->seen[i] = seen[i];
}

static void ladder_check(jostle_run *r) {
  struct ladder *s = jostle_state(r);
  long differs = 0;
  for (int i = 0; i < steps(r); i++) differs |= s->seen[i] ^ wanted[i];
  jostle_observe(r, "climbed", differs == 0);
  if (differs == 0) jostle_fail(r, "thread 0 saw every store");
}

#define LADDER(id, name_, k_)                                                        \
  static const jostle_param_def id##_params[] = {                                    \
    {"steps", k_, 1, MAX_STEPS, "loads of thread 0"},            \
    {.name = NULL},                                                                  \
  };                                                                                 \
  JOSTLE_SCENARIO(id) {                                                              \
    .name = name_,                                                                   \
    .summary = "a race that needs 2K-1 switches at exact points (K = " #k_ ")",      \
    .racy = 1,                                                                       \
    .threads = 2,                                                                    \
    .params = id##_params,                                                           \
    .state_size = sizeof(struct ladder),                                             \
    .thread = ladder_thread,                                                         \
    .check = ladder_check,                                                           \
  }

LADDER(ladder_4, "ladder-4", 4);
LADDER(ladder_5, "ladder-5", 5);
LADDER(ladder_6, "ladder-6", 6);
