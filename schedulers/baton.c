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
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/assert.h"
#include "common/cache_line.h"
#include "common/cpu.h"
#include "common/futex.h"
#include "common/hash.h"
#include "common/seed.h"
#include "common/spin_budget.h"
#include "common/text.h"
#include "schedulers/calls.h"
#include "schedulers/carrier.h"
#include "schedulers/feedback.h"
#include "schedulers/forks.h"
#include "schedulers/races.h"
#include "schedulers/schedule.h"
#include "schedulers/strategy.h"
#include "schedulers/trace.h"
#include "schedulers/trace_names.h"

#define SPIN_LIMIT (1u << 14)   /* most pauses before a waiter sleeps */
#define CHOICE_SALT 0x63686f696365ULL
#define NOBODY UINT32_MAX       /* `turn` of an abandoned run */
#define CHUNK 64                /* objects per chunk */
#define SOLO_WEIGHT 100         /* a lone thread's points per counted one */

const jostle__sched_option jostle__control_options[] = {
    {.name = "step-limit", .metavar = "N", .type = JOSTLE__OPT_COUNT,
     .help = "points per run before step-limit (a lone thread's: 1 in 100)",
     .offset = offsetof(jostle__sched_cfg, step_limit), .def.count = 100000,
     .reproduce = JOSTLE__REPRODUCE_CHANGED},
    {.name = "spurious-wakeups", .type = JOSTLE__OPT_FLAG,
     .help = "a condition wait may end unsignalled (a choice)",
     .offset = offsetof(jostle__sched_cfg, spurious_wakeups),
     .reproduce = JOSTLE__REPRODUCE_CHANGED},
    {.name = "races", .type = JOSTLE__OPT_FLAG,
     .help = "a data race (accesses nothing orders) is the run's outcome",
     .offset = offsetof(jostle__sched_cfg, races),
     .reproduce = JOSTLE__REPRODUCE_CHANGED},
    {0},
};

/* ---- the tables, growing with the run ------------------------------------ */

/* Makes room for `want` threads; 0, or -1 when out of memory (the tables
 * then hold what they held). Arrays double; seats are made one by one.
 * The table of seats never moves (it has room for JOSTLE_MAX_THREADS from
 * the start): a thread that does not hold the baton reads its own seat
 * there while the holder may be growing the rest for a thread it creates. */
static int grow_threads(jostle__control *c, int want) {
  if (c->seats == NULL) c->seats = calloc(JOSTLE_MAX_THREADS, sizeof *c->seats);
  if (c->seats == NULL) return -1;
  if (want > c->capacity) {
    int cap = c->capacity ? c->capacity : 8;
    while (cap < want) cap *= 2;
    size_t n = (size_t)cap, k = c->ops->thread_run_size;
    jostle__thread_state *state = realloc(c->state, n * sizeof *state);
    if (state != NULL) c->state = state;
    size_t words = (n + 63) / 64, had = ((size_t)c->capacity + 63) / 64;
    uint64_t *runnable = realloc(c->runnable, words * sizeof *runnable);
    if (runnable != NULL) {
      memset(runnable + had, 0, (words - had) * sizeof *runnable);
      c->runnable = runnable;
    }
    const jostle__object **waits_on = realloc(c->waits_on, n * sizeof *waits_on);
    if (waits_on != NULL) c->waits_on = waits_on;
    jostle__point *pending = realloc(c->pending, n * sizeof *pending);
    if (pending != NULL) c->pending = pending;
    unsigned char *timed = realloc(c->timed, n);
    if (timed != NULL) c->timed = timed;
    unsigned char *timed_out = realloc(c->timed_out, n);
    if (timed_out != NULL) c->timed_out = timed_out;
    int *scratch = realloc(c->scratch, n * sizeof *scratch);
    if (scratch != NULL) c->scratch = scratch;
    unsigned char *strat = k ? realloc(c->strategy_threads, n * k) : NULL;
    if (strat != NULL) c->strategy_threads = strat;
    if (!state || !runnable || !waits_on || !pending || !timed || !timed_out ||
        !scratch || (k && !strat))
      return -1;
    c->capacity = cap;
  }
  for (; c->n_seats < want; c->n_seats++) {
    jostle__seat *s = jostle__alloc_lines(sizeof *s);
    if (s == NULL) return -1;
    memset(s, 0, sizeof *s);
    s->spin_budget = JOSTLE__SPIN_BUDGET_INITIAL;
    s->wake_after = -1;
    if (c->carried && jostle__carrier_seat_init(s) != 0) {
      free(s);
      return -1;
    }
    c->seats[c->n_seats] = s;
  }
  return 0;
}

jostle__control *jostle__control_create(const jostle__sched_ops *ops,
                                        const jostle__sched_cfg *cfg, int n_pool,
                                        const void *run_state, size_t state_size) {
  jostle__control *c = jostle__alloc_lines(sizeof *c);
  if (c == NULL) return NULL;
  memset(c, 0, sizeof *c);
  c->ops = ops;
  c->cfg = c->cfg_in = cfg;
  c->n_pool = c->n_threads = n_pool;
  c->run_state = run_state;
  c->run_state_size = state_size;
  c->strategy = ops->run_size ? calloc(1, ops->run_size) : NULL;
  /* shared with the processes forked from this one: a program's
   * calibration run, which ends in the program's exit, makes the profile
   * in a process of its own (harness/worker.c) */
  if (ops->profile_size) {
    c->profile = mmap(NULL, ops->profile_size, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c->profile == MAP_FAILED) c->profile = NULL;
  }
  c->index_cap = 64;
  c->index = calloc(c->index_cap, sizeof *c->index);
  const char *handover = getenv("JOSTLE_HANDOVER");
  c->carried = !(handover != NULL && strcmp(handover, "kernel") == 0) &&
               jostle__carrier_probe(&c->tid_offset, &c->wrfsbase) == NULL;
  if (cfg->races) {
    c->races = jostle__races_create();
    c->calls = jostle__calls_create();
  }
  if (grow_threads(c, n_pool) != 0 || c->index == NULL ||
      (ops->run_size && c->strategy == NULL) || (ops->profile_size && c->profile == NULL) ||
      (cfg->races && (c->races == NULL || c->calls == NULL))) {
    jostle__control_destroy(c);
    return NULL;
  }
  return c;
}

void jostle__control_destroy(jostle__control *c) {
  if (c == NULL) return;
  for (int i = 0; i < c->n_seats; i++) {
    jostle__carrier_seat_free(c->seats[i]);
    free(c->seats[i]);
  }
  for (int i = 0; i < c->n_chunks; i++) free(c->chunks[i]);
  free(c->chunks);
  free(c->index);
  free(c->seats);
  free(c->state);
  free(c->runnable);
  free(c->waits_on);
  free(c->pending);
  free(c->timed);
  free(c->timed_out);
  free(c->scratch);
  free(c->strategy_threads);
  free(c->strategy);
  if (c->profile != NULL) munmap(c->profile, c->ops->profile_size);
  jostle__races_destroy(c->races);
  jostle__calls_destroy(c->calls);
  jostle__trace_free(c);
  free(c);
}

void jostle__control_set_spin(jostle__control *c, int spin) { c->spin = spin; }

int jostle__control_switches(const jostle__control *c) { return c->carried; }

const char *jostle__control_switching(void) {
  int offset, wrfsbase;
  return jostle__carrier_probe(&offset, &wrfsbase);
}

void jostle__control_count_steps(jostle__control *c, jostle__step_counter *counters) {
  c->steps_out = counters;
}


void jostle__control_calibrating(jostle__control *c, int on) {
  if (on) {
    /* a fixed seed, so that every process measures the same steps; not a
     * run of the campaign, so neither traced nor recorded */
    c->quiet = *c->cfg_in;
    c->quiet.trace = 0;
    c->quiet.record = NULL;
    c->quiet.races = 0;
    c->cfg = &c->quiet;
    c->calibration = 0;
    if (c->profile) memset(c->profile, 0, c->ops->profile_size);
  } else {
    c->cfg = c->cfg_in;
    c->calibration = c->n_steps ? c->n_steps : 1;
    if (c->ops->calibrated) c->ops->calibrated(c);
  }
}

jostle__verdict jostle__control_verdict(const jostle__control *c, const char **text) {
  *text = c->verdict_text;
  return c->verdict;
}

uint64_t jostle__control_schedule_hash(const jostle__control *c) { return c->schedule_hash; }

void jostle__control_set_calibration(jostle__control *c, uint64_t steps) {
  c->calibration = steps ? steps : 1;
}

uint64_t jostle__control_steps(const jostle__control *c) { return c->n_steps; }

/* ---- hand-off ------------------------------------------------------------ */

static _Noreturn void escape(jostle__control *c, int index) {
  longjmp(*c->seats[index]->escape, 1);
}

/* Waits until the thread of seat s (number `index`) holds the baton, or
 * leaves if the run is being abandoned. Touches only s, turn and
 * aborting: another thread may be growing the tables meanwhile. */
static void wait_turn(jostle__control *c, jostle__seat *s, int index) {
  uint32_t me = (uint32_t)index;
  /* The budget adapts as the barrier's does: spinning that ends in sleep
   * anyway (another process has our processor) shrinks it. */
  uint32_t spin = c->spin ? s->spin_budget : 0;
  for (uint32_t i = 0; i < spin; i++) {
    if (atomic_load_explicit(&c->turn, memory_order_acquire) == me) {
      s->spin_budget = jostle__spin_budget_grown(s->spin_budget, SPIN_LIMIT);
      return;
    }
    if (atomic_load_explicit(&c->aborting, memory_order_relaxed))
      longjmp(*s->escape, 1);
    jostle__cpu_relax();
  }
  if (spin > 0) s->spin_budget = jostle__spin_budget_shrunk(spin);
  for (;;) {
    atomic_store_explicit(&s->sleeping, 1, memory_order_seq_cst);
    uint32_t turn = atomic_load_explicit(&c->turn, memory_order_seq_cst);
    int aborting = atomic_load_explicit(&c->aborting, memory_order_seq_cst);
    if (turn != me && !aborting) jostle__futex_wait(&c->turn, turn);
    atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
    if (atomic_load_explicit(&c->aborting, memory_order_acquire)) longjmp(*s->escape, 1);
    if (atomic_load_explicit(&c->turn, memory_order_acquire) == me) return;
  }
}

static void hand_to(jostle__control *c, int next) {
  jostle__seat *s = c->seats[next];
  atomic_store_explicit(&c->turn, (uint32_t)next, memory_order_seq_cst);
  if (atomic_load_explicit(&s->sleeping, memory_order_seq_cst)) jostle__futex_wake_all(&c->turn);
}

/* The holder `me` hands the baton to `next`; returns when it holds it
 * again (or escapes from an abandoned run). */
static void pass(jostle__control *c, int me, int next) {
  if (c->carried) {
    jostle__carrier_pass(c, me, next);
    return;
  }
  hand_to(c, next);
  wait_turn(c, c->seats[me], me);
}

/* Every decision is hashed, and recorded when the run is being recorded. */
static void note_choice(jostle__control *c, int chosen) {
  c->schedule_hash = jostle__fnv1a_step(c->schedule_hash, (uint64_t)(chosen + 1));
  jostle__schedule *rec = c->cfg->record;
  if (rec == NULL) return;
  if (rec->n < rec->cap) rec->d[rec->n++] = (jostle__decision)chosen;
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

/* One of the n candidates, from the choice source (see strategy.h). A
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
 * wake unsignalled: it is one more candidate of every pick at which some
 * thread can run. Never when none can: a real condition variable is not
 * obliged ever to wake a waiter, so a run whose only way on is a spurious
 * wake-up is a deadlock, and that is the finding (lost-wakeup's signal
 * sent before the wait). Rescuing it would make the option that sounds
 * more thorough find less. */
static int spurious_candidate(const jostle__control *c, int i) {
  return c->cfg->spurious_wakeups && c->state[i] == JOSTLE__BLOCKED &&
         c->waits_on[i] != NULL && c->waits_on[i]->kind == JOSTLE__OBJ_COND;
}

static int n_runnable(const jostle__control *c) {
  int n = 0;
  for (int w = 0; w < (c->n_threads + 63) / 64; w++) n += __builtin_popcountll(c->runnable[w]);
  return n;
}

/* The runnable thread of rank r (from 0, by index). */
static int nth_runnable(const jostle__control *c, int r) {
  for (int w = 0;; w++) {
    uint64_t bits = c->runnable[w];
    int here = __builtin_popcountll(bits);
    if (r >= here) {
      r -= here;
      continue;
    }
    while (r-- > 0) bits &= bits - 1;
    return w * 64 + __builtin_ctzll(bits);
  }
}

int jostle__control_pick_runnable(jostle__control *c, int current, const jostle__point *p) {
  /* drawn from the source alone, as choose_among would draw among them */
  if (c->cfg->replay == NULL && c->cfg->input == NULL && !c->cfg->spurious_wakeups)
    return nth_runnable(c, (int)jostle__control_choose(c, (uint32_t)n_runnable(c)));
  int *runnable = c->scratch, n = 0, n_running;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__RUNNABLE) runnable[n++] = i;
  n_running = n;
  for (int i = 0; n_running > 0 && i < c->n_threads; i++)
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
    jostle__control_set_state(c, chosen, JOSTLE__RUNNABLE);
    c->waits_on[chosen] = NULL;
  }
  return chosen;
}

const char *jostle__object_kind_name(jostle__object_kind kind) {
  static const char *const names[] = {"mutex",    "rwlock", "cond", "sem",
                                      "spinlock", "thread", "once", "barrier"};
  return names[kind];
}

/* "thread 0 waits for mutex#0 held by thread 1; ...", a created thread
 * named by its function where it waits ("thread 1 (transfer) waits for
 * ..."). Objects are
 * numbered by their first appearance in the text, as an uncontrolled
 * run's deadlock numbers them (waits.c), not by their first use in the
 * run: the same deadlock reached by two schedules is one text. */
/* The name the code gives an object, when it is the same in every run:
 * a global's, "forks[1]" (the run's state, the heap and the stacks have
 * none that is). A deadlock's text names such an object by it, the others
 * by their kind and place in the text, "mutex#0". */
static int object_name(const jostle__control *c, const jostle__object *o, char *buf,
                       size_t size) {
  uintptr_t a = (uintptr_t)o->addr, lo = (uintptr_t)c->run_state;
  if (a - lo < c->run_state_size) return 0;
  jostle__value_type type;
  jostle__trace_name_data(c, o->addr, NULL, buf, size, &type);
  return buf[0] != '\0' && strncmp(buf, "0x", 2) != 0;
}

/* "thread 2", or "thread 2 (philosopher)" for a thread the run created,
 * by its start function's name: the same in every run. */
static void thread_name(const jostle__control *c, int i, char *buf, size_t size) {
  char fn[96] = "";
  if (i >= c->n_pool) jostle__trace_name_function((const void *)c->seats[i]->fn, fn, sizeof fn);
  snprintf(buf, size, fn[0] ? "thread %d (%s)" : "thread %d", i, fn);
}

static void describe_deadlock(jostle__control *c) {
  size_t len = (size_t)snprintf(c->verdict_text, sizeof c->verdict_text, "deadlock (");
  const char *sep = "";
  /* the objects without a name, numbered by their place in the text: a
   * thread waiting on each */
  int *numbered = c->scratch, n_numbered = 0;
  for (int i = 0; i < c->n_threads && len < sizeof c->verdict_text; i++) {
    const jostle__object *o = c->waits_on[i];
    if (c->state[i] != JOSTLE__BLOCKED || o == NULL) continue;
    char who[128];
    thread_name(c, i, who, sizeof who);
    if (o->kind == JOSTLE__OBJ_THREAD) {
      len += (size_t)snprintf(c->verdict_text + len, sizeof c->verdict_text - len,
                              "%s%s waits for thread %d to finish", sep, who, o->count);
      sep = "; ";
      continue;
    }
    char name[96];
    if (object_name(c, o, name, sizeof name)) {
      /* by its name alone: a deadlock of many threads must fit the text */
      len += (size_t)snprintf(c->verdict_text + len, sizeof c->verdict_text - len,
                              "%s%s waits for %s", sep, who, name);
    } else {
      int id = 0;
      while (id < n_numbered && c->waits_on[numbered[id]] != o) id++;
      if (id == n_numbered) numbered[n_numbered++] = i;
      len += (size_t)snprintf(c->verdict_text + len, sizeof c->verdict_text - len,
                              "%s%s waits for %s#%d", sep, who,
                              jostle__object_kind_name(o->kind), id);
    }
    if (o->owner >= 0 && len < sizeof c->verdict_text)
      len += (size_t)snprintf(c->verdict_text + len, sizeof c->verdict_text - len,
                              " held by thread %d", o->owner);
    sep = "; ";
  }
  if (len < sizeof c->verdict_text)
    snprintf(c->verdict_text + len, sizeof c->verdict_text - len, ")");
}

/* Ends the run early: every thread leaves its body. The caller holds the
 * baton and escapes too when it is a scenario thread (index >= 0). A
 * limit's text is the caller's. abandon's trace says jostle ended the
 * run; a halt's run ended itself. */
static void stop_threads(jostle__control *c, jostle__verdict verdict, int index) {
  c->verdict = verdict;
  if (verdict == JOSTLE__RUN_DEADLOCK) describe_deadlock(c);
  else if (verdict == JOSTLE__RUN_STEP_LIMIT)
    snprintf(c->verdict_text, sizeof c->verdict_text, "step-limit (%llu point%s)",
             (unsigned long long)c->step_limit, jostle__s(c->step_limit));
  atomic_store_explicit(&c->aborting, 1, memory_order_seq_cst);
  /* Nobody holds the baton now. Changing `turn` matters: a waiter that
   * read `aborting` as 0 just before may be on its way into futex_wait,
   * which sleeps only while `turn` still has the value it read. */
  atomic_store_explicit(&c->turn, NOBODY, memory_order_seq_cst);
  jostle__futex_wake_all(&c->turn);
  if (c->carried && index >= 0) jostle__carrier_abandon(c, index);
  if (index >= 0) escape(c, index);
}

static void abandon(jostle__control *c, jostle__verdict verdict, int index) {
  if (c->cfg->trace && index >= 0) jostle__trace_abandon(c, index);
  stop_threads(c, verdict, index);
}

/* One more scheduling point; past the step limit the run is abandoned.
 * While one thread of the run is left that is not done (a program's
 * start-up before it creates threads, its end after the last join), a
 * point has no choice to make and counts as 1/SOLO_WEIGHT of one: a long
 * start-up is no step-limit, and a lone thread that loops forever still
 * ends at one. */
static void step(jostle__control *c, int index) {
  if (c->steps_out != NULL) {
    /* only this thread writes its counter */
    _Atomic uint64_t *mine = &c->steps_out[index % JOSTLE__STEP_COUNTERS].n;
    atomic_store_explicit(mine, atomic_load_explicit(mine, memory_order_relaxed) + 1,
                          memory_order_relaxed);
  }
  c->n_steps++;
  if (c->n_threads - c->n_done > 1 || c->n_steps % SOLO_WEIGHT == 0)
    if (++c->n_counted > c->step_limit) abandon(c, JOSTLE__RUN_STEP_LIMIT, index);
}

/* The run needs more than jostle could allocate: a limit of jostle's own,
 * never blamed on the scenario as a crash. */
static _Noreturn void out_of_room(jostle__control *c, int index, const char *what) {
  snprintf(c->verdict_text, sizeof c->verdict_text, "limit (out of memory for %s)", what);
  abandon(c, JOSTLE__RUN_LIMIT, index);
  abort(); /* abandon escapes: index is a scenario thread's */
}

_Noreturn void jostle__control_unsupported(jostle__control *c, int index, const char *call,
                                           const char *why) {
  snprintf(c->verdict_text, sizeof c->verdict_text, "unsupported: %s %s", call,
           why != NULL ? why : "(not modelled under controlled schedulers)");
  if (c->cfg->trace) {
    char event[96];
    snprintf(event, sizeof event, "calls %s: unsupported", call);
    jostle__trace_event(c, index, event, NULL);
  }
  abandon(c, JOSTLE__RUN_LIMIT, index);
  abort(); /* abandon escapes: index is a scenario thread's */
}

_Noreturn void jostle__control_halt(jostle__control *c, int index) {
  stop_threads(c, c->verdict, index);
  abort(); /* stop_threads escapes: index is a thread of the run */
}

static int any_runnable(const jostle__control *c) {
  for (int w = 0; w < (c->n_threads + 63) / 64; w++)
    if (c->runnable[w]) return 1;
  return 0;
}

/* No thread can run: time passes for timed waits, else it is a deadlock.
 * Returns 1 when some thread became runnable. */
static int unstick(jostle__control *c) {
  int woke = 0;
  for (int i = 0; i < c->n_threads; i++) {
    if (c->state[i] == JOSTLE__BLOCKED && c->timed[i]) {
      jostle__control_set_state(c, i, JOSTLE__RUNNABLE);
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

static void reset_thread(jostle__control *c, int i) {
  jostle__control_set_state(c, i, JOSTLE__RUNNABLE);
  c->waits_on[i] = NULL;
  c->pending[i] = (jostle__point){.kind = JOSTLE__POINT_YIELD};
  c->timed[i] = c->timed_out[i] = 0;
}

void jostle__control_begin(jostle__control *c, uint64_t seed) {
  c->rng = jostle__mix(seed, CHOICE_SALT);
  c->replay_pos = 0;
  c->n_threads = c->n_pool;
  if (c->cfg->record) {
    c->cfg->record->n = 0;
    c->cfg->record->overflow = 0;
  }
  c->n_steps = c->n_counted = 0;
  c->time_ns = c->alarm_ns = 0;
  c->n_done = 0;
  c->step_limit = c->cfg->step_limit;
  if (c->cfg->trace) jostle__trace_begin(c);
  memset(c->runnable, 0, ((size_t)c->capacity + 63) / 64 * sizeof *c->runnable);
  for (int i = 0; i < c->n_threads; i++) reset_thread(c, i);
  c->n_objects = 0;
  memset(c->index, 0, c->index_cap * sizeof *c->index);
  if (c->cfg->feedback) jostle__feedback_begin(c);
  c->races_failed = c->cfg->races && jostle__races_begin(c->races, c->n_pool) != 0;
  if (c->calls) jostle__calls_begin(c->calls);
  c->verdict = JOSTLE__RUN_OK;
  c->verdict_text[0] = '\0';
  c->schedule_hash = JOSTLE__FNV_OFFSET;
  atomic_store_explicit(&c->aborting, 0, memory_order_relaxed);
  if (c->ops->run_size) memset(c->strategy, 0, c->ops->run_size);
  if (c->ops->thread_run_size)
    memset(c->strategy_threads, 0, (size_t)c->n_pool * c->ops->thread_run_size);
  if (c->ops->run_begin) c->ops->run_begin(c);
  int first = c->ops->pick(c, -1, NULL);
  note_choice(c, first);
  atomic_store_explicit(&c->turn, (uint32_t)first, memory_order_relaxed);
  atomic_store_explicit(&c->arrived, 0, memory_order_relaxed);
  c->active = 1;
}

void jostle__control_enter(jostle__control *c, int index, jmp_buf *escape_to) {
  jostle__seat *s = c->seats[index];
  s->escape = escape_to;
  if (!c->carried) wait_turn(c, s, index);
  else if (index < c->n_pool) jostle__carrier_enter(c, index);
  else jostle__carrier_enter_created(c, index);
}

/* The model of created thread k, or NULL while nobody joined it. */
static jostle__object *thread_object(jostle__control *c, int k) {
  return jostle__control_find_object(c, c->seats[k]);
}

void jostle__control_exit(jostle__control *c, int index) {
  if (atomic_load_explicit(&c->aborting, memory_order_acquire)) {
    if (c->carried) jostle__carrier_go_home(c, index);
    return;
  }
  jostle__control_set_state(c, index, JOSTLE__DONE);
  c->n_done++;
  if (index >= c->n_pool) {
    jostle__object *joined = thread_object(c, index);
    if (joined != NULL) jostle__control_wake_all(c, joined);
  }
  if (c->cfg->trace) jostle__trace_event(c, index, "finishes", NULL);
  int next = next_thread(c, index, NULL);
  if (next < 0) c->active = 0;
  else if (c->cfg->trace) jostle__trace_switch(c, index, next);
  if (c->carried) jostle__carrier_leave(c, index, next);
  else if (next >= 0) hand_to(c, next);
}

/* --races is on for this run (never for the calibration run) and its
 * detector has not run out of memory. */
static int racing(const jostle__control *c) { return c->cfg->races && !c->races_failed; }

/* --races: the run's first race is its outcome, unless it was abandoned
 * (a deadlock, a limit), which the bodies never finished to be judged. */
static void judge_races(jostle__control *c) {
  if (!c->cfg->races || c->verdict != JOSTLE__RUN_OK) return;
  const jostle__race *race;
  if (c->races_failed) {
    c->verdict = JOSTLE__RUN_LIMIT;
    snprintf(c->verdict_text, sizeof c->verdict_text,
             "limit (out of memory for the race detector)");
  } else if ((race = jostle__races_found(c->races)) != NULL) {
    c->verdict = JOSTLE__RUN_RACE;
    jostle__race_text(c, race, c->verdict_text, sizeof c->verdict_text);
  }
}

jostle__verdict jostle__control_verdict_now(jostle__control *c, const char **text) {
  judge_races(c);
  return jostle__control_verdict(c, text);
}

void jostle__control_end(jostle__control *c) {
  /* Created threads may still run (the pool's threads were done first), or
   * be leaving an abandoned run: the run ends when they are gone. */
  for (int k = c->n_pool; k < c->n_threads; k++) {
    jostle__seat *s = c->seats[k];
    if (!s->reaped) c->reap(s->tid, NULL);
    s->reaped = 1;
  }
  judge_races(c);
  c->active = 0;
  c->n_threads = c->n_pool;
}

/* Where thread t makes an access from pc at step `at`, for a race's
 * report. */
static jostle__race_site site_of(const jostle__control *c, int t, const void *pc,
                                 uint64_t at) {
  return (jostle__race_site){pc, jostle__calls_now(c->calls, t), at};
}

void jostle__control_point(jostle__thread *t, const jostle__point *p) {
  jostle__control *c = t->control;
  if (!c->active) return; /* setup and check run outside the schedule */
  int me = t->index;
  step(c, me);
  uint64_t at = c->n_steps; /* the trace's step of this point */
  c->pending[me] = *p;
  int next = next_thread(c, me, p);
  /* after the decision: the trace prints an access when it takes effect */
  if (c->cfg->trace) jostle__trace_point(c, me, p, next);
  if (next != me) pass(c, me, next);
  /* the access takes effect now, in the order the run makes them */
  if (c->cfg->feedback) jostle__feedback_note(c, me, p);
  if (racing(c) && p->kind != JOSTLE__POINT_YIELD && p->kind != JOSTLE__POINT_SYNC) {
    jostle__race_site site = site_of(c, me, p->pc, at);
    c->races_failed = jostle__races_access(c->races, me, p->addr, p->access, &site) != 0;
  }
}

void jostle__control_own_access(jostle__thread *t, jostle__point_access access,
                                const void *addr, const void *pc) {
  jostle__control *c = t->control;
  if (c->active && racing(c)) {
    /* no point of its own, and no step (0) */
    jostle__race_site site = site_of(c, t->index, pc, 0);
    c->races_failed = jostle__races_access(c->races, t->index, addr, access, &site) != 0;
  }
}

struct jostle__calls *jostle__control_calls(const jostle__control *c) { return c->calls; }

void jostle__control_race_report(const jostle__control *c, char *buf, size_t size,
                                 uint64_t steps[2]) {
  const jostle__race *race = c->races ? jostle__races_found(c->races) : NULL;
  JOSTLE_ASSERT(race != NULL);
  jostle__race_report(c, c->calls, race, buf, size);
  steps[0] = race->earlier.site.step;
  steps[1] = race->later.site.step;
}

void jostle__control_acquired(jostle__control *c, int index, const void *addr) {
  if (racing(c))
    c->races_failed = jostle__races_acquire(c->races, index, addr) != 0;
}

void jostle__control_released(jostle__control *c, int index, const void *addr) {
  if (racing(c))
    c->races_failed = jostle__races_release(c->races, index, addr) != 0;
}

void jostle__control_fence_of_self(int order) {
  int index;
  jostle__control *c = jostle__control_of_self(&index);
  if (c != NULL && racing(c)) jostle__races_fence(c->races, index, order);
}

#define TIME_PER_READING_NS 1000

/* The run's time moved on: a program's alarm due by now rings. */
static void moved_on(jostle__control *c) {
  if (c->alarm_ns == 0 || c->time_ns < c->alarm_ns) return;
  c->alarm_ns = 0;
  raise(SIGALRM);
}

uint64_t jostle__control_time(jostle__control *c) {
  uint64_t now = c->time_ns;
  c->time_ns += TIME_PER_READING_NS;
  moved_on(c);
  return now;
}

void jostle__control_time_reach(jostle__control *c, uint64_t ns) {
  if (ns <= c->time_ns) return;
  c->time_ns = ns;
  moved_on(c);
}

int jostle__control_others_runnable(const jostle__control *c, int index) {
  return n_runnable(c) > (c->state[index] == JOSTLE__RUNNABLE);
}

uint64_t jostle__control_alarm(jostle__control *c, uint64_t at) {
  uint64_t was = c->alarm_ns;
  c->alarm_ns = at;
  return was;
}

jostle__control *jostle__control_of_self(int *index) {
  jostle__thread *t = jostle__self;
  if (t == NULL || t->control == NULL || !t->control->active) return NULL;
  *index = t->index;
  return t->control;
}

/* ---- objects ------------------------------------------------------------- */

static size_t slot_of(const void *addr, size_t cap) {
  return (size_t)(jostle__mix((uint64_t)(uintptr_t)addr, 0) & (cap - 1));
}

/* Doubles the index; 0, or -1 when out of memory. */
static int grow_index(jostle__control *c) {
  size_t cap = c->index_cap * 2;
  int *index = calloc(cap, sizeof *index);
  if (index == NULL) return -1;
  for (int i = 0; i < c->n_objects; i++) {
    size_t at = slot_of(c->chunks[i / CHUNK][i % CHUNK].addr, cap);
    while (index[at] != 0) at = (at + 1) & (cap - 1);
    index[at] = i + 1;
  }
  free(c->index);
  c->index = index;
  c->index_cap = cap;
  return 0;
}

/* The index slot of addr's object, or of the empty slot where it goes. */
static size_t find_slot(const jostle__control *c, const void *addr) {
  size_t at = slot_of(addr, c->index_cap);
  for (; c->index[at] != 0; at = (at + 1) & (c->index_cap - 1)) {
    int i = c->index[at] - 1;
    if (c->chunks[i / CHUNK][i % CHUNK].addr == addr) break;
  }
  return at;
}

jostle__object *jostle__control_find_object(const jostle__control *c, const void *addr) {
  int i = c->index[find_slot(c, addr)] - 1;
  return i < 0 ? NULL : &c->chunks[i / CHUNK][i % CHUNK];
}

jostle__object *jostle__control_object(jostle__control *c, const void *addr,
                                       jostle__object_kind kind, int initial) {
  size_t at = find_slot(c, addr);
  if (c->index[at] != 0) {
    int i = c->index[at] - 1;
    return &c->chunks[i / CHUNK][i % CHUNK];
  }
  int me = jostle__self != NULL ? jostle__self->index : -1;
  int n = c->n_objects;
  if (n / CHUNK == c->n_chunks) {
    jostle__object **chunks = realloc(c->chunks, (size_t)(c->n_chunks + 1) * sizeof *chunks);
    if (chunks == NULL) out_of_room(c, me, "synchronisation objects");
    c->chunks = chunks;
    if ((c->chunks[c->n_chunks] = malloc(CHUNK * sizeof(jostle__object))) == NULL)
      out_of_room(c, me, "synchronisation objects");
    c->n_chunks++;
  }
  if ((size_t)(n + 1) * 2 > c->index_cap) {
    if (grow_index(c) != 0) out_of_room(c, me, "synchronisation objects");
    at = find_slot(c, addr);
  }
  jostle__object *o = &c->chunks[n / CHUNK][n % CHUNK];
  *o = (jostle__object){addr, kind, n, -1, initial, 0};
  c->index[at] = n + 1;
  c->n_objects++;
  return o;
}

int jostle__control_block(jostle__control *c, int index, const jostle__object *o,
                          int timed) {
  jostle__control_set_state(c, index, JOSTLE__BLOCKED);
  c->waits_on[index] = o;
  c->timed[index] = (unsigned char)timed;
  c->timed_out[index] = 0;
  step(c, index);
  if (c->cfg->trace)
    jostle__trace_event(c, index, o->kind == JOSTLE__OBJ_THREAD ? "waits for" : "blocks on", o);
  int next = next_thread(c, index, NULL);
  if (next != index) {
    if (c->cfg->trace) jostle__trace_switch(c, index, next);
    pass(c, index, next);
  }
  c->timed[index] = 0;
  return c->timed_out[index];
}

void jostle__control_wake_all(jostle__control *c, const jostle__object *o) {
  for (int i = 0; i < c->n_threads; i++) {
    if (c->state[i] == JOSTLE__BLOCKED && c->waits_on[i] == o) {
      jostle__control_set_state(c, i, JOSTLE__RUNNABLE);
      c->waits_on[i] = NULL;
    }
  }
}

int jostle__control_wake_one(jostle__control *c, const jostle__object *o) {
  int *waiters = c->scratch, n = 0;
  for (int i = 0; i < c->n_threads; i++)
    if (c->state[i] == JOSTLE__BLOCKED && c->waits_on[i] == o) waiters[n++] = i;
  if (n == 0) return 0;
  int w = choose_among(c, waiters, n, -1);
  note_choice(c, w);
  jostle__control_set_state(c, w, JOSTLE__RUNNABLE);
  c->waits_on[w] = NULL;
  return 1;
}

/* ---- threads created inside a run ------------------------------------------ */

/* A created thread's end in the model, by return or by pthread_exit. */
static void spawned_done(void *arg) {
  jostle__seat *s = arg;
  jostle__control_exit(s->context.control, s->context.index);
  jostle__thread_attach(NULL);
}

/* A created thread under the control: it waits for the baton like the
 * pool's threads, and leaves by longjmp when the run is abandoned. When it
 * calls pthread_exit, its own cleanup handlers run first, with the baton,
 * then spawned_done (under the switching hand-over that returns on its
 * home, where the thread ends). */
static void *spawned_main(void *arg) {
  jostle__seat *s = arg;
  jostle__thread_attach(&s->context);
  void *volatile result = NULL;
  jmp_buf escape_to;
  pthread_cleanup_push(spawned_done, s);
  if (setjmp(escape_to) == 0) {
    jostle__control_enter(s->context.control, s->context.index, &escape_to);
    result = s->fn(s->arg);
    jostle__leave_if_forked();
  }
  pthread_cleanup_pop(1);
  return result;
}

int jostle__control_spawn(jostle__control *c, pthread_t *tid, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg,
                          int (*create)(pthread_t *, const pthread_attr_t *,
                                        void *(*)(void *), void *),
                          int (*join)(pthread_t, void **)) {
  int k = c->n_threads, me = jostle__self->index;
  if (k == JOSTLE_MAX_THREADS) {
    snprintf(c->verdict_text, sizeof c->verdict_text,
             "limit (a run of more than %d threads)", JOSTLE_MAX_THREADS);
    abandon(c, JOSTLE__RUN_LIMIT, me);
  }
  if (grow_threads(c, k + 1) != 0) out_of_room(c, me, "threads");
  jostle__seat *s = c->seats[k];
  reset_thread(c, k);
  if (c->ops->thread_run_size)
    memset(jostle__control_thread_strategy(c, k), 0, c->ops->thread_run_size);
  s->context = *jostle__self;
  s->context.index = k;
  s->fn = fn;
  s->arg = arg;
  s->reaped = 0;
  s->detached = 0;
  s->escape = NULL;
  atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
  atomic_store_explicit(&s->parked, 0, memory_order_relaxed);
  s->wake_after = -1;
  c->reap = join;
  c->n_threads++;
  if (racing(c)) {
    c->races_failed = jostle__races_spawn(c->races, me, k) != 0;
    jostle__calls_reset(c->calls, k);
  }
  if (c->ops->spawned) c->ops->spawned(c, me, k);
  /* created detached: detached in the model, joinable for real (the
   * attributes are the caller's, restored at once: one thread runs) */
  int state = PTHREAD_CREATE_JOINABLE;
  if (attr != NULL) pthread_attr_getdetachstate(attr, &state);
  s->detached = state == PTHREAD_CREATE_DETACHED;
  if (s->detached) pthread_attr_setdetachstate((pthread_attr_t *)attr, PTHREAD_CREATE_JOINABLE);
  int rc = create(&s->tid, attr, spawned_main, s);
  if (s->detached) pthread_attr_setdetachstate((pthread_attr_t *)attr, PTHREAD_CREATE_DETACHED);
  if (rc != 0) {
    jostle__control_set_state(c, k, JOSTLE__DONE);
    c->n_done++;
    s->reaped = 1;
    return rc;
  }
  if (c->carried) jostle__carrier_wait_parked(c, k);
  *tid = s->tid;
  return 0;
}

/* The created thread tid, not joined yet, or -1. */
static int created_thread(const jostle__control *c, pthread_t tid) {
  for (int k = c->n_pool; k < c->n_threads; k++)
    if (!c->seats[k]->reaped && pthread_equal(c->seats[k]->tid, tid)) return k;
  return -1;
}

int jostle__control_detach(jostle__control *c, pthread_t tid) {
  int k = created_thread(c, tid);
  if (k < 0) return ESRCH;
  if (c->seats[k]->detached) return EINVAL;
  c->seats[k]->detached = 1;
  return 0;
}

int jostle__control_is_created(const jostle__control *c, int index) {
  return index >= c->n_pool;
}

void (*jostle__pool_thread_exit)(void);

/* Thread `index` waits in the model for created thread k to be done, and
 * is ordered after it. */
static void await_thread(jostle__control *c, int index, int k) {
  jostle__object *o = jostle__control_object(c, c->seats[k], JOSTLE__OBJ_THREAD, k);
  while (c->state[k] != JOSTLE__DONE) jostle__control_block(c, index, o, 0);
  if (racing(c)) jostle__races_joined(c->races, index, k);
}

void jostle__control_await_created(jostle__control *c, int index) {
  for (int k = c->n_pool; k < c->n_threads; k++) await_thread(c, index, k); /* may grow */
}

int jostle__control_join(jostle__control *c, int index, pthread_t tid, void **result) {
  int k = created_thread(c, tid);
  if (k < 0) return ESRCH; /* not a thread of this run, or joined */
  if (c->seats[k]->detached) return EINVAL;
  await_thread(c, index, k);
  c->seats[k]->reaped = 1;
  return c->reap(tid, result);
}
