/*
 * pool.c: the thread pool (see pool.h).
 *
 * Thread 0 writes `action`, `run`, `lead` and the plan of places before it
 * arrives at the start barrier; the other threads read them after leaving
 * it, and write `late` before the end barrier, which thread 0 reads after
 * it: the barriers order every access and no other synchronisation is
 * needed. So it writes, before the start barrier, which control a
 * portfolio's run is under (jostle__pool_member): the control every
 * thread enters, its scheduler and configuration in each thread's context.
 *
 * Releasing threads from a barrier is not enough to make them race: the
 * releaser runs on at once while the others learn of the release a cache
 * transfer later (~100 ns), and a short body such as one `counter++` is
 * over by then (measured: 0.6% of 2x1 counter runs lost an increment).
 * So when every thread has a processor of its own, runs use a timed start,
 * as litmus7's timebase mode does: the releaser stamps the release with the
 * cycle counter, and every thread spins until release + lead + its skew
 * (measured: 19-33%).
 */
#include "harness/pool.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "common/cache_line.h"
#include "common/cpu.h"
#include "common/seed.h"
#include "harness/barrier.h"
#include "schedulers/control.h"
#include "schedulers/forks.h"
#include "schedulers/waits.h"

/* Pause iterations a barrier waiter spins before it blocks. */
#define SPIN_OK_LIMIT (1u << 16)
#define SPIN_OVERSUBSCRIBED 0u

/* Timed start: the lead adapts to the slowest thread's wake-up, within
 * bounds, so that every thread is spinning before the start time. */
#define LEAD_INITIAL 2000ULL
#define LEAD_MAX 20000ULL
#define SKEW_SALT 0x736b6577ULL
#define INPUT_SALT 0x696e707574ULL

enum action { ACT_RUN, ACT_PLACE, ACT_QUIT };

typedef struct member {
  jostle__thread sched;          /* what the scheduler sees */
  struct jostle__pool *pool;
  pthread_t tid;
  unsigned long long late;       /* cycles from release to seeing it */
  uint32_t spin_budget;          /* this thread's adaptive barrier spin */
} member;

struct jostle__pool {
  jostle__barrier start, end;
  const jostle_scenario *scenario;
  enum action action;
  int *place;                    /* for ACT_PLACE: n_threads of them */
  _Atomic int bind_failed;
  jostle_run run;
  int n_threads;
  jostle__control *control;      /* the run's: controls[member] */
  /* Controlled: a control per member (one, or a portfolio's K), each with
   * its scheduler and configuration; all NULL when uncontrolled. */
  int n_members;
  jostle__control *controls[JOSTLE__MAX_MEMBERS];
  const jostle__sched_ops *member_ops[JOSTLE__MAX_MEMBERS];
  const jostle__sched_cfg *member_cfg[JOSTLE__MAX_MEMBERS];
  jostle__sched_cfg portfolio_cfg[JOSTLE__MAX_MEMBERS]; /* a portfolio's members' */
  jostle__waits *waits;          /* where uncontrolled runs publish their waits */
  int timed;                     /* timed start: threads on their own processors */
  unsigned long long lead;       /* cycles from release to the common start */
  member *members;               /* n_threads of them */
};

/* Holds thread m until the run's start time: release + lead + skew. The
 * skew is the thread's own, drawn from the run's seed: zero half the time,
 * when every thread starts on the same cycle, else uniform over the lead,
 * so that windows at other offsets between threads are met too. */
static void timed_start(jostle__pool *pool, member *m) {
  unsigned long long released = atomic_load_explicit(
      &pool->start.release_cycles, memory_order_relaxed);
  unsigned long long now = jostle__cycles();
  m->late = now - released;
  uint64_t draw = jostle__mix(pool->run.seed ^ SKEW_SALT, (uint64_t)m->sched.index);
  unsigned long long skew = (draw & 1) ? 0 : (draw >> 1) % pool->lead;
  unsigned long long start = released + pool->lead + skew;
  while (jostle__cycles() < start) jostle__cpu_relax();
}

/* After a run, on thread 0: moves the lead towards the latest wake-up. */
static void adapt_lead(jostle__pool *pool) {
  unsigned long long worst = 0;
  for (int i = 0; i < pool->n_threads; i++)
    if (pool->members[i].late > worst) worst = pool->members[i].late;
  if (worst > LEAD_MAX) worst = LEAD_MAX;
  pool->lead = (pool->lead * 15 + worst) / 16;
  if (pool->lead < 64) pool->lead = 64;
}

/* Runs thread m's body: in parallel with the others, or under the control
 * of a controlled scheduler, which may abandon the run (deadlock,
 * step-limit) by a longjmp back here. */
static void run_body(jostle__pool *pool, member *m) {
  jostle__control *c = pool->control;
  if (c == NULL) {
    if (m->sched.ops->begin) m->sched.ops->begin(&m->sched, pool->run.seed);
    if (pool->timed) timed_start(pool, m);
    pool->scenario->thread(&pool->run, m->sched.index);
    jostle__leave_if_forked();
    if (pool->waits) jostle__waits_done(pool->waits, m->sched.index, 1);
    return;
  }
  jmp_buf escape;
  if (setjmp(escape) == 0) {
    jostle__control_enter(c, m->sched.index, &escape);
    pool->scenario->thread(&pool->run, m->sched.index);
    jostle__leave_if_forked();
  }
  jostle__control_exit(c, m->sched.index);
}

/* What every thread, 0 included, does between the two barriers. */
static void step(jostle__pool *pool, member *m) {
  switch (pool->action) {
  case ACT_RUN:
    run_body(pool, m);
    break;
  case ACT_PLACE: {
    int pu = pool->place[m->sched.index];
    if (pu >= 0 && jostle__bind_self(pu) != 0)
      atomic_store_explicit(&pool->bind_failed, 1, memory_order_relaxed);
    break;
  }
  case ACT_QUIT: break;
  }
}

static void *member_main(void *arg) {
  member *m = arg;
  jostle__pool *pool = m->pool;
  jostle__thread_attach(&m->sched);
  for (;;) {
    jostle__barrier_wait(&pool->start, &m->spin_budget);
    if (pool->action == ACT_QUIT) break;
    step(pool, m);
    jostle__barrier_wait(&pool->end, &m->spin_budget);
  }
  jostle__thread_attach(NULL);
  return NULL;
}

/* One round: release everyone with `action`, do our part, wait for all. */
static void round_trip(jostle__pool *pool, enum action action) {
  member *self = &pool->members[0];
  pool->action = action;
  jostle__barrier_wait(&pool->start, &self->spin_budget);
  step(pool, self);
  jostle__barrier_wait(&pool->end, &self->spin_budget);
}

static void pool_free(jostle__pool *pool) {
  for (int k = 0; k < pool->n_members; k++) jostle__control_destroy(pool->controls[k]);
  free(pool->run.state);
  free(pool->members);
  free(pool->place);
  free(pool);
}

jostle__pool *jostle__pool_create(const jostle__plan *p) {
  jostle__pool *pool = jostle__alloc_lines(sizeof *pool);
  if (pool == NULL) return NULL;
  memset(pool, 0, sizeof *pool);
  pool->scenario = p->scenario;
  pool->n_threads = p->n_threads;
  jostle__barrier_init(&pool->start, (uint32_t)p->n_threads);
  jostle__barrier_init(&pool->end, (uint32_t)p->n_threads);
  size_t state_size = p->scenario->state_size;
  pool->run.state = jostle__alloc_lines(state_size);
  pool->members = jostle__alloc_lines((size_t)p->n_threads * sizeof *pool->members);
  pool->place = calloc((size_t)p->n_threads, sizeof *pool->place);
  if (pool->run.state == NULL || pool->members == NULL || pool->place == NULL) {
    pool_free(pool);
    return NULL;
  }
  memset(pool->members, 0, (size_t)p->n_threads * sizeof *pool->members);
  pool->run.scenario = p->scenario;
  pool->run.params = p->params;
  const jostle_param_def *defs = p->scenario->params;
  while (defs && defs[pool->run.n_params].name) pool->run.n_params++;
  pool->run.n_threads = p->n_threads;
  for (int i = 0; i < p->n_threads; i++) {
    member *m = &pool->members[i];
    m->pool = pool;
    m->sched.ops = p->sched;
    m->sched.point = p->sched->point;
    m->sched.cfg = &p->sched_cfg;
    m->sched.index = i;
    m->spin_budget = JOSTLE__SPIN_BUDGET_INITIAL;
  }
  if (jostle__sched_controlled(p->sched)) {
    pool->member_ops[0] = p->sched;
    pool->member_cfg[0] = &p->sched_cfg;
    int n = p->sched->portfolio ? jostle__portfolio_members(pool->member_ops) : 1;
    JOSTLE_ASSERT(n > 0);
    for (int k = 0; k < n; k++) {
      if (p->sched->portfolio) {
        jostle__portfolio_cfg(&p->sched_cfg, pool->member_ops[k], &pool->portfolio_cfg[k]);
        pool->member_cfg[k] = &pool->portfolio_cfg[k];
      }
      pool->controls[k] = jostle__control_create(pool->member_ops[k], pool->member_cfg[k],
                                                 p->n_threads, pool->run.state, state_size);
      if (pool->controls[k] == NULL) {
        pool_free(pool);
        return NULL;
      }
      pool->n_members = k + 1;
    }
    jostle__pool_member(pool, 0);
  }
  /* Threads are created (and joined, in destroy) while the calling thread
   * is not a scenario thread: scenarios' thread calls are wrapped, and
   * jostle's own must not be scheduling points. */
  for (int i = 1; i < p->n_threads; i++) {
    if (pthread_create(&pool->members[i].tid, NULL, member_main,
                       &pool->members[i]) != 0) {
      /* Threads already started wait at the start barrier for n threads;
       * this process cannot go on, and its parent reports why. */
      return NULL;
    }
  }
  jostle__thread_attach(&pool->members[0].sched);
  return pool;
}

int jostle__pool_members(const jostle__pool *pool) {
  return pool->n_members > 0 ? pool->n_members : 1;
}

void jostle__pool_member(jostle__pool *pool, int k) {
  JOSTLE_ASSERT(k >= 0 && k < jostle__pool_members(pool));
  if (pool->n_members == 0) return; /* uncontrolled: one scheduler, no control */
  pool->control = pool->controls[k];
  for (int i = 0; i < pool->n_threads; i++) {
    jostle__thread *t = &pool->members[i].sched;
    t->ops = pool->member_ops[k];
    t->point = t->ops->point;
    t->cfg = pool->member_cfg[k];
    t->control = pool->control;
    t->calls = jostle__control_calls(pool->control);
  }
}

void jostle__pool_publish_waits(jostle__pool *pool, jostle__waits *waits) {
  if (pool->control != NULL) return; /* the model knows every wait */
  pool->waits = waits;
  jostle__waits_board = waits;
  for (int i = 0; i < pool->n_threads; i++) pool->members[i].sched.waiter = &waits->threads[i];
}

int jostle__pool_place(jostle__pool *pool, const int *pu, int spin_ok) {
  uint32_t spin = spin_ok ? SPIN_OK_LIMIT : SPIN_OVERSUBSCRIBED;
  pool->timed = spin_ok && pool->control == NULL;
  pool->lead = LEAD_INITIAL;
  for (int k = 0; k < pool->n_members; k++) jostle__control_set_spin(pool->controls[k], spin_ok);
  jostle__barrier_set_spin(&pool->start, spin);
  jostle__barrier_set_spin(&pool->end, spin);
  memcpy(pool->place, pu, (size_t)pool->n_threads * sizeof *pu);
  round_trip(pool, ACT_PLACE);
  return atomic_exchange_explicit(&pool->bind_failed, 0, memory_order_relaxed) ? -1 : 0;
}

const jostle_run *jostle__pool_run(jostle__pool *pool, uint64_t seed) {
  jostle_run *r = &pool->run;
  const jostle_scenario *s = pool->scenario;
  r->seed = seed;
  r->input = pool->members[0].sched.cfg->input;
  if (r->input != NULL) {
    r->input->front_bit = 0;
    r->input->back = r->input->size;
  }
  r->input_rng = jostle__mix(seed, INPUT_SALT);
  r->n_obs = 0;
  r->obs_overflow = 0;
  r->reason = NULL;
  if (s->state_size) memset(r->state, 0, s->state_size);
  r->verdict = JOSTLE__RUN_OK;
  if (s->setup) s->setup(r);
  jostle__leave_if_forked();
  if (pool->control) jostle__control_begin(pool->control, seed);
  if (pool->waits) jostle__waits_begin_run(pool->waits);
  round_trip(pool, ACT_RUN);
  if (pool->waits) jostle__waits_done(pool->waits, 0, 0);
  if (pool->timed) adapt_lead(pool);
  if (pool->control) jostle__control_end(pool->control);
  if (pool->control) r->verdict = jostle__control_verdict(pool->control, &r->verdict_text);
  jostle__run_settle(r, 1);
  /* An abandoned run's bodies never finished; a race is the outcome,
   * whatever check then says. */
  if (r->verdict == JOSTLE__RUN_OK || r->verdict == JOSTLE__RUN_RACE) s->check(r);
  jostle__leave_if_forked();
  jostle__run_settle(r, 0);
  if (s->teardown) s->teardown(r);
  jostle__leave_if_forked();
  return r;
}

void jostle__pool_destroy(jostle__pool *pool) {
  pool->action = ACT_QUIT;
  jostle__barrier_wait(&pool->start, &pool->members[0].spin_budget);
  jostle__thread_attach(NULL);
  for (int i = 1; i < pool->n_threads; i++)
    JOSTLE_ASSERT(pthread_join(pool->members[i].tid, NULL) == 0);
  pool_free(pool);
}

uint64_t jostle__pool_calibrate(jostle__pool *pool, uint64_t known) {
  jostle__control *c = pool->control;
  const jostle__sched_ops *ops = pool->members[0].sched.ops;
  if (c == NULL || !ops->calibrate) return 0;
  /* A profile (surw's) is the pool's own, so every pool makes the run,
   * unless the measure it is given has no JOSTLE__PROFILED mark: the
   * parent's count of a calibration run that died, which would die here
   * too; the strategy then runs without a profile. */
  int profiled = ops->profile_size != 0;
  if (known == 0 || (profiled && (known & JOSTLE__PROFILED))) {
    jostle__control_calibrating(c, 1);
    (void)jostle__pool_run(pool, JOSTLE__CALIBRATION_SEED);
    jostle__control_calibrating(c, 0);
    known = jostle__control_steps(c) ? jostle__control_steps(c) : 1;
    if (profiled) known |= JOSTLE__PROFILED;
  }
  jostle__control_set_calibration(c, known & ~JOSTLE__PROFILED);
  return known;
}

int jostle__pool_profiled(const jostle__pool *pool) {
  return pool->control != NULL && pool->members[0].sched.ops->profile_size != 0;
}

void jostle__pool_calibration_ends(jostle__pool *pool) {
  if (pool->control != NULL) jostle__control_calibrating(pool->control, 0);
}

void jostle__pool_adopt_fork(jostle__pool *pool) {
  JOSTLE_ASSERT(pool->n_threads == 1);
  jostle__forks_adopt();
  /* the same thread's stack as in the worker: its bounds are known */
  jostle__self = &pool->members[0].sched;
}

int jostle__pool_verdict(jostle__pool *pool, const char **text) {
  *text = NULL;
  return pool->control ? (int)jostle__control_verdict_now(pool->control, text) : JOSTLE__RUN_OK;
}

void jostle__pool_race_report(jostle__pool *pool, char *buf, size_t size, uint64_t steps[2]) {
  jostle__control_race_report(pool->control, buf, size, steps);
}

void jostle__pool_count_steps(jostle__pool *pool, jostle__step_counter *counters) {
  for (int k = 0; k < pool->n_members; k++)
    jostle__control_count_steps(pool->controls[k], counters);
}

uint64_t jostle__pool_schedule_hash(const jostle__pool *pool) {
  return pool->control ? jostle__control_schedule_hash(pool->control) : 0;
}

int jostle__pool_switches(const jostle__pool *pool) {
  return pool->control ? jostle__control_switches(pool->control) : 0;
}

uint64_t jostle__pool_steps(const jostle__pool *pool) {
  return pool->control ? jostle__control_steps(pool->control) : 0;
}
