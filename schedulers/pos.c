/*
 * pos.c: the `pos` controlled scheduler, partial order sampling (Yuan,
 * Yang, Gu, "Partial Order Aware Concurrency Sampling", CAV 2018).
 *
 * Each thread's pending event, the point it is parked at
 * (jostle__control_pending), has a random priority, and the runnable
 * thread whose event has the highest runs it. Then every other thread
 * whose pending event races with the one that ran gets a fresh priority,
 * and so does the thread that ran, for its next event, when it reaches
 * its next point. A thread's start and a thread the run creates get one
 * too.
 *
 * Why the fresh priorities: under random walk, whether an event comes
 * before a racing one depends on every event of every other thread that
 * could run in between, so a race whose two sides are far apart is seldom
 * seen one way round. Redrawing the priorities of the events that race
 * with the one just run makes each such order an even chance, whatever
 * the unrelated threads do; and events that do not race keep their
 * priorities, so the schedules that differ only in the order of
 * independent events are not sampled as if they were different (the
 * paper's argument; its bound is per race, not per step).
 *
 * Races: two accesses whose bytes overlap, at least one a store, an
 * atomic store or a read-modify-write (a compare-exchange counts, failed
 * or not: it may write); two synchronisation calls on the same object. A
 * yield, a thread's start and a synchronisation call without an object
 * (pthread_create, pthread_join) race with nothing, and an access never
 * races with a synchronisation call: the wrappers act on jostle's model of
 * the object, not on its memory. A condition waiter woken by a signal goes
 * on to retake its mutex without another point, so its pending event is
 * still its wait (jostle__control_pending): the unlock of that mutex does
 * not redraw it. Its priority is what it was, which is only less precise.
 *
 * The redraws are made when the event is chosen, not after it ran: until
 * its thread reaches its next point the other threads stay parked, so
 * their pending events, which decide what races, are the same either way.
 *
 * Spin-waits end by themselves: a thread that spins reaches a new point at
 * every turn of its loop and draws a fresh priority each time, so the
 * thread it waits for soon has the higher one (no yield rule as in pct).
 *
 * Spurious wake-ups (--spurious-wakeups): while some thread can run, a
 * thread waiting on a condition variable is one more candidate, with the
 * priority of its wait, and wakes unsignalled when it has the highest (as
 * baton.c's pick offers such a waiter to random). The recorded decision
 * names it, so `replay` wakes it at the same step.
 *
 * Every priority is drawn from the choice source (jostle__control_choose),
 * so a run is a function of its seed and replays exactly. Priorities are
 * below UINT32_MAX; ties go to the lowest-numbered runnable thread.
 */
#include <stdint.h>

#include "common/assert.h"
#include "schedulers/strategy.h"

typedef struct pos_thread {
  uint32_t priority;                 /* of its pending event; higher runs first */
} pos_thread;

static uint32_t *priority(jostle__control *c, int k) {
  return &((pos_thread *)jostle__control_thread_strategy(c, k))->priority;
}

static void redraw(jostle__control *c, int k) {
  *priority(c, k) = jostle__control_choose(c, UINT32_MAX);
}

static int is_access(const jostle__point *e) {
  return e->kind == JOSTLE__POINT_READ || e->kind == JOSTLE__POINT_WRITE ||
         e->kind == JOSTLE__POINT_ATOMIC;
}

static int writes(const jostle__point *e) {
  return e->kind == JOSTLE__POINT_WRITE ||
         (e->kind == JOSTLE__POINT_ATOMIC && jostle__access_op(e->access) != JOSTLE__OP_LOAD);
}

/* Whether pending events a and b race (see the top of the file). */
static int races(const jostle__point *a, const jostle__point *b) {
  if (a->addr == NULL || b->addr == NULL) return 0;
  if (a->kind == JOSTLE__POINT_SYNC || b->kind == JOSTLE__POINT_SYNC)
    return a->kind == b->kind && a->addr == b->addr;
  if (!is_access(a) || !is_access(b) || !(writes(a) || writes(b))) return 0;
  uintptr_t a_lo = (uintptr_t)a->addr, b_lo = (uintptr_t)b->addr;
  unsigned a_width = jostle__access_width(a->access), b_width = jostle__access_width(b->access);
  return a_lo < b_lo + (b_width ? b_width : 1) && b_lo < a_lo + (a_width ? a_width : 1);
}

/* Under --spurious-wakeups, thread i waits on a condition variable and may
 * wake unsignalled. */
static int may_wake(const jostle__control *c, int i) {
  return c->cfg->spurious_wakeups && c->state[i] == JOSTLE__BLOCKED && c->waits_on[i] != NULL &&
         c->waits_on[i]->kind == JOSTLE__OBJ_COND;
}

static void pos_run_begin(jostle__control *c) {
  for (int i = 0; i < c->n_threads; i++) redraw(c, i);
}

static int pos_pick(jostle__control *c, int current, const jostle__point *p) {
  if (p != NULL) redraw(c, current); /* it reached a new point: a new event */
  int best = -1;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE && (best < 0 || *priority(c, i) > *priority(c, best)))
      best = i;
  JOSTLE_ASSERT(best >= 0); /* a pick is made only when a thread can run */
  for (int i = 0; i < c->n_threads; i++)
    if (may_wake(c, i) && *priority(c, i) > *priority(c, best)) best = i;
  if (c->state[best] == JOSTLE__BLOCKED) { /* a spurious wake-up */
    c->state[best] = JOSTLE__RUNNABLE;
    c->waits_on[best] = NULL;
  }
  const jostle__point *ran = jostle__control_pending(c, best);
  for (int i = 0; i < c->n_threads; i++)
    if (i != best && c->state[i] != JOSTLE__DONE && races(ran, jostle__control_pending(c, i)))
      redraw(c, i);
  return best;
}

static void pos_spawned(jostle__control *c, int k) { redraw(c, k); }

const jostle__sched_ops jostle__sched_pos = {
    .name = "pos",
    .summary = "controlled: random priorities, redrawn for events racing with the one run",
    .point = jostle__control_point,
    .thread_run_size = sizeof(pos_thread),
    .run_begin = pos_run_begin,
    .pick = pos_pick,
    .spawned = pos_spawned,
};
