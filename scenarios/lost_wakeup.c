/*
 * scenarios/lost_wakeup.c: a condition wait without a predicate, the lost
 * wakeup.
 *
 * Thread 0 waits for an event that thread 1 announces: thread 1 publishes a
 * value, sets `ready` and signals the condition variable, all under the
 * mutex. The racy waiter takes the mutex and waits at once, with no
 * `while (!ready)`: it assumes that the signal is still to come. But a
 * condition variable remembers nothing: when thread 1 signals before thread
 * 0 waits, the signal wakes nobody, and thread 0 then waits for a signal
 * that never comes, forever. (The same waiter also mistakes a spurious
 * wakeup for the event, and reads the value before it is published.)
 *
 *   lost-wakeup        a bare pthread_cond_wait (racy)
 *   lost-wakeup-fixed  while (!ready) pthread_cond_wait(...). The waiter
 *                      reads `ready` under the mutex that the announcer
 *                      holds to set it: either the event already happened
 *                      and it does not wait at all, or it is still to come,
 *                      and pthread_cond_wait releases the mutex and blocks
 *                      in one step, so the signal that follows finds it
 *                      waiting. A spurious wakeup goes round the loop and
 *                      waits again.
 *
 * Observations: woken = 1 when thread 0 got past its wait, and value = the
 * value it read then (42 once published, 0 before). A waiter that woke
 * before the event (value=0) fails the run. A waiter that never wakes
 * keeps the run from reaching the check: under the uncontrolled schedulers
 * jostle's parent kills the worker after --timeout and counts a hang, and
 * teardown does not run; the mutex and condition variable die with the
 * process.
 */
#include <pthread.h>

#include "common.h"

#define EVENT_VALUE 42

struct event {
  pthread_mutex_t lock;
  pthread_cond_t announced; /* signalled once ready is set */
  int ready;                /* guarded by lock */
  long value;               /* guarded by lock; set with ready */
  int woken;                /* thread 0's, read by the check */
  long seen_value;          /* thread 0's, read by the check */
};

static void event_setup(jostle_run *r) {
  struct event *s = jostle_state(r);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->announced, NULL);
}

/* Thread 1 of both variants: publish the value, then announce it. */
static void announce(struct event *s) {
  jostle_yield(); /* the work that produces the event */
  pthread_mutex_lock(&s->lock);
  s->value = EVENT_VALUE;
  s->ready = 1;
  pthread_cond_signal(&s->announced); /* thread 0 is the only waiter */
  pthread_mutex_unlock(&s->lock);
}

static void event_check(jostle_run *r) {
  struct event *s = jostle_state(r);
  jostle_observe(r, "woken", s->woken);
  jostle_observe(r, "value", s->seen_value);
  if (s->seen_value != EVENT_VALUE)
    jostle_fail(r, "woke before the event");
}

static void event_teardown(jostle_run *r) {
  struct event *s = jostle_state(r);
  pthread_cond_destroy(&s->announced);
  pthread_mutex_destroy(&s->lock);
}

/* ---- lost-wakeup: the racy original --------------------------------------- */

static void bare_wait_thread(jostle_run *r, int index) {
  struct event *s = jostle_state(r);

  if (index == 1) {
    announce(s);
    return;
  }
  jostle_yield(); /* the work before it waits */
  pthread_mutex_lock(&s->lock);
  pthread_cond_wait(&s->announced, &s->lock); /* no predicate: may be too late */
  s->seen_value = s->value;
  pthread_mutex_unlock(&s->lock);
  s->woken = 1;
}

JOSTLE_SCENARIO(lost_wakeup) {
  .name = "lost-wakeup",
  .summary = "condition wait without a predicate loop: a signal sent first is lost",
  .racy = 1,
  .threads = 2,
  .min_threads = 2,
  .max_threads = 2,
  .state_size = sizeof(struct event),
  .setup = event_setup,
  .thread = bare_wait_thread,
  .check = event_check,
  .teardown = event_teardown,
};

/* ---- lost-wakeup-fixed ---------------------------------------------------- */

static void predicate_wait_thread(jostle_run *r, int index) {
  struct event *s = jostle_state(r);

  if (index == 1) {
    announce(s);
    return;
  }
  jostle_yield(); /* the work before it waits */
  pthread_mutex_lock(&s->lock);
  while (!s->ready)
    pthread_cond_wait(&s->announced, &s->lock);
  s->seen_value = s->value;
  pthread_mutex_unlock(&s->lock);
  s->woken = 1;
}

JOSTLE_SCENARIO(lost_wakeup_fixed) {
  .name = "lost-wakeup-fixed",
  .summary = "condition wait in a while (!ready) loop (fix of lost-wakeup)",
  .racy = 0,
  .threads = 2,
  .min_threads = 2,
  .max_threads = 2,
  .state_size = sizeof(struct event),
  .setup = event_setup,
  .thread = predicate_wait_thread,
  .check = event_check,
  .teardown = event_teardown,
};
