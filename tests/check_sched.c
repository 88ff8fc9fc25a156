/*
 * check_sched.c: the scheduler registry, the noise scheduler and the
 * scheduling-point runtime (schedulers/sched.h).
 *
 * How decisions are observed without timing: every noise decision draws
 * from the thread's splitmix64 generator, whose state only ever advances by
 * the golden gamma per draw. A point that does nothing, or yields, takes one
 * draw; a point that spins or sleeps takes a second one for the length. So
 * with spin and sleep weights the change of noise_state(t)->rng across one point says
 * exactly whether the point acted.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seed.h"
#include "jostle.h"
#include "schedulers/control.h"
#include "schedulers/noise.h"
#include "schedulers/sched.h"
#include "schedulers/schedule.h"
#include "tests/check_main.h"

static jostle__noise_thread *noise_state(jostle__thread *t) { return (void *)t->state; }
static jostle__noise_opts *noise_opts(jostle__sched_cfg *cfg) { return (void *)cfg->opts; }

static jostle__sched_cfg noise_cfg(double p, unsigned yield, unsigned spin, unsigned sleep) {
  jostle__sched_cfg cfg;
  jostle__sched_cfg_default(&cfg, jostle__sched_find("noise"));
  noise_opts(&cfg)->p = p;
  noise_opts(&cfg)->weights[0] = yield;
  noise_opts(&cfg)->weights[1] = spin;
  noise_opts(&cfg)->weights[2] = sleep;
  noise_opts(&cfg)->spin_max = 8;
  noise_opts(&cfg)->sleep_max_us = 1;
  return cfg;
}

/* A context as the thread pool sets it up. */
static void thread_init(jostle__thread *t, const jostle__sched_ops *ops,
                        const jostle__sched_cfg *cfg, int index) {
  memset(t, 0, sizeof *t);
  t->ops = ops;
  t->point = ops->point;
  t->cfg = cfg;
  t->index = index;
}

/* Draws the generator took between two states: 1 or 2 per noise point. */
static int draws_between(uint64_t before, uint64_t after) {
  if (after - before == JOSTLE__GOLDEN) return 1;
  if (after - before == 2 * JOSTLE__GOLDEN) return 2;
  if (after == before) return 0;
  return -1;
}

/* One point; returns 1 when it spun or slept, 0 when it did nothing or
 * yielded. */
static int point_acted(jostle__thread *t) {
  uint64_t before = noise_state(t)->rng;
  t->point(t, &(jostle__point){.kind = JOSTLE__POINT_YIELD});
  int draws = draws_between(before, noise_state(t)->rng);
  ck_assert_msg(draws == 1 || draws == 2, "a noise point took %d draws", draws);
  return draws == 2;
}

/* --- registry ---------------------------------------------------------- */

START_TEST(find_by_name) {
  static const char *const names[] = {"free", "noise", "random", "pct", "replay"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const jostle__sched_ops *s = jostle__sched_find(names[i]);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, names[i]);
    ck_assert_ptr_eq(jostle__schedulers[jostle__sched_index(s)], s);
  }
  ck_assert_ptr_null(jostle__sched_find("nosuch"));
  ck_assert_ptr_null(jostle__sched_find("PCT"));
  ck_assert_ptr_eq(jostle__sched_first(0), jostle__sched_find("free"));
  ck_assert_ptr_eq(jostle__sched_first(1), jostle__sched_find("random"));
  ck_assert_ptr_eq(jostle__sched_follower(), jostle__sched_find("replay"));
  ck_assert_ptr_eq(jostle__sched_find("pct"), jostle__sched_find("pct"));
  ck_assert_ptr_null(jostle__sched_find("replay-ish"));
  ck_assert_ptr_null(jostle__sched_find(""));
  ck_assert_ptr_null(jostle__sched_find("Free"));
  ck_assert_ptr_null(jostle__sched_find("noise "));
}
END_TEST

/* auto's members are every controlled strategy of the registry that
 * campaigns run, in registry order, never a portfolio; each runs with its
 * own options at their defaults and the control runtime's as given. */
START_TEST(portfolio_members_come_from_the_registry) {
  const jostle__sched_ops *portfolio = jostle__sched_find("auto");
  ck_assert_ptr_nonnull(portfolio);
  ck_assert(portfolio->portfolio && jostle__sched_controlled(portfolio));
  ck_assert(!jostle__sched_controlled(jostle__sched_find("noise")));
  ck_assert(jostle__sched_controlled(jostle__sched_find("pos")));
  const jostle__sched_ops *members[JOSTLE__MAX_MEMBERS];
  int n = jostle__portfolio_members(members), k = 0;
  for (int i = 0; jostle__schedulers[i] != NULL; i++) {
    const jostle__sched_ops *s = jostle__schedulers[i];
    if (s->pick == NULL || s->follows_schedule) continue;
    ck_assert_int_lt(k, n);
    ck_assert_ptr_eq(members[k++], s);
  }
  ck_assert_int_eq(k, n);
  static const char *const today[] = {"random", "pct", "pos", "surw"};
  ck_assert_int_eq(n, 4);
  for (int i = 0; i < n; i++) ck_assert_str_eq(members[i]->name, today[i]);
  /* neither default is a portfolio */
  ck_assert(!jostle__sched_first(0)->portfolio && !jostle__sched_first(1)->portfolio);
  /* run i under member i mod K */
  ck_assert_int_eq(jostle__portfolio_member_of(0, 4), 0);
  ck_assert_int_eq(jostle__portfolio_member_of(7, 4), 3);
  ck_assert_int_eq(jostle__portfolio_member_of(UINT64_MAX, 4), (int)(UINT64_MAX % 4));

  jostle__sched_cfg base, cfg, pct_default;
  jostle__sched_cfg_default(&base, portfolio);
  memset(base.opts, 0x5a, sizeof base.opts);
  base.step_limit = 77;
  base.races = 1;
  base.spurious_wakeups = 1;
  const jostle__sched_ops *pct = jostle__sched_find("pct");
  jostle__portfolio_cfg(&base, pct, &cfg);
  jostle__sched_cfg_default(&pct_default, pct);
  ck_assert_mem_eq(cfg.opts, pct_default.opts, sizeof cfg.opts);
  ck_assert_ptr_null(pct->validate(&cfg));
  ck_assert_uint_eq(cfg.step_limit, 77);
  ck_assert_int_eq(cfg.races, 1);
  ck_assert_int_eq(cfg.spurious_wakeups, 1);
}
END_TEST

START_TEST(registry_is_well_formed) {
  int n = 0;
  for (int i = 0; jostle__schedulers[i] != NULL; i++, n++) {
    const jostle__sched_ops *ops = jostle__schedulers[i];
    ck_assert_msg(ops->name != NULL && ops->name[0] != '\0', "scheduler %d has no name", i);
    ck_assert_msg(ops->summary != NULL && ops->summary[0] != '\0',
                  "scheduler '%s' has no summary", ops->name);
    /* uncontrolled schedulers keep their state in the thread's context and
     * seed it in begin; controlled ones are strategies of the control
     * runtime, whose point they use */
    if (ops->portfolio) {
      /* a portfolio has no hooks of its own: its members' run its runs */
      ck_assert_msg(ops->pick == NULL && ops->point == NULL && ops->begin == NULL &&
                    ops->run_begin == NULL && ops->calibrate == 0 && ops->options == NULL &&
                    ops->opts_size == 0 && !ops->follows_schedule,
                    "portfolio '%s' has slots of its own", ops->name);
    } else if (ops->pick == NULL) {
      ck_assert_msg(ops->run_begin == NULL && ops->spawned == NULL && ops->run_size == 0 &&
                    ops->thread_run_size == 0 && !ops->calibrate && !ops->follows_schedule,
                    "uncontrolled scheduler '%s' has a strategy's slots", ops->name);
      ck_assert_msg(ops->thread_size <= JOSTLE__THREAD_STATE_MAX &&
                    (ops->thread_size == 0 || ops->begin != NULL),
                    "uncontrolled scheduler '%s': state without begin, or too large", ops->name);
    } else {
      ck_assert_msg(ops->point == jostle__control_point && ops->begin == NULL &&
                    ops->thread_size == 0,
                    "controlled scheduler '%s' needs the control's point only", ops->name);
    }
    ck_assert_msg(ops->opts_size <= JOSTLE__SCHED_OPTS_MAX, "'%s' options too large", ops->name);
    for (const jostle__sched_option *o = ops->options; o && o->name; o++) {
      size_t size = o->type == JOSTLE__OPT_COUNT ? sizeof(uint64_t)
                    : o->type == JOSTLE__OPT_PROB ? sizeof(double)
                    : o->type == JOSTLE__OPT_WEIGHTS ? 3 * sizeof(unsigned) : sizeof(int);
      ck_assert_msg(o->offset + size <= ops->opts_size, "'%s' option --%s lies outside its options",
                    ops->name, o->name);
      ck_assert_msg(o->help != NULL && (o->metavar != NULL) == (o->type != JOSTLE__OPT_FLAG),
                    "'%s' option --%s: help, and a value name unless a flag", ops->name, o->name);
    }
    ck_assert_ptr_eq(jostle__sched_find(ops->name), ops);
    for (int j = 0; j < i; j++)
      ck_assert_msg(strcmp(jostle__schedulers[j]->name, ops->name) != 0,
                    "scheduler name '%s' registered twice", ops->name);
  }
  ck_assert_int_ge(n, 4);
}
END_TEST

/* The defaults pass every scheduler's own check, but replay's: it needs a
 * schedule, which has no default. */
START_TEST(defaults_are_valid) {
  jostle__sched_cfg cfg;
  for (int i = 0; jostle__schedulers[i] != NULL; i++) {
    jostle__sched_cfg_default(&cfg, jostle__schedulers[i]);
    if (jostle__schedulers[i]->validate != NULL && !jostle__schedulers[i]->follows_schedule)
      ck_assert_msg(jostle__schedulers[i]->validate(&cfg) == NULL,
                    "scheduler '%s' rejects the defaults", jostle__schedulers[i]->name);
  }
  jostle__sched_cfg_default(&cfg, jostle__sched_find("noise"));
  ck_assert_ptr_nonnull(jostle__sched_find("replay")->validate(&cfg));
  jostle__schedule empty = {0, 0, 0};
  cfg.replay = &empty;
  ck_assert_ptr_null(jostle__sched_find("replay")->validate(&cfg));
  ck_assert(noise_opts(&cfg)->p > 0.0 && noise_opts(&cfg)->p <= 1.0);
  ck_assert_uint_gt(noise_opts(&cfg)->weights[0] + noise_opts(&cfg)->weights[1] + noise_opts(&cfg)->weights[2], 0);
}
END_TEST

/* --- noise: validate --------------------------------------------------- */

START_TEST(noise_validate) {
  const char *(*validate)(const jostle__sched_cfg *) = jostle__sched_find("noise")->validate;
  ck_assert_ptr_nonnull(validate);
  static const double good_p[] = {0.0, 1e-9, 0.5, 1.0};
  static const double bad_p[] = {-0.1, -1e-12, 1.0000001, 2.0, INFINITY, -INFINITY};
  for (size_t i = 0; i < sizeof good_p / sizeof good_p[0]; i++) {
    jostle__sched_cfg cfg = noise_cfg(good_p[i], 1, 2, 1);
    ck_assert_msg(validate(&cfg) == NULL, "p = %g rejected", good_p[i]);
  }
  for (size_t i = 0; i < sizeof bad_p / sizeof bad_p[0]; i++) {
    jostle__sched_cfg cfg = noise_cfg(bad_p[i], 1, 2, 1);
    const char *why = validate(&cfg);
    ck_assert_msg(why != NULL && why[0] != '\0', "p = %g accepted", bad_p[i]);
  }
  jostle__sched_cfg cfg = noise_cfg(NAN, 1, 2, 1);
  ck_assert_msg(validate(&cfg) != NULL, "p = nan accepted");

  cfg = noise_cfg(0.5, 0, 0, 0);
  ck_assert_ptr_nonnull(validate(&cfg));
  static const unsigned one_weight[][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (int i = 0; i < 3; i++) {
    cfg = noise_cfg(0.5, one_weight[i][0], one_weight[i][1], one_weight[i][2]);
    ck_assert_msg(validate(&cfg) == NULL, "weights %u:%u:%u rejected", one_weight[i][0],
                  one_weight[i][1], one_weight[i][2]);
  }
}
END_TEST

/* --- noise: decisions -------------------------------------------------- */

/* begin() turns the options into the per-run thresholds. */
START_TEST(noise_begin_scales_options) {
  jostle__sched_cfg cfg = noise_cfg(0.0, 1, 2, 3);
  jostle__thread t;
  thread_init(&t, jostle__sched_find("noise"), &cfg, 0);
  t.ops->begin(&t, 42);
  ck_assert_uint_eq(noise_state(&t)->threshold, 0);
  ck_assert_uint_eq(noise_state(&t)->cut[0], 1);
  ck_assert_uint_eq(noise_state(&t)->cut[1], 3);
  ck_assert_uint_eq(noise_state(&t)->total, 6);
  noise_opts(&cfg)->p = 1.0;
  t.ops->begin(&t, 42);
  ck_assert_uint_eq(noise_state(&t)->threshold, 1ULL << 32); /* every 32-bit draw acts */
  noise_opts(&cfg)->p = 0.5;
  t.ops->begin(&t, 42);
  ck_assert_uint_eq(noise_state(&t)->threshold, 1u << 31);
}
END_TEST

#define N_POINTS 20000

/* Whether each of N_POINTS points acted, for a thread begun with seed. */
static void decisions(const jostle__sched_cfg *cfg, int index, uint64_t seed,
                      unsigned char *acted, uint64_t *final_rng) {
  jostle__thread t;
  thread_init(&t, jostle__sched_find("noise"), cfg, index);
  t.ops->begin(&t, seed);
  for (int i = 0; i < N_POINTS; i++) acted[i] = (unsigned char)point_acted(&t);
  *final_rng = noise_state(&t)->rng;
}

/* Replaying a run seed re-applies the same decisions at the same points. */
START_TEST(noise_same_seed_same_decisions) {
  jostle__sched_cfg cfg = noise_cfg(0.5, 1, 1, 0);
  static unsigned char a[N_POINTS], b[N_POINTS];
  uint64_t rng_b;
  const uint64_t seed = jostle__mix(0x1234, 77);

  /* Two contexts at once, points interleaved: no state is shared. */
  jostle__thread ta, tb;
  thread_init(&ta, jostle__sched_find("noise"), &cfg, 1);
  thread_init(&tb, jostle__sched_find("noise"), &cfg, 1);
  ta.ops->begin(&ta, seed);
  tb.ops->begin(&tb, seed);
  ck_assert_uint_eq(noise_state(&ta)->rng, noise_state(&tb)->rng);
  uint64_t start = noise_state(&ta)->rng;
  for (int i = 0; i < N_POINTS; i++) {
    a[i] = (unsigned char)point_acted(&ta);
    b[i] = (unsigned char)point_acted(&tb);
    ck_assert_msg(a[i] == b[i], "point %d: contexts with the same seed decided differently", i);
  }
  ck_assert_uint_eq(noise_state(&ta)->rng, noise_state(&tb)->rng);
  ck_assert_uint_ne(noise_state(&ta)->rng, start);

  /* begin() again starts the same sequence over. */
  decisions(&cfg, 1, seed, b, &rng_b);
  ck_assert_uint_eq(rng_b, noise_state(&ta)->rng);
  ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
}
END_TEST

static int n_differences(const unsigned char *a, const unsigned char *b) {
  int n = 0;
  for (int i = 0; i < N_POINTS; i++) n += a[i] != b[i];
  return n;
}

/* Other seeds, or other threads of the same run, decide otherwise. */
START_TEST(noise_seeds_and_threads_differ) {
  jostle__sched_cfg cfg = noise_cfg(0.5, 1, 1, 0);
  static unsigned char base[N_POINTS], other[N_POINTS];
  uint64_t rng_base, rng_other;
  decisions(&cfg, 0, 1000, base, &rng_base);
  decisions(&cfg, 0, 1001, other, &rng_other);
  /* Independent sequences with 1/4 acting agree at 5/8 of points. */
  ck_assert_int_gt(n_differences(base, other), N_POINTS / 4);
  ck_assert_uint_ne(rng_base, rng_other);
  decisions(&cfg, 1, 1000, other, &rng_other);
  ck_assert_int_gt(n_differences(base, other), N_POINTS / 4);
}
END_TEST

/* p = 0 never acts: each point takes its one draw and no other. */
START_TEST(noise_p0_never_acts) {
  jostle__sched_cfg cfg = noise_cfg(0.0, 0, 1, 1);  /* acting would spin or sleep */
  jostle__thread t;
  thread_init(&t, jostle__sched_find("noise"), &cfg, 0);
  t.ops->begin(&t, 0xabcdef);
  const uint64_t start = noise_state(&t)->rng, n = 1000000;
  for (uint64_t i = 0; i < n; i++) t.point(&t, &(jostle__point){.kind = JOSTLE__POINT_YIELD});
  ck_assert_msg(noise_state(&t)->rng == start + n * JOSTLE__GOLDEN,
                "p = 0: %llu points took %lld extra draws", (unsigned long long)n,
                (long long)((noise_state(&t)->rng - start - n * JOSTLE__GOLDEN) / JOSTLE__GOLDEN));
}
END_TEST

/* p is the chance of acting, and the weights split the actions. Over a
 * fixed seed the counts are fixed; the bounds are many deviations wide. */
START_TEST(noise_p_and_weights_set_frequencies) {
  static const struct { double p; unsigned w[3]; double want; } cases[] = {
      {0.25, {0, 1, 0}, 0.25},   /* spin at a quarter of points */
      {0.9, {0, 1, 0}, 0.9},
      {1.0, {3, 1, 0}, 0.25},    /* always act; spin one time in four */
      {1.0, {1, 1, 0}, 0.5},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    jostle__sched_cfg cfg = noise_cfg(cases[c].p, cases[c].w[0], cases[c].w[1], cases[c].w[2]);
    jostle__thread t;
    thread_init(&t, jostle__sched_find("noise"), &cfg, 2);
    t.ops->begin(&t, 0x5eed0000 + c);
    int n_acted = 0;
    for (int i = 0; i < N_POINTS; i++) n_acted += point_acted(&t);
    double f = (double)n_acted / N_POINTS;
    ck_assert_msg(fabs(f - cases[c].want) < 0.02, "p=%g weights %u:%u:%u: %.4f spun, want %.2f",
                  cases[c].p, cases[c].w[0], cases[c].w[1], cases[c].w[2], f, cases[c].want);
  }
}
END_TEST

/* --- p = 1 must always act ----------------------------------------------- */

static uint64_t unxorshift(uint64_t y, int s) {
  uint64_t x = y;
  for (int i = 0; i < 64 / s + 1; i++) x = y ^ (x >> s);
  return x;
}

static uint64_t inverse_odd(uint64_t a) {
  uint64_t x = a; /* right to 3 bits; each step doubles that */
  for (int i = 0; i < 5; i++) x *= 2 - a * x;
  return x;
}

/* The generator state whose next output is `out` (splitmix64 run back). */
static uint64_t state_before(uint64_t out) {
  uint64_t z = unxorshift(out, 31);
  z = unxorshift(z * inverse_odd(0x94d049bb133111ebULL), 27);
  z = unxorshift(z * inverse_odd(0xbf58476d1ce4e5b9ULL), 30);
  return z - JOSTLE__GOLDEN;
}

/* noise.c clamps the threshold for p = 1 so that it "must always act";
 * a draw whose low 32 bits are all ones must act too. */
START_TEST(noise_p1_acts_on_every_draw) {
  static const uint64_t outs[] = {0x00000000ffffffffULL, 0x89abcdefffffffffULL,
                                  0x12345678fffffffeULL};
  jostle__sched_cfg cfg = noise_cfg(1.0, 0, 1, 0);
  for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
    jostle__thread t;
    thread_init(&t, jostle__sched_find("noise"), &cfg, 0);
    t.ops->begin(&t, 1);
    uint64_t s = state_before(outs[i]), probe = s;
    ck_assert_uint_eq(jostle__splitmix(&probe), outs[i]); /* the inversion is right */
    noise_state(&t)->rng = s;
    ck_assert_msg(point_acted(&t), "p = 1 did not act on a draw of 0x%016llx",
                  (unsigned long long)outs[i]);
  }
}
END_TEST

/* --- jostle_yield -------------------------------------------------------- */

/* Outside a run there is no context: jostle_yield does nothing, and a
 * context that is not attached is not touched. */
START_TEST(yield_outside_a_run_is_a_noop) {
  ck_assert_ptr_null(jostle__self);
  jostle__sched_cfg cfg = noise_cfg(1.0, 0, 0, 1);
  jostle__thread t;
  thread_init(&t, jostle__sched_find("noise"), &cfg, 0);
  t.ops->begin(&t, 99);
  const uint64_t start = noise_state(&t)->rng;
  for (int i = 0; i < 1000; i++) jostle_yield();
  ck_assert_uint_eq(noise_state(&t)->rng, start);

  /* Attached: each yield is one point, here a sleep (two draws). */
  jostle__thread_attach(&t);
  ck_assert_ptr_eq(jostle__self, &t);
  jostle_yield();
  ck_assert_int_eq(draws_between(start, noise_state(&t)->rng), 2);
  jostle_yield();
  ck_assert_uint_eq(noise_state(&t)->rng, start + 4 * JOSTLE__GOLDEN);

  /* Detached again: back to nothing. */
  jostle__thread_attach(NULL);
  ck_assert_ptr_null(jostle__self);
  const uint64_t after = noise_state(&t)->rng;
  for (int i = 0; i < 1000; i++) jostle_yield();
  ck_assert_uint_eq(noise_state(&t)->rng, after);
}
END_TEST

/* Under `free` points do nothing and nothing touches the context. */
START_TEST(yield_under_free_does_nothing) {
  jostle__sched_cfg cfg;
  jostle__sched_cfg_default(&cfg, jostle__sched_find("free"));
  jostle__thread t;
  thread_init(&t, jostle__sched_find("free"), &cfg, 0);
  ck_assert_ptr_null(t.point);
  ck_assert_ptr_null(t.ops->begin);
  ck_assert_uint_eq(t.ops->thread_size, 0);
  noise_state(&t)->rng = 0x0123456789abcdefULL;
  jostle__thread_attach(&t);
  for (int i = 0; i < 1000; i++) jostle_yield();
  jostle__thread_attach(NULL);
  ck_assert_uint_eq(noise_state(&t)->rng, 0x0123456789abcdefULL);
}
END_TEST

typedef struct other_thread {
  int saw_self;        /* jostle__self was not NULL there */
} other_thread;

static void *yield_elsewhere(void *arg) {
  other_thread *o = arg;
  o->saw_self = jostle__self != NULL;
  for (int i = 0; i < 1000; i++) jostle_yield();
  return NULL;
}

/* The context is the attaching thread's alone. */
START_TEST(context_is_per_thread) {
  jostle__sched_cfg cfg = noise_cfg(1.0, 0, 1, 0);
  jostle__thread t;
  thread_init(&t, jostle__sched_find("noise"), &cfg, 0);
  t.ops->begin(&t, 7);
  jostle__thread_attach(&t);
  const uint64_t start = noise_state(&t)->rng;
  other_thread o = {-1};
  pthread_t tid;
  ck_assert_int_eq(pthread_create(&tid, NULL, yield_elsewhere, &o), 0);
  ck_assert_int_eq(pthread_join(tid, NULL), 0);
  ck_assert_int_eq(o.saw_self, 0);
  ck_assert_uint_eq(noise_state(&t)->rng, start);
  ck_assert_ptr_eq(jostle__self, &t);
  jostle__thread_attach(NULL);
}
END_TEST

static Suite *sched_suite(void) {
  Suite *s = suite_create("sched");
  TCase *tc = jostle_check_case(s, "registry", 5, 0);
  tcase_add_test(tc, find_by_name);
  tcase_add_test(tc, registry_is_well_formed);
  tcase_add_test(tc, portfolio_members_come_from_the_registry);
  tcase_add_test(tc, defaults_are_valid);
  tc = jostle_check_case(s, "noise", 20, 0);
  tcase_add_test(tc, noise_validate);
  tcase_add_test(tc, noise_begin_scales_options);
  tcase_add_test(tc, noise_same_seed_same_decisions);
  tcase_add_test(tc, noise_seeds_and_threads_differ);
  tcase_add_test(tc, noise_p0_never_acts);
  tcase_add_test(tc, noise_p_and_weights_set_frequencies);
  tcase_add_test(tc, noise_p1_acts_on_every_draw);
  tc = jostle_check_case(s, "points", 10, 0);
  tcase_add_test(tc, yield_outside_a_run_is_a_noop);
  tcase_add_test(tc, yield_under_free_does_nothing);
  tcase_add_test(tc, context_is_per_thread);
  return s;
}

int main(void) { return jostle_check_run(sched_suite()); }
