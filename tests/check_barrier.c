/*
 * check_barrier.c: the pool's spin-then-futex barrier (harness/barrier.h).
 *
 * Property: no thread leaves round r of the barrier before every thread has
 * arrived at it, and everything any thread wrote before arriving is visible
 * to every thread after it leaves. Each thread writes a multi-word record
 * for round r into its own slot, waits, then validates every other thread's
 * record of round r word by word (ck's regressions/.../validate style).
 * Records are double-buffered by round parity, so one wait per round is
 * all that separates writers from readers: a barrier that lets one thread
 * through early shows up as a stale or torn record, as a wrong arrival
 * count, or (under ThreadSanitizer) as a data race.
 *
 * Threads are pinned round-robin over the processors this process may use
 * (when the system allows it), so that waiters really spin on one
 * processor while the last arrival runs on another; 8 threads oversubscribe
 * a 2-processor machine and exercise the futex path. Round counts are
 * multiplied by JOSTLE_SOAK.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/barrier.h"
#include "tests/check_main.h"

#define MAX_THREADS 8
#define RECORD_WORDS 6

/* One thread's record of one round: round, words derived from it, and a
 * checksum over all of them, written in that order. One cache line. */
typedef struct record {
  _Alignas(JOSTLE__CACHE_LINE) uint64_t round;
  uint64_t words[RECORD_WORDS];
  uint64_t sum;
} record;

typedef struct world {
  jostle__barrier barrier;
  uint32_t n_threads;
  uint64_t n_rounds;
  uint32_t spin_limit;
  int toggle_spin;                   /* thread 0 flips the limit as it goes */
  _Alignas(JOSTLE__CACHE_LINE) _Atomic uint64_t arrivals;
  record records[2][MAX_THREADS];    /* [round parity][thread] */
} world;

typedef struct member {
  world *w;
  uint32_t index;
  int cpu;                           /* processor to pin to, or -1 */
  pthread_t tid;
  /* Results, read by the main thread after join. */
  uint64_t n_bad_records;            /* stale or torn records seen */
  uint64_t bad_record_round;         /* the first one's round */
  uint32_t bad_record_from;          /* and whose it was */
  uint64_t n_bad_arrivals;           /* rounds left with a wrong count */
  uint64_t bad_arrival_round;        /* the first such round */
  uint64_t bad_arrivals_seen;        /* and the count seen then */
  uint32_t budget_min, budget_max;
} member;

static uint64_t word_value(uint64_t round, uint32_t index, int k) {
  uint64_t x = round * 0x9e3779b97f4a7c15ULL + ((uint64_t)index << 48) + (uint64_t)k;
  x ^= x >> 31;
  return x * 0xbf58476d1ce4e5b9ULL;
}

static void write_record(record *rec, uint64_t round, uint32_t index) {
  uint64_t sum = round;
  rec->round = round;
  for (int k = 0; k < RECORD_WORDS; k++) {
    rec->words[k] = word_value(round, index, k);
    sum ^= rec->words[k];
  }
  rec->sum = sum;
}

static int record_ok(const record *rec, uint64_t round, uint32_t index) {
  uint64_t sum = rec->round;
  if (rec->round != round) return 0;
  for (int k = 0; k < RECORD_WORDS; k++) {
    if (rec->words[k] != word_value(round, index, k)) return 0;
    sum ^= rec->words[k];
  }
  return rec->sum == sum;
}

static int pin_self(int cpu) {
  if (cpu < 0) return 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

static void *member_main(void *arg) {
  member *m = arg;
  world *w = m->w;
  const uint64_t n = w->n_threads;
  uint32_t budget = JOSTLE__SPIN_BUDGET_INITIAL;
  (void)pin_self(m->cpu); /* where refused, the OS places the thread */
  m->budget_min = m->budget_max = budget;
  for (uint64_t r = 0; r < w->n_rounds; r++) {
    write_record(&w->records[r & 1][m->index], r, m->index);
    atomic_fetch_add_explicit(&w->arrivals, 1, memory_order_relaxed);
    if (w->toggle_spin && m->index == 0 && r % 64 == 0)
      jostle__barrier_set_spin(&w->barrier, (r / 64) % 2 ? 0u : w->spin_limit);
    jostle__barrier_wait(&w->barrier, &budget);
    if (budget < m->budget_min) m->budget_min = budget;
    if (budget > m->budget_max) m->budget_max = budget;

    /* Every thread has arrived at round r; none can have arrived at round
     * r + 2, since that takes our own arrival at round r + 1. */
    uint64_t seen = atomic_load_explicit(&w->arrivals, memory_order_relaxed);
    if ((seen < (r + 1) * n || seen > (r + 2) * n - 1) && m->n_bad_arrivals++ == 0) {
      m->bad_arrival_round = r;
      m->bad_arrivals_seen = seen;
    }
    for (uint32_t j = 0; j < w->n_threads; j++) {
      if (j == m->index || record_ok(&w->records[r & 1][j], r, j)) continue;
      if (m->n_bad_records++ == 0) {
        m->bad_record_round = r;
        m->bad_record_from = j;
      }
    }
  }
  return NULL;
}

/* The processors this process may use, in order; returns how many. */
static int usable_cpus(int *cpus, int max) {
  cpu_set_t set;
  int n = 0;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  for (int c = 0; c < CPU_SETSIZE && n < max; c++)
    if (CPU_ISSET(c, &set)) cpus[n++] = c;
  return n;
}

typedef struct outcome {
  uint64_t n_bad_records, n_bad_arrivals;
  uint32_t budget_min, budget_max;   /* over every thread and round */
} outcome;

/* Runs n_threads threads for n_rounds rounds and checks every thread's
 * findings; the calling thread only starts and joins them. */
static outcome run_world(uint32_t n_threads, uint64_t n_rounds, uint32_t spin_limit,
                         int toggle_spin) {
  static world w; /* each test runs in its own forked child */
  member members[MAX_THREADS];
  int cpus[CPU_SETSIZE];
  int n_cpus = usable_cpus(cpus, CPU_SETSIZE);
  ck_assert_uint_le(n_threads, MAX_THREADS);

  memset(&w, 0, sizeof w);
  jostle__barrier_init(&w.barrier, n_threads);
  jostle__barrier_set_spin(&w.barrier, spin_limit);
  w.n_threads = n_threads;
  w.n_rounds = n_rounds;
  w.spin_limit = spin_limit;
  w.toggle_spin = toggle_spin;
  atomic_init(&w.arrivals, 0);
  /* Stale records of the parity's previous round would pass for nothing:
   * mark them as round "minus one". */
  for (int p = 0; p < 2; p++)
    for (uint32_t i = 0; i < n_threads; i++)
      write_record(&w.records[p][i], UINT64_MAX, i);

  memset(members, 0, sizeof members);
  for (uint32_t i = 0; i < n_threads; i++) {
    members[i].w = &w;
    members[i].index = i;
    members[i].cpu = n_cpus > 0 ? cpus[i % (uint32_t)n_cpus] : -1;
    ck_assert_int_eq(pthread_create(&members[i].tid, NULL, member_main, &members[i]), 0);
  }
  outcome out = {0, 0, UINT32_MAX, 0};
  for (uint32_t i = 0; i < n_threads; i++) {
    member *m = &members[i];
    ck_assert_int_eq(pthread_join(m->tid, NULL), 0);
    ck_assert_msg(m->n_bad_arrivals == 0,
                  "%u threads, spin %u: thread %u left round %llu seeing %llu arrivals, "
                  "want %llu..%llu (%llu such rounds)",
                  n_threads, spin_limit, i, (unsigned long long)m->bad_arrival_round,
                  (unsigned long long)m->bad_arrivals_seen,
                  (unsigned long long)((m->bad_arrival_round + 1) * n_threads),
                  (unsigned long long)((m->bad_arrival_round + 2) * n_threads - 1),
                  (unsigned long long)m->n_bad_arrivals);
    ck_assert_msg(m->n_bad_records == 0,
                  "%u threads, spin %u: thread %u saw thread %u's record of round %llu "
                  "stale or torn after the barrier (%llu bad records)",
                  n_threads, spin_limit, i, m->bad_record_from,
                  (unsigned long long)m->bad_record_round,
                  (unsigned long long)m->n_bad_records);
    out.n_bad_records += m->n_bad_records;
    out.n_bad_arrivals += m->n_bad_arrivals;
    if (m->budget_min < out.budget_min) out.budget_min = m->budget_min;
    if (m->budget_max > out.budget_max) out.budget_max = m->budget_max;
  }
  ck_assert_uint_eq(atomic_load(&w.arrivals), n_rounds * n_threads);
  return out;
}

/* Rounds for n threads: small for CI, times JOSTLE_SOAK. */
static uint64_t rounds_for(uint32_t n_threads) {
  uint64_t base = n_threads <= 2 ? 20000 : n_threads <= 4 ? 10000 : 2500;
  return base * jostle_check_soak();
}

static const uint32_t thread_counts[] = {2, 3, 8};
static const uint32_t spin_limits[] = {0, 1u << 16};
#define N_VARIANTS 6

/* _i picks the thread count and the spin limit. */
START_TEST(records_visible_after_each_round) {
  uint32_t n_threads = thread_counts[_i / 2];
  uint32_t spin = spin_limits[_i % 2];
  outcome o = run_world(n_threads, rounds_for(n_threads), spin, 0);
  /* The budget is only ever cut to a fraction of what was spun, and grows
   * no further than the limit (or its initial value when the limit is
   * below it); a budget of 0 would never spin again. */
  uint32_t ceiling = spin > JOSTLE__SPIN_BUDGET_INITIAL ? spin : JOSTLE__SPIN_BUDGET_INITIAL;
  ck_assert_uint_ge(o.budget_min, 1);
  ck_assert_uint_le(o.budget_max, ceiling);
  if (spin == 0) /* no spinning: nothing to adapt */
    ck_assert_uint_eq(o.budget_min, JOSTLE__SPIN_BUDGET_INITIAL);
}
END_TEST

/* The spin limit may change "any time" from any thread, waiters in flight. */
START_TEST(spin_limit_changed_while_waiting) {
  run_world(3, rounds_for(3), 1u << 16, 1);
}
END_TEST

/* A barrier of one thread never waits. */
START_TEST(single_thread_never_waits) {
  outcome o = run_world(1, 1000, 1u << 16, 0);
  ck_assert_uint_eq(o.budget_min, JOSTLE__SPIN_BUDGET_INITIAL);
  ck_assert_uint_eq(o.budget_max, JOSTLE__SPIN_BUDGET_INITIAL);
}
END_TEST

/* --- the adaptive spin budget ------------------------------------------ */

/* The rule (common/spin_budget.h) is checked as a function: whether a
 * real waiter's spins succeed depends on how loaded the machine is. */

/* Success doubles the budget up to the limit, and then holds it there. */
START_TEST(budget_grows_to_the_limit) {
  const uint32_t limit = 1u << 16;
  uint32_t budget = JOSTLE__SPIN_BUDGET_INITIAL;
  int steps = 0;
  while (budget < limit && steps < 64) {
    uint32_t next = jostle__spin_budget_grown(budget, limit);
    ck_assert_uint_eq(next, budget * 2);
    budget = next;
    steps++;
  }
  ck_assert_uint_eq(budget, limit);
  ck_assert_int_eq(steps, 6); /* 1024 -> 65536 */
  ck_assert_uint_eq(jostle__spin_budget_grown(limit, limit), limit);
  /* A limit that is not a power of two is reached exactly, not passed. */
  ck_assert_uint_eq(jostle__spin_budget_grown(2048, 3000), 3000);
  ck_assert_uint_eq(jostle__spin_budget_grown(3000, 3000), 3000);
  /* A budget above a lowered limit is not grown (the wait spins the
   * limit, not the budget). */
  ck_assert_uint_eq(jostle__spin_budget_grown(4096, 1024), 4096);
}
END_TEST

/* With the largest limit set_spin accepts the budget doubles to 2^31 and
 * then to the limit: it must not wrap to 0 (a zero budget never spins
 * again, so it would never grow back). */
START_TEST(budget_survives_the_largest_limit) {
  uint32_t budget = JOSTLE__SPIN_BUDGET_INITIAL;
  for (int i = 0; i < 64; i++) {
    uint32_t next = jostle__spin_budget_grown(budget, UINT32_MAX);
    ck_assert_msg(next >= budget && next != 0,
                  "budget %u grew to %u under limit UINT32_MAX", budget, next);
    budget = next;
  }
  ck_assert_uint_eq(budget, UINT32_MAX);
}
END_TEST

/* Spinning that ends in sleep cuts the budget to a quarter of what was
 * spun, never below the floor. */
START_TEST(budget_shrinks_to_a_floor) {
  ck_assert_uint_eq(jostle__spin_budget_shrunk(1024), 256);
  ck_assert_uint_eq(jostle__spin_budget_shrunk(UINT32_MAX), UINT32_MAX / 4);
  ck_assert_uint_eq(jostle__spin_budget_shrunk(64), JOSTLE__SPIN_BUDGET_MIN);
  ck_assert_uint_eq(jostle__spin_budget_shrunk(1), JOSTLE__SPIN_BUDGET_MIN);
  uint32_t budget = JOSTLE__SPIN_BUDGET_INITIAL;
  for (int i = 0; i < 16; i++) budget = jostle__spin_budget_shrunk(budget);
  ck_assert_uint_eq(budget, JOSTLE__SPIN_BUDGET_MIN);
}
END_TEST

/* Two threads where thread 1 always arrives last, after thread 0 has
 * arrived (it watches the barrier's arrival count), so thread 0 is the
 * waiter in every round. Whether its spins succeed is up to the machine;
 * what is checked is that the barrier keeps its budget within the rule's
 * bounds whatever happens. */
typedef struct budget_world {
  jostle__barrier barrier;
  uint64_t n_rounds;
  uint32_t budgets[64];              /* thread 0's budget after each round */
} budget_world;

static void *late_arriver(void *arg) {
  budget_world *bw = arg;
  uint32_t budget = JOSTLE__SPIN_BUDGET_INITIAL;
  for (uint64_t r = 0; r < bw->n_rounds; r++) {
    while (atomic_load_explicit(&bw->barrier.arrived, memory_order_relaxed) != 1)
      sched_yield();
    jostle__barrier_wait(&bw->barrier, &budget);
  }
  return NULL;
}

START_TEST(waiter_budget_stays_in_bounds) {
  static const uint32_t limits[] = {1u << 16, UINT32_MAX};
  static budget_world bw;
  for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
    memset(&bw, 0, sizeof bw);
    bw.n_rounds = sizeof bw.budgets / sizeof bw.budgets[0];
    jostle__barrier_init(&bw.barrier, 2);
    jostle__barrier_set_spin(&bw.barrier, limits[l]);
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, late_arriver, &bw), 0);
    uint32_t budget = JOSTLE__SPIN_BUDGET_INITIAL;
    for (uint64_t r = 0; r < bw.n_rounds; r++) {
      jostle__barrier_wait(&bw.barrier, &budget);
      bw.budgets[r] = budget;
    }
    ck_assert_int_eq(pthread_join(tid, NULL), 0);
    for (uint64_t r = 0; r < bw.n_rounds; r++)
      ck_assert_msg(bw.budgets[r] >= JOSTLE__SPIN_BUDGET_MIN && bw.budgets[r] <= limits[l],
                    "limit %u, round %llu: budget %u outside %u..%u", limits[l],
                    (unsigned long long)r, bw.budgets[r], JOSTLE__SPIN_BUDGET_MIN,
                    limits[l]);
  }
}
END_TEST

static Suite *barrier_suite(void) {
  Suite *s = suite_create("barrier");
  TCase *tc = jostle_check_case(s, "visibility", 60, 1);
  tcase_add_loop_test(tc, records_visible_after_each_round, 0, N_VARIANTS);
  tcase_add_test(tc, spin_limit_changed_while_waiting);
  tcase_add_test(tc, single_thread_never_waits);
  tc = jostle_check_case(s, "budget", 30, 0);
  tcase_add_test(tc, budget_grows_to_the_limit);
  tcase_add_test(tc, budget_survives_the_largest_limit);
  tcase_add_test(tc, budget_shrinks_to_a_floor);
  tcase_add_test(tc, waiter_budget_stays_in_bounds);
  return s;
}

int main(void) { return jostle_check_run(barrier_suite()); }
