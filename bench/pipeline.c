/*
 * bench/pipeline.c: a two-stage hand-off among N producers, for measuring
 * how soon each controlled strategy finds a race as producers are added
 * (bench/checkers.sh SCENARIO=pipeline); not a built-in.
 *
 * Producer i announces its item (stage one: last = i + 1) and only then
 * fills it (stage two: filled[i] = 1): the two stages in the wrong order.
 * The consumer reads the last announcement and then whether that item is
 * filled. The run fails when it saw an item announced and not filled:
 * both its reads fell between the two stages of the producer whose
 * announcement was the last at its first read. Threads 1 .. N are the
 * producers, thread 0 the consumer: `-D threads=N+1`.
 *
 * Unlike bench/checkers.c, every announcement opens a window of its own
 * (a later producer's announcement replaces the last), and a window is
 * closed only by its own producer's second stage, not by any other's: the
 * consumer must be chosen right after the one producer whose window is
 * open, among N + 1 threads.
 *
 *   pipeline   -D threads=N+1 (3 .. 101; 3 by default: N = 2)
 */
#include "jostle.h"

enum { MAX_PRODUCERS = 100 };

struct pipeline_state {
  int last;
  int filled[MAX_PRODUCERS];
  int seen_last, seen_filled;
};

static void pipeline_thread(jostle_run *r, int index) {
  struct pipeline_state *s = jostle_state(r);
  if (index == 0) {
    int last = s->last;
    s->seen_last = last;
    s->seen_filled = last ? s->filled[last - 1] : 0;
    return;
  }
  s->last = index;
  s->filled[index - 1] = 1;
}

static void pipeline_check(jostle_run *r) {
  struct pipeline_state *s = jostle_state(r);
  int half = s->seen_last && !s->seen_filled;
  jostle_observe(r, "announced", s->seen_last != 0);
  jostle_observe(r, "filled", s->seen_filled);
  if (half) jostle_fail(r, "the consumer took an item announced and not filled");
}

JOSTLE_SCENARIO(pipeline) {
    .name = "pipeline",
    .summary = "a consumer among N producers that announce before they fill (-D threads=N+1)",
    .racy = 1,
    .threads = 3,
    .min_threads = 3,
    .max_threads = 101,
    .state_size = sizeof(struct pipeline_state),
    .thread = pipeline_thread,
    .check = pipeline_check,
};
