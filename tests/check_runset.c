/*
 * check_runset.c: sets of run indices (harness/runset.h), which decide what
 * a resumed soak runs. Property: after any sequence of adds and removes,
 * the set holds exactly the runs a plain bitmap model holds, as sorted,
 * disjoint, non-adjacent ranges, and `missing` lists exactly the runs it
 * lacks.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/runset.h"
#include "tests/check_main.h"

#define SPAN 200  /* the model's indices: 0..SPAN-1 */

static void check_against(const jostle__runset *s, const unsigned char *model) {
  uint64_t count = 0;
  for (size_t i = 0; i < s->n; i++) {
    const jostle__range *r = &s->ranges[i];
    ck_assert_uint_lt(r->begin, r->end);
    if (i > 0) ck_assert_uint_lt(s->ranges[i - 1].end, r->begin);  /* gap between */
    for (uint64_t x = r->begin; x < r->end; x++) ck_assert_msg(model[x], "run %lu extra", (unsigned long)x);
    count += r->end - r->begin;
  }
  uint64_t expected = 0;
  for (int x = 0; x < SPAN; x++) expected += model[x];
  ck_assert_uint_eq(count, expected);
  ck_assert_uint_eq(jostle__runset_count(s), expected);
}

static void check_missing(const jostle__runset *s, const unsigned char *model, uint64_t lo,
                          uint64_t hi) {
  jostle__range out[SPAN];
  size_t n = jostle__runset_missing(s, lo, hi, out, SPAN);
  unsigned char seen[SPAN] = {0};
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_lt(out[i].begin, out[i].end);
    ck_assert_uint_ge(out[i].begin, lo);
    ck_assert_uint_le(out[i].end, hi);
    for (uint64_t x = out[i].begin; x < out[i].end; x++) seen[x] = 1;
  }
  for (uint64_t x = lo; x < hi; x++) ck_assert_int_eq(seen[x], !model[x]);
  /* a limit cuts the list, in order */
  if (n > 1) {
    jostle__range first;
    ck_assert_uint_eq(jostle__runset_missing(s, lo, hi, &first, 1), 1);
    ck_assert_uint_eq(first.begin, out[0].begin);
    ck_assert_uint_eq(first.end, out[0].end);
  }
}

START_TEST(random_operations_match_a_bitmap) {
  unsigned seed = 1234u + (unsigned)_i;
  unsigned char model[SPAN] = {0};
  jostle__runset s = {0};
  for (int step = 0; step < 2000; step++) {
    uint64_t a = (uint64_t)(rand_r(&seed) % SPAN), b = (uint64_t)(rand_r(&seed) % (SPAN + 1));
    if (a > b) {
      uint64_t t = a;
      a = b;
      b = t;
    }
    if (rand_r(&seed) % 3 == 0) {
      ck_assert_int_eq(jostle__runset_remove(&s, a, b), 0);
      memset(model + a, 0, b - a);
    } else {
      ck_assert_int_eq(jostle__runset_add(&s, a, b), 0);
      memset(model + a, 1, b - a);
    }
    check_against(&s, model);
    int any = b > a && memchr(model + a, 1, b - a) != NULL;
    ck_assert_int_eq(jostle__runset_overlaps(&s, a, b), any);
    uint64_t lo = (uint64_t)(rand_r(&seed) % SPAN);
    check_missing(&s, model, lo, lo + (uint64_t)(rand_r(&seed) % (SPAN - lo + 1)));
  }
  jostle__runset_free(&s);
  ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* Adjacent ranges merge, so a cell's runs done batch after batch stay one
 * range; a hole splits one in two. */
START_TEST(adjacent_ranges_merge_and_holes_split) {
  jostle__runset s = {0};
  ck_assert_int_eq(jostle__runset_add(&s, 0, 1024), 0);
  ck_assert_int_eq(jostle__runset_add(&s, 2048, 3000), 0);
  ck_assert_int_eq(jostle__runset_add(&s, 1024, 2048), 0);
  ck_assert_uint_eq(s.n, 1);
  ck_assert_uint_eq(s.ranges[0].end, 3000);
  ck_assert_int_eq(jostle__runset_remove(&s, 100, 200), 0);
  ck_assert_uint_eq(s.n, 2);
  ck_assert_uint_eq(jostle__runset_count(&s), 2900);
  jostle__range out[4];
  ck_assert_uint_eq(jostle__runset_missing(&s, 0, UINT64_MAX, out, 4), 2);
  ck_assert_uint_eq(out[0].begin, 100);
  ck_assert_uint_eq(out[0].end, 200);
  ck_assert_uint_eq(out[1].begin, 3000);
  ck_assert_uint_eq(out[1].end, UINT64_MAX);
  ck_assert_int_eq(jostle__runset_add(&s, 0, 0), 0);  /* empty: nothing */
  ck_assert_uint_eq(s.n, 2);
  jostle__runset_free(&s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("runset");
  TCase *tc = jostle_check_case(s, "runset", 30, 0);
  tcase_add_loop_test(tc, random_operations_match_a_bitmap, 0, 8);
  tcase_add_test(tc, adjacent_ranges_merge_and_holes_split);
  return jostle_check_run(s);
}
