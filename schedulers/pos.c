/*
 * pos.c: the `pos` controlled scheduler, partial order sampling (Yuan,
 * Yang, Gu, "Partial Order Aware Concurrency Sampling", CAV 2018).
 *
 * Each thread's pending event, the point it is parked at
 * (jostle__control_pending), has a random priority, and the runnable
 * thread whose event has the highest runs it. Then every other thread
 * whose pending event races with the one that ran gets a fresh priority,
 * and so does the thread that ran, for its next event: when it reaches
 * its next point, or when the event blocked it (a lock held by another, a
 * condition wait), since being woken is then what it waits for. A
 * thread's start and a thread the run creates get one too.
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
 * Ageing. A thread that spins reaches a new point at every turn of its
 * loop and draws a fresh priority each time, while the thread it waits
 * for keeps its own when nothing the spinner does races with that
 * thread's pending event (a store to another variable before the flag; a
 * mutex a condition waiter retakes without a point). If that priority is
 * low, the spinner wins nearly every draw: a priority p waits about
 * 2^32/p draws, a tail with no mean (p is uniform). test-sync-all under
 * --spurious-wakeups, whose waiters wake and wait again while thread 0
 * spins on a trylock, ran into the step limit in 464 of 5,000 runs
 * without ageing, and in none with it. So an event's priority grows
 * by AGE_STEP for every step it waits (computed from the step of its draw,
 * so waiting changes no state): any event has the top priority after
 * 2^32/AGE_STEP = 20,000 steps at most, a fifth of the default step
 * limit, and over the few dozen steps of a typical scenario run the ageing
 * moves a priority by well under 1% of its range. (Shuttle's pos ages its
 * priorities by the same amount for the same reason.)
 *
 * Spurious wake-ups (--spurious-wakeups): while some thread can run, a
 * thread waiting on a condition variable is one more candidate, with the
 * priority of its wait, and wakes unsignalled when it has the highest (as
 * baton.c's pick offers such a waiter to random). The recorded decision
 * names it, so `replay` wakes it at the same step.
 *
 * Every priority is drawn from the choice source (jostle__control_choose),
 * so a run is a function of its seed and replays exactly. Drawn priorities
 * are below UINT32_MAX; ties go to the lowest-numbered runnable thread.
 */
#include <stdint.h>

#include "common/assert.h"
#include "schedulers/strategy.h"

#define AGE_STEP 214748u          /* 2^32 / 20,000: see Ageing above */

typedef struct pos_thread {
  uint32_t priority;                 /* of its pending event, as drawn */
  uint64_t drawn_at;                 /* the step of the draw */
} pos_thread;

static pos_thread *thread(jostle__control *c, int k) {
  return jostle__control_thread_strategy(c, k);
}

static void redraw(jostle__control *c, int k) {
  thread(c, k)->priority = jostle__control_choose(c, UINT32_MAX);
  thread(c, k)->drawn_at = c->n_steps;
}

/* Thread k's priority now: as drawn, aged by the steps since; higher runs
 * first. */
static uint64_t priority(jostle__control *c, int k) {
  const pos_thread *t = thread(c, k);
  uint64_t waited = c->n_steps - t->drawn_at;
  if (waited >= UINT32_MAX / AGE_STEP) return UINT32_MAX;
  uint64_t aged = t->priority + waited * AGE_STEP;
  return aged < UINT32_MAX ? aged : UINT32_MAX;
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
  /* current reached a new point, or carried out its event by blocking:
   * either way its next event is a new one */
  if (p != NULL || (current >= 0 && c->state[current] == JOSTLE__BLOCKED)) redraw(c, current);
  int best = -1;
  uint64_t top = 0;
  for (int i = 0; i < c->n_threads; i++) {
    if (c->state[i] != JOSTLE__RUNNABLE) continue;
    uint64_t mine = priority(c, i);
    if (best < 0 || mine > top) {
      best = i;
      top = mine;
    }
  }
  JOSTLE_ASSERT(best >= 0); /* a pick is made only when a thread can run */
  for (int i = 0; i < c->n_threads; i++) {
    if (!may_wake(c, i)) continue;
    uint64_t mine = priority(c, i);
    if (mine > top) {
      best = i;
      top = mine;
    }
  }
  if (c->state[best] == JOSTLE__BLOCKED) { /* a spurious wake-up */
    jostle__control_set_state(c, best, JOSTLE__RUNNABLE);
    c->waits_on[best] = NULL;
  }
  const jostle__point *ran = jostle__control_pending(c, best);
  for (int i = 0; i < c->n_threads; i++)
    if (i != best && c->state[i] != JOSTLE__DONE && races(ran, jostle__control_pending(c, i)))
      redraw(c, i);
  return best;
}

static void pos_spawned(jostle__control *c, int creator, int k) {
  (void)creator;
  redraw(c, k);
}

const jostle__sched_ops jostle__sched_pos = {
    .name = "pos",
    .summary = "controlled: random priorities, redrawn for events racing with the one run",
    .point = jostle__control_point,
    .thread_run_size = sizeof(pos_thread),
    .run_begin = pos_run_begin,
    .pick = pos_pick,
    .spawned = pos_spawned,
};
