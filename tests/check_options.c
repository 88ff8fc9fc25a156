/*
 * check_options.c: the option defaults and the value parsers of
 * cli/options.h. Every parser takes the whole text or nothing, and
 * leaves its output alone when it refuses.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wordexp.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "tests/check_main.h"

#define SENTINEL_U64 0x5e5e5e5e5e5e5e5eULL

/* --- counts ------------------------------------------------------------ */

static void count_is(const char *text, uint64_t want) {
  uint64_t v = SENTINEL_U64;
  ck_assert_msg(jostle__parse_count(text, &v) == 0, "count '%s' refused", text);
  ck_assert_msg(v == want, "count '%s' = %llu, want %llu", text,
                (unsigned long long)v, (unsigned long long)want);
}

static void count_refused(const char *text) {
  uint64_t v = SENTINEL_U64;
  ck_assert_msg(jostle__parse_count(text, &v) == -1, "count '%s' accepted", text);
  ck_assert_msg(v == SENTINEL_U64, "count '%s' refused but wrote its output", text);
}

START_TEST(count_accepts_plain_and_suffixed) {
  count_is("100000", 100000);
  count_is("1", 1);
  count_is("10k", 10000);
  count_is("10K", 10000);
  count_is("1M", 1000000);
  count_is("2G", 2000000000ULL);
  count_is("18446744073709551615", UINT64_MAX);
  count_is("18446744073G", 18446744073000000000ULL);
}
END_TEST

START_TEST(count_refuses_malformed) {
  count_refused("");
  count_refused("0");
  count_refused("0k");
  count_refused("-5");
  count_refused("+5");
  count_refused("1.5");
  count_refused("10x");
  count_refused("10kk");
  count_refused("k");
  count_refused(" 5");
  count_refused("5 ");
  count_refused("99999999999999999999");  /* past 2^64 - 1 */
  count_refused("18446744073709551616");  /* 2^64 exactly */
  count_refused("18446744074G");          /* overflows only once scaled */
}
END_TEST

/* --- durations --------------------------------------------------------- */

#define NS_S 1000000000ULL

static void duration_is(const char *text, uint64_t want) {
  uint64_t v = SENTINEL_U64;
  ck_assert_msg(jostle__parse_duration(text, &v) == 0, "duration '%s' refused", text);
  ck_assert_msg(v == want, "duration '%s' = %llu ns, want %llu", text,
                (unsigned long long)v, (unsigned long long)want);
}

static void duration_refused(const char *text) {
  uint64_t v = SENTINEL_U64;
  ck_assert_msg(jostle__parse_duration(text, &v) == -1, "duration '%s' accepted", text);
  ck_assert_msg(v == SENTINEL_U64, "duration '%s' refused but wrote its output", text);
}

START_TEST(duration_accepts_units_and_sums) {
  duration_is("30s", 30 * NS_S);
  duration_is("5m", 300 * NS_S);
  duration_is("8h", 8 * 3600 * NS_S);
  duration_is("250ms", 250000000ULL);
  duration_is("1h30m", 5400 * NS_S);
  duration_is("2d", 2 * 86400 * NS_S);
  duration_is("1m30s", 90 * NS_S);
  duration_is("1s500ms", 1500000000ULL);
  duration_is("0s1ms", 1000000ULL);  /* a zero part is fine, a zero total is not */
  duration_is("213503d", 213503ULL * 86400 * NS_S); /* the largest whole days */
}
END_TEST

START_TEST(duration_refuses_malformed) {
  duration_refused("");
  duration_refused("10");     /* a unit is required */
  duration_refused("s");
  duration_refused("5x");
  duration_refused("0s");
  duration_refused("0ms0s");
  duration_refused("-1s");
  duration_refused("1.5s");
  duration_refused("1h30");
  duration_refused("1h 30m");
  duration_refused(" 5s");
  duration_refused("5s ");
  duration_refused("99999999999999999999s"); /* the digits overflow */
  duration_refused("213504d");               /* the product overflows */
  duration_refused("213503d213503d");        /* the sum overflows */
}
END_TEST

/* --- seeds ------------------------------------------------------------- */

static void seed_is(const char *text, uint64_t want) {
  uint64_t v = SENTINEL_U64;
  ck_assert_msg(jostle__parse_seed(text, &v) == 0, "seed '%s' refused", text);
  ck_assert_msg(v == want, "seed '%s' = %llu, want %llu", text,
                (unsigned long long)v, (unsigned long long)want);
}

static void seed_refused(const char *text) {
  uint64_t v = SENTINEL_U64;
  ck_assert_msg(jostle__parse_seed(text, &v) == -1, "seed '%s' accepted", text);
  ck_assert_msg(v == SENTINEL_U64, "seed '%s' refused but wrote its output", text);
}

START_TEST(seed_accepts_decimal_and_hex) {
  seed_is("0", 0);
  seed_is("12345", 12345);
  seed_is("18446744073709551615", UINT64_MAX);
  seed_is("0x0", 0);
  seed_is("0x1f", 31);
  seed_is("0xDEADbeef", 0xdeadbeefULL);
  seed_is("0x00000000000000ff", 255);   /* as reports print seeds */
  seed_is("0xffffffffffffffff", UINT64_MAX);
}
END_TEST

START_TEST(seed_refuses_malformed) {
  seed_refused("");
  seed_refused("-1");
  seed_refused("+1");
  seed_refused("0xz");
  seed_refused("0x");
  seed_refused("12a");
  seed_refused(" 12");
  seed_refused("12 ");
  seed_refused("18446744073709551616");
  seed_refused("0x10000000000000000");
}
END_TEST

/* The header promises "decimal or 0x hex": a decimal seed with a leading
 * zero is still decimal, not octal. */
START_TEST(seed_leading_zero_is_decimal) {
  seed_is("010", 10);
  seed_is("08", 8);
  seed_is("0123456789", 123456789);
}
END_TEST

/* --- integers ---------------------------------------------------------- */

static void int_is(const char *text, long long lo, long long hi, long long want) {
  long long v = -424242;
  ck_assert_msg(jostle__parse_int(text, lo, hi, &v) == 0, "int '%s' in [%lld, %lld] refused",
                text, lo, hi);
  ck_assert_msg(v == want, "int '%s' = %lld, want %lld", text, v, want);
}

static void int_refused(const char *text, long long lo, long long hi) {
  long long v = -424242;
  ck_assert_msg(jostle__parse_int(text, lo, hi, &v) == -1, "int '%s' in [%lld, %lld] accepted",
                text, lo, hi);
  ck_assert_msg(v == -424242, "int '%s' refused but wrote its output", text);
}

START_TEST(int_within_bounds) {
  int_is("0", 0, 10, 0);
  int_is("10", 0, 10, 10);      /* bounds are inclusive */
  int_is("1", 1, 64, 1);
  int_is("64", 1, 64, 64);
  int_is("-3", -5, 5, -3);
  int_is("-5", -5, 5, -5);
  int_is("9223372036854775807", LLONG_MIN, LLONG_MAX, LLONG_MAX);
  int_is("-9223372036854775808", LLONG_MIN, LLONG_MAX, LLONG_MIN);
}
END_TEST

START_TEST(int_refuses_out_of_bounds_and_malformed) {
  int_refused("11", 0, 10);
  int_refused("-1", 0, 10);
  int_refused("0", 1, 64);
  int_refused("65", 1, 64);
  int_refused("", 0, 10);
  int_refused("+5", 0, 10);
  int_refused(" 5", 0, 10);
  int_refused("5 ", 0, 10);
  int_refused("5x", 0, 10);
  int_refused("1.5", 0, 10);
  int_refused("0x5", 0, 10);
  int_refused("9223372036854775808", LLONG_MIN, LLONG_MAX);
  int_refused("-9223372036854775809", LLONG_MIN, LLONG_MAX);
}
END_TEST

/* --- probabilities ----------------------------------------------------- */

static void prob_is(const char *text, double want) {
  double v = -7.0;
  ck_assert_msg(jostle__parse_prob(text, &v) == 0, "probability '%s' refused", text);
  ck_assert_msg(v == want, "probability '%s' = %g, want %g", text, v, want);
}

static void prob_refused(const char *text) {
  double v = -7.0;
  ck_assert_msg(jostle__parse_prob(text, &v) == -1, "probability '%s' accepted", text);
  ck_assert_msg(v == -7.0, "probability '%s' refused but wrote its output", text);
}

START_TEST(prob_accepts_zero_to_one) {
  prob_is("0", 0.0);
  prob_is("1", 1.0);
  prob_is("0.25", 0.25);
  prob_is("0.5", 0.5);
  prob_is("1.0", 1.0);
}
END_TEST

START_TEST(prob_refuses_outside_and_malformed) {
  prob_refused("1.5");
  prob_refused("1.0000001");
  prob_refused("-0.1");
  prob_refused("nan");
  prob_refused("NaN");
  prob_refused("inf");
  prob_refused("x");
  prob_refused("");
  prob_refused(" 0.5");
  prob_refused("0.5 ");
  prob_refused("0.5x");
  prob_refused("0,5");
}
END_TEST

/* --- scheduler mixes --------------------------------------------------- */

static void mix_is(const char *text, unsigned y, unsigned s, unsigned z) {
  unsigned w[3] = {99, 99, 99};
  ck_assert_msg(jostle__parse_mix(text, w) == 0, "mix '%s' refused", text);
  ck_assert_msg(w[0] == y && w[1] == s && w[2] == z, "mix '%s' = %u:%u:%u, want %u:%u:%u",
                text, w[0], w[1], w[2], y, s, z);
}

static void mix_refused(const char *text) {
  unsigned w[3] = {99, 99, 99};
  ck_assert_msg(jostle__parse_mix(text, w) == -1, "mix '%s' accepted", text);
  ck_assert_msg(w[0] == 99 && w[1] == 99 && w[2] == 99,
                "mix '%s' refused but wrote its output", text);
}

START_TEST(mix_accepts_three_weights) {
  mix_is("1:2:1", 1, 2, 1);
  mix_is("0:0:1", 0, 0, 1);
  mix_is("5:0:0", 5, 0, 0);
  mix_is("10:20:30", 10, 20, 30);
}
END_TEST

START_TEST(mix_refuses_malformed) {
  mix_refused("0:0:0");
  mix_refused("1:2");
  mix_refused("1:2:3:4");
  mix_refused("1:2:3:");
  mix_refused("a:b:c");
  mix_refused("");
  mix_refused("1::1");
  mix_refused(":1:1");
  mix_refused("-1:2:1");
  mix_refused(" 1:2:1");
  mix_refused("1:2:1 ");
  mix_refused("1,2,1");
  mix_refused("99999999999999999999:1:1");
}
END_TEST

/* --- -D definitions ---------------------------------------------------- */

START_TEST(define_splits_key_and_value) {
  char a[] = "threads=8";
  jostle__define d = {NULL, 0};
  ck_assert_int_eq(jostle__parse_define(a, &d), 0);
  ck_assert_str_eq(d.key, "threads");
  ck_assert_int_eq(d.value, 8);
  ck_assert_ptr_eq(d.key, a);  /* the key points into the text */

  char b[] = "k=-3";
  ck_assert_int_eq(jostle__parse_define(b, &d), 0);
  ck_assert_str_eq(d.key, "k");
  ck_assert_int_eq(d.value, -3);

  char c[] = "max_len-2=0";
  ck_assert_int_eq(jostle__parse_define(c, &d), 0);
  ck_assert_str_eq(d.key, "max_len-2");
  ck_assert_int_eq(d.value, 0);
}
END_TEST

/* A parameter may declare the whole 64-bit range: -D takes every value of
 * it. */
START_TEST(define_takes_the_whole_64_bit_range) {
  char a[] = "k=9223372036854775807", b[] = "k=-9223372036854775808";
  jostle__define d = {NULL, 0};
  ck_assert_int_eq(jostle__parse_define(a, &d), 0);
  ck_assert(d.value == LLONG_MAX);
  ck_assert_int_eq(jostle__parse_define(b, &d), 0);
  ck_assert(d.value == LLONG_MIN);
}
END_TEST

static void define_refused(const char *text) {
  char buf[64];
  snprintf(buf, sizeof buf, "%s", text);
  jostle__define d = {"untouched", 77};
  ck_assert_msg(jostle__parse_define(buf, &d) == -1, "define '%s' accepted", text);
  ck_assert_msg(strcmp(buf, text) == 0, "define '%s' refused but its text became '%s'",
                text, buf);
  ck_assert_msg(d.value == 77 && strcmp(d.key, "untouched") == 0,
                "define '%s' refused but wrote its output", text);
}

START_TEST(define_refuses_malformed) {
  define_refused("=3");
  define_refused("k=");
  define_refused("k");
  define_refused("");
  define_refused("K!=1");
  define_refused("K=1");
  define_refused("k k=1");
  define_refused("k=1.5");
  define_refused("k=x");
  define_refused("k= 1");
  define_refused("k=+1");
  define_refused("k=1=2");
  define_refused("k=99999999999999999999");
  define_refused("k=9223372036854775808");
  define_refused("k=-9223372036854775809");
}
END_TEST

/* --- whole-text rule --------------------------------------------------- */

/* --- --shard I/N -------------------------------------------------------- */

START_TEST(shard_takes_index_of_count) {
  uint64_t i = 9, n = 9;
  ck_assert_int_eq(jostle__parse_shard("0/1", &i, &n), 0);
  ck_assert_uint_eq(i, 0);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(jostle__parse_shard("7/8", &i, &n), 0);
  ck_assert_uint_eq(i, 7);
  ck_assert_uint_eq(n, 8);
  static const char *const refused[] = {"1/1", "8/8", "0/0", "1", "/3", "1/", "-1/3", "1/3x",
                                        "a/b", "1 /3", "1/ 3", "", "1//3", "99999999999999999999/3"};
  for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
    i = n = 77;
    ck_assert_msg(jostle__parse_shard(refused[k], &i, &n) == -1, "shard '%s' accepted",
                  refused[k]);
    ck_assert_msg(i == 77 && n == 77, "shard '%s' refused but wrote its output", refused[k]);
  }
}
END_TEST

/* "Every parser accepts the whole text or nothing": leading white space of
 * any kind is refused, not only a space (strtoull/strtoll/strtod skip tabs
 * and newlines too). */
/* Appends "parser(\xNN) " to the list of parsers that took white space. */
static void note_accepted(char *list, size_t size, const char *parser, char space) {
  size_t len = strlen(list);
  snprintf(list + len, size - len, "%s(\\x%02x) ", parser, (unsigned char)space);
}

START_TEST(parsers_refuse_leading_whitespace) {
  static const char spaces[] = " \t\n\v\f\r";
  char accepted[512] = "";
  for (const char *sp = spaces; *sp; sp++) {
    char num[8], prob[8], def[8];
    snprintf(num, sizeof num, "%c5", *sp);
    snprintf(prob, sizeof prob, "%c0.5", *sp);
    snprintf(def, sizeof def, "k=%c5", *sp);
    uint64_t u;
    long long ll;
    double d;
    jostle__define dd;
    if (jostle__parse_count(num, &u) != -1) note_accepted(accepted, sizeof accepted, "count", *sp);
    if (jostle__parse_duration(num, &u) != -1)
      note_accepted(accepted, sizeof accepted, "duration", *sp);
    if (jostle__parse_seed(num, &u) != -1) note_accepted(accepted, sizeof accepted, "seed", *sp);
    if (jostle__parse_int(num, 0, 10, &ll) != -1) note_accepted(accepted, sizeof accepted, "int", *sp);
    if (jostle__parse_prob(prob, &d) != -1) note_accepted(accepted, sizeof accepted, "prob", *sp);
    if (jostle__parse_define(def, &dd) != -1) note_accepted(accepted, sizeof accepted, "define", *sp);
  }
  ck_assert_msg(accepted[0] == '\0', "parsers took text with leading white space: %s", accepted);
}
END_TEST

/* --- defaults ---------------------------------------------------------- */

START_TEST(defaults_are_sane) {
  jostle__opts o;
  memset(&o, 0xa5, sizeof o);  /* every field must be set, not inherited */
  jostle__opts_default(&o);
  ck_assert_uint_eq(o.n_runs, 0);
  ck_assert_uint_eq(o.duration_ns, 0);
  ck_assert_int_eq(o.until_divergence, 0);
  ck_assert_int_eq(o.fixed_seed, 0);
  ck_assert_ptr_eq(o.sched, jostle__sched_find("free"));
  ck_assert_ptr_eq(jostle__sched_find("free"), o.sched);
  ck_assert_int_eq(o.pin, JOSTLE__PIN_NONE);
  ck_assert_int_eq(o.pin_given, 0);  /* planning picks: default_pin_spreads_... */
  ck_assert_int_eq(o.n_jobs, 0);
  ck_assert_uint_eq(o.timeout_ns, JOSTLE__DEFAULT_TIMEOUT_NS);
  ck_assert_uint_eq(o.timeout_ns, 10ULL * NS_S);
  ck_assert_int_eq(o.progress, -1);
  ck_assert_int_eq(o.all, 0);
  ck_assert_int_eq(o.n_defines, 0);
  ck_assert_uint_eq(o.shard_index, 0);
  ck_assert_uint_eq(o.shard_count, 1);
  for (int i = 0; i < JOSTLE__MAX_FORMATS; i++) ck_assert_ptr_null(o.report_path[i]);
  ck_assert_ptr_null(o.out_dir);
  ck_assert_ptr_null(o.resume_dir);
  ck_assert_int_eq(o.n_sched_set, 0);
  ck_assert_int_eq(o.n_pin_set, 0);

  /* Every scheduler's options are its own defaults, and valid. */
  for (int i = 0; jostle__schedulers[i]; i++) {
    const jostle__sched_ops *sched = jostle__schedulers[i];
    jostle__sched_cfg def, given;
    jostle__sched_cfg_default(&def, sched);
    jostle__cli_sched_cfg(&o, sched, &given);
    ck_assert_msg(memcmp(def.opts, given.opts, sizeof def.opts) == 0, "%s's defaults",
                  sched->name);
    ck_assert_uint_eq(given.step_limit, def.step_limit);
    ck_assert_int_eq(given.spurious_wakeups, 0);
    if (!sched->follows_schedule && sched->validate)
      ck_assert_ptr_null(sched->validate(&given));
  }
}
END_TEST

/* Without --seed every campaign gets a fresh seed (64 random bits: two
 * equal ones mean the seed is not drawn at all). */
START_TEST(default_seed_is_fresh) {
  jostle__opts a, b;
  jostle__opts_default(&a);
  jostle__opts_default(&b);
  ck_assert_msg(a.seed != b.seed, "two campaigns got the same default seed 0x%016llx",
                (unsigned long long)a.seed);
}
END_TEST

/* Without --pin, an uncontrolled scheduler's threads are spread one per
 * core when every thread of the campaign has a core of its own (a race
 * shows far more often than where the system puts them on a busy machine:
 * docs/BENCHMARKS.md), and left where the system puts them otherwise; a
 * controlled scheduler runs one thread at a time, and is left alone. A
 * --pin given is kept. Each case on a made-up machine (HWLOC_SYNTHETIC,
 * read when planning first loads the topology: one case per test). */
static const struct {
  const char *machine, *args;
  int controlled;
  jostle__pin want;
} pin_cases[] = {
    {"package:1 core:4 pu:1", "stress counter", 0, JOSTLE__PIN_SPREAD},   /* 2 jobs x 2 */
    {"package:1 core:2 pu:2", "stress counter", 0, JOSTLE__PIN_NONE},     /* 2 x 2 > 2 cores */
    {"package:1 core:2 pu:2", "stress counter -j 1", 0, JOSTLE__PIN_SPREAD},
    {"package:1 core:1 pu:1", "stress counter", 0, JOSTLE__PIN_NONE},     /* 1 x 2 > 1 */
    {"package:1 core:4 pu:1", "stress counter -D threads=3", 0, JOSTLE__PIN_SPREAD},
    {"package:1 core:4 pu:1", "stress counter --scheduler noise -j 2", 0, JOSTLE__PIN_SPREAD},
    {"package:1 core:4 pu:1", "stress counter", 1, JOSTLE__PIN_NONE},
    {"package:1 core:4 pu:1", "stress counter --pin none", 0, JOSTLE__PIN_NONE},
    {"package:1 core:4 pu:1", "stress counter --pin same", 0, JOSTLE__PIN_SAME},
    {"package:1 core:1 pu:1", "stress counter --pin spread", 0, JOSTLE__PIN_SPREAD},
};

START_TEST(default_pin_spreads_when_threads_have_cores) {
  ck_assert_int_eq(setenv("HWLOC_SYNTHETIC", pin_cases[_i].machine, 1), 0);
  unsetenv("HWLOC_XMLFILE");
  wordexp_t words;
  ck_assert_int_eq(wordexp(pin_cases[_i].args, &words, WRDE_NOCMD), 0);
  jostle__opts o;
  jostle__opts_default(&o);
  ck_assert_int_eq(jostle__cli_parse("stress", (int)words.we_wordc, words.we_wordv, &o), 0);
  /* this program has no synchronisation wrappers: a controlled scheduler
   * is planned, not parsed */
  if (pin_cases[_i].controlled) o.sched = jostle__sched_first(1);
  jostle__plan p;
  int known[JOSTLE__MAX_DEFINES] = {0};
  ck_assert_int_eq(jostle__cli_plan(jostle__scenario_find("counter"), &o, &p, known), 0);
  ck_assert_msg(p.pin == pin_cases[_i].want, "'%s' on %s%s: --pin %s, want %s",
                pin_cases[_i].args, pin_cases[_i].machine,
                pin_cases[_i].controlled ? ", controlled" : "", jostle__pin_name(p.pin),
                jostle__pin_name(pin_cases[_i].want));
  wordfree(&words);
}
END_TEST

static Suite *options_suite(void) {
  Suite *s = suite_create("options");
  TCase *tc = jostle_check_case(s, "count", 5, 0);
  tcase_add_test(tc, count_accepts_plain_and_suffixed);
  tcase_add_test(tc, count_refuses_malformed);
  tc = jostle_check_case(s, "duration", 5, 0);
  tcase_add_test(tc, duration_accepts_units_and_sums);
  tcase_add_test(tc, duration_refuses_malformed);
  tc = jostle_check_case(s, "seed", 5, 0);
  tcase_add_test(tc, seed_accepts_decimal_and_hex);
  tcase_add_test(tc, seed_refuses_malformed);
  tcase_add_test(tc, seed_leading_zero_is_decimal);
  tc = jostle_check_case(s, "int", 5, 0);
  tcase_add_test(tc, int_within_bounds);
  tcase_add_test(tc, int_refuses_out_of_bounds_and_malformed);
  tc = jostle_check_case(s, "prob", 5, 0);
  tcase_add_test(tc, prob_accepts_zero_to_one);
  tcase_add_test(tc, prob_refuses_outside_and_malformed);
  tc = jostle_check_case(s, "mix", 5, 0);
  tcase_add_test(tc, mix_accepts_three_weights);
  tcase_add_test(tc, mix_refuses_malformed);
  tc = jostle_check_case(s, "define", 5, 0);
  tcase_add_test(tc, define_splits_key_and_value);
  tcase_add_test(tc, define_takes_the_whole_64_bit_range);
  tcase_add_test(tc, define_refuses_malformed);
  tc = jostle_check_case(s, "shard", 5, 0);
  tcase_add_test(tc, shard_takes_index_of_count);
  tc = jostle_check_case(s, "whole-text", 5, 0);
  tcase_add_test(tc, parsers_refuse_leading_whitespace);
  tc = jostle_check_case(s, "defaults", 5, 0);
  tcase_add_test(tc, defaults_are_sane);
  tcase_add_test(tc, default_seed_is_fresh);
  tcase_add_loop_test(tc, default_pin_spreads_when_threads_have_cores, 0,
                      (int)(sizeof pin_cases / sizeof pin_cases[0]));
  return s;
}

int main(void) { return jostle_check_run(options_suite()); }
