/*
 * check_tally.c: the outcome table of harness/tally.h: recording, merging,
 * the outcome text, judging, and what happens past the table's capacity.
 *
 * The tally keys outcomes by their name and reason pointers, as scenario
 * code hands them over; the names here are therefore static arrays, one
 * pointer per name.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/tally.h"
#include "tests/check_main.h"

static const char NAME_A[] = "a";
static const char NAME_B[] = "b";
static const char NAME_COUNTER[] = "counter";
static const char REASON_LOST[] = "lost increments";

static void check_one(jostle_run *r) { (void)r; }
static void thread_one(jostle_run *r, int i) { (void)r, (void)i; }

static const jostle_scenario plain = {
    .name = "plain",
    .threads = 2,
    .thread = thread_one,
    .check = check_one,
};

static const char *const litmus_allowed[] = {"a=0 b=1", "a=1 b=0", "a=1 b=1", NULL};

static const jostle_scenario litmus = {
    .name = "litmus",
    .threads = 2,
    .thread = thread_one,
    .check = check_one,
    .allowed = litmus_allowed,
};

static const char *const silent_allowed[] = {"(no observations)", NULL};

static const jostle_scenario silent = {
    .name = "silent",
    .threads = 2,
    .thread = thread_one,
    .check = check_one,
    .allowed = silent_allowed,
};

/* A run of scenario s whose check observed a and b (n_obs of them). */
static jostle_run make_run(const jostle_scenario *s, int n_obs, long long a, long long b,
                           const char *reason) {
  jostle_run r;
  memset(&r, 0, sizeof r);
  r.scenario = s;
  r.n_threads = s->threads;
  r.n_obs = n_obs;
  r.obs_names[0] = NAME_A;
  r.obs_values[0] = a;
  r.obs_names[1] = NAME_B;
  r.obs_values[1] = b;
  r.reason = reason;
  return r;
}

static jostle__tally *new_tally(uint32_t capacity) {
  jostle__tally *t = calloc(1, jostle__tally_size(capacity));
  ck_assert_ptr_nonnull(t);
  jostle__tally_init(t, capacity);
  return t;
}

/* The used entries, in table order; returns how many. */
static uint32_t used_entries(const jostle__tally *t, const jostle__tally_entry **out,
                             uint32_t max) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < t->capacity; i++)
    if (t->entries[i].hash != 0 && n < max) out[n++] = &t->entries[i];
  return n;
}

static const jostle__tally_entry *find_text(const jostle__tally *t, const char *text) {
  const jostle__tally_entry *found = NULL;
  for (uint32_t i = 0; i < t->capacity; i++) {
    if (t->entries[i].hash == 0 || strcmp(t->entries[i].text, text) != 0) continue;
    ck_assert_msg(found == NULL, "two entries for '%s'", text);
    found = &t->entries[i];
  }
  return found;
}

/* --- outcome text ------------------------------------------------------ */

static void text_is(const jostle_run *r, const char *want) {
  char buf[JOSTLE__TEXT_MAX];
  memset(buf, 'x', sizeof buf);
  jostle__outcome_text(r, buf, sizeof buf);
  ck_assert_str_eq(buf, want);
}

START_TEST(text_lists_observations_then_reason) {
  jostle_run r = make_run(&plain, 2, 1, 2, NULL);
  text_is(&r, "a=1 b=2");
  r = make_run(&plain, 2, 1, 2, "reason");
  text_is(&r, "a=1 b=2 (reason)");
  r = make_run(&plain, 1, -3, 0, NULL);
  text_is(&r, "a=-3");
  r = make_run(&plain, 0, 0, 0, NULL);
  text_is(&r, "(no observations)");
  r = make_run(&plain, 0, 0, 0, REASON_LOST);
  text_is(&r, "(lost increments)");
  r = make_run(&plain, 1, 0, 0, NULL);
  r.obs_names[0] = NAME_COUNTER;
  r.obs_values[0] = 1987;
  text_is(&r, "counter=1987");
  r = make_run(&plain, 2, LLONG_MIN, LLONG_MAX, NULL);
  text_is(&r, "a=-9223372036854775808 b=9223372036854775807");
}
END_TEST

START_TEST(text_of_overflowed_observations) {
  jostle_run r = make_run(&plain, 2, 1, 2, NULL);
  r.obs_overflow = 1;
  text_is(&r, "a=1 b=2 (more observations than jostle keeps)");
}
END_TEST

/* A short buffer gets a terminated prefix of the text, never more. */
START_TEST(text_truncates_within_the_buffer) {
  char full[JOSTLE__TEXT_MAX];
  jostle_run r = make_run(&plain, 2, 123456, 654321, REASON_LOST);
  jostle__outcome_text(&r, full, sizeof full);
  ck_assert_str_eq(full, "a=123456 b=654321 (lost increments)");
  for (size_t size = 1; size <= strlen(full) + 1; size++) {
    char buf[64];
    memset(buf, '#', sizeof buf);
    jostle__outcome_text(&r, buf, size);
    ck_assert_uint_lt(strlen(buf), size);
    ck_assert_msg(strncmp(buf, full, strlen(buf)) == 0, "size %zu: '%s' is not a prefix",
                  size, buf);
    ck_assert_msg(buf[size] == '#', "size %zu: wrote past the buffer", size);
  }
}
END_TEST

/* --- recording and merging --------------------------------------------- */

START_TEST(equal_observations_merge_and_count) {
  jostle__tally *t = new_tally(64);
  jostle_run x = make_run(&plain, 2, 1, 2, NULL);
  jostle_run y = make_run(&plain, 2, 2, 1, NULL);
  jostle_run z = make_run(&plain, 1, 1, 0, NULL);  /* a=1 only: another key */
  uint64_t run = 0;
  for (int i = 0; i < 5; i++) ck_assert_int_eq(jostle__tally_record(t, &x, run++), JOSTLE__ALLOWED);
  for (int i = 0; i < 3; i++) ck_assert_int_eq(jostle__tally_record(t, &y, run++), JOSTLE__ALLOWED);
  ck_assert_int_eq(jostle__tally_record(t, &z, run++), JOSTLE__ALLOWED);
  for (int i = 0; i < 2; i++) ck_assert_int_eq(jostle__tally_record(t, &x, run++), JOSTLE__ALLOWED);

  ck_assert_uint_eq(t->n_used, 3);
  const jostle__tally_entry *ex = find_text(t, "a=1 b=2");
  const jostle__tally_entry *ey = find_text(t, "a=2 b=1");
  const jostle__tally_entry *ez = find_text(t, "a=1");
  ck_assert_ptr_nonnull(ex);
  ck_assert_ptr_nonnull(ey);
  ck_assert_ptr_nonnull(ez);
  ck_assert_uint_eq(ex->count, 7);
  ck_assert_uint_eq(ey->count, 3);
  ck_assert_uint_eq(ez->count, 1);
  ck_assert_uint_eq(ex->first_run, 0);
  ck_assert_uint_eq(ey->first_run, 5);
  ck_assert_uint_eq(ez->first_run, 8);
  ck_assert_int_eq(ex->n_obs, 2);
  ck_assert_int_eq(ez->n_obs, 1);
  ck_assert_uint_eq(t->other_count[JOSTLE__ALLOWED] + t->other_count[JOSTLE__DIVERGENT], 0);
  free(t);
}
END_TEST

/* Runs are recorded out of order (workers resume, parents re-record):
 * first_run is the smallest index, whichever came first. */
START_TEST(first_run_is_the_smallest_index) {
  jostle__tally *t = new_tally(16);
  jostle_run x = make_run(&plain, 1, 7, 0, NULL);
  static const uint64_t order[] = {900, 40, 5000, 41, 12, 13, 700};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    jostle__tally_record(t, &x, order[i]);
  const jostle__tally_entry *e = find_text(t, "a=7");
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->count, 7);
  ck_assert_uint_eq(e->first_run, 12);
  free(t);
}
END_TEST

/* Observations are copied: the run may be reused for the next run. */
START_TEST(entries_do_not_alias_the_run) {
  jostle__tally *t = new_tally(16);
  jostle_run r = make_run(&plain, 2, 1, 2, NULL);
  jostle__tally_record(t, &r, 0);
  r.obs_values[0] = 5;
  r.n_obs = 1;
  jostle__tally_record(t, &r, 1);
  const jostle__tally_entry *e = find_text(t, "a=1 b=2");
  ck_assert_ptr_nonnull(e);
  ck_assert_int_eq(e->n_obs, 2);
  ck_assert_int_eq(e->obs_values[0], 1);
  ck_assert_int_eq(e->obs_values[1], 2);
  ck_assert_ptr_eq(e->obs_names[0], NAME_A);
  ck_assert_ptr_nonnull(find_text(t, "a=5"));
  ck_assert_uint_eq(t->n_used, 2);
  free(t);
}
END_TEST

/* --- judging ----------------------------------------------------------- */

START_TEST(reason_makes_a_run_divergent) {
  jostle__tally *t = new_tally(16);
  jostle_run ok = make_run(&plain, 1, 2000, 0, NULL);
  jostle_run bad = make_run(&plain, 1, 1987, 0, REASON_LOST);
  ck_assert_int_eq(jostle__tally_record(t, &ok, 0), JOSTLE__ALLOWED);
  ck_assert_int_eq(jostle__tally_record(t, &bad, 1), JOSTLE__DIVERGENT);
  ck_assert_int_eq(jostle__tally_record(t, &bad, 2), JOSTLE__DIVERGENT); /* merged too */
  const jostle__tally_entry *e = find_text(t, "a=1987 (lost increments)");
  ck_assert_ptr_nonnull(e);
  ck_assert_int_eq(e->cls, JOSTLE__DIVERGENT);
  ck_assert_uint_eq(e->count, 2);
  ck_assert_ptr_eq(e->reason, REASON_LOST);
  e = find_text(t, "a=2000");
  ck_assert_ptr_nonnull(e);
  ck_assert_int_eq(e->cls, JOSTLE__ALLOWED);

  /* A reason wins over an allowed list that happens to name the text. */
  static const char *const lenient[] = {"(lost increments)", NULL};
  static const jostle_scenario s = {
      .name = "lenient", .threads = 1, .thread = thread_one, .check = check_one,
      .allowed = lenient};
  jostle_run reason_only = make_run(&s, 0, 0, 0, REASON_LOST);
  ck_assert_int_eq(jostle__tally_record(t, &reason_only, 3), JOSTLE__DIVERGENT);
  free(t);
}
END_TEST

START_TEST(overflowed_observations_are_divergent) {
  jostle__tally *t = new_tally(16);
  jostle_run r = make_run(&litmus, 2, 0, 1, NULL); /* allowed text, but overflowed */
  r.obs_overflow = 1;
  ck_assert_int_eq(jostle__tally_record(t, &r, 0), JOSTLE__DIVERGENT);
  r.obs_overflow = 0;  /* a different key from the overflowed one */
  ck_assert_int_eq(jostle__tally_record(t, &r, 1), JOSTLE__ALLOWED);
  ck_assert_uint_eq(t->n_used, 2);
  free(t);
}
END_TEST

START_TEST(allowed_list_judges_outcomes) {
  jostle__tally *t = new_tally(16);
  uint64_t run = 0;
  for (long long a = 0; a <= 1; a++) {
    for (long long b = 0; b <= 1; b++) {
      jostle_run r = make_run(&litmus, 2, a, b, NULL);
      jostle__class want = (a == 0 && b == 0) ? JOSTLE__DIVERGENT : JOSTLE__ALLOWED;
      ck_assert_msg(jostle__tally_record(t, &r, run++) == want, "a=%lld b=%lld judged wrong",
                    a, b);
      ck_assert_msg(jostle__tally_record(t, &r, run++) == want,
                    "a=%lld b=%lld judged wrong when merged", a, b);
    }
  }
  const jostle__tally_entry *e = find_text(t, "a=0 b=0");
  ck_assert_ptr_nonnull(e);
  ck_assert_int_eq(e->cls, JOSTLE__DIVERGENT);
  e = find_text(t, "a=1 b=1");
  ck_assert_ptr_nonnull(e);
  ck_assert_int_eq(e->cls, JOSTLE__ALLOWED);
  /* Listed texts match whole: "a=0" alone is not "a=0 b=1". */
  jostle_run part = make_run(&litmus, 1, 0, 0, NULL);
  ck_assert_int_eq(jostle__tally_record(t, &part, run++), JOSTLE__DIVERGENT);
  /* A list can allow the empty outcome by its text. */
  jostle_run none = make_run(&silent, 0, 0, 0, NULL);
  ck_assert_int_eq(jostle__tally_record(t, &none, run++), JOSTLE__ALLOWED);
  jostle_run some = make_run(&silent, 1, 0, 0, NULL);
  ck_assert_int_eq(jostle__tally_record(t, &some, run++), JOSTLE__DIVERGENT);
  free(t);
}
END_TEST

/* --- capacity ---------------------------------------------------------- */

/* Past 3/4 of its capacity the table takes no new key: new outcomes are
 * counted per class in other_count, known ones still merge, and every run
 * is counted exactly once. */
START_TEST(full_table_counts_others_per_class) {
  const uint32_t capacity = 16;
  jostle__tally *t = new_tally(capacity);
  const long long kept = capacity * 3 / 4;  /* the first keys seen */
  uint64_t n_recorded = 0, n_divergent = 0, run = 1000;
  uint64_t other_min[JOSTLE__N_CLASSES] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
  /* 40 distinct outcomes; every third one divergent. Runs are numbered
   * downwards, so that the smallest index of the others comes last. */
  for (long long v = 0; v < 40; v++) {
    jostle__class want = v % 3 == 0 ? JOSTLE__DIVERGENT : JOSTLE__ALLOWED;
    jostle_run r = make_run(&plain, 1, v, 0, want == JOSTLE__DIVERGENT ? REASON_LOST : NULL);
    if (v >= kept && run < other_min[want]) other_min[want] = run;
    jostle__class cls = jostle__tally_record(t, &r, run--);
    ck_assert_int_eq(cls, want);
    n_recorded++;
    n_divergent += cls == JOSTLE__DIVERGENT;
  }
  ck_assert_uint_le((uint64_t)t->n_used * 4, (uint64_t)capacity * 3);
  ck_assert_uint_eq(t->n_used, (uint32_t)kept);

  /* Again, all 40, in reverse: kept ones merge, the rest go to other. */
  for (long long v = 39; v >= 0; v--) {
    jostle__class want = v % 3 == 0 ? JOSTLE__DIVERGENT : JOSTLE__ALLOWED;
    jostle_run r = make_run(&plain, 1, v, 0, want == JOSTLE__DIVERGENT ? REASON_LOST : NULL);
    if (v >= kept && run < other_min[want]) other_min[want] = run;
    jostle__class cls = jostle__tally_record(t, &r, run--);
    ck_assert_int_eq(cls, want);
    n_recorded++;
    n_divergent += cls == JOSTLE__DIVERGENT;
  }
  ck_assert_uint_eq(t->n_used, (uint32_t)kept);
  for (long long v = 0; v < kept; v++) {
    char text[64];
    snprintf(text, sizeof text, v % 3 == 0 ? "a=%lld (lost increments)" : "a=%lld", v);
    ck_assert_msg(find_text(t, text) != NULL, "'%s', among the first keys, not kept", text);
  }

  const jostle__tally_entry *used[64];
  uint32_t n = used_entries(t, used, 64);
  ck_assert_uint_eq(n, t->n_used);
  uint64_t counts[JOSTLE__N_CLASSES] = {0};
  for (uint32_t i = 0; i < n; i++) {
    ck_assert_uint_eq(used[i]->count, 2);  /* each kept outcome came twice */
    counts[used[i]->cls] += used[i]->count;
  }
  uint64_t total = 0;
  for (int c = 0; c < JOSTLE__N_CLASSES; c++) total += counts[c] + t->other_count[c];
  ck_assert_uint_eq(total, n_recorded);
  ck_assert_uint_eq(counts[JOSTLE__DIVERGENT] + t->other_count[JOSTLE__DIVERGENT], n_divergent);
  ck_assert_uint_eq(counts[JOSTLE__ALLOWED] + t->other_count[JOSTLE__ALLOWED],
                    n_recorded - n_divergent);
  ck_assert_uint_eq(t->other_count[JOSTLE__CRASH] + t->other_count[JOSTLE__HANG], 0);
  ck_assert_uint_gt(t->other_count[JOSTLE__ALLOWED], 0);
  ck_assert_uint_gt(t->other_count[JOSTLE__DIVERGENT], 0);
  ck_assert_uint_eq(t->other_first_run[JOSTLE__DIVERGENT], other_min[JOSTLE__DIVERGENT]);
  ck_assert_uint_eq(t->other_first_run[JOSTLE__ALLOWED], other_min[JOSTLE__ALLOWED]);
  free(t);
}
END_TEST

/* The first run of other outcomes is the smallest whatever the order. */
START_TEST(full_table_other_first_run_is_smallest) {
  jostle__tally *t = new_tally(4);  /* takes 3 keys */
  for (long long v = 0; v < 3; v++) {
    jostle_run r = make_run(&plain, 1, v, 0, NULL);
    jostle__tally_record(t, &r, (uint64_t)v);
  }
  ck_assert_uint_eq(t->n_used, 3);
  static const uint64_t runs[] = {500, 30, 700, 31, 29, 800};
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
    jostle_run r = make_run(&plain, 1, 100 + (long long)i, 0, NULL);
    ck_assert_int_eq(jostle__tally_record(t, &r, runs[i]), JOSTLE__ALLOWED);
  }
  ck_assert_uint_eq(t->n_used, 3);
  ck_assert_uint_eq(t->other_count[JOSTLE__ALLOWED], 6);
  ck_assert_uint_eq(t->other_first_run[JOSTLE__ALLOWED], 29);
  ck_assert_uint_eq(t->other_count[JOSTLE__DIVERGENT], 0);
  free(t);
}
END_TEST

/* Many keys through a larger table: open addressing must find every
 * stored key again (the counts come out exact). */
START_TEST(many_keys_are_found_again) {
  const uint32_t capacity = 1024;
  jostle__tally *t = new_tally(capacity);
  const long long n_keys = 700;  /* under 3/4 of 1024 */
  uint64_t run = 0;
  for (int pass = 0; pass < 3; pass++)
    for (long long v = 0; v < n_keys; v++) {
      jostle_run r = make_run(&plain, 2, v * 7919, v, NULL);
      jostle__tally_record(t, &r, run++);
    }
  ck_assert_uint_eq(t->n_used, (uint32_t)n_keys);
  ck_assert_uint_eq(t->other_count[JOSTLE__ALLOWED], 0);
  for (long long v = 0; v < n_keys; v++) {
    char text[64];
    snprintf(text, sizeof text, "a=%lld b=%lld", v * 7919, v);
    const jostle__tally_entry *e = find_text(t, text);
    ck_assert_msg(e != NULL, "'%s' lost", text);
    ck_assert_uint_eq(e->count, 3);
    ck_assert_uint_eq(e->first_run, (uint64_t)v);
  }
  free(t);
}
END_TEST

static Suite *tally_suite(void) {
  Suite *s = suite_create("tally");
  TCase *tc = jostle_check_case(s, "text", 5, 0);
  tcase_add_test(tc, text_lists_observations_then_reason);
  tcase_add_test(tc, text_of_overflowed_observations);
  tcase_add_test(tc, text_truncates_within_the_buffer);
  tc = jostle_check_case(s, "record", 5, 0);
  tcase_add_test(tc, equal_observations_merge_and_count);
  tcase_add_test(tc, first_run_is_the_smallest_index);
  tcase_add_test(tc, entries_do_not_alias_the_run);
  tc = jostle_check_case(s, "judge", 5, 0);
  tcase_add_test(tc, reason_makes_a_run_divergent);
  tcase_add_test(tc, overflowed_observations_are_divergent);
  tcase_add_test(tc, allowed_list_judges_outcomes);
  tc = jostle_check_case(s, "capacity", 10, 0);
  tcase_add_test(tc, full_table_counts_others_per_class);
  tcase_add_test(tc, full_table_other_first_run_is_smallest);
  tcase_add_test(tc, many_keys_are_found_again);
  return s;
}

int main(void) { return jostle_check_run(tally_suite()); }
