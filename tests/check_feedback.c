/*
 * check_feedback.c: interleaving feedback (schedulers/feedback.c). Only an
 * access that follows another thread's conflicting access to the same
 * address counts; a read of another thread's write also counts its
 * reads-from pair and its thread's chain, so the same reads in another
 * order are new coverage; accesses count when they take effect, not when
 * their thread reached its point; counters saturate instead of wrapping.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/pool.h"
#include "harness/tally.h"
#include "schedulers/control.h"
#include "schedulers/feedback.h"
#include "schedulers/schedule.h"
#include "tests/check_main.h"
#include "tests/test_plan.h"

#define COUNTERS 4096

static uint8_t counters[COUNTERS];
static jostle__sched_cfg cfg;

static jostle__control *fresh_run(void) {
  static jostle__control *c;
  if (c == NULL) c = calloc(1, sizeof *c);
  ck_assert_ptr_nonnull(c);
  memset(counters, 0, sizeof counters);
  cfg.feedback = counters;
  cfg.feedback_size = COUNTERS;
  c->cfg = &cfg;
  jostle__feedback_begin(c);
  return c;
}

/* Made-up addresses of memory and code, fixed so that where the hashed
 * features fall (and whether two share a counter) is the same every run. */
static void access_(jostle__control *c, int thread, jostle__point_kind kind, int addr, int pc) {
  jostle__point p = {.kind = kind, .addr = (const void *)(uintptr_t)(0x10000 + 8 * addr),
                     .pc = (const void *)(uintptr_t)(0x400000 + 4 * pc)};
  jostle__feedback_note(c, thread, &p);
}

static unsigned total(void) {
  unsigned sum = 0;
  for (int i = 0; i < COUNTERS; i++) sum += counters[i];
  return sum;
}

START_TEST(only_conflicts_between_threads_count) {
  jostle__control *c = fresh_run();
  access_(c, 0, JOSTLE__POINT_WRITE, 0, 0); /* first access: nothing before it */
  access_(c, 0, JOSTLE__POINT_READ, 0, 1);  /* same thread */
  access_(c, 1, JOSTLE__POINT_READ, 1, 2);
  access_(c, 0, JOSTLE__POINT_READ, 1, 3);  /* two reads do not conflict */
  access_(c, 1, JOSTLE__POINT_WRITE, 2, 4);
  access_(c, 0, JOSTLE__POINT_WRITE, 3, 5); /* another address */
  ck_assert_uint_eq(total(), 0);
}
END_TEST

/* A conflict counts its pair; a read of another thread's write (a load,
 * an atomic or a synchronisation call) also its reads-from pair and its
 * thread's chain. */
START_TEST(a_read_of_a_write_counts_three_ways) {
  struct {
    jostle__point_kind first, then;
    unsigned counted;
  } cases[] = {{JOSTLE__POINT_WRITE, JOSTLE__POINT_READ, 3},
               {JOSTLE__POINT_READ, JOSTLE__POINT_WRITE, 1},
               {JOSTLE__POINT_WRITE, JOSTLE__POINT_WRITE, 1},
               {JOSTLE__POINT_ATOMIC, JOSTLE__POINT_READ, 3},
               {JOSTLE__POINT_SYNC, JOSTLE__POINT_SYNC, 3}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    jostle__control *c = fresh_run();
    access_(c, 1, cases[k].first, 0, 0);
    access_(c, 0, cases[k].then, 0, 1);
    ck_assert_msg(total() == cases[k].counted, "case %zu: %u counted", k, total());
  }
}
END_TEST

/* What a read reads is the last write, not the last access: thread 0's
 * second read, after its own first, still reads thread 1's write. */
START_TEST(a_read_reads_the_last_write) {
  jostle__control *c = fresh_run();
  access_(c, 1, JOSTLE__POINT_WRITE, 0, 0);
  access_(c, 0, JOSTLE__POINT_READ, 0, 1); /* conflict, reads-from, chain */
  access_(c, 0, JOSTLE__POINT_READ, 0, 2); /* reads-from, chain */
  ck_assert_uint_eq(total(), 5);
}
END_TEST

/* Runs two conflicts, on addresses 0 and 1, in the order given; leaves
 * their counters in `into`. */
static void two_conflicts(int first, uint8_t *into) {
  jostle__control *c = fresh_run();
  for (int i = 0; i < 2; i++) {
    int addr = i == 0 ? first : 1 - first;
    access_(c, 1, JOSTLE__POINT_WRITE, addr, 2 * addr);
    access_(c, 0, JOSTLE__POINT_READ, addr, 2 * addr + 1);
  }
  memcpy(into, counters, COUNTERS);
}

START_TEST(the_same_conflicts_in_another_order_are_new) {
  static uint8_t a[COUNTERS], b[COUNTERS];
  two_conflicts(0, a);
  two_conflicts(1, b);
  int only_a = 0, only_b = 0, both = 0;
  for (int i = 0; i < COUNTERS; i++) {
    only_a += a[i] && !b[i];
    only_b += b[i] && !a[i];
    both += a[i] && b[i];
  }
  ck_assert_int_eq(both, 4);   /* the two conflicts and the two reads-from pairs */
  ck_assert_int_eq(only_a, 2); /* thread 0's chain after each read */
  ck_assert_int_eq(only_b, 2);
}
END_TEST

START_TEST(counters_saturate) {
  jostle__control *c = fresh_run();
  for (int i = 0; i < 600; i++) access_(c, i % 2, JOSTLE__POINT_WRITE, 0, i % 2);
  unsigned max = 0, n_at_max = 0;
  for (int i = 0; i < COUNTERS; i++) {
    if (counters[i] > max) max = counters[i], n_at_max = 0;
    if (counters[i] == max) n_at_max++;
  }
  ck_assert_uint_eq(max, 255);
  /* each of the 2 pairs passed 255 (writes read nothing) */
  ck_assert_uint_eq(n_at_max, 2);
}
END_TEST

/* In this run of the 2x1 counter (a yield, a load and a store each;
 * decisions of `jostle replay counter --seed 2`), thread 0 reaches its
 * load, thread 1 loads and stores, and thread 0's load then takes effect
 * and reads 1: a conflict, a reads-from pair and a chain. Counted where
 * thread 0 reached its load, before thread 1's store, the run would show
 * the two stores' conflict alone. */
START_TEST(accesses_count_when_they_take_effect) {
  static const jostle__decision decisions[] = {0, 1, 0, 1, 1, 1, 0, 0};
  size_t n = sizeof decisions / sizeof decisions[0];
  jostle__schedule *replay = calloc(1, sizeof *replay + sizeof decisions);
  ck_assert_ptr_nonnull(replay);
  replay->n = replay->cap = n;
  memcpy(replay->d, decisions, sizeof decisions);
  jostle__plan p = jostle_test_plan("counter", jostle__sched_find("replay"));
  p.sched_cfg.replay = replay;
  p.sched_cfg.feedback = counters;
  p.sched_cfg.feedback_size = COUNTERS;
  jostle__pool *pool = jostle__pool_create(&p);
  ck_assert_ptr_nonnull(pool);
  int none[JOSTLE_MAX_THREADS];
  for (int i = 0; i < JOSTLE_MAX_THREADS; i++) none[i] = -1;
  ck_assert_int_eq(jostle__pool_place(pool, none, 1), 0);
  memset(counters, 0, sizeof counters);
  const jostle_run *r = jostle__pool_run(pool, 1);
  char text[JOSTLE__TEXT_MAX];
  jostle__outcome_text(r, text, sizeof text);
  /* the ThreadSanitizer build compiles scenarios plain: no points */
  if (jostle__pool_steps(pool) > 2) {
    ck_assert_str_eq(text, "counter=2");
    ck_assert_uint_eq(total(), 3);
  }
  jostle__pool_destroy(pool);
  free(replay);
}
END_TEST

static Suite *feedback_suite(void) {
  Suite *s = suite_create("feedback");
  TCase *tc = jostle_check_case(s, "feedback", 10, 0);
  tcase_add_test(tc, only_conflicts_between_threads_count);
  tcase_add_test(tc, a_read_of_a_write_counts_three_ways);
  tcase_add_test(tc, a_read_reads_the_last_write);
  tcase_add_test(tc, the_same_conflicts_in_another_order_are_new);
  tcase_add_test(tc, counters_saturate);
  tcase_add_test(tc, accesses_count_when_they_take_effect);
  return s;
}

int main(void) { return jostle_check_run(feedback_suite()); }
