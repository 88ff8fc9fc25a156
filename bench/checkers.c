/*
 * bench/checkers.c: one checker among N setters, for measuring how soon
 * each controlled strategy finds a race as threads are added
 * (bench/checkers.sh); not a built-in.
 *
 * Every setter writes a pair, a = 1 and then b = 1, each a plain store;
 * the checker reads a and then b. The run fails when the checker saw a
 * written and b not: its two reads fell between the first store to a
 * and the first store to b, that is, between the two writes of one
 * setter before any setter finished. Threads 1 .. N are the setters,
 * thread 0 the checker: `-D threads=N+1`.
 *
 * Why it gets harder with N: once a setter has stored a, every setter
 * that has stored a ends the window with its next step, so the window
 * closes sooner the more setters there are, while the checker, one
 * thread among N + 1, is chosen no more often. Under pct the first
 * setter to run stores both unless a change point falls between its two
 * stores, and the checker must come next among N + 1 priorities. No
 * branch depends on the interleaving but the check's.
 *
 *   checkers   -D threads=N+1 (3 .. 101; 3 by default: N = 2)
 */
#include "jostle.h"

struct pair_state {
  int a, b;
  int seen_a, seen_b;
};

static void checkers_thread(jostle_run *r, int index) {
  struct pair_state *s = jostle_state(r);
  if (index == 0) {
    s->seen_a = s->a;
    s->seen_b = s->b;
    return;
  }
  s->a = 1;
  s->b = 1;
}

static void checkers_check(jostle_run *r) {
  struct pair_state *s = jostle_state(r);
  jostle_observe(r, "a", s->seen_a);
  jostle_observe(r, "b", s->seen_b);
  if (s->seen_a && !s->seen_b) jostle_fail(r, "the checker saw a half-written pair");
}

JOSTLE_SCENARIO(checkers) {
    .name = "checkers",
    .summary = "one checker among N setters of a pair (-D threads=N+1)",
    .racy = 1,
    .threads = 3,
    .min_threads = 3,
    .max_threads = 101,
    .state_size = sizeof(struct pair_state),
    .thread = checkers_thread,
    .check = checkers_check,
};
