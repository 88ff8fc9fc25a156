/*
 * scenarios/publish.c: a message published through a flag, with and
 * without the memory order that makes it safe.
 *
 * Thread 0 writes a message, then sets a ready flag; every other thread
 * spins until it sees the flag, then reads the message. With the flag
 * stored and loaded relaxed, nothing orders the message's write before its
 * reads: a data race, though on x86 (whose stores are not reordered with
 * stores, nor loads with loads) and under a controlled scheduler (one
 * thread at a time) the reader still sees the whole message almost always.
 * Its outcome is right; only a happens-before detector (--races) sees the
 * bug, in every run. A release store read by an acquire load orders the
 * write before the reads, and so do relaxed accesses between a release
 * fence and an acquire fence, by the C11 fence rules (which
 * ThreadSanitizer, taking no fences, does not model: it reports a race).
 *
 *   publish-relaxed   flag stored and loaded relaxed (a data race that
 *                     the outcome need not show)
 *   publish-release   flag stored with release, loaded with acquire
 *   publish-fence     relaxed flag, a release fence before its store and
 *                     an acquire fence after the load that saw it
 *
 * Observation: stale = the number of readers that saw the flag but not the
 * whole message.
 */
#include <stdatomic.h>

#include "common.h"

#define MESSAGE_ID 42
#define MESSAGE_LENGTH 1500

struct message {
  int id;
  int length;
};

struct published {
  struct message message; /* written by thread 0 before the flag is set */
  atomic_int ready;
  char saw_stale[SCENARIO_MAX_THREADS]; /* by each reader: it saw a part of the message */
};

static int is_whole(const struct message *m) {
  return m->id == MESSAGE_ID && m->length == MESSAGE_LENGTH;
}

static void write_message(struct message *m) {
  m->id = MESSAGE_ID;
  m->length = MESSAGE_LENGTH;
}

static void published_check(jostle_run *r) {
  struct published *s = jostle_state(r);
  long long n_stale = 0;

  for (int i = 1; i < jostle_threads(r); i++)
    n_stale += s->saw_stale[i];
  jostle_observe(r, "stale", n_stale);
  if (n_stale > 0)
    jostle_fail(r, "a reader saw the flag before the message");
}

/* ---- publish-relaxed: the racy original ----------------------------------- */

static void relaxed_thread(jostle_run *r, int index) {
  struct published *s = jostle_state(r);
  unsigned n_steps = 0;

  if (index == 0) {
    write_message(&s->message);
    atomic_store_explicit(&s->ready, 1, memory_order_relaxed);
    return;
  }
  while (!atomic_load_explicit(&s->ready, memory_order_relaxed))
    spin_step(&n_steps);
  s->saw_stale[index] = !is_whole(&s->message);
}

JOSTLE_SCENARIO(publish_relaxed) {
  .name = "publish-relaxed",
  .summary = "message published by a relaxed flag: a data race, the outcome still right",
  .racy = JOSTLE_DATA_RACE_ONLY,
  .threads = 2,
  .min_threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .state_size = sizeof(struct published),
  .thread = relaxed_thread,
  .check = published_check,
};

/* ---- publish-release ---------------------------------------------------------- */

static void release_thread(jostle_run *r, int index) {
  struct published *s = jostle_state(r);
  unsigned n_steps = 0;

  if (index == 0) {
    write_message(&s->message);
    atomic_store_explicit(&s->ready, 1, memory_order_release);
    return;
  }
  while (!atomic_load_explicit(&s->ready, memory_order_acquire))
    spin_step(&n_steps);
  s->saw_stale[index] = !is_whole(&s->message);
}

JOSTLE_SCENARIO(publish_release) {
  .name = "publish-release",
  .summary = "the flag stored with release, loaded with acquire (fix of publish-relaxed)",
  .racy = 0,
  .threads = 2,
  .min_threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .state_size = sizeof(struct published),
  .thread = release_thread,
  .check = published_check,
};

/* ---- publish-fence ------------------------------------------------------------ */

static void fence_thread(jostle_run *r, int index) {
  struct published *s = jostle_state(r);
  unsigned n_steps = 0;

  if (index == 0) {
    write_message(&s->message);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&s->ready, 1, memory_order_relaxed);
    return;
  }
  while (!atomic_load_explicit(&s->ready, memory_order_relaxed))
    spin_step(&n_steps);
  atomic_thread_fence(memory_order_acquire);
  s->saw_stale[index] = !is_whole(&s->message);
}

JOSTLE_SCENARIO(publish_fence) {
  .name = "publish-fence",
  .summary = "relaxed flag between release and acquire fences (fix of publish-relaxed)",
  .racy = 0,
  .threads = 2,
  .min_threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .state_size = sizeof(struct published),
  .thread = fence_thread,
  .check = published_check,
};
