/*
 * scenarios/loop_capture.c: handing a worker the address of the loop
 * variable.
 *
 * From the Go articles' closure capture bug: `for _, item := range items {
 * go func() { process(item) }() }` shares one `item` among all goroutines,
 * which mostly process a later item (before Go 1.22). The C form is the
 * classic `for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, work,
 * &i)`. Here thread 0 is the spawner: in a loop over the items it hands
 * worker i (thread i) the address of its loop variable and goes on. The
 * hand-off itself is correct (the argument is published by a release
 * store of a ready flag, read by an acquire load), so the only bug is what
 * is handed: by the time the worker reads *arg the loop has moved on. The
 * spawner then waits until every worker has acknowledged, so the loop
 * variable outlives every read of it.
 *
 *   loop-capture         the worker gets &item (racy)
 *   loop-capture-value   the worker gets item itself, the fix
 *
 * Worker i should process item i. Observation: wrong = the number of
 * workers that processed another item.
 */
#include <stdatomic.h>

#include "common.h"

/* One worker's hand-off slot: the spawner writes arg, then sets ready;
 * the worker reads arg, then sets done. */
struct mailbox {
  const int *arg_address; /* loop-capture */
  int arg_value;          /* loop-capture-value */
  atomic_int ready;       /* release by the spawner, acquire by the worker */
  atomic_int done;        /* release by the worker, acquire by the spawner */
};

struct loop {
  struct mailbox boxes[SCENARIO_MAX_THREADS];
  int processed[SCENARIO_MAX_THREADS]; /* by worker i, read by the check */
};

enum handoff { BY_ADDRESS, BY_VALUE };

static void loop_setup(jostle_run *r) {
  struct loop *s = jostle_state(r);

  for (int i = 0; i < jostle_threads(r); i++) {
    atomic_init(&s->boxes[i].ready, 0);
    atomic_init(&s->boxes[i].done, 0);
  }
}

static void spawner(jostle_run *r, enum handoff how) {
  struct loop *s = jostle_state(r);
  int n_workers = jostle_threads(r) - 1;
  int item; /* the loop variable; it lives until every worker is done */

  for (item = 1; item <= n_workers; item++) {
    struct mailbox *box = &s->boxes[item];

    if (how == BY_ADDRESS)
      box->arg_address = &item; /* the bug: every worker gets the same &item */
    else
      box->arg_value = item;
    atomic_store_explicit(&box->ready, 1, memory_order_release);
    jostle_yield(); /* starting the worker takes a while */
  }
  for (int i = 1; i <= n_workers; i++) {
    unsigned n_steps = 0;

    while (!atomic_load_explicit(&s->boxes[i].done, memory_order_acquire))
      spin_step(&n_steps);
  }
}

static void worker(jostle_run *r, int index, enum handoff how) {
  struct loop *s = jostle_state(r);
  struct mailbox *box = &s->boxes[index];
  unsigned n_steps = 0;

  while (!atomic_load_explicit(&box->ready, memory_order_acquire))
    spin_step(&n_steps);
  if (how == BY_ADDRESS)
    s->processed[index] = *box->arg_address; /* races with item++ */
  else
    s->processed[index] = box->arg_value;
  atomic_store_explicit(&box->done, 1, memory_order_release);
}

static void loop_check(jostle_run *r) {
  struct loop *s = jostle_state(r);
  long long n_wrong = 0;

  for (int i = 1; i < jostle_threads(r); i++)
    n_wrong += s->processed[i] != i;
  jostle_observe(r, "wrong", n_wrong);
  if (n_wrong != 0)
    jostle_fail(r, "worker processed another item");
}

/* ---- loop-capture: the racy original --------------------------------------- */

static void address_thread(jostle_run *r, int index) {
  if (index == 0)
    spawner(r, BY_ADDRESS);
  else
    worker(r, index, BY_ADDRESS);
}

JOSTLE_SCENARIO(loop_capture) {
  .name = "loop-capture",
  .summary = "spawner hands each worker &item of its loop: workers see a later item",
  .racy = 1,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .state_size = sizeof(struct loop),
  .setup = loop_setup,
  .thread = address_thread,
  .check = loop_check,
};

/* ---- loop-capture-value ------------------------------------------------------ */

static void value_thread(jostle_run *r, int index) {
  if (index == 0)
    spawner(r, BY_VALUE);
  else
    worker(r, index, BY_VALUE);
}

JOSTLE_SCENARIO(loop_capture_value) {
  .name = "loop-capture-value",
  .summary = "spawner hands each worker the item itself (fix of loop-capture)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .state_size = sizeof(struct loop),
  .setup = loop_setup,
  .thread = value_thread,
  .check = loop_check,
};
