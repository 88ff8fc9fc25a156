/*
 * check_result.c: the result model of reports/result.h: merging outcomes
 * into a cell, their order, the Wilson interval that reports print, and the
 * command that reproduces an outcome.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reports/result.h"
#include "tests/check_main.h"

static void cell_init(jostle__cell *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->scenario, sizeof c->scenario, "counter");
  snprintf(c->scheduler, sizeof c->scheduler, "noise");
  snprintf(c->placement, sizeof c->placement, "spread");
  ck_assert_int_eq(jostle__cell_set_command(
                       c, "jostle stress counter --scheduler noise --pin spread -D threads=2"),
                   0);
  c->campaign_seed = 0x1111111111111111ULL;
  jostle__cli_reproduce_syntax(c);  /* as the harness does */
}

static const jostle__outcome *find(const jostle__cell *c, jostle__class cls, const char *text) {
  const jostle__outcome *found = NULL;
  for (size_t i = 0; i < c->n_outcomes; i++) {
    if (c->outcomes[i].cls != cls || strcmp(c->outcomes[i].text, text) != 0) continue;
    ck_assert_msg(found == NULL, "two outcomes (%s, '%s')", jostle__class_name(cls), text);
    found = &c->outcomes[i];
  }
  return found;
}

/* --- cell_add ---------------------------------------------------------- */

START_TEST(add_merges_equal_outcomes) {
  jostle__cell c;
  cell_init(&c);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, "counter=2000", 10, 50, 0x50), 0);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__DIVERGENT, "counter=1999 (lost)", 1, 7, 0x7), 0);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, "counter=2000", 5, 80, 0x80), 0);
  ck_assert_uint_eq(c.n_outcomes, 2);
  const jostle__outcome *o = find(&c, JOSTLE__ALLOWED, "counter=2000");
  ck_assert_ptr_nonnull(o);
  ck_assert_uint_eq(o->count, 15);
  ck_assert_uint_eq(o->first_run, 50);  /* 80 came later but is larger */
  ck_assert_uint_eq(o->first_seed, 0x50);
  o = find(&c, JOSTLE__DIVERGENT, "counter=1999 (lost)");
  ck_assert_ptr_nonnull(o);
  ck_assert_uint_eq(o->count, 1);
  jostle__cell_free(&c);
}
END_TEST

/* The smallest first run wins, and its seed comes with it. */
START_TEST(add_keeps_smallest_first_run_and_its_seed) {
  jostle__cell c;
  cell_init(&c);
  static const struct { uint64_t run, seed; } adds[] = {
      {900, 0xa900}, {40, 0xa040}, {5000, 0xa5000}, {12, 0xa012}, {13, 0xa013}, {12, 0xb012}};
  uint64_t total = 0;
  for (size_t i = 0; i < sizeof adds / sizeof adds[0]; i++) {
    ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__CRASH, "(crash: SIGSEGV)", i + 1,
                                      adds[i].run, adds[i].seed), 0);
    total += i + 1;
  }
  ck_assert_uint_eq(c.n_outcomes, 1);
  ck_assert_uint_eq(c.outcomes[0].count, total);
  ck_assert_uint_eq(c.outcomes[0].first_run, 12);
  ck_assert_uint_eq(c.outcomes[0].first_seed, 0xa012);  /* the first run 12 seen */
  ck_assert_int_eq(c.outcomes[0].cls, JOSTLE__CRASH);
  jostle__cell_free(&c);
}
END_TEST

/* The same text in two classes is two outcomes. */
START_TEST(add_separates_classes_with_the_same_text) {
  jostle__cell c;
  cell_init(&c);
  for (int cls = 0; cls < JOSTLE__N_CLASSES; cls++)
    ck_assert_int_eq(jostle__cell_add(&c, (jostle__class)cls, "x=1", 1 + (uint64_t)cls,
                                      (uint64_t)cls, 0), 0);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__HANG, "x=1", 10, 0, 0), 0);
  ck_assert_uint_eq(c.n_outcomes, JOSTLE__N_CLASSES);
  for (int cls = 0; cls < JOSTLE__N_CLASSES; cls++) {
    const jostle__outcome *o = find(&c, (jostle__class)cls, "x=1");
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->count, 1 + (uint64_t)cls + (cls == JOSTLE__HANG ? 10 : 0));
  }
  /* Texts compare whole: a prefix is another outcome. */
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, "x=10", 1, 0, 0), 0);
  ck_assert_uint_eq(c.n_outcomes, JOSTLE__N_CLASSES + 1);
  jostle__cell_free(&c);
}
END_TEST

/* The cell owns its outcomes: the text is copied, and after free the cell
 * is empty and may be used again. */
START_TEST(add_copies_and_free_empties) {
  jostle__cell c;
  cell_init(&c);
  char text[32];
  for (int i = 0; i < 100; i++) {
    snprintf(text, sizeof text, "v=%d", i);
    ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, text, 1, (uint64_t)i, 0), 0);
  }
  snprintf(text, sizeof text, "overwritten");
  ck_assert_uint_eq(c.n_outcomes, 100);
  ck_assert_str_eq(c.outcomes[0].text, "v=0");
  ck_assert_str_eq(c.outcomes[99].text, "v=99");
  jostle__cell_free(&c);
  ck_assert_uint_eq(c.n_outcomes, 0);
  ck_assert_ptr_null(c.outcomes);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__HANG, "(hang)", 1, 3, 0x3), 0);
  ck_assert_uint_eq(c.n_outcomes, 1);
  ck_assert_str_eq(c.outcomes[0].text, "(hang)");
  jostle__cell_free(&c);
}
END_TEST

/* A text longer than an outcome holds is cut, and terminated. */
START_TEST(add_cuts_long_text) {
  jostle__cell c;
  cell_init(&c);
  char text[2 * JOSTLE__TEXT_MAX];
  memset(text, 'y', sizeof text - 1);
  text[sizeof text - 1] = '\0';
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, text, 1, 0, 0), 0);
  ck_assert_uint_eq(strlen(c.outcomes[0].text), JOSTLE__TEXT_MAX - 1);
  ck_assert_int_eq(strncmp(c.outcomes[0].text, text, JOSTLE__TEXT_MAX - 1), 0);
  jostle__cell_free(&c);
}
END_TEST

/* Merging compares the text given, not what was kept of it: the same long
 * text twice is one outcome. */
START_TEST(add_merges_equal_long_text) {
  jostle__cell c;
  cell_init(&c);
  char text[2 * JOSTLE__TEXT_MAX];
  memset(text, 'y', sizeof text - 1);
  text[sizeof text - 1] = '\0';
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, text, 1, 0, 0), 0);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, text, 1, 1, 0), 0);
  ck_assert_msg(c.n_outcomes == 1,
                "a %zu-character text added twice became %zu outcomes (kept cut to %d "
                "characters, then compared whole)",
                strlen(text), c.n_outcomes, JOSTLE__TEXT_MAX - 1);
  ck_assert_uint_eq(c.outcomes[0].count, 2);
  jostle__cell_free(&c);
}
END_TEST

START_TEST(class_names) {
  ck_assert_str_eq(jostle__class_name(JOSTLE__ALLOWED), "allowed");
  ck_assert_str_eq(jostle__class_name(JOSTLE__DIVERGENT), "DIVERGENT");
  ck_assert_str_eq(jostle__class_name(JOSTLE__CRASH), "crash");
  ck_assert_str_eq(jostle__class_name(JOSTLE__HANG), "hang");
}
END_TEST

/* --- cell_sort --------------------------------------------------------- */

START_TEST(sort_by_count_then_first_run) {
  jostle__cell c;
  cell_init(&c);
  static const struct { const char *text; uint64_t count, run; } adds[] = {
      {"a", 3, 1}, {"b", 10, 9}, {"c", 1, 0}, {"d", 10, 2}, {"e", 500, 77}, {"f", 3, 0}};
  const size_t n = sizeof adds / sizeof adds[0];
  for (size_t i = 0; i < n; i++)
    ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__ALLOWED, adds[i].text, adds[i].count,
                                      adds[i].run, adds[i].run + 100), 0);
  jostle__cell_sort(&c);
  ck_assert_uint_eq(c.n_outcomes, n);
  static const char *const want[] = {"e", "d", "b", "f", "a", "c"};
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(strcmp(c.outcomes[i].text, want[i]) == 0, "position %zu: '%s', want '%s'",
                  i, c.outcomes[i].text, want[i]);
    /* Each outcome moved whole, its seed with it. */
    ck_assert_uint_eq(c.outcomes[i].first_seed, c.outcomes[i].first_run + 100);
  }
  jostle__cell_free(&c);
}
END_TEST

START_TEST(sort_empty_and_single) {
  jostle__cell c;
  cell_init(&c);
  jostle__cell_sort(&c);
  ck_assert_uint_eq(c.n_outcomes, 0);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__DIVERGENT, "only", 4, 1, 2), 0);
  jostle__cell_sort(&c);
  ck_assert_uint_eq(c.n_outcomes, 1);
  ck_assert_str_eq(c.outcomes[0].text, "only");
  ck_assert_uint_eq(c.outcomes[0].count, 4);
  jostle__cell_free(&c);
}
END_TEST

/* --- Wilson interval --------------------------------------------------- */

static void wilson_near(uint64_t k, uint64_t n, double want_lo, double want_hi) {
  double lo = -1, hi = -1;
  jostle__wilson95(k, n, &lo, &hi);
  ck_assert_msg(fabs(lo - want_lo) < 1e-4 && fabs(hi - want_hi) < 1e-4,
                "wilson95(%llu, %llu) = [%.6f, %.6f], want about [%.4f, %.4f]",
                (unsigned long long)k, (unsigned long long)n, lo, hi, want_lo, want_hi);
}

START_TEST(wilson_known_values) {
  double lo = -1, hi = -1;
  jostle__wilson95(0, 0, &lo, &hi);  /* nothing measured: anything goes */
  ck_assert(lo == 0.0 && hi == 1.0);
  wilson_near(50, 100, 0.4038, 0.5962);
  wilson_near(0, 10, 0.0, 0.2775);
  wilson_near(1, 10, 0.0179, 0.4042);
  wilson_near(10, 10, 0.7225, 1.0);
  wilson_near(3, 1000, 0.0010, 0.0088);
  wilson_near(999, 1000, 0.9944, 0.9998);
}
END_TEST

/* For every k of n: 0 <= lo <= k/n <= hi <= 1, symmetric under k -> n-k,
 * and k = 0 or k = n touch the bound. */
START_TEST(wilson_bounds_and_symmetry) {
  for (uint64_t n = 1; n <= 300; n++) {
    for (uint64_t k = 0; k <= n; k++) {
      double lo, hi, lo2, hi2, p = (double)k / (double)n;
      jostle__wilson95(k, n, &lo, &hi);
      ck_assert_msg(lo >= 0.0 && hi <= 1.0 && lo <= p + 1e-12 && p <= hi + 1e-12 && lo < hi,
                    "wilson95(%llu, %llu) = [%g, %g]", (unsigned long long)k,
                    (unsigned long long)n, lo, hi);
      jostle__wilson95(n - k, n, &lo2, &hi2);
      ck_assert_msg(fabs(lo - (1.0 - hi2)) < 1e-9 && fabs(hi - (1.0 - lo2)) < 1e-9,
                    "wilson95 not symmetric at k=%llu n=%llu", (unsigned long long)k,
                    (unsigned long long)n);
      if (k == 0) ck_assert_msg(lo < 1e-12, "k=0 n=%llu: lo %g", (unsigned long long)n, lo);
      if (k == n) ck_assert_msg(hi > 1.0 - 1e-12, "k=n=%llu: hi %g", (unsigned long long)n, hi);
    }
  }
  /* More trials, narrower interval. */
  double lo_a, hi_a, lo_b, hi_b;
  jostle__wilson95(10, 100, &lo_a, &hi_a);
  jostle__wilson95(1000, 10000, &lo_b, &hi_b);
  ck_assert(hi_b - lo_b < hi_a - lo_a);
  /* Large counts stay finite and ordered. */
  jostle__wilson95(1, UINT64_MAX / 2, &lo_a, &hi_a);
  ck_assert(isfinite(lo_a) && isfinite(hi_a) && lo_a >= 0.0 && lo_a < hi_a && hi_a < 1e-15);
}
END_TEST

/* --- reproduce --------------------------------------------------------- */

/* Checks that buf starts with the cell's command and names `seed` as
 * "--run-seed 0x" and exactly 16 hex digits. */
static void check_reproduce(const jostle__cell *c, const char *buf, uint64_t seed) {
  ck_assert_msg(strncmp(buf, c->command, strlen(c->command)) == 0,
                "'%s' does not start with the cell's command", buf);
  const char *opt = strstr(buf, "--run-seed 0x");
  ck_assert_msg(opt != NULL, "'%s' has no --run-seed 0x", buf);
  const char *hex = opt + strlen("--run-seed 0x");
  for (int i = 0; i < 16; i++)
    ck_assert_msg(isxdigit((unsigned char)hex[i]), "'%s': seed is not 16 hex digits", buf);
  ck_assert_msg(hex[16] == '\0' || hex[16] == ' ', "'%s': seed is not 16 hex digits", buf);
  char digits[17];
  memcpy(digits, hex, 16);
  digits[16] = '\0';
  ck_assert_uint_eq(strtoull(digits, NULL, 16), seed);
}

/* Outcome o's reproduce command, as a string and as printed: the same. */
static char *reproduce(const jostle__cell *c, const jostle__outcome *o) {
  char *cmd = jostle__reproduce(c, o), *printed = NULL;
  ck_assert_ptr_nonnull(cmd);
  size_t len;
  FILE *f = open_memstream(&printed, &len);
  ck_assert_ptr_nonnull(f);
  jostle__reproduce_print(f, c, o);
  ck_assert_int_eq(fclose(f), 0);
  ck_assert_str_eq(printed, cmd);
  free(printed);
  return cmd;
}

START_TEST(reproduce_names_the_first_seed) {
  jostle__cell c;
  cell_init(&c);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__DIVERGENT, "counter=1 (lost)", 1, 40, 0x1), 0);
  char *buf = reproduce(&c, &c.outcomes[0]);
  check_reproduce(&c, buf, 0x1);
  ck_assert_ptr_nonnull(strstr(buf, "--run-seed 0x0000000000000001"));
  free(buf);

  /* An earlier run of the same outcome brings its own seed. */
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__DIVERGENT, "counter=1 (lost)", 1, 3,
                                    0xfedcba9876543210ULL), 0);
  buf = reproduce(&c, &c.outcomes[0]);
  check_reproduce(&c, buf, 0xfedcba9876543210ULL);

  /* The outcome's seed, not the campaign's. */
  ck_assert_ptr_null(strstr(buf, "1111111111111111"));
  free(buf);
  jostle__cell_free(&c);
}
END_TEST

/* A reproduce command is the harness's parts around the seed: the result
 * model knows no command-line syntax of its own. */
START_TEST(reproduce_joins_the_parts_around_the_seed) {
  static const struct { int controlled, syntax; const char *want; } cases[] = {
      {0, 0, "prog again --with 0x00000000000000ab --and more"},
      {0, 1, "prog again --run-seed 0x00000000000000ab -n 100000 --until-divergence"},
      {1, 1, "prog again --seed 0x00000000000000ab"},
  };
  jostle__cell c;
  cell_init(&c);
  ck_assert_int_eq(jostle__cell_set_command(&c, "prog again"), 0);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__CRASH, "(crash)", 1, 0, 0xab), 0);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    /* the harness's parts: a controlled run is replayed, any other rerun */
    c.controlled = cases[i].controlled;
    snprintf(c.seed_prefix, sizeof c.seed_prefix, " --with ");
    snprintf(c.seed_suffix, sizeof c.seed_suffix, " --and more");
    if (cases[i].syntax) jostle__cli_reproduce_syntax(&c);
    char *buf = reproduce(&c, &c.outcomes[0]);
    ck_assert_str_eq(buf, cases[i].want);
    free(buf);
  }
  jostle__cell_free(&c);
}
END_TEST

/* However long the cell's command (a program's long path, many
 * parameters), its reproduce commands hold it whole. */
START_TEST(reproduce_is_whole_however_long) {
  jostle__cell c;
  cell_init(&c);
  char *command = malloc(20001);
  ck_assert_ptr_nonnull(command);
  memset(command, 'p', 20000);
  command[20000] = '\0';
  ck_assert_int_eq(jostle__cell_set_command(&c, command), 0);
  ck_assert_int_eq(jostle__cell_add(&c, JOSTLE__CRASH, "(crash)", 1, 0, UINT64_MAX), 0);
  char *buf = reproduce(&c, &c.outcomes[0]);
  check_reproduce(&c, buf, UINT64_MAX);
  ck_assert_str_eq(buf + 20000, " --run-seed 0xffffffffffffffff -n 100000 --until-divergence");
  free(buf);
  free(command);
  jostle__cell_free(&c);
}
END_TEST

static Suite *result_suite(void) {
  Suite *s = suite_create("result");
  TCase *tc = jostle_check_case(s, "cell", 5, 0);
  tcase_add_test(tc, add_merges_equal_outcomes);
  tcase_add_test(tc, add_keeps_smallest_first_run_and_its_seed);
  tcase_add_test(tc, add_separates_classes_with_the_same_text);
  tcase_add_test(tc, add_copies_and_free_empties);
  tcase_add_test(tc, add_cuts_long_text);
  tcase_add_test(tc, add_merges_equal_long_text);
  tcase_add_test(tc, class_names);
  tc = jostle_check_case(s, "sort", 5, 0);
  tcase_add_test(tc, sort_by_count_then_first_run);
  tcase_add_test(tc, sort_empty_and_single);
  tc = jostle_check_case(s, "wilson", 5, 0);
  tcase_add_test(tc, wilson_known_values);
  tcase_add_test(tc, wilson_bounds_and_symmetry);
  tc = jostle_check_case(s, "reproduce", 5, 0);
  tcase_add_test(tc, reproduce_names_the_first_seed);
  tcase_add_test(tc, reproduce_joins_the_parts_around_the_seed);
  tcase_add_test(tc, reproduce_is_whole_however_long);
  return s;
}

int main(void) { return jostle_check_run(result_suite()); }
