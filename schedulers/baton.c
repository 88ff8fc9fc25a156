/*
 * baton.c: the controlled-run runtime (see control.h).
 *
 * Hand-off: `turn` names the thread that may run; it sits alone on its
 * cache line. A waiting thread spins on it while threads have processors
 * of their own, then sleeps on it with futex_wait, announcing itself in
 * sleeping[i] first; the thread handing over stores `turn` and then reads
 * sleeping[next]. Both sides use sequentially consistent operations, so at
 * least one sees the other (and futex_wait re-checks `turn` atomically):
 * no wake-up is lost. The store of `turn` is a release and its load an
 * acquire, so everything the previous holder wrote, the control's state
 * included, is visible to the next.
 *
 * Everything a controlled run decides comes from the run's seed through
 * jostle__control_choose, and the threads' bodies run one at a time, so a
 * run is a pure function of its seed: the same seed gives the same
 * schedule (schedule_hash), the same outcome, in any process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpu.h"
#include "common/futex.h"
#include "common/hash.h"
#include "common/seed.h"
#include "schedulers/control.h"
#include "schedulers/feedback.h"
#include "schedulers/schedule.h"
#include "schedulers/trace.h"

#define SPIN_LIMIT (1u << 14)   /* most pauses before a waiter sleeps */
#define SPIN_MIN 16u
#define CHOICE_SALT 0x63686f696365ULL
#define NOBODY UINT32_MAX       /* `turn` of an abandoned run */

static _Noreturn void escape(jostle__control *c, int index) {
  longjmp(*c->escape[index], 1);
}

/* Waits until thread `index` holds the baton, or leaves if the run is
 * being abandoned. */
static void wait_turn(jostle__control *c, int index) {
  uint32_t me = (uint32_t)index;
  /* The budget adapts as the barrier's does: spinning that ends in sleep
   * anyway (another process has our processor) shrinks it. */
  uint32_t *budget = &c->spin_budget[index];
  uint32_t spin = c->spin ? *budget : 0;
  for (uint32_t i = 0; i < spin; i++) {
    if (atomic_load_explicit(&c->turn, memory_order_acquire) == me) {
      if (*budget < SPIN_LIMIT) *budget *= 2;
      return;
    }
    if (atomic_load_explicit(&c->aborting, memory_order_relaxed)) escape(c, index);
    jostle__cpu_relax();
  }
  if (spin > 0) *budget = spin / 4 > SPIN_MIN ? spin / 4 : SPIN_MIN;
  for (;;) {
    atomic_store_explicit(&c->sleeping[index], 1, memory_order_seq_cst);
    uint32_t turn = atomic_load_explicit(&c->turn, memory_order_seq_cst);
    int aborting = atomic_load_explicit(&c->aborting, memory_order_seq_cst);
    if (turn != me && !aborting) jostle__futex_wait(&c->turn, turn);
    atomic_store_explicit(&c->sleeping[index], 0, memory_order_relaxed);
    if (atomic_load_explicit(&c->aborting, memory_order_acquire)) escape(c, index);
    if (atomic_load_explicit(&c->turn, memory_order_acquire) == me) return;
  }
}

static void hand_to(jostle__control *c, int next) {
  atomic_store_explicit(&c->turn, (uint32_t)next, memory_order_seq_cst);
  if (atomic_load_explicit(&c->sleeping[next], memory_order_seq_cst))
    jostle__futex_wake_all(&c->turn);
}

/* Every decision is hashed, and recorded when the run is being recorded. */
static void note_choice(jostle__control *c, int chosen) {
  c->schedule_hash = jostle__fnv1a_step(c->schedule_hash, (uint64_t)(chosen + 1));
  jostle__schedule *rec = c->cfg->record;
  if (rec == NULL) return;
  if (rec->n < rec->cap) rec->d[rec->n++] = (uint8_t)chosen;
  else rec->overflow = 1;
}

/* A number below n from the input's next ceil(log2 n) bits, or -1 when
 * the input is used up. */
static int64_t input_below(jostle__input *in, uint32_t n) {
  int bits = 0;
  while (bits < 32 && (1ULL << bits) < n) bits++;
  if (in->front_bit + (size_t)bits > in->back * 8) return -1;
  uint64_t v = 0;
  for (int i = 0; i < bits; i++, in->front_bit++)
    v |= (uint64_t)((in->data[in->front_bit / 8] >> (in->front_bit % 8)) & 1) << i;
  return (int64_t)(v % n);
}

uint32_t jostle__control_choose(jostle__control *c, uint32_t n) {
  if (n <= 1) return 0;
  jostle__input *in = c->cfg->input;
  if (in == NULL) return jostle__below(&c->rng, n);
  int64_t v = input_below(in, n);
  return v < 0 ? 0 : (uint32_t)v;
}

/* One of the n candidates, from the choice source (see control.h). A
 * schedule or an input that is used up keeps `preferred` running when it
 * can (so an empty input runs the threads one after the other). */
static int choose_among(jostle__control *c, const int *cands, int n, int preferred) {
  const jostle__schedule *replay = c->cfg->replay;
  jostle__input *in = c->cfg->input;
  if (replay == NULL && in == NULL) return cands[jostle__control_choose(c, (uint32_t)n)];
  int want = -1;
  if (replay != NULL) {
    if (c->replay_pos < replay->n) want = replay->d[c->replay_pos++];
  } else {
    int64_t v = n > 1 ? input_below(in, (uint32_t)n) : 0;
    if (v >= 0) return cands[v];
  }
  int fallback = cands[0];
  for (int i = 0; i < n; i++) {
    if (cands[i] == want) return want;
    if (cands[i] == preferred) fallback = preferred;
  }
  return fallback;
}

/* Under --spurious-wakeups a thread waiting on a condition variable may
 * wake unsignalled: it is one more candidate of every pick. */
static int spurious_candidate(const jostle__control *c, int i) {
  return c->cfg->spurious_wakeups && c->state[i] == JOSTLE__BLOCKED &&
         c->waits_on[i] != NULL && c->waits_on[i]->kind == JOSTLE__OBJ_COND;
}

int jostle__control_pick_runnable(jostle__control *c, int current, const jostle__point *p) {
  int runnable[JOSTLE_MAX_THREADS], n = 0, n_running;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE) runnable[n++] = i;
  n_running = n;
  for (int i = 0; i < c->n_threads; i++)
    if (spurious_candidate(c, i)) runnable[n++] = i;
  /* where the source says nothing: a thread that yields gives way to the
   * next runnable one, so that a spin-wait ends; otherwise it runs on (and
   * nobody wakes spuriously) */
  int preferred = current;
  if (p != NULL && p->kind == JOSTLE__POINT_YIELD && n_running > 1) {
    preferred = runnable[0];
    for (int i = 0; i < n_running; i++)
      if (runnable[i] > current) {
        preferred = runnable[i];
        break;
      }
  }
  int chosen = choose_among(c, runnable, n, preferred);
  if (c->state[chosen] == JOSTLE__BLOCKED) { /* a spurious wake-up */
    c->state[chosen] = JOSTLE__RUNNABLE;
    c->waits_on[chosen] = NULL;
  }
  return chosen;
}

const char *jostle__object_kind_name(jostle__object_kind kind) {
  static const char *const names[] = {"mutex", "rwlock", "cond", "sem", "spinlock", "thread"};
  return names[kind];
}

/* "thread 0 waits for mutex#1 (held by thread 1); ..." */
static void describe_deadlock(jostle__control *c) {
  size_t len = (size_t)snprintf(c->verdict_text, sizeof c->verdict_text, "deadlock (");
  const char *sep = "";
  for (int i = 0; i < c->n_threads && len < sizeof c->verdict_text; i++) {
    const jostle__object *o = c->waits_on[i];
    if (c->state[i] != JOSTLE__BLOCKED || o == NULL) continue;
    if (o->kind == JOSTLE__OBJ_THREAD) {
      len += (size_t)snprintf(c->verdict_text + len, sizeof c->verdict_text - len,
                              "%sthread %d waits for thread %d to finish", sep, i, o->count);
      sep = "; ";
      continue;
    }
    len += (size_t)snprintf(c->verdict_text + len, sizeof c->verdict_text - len,
                            "%sthread %d waits for %s#%d", sep, i, jostle__object_kind_name(o->kind), o->id);
    if (o->owner >= 0 && len < sizeof c->verdict_text)
      len += (size_t)snprintf(c->verdict_text + len, sizeof c->verdict_text - len,
                              " held by thread %d", o->owner);
    sep = "; ";
  }
  if (len < sizeof c->verdict_text)
    snprintf(c->verdict_text + len, sizeof c->verdict_text - len, ")");
}

/* Ends the run early: every thread leaves its body. The caller holds the
 * baton and escapes too when it is a scenario thread (index >= 0). */
static void abandon(jostle__control *c, jostle__verdict verdict, int index) {
  c->verdict = verdict;
  if (verdict == JOSTLE__RUN_DEADLOCK) describe_deadlock(c);
  else
    snprintf(c->verdict_text, sizeof c->verdict_text, "step-limit (%llu points)",
             (unsigned long long)c->step_limit);
  atomic_store_explicit(&c->aborting, 1, memory_order_seq_cst);
  /* Nobody holds the baton now. Changing `turn` matters: a waiter that
   * read `aborting` as 0 just before may be on its way into futex_wait,
   * which sleeps only while `turn` still has the value it read. */
  atomic_store_explicit(&c->turn, NOBODY, memory_order_seq_cst);
  jostle__futex_wake_all(&c->turn);
  if (index >= 0) escape(c, index);
}

static int any_runnable(const jostle__control *c) {
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE || spurious_candidate(c, i)) return 1;
  return 0;
}

/* No thread can run: time passes for timed waits, else it is a deadlock.
 * Returns 1 when some thread became runnable. */
static int unstick(jostle__control *c) {
  int woke = 0;
  for (int i = 0; i < c->n_threads; i++) {
    if (c->state[i] == JOSTLE__BLOCKED && c->timed[i]) {
      c->state[i] = JOSTLE__RUNNABLE;
      c->waits_on[i] = NULL;
      c->timed_out[i] = 1;
      woke = 1;
    }
  }
  return woke;
}

/* The thread to run after `current` (which may be blocked or done);
 * -1 when every thread is done; abandons the run on a deadlock. */
static int next_thread(jostle__control *c, int current, const jostle__point *p) {
  if (!any_runnable(c) && !unstick(c)) {
    for (int i = 0; i < c->n_threads; i++)
      if (c->state[i] == JOSTLE__BLOCKED) abandon(c, JOSTLE__RUN_DEADLOCK, current);
    return -1;
  }
  int next = c->ops->pick(c, current, p);
  note_choice(c, next);
  return next;
}

void jostle__control_begin(jostle__control *c, uint64_t seed) {
  c->rng = jostle__mix(seed, CHOICE_SALT);
  c->replay_pos = 0;
  c->n_threads = c->n_pool;
  if (c->cfg->record) {
    c->cfg->record->n = 0;
    c->cfg->record->overflow = 0;
  }
  c->n_steps = 0;
  c->step_limit = c->cfg->step_limit;
  for (int i = 0; i < c->n_threads; i++) {
    c->state[i] = JOSTLE__RUNNABLE;
    c->waits_on[i] = NULL;
    c->timed[i] = c->timed_out[i] = 0;
  }
  c->n_objects = 0;
  if (c->cfg->feedback) jostle__feedback_begin(c);
  c->verdict = JOSTLE__RUN_OK;
  c->verdict_text[0] = '\0';
  c->schedule_hash = JOSTLE__FNV_OFFSET;
  atomic_store_explicit(&c->aborting, 0, memory_order_relaxed);
  c->ops->run_begin(c);
  int first = c->ops->pick(c, -1, NULL);
  note_choice(c, first);
  atomic_store_explicit(&c->turn, (uint32_t)first, memory_order_relaxed);
  c->active = 1;
}

void jostle__control_enter(jostle__control *c, int index, jmp_buf *escape_to) {
  c->escape[index] = escape_to;
  wait_turn(c, index);
}

/* The model of created thread k, or NULL while nobody joined it. */
static jostle__object *thread_object(jostle__control *c, int k) {
  for (int i = 0; i < c->n_objects; i++)
    if (c->objects[i].addr == &c->spawned[k]) return &c->objects[i];
  return NULL;
}

void jostle__control_exit(jostle__control *c, int index) {
  if (atomic_load_explicit(&c->aborting, memory_order_acquire)) return;
  c->state[index] = JOSTLE__DONE;
  if (index >= c->n_pool) {
    jostle__object *joined = thread_object(c, index);
    if (joined != NULL) jostle__control_wake_all(c, joined);
  }
  if (c->cfg->trace) jostle__trace_event(c, index, "finishes", NULL);
  int next = next_thread(c, index, NULL);
  if (next < 0) {
    c->active = 0;
    return;
  }
  if (c->cfg->trace) jostle__trace_switch(c, index, next);
  hand_to(c, next);
}

void jostle__control_end(jostle__control *c) {
  /* Created threads may still run (the pool's threads were done first), or
   * be leaving an abandoned run: the run ends when they are gone. */
  for (int k = c->n_pool; k < c->n_threads; k++) {
    if (!c->reaped[k]) c->reap(c->spawn_tid[k], NULL);
    c->reaped[k] = 1;
  }
  c->active = 0;
  c->n_threads = c->n_pool;
}

int jostle__control_spawn(jostle__control *c, void *(*fn)(void *), void *arg) {
  if (c->n_threads == JOSTLE_MAX_THREADS) return -1;
  int k = c->n_threads++;
  c->state[k] = JOSTLE__RUNNABLE;
  c->waits_on[k] = NULL;
  c->timed[k] = c->timed_out[k] = 0;
  c->spawned[k] = *jostle__self;
  c->spawned[k].index = k;
  c->spawn_fn[k] = fn;
  c->spawn_arg[k] = arg;
  c->reaped[k] = 0;
  /* pct: a new thread starts below every other (the latest to drop is
   * lowest); random and replay do not look at priorities */
  c->priority[k] = --c->low_water;
  atomic_store_explicit(&c->sleeping[k], 0, memory_order_relaxed);
  return k;
}

void jostle__control_point(jostle__thread *t, const jostle__point *p) {
  jostle__control *c = t->control;
  if (!c->active) return; /* setup and check run outside the schedule */
  int me = t->index;
  if (++c->n_steps > c->step_limit) abandon(c, JOSTLE__RUN_STEP_LIMIT, me);
  if (c->cfg->trace) jostle__trace_point(c, me, p);
  if (c->cfg->feedback) jostle__feedback_note(c, me, p);
  int next = next_thread(c, me, p);
  if (next == me) return;
  if (c->cfg->trace) jostle__trace_switch(c, me, next);
  hand_to(c, next);
  wait_turn(c, me);
}

jostle__control *jostle__control_of_self(int *index) {
  jostle__thread *t = jostle__self;
  if (t == NULL || t->control == NULL || !t->control->active) return NULL;
  *index = t->index;
  return t->control;
}

jostle__object *jostle__control_object(jostle__control *c, const void *addr,
                                       jostle__object_kind kind, int initial) {
  for (int i = 0; i < c->n_objects; i++)
    if (c->objects[i].addr == addr) return &c->objects[i];
  if (c->n_objects == JOSTLE__MAX_OBJECTS) {
    fprintf(stderr, "jostle: a controlled run used more than %d synchronisation objects\n",
            JOSTLE__MAX_OBJECTS);
    abort();
  }
  jostle__object *o = &c->objects[c->n_objects];
  *o = (jostle__object){addr, kind, c->n_objects, -1, initial};
  c->n_objects++;
  return o;
}

int jostle__control_block(jostle__control *c, int index, const jostle__object *o,
                          int timed) {
  c->state[index] = JOSTLE__BLOCKED;
  c->waits_on[index] = o;
  c->timed[index] = timed;
  c->timed_out[index] = 0;
  if (++c->n_steps > c->step_limit) abandon(c, JOSTLE__RUN_STEP_LIMIT, index);
  if (c->cfg->trace)
    jostle__trace_event(c, index, o->kind == JOSTLE__OBJ_THREAD ? "waits for" : "blocks on", o);
  int next = next_thread(c, index, NULL);
  if (next != index) {
    if (c->cfg->trace) jostle__trace_switch(c, index, next);
    hand_to(c, next);
    wait_turn(c, index);
  }
  c->timed[index] = 0;
  return c->timed_out[index];
}

void jostle__control_wake_all(jostle__control *c, const jostle__object *o) {
  for (int i = 0; i < c->n_threads; i++) {
    if (c->state[i] == JOSTLE__BLOCKED && c->waits_on[i] == o) {
      c->state[i] = JOSTLE__RUNNABLE;
      c->waits_on[i] = NULL;
    }
  }
}

int jostle__control_wake_one(jostle__control *c, const jostle__object *o) {
  int waiters[JOSTLE_MAX_THREADS], n = 0;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__BLOCKED && c->waits_on[i] == o) waiters[n++] = i;
  if (n == 0) return 0;
  int w = choose_among(c, waiters, n, -1);
  note_choice(c, w);
  c->state[w] = JOSTLE__RUNNABLE;
  c->waits_on[w] = NULL;
  return 1;
}
