/*
 * scenarios/counter.c: the lost increment, and three ways to fix it.
 *
 * From the Go articles' first example: many goroutines run `counter++` on
 * one shared int. `counter++` is a load, an add and a store; two threads
 * that load the same value both store value + 1, and an increment is lost.
 * The fixes are the articles' production patterns: a mutex, an atomic add,
 * and ownership (one goroutine owns the value, the others send it
 * increments over a channel).
 *
 *   counter          plain counter++ from every thread (racy)
 *   counter-mutex    counter++ under a mutex
 *   counter-atomic   atomic_fetch_add
 *   counter-owner    thread 0 owns the counter; the others send increments
 *                    through a mutex and condition-variable queue
 *
 * Every variant observes the final counter and fails the run unless it
 * equals the number of increments made.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "common.h"

enum { P_INCREMENTS };

static const jostle_param_def params[] = {
  {"increments", 1, 1, 1000000, "increments made by each counting thread"},
  {.name = NULL},
};

static void check_counter(jostle_run *r, long counter, long expected) {
  jostle_observe(r, "counter", counter);
  if (counter != expected)
    jostle_fail(r, "lost increments");
}

/* ---- counter: the racy original ---------------------------------------- */

struct plain {
  long counter;
};

static void plain_thread(jostle_run *r, int index) {
  struct plain *s = jostle_state(r);
  long n_increments = jostle_param(r, P_INCREMENTS);

  (void)index;
  for (long i = 0; i < n_increments; i++) {
    jostle_yield();
    s->counter++;
  }
}

static void plain_check(jostle_run *r) {
  struct plain *s = jostle_state(r);
  check_counter(r, s->counter, jostle_threads(r) * jostle_param(r, P_INCREMENTS));
}

JOSTLE_SCENARIO(counter) {
  .name = "counter",
  .summary = "plain counter++ from every thread: lost increments",
  .racy = 1,
  .threads = 2,
  .params = params,
  .state_size = sizeof(struct plain),
  .thread = plain_thread,
  .check = plain_check,
};

/* ---- counter-mutex ------------------------------------------------------ */

struct locked {
  pthread_mutex_t lock;
  long counter; /* guarded by lock */
};

static void locked_setup(jostle_run *r) {
  struct locked *s = jostle_state(r);
  pthread_mutex_init(&s->lock, NULL);
}

static void locked_thread(jostle_run *r, int index) {
  struct locked *s = jostle_state(r);
  long n_increments = jostle_param(r, P_INCREMENTS);

  (void)index;
  for (long i = 0; i < n_increments; i++) {
    jostle_yield();
    pthread_mutex_lock(&s->lock);
    s->counter++;
    pthread_mutex_unlock(&s->lock);
  }
}

static void locked_check(jostle_run *r) {
  struct locked *s = jostle_state(r);
  check_counter(r, s->counter, jostle_threads(r) * jostle_param(r, P_INCREMENTS));
}

static void locked_teardown(jostle_run *r) {
  struct locked *s = jostle_state(r);
  pthread_mutex_destroy(&s->lock);
}

JOSTLE_SCENARIO(counter_mutex) {
  .name = "counter-mutex",
  .summary = "counter++ under a mutex (fix of counter)",
  .racy = 0,
  .threads = 2,
  .params = params,
  .state_size = sizeof(struct locked),
  .setup = locked_setup,
  .thread = locked_thread,
  .check = locked_check,
  .teardown = locked_teardown,
};

/* ---- counter-atomic ----------------------------------------------------- */

struct atomic_counter {
  atomic_long counter;
};

static void atomic_counter_setup(jostle_run *r) {
  struct atomic_counter *s = jostle_state(r);
  atomic_init(&s->counter, 0);
}

static void atomic_counter_thread(jostle_run *r, int index) {
  struct atomic_counter *s = jostle_state(r);
  long n_increments = jostle_param(r, P_INCREMENTS);

  (void)index;
  for (long i = 0; i < n_increments; i++) {
    jostle_yield();
    /* Relaxed is enough: only the final sum matters, and the harness
     * orders every body before the check. */
    atomic_fetch_add_explicit(&s->counter, 1, memory_order_relaxed);
  }
}

static void atomic_counter_check(jostle_run *r) {
  struct atomic_counter *s = jostle_state(r);
  check_counter(r, atomic_load_explicit(&s->counter, memory_order_relaxed),
                jostle_threads(r) * jostle_param(r, P_INCREMENTS));
}

JOSTLE_SCENARIO(counter_atomic) {
  .name = "counter-atomic",
  .summary = "atomic_fetch_add from every thread (fix of counter)",
  .racy = 0,
  .threads = 2,
  .params = params,
  .state_size = sizeof(struct atomic_counter),
  .setup = atomic_counter_setup,
  .thread = atomic_counter_thread,
  .check = atomic_counter_check,
};

/* ---- counter-owner ------------------------------------------------------ */

/*
 * Thread 0 owns the counter, as the goroutine that owns `value` in the
 * article's channel-based counter: nobody else touches it. The other threads
 * send it messages through a small bounded queue (the channel): one
 * MSG_INCREMENT per increment, then one MSG_DONE. The owner applies
 * increments until every sender is done, then publishes the value for the
 * check. Waits are condition-variable waits on predicates checked under the
 * queue's mutex, so no wakeup can be lost and no wait outlives its cause.
 */

#define QUEUE_CAPACITY 4

enum message { MSG_INCREMENT, MSG_DONE };

struct owned {
  pthread_mutex_t lock;
  pthread_cond_t not_empty; /* signalled when a message is queued */
  pthread_cond_t not_full;  /* signalled when a message is taken */
  enum message queue[QUEUE_CAPACITY]; /* ring buffer, guarded by lock */
  int head;                           /* index of the oldest message */
  int n_queued;
  long counter; /* written by the owner once every sender is done */
};

static void owned_setup(jostle_run *r) {
  struct owned *s = jostle_state(r);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->not_empty, NULL);
  pthread_cond_init(&s->not_full, NULL);
}

static void send_message(struct owned *s, enum message m) {
  pthread_mutex_lock(&s->lock);
  while (s->n_queued == QUEUE_CAPACITY)
    pthread_cond_wait(&s->not_full, &s->lock);
  s->queue[(s->head + s->n_queued) % QUEUE_CAPACITY] = m;
  s->n_queued++;
  pthread_cond_signal(&s->not_empty); /* the owner is the only receiver */
  pthread_mutex_unlock(&s->lock);
}

static enum message receive_message(struct owned *s) {
  enum message m;

  pthread_mutex_lock(&s->lock);
  while (s->n_queued == 0)
    pthread_cond_wait(&s->not_empty, &s->lock);
  m = s->queue[s->head];
  s->head = (s->head + 1) % QUEUE_CAPACITY;
  s->n_queued--;
  /* One slot freed: one blocked sender may go on. */
  pthread_cond_signal(&s->not_full);
  pthread_mutex_unlock(&s->lock);
  return m;
}

static void owned_thread(jostle_run *r, int index) {
  struct owned *s = jostle_state(r);

  if (index == 0) {
    int n_senders = jostle_threads(r) - 1;
    int n_done = 0;
    long value = 0; /* the owned counter: only this thread touches it */

    while (n_done < n_senders) {
      if (receive_message(s) == MSG_INCREMENT)
        value++;
      else
        n_done++;
    }
    s->counter = value;
  } else {
    long n_increments = jostle_param(r, P_INCREMENTS);

    for (long i = 0; i < n_increments; i++) {
      jostle_yield();
      send_message(s, MSG_INCREMENT);
    }
    send_message(s, MSG_DONE);
  }
}

static void owned_check(jostle_run *r) {
  struct owned *s = jostle_state(r);
  check_counter(r, s->counter,
                (jostle_threads(r) - 1) * jostle_param(r, P_INCREMENTS));
}

static void owned_teardown(jostle_run *r) {
  struct owned *s = jostle_state(r);
  pthread_cond_destroy(&s->not_full);
  pthread_cond_destroy(&s->not_empty);
  pthread_mutex_destroy(&s->lock);
}

JOSTLE_SCENARIO(counter_owner) {
  .name = "counter-owner",
  .summary = "thread 0 owns the counter, others send it increments (fix of counter)",
  .racy = 0,
  .threads = 3,
  .min_threads = 2,
  .params = params,
  .state_size = sizeof(struct owned),
  .setup = owned_setup,
  .thread = owned_thread,
  .check = owned_check,
  .teardown = owned_teardown,
};
