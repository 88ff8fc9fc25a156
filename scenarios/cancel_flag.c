/*
 * scenarios/cancel_flag.c: a cancellation status published without
 * synchronisation.
 *
 * From the Go articles' context-aware goroutine that writes shared state
 * when its context is done (`<-ctx.Done(); status = "cancelled"`) while
 * others read it. Here the status is a struct {state, reason text}. Thread
 * 0 cancels the job after a little work of its own; the other threads work
 * in units, poll the status between units, and on seeing "cancelled" copy
 * the reason and stop. The canceller writes the natural way, state first,
 * then the reason: a worker that polls in between sees "cancelled" with an
 * empty or half-written reason (a torn status).
 *
 *   cancel-flag          state then reason, plain stores and loads (racy)
 *   cancel-flag-atomic   reason first, then the state by an atomic release
 *                        store; workers read the state by an acquire load
 *                        and only then the reason
 *
 * Observation: torn = the number of workers that saw "cancelled" with a
 * reason other than the full one. A worker that finishes its work before
 * the cancel arrives is fine and not counted.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

enum { P_WORK_UNITS, P_CANCEL_AFTER };

static const jostle_param_def params[] = {
  {"work_units", 1000, 1, 1000000, "units of work of each worker, polling between units"},
  {"cancel_after", 2, 0, 1000000, "units of work thread 0 does before it cancels"},
  {.name = NULL},
};

enum { STATE_RUNNING, STATE_CANCELLED }; /* STATE_RUNNING is 0: zeroed state */

#define REASON_SIZE 128

/* Long, as real messages are: the copy of a half-written one is often the
 * start of it followed by zeros. */
static const char cancel_reason[] =
    "job cancelled: deadline of 250 ms exceeded while waiting for a connection from the pool";

/* What a worker saw when it stopped. Written by that worker only. */
struct view {
  int saw_cancel;
  char reason[REASON_SIZE];
};

static void work_unit(void) {
  jostle_yield();
}

static void check_views(jostle_run *r, const struct view *views) {
  long long n_torn = 0;

  for (int i = 1; i < jostle_threads(r); i++)
    n_torn += views[i].saw_cancel &&
              memcmp(views[i].reason, cancel_reason, sizeof cancel_reason) != 0;
  jostle_observe(r, "torn", n_torn);
  if (n_torn != 0)
    jostle_fail(r, "saw cancelled with a torn reason");
}

/* ---- cancel-flag: the racy original --------------------------------------- */

struct status {
  int state;
  char reason[REASON_SIZE];
};

struct racy {
  struct status status;
  struct view views[SCENARIO_MAX_THREADS];
};

static void cancel(struct status *st, const char *reason) {
  st->state = STATE_CANCELLED;
  jostle_yield();
  snprintf(st->reason, sizeof st->reason, "%s", reason);
}

static void racy_thread(jostle_run *r, int index) {
  struct racy *s = jostle_state(r);
  long long n_units;

  if (index == 0) {
    n_units = jostle_param(r, P_CANCEL_AFTER);
    for (long long i = 0; i < n_units; i++)
      work_unit();
    cancel(&s->status, cancel_reason);
    return;
  }
  n_units = jostle_param(r, P_WORK_UNITS);
  for (long long i = 0; i < n_units; i++) {
    if (s->status.state == STATE_CANCELLED) {
      struct view *v = &s->views[index];

      v->saw_cancel = 1;
      memcpy(v->reason, s->status.reason, sizeof v->reason);
      return;
    }
    work_unit();
  }
}

static void racy_check(jostle_run *r) {
  struct racy *s = jostle_state(r);
  check_views(r, s->views);
}

JOSTLE_SCENARIO(cancel_flag) {
  .name = "cancel-flag",
  .summary = "status {state, reason} written state first, unsynchronised: torn status",
  .racy = 1,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .params = params,
  .state_size = sizeof(struct racy),
  .thread = racy_thread,
  .check = racy_check,
};

/* ---- cancel-flag-atomic ---------------------------------------------------- */

struct atomic_status {
  atomic_int state;
  char reason[REASON_SIZE]; /* written once, before state becomes CANCELLED */
};

struct fixed {
  struct atomic_status status;
  struct view views[SCENARIO_MAX_THREADS];
};

static void fixed_setup(jostle_run *r) {
  struct fixed *s = jostle_state(r);
  atomic_init(&s->status.state, STATE_RUNNING);
}

static void cancel_atomic(struct atomic_status *st, const char *reason) {
  snprintf(st->reason, sizeof st->reason, "%s", reason);
  jostle_yield();
  /* Release: whoever reads CANCELLED by an acquire load sees the reason. */
  atomic_store_explicit(&st->state, STATE_CANCELLED, memory_order_release);
}

static void fixed_thread(jostle_run *r, int index) {
  struct fixed *s = jostle_state(r);
  long long n_units;

  if (index == 0) {
    n_units = jostle_param(r, P_CANCEL_AFTER);
    for (long long i = 0; i < n_units; i++)
      work_unit();
    cancel_atomic(&s->status, cancel_reason);
    return;
  }
  n_units = jostle_param(r, P_WORK_UNITS);
  for (long long i = 0; i < n_units; i++) {
    if (atomic_load_explicit(&s->status.state, memory_order_acquire) ==
        STATE_CANCELLED) {
      struct view *v = &s->views[index];

      v->saw_cancel = 1;
      memcpy(v->reason, s->status.reason, sizeof v->reason);
      return;
    }
    work_unit();
  }
}

static void fixed_check(jostle_run *r) {
  struct fixed *s = jostle_state(r);
  check_views(r, s->views);
}

JOSTLE_SCENARIO(cancel_flag_atomic) {
  .name = "cancel-flag-atomic",
  .summary = "reason written first, state published by a release store (fix of cancel-flag)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .params = params,
  .state_size = sizeof(struct fixed),
  .setup = fixed_setup,
  .thread = fixed_thread,
  .check = fixed_check,
};
