/*
 * check_tally.c: the outcome table of harness/tally.h: recording, merging,
 * the outcome text, judging, what happens past the outcomes it lists, and
 * the merge of several tallies into a cell.
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

#include "common/seed.h"
#include "common/text.h"
#include "harness/tally.h"
#include "schedulers/control.h"
#include "tests/check_main.h"
#include "tests/same_outcomes.h"

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

static jostle__tally *new_tally(uint32_t n_kept) {
  jostle__tally *t = calloc(1, jostle__tally_size(n_kept));
  ck_assert_ptr_nonnull(t);
  jostle__tally_init(t, n_kept);
  return t;
}

static const jostle__tally_entry *find_text(const jostle__tally *t, const char *text) {
  const jostle__tally_entry *found = NULL, *es = jostle__tally_entries(t);
  for (uint32_t i = 0; i < t->n_kept; i++) {
    if (strcmp(es[i].text, text) != 0) continue;
    ck_assert_msg(found == NULL, "two entries for '%s'", text);
    found = &es[i];
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

/* Outcome text is valid UTF-8, as the JSON results hold it, so that the
 * text report and `report` agree byte for byte: a character cut by the
 * buffer is dropped whole, and a byte that is no UTF-8 is '?'. */
START_TEST(text_is_whole_utf8) {
  jostle_run r = make_run(&plain, 0, 0, 0, "caf\xc3\xa9 \xe2\x82\xac");
  text_is(&r, "(caf\xc3\xa9 \xe2\x82\xac)");
  for (size_t size = 1; size <= 12; size++) {
    char buf[64];
    jostle__outcome_text(&r, buf, size);
    for (size_t i = 0; buf[i];) {
      size_t n = jostle__utf8_len(buf + i);
      ck_assert_msg(n > 0, "size %zu: '%s' is not UTF-8 at byte %zu", size, buf, i);
      i += n;
    }
  }
  char buf[64];
  jostle__outcome_text(&r, buf, 6); /* room for "(caf" and half of the e-acute */
  ck_assert_str_eq(buf, "(caf");
  r = make_run(&plain, 0, 0, 0, "bad \xff byte");
  text_is(&r, "(bad ? byte)");
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

  ck_assert_uint_eq(t->n_kept, 3);
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
  ck_assert_int_eq(ex->key.n_obs, 2);
  ck_assert_int_eq(ez->key.n_obs, 1);
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
  ck_assert_int_eq(e->key.n_obs, 2);
  ck_assert_int_eq(e->key.obs_values[0], 1);
  ck_assert_int_eq(e->key.obs_values[1], 2);
  ck_assert_ptr_eq(e->key.obs_names[0], NAME_A);
  ck_assert_ptr_nonnull(find_text(t, "a=5"));
  ck_assert_uint_eq(t->n_kept, 2);
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
  ck_assert_ptr_eq(e->key.reason, REASON_LOST);
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
  ck_assert_uint_eq(t->n_kept, 2);
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

/* --- past the outcomes it lists ---------------------------------------- */

/* The capacity tests' outcomes: a=V, divergent when V is a multiple of 3. */
static jostle_run value_run(long long v) {
  return make_run(&plain, 1, v, 0, v % 3 == 0 ? REASON_LOST : NULL);
}

static jostle__class value_class(long long v) {
  return v % 3 == 0 ? JOSTLE__DIVERGENT : JOSTLE__ALLOWED;
}

static const char *value_text(long long v, char *buf, size_t size) {
  snprintf(buf, size, v % 3 == 0 ? "a=%lld (lost increments)" : "a=%lld", v);
  return buf;
}

static int by_content(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  char tx[64], ty[64];
  value_text(x, tx, sizeof tx);
  value_text(y, ty, sizeof ty);
  return jostle__outcome_cmp(jostle__outcome_order(tx), tx, value_class(x),
                             jostle__outcome_order(ty), ty, value_class(y));
}

/* The values 0 .. n-1 in content order. */
static void in_content_order(long long n, long long *out) {
  for (long long v = 0; v < n; v++) out[v] = v;
  qsort(out, (size_t)n, sizeof *out, by_content);
}

#define N_VALUES 30

/* Whatever the order runs come in, a tally lists the outcomes first in
 * content order with their exact counts and first runs, and counts the
 * others per class, with their smallest first run. */
START_TEST(lists_the_first_in_content_order) {
  const uint32_t n_kept = 4;
  long long sorted[N_VALUES];
  in_content_order(N_VALUES, sorted);
  jostle__tally *t = new_tally(n_kept);
  uint64_t first[N_VALUES], run = 5000;
  for (long long v = 0; v < N_VALUES; v++) first[v] = UINT64_MAX;
  /* each value twice; ascending, descending or strided; runs numbered
   * downwards, so that a value's smallest run comes last */
  for (int pass = 0; pass < 2; pass++)
    for (long long k = 0; k < N_VALUES; k++) {
      long long v = _i == 0 ? k : _i == 1 ? N_VALUES - 1 - k : (k * 17) % N_VALUES;
      jostle_run r = value_run(v);
      ck_assert_int_eq(jostle__tally_record(t, &r, run), value_class(v));
      first[v] = run--;
    }
  ck_assert_uint_eq(t->n_kept, n_kept);
  uint64_t other[JOSTLE__N_CLASSES] = {0}, other_first[JOSTLE__N_CLASSES];
  for (int c = 0; c < JOSTLE__N_CLASSES; c++) other_first[c] = UINT64_MAX;
  for (long long k = 0; k < N_VALUES; k++) {
    long long v = sorted[k];
    char text[64];
    const jostle__tally_entry *e = find_text(t, value_text(v, text, sizeof text));
    if (k < (long long)n_kept) {
      ck_assert_msg(e != NULL, "'%s', among the first in content order, not listed", text);
      ck_assert_uint_eq(e->count, 2);
      ck_assert_uint_eq(e->first_run, first[v]);
      ck_assert_int_eq(e->cls, value_class(v));
      continue;
    }
    ck_assert_msg(e == NULL, "'%s' listed", text);
    other[value_class(v)] += 2;
    if (first[v] < other_first[value_class(v)]) other_first[value_class(v)] = first[v];
  }
  for (int c = 0; c < JOSTLE__N_CLASSES; c++) {
    ck_assert_uint_eq(t->other_count[c], other[c]);
    if (other[c] > 0) ck_assert_uint_eq(t->other_first_run[c], other_first[c]);
  }
  ck_assert_uint_eq(t->n_folded, N_VALUES - n_kept);
  ck_assert_int_eq(t->folded_overflow, 0);
  free(t);
}
END_TEST

/* An outcome that comes before the last listed one takes its place; the
 * last one's runs, those before and those after, count as other. */
START_TEST(evicted_keys_count_as_other) {
  long long s[10];
  in_content_order(10, s);
  jostle__tally *t = new_tally(2);
  jostle_run last = make_run(&plain, 1, s[9], 0, NULL), next = make_run(&plain, 1, s[8], 0, NULL);
  jostle_run a = make_run(&plain, 1, s[0], 0, NULL), b = make_run(&plain, 1, s[1], 0, NULL);
  for (uint64_t run = 10; run < 13; run++) jostle__tally_record(t, &last, run);
  jostle__tally_record(t, &next, 20);
  ck_assert_uint_eq(t->n_kept, 2);
  ck_assert_uint_eq(t->other_count[JOSTLE__ALLOWED], 0);
  jostle__tally_record(t, &a, 30);       /* `last` goes */
  jostle__tally_record(t, &last, 31);    /* and stays gone */
  ck_assert_uint_eq(t->other_count[JOSTLE__ALLOWED], 4);
  ck_assert_uint_eq(t->other_first_run[JOSTLE__ALLOWED], 10);
  jostle__tally_record(t, &b, 40);       /* `next` goes */
  jostle__tally_record(t, &next, 5);
  ck_assert_uint_eq(t->other_count[JOSTLE__ALLOWED], 6);
  ck_assert_uint_eq(t->other_first_run[JOSTLE__ALLOWED], 5);
  char text[64];
  snprintf(text, sizeof text, "a=%lld", s[0]);
  ck_assert_uint_eq(find_text(t, text)->count, 1);
  snprintf(text, sizeof text, "a=%lld", s[1]);
  ck_assert_uint_eq(find_text(t, text)->count, 1);
  ck_assert_uint_eq(t->n_kept, 2);
  ck_assert_uint_eq(t->n_folded, 2);
  free(t);
}
END_TEST

/* Names from two string literals of one text are two keys of one outcome,
 * listed once. */
START_TEST(two_literals_of_one_text_are_one_outcome) {
  static const char NAME_A_AGAIN[] = "a";
  ck_assert_ptr_ne(NAME_A, NAME_A_AGAIN);
  jostle__tally *t = new_tally(1);
  jostle_run x = make_run(&plain, 1, 7, 0, NULL), y = x;
  y.obs_names[0] = NAME_A_AGAIN;
  jostle__tally_record(t, &x, 3);
  jostle__tally_record(t, &y, 1);
  jostle__tally_record(t, &y, 2);
  ck_assert_uint_eq(t->n_kept, 1);
  const jostle__tally_entry *e = find_text(t, "a=7");
  ck_assert_uint_eq(e->count, 3);
  ck_assert_uint_eq(e->first_run, 1);
  ck_assert_uint_eq(t->other_count[JOSTLE__ALLOWED], 0);
  free(t);
}
END_TEST

/* The index fills with folded keys and forgets them; runs of every key
 * still count, each once, and at most n_folded_max distinct folded
 * outcomes are counted. */
START_TEST(forgotten_keys_still_count_exactly) {
  const uint32_t n_kept = 4;
  const long long n_values = 100;
  jostle__tally *t = new_tally(n_kept);
  uint64_t run = 0;
  for (int pass = 0; pass < 3; pass++)
    for (long long v = 0; v < n_values; v++) {
      jostle_run r = value_run(v);
      ck_assert_int_eq(jostle__tally_record(t, &r, run++), value_class(v));
      ck_assert_uint_le((uint64_t)t->n_index * 4, (uint64_t)t->index_capacity * 3);
    }
  long long sorted[100];
  in_content_order(n_values, sorted);
  uint64_t total = t->other_count[JOSTLE__ALLOWED] + t->other_count[JOSTLE__DIVERGENT];
  for (uint32_t k = 0; k < n_kept; k++) {
    char text[64];
    const jostle__tally_entry *e = find_text(t, value_text(sorted[k], text, sizeof text));
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->count, 3);
    total += e->count;
  }
  ck_assert_uint_eq(total, run);
  ck_assert_uint_eq(t->n_folded, t->n_folded_max);
  ck_assert_int_eq(t->folded_overflow, 1);
  free(t);
}
END_TEST

/* A worker that takes over a tally rebuilds its index: the listed keys
 * are found again, not listed twice. */
START_TEST(adopted_tally_finds_its_keys) {
  jostle__tally *t = new_tally(8);
  jostle_run stuck = make_run(&plain, 0, 0, 0, NULL);
  stuck.verdict = JOSTLE__RUN_DEADLOCK;
  stuck.verdict_text = "deadlock (every thread waits)";
  for (int pass = 0; pass < 2; pass++) {
    for (long long v = 0; v < 5; v++) {
      jostle_run r = value_run(v);
      jostle__tally_record(t, &r, (uint64_t)(10 * pass + v));
    }
    jostle__tally_record(t, &stuck, (uint64_t)(10 * pass + 5));
    jostle__tally_adopt(t);
    ck_assert_uint_eq(t->n_index, 6);
  }
  ck_assert_uint_eq(t->n_kept, 6);
  for (long long v = 0; v < 5; v++) {
    char text[64];
    const jostle__tally_entry *e = find_text(t, value_text(v, text, sizeof text));
    ck_assert_uint_eq(e->count, 2);
    ck_assert_uint_eq(e->first_run, (uint64_t)v);
  }
  ck_assert_uint_eq(find_text(t, "deadlock (every thread waits)")->count, 2);
  free(t);
}
END_TEST

/* Many keys through a larger table: the index must find every listed key
 * again (the counts come out exact). */
START_TEST(many_keys_are_found_again) {
  jostle__tally *t = new_tally(768);
  const long long n_keys = 700;
  uint64_t run = 0;
  for (int pass = 0; pass < 3; pass++)
    for (long long v = 0; v < n_keys; v++) {
      jostle_run r = make_run(&plain, 2, v * 7919, v, NULL);
      jostle__tally_record(t, &r, run++);
    }
  ck_assert_uint_eq(t->n_kept, (uint32_t)n_keys);
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

/* --- a campaign's tallies ---------------------------------------------- */

/* The runs [0, n_runs) of a campaign with `n_values` outcomes, spread over
 * n tallies of n_kept: run i has value mix(7, i) % n_values, and goes to
 * tally (i / chunk) % n, each chunk recorded backwards. Collected into c,
 * which holds a crash of run 3 already, as a parent's cell would. */
static void spread(jostle__cell *c, long long n_values, uint64_t n_runs, int n, uint64_t chunk,
                   uint32_t n_kept) {
  jostle__tally *tallies[4];
  for (int i = 0; i < n; i++) tallies[i] = new_tally(n_kept);
  for (uint64_t begin = 0; begin < n_runs; begin += chunk)
    for (uint64_t i = begin + chunk; i-- > begin;) {
      if (i >= n_runs) continue;
      jostle_run r = value_run((long long)(jostle__mix(7, i) % (uint64_t)n_values));
      jostle__tally_record(tallies[(begin / chunk) % (uint64_t)n], &r, i);
    }
  jostle__plan p;
  memset(&p, 0, sizeof p);
  p.seed = 42;
  memset(c, 0, sizeof *c);
  ck_assert_int_eq(jostle__cell_add(c, JOSTLE__CRASH, "crash (SIGSEGV)", 1, 3,
                                    jostle__run_seed(&p, 3)), 0);
  ck_assert_int_eq(jostle__tally_collect(tallies, n, &p, c), 0);
  jostle__cell_sort(c);
  for (int i = 0; i < n; i++) free(tallies[i]);
}

static const jostle__outcome *outcome(const jostle__cell *c, const char *text) {
  for (size_t i = 0; i < c->n_outcomes; i++)
    if (strcmp(c->outcomes[i].text, text) == 0) return &c->outcomes[i];
  return NULL;
}

/* One tally, or three taking turns by runs or by chunks: the same
 * outcomes are listed, with their exact counts, and the other lines say
 * the same. */
START_TEST(collect_is_the_same_however_runs_were_spread) {
  const uint64_t n_runs = 600;
  jostle__cell one, turns, chunks;
  spread(&one, N_VALUES, n_runs, 1, n_runs, 4);
  spread(&turns, N_VALUES, n_runs, 3, 1, 4);
  spread(&chunks, N_VALUES, n_runs, 3, 7, 4);
  jostle_same_outcomes(&one, &turns);
  jostle_same_outcomes(&one, &chunks);

  uint64_t count[N_VALUES] = {0};
  for (uint64_t i = 0; i < n_runs; i++) count[jostle__mix(7, i) % N_VALUES]++;
  long long sorted[N_VALUES];
  in_content_order(N_VALUES, sorted);
  /* the crash comes somewhere in the order too: what is listed is the
   * first 4 of the values and the crash */
  char crash_text[] = "crash (SIGSEGV)";
  uint64_t crash_order = jostle__outcome_order(crash_text);
  size_t n_listed = 0;
  uint64_t n_other[JOSTLE__N_CLASSES] = {0}, other_runs[JOSTLE__N_CLASSES] = {0};
  int crash_listed = 0;
  for (long long k = 0; k < N_VALUES; k++) {
    char text[64];
    value_text(sorted[k], text, sizeof text);
    if (!crash_listed && n_listed < 4 &&
        jostle__outcome_cmp(crash_order, crash_text, JOSTLE__CRASH, jostle__outcome_order(text),
                            text, value_class(sorted[k])) < 0) {
      crash_listed = 1;
      n_listed++;
    }
    const jostle__outcome *o = outcome(&one, text);
    if (n_listed < 4) {
      ck_assert_msg(o != NULL, "'%s' not listed", text);
      ck_assert_uint_eq(o->count, count[sorted[k]]);
      n_listed++;
    } else {
      ck_assert_msg(o == NULL, "'%s' listed", text);
      n_other[value_class(sorted[k])]++;
      other_runs[value_class(sorted[k])] += count[sorted[k]];
    }
  }
  ck_assert_int_eq(outcome(&one, crash_text) != NULL, crash_listed);
  for (int c = JOSTLE__ALLOWED; c <= JOSTLE__DIVERGENT; c++) {
    char text[JOSTLE__TEXT_MAX];
    jostle__other_text((jostle__class)c, n_other[c], 4, text, sizeof text);
    const jostle__outcome *o = outcome(&one, text);
    ck_assert_msg(o != NULL, "no '%s'", text);
    ck_assert_uint_eq(o->count, other_runs[c]);
  }
  jostle__cell_free(&one);
  jostle__cell_free(&turns);
  jostle__cell_free(&chunks);
}
END_TEST

/* Past what a tally counts, the other line says it could not count, how
 * ever the runs were spread (four tallies each counting all they saw). */
START_TEST(collect_says_when_it_could_not_count) {
  /* a tally of 1 counts 8 folded outcomes: 8 values and the crash fold 8 */
  static const long long n_values_of[] = {8, 40};
  for (int k = 0; k < 2; k++) {
    long long n_values = n_values_of[k];
    jostle__cell one, four;
    spread(&one, n_values, 400, 1, 400, 1);
    spread(&four, n_values, 400, 4, 25, 1);
    jostle_same_outcomes(&one, &four);
    size_t n_other = 0;
    for (size_t i = 0; i < one.n_outcomes; i++) {
      uint64_t n_distinct;
      if (!jostle__outcome_is_other(&one.outcomes[i], &n_distinct)) continue;
      n_other++;
      if (n_values == 40) ck_assert_uint_eq(n_distinct, JOSTLE__UNCOUNTED);
      else ck_assert_uint_ne(n_distinct, JOSTLE__UNCOUNTED);
    }
    ck_assert_uint_ge(n_other, 1);
    jostle__cell_free(&one);
    jostle__cell_free(&four);
  }
}
END_TEST

static Suite *tally_suite(void) {
  Suite *s = suite_create("tally");
  TCase *tc = jostle_check_case(s, "text", 5, 0);
  tcase_add_test(tc, text_lists_observations_then_reason);
  tcase_add_test(tc, text_of_overflowed_observations);
  tcase_add_test(tc, text_truncates_within_the_buffer);
  tcase_add_test(tc, text_is_whole_utf8);
  tc = jostle_check_case(s, "record", 5, 0);
  tcase_add_test(tc, equal_observations_merge_and_count);
  tcase_add_test(tc, first_run_is_the_smallest_index);
  tcase_add_test(tc, entries_do_not_alias_the_run);
  tc = jostle_check_case(s, "judge", 5, 0);
  tcase_add_test(tc, reason_makes_a_run_divergent);
  tcase_add_test(tc, overflowed_observations_are_divergent);
  tcase_add_test(tc, allowed_list_judges_outcomes);
  tc = jostle_check_case(s, "capacity", 10, 0);
  tcase_add_loop_test(tc, lists_the_first_in_content_order, 0, 3);
  tcase_add_test(tc, evicted_keys_count_as_other);
  tcase_add_test(tc, two_literals_of_one_text_are_one_outcome);
  tcase_add_test(tc, forgotten_keys_still_count_exactly);
  tcase_add_test(tc, adopted_tally_finds_its_keys);
  tcase_add_test(tc, many_keys_are_found_again);
  tc = jostle_check_case(s, "collect", 10, 0);
  tcase_add_test(tc, collect_is_the_same_however_runs_were_spread);
  tcase_add_test(tc, collect_says_when_it_could_not_count);
  return s;
}

int main(void) { return jostle_check_run(tally_suite()); }
