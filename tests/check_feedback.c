/*
 * check_feedback.c: interleaving feedback (schedulers/feedback.c). Only an
 * access that follows another thread's conflicting access to the same
 * address counts; a conflict counts as a pair and as a pair with its
 * ordinal, so the same conflicts in another order are new coverage;
 * counters saturate instead of wrapping.
 */
#include <stdlib.h>
#include <string.h>

#include "schedulers/control.h"
#include "schedulers/feedback.h"
#include "tests/check_main.h"

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

START_TEST(a_conflict_counts_its_pair_and_its_ordinal) {
  jostle__point_kind kinds[][2] = {{JOSTLE__POINT_WRITE, JOSTLE__POINT_READ},
                                   {JOSTLE__POINT_READ, JOSTLE__POINT_WRITE},
                                   {JOSTLE__POINT_ATOMIC, JOSTLE__POINT_READ},
                                   {JOSTLE__POINT_SYNC, JOSTLE__POINT_SYNC}};
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    jostle__control *c = fresh_run();
    access_(c, 1, kinds[k][0], 0, 0);
    access_(c, 0, kinds[k][1], 0, 1);
    ck_assert_uint_eq(total(), 2);
  }
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
  ck_assert_int_eq(both, 2);   /* the two pairs */
  ck_assert_int_eq(only_a, 2); /* each pair at the other ordinal */
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
  /* each of the 2 pairs alone, and each at the last ordinal, passed 255 */
  ck_assert_uint_eq(n_at_max, 4);
}
END_TEST

static Suite *feedback_suite(void) {
  Suite *s = suite_create("feedback");
  TCase *tc = jostle_check_case(s, "feedback", 10, 0);
  tcase_add_test(tc, only_conflicts_between_threads_count);
  tcase_add_test(tc, a_conflict_counts_its_pair_and_its_ordinal);
  tcase_add_test(tc, the_same_conflicts_in_another_order_are_new);
  tcase_add_test(tc, counters_saturate);
  return s;
}

int main(void) { return jostle_check_run(feedback_suite()); }
