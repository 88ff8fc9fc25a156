/*
 * check_pos.c: the pos scheduler's one rule, on hand-built moments of a
 * run. When a thread's pending event is chosen, the pending events of the
 * other threads that race with it (overlapping bytes with a store, an
 * atomic store or a read-modify-write on either side; or the same
 * synchronisation object) get fresh priorities, and no other event does.
 * (That pos finds the racy built-ins, keeps the fixed ones clean and is
 * the same in every process is checked with the other strategies, in
 * check_scenarios.c, check_control.c and check_schedule.c.)
 *
 * Each moment: thread 0, the only thread that can run, is parked at the
 * event `ran`; threads 1.. are blocked (or done) at the events of
 * `others`, so the pick must choose thread 0. Before the pick every
 * thread's state is set to bytes of all ones, which is no priority pos
 * draws (its draws are below UINT32_MAX; ageing is computed from the step
 * of the draw, not stored): afterwards a thread whose state changed had
 * its priority drawn again.
 */
#include <stdio.h>
#include <string.h>

#include "schedulers/strategy.h"
#include "tests/check_main.h"

#define MAX_OTHERS 10

typedef struct other {
  jostle__point event;
  int races;                          /* its priority must be drawn again */
  int done;                           /* the thread has finished */
} other;

typedef struct moment {
  const char *name;
  jostle__point ran;
  int n_others;
  other others[MAX_OTHERS];
} moment;

/* Memory and objects the events name: two words side by side, another
 * word, two mutexes. */
static long words[2], elsewhere;
static int mutex_a, mutex_b;

#define X ((const void *)&words[0])
#define X_NEXT ((const void *)&words[1])
#define Y ((const void *)&elsewhere)
#define ACCESS(kind_, op, width, addr_)                                               \
  {.kind = (kind_), .access = JOSTLE__ACCESS((kind_), (op), (width)), .addr = (addr_)}
#define READ(width, addr_) ACCESS(JOSTLE__POINT_READ, JOSTLE__OP_NONE, width, addr_)
#define WRITE(width, addr_) ACCESS(JOSTLE__POINT_WRITE, JOSTLE__OP_NONE, width, addr_)
#define ATOMIC(op, addr_) ACCESS(JOSTLE__POINT_ATOMIC, op, 8, addr_)
#define SYNC(addr_, call_) {.kind = JOSTLE__POINT_SYNC, .addr = (addr_), .call = (call_)}
#define YIELD {.kind = JOSTLE__POINT_YIELD}

static const moment moments[] = {
    {"a plain store", WRITE(8, X), 9, {
        {READ(8, X), 1, 0},
        {WRITE(8, X), 1, 0},
        {READ(1, (const char *)X + 3), 1, 0},   /* a byte inside it */
        {ATOMIC(JOSTLE__OP_LOAD, X), 1, 0},
        {READ(8, Y), 0, 0},
        {READ(8, X_NEXT), 0, 0},                /* the next word: no byte shared */
        {YIELD, 0, 0},
        {SYNC(X, "pthread_mutex_lock"), 0, 0},  /* a call, not an access */
        {WRITE(8, X), 0, 1},                    /* a finished thread has no event */
    }},
    {"a plain load", READ(8, X), 7, {
        {READ(8, X), 0, 0},
        {ATOMIC(JOSTLE__OP_LOAD, X), 0, 0},
        {WRITE(8, X), 1, 0},
        {ATOMIC(JOSTLE__OP_FETCH_ADD, X), 1, 0},
        {ATOMIC(JOSTLE__OP_CAS, X), 1, 0},
        {ATOMIC(JOSTLE__OP_STORE, X), 1, 0},
        {WRITE(8, Y), 0, 0},
    }},
    {"an atomic load", ATOMIC(JOSTLE__OP_LOAD, X), 4, {
        {ATOMIC(JOSTLE__OP_LOAD, X), 0, 0},
        {ATOMIC(JOSTLE__OP_EXCHANGE, X), 1, 0},
        {ATOMIC(JOSTLE__OP_STORE, X_NEXT), 0, 0},
        {WRITE(16, X), 1, 0},                   /* a range over both words */
    }},
    {"an atomic read-modify-write", ATOMIC(JOSTLE__OP_FETCH_ADD, X), 3, {
        {ATOMIC(JOSTLE__OP_LOAD, X), 1, 0},
        {READ(8, X), 1, 0},
        {READ(8, Y), 0, 0},
    }},
    {"a lock", SYNC(&mutex_a, "pthread_mutex_lock"), 6, {
        {SYNC(&mutex_a, "pthread_mutex_lock"), 1, 0},
        {SYNC(&mutex_a, "pthread_mutex_unlock"), 1, 0},
        {SYNC(&mutex_b, "pthread_mutex_lock"), 0, 0},
        {WRITE(4, &mutex_a), 0, 0},             /* an access, not a call */
        {SYNC(NULL, "pthread_join"), 0, 0},
        {SYNC(&mutex_a, "pthread_mutex_unlock"), 0, 1},
    }},
    {"a yield", YIELD, 2, {
        {YIELD, 0, 0},
        {WRITE(8, X), 0, 0},
    }},
};

static const jostle__sched_ops *pos(void) {
  const jostle__sched_ops *ops = jostle__sched_find("pos");
  ck_assert_ptr_nonnull(ops);
  ck_assert_uint_gt(ops->thread_run_size, 0);
  return ops;
}

static void unset(jostle__control *c, int k) {
  memset(jostle__control_thread_strategy(c, k), 0xff, c->ops->thread_run_size);
}

static int redrawn(jostle__control *c, int k) {
  const unsigned char *state = jostle__control_thread_strategy(c, k);
  for (size_t i = 0; i < c->ops->thread_run_size; i++)
    if (state[i] != 0xff) return 1;
  return 0;
}

/* A control for thread 0 and the moment's others, begun (its start
 * picks), then set to the moment; every thread's priority unset. */
static jostle__control *at(const moment *m, jostle__sched_cfg *cfg) {
  const jostle__sched_ops *ops = pos();
  jostle__sched_cfg_default(cfg, ops);
  jostle__control *c = jostle__control_create(ops, cfg, 1 + m->n_others, NULL, 0);
  ck_assert_ptr_nonnull(c);
  jostle__control_begin(c, 0x9e37);
  c->pending[0] = m->ran;
  c->state[0] = JOSTLE__RUNNABLE;
  unset(c, 0);
  for (int i = 0; i < m->n_others; i++) {
    c->pending[1 + i] = m->others[i].event;
    c->state[1 + i] = m->others[i].done ? JOSTLE__DONE : JOSTLE__BLOCKED;
    unset(c, 1 + i);
  }
  return c;
}

/* Choosing `ran` redraws exactly the events that race with it; thread 0,
 * which did not reach a new point, keeps its priority. */
START_TEST(racing_events_are_redrawn) {
  const moment *m = &moments[_i];
  jostle__sched_cfg cfg;
  jostle__control *c = at(m, &cfg);
  ck_assert_int_eq(c->ops->pick(c, 0, NULL), 0);
  ck_assert_msg(!redrawn(c, 0), "%s: the chosen thread's priority was drawn again", m->name);
  for (int i = 0; i < m->n_others; i++)
    ck_assert_msg(redrawn(c, 1 + i) == m->others[i].races,
                  "%s: thread %d's event (kind %d) was %s", m->name, 1 + i,
                  (int)m->others[i].event.kind,
                  m->others[i].races ? "not drawn again" : "drawn again");
  jostle__control_destroy(c);
}
END_TEST

/* A thread that reaches a new point has a new event: its priority is
 * drawn again, whatever it is about to do. */
START_TEST(a_new_point_is_a_new_event) {
  const moment *m = &moments[_i];
  jostle__sched_cfg cfg;
  jostle__control *c = at(m, &cfg);
  ck_assert_int_eq(c->ops->pick(c, 0, &m->ran), 0);
  ck_assert_msg(redrawn(c, 0), "%s: the new event kept the old priority", m->name);
  jostle__control_destroy(c);
}
END_TEST

/* A thread whose event blocked it waits to be woken: a new event, drawn
 * again (else it would keep the priority that won, and a condition waiter
 * under --spurious-wakeups would wake again at once). */
START_TEST(blocking_is_a_new_event) {
  const moment *m = &moments[_i];
  jostle__sched_cfg cfg;
  jostle__control *c = at(m, &cfg);
  c->state[0] = JOSTLE__BLOCKED;
  c->state[1] = JOSTLE__RUNNABLE;
  unset(c, 0);
  ck_assert_int_eq(c->ops->pick(c, 0, NULL), 1);
  ck_assert_msg(redrawn(c, 0), "%s: the blocked thread kept its priority", m->name);
  jostle__control_destroy(c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pos");
  TCase *tc = jostle_check_case(s, "pos", 30, 0);
  int n = (int)(sizeof moments / sizeof moments[0]);
  tcase_add_loop_test(tc, racing_events_are_redrawn, 0, n);
  tcase_add_loop_test(tc, a_new_point_is_a_new_event, 0, n);
  tcase_add_loop_test(tc, blocking_is_a_new_event, 0, n);
  return jostle_check_run(s);
}
