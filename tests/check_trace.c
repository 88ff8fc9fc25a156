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

/* The trace of `replay` (its whole output), which exits with `status`, in
 * a buffer of its own. */
static const char *traced_exiting(const char *replay, int status) {
  static char out[sizeof ((cli_result *)0)->out];
  cli_result *r = run(replay);
  ck_assert_msg(r->status == status, "%s: exit %d: %s%s", replay, r->status, r->out, r->err);
  snprintf(out, sizeof out, "%s", r->out);
  return out;
}

static const char *traced(const char *replay) { return traced_exiting(replay, 1); }

/* The start of a trace, for a failure's message (Check's are short). */
static const char *head(const char *trace) {
  static char buf[3000];
  snprintf(buf, sizeof buf, "%s", trace);
  return buf;
}

/* The same command traced in another process prints the same bytes. */
static void expect_same_elsewhere(const char *replay, const char *trace) {
  cli_result *again = run(replay);
  size_t at = 0;
  while (trace[at] != '\0' && trace[at] == again->out[at]) at++;
  ck_assert_msg(trace[at] == again->out[at], "two traces of %s differ at byte %zu:\n%.300s\n"
                "---\n%.300s", replay, at, trace + at, again->out + at);
}

#ifndef JOSTLE_UNINSTRUMENTED
static const char *traced_allowed(const char *replay) { return traced_exiting(replay, 0); }

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
                n_writes, head(trace));
  ck_assert_msg(reads[0].v[0] != reads[1].v[0], "one thread read twice:\n%s", head(trace));
  ck_assert_msg(reads[0].v[1] == reads[1].v[1], "the loads read different values:\n%s",
                head(trace));
  ck_assert_msg(reads[1].line < writes[0].line, "a store took effect before both loads:\n%s",
                trace);
  for (int i = 0; i < 2; i++)
    ck_assert_msg(writes[i].v[2] == reads[0].v[1] + 1, "a store not of the value read + 1:\n%s",
                  trace);
  ck_assert_msg(writes[1].v[1] == writes[0].v[2], "the second store's old value is not the "
                "first one's:\n%s", head(trace));
  ck_assert(matches(trace, "^outcome: counter=1 \\(lost increments\\)$"));
  expect_same_elsewhere(replay, trace);
}
END_TEST

/* treiber-stack's ABA: a thread's compare-and-swap of the top succeeds,
 * comparing the top it last saw, though another thread's swap moved the
 * top away from that value after it was seen (it then came back). Each
 * line gives the operation and its memory order. */
START_TEST(aba_is_readable) {
  const char *replay = found("treiber-stack");
  const char *trace = traced(replay);
  found_line seen[MAX_FOUND], failed[MAX_FOUND], swapped[MAX_FOUND];
  /* what each thread last saw of the top: a load, or a failed swap */
  int n_seen = grep(trace, "^ +[0-9]+  T([0-9]+) +atomic_load +(acquire|relaxed)  +s->top +"
                           "(-?[0-9]+) ", seen);
  int n_failed = grep(trace, "^ +[0-9]+  T([0-9]+) +atomic_compare_exchange_weak +(acquire|relaxed)"
                             "  +s->top +(-?[0-9]+) \\(expected -?[0-9]+: failed\\) ", failed);
  int n_swapped = grep(trace, "^ +[0-9]+  T([0-9]+) +atomic_compare_exchange_weak "
                              "+(acq_rel|release)  +s->top +(-?[0-9]+) -> -?[0-9]+ "
                              "\\(expected (-?[0-9]+): succeeded\\) ", swapped);
  ck_assert_msg(n_seen > 0 && n_swapped > 0, "%d loads, %d swaps of s->top:\n%s", n_seen,
                n_swapped, head(trace));
  int n_aba = 0;
  for (int i = 0; i < n_swapped; i++) {
    const found_line *cas = &swapped[i];
    ck_assert_msg(cas->v[2] == cas->v[3], "a swap succeeded on another value than expected:\n%s",
                  head(trace));
    /* the line of this thread's last view of the top before its swap */
    int from = -1;
    for (int k = 0; k < n_seen; k++)
      if (seen[k].v[0] == cas->v[0] && seen[k].line < cas->line && seen[k].line > from &&
          seen[k].v[2] == cas->v[3])
        from = seen[k].line;
    for (int k = 0; k < n_failed; k++)
      if (failed[k].v[0] == cas->v[0] && failed[k].line < cas->line && failed[k].line > from &&
          failed[k].v[2] == cas->v[3])
        from = failed[k].line;
    for (int k = 0; k < n_swapped; k++)
      n_aba += swapped[k].v[0] != cas->v[0] && swapped[k].line > from &&
               swapped[k].line < cas->line && swapped[k].v[2] == cas->v[3];
  }
  ck_assert_msg(n_aba > 0, "no swap succeeded after another thread moved the top:\n%s",
                head(trace));
  ck_assert(matches(trace, "^outcome: duplicated=1 "));
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
                n_timeouts, head(trace));
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
  ck_assert_msg(n_torn > 0, "no copy mixes two versions:\n%s", head(trace));
  ck_assert(matches(trace, "^outcome: torn=1 "));
  expect_same_elsewhere(replay, trace);
}
END_TEST


/* Each value reads as C writes it, typed from the program's DWARF:
 * characters, booleans, signed and unsigned integers, floating point,
 * pointers (into the state: named), text. */
START_TEST(values_read_as_c_writes_them) {
  const char *trace =
      traced_allowed("replay test-trace-values --scheduler random --seed 1 --trace");
  static const char *const lines[] = {
      "write +s->letter +'\\\\0' -> 'j' ", "write +s->flag +false -> true ",
      "write +s->small +0 -> -3 ", "write +s->big +0 -> 4000000000 ",
      "write +s->negative +0 -> -70000 ", "write +s->ratio +0 -> 0\\.25 ",
      "write +s->self +NULL -> s ", "write +s->nowhere +NULL -> NULL ",
      "write +s->text\\.chars\\[0\\] +\"\" -> \"hello, trace\" ",
      "read +s->text\\.chars\\[0\\] +\"hello, trace\" ", "read +s->letter +'j' ",
      "read +s->flag +true ", "read +s->small +-3 ", "read +s->big +4000000000 ",
      "read +s->negative +-70000 ", "read +s->ratio +0\\.25 ", "read +s->self +s ",
      "read +s->nowhere +NULL "};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    char pattern[256];
    snprintf(pattern, sizeof pattern, "^ +[0-9]+  T0 +%s +tests/scenarios_traced\\.c:", lines[i]);
    ck_assert_msg(matches(trace, pattern), "no line /%s/ in:\n%s", pattern, head(trace));
  }
}
END_TEST

/* A store through a NULL pointer crashes the run: the store is the last
 * line of the trace, unreadable, after the accesses before it. */
START_TEST(crashing_access_ends_the_trace) {
  cli_result *r = run("replay test-trace-crash --scheduler random --seed 1 --trace");
  ck_assert_msg(r->status == 1, "exit %d: %s%s", r->status, r->out, r->err);
  ck_assert_msg(matches(r->out, "^ +1  T0 +write +s->before +0 -> 1 "), "%s", r->out);
  ck_assert_msg(matches(r->out, "^ +3  T0 +write +NULL +\\(unreadable\\) +tests/scenarios_traced"
                                "\\.c:[0-9]+ \\(store_through\\)\noutcome: crash \\(SIGSEGV\\)$"),
                "%s", r->out);
}
END_TEST
#endif

/* Every line that names a synchronisation object names it the same way:
 * its number, then the name of its first line (a lock's first line too,
 * made before the model knew the object). */
static void expect_objects_named_alike(const char *trace) {
  regex_t re;
  regmatch_t m[4];
  char names[16][96] = {{0}};
  int n_named = 0;
  ck_assert_int_eq(regcomp(&re, "^ +[0-9]+  T[0-9]+ .*(mutex|cond)#([0-9]+) ([^ ]+)",
                           REG_EXTENDED | REG_NEWLINE), 0);
  for (const char *p = trace; regexec(&re, p, 4, m, 0) == 0; p += m[0].rm_eo) {
    int id = atoi(p + m[2].rm_so);
    char name[96];
    snprintf(name, sizeof name, "%.*s", (int)(m[3].rm_eo - m[3].rm_so), p + m[3].rm_so);
    ck_assert_int_lt(id, 16);
    if (names[id][0] == '\0') snprintf(names[id], sizeof names[id], "%s", name);
    ck_assert_msg(strcmp(names[id], name) == 0, "object #%d is %s and %s:\n%s", id, names[id],
                  name, head(trace));
    n_named++;
  }
  regfree(&re);
  ck_assert_msg(n_named >= 2, "%d lines name an object:\n%s", n_named, head(trace));
}

START_TEST(objects_are_named_alike) {
  const char *replay = found("lock-order");
  const char *trace = traced(replay);
  expect_objects_named_alike(trace);
  /* the first lock of each mutex already has its number */
  ck_assert_msg(matches(trace, "^ +1  T[01] +pthread_mutex_lock +mutex#0 "
                               "s->accounts\\[[01]\\]\\.lock "),
                "%s", head(trace));
  ck_assert(matches(trace, "^ +[0-9]+  T[01] +blocks on mutex#[01] s->accounts\\[[01]\\]\\.lock "
                           "\\(held by T[01]\\)$"));
  expect_same_elsewhere(replay, trace);
  expect_objects_named_alike(traced(found("lost-wakeup")));
}
END_TEST

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
  tcase_add_test(tc, objects_are_named_alike);
#ifndef JOSTLE_UNINSTRUMENTED
  tcase_add_test(tc, lost_increment_is_readable);
  tcase_add_test(tc, aba_is_readable);
  tcase_add_test(tc, torn_read_is_readable);
  tcase_add_test(tc, values_read_as_c_writes_them);
  tcase_add_test(tc, crashing_access_ends_the_trace);
#endif
  return s;
}

int main(void) { return jostle_check_run(trace_suite()); }
