/*
 * check_trace.c: `jostle replay --trace` lets a person see the bug. Each
 * built-in racy scenario's find, replayed with --trace, shows the values
 * its accesses read and wrote, in the order the accesses took effect, so
 * that the bug can be read off the lines: two loads of one value and two
 * stores of value + 1 (a lost increment), a copy that mixes two versions
 * (a torn read), a compare-exchange that succeeds on a value that changed
 * and came back (ABA). Traces are the same in every process, whatever its
 * address layout.
 *
 * Seeds come from a controlled campaign, a pure function of its seed, so
 * which run is found never depends on the machine. The binary under test
 * is $JOSTLE_BIN (jostle with the test scenarios).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_main.h"
#include "tests/cli_run.h"

/* The replay command of the first divergent run of a random campaign over
 * `scenario_args` (a scenario and its -D), for run(). */
static const char *found(const char *scenario_args) {
  static char replay[1024];
  char args[512];
  snprintf(args, sizeof args, "stress %s --scheduler random -n 2000 --seed 1 -j 1",
           scenario_args);
  cli_result *r = run(args);
  ck_assert_msg(r->status == 1, "%s: exit %d: %s%s", args, r->status, r->out, r->err);
  regex_t re;
  regmatch_t m[2];
  ck_assert_int_eq(regcomp(&re, "^reproduce: [^ ]+ (replay .*)$", REG_EXTENDED | REG_NEWLINE), 0);
  ck_assert_int_eq(regexec(&re, r->out, 2, m, 0), 0);
  regfree(&re);
  snprintf(replay, sizeof replay, "%.*s --trace", (int)(m[1].rm_eo - m[1].rm_so),
           r->out + m[1].rm_so);
  return replay;
}

/* The trace of `replay` (its whole output), in a buffer of its own. */
static const char *traced(const char *replay) {
  static char out[sizeof ((cli_result *)0)->out];
  cli_result *r = run(replay);
  ck_assert_msg(r->status == 1, "%s: exit %d: %s%s", replay, r->status, r->out, r->err);
  snprintf(out, sizeof out, "%s", r->out);
  return out;
}

/* The trace lines that match `pattern`, in order: each line's number and
 * up to 4 captured integers (decimal). */
enum { MAX_FOUND = 64, MAX_GROUPS = 4 };
typedef struct found_line {
  int line;
  long long v[MAX_GROUPS];
} found_line;

static int grep(const char *text, const char *pattern, found_line *out) {
  regex_t re;
  regmatch_t m[MAX_GROUPS + 1];
  ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED), 0);
  int n = 0, line = 0;
  for (const char *p = text; *p; line++) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s", (int)len, p);
    if (regexec(&re, buf, MAX_GROUPS + 1, m, 0) == 0) {
      ck_assert_int_lt(n, MAX_FOUND);
      out[n].line = line;
      for (int g = 0; g < MAX_GROUPS; g++)
        out[n].v[g] = m[g + 1].rm_so < 0 ? 0 : strtoll(buf + m[g + 1].rm_so, NULL, 10);
      n++;
    }
    p += len + (end != NULL);
  }
  regfree(&re);
  return n;
}

/* The same command traced in another process prints the same bytes. */
static void expect_same_elsewhere(const char *replay, const char *trace) {
  cli_result *again = run(replay);
  ck_assert_msg(strcmp(again->out, trace) == 0, "two traces of %s differ:\n%s\n---\n%s",
                replay, trace, again->out);
}

#ifndef JOSTLE_UNINSTRUMENTED
/* counter's lost increment: both threads load the same value before
 * either stores, and both store that value + 1. */
START_TEST(lost_increment_is_readable) {
  const char *replay = found("counter");
  const char *trace = traced(replay);
  found_line reads[MAX_FOUND], writes[MAX_FOUND];
  int n_reads = grep(trace, "^ +[0-9]+  T([01]) +read +s->counter +(-?[0-9]+) +scenarios/", reads);
  int n_writes = grep(trace, "^ +[0-9]+  T([01]) +write +s->counter +(-?[0-9]+) -> (-?[0-9]+) "
                             "+scenarios/", writes);
  ck_assert_msg(n_reads == 2 && n_writes == 2, "%d reads, %d writes of s->counter:\n%s", n_reads,
                n_writes, trace);
  ck_assert_msg(reads[0].v[0] != reads[1].v[0], "one thread read twice:\n%s", trace);
  ck_assert_msg(reads[0].v[1] == reads[1].v[1], "the loads read different values:\n%s", trace);
  ck_assert_msg(reads[1].line < writes[0].line, "a store took effect before both loads:\n%s",
                trace);
  for (int i = 0; i < 2; i++)
    ck_assert_msg(writes[i].v[2] == reads[0].v[1] + 1, "a store not of the value read + 1:\n%s",
                  trace);
  ck_assert_msg(writes[1].v[1] == writes[0].v[2], "the second store's old value is not the "
                "first one's:\n%s", trace);
  ck_assert(matches(trace, "^outcome: counter=1 \\(lost increments\\)$"));
  expect_same_elsewhere(replay, trace);
}
END_TEST

/* Whether field read f is by the thread that copied `url`, after that copy
 * and before its next one (at line `end`). */
static int in_copy(const found_line *f, const found_line *url, int end) {
  return f->v[0] == url->v[0] && f->line > url->line && f->line < end;
}

/* config-inplace's torn read: a reader copies the url of one version and
 * then reads a max_conns or timeout_ms of another. */
START_TEST(torn_read_is_readable) {
  const char *replay = found("config-inplace");
  const char *trace = traced(replay);
  found_line urls[MAX_FOUND], conns[MAX_FOUND], timeouts[MAX_FOUND];
  int n_urls = grep(trace, "^ +[0-9]+  T([0-9]+) +read +c->url\\[0\\] +\"postgres://db-([0-9]+)\\.",
                    urls);
  int n_conns = grep(trace, "^ +[0-9]+  T([0-9]+) +read +c->max_conns +([0-9]+) ", conns);
  int n_timeouts = grep(trace, "^ +[0-9]+  T([0-9]+) +read +c->timeout_ms +([0-9]+) ", timeouts);
  ck_assert_msg(n_urls > 0 && n_conns > 0 && n_timeouts > 0,
                "%d url copies, %d max_conns and %d timeout_ms reads:\n%s", n_urls, n_conns,
                n_timeouts, trace);
  /* a field read by the copier of urls[i] before its next copy, of a value
   * that is not urls[i]'s version's (config.c derives every field from it) */
  int n_torn = 0;
  for (int i = 0; i < n_urls; i++) {
    long long version = urls[i].v[1];
    int end = 1 << 30;
    for (int j = i + 1; j < n_urls && end == 1 << 30; j++)
      if (urls[j].v[0] == urls[i].v[0]) end = urls[j].line;
    for (int k = 0; k < n_conns; k++)
      n_torn += in_copy(&conns[k], &urls[i], end) && conns[k].v[1] != 10 + version % 90;
    for (int k = 0; k < n_timeouts; k++)
      n_torn += in_copy(&timeouts[k], &urls[i], end) &&
                timeouts[k].v[1] != 100 * (1 + version % 50);
  }
  ck_assert_msg(n_torn > 0, "no copy mixes two versions:\n%s", trace);
  ck_assert(matches(trace, "^outcome: torn=1 "));
  expect_same_elsewhere(replay, trace);
}
END_TEST
#endif

/* The trace says how to read it: when a line is printed, what its value
 * column holds. */
START_TEST(header_explains_the_lines) {
  cli_result *r = run("replay counter --scheduler random --seed 1 --trace");
  ck_assert_msg(matches(r->out, "^trace: .*when its access takes effect"), "%s", r->out);
  ck_assert_msg(matches(r->out, "^ +step +thr +operation +order +address +value +source$"), "%s",
                r->out);
}
END_TEST

static Suite *trace_suite(void) {
  Suite *s = suite_create("trace");
  TCase *tc = jostle_check_case(s, "finds", 60, 0);
  tcase_add_test(tc, header_explains_the_lines);
#ifndef JOSTLE_UNINSTRUMENTED
  tcase_add_test(tc, lost_increment_is_readable);
  tcase_add_test(tc, torn_read_is_readable);
#endif
  return s;
}

int main(void) { return jostle_check_run(trace_suite()); }
