/*
 * check_reports.c: the report file formats of reports/formats.h.
 *
 * JSON: what is written reads back equal, field by field, and the text
 * report of the cells read back is byte for byte that of the originals; the
 * reader refuses every malformed input with one line naming the field, and
 * survives truncated and corrupted files without a crash or a leak (this
 * program runs under AddressSanitizer too). JUnit: xmllint finds the file
 * well formed and valid against tests/junit.xsd, and its XPath counts the
 * testcases and failures the cells call for, with awkward texts intact.
 * HTML: headless Chromium renders the page, and the rendered DOM carries
 * the cells' numbers in the chart elements; a screenshot of it is kept as
 * build*\/tests/report.png for people to look at.
 *
 * Merging cells (shards, a soak's batches) adds them up as if they had run
 * in turn.
 *
 * The tests need xmllint and chromium (`sh scripts/deps.sh test`), and fail
 * when they are missing rather than pass without checking anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "harness/environment.h"
#include "reports/formats.h"
#include "reports/progress.h"
#include "reports/report.h"
#include "tests/check_main.h"
#include "tests/reports_agree.h"
#include "tests/same_outcomes.h"

/* --- fixtures ----------------------------------------------------------- */

static char dir[64];  /* this test's own temporary folder */

static void make_dir(void) {
  snprintf(dir, sizeof dir, "/tmp/jostle-reports-XXXXXX");
  ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* dir/name, in a static buffer per call site's slot (0..3). */
static const char *in_dir(int slot, const char *name) {
  static char paths[4][256];
  snprintf(paths[slot], sizeof paths[slot], "%s/%s", dir, name);
  return paths[slot];
}

#define N_CELLS 4
#define AWKWARD "<script>alert(\"x\")</script> & 'q' \xc3\xa9 \xe2\x9c\x93 a<b>c"

static void add(jostle__cell *c, jostle__class cls, const char *text, uint64_t count,
                uint64_t first_run, uint64_t first_seed) {
  ck_assert_int_eq(jostle__cell_add(c, cls, text, count, first_run, first_seed), 0);
  c->n_runs += count;
  if (cls != JOSTLE__ALLOWED) c->n_divergent += count;
}

static void set_command(jostle__cell *c, const char *command) {
  ck_assert_int_eq(jostle__cell_set_command(c, command), 0);
}

static void samples(jostle__cell *c, size_t n) {
  c->n_samples = n;
  for (size_t i = 0; i < n; i++) {
    /* evenly spaced, the last one the cell's totals */
    c->samples[i].elapsed_ns = c->elapsed_ns * (i + 1) / n;
    c->samples[i].n_runs = c->n_runs * (i + 1) / n;
    c->samples[i].n_divergent = c->n_divergent * (i + 1) * (i + 1) / (n * n);
  }
}

/* Four cells that use every field: a racy counter that diverged, a
 * controlled cell with every class, awkward texts, the most samples and an
 * interruption, a cell without runs, and the counter again under another
 * scheduler with other parameters. */
static void make_cells(jostle__cell cells[N_CELLS]) {
  memset(cells, 0, N_CELLS * sizeof *cells);
  jostle__cell *c = &cells[0];
  snprintf(c->scenario, sizeof c->scenario, "counter");
  c->racy = 1;
  snprintf(c->scheduler, sizeof c->scheduler, "free");
  snprintf(c->placement, sizeof c->placement, "none");
  snprintf(c->params, sizeof c->params, "threads=2 increments=1");
  set_command(c, "build/jostle stress counter --scheduler free --pin none -D threads=2 "
                 "-D increments=1");
  c->campaign_seed = 0x4a8e61b6e5a1b86bULL;
  add(c, JOSTLE__ALLOWED, "counter=2", 96347, 0, 0x0d8ab5e9e26ad3a5ULL);
  add(c, JOSTLE__DIVERGENT, "counter=1 (lost increments)", 3653, 12, 0xfedcba9876543210ULL);
  c->elapsed_ns = 301234567;
  c->first_divergence_ns = 20000000;
  samples(c, 5);

  c = &cells[1];
  snprintf(c->scenario, sizeof c->scenario, "lock-order");
  snprintf(c->scheduler, sizeof c->scheduler, "pct");
  snprintf(c->placement, sizeof c->placement, "spread");
  snprintf(c->params, sizeof c->params, "threads=2 rounds=3");
  set_command(c, "build/jostle replay lock-order --scheduler pct --depth 3 --pin spread "
                 "-D threads=2 -D note='a \"b\" <c> & d'");
  c->campaign_seed = UINT64_MAX;
  c->fixed_seed = 1;
  c->controlled = 1;
  c->interrupted = 1;
  add(c, JOSTLE__ALLOWED, "done=3", 5000, 1, 1);
  add(c, JOSTLE__DEADLOCK,
      "deadlock (thread 0 waits for mutex#1 held by thread 1; thread 1 waits for mutex#0 "
      "held by thread 0)", 700, 3, 0x8000000000000000ULL);
  add(c, JOSTLE__DIVERGENT, AWKWARD, 40, 9, 0x0123456789abcdefULL);
  add(c, JOSTLE__CRASH, "(crash: SIGSEGV)\twith a tab and a\nnewline", 3, 100, 2);
  add(c, JOSTLE__HANG, "(hang: no progress for 10 s)", 2, 200, 3);
  add(c, JOSTLE__STEP_LIMIT, "step-limit \x01 control", 1, 4999, 4);
  char longest[JOSTLE__TEXT_MAX];
  memset(longest, 'w', sizeof longest - 1);
  longest[sizeof longest - 1] = '\0';
  add(c, JOSTLE__ALLOWED, longest, 1, 4000, 5);
  jostle__cell_sort(c);
  c->elapsed_ns = 9876543210ULL;
  c->first_divergence_ns = 1;
  samples(c, JOSTLE__MAX_SAMPLES);

  c = &cells[2];
  snprintf(c->scenario, sizeof c->scenario, "cache");
  snprintf(c->scheduler, sizeof c->scheduler, "noise");
  snprintf(c->placement, sizeof c->placement, "same");
  snprintf(c->params, sizeof c->params, "threads=4");
  set_command(c, "build/jostle stress cache --scheduler noise");
  c->campaign_seed = 7;
  c->interrupted = 1;

  c = &cells[3];
  snprintf(c->scenario, sizeof c->scenario, "counter");
  c->racy = 1;
  snprintf(c->scheduler, sizeof c->scheduler, "noise");
  snprintf(c->placement, sizeof c->placement, "none");
  snprintf(c->params, sizeof c->params, "threads=4 increments=100");
  set_command(c, "build/jostle stress counter --scheduler noise --pin none -D threads=4 "
                 "-D increments=100");
  c->campaign_seed = 0x1111111111111111ULL;
  add(c, JOSTLE__ALLOWED, "counter=400", 60000, 0, 10);
  c->elapsed_ns = 2000000000ULL;
  samples(c, 3);
  /* the command-line syntax of reproduce commands and tries, as the
   * harness fills it */
  for (int i = 0; i < N_CELLS; i++) {
    jostle__cli_reproduce_syntax(&cells[i]);
    jostle__cli_racy_try(&cells[i], 0);
  }
}

static void free_cells(jostle__cell *cells, size_t n) {
  for (size_t i = 0; i < n; i++) jostle__cell_free(&cells[i]);
}

static void make_meta(jostle__report_meta *m) {
  memset(m, 0, sizeof *m);
  snprintf(m->jostle_version, sizeof m->jostle_version, "0.1.0");
  snprintf(m->command_line, sizeof m->command_line,
           "build/jostle stress 'cache*' counter --json r.json -D note='<&>'");
  m->started_unix_ns = 1714566896123456789ULL;
  snprintf(m->host, sizeof m->host, "ci-runner-7");
  snprintf(m->compiler, sizeof m->compiler, "gcc 12.2.0");
  snprintf(m->commit, sizeof m->commit, "3c1d8a1f00000000000000000000000000000000");
  m->n_pus = 8;
  m->n_cores = 4;
  m->n_packages = 1;
  m->n_numa = 1;
  m->seed = 0x4a8e61b6e5a1b86bULL;
  m->budget_runs = 100000;
  m->timeout_ns = 10000000000ULL;
  m->n_jobs = 2;
}

/* --- comparisons -------------------------------------------------------- */

static void meta_equal(const jostle__report_meta *a, const jostle__report_meta *b) {
  ck_assert_str_eq(a->jostle_version, b->jostle_version);
  ck_assert_str_eq(a->command_line, b->command_line);
  ck_assert_uint_eq(a->started_unix_ns, b->started_unix_ns);
  ck_assert_str_eq(a->host, b->host);
  ck_assert_str_eq(a->compiler, b->compiler);
  ck_assert_str_eq(a->commit, b->commit);
  ck_assert_int_eq(a->n_pus, b->n_pus);
  ck_assert_int_eq(a->n_cores, b->n_cores);
  ck_assert_int_eq(a->n_packages, b->n_packages);
  ck_assert_int_eq(a->n_numa, b->n_numa);
  ck_assert_uint_eq(a->seed, b->seed);
  ck_assert_uint_eq(a->budget_runs, b->budget_runs);
  ck_assert_uint_eq(a->budget_ns, b->budget_ns);
  ck_assert_uint_eq(a->batch_ns, b->batch_ns);
  ck_assert_uint_eq(a->timeout_ns, b->timeout_ns);
  ck_assert_int_eq(a->n_jobs, b->n_jobs);
  ck_assert_int_eq(a->until_divergence, b->until_divergence);
}

static void cell_equal(const jostle__cell *a, const jostle__cell *b) {
  ck_assert_str_eq(a->scenario, b->scenario);
  ck_assert_int_eq(a->racy, b->racy);
  ck_assert_str_eq(a->scheduler, b->scheduler);
  ck_assert_str_eq(a->placement, b->placement);
  ck_assert_str_eq(a->params, b->params);
  ck_assert_str_eq(a->command, b->command);
  ck_assert_uint_eq(a->campaign_seed, b->campaign_seed);
  ck_assert_int_eq(a->fixed_seed, b->fixed_seed);
  ck_assert_int_eq(a->controlled, b->controlled);
  ck_assert_uint_eq(a->n_runs, b->n_runs);
  ck_assert_uint_eq(a->n_divergent, b->n_divergent);
  ck_assert_uint_eq(a->elapsed_ns, b->elapsed_ns);
  ck_assert_int_eq(a->interrupted, b->interrupted);
  ck_assert_int_eq(a->until_divergence, b->until_divergence);
  ck_assert_uint_eq(a->first_divergence_ns, b->first_divergence_ns);
  ck_assert_uint_eq(a->n_samples, b->n_samples);
  for (size_t i = 0; i < a->n_samples; i++) {
    ck_assert_uint_eq(a->samples[i].elapsed_ns, b->samples[i].elapsed_ns);
    ck_assert_uint_eq(a->samples[i].n_runs, b->samples[i].n_runs);
    ck_assert_uint_eq(a->samples[i].n_divergent, b->samples[i].n_divergent);
  }
  jostle_same_outcomes(a, b);
}

/* The text report of the cells, as the terminal would show it. */
static char *text_report(const jostle__cell *cells, size_t n) {
  char *buf = NULL;
  size_t size;
  FILE *f = open_memstream(&buf, &size);
  ck_assert_ptr_nonnull(f);
  for (size_t i = 0; i < n; i++) jostle__report_text.cell(&cells[i], f);
  jostle__report_text.end(cells, n, f);
  ck_assert_int_eq(fclose(f), 0);
  return buf;
}

/* An error message: one line, naming the path first. */
static void one_line_about(const char *err, const char *path) {
  ck_assert_msg(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
                "'%s' does not start with '%s:'", err, path);
  ck_assert_msg(strchr(err, '\n') == NULL, "'%s' is not one line", err);
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
  char *buf = NULL;
  size_t size = 0, used = 0, got;
  do {
    if (used + 4096 + 1 > size) {
      size = 2 * size + 4096 + 1;
      buf = realloc(buf, size);
      ck_assert_ptr_nonnull(buf);
    }
    got = fread(buf + used, 1, size - used - 1, f);
    used += got;
  } while (got > 0);
  fclose(f);
  buf[used] = '\0';
  if (len) *len = used;
  return buf;
}

static void spit(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

static size_t occurrences(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) n++;
  return n;
}

/* --- JSON: round trip --------------------------------------------------- */

static const char *write_json(int slot, const char *name) {
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "";
  make_cells(cells);
  make_meta(&m);
  const char *path = in_dir(slot, name);
  ck_assert_msg(jostle__json_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  free_cells(cells, N_CELLS);
  return path;
}

START_TEST(json_round_trip) {
  make_dir();
  jostle__cell cells[N_CELLS], *back = NULL;
  jostle__report_meta m, m_back;
  char err[512] = "";
  size_t n = 99;
  make_cells(cells);
  make_meta(&m);
  /* a crash's detail goes there and back, and into the text report */
  for (size_t i = 0; i < cells[1].n_outcomes; i++)
    if (cells[1].outcomes[i].cls == JOSTLE__CRASH)
      jostle__cell_detail(&cells[1], JOSTLE__CRASH, cells[1].outcomes[i].text,
                          cells[1].outcomes[i].first_run,
                          "SIGSEGV (address 0x10) at caf\xc3\xa9.c:12 (\"get\"), called from x");
  /* so does what it wrote, and it never reads as jostle's lines */
  static const char wrote[] = "reproduce: forged\n\x1b[31mred\n";
  for (size_t i = 0; i < cells[1].n_outcomes; i++)
    if (cells[1].outcomes[i].cls == JOSTLE__CRASH)
      jostle__cell_output(&cells[1], JOSTLE__CRASH, cells[1].outcomes[i].text,
                          cells[1].outcomes[i].first_run, wrote, sizeof wrote - 1);
  const char *path = in_dir(0, "results.json");
  ck_assert_msg(jostle__json_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(!exists(in_dir(1, "results.json.tmp")), "the temporary file was left");
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(n, N_CELLS);
  meta_equal(&m, &m_back);
  for (size_t i = 0; i < n; i++) cell_equal(&cells[i], &back[i]);
  /* the command-line syntax, which the harness fills after reading */
  for (size_t i = 0; i < n; i++) {
    jostle__cli_reproduce_syntax(&back[i]);
    jostle__cli_racy_try(&back[i], 0);
  }

  char *want = text_report(cells, N_CELLS), *got = text_report(back, n);
  ck_assert_msg(strcmp(want, got) == 0, "text report differs after the round trip:\n%.1500s\n---\n%.1500s",
                want, got);
  ck_assert_msg(strstr(got, "\n  first (crash: SIGSEGV)\twith a tab and a\nnewline: SIGSEGV (address "
                            "0x10) at caf\xc3\xa9.c:12 (\"get\"), called from x\n") != NULL,
                "%s", got);
  ck_assert_msg(strstr(got, "newline wrote:\n    | reproduce: forged\n    | \\x1b[31mred\n") != NULL,
                "%s", got);
  free(want);
  free(got);

  /* What was read writes the same file again. */
  char *first = slurp(path, NULL);
  ck_assert_msg(jostle__json_write(path, &m_back, back, n, err, sizeof err) == 0, "%s", err);
  char *second = slurp(path, NULL);
  ck_assert_str_eq(first, second);
  free(first);
  free(second);
  free_cells(back, n);
  free(back);
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* A race's runs keep what their check said: how many it judged divergent
 * and its first run's outcome go to JSON and back, into the text report,
 * and add up when cells merge; a file written before they were kept reads
 * with none. */
START_TEST(a_race_keeps_its_check) {
  static const char race[] = "race on s->counter: write at c.c:5 (f) vs read at c.c:5 (f)";
  make_dir();
  jostle__cell cells[1], *back = NULL;
  jostle__report_meta m, m_back;
  char err[512] = "", detail[JOSTLE__DETAIL_MAX];
  size_t n = 0;
  memset(cells, 0, sizeof cells);
  snprintf(cells[0].scenario, sizeof cells[0].scenario, "counter");
  snprintf(cells[0].scheduler, sizeof cells[0].scheduler, "random");
  snprintf(cells[0].placement, sizeof cells[0].placement, "none");
  set_command(&cells[0], "build/jostle replay counter --scheduler random --races");
  cells[0].controlled = 1;
  add(&cells[0], JOSTLE__RACE, race, 1000, 4, 9);
  cells[0].outcomes[0].n_check_divergent = 309;
  jostle__race_check_detail("counter=2", JOSTLE__ALLOWED, detail, sizeof detail);
  ck_assert_str_eq(detail, "the check: counter=2, allowed");
  jostle__cell_detail(&cells[0], JOSTLE__RACE, race, 4, detail);
  /* and its full report, control characters shown, never obeyed */
  snprintf(cells[0].outcomes[0].race_report, sizeof cells[0].outcomes[0].race_report,
           "WARNING: DATA RACE on s->counter\nread of 8 bytes by thread 0 at step 5:\n"
           "  c.c:5 (f)\x1b[31m\n");
  make_meta(&m);
  const char *path = in_dir(0, "results.json");
  ck_assert_msg(jostle__json_write(path, &m, cells, 1, err, sizeof err) == 0, "%s", err);
  char *json = slurp(path, NULL);
  ck_assert_msg(strstr(json, "\"check_divergent\": 309") != NULL, "%s", json);
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(n, 1);
  cell_equal(&cells[0], &back[0]);
  jostle__cli_reproduce_syntax(&back[0]);
  char *text = text_report(back, 1);
  ck_assert_msg(strstr(text, "\n  first race on s->counter: write at c.c:5 (f) vs read at c.c:5 "
                             "(f): the check: counter=2, allowed (the check judged 309 of its "
                             "1,000 runs divergent)\n") != NULL, "%s", text);
  ck_assert_msg(strstr(text, "\n==================\nWARNING: DATA RACE on s->counter\nread of 8 "
                             "bytes by thread 0 at step 5:\n  c.c:5 (f)\\x1b[31m\nreproduce: "
                             "build/jostle replay counter --scheduler random --races --seed "
                             "0x0000000000000009\n==================\n") != NULL, "%s", text);
  free(text);
  /* two shards of one campaign: the counts add up */
  ck_assert_int_eq(jostle__cell_merge(&back[0], &cells[0]), 0);
  ck_assert_uint_eq(back[0].outcomes[0].count, 2000);
  ck_assert_uint_eq(back[0].outcomes[0].n_check_divergent, 618);
  free_cells(back, n);
  free(back);
  /* as a version 2 file without them */
  char *at = strstr(json, "\"check_divergent\": 309");
  memcpy(at, "\"check_divergenX\"", strlen("\"check_divergenX\""));
  FILE *f = fopen(path, "w");
  fputs(json, f);
  fclose(f);
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(back[0].outcomes[0].n_check_divergent, 0);
  free_cells(back, n);
  free(back);
  free(json);
  free_cells(cells, 1);
  remove_dir();
}
END_TEST

/* No cells is a valid report. */
START_TEST(json_round_trip_empty) {
  make_dir();
  jostle__report_meta m, m_back;
  jostle__cell *back = (jostle__cell *)&m;  /* must be overwritten */
  char err[512] = "";
  size_t n = 5;
  make_meta(&m);
  const char *path = in_dir(0, "empty.json");
  ck_assert_msg(jostle__json_write(path, &m, NULL, 0, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(n, 0);
  meta_equal(&m, &m_back);
  free(back);
  remove_dir();
}
END_TEST

/* 64-bit seeds survive (as strings), so do counts up to 2^63-1; a count
 * above that fails the write, naming the field, and leaves no file. */
START_TEST(json_extreme_values) {
  make_dir();
  jostle__cell cells[N_CELLS], *back = NULL;
  jostle__report_meta m, m_back;
  char err[512] = "";
  size_t n;
  make_cells(cells);
  make_meta(&m);
  m.seed = UINT64_MAX;
  m.budget_ns = INT64_MAX;
  cells[0].campaign_seed = 0x8000000000000001ULL;
  cells[0].outcomes[0].count = (1ULL << 53) + 1;  /* a double would round it */
  cells[0].n_runs = INT64_MAX;
  cells[0].outcomes[1].first_seed = 0;
  const char *path = in_dir(0, "extreme.json");
  ck_assert_msg(jostle__json_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  meta_equal(&m, &m_back);
  for (size_t i = 0; i < n; i++) cell_equal(&cells[i], &back[i]);
  free_cells(back, n);
  free(back);

  char *json = slurp(path, NULL);
  ck_assert_ptr_nonnull(strstr(json, "\"campaign_seed\": \"0x8000000000000001\""));
  ck_assert_ptr_nonnull(strstr(json, "\"seed\": \"0xffffffffffffffff\""));
  free(json);

  cells[1].outcomes[2].first_run = (uint64_t)INT64_MAX + 1;
  const char *too_big = in_dir(1, "too-big.json");
  ck_assert_int_eq(jostle__json_write(too_big, &m, cells, N_CELLS, err, sizeof err), -1);
  one_line_about(err, too_big);
  ck_assert_msg(strstr(err, "cells[1].outcomes[2].first_run: 9223372036854775808 is above "
                            "2^63-1") != NULL, "%s", err);
  ck_assert(!exists(too_big));
  ck_assert(!exists(in_dir(2, "too-big.json.tmp")));
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* JSON text is UTF-8: a byte outside a valid sequence (here a stray 0xff
 * and a two-byte character cut in half) is written as '?'. */
START_TEST(json_invalid_utf8_becomes_question_marks) {
  make_dir();
  jostle__cell cells[1], *back = NULL;
  jostle__report_meta m, m_back;
  char err[512] = "";
  size_t n;
  memset(cells, 0, sizeof cells);
  make_meta(&m);
  snprintf(m.host, sizeof m.host, "h\xffst");
  snprintf(cells[0].scenario, sizeof cells[0].scenario, "s");
  add(&cells[0], JOSTLE__DIVERGENT, "a\xff" "b \xc3", 1, 0, 0);
  const char *path = in_dir(0, "utf8.json");
  ck_assert_msg(jostle__json_write(path, &m, cells, 1, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_str_eq(m_back.host, "h?st");
  ck_assert_str_eq(back[0].outcomes[0].text, "a?b ?");
  free_cells(back, n);
  free(back);
  free_cells(cells, 1);
  remove_dir();
}
END_TEST

/* The file holds what docs/JSON.md promises, derived fields included. */
START_TEST(json_fields_as_documented) {
  make_dir();
  const char *path = write_json(0, "doc.json");
  json_error_t e;
  json_t *root = json_load_file(path, 0, &e);
  ck_assert_msg(root != NULL, "%s", e.text);
  ck_assert_str_eq(json_string_value(json_object_get(root, "format")), "jostle-results");
  ck_assert_int_eq(json_integer_value(json_object_get(root, "version")), JOSTLE__JSON_VERSION);
  json_t *meta = json_object_get(root, "meta");
  ck_assert_int_eq(json_integer_value(json_object_get(meta, "started_unix_ns")),
                   1714566896123456789LL);
  ck_assert(json_is_null(json_object_get(json_object_get(meta, "config"), "budget_ns")));
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(meta, "topology"),
                                                      "cores")), 4);

  jostle__cell cells[N_CELLS];
  make_cells(cells);
  json_t *c0 = json_array_get(json_object_get(root, "cells"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(c0, "campaign_seed")),
                   "0x4a8e61b6e5a1b86b");
  ck_assert_int_eq(json_integer_value(json_object_get(c0, "runs")), 100000);
  ck_assert_int_eq(json_integer_value(json_object_get(c0, "divergent")), 3653);
  ck_assert(json_is_true(json_object_get(c0, "racy")));
  double lo, hi;
  jostle__wilson95(3653, 100000, &lo, &hi);
  ck_assert_double_eq_tol(json_real_value(json_object_get(c0, "divergence_rate")), 0.03653, 1e-12);
  ck_assert_double_eq_tol(json_real_value(json_object_get(c0, "divergence_ci95_low")), lo, 1e-9);
  ck_assert_double_eq_tol(json_real_value(json_object_get(c0, "divergence_ci95_high")), hi, 1e-9);
  ck_assert_double_eq_tol(json_real_value(json_object_get(c0, "runs_per_sec")),
                          100000 / 0.301234567, 1e-3);
  ck_assert_int_eq(json_integer_value(json_object_get(c0, "runs_to_first_divergence")), 13);
  ck_assert_int_eq(json_integer_value(json_object_get(c0, "first_divergence_ns")), 20000000);
  ck_assert_uint_eq(json_array_size(json_object_get(c0, "samples")), 5);
  json_t *o1 = json_array_get(json_object_get(c0, "outcomes"), 1);
  ck_assert_str_eq(json_string_value(json_object_get(o1, "class")), "DIVERGENT");
  ck_assert_str_eq(json_string_value(json_object_get(o1, "first_seed")), "0xfedcba9876543210");
  char *cmd = jostle__reproduce(&cells[0], &cells[0].outcomes[1]);
  ck_assert_str_eq(json_string_value(json_object_get(o1, "reproduce")), cmd);
  free(cmd);
  ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(c0, "outcomes"), 0),
                                         "reproduce")));
  /* No divergence: nulls, not zeros. */
  json_t *c3 = json_array_get(json_object_get(root, "cells"), 3);
  ck_assert(json_is_null(json_object_get(c3, "first_divergence_ns")));
  ck_assert(json_is_null(json_object_get(c3, "runs_to_first_divergence")));
  /* Controlled: the reproduce command is a replay. */
  json_t *c1o = json_object_get(json_array_get(json_object_get(root, "cells"), 1), "outcomes");
  for (size_t i = 0; i < json_array_size(c1o); i++) {
    const char *r = json_string_value(json_object_get(json_array_get(c1o, i), "reproduce"));
    if (r != NULL) ck_assert_msg(strstr(r, "jostle replay ") && strstr(r, " --seed 0x"), "%s", r);
  }
  free_cells(cells, N_CELLS);
  json_decref(root);
  remove_dir();
}
END_TEST

/* A portfolio's cell (--scheduler auto) keeps its members through a
 * results file: each outcome says which member found it (its first run's,
 * run i being member i mod K's), and its reproduce command is that
 * member's command, not the cell's; the file read back reports the same,
 * found-by column included. */
START_TEST(json_keeps_a_portfolio) {
  make_dir();
  jostle__cell c = {0};
  snprintf(c.scenario, sizeof c.scenario, "counter");
  snprintf(c.scheduler, sizeof c.scheduler, "auto");
  snprintf(c.placement, sizeof c.placement, "none");
  snprintf(c.params, sizeof c.params, "threads=2 increments=1");
  set_command(&c, "build/jostle stress counter --scheduler auto --pin none -D threads=2");
  ck_assert_int_eq(jostle__cell_add_member(&c, "random", "build/jostle replay counter "
                                           "--scheduler random --pin none -D threads=2"), 0);
  ck_assert_int_eq(jostle__cell_add_member(&c, "pct", "build/jostle replay counter "
                                           "--scheduler pct --depth 3 --pin none -D threads=2"), 0);
  ck_assert_int_eq(jostle__cell_add_member(&c, "pos", "build/jostle replay counter "
                                           "--scheduler pos --pin none -D threads=2"), 0);
  c.controlled = 1;
  c.campaign_seed = 5;
  add(&c, JOSTLE__ALLOWED, "counter=2", 70, 0, 0x10);
  add(&c, JOSTLE__DIVERGENT, "counter=1 (lost increments)", 20, 7, 0x17);
  add(&c, JOSTLE__DEADLOCK, "deadlock (made up)", 10, 5, 0x15);
  c.elapsed_ns = 1000;
  jostle__cli_reproduce_syntax(&c);
  jostle__cell_sort(&c);
  /* run 7 is member 7 mod 3 = 1's, run 5 member 2's */
  ck_assert_str_eq(jostle__found_by(&c, &c.outcomes[1])->scheduler, "pct");
  ck_assert_str_eq(jostle__found_by(&c, &c.outcomes[2])->scheduler, "pos");
  char *cmd = jostle__reproduce(&c, &c.outcomes[1]);
  ck_assert_str_eq(cmd, "build/jostle replay counter --scheduler pct --depth 3 --pin none "
                        "-D threads=2 --seed 0x0000000000000017");
  free(cmd);
  jostle__report_meta m;
  make_meta(&m);
  char err[512] = "";
  const char *path = in_dir(0, "auto.json");
  ck_assert_msg(jostle__json_write(path, &m, &c, 1, err, sizeof err) == 0, "%s", err);

  json_error_t e;
  json_t *root = json_load_file(path, 0, &e);
  ck_assert_msg(root != NULL, "%s", e.text);
  json_t *cell = json_array_get(json_object_get(root, "cells"), 0);
  json_t *members = json_object_get(cell, "members");
  ck_assert_uint_eq(json_array_size(members), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(members, 2), "scheduler")),
                   "pos");
  static const char *const by[] = {"random", "pct", "pos"};
  json_t *outcomes = json_object_get(cell, "outcomes");
  for (size_t i = 0; i < json_array_size(outcomes); i++)
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(outcomes, i), "found_by")),
                     by[i]);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(outcomes, 2), "reproduce")),
                   "build/jostle replay counter --scheduler pos --pin none -D threads=2 "
                   "--seed 0x0000000000000015");
  json_decref(root);

  jostle__cell *back = NULL;
  jostle__report_meta m_back;
  size_t n = 0;
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(back[0].n_members, 3);
  for (size_t k = 0; k < 3; k++) {
    ck_assert_str_eq(back[0].members[k].scheduler, c.members[k].scheduler);
    ck_assert_str_eq(back[0].members[k].command, c.members[k].command);
  }
  cell_equal(&c, &back[0]);
  jostle__cli_reproduce_syntax(&back[0]);
  jostle__cli_racy_try(&back[0], 0);
  char *want = text_report(&c, 1), *got = text_report(back, 1);
  ck_assert_str_eq(got, want);
  ck_assert_msg(strstr(got, "first seed          found by\n") != NULL &&
                    strstr(got, "0x0000000000000017  pct\n") != NULL, "%s", got);
  /* a cell of one strategy has no found-by column */
  size_t n_members = back[0].n_members;
  back[0].n_members = 0;
  char *plain = text_report(back, 1);
  back[0].n_members = n_members;
  ck_assert_msg(strstr(plain, "found by") == NULL && strstr(plain, "first seed\n") != NULL,
                "%s", plain);
  free(want), free(got), free(plain);
  jostle__cell_free(&back[0]);
  free(back);
  jostle__cell_free(&c);
  remove_dir();
}
END_TEST

/* Writing replaces a file whole; a path that cannot be written is refused
 * with a message naming it, and leaves nothing behind. */
START_TEST(json_write_errors) {
  make_dir();
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "";
  make_cells(cells);
  make_meta(&m);
  const char *path = in_dir(0, "old.json");
  spit(path, "old", 3);
  ck_assert_msg(jostle__json_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  size_t len;
  free(slurp(path, &len));
  ck_assert_uint_gt(len, 1000);

  const char *missing = in_dir(1, "no/such/dir/r.json");
  ck_assert_int_eq(jostle__json_write(missing, &m, cells, N_CELLS, err, sizeof err), -1);
  one_line_about(err, missing);
  ck_assert_msg(strstr(err, "No such file or directory") != NULL, "%s", err);

  const char *folder = in_dir(2, "a-folder");
  ck_assert_int_eq(mkdir(folder, 0700), 0);
  ck_assert_int_eq(jostle__json_write(folder, &m, cells, N_CELLS, err, sizeof err), -1);
  one_line_about(err, folder);
  ck_assert_msg(strstr(err, "directory") != NULL, "%s", err);
  ck_assert(!exists(in_dir(3, "a-folder.tmp")));
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* The folder this test program is in: build*\/tests. */
static void own_dir(char *buf, size_t size) {
  ssize_t len = readlink("/proc/self/exe", buf, size - 1);
  ck_assert_msg(len > 0 && (size_t)len < size - 1, "readlink /proc/self/exe");
  buf[len] = '\0';
  *strrchr(buf, '/') = '\0';
}

/* The example in docs/JSON.md is a file the reader takes. */
START_TEST(json_doc_example_reads) {
  make_dir();
  char doc[600];
  own_dir(doc, sizeof doc - 32);
  strcat(doc, "/../../docs/JSON.md");
  char *text = slurp(doc, NULL);
  char *start = strstr(text, "```json\n");
  ck_assert_msg(start != NULL, "%s has no json example", doc);
  start += strlen("```json\n");
  char *end = strstr(start, "\n```");
  ck_assert_ptr_nonnull(end);
  const char *path = in_dir(0, "example.json");
  spit(path, start, (size_t)(end - start));
  jostle__report_meta m;
  jostle__cell *cells = NULL;
  size_t n;
  char err[512] = "";
  ck_assert_msg(jostle__json_read(path, &m, &cells, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(m.seed, 0x4a8e61b6e5a1b86bULL);
  ck_assert_uint_eq(m.budget_ns, 0);
  ck_assert_uint_eq(cells[0].n_samples, 2);
  ck_assert_uint_eq(cells[0].n_outcomes, 2);
  ck_assert_int_eq(cells[0].outcomes[1].cls, JOSTLE__DIVERGENT);
  /* its derived fields are what the writer derives */
  jostle__cli_reproduce_syntax(&cells[0]);
  char want[1100], *cmd = jostle__reproduce(&cells[0], &cells[0].outcomes[1]);
  snprintf(want, sizeof want, "\"reproduce\": \"%s\"", cmd);
  free(cmd);
  ck_assert_msg(strstr(start, want) != NULL, "the example has no '%s'", want);
  double lo, hi;
  jostle__wilson95(cells[0].n_divergent, cells[0].n_runs, &lo, &hi);
  snprintf(want, sizeof want, "\"divergence_ci95_low\": %.10g,", lo);
  ck_assert_msg(strstr(start, want) != NULL, "the example has no '%s'", want);
  free(text);
  free_cells(cells, n);
  free(cells);
  remove_dir();
}
END_TEST

/* --- JSON: the reader refuses what is not right ------------------------- */

#define X16 "xxxxxxxxxxxxxxxx"
#define X64 X16 X16 X16 X16

/* One change to a valid file: at the object `at` ("cells/0/outcomes/1"),
 * key gets `value` (JSON text), or is removed when value is NULL. */
typedef struct mutation {
  const char *at, *key, *value;
  const char *want;  /* in the error message, after "PATH: " */
} mutation;

static const mutation mutations[] = {
    {"", "format", "\"jostle-result\"", "format: expected \"jostle-results\""},
    {"", "format", NULL, "format: expected \"jostle-results\""},
    {"", "version", "4", "version: expected 1 to 3, found 4"},
    {"", "version", "0", "version: expected 1 to 3, found 0"},
    {"", "version", "\"1\"", "version: expected an integer"},
    {"", "meta", NULL, "meta: missing (expected an object)"},
    {"", "meta", "[]", "meta: expected an object"},
    {"", "cells", NULL, "cells: missing (expected an array)"},
    {"", "cells", "{}", "cells: expected an array"},
    {"", "cells", "[5]", "cells[0]: expected an object"},
    {"", "cells", "[{}]", "cells[0].scenario: missing (expected a string)"},
    {"meta", "host", "7", "meta.host: expected a string"},
    {"meta", "host", "\"" X64 "\"", "meta.host: expected a string of at most 63 bytes, found 64"},
    {"meta", "started_unix_ns", "-1", "meta.started_unix_ns: expected a non-negative integer"},
    {"meta", "started_unix_ns", "1.5e18", "meta.started_unix_ns: expected a non-negative integer"},
    {"meta", "topology", "null", "meta.topology: expected an object"},
    {"meta/topology", "pus", "2147483648", "meta.topology.pus: expected an integer from 0 to"},
    {"meta/topology", "numa_nodes", NULL, "meta.topology.numa_nodes: missing"},
    {"meta/config", "seed", "12", "meta.config.seed: expected a seed"},
    {"meta/config", "until_divergence", "1", "meta.config.until_divergence: expected true or false"},
    {"meta/config", "budget_runs", "-5", "meta.config.budget_runs: expected a non-negative integer or null"},
    {"meta/config", "batch_ns", "\"1s\"", "meta.config.batch_ns: expected a non-negative integer or null"},
    {"meta/config", "jobs", "-1", "meta.config.jobs: expected an integer from 0 to 2147483647"},
    {"cells/0", "runs", "\"5\"", "cells[0].runs: expected a non-negative integer"},
    {"cells/0", "divergent", "100001", "cells[0].divergent: expected at most runs (100000), found 100001"},
    {"cells/0", "racy", "null", "cells[0].racy: expected true or false"},
    {"cells/0", "scenario", "\"" X64 "\"", "cells[0].scenario: expected a string of at most 63 bytes, found 64"},
    {"cells/0", "campaign_seed", "\"0x\"", "cells[0].campaign_seed: expected a seed"},
    {"cells/0", "campaign_seed", "\"0x11111111111111111\"", "cells[0].campaign_seed: expected a seed"},
    {"cells/0", "campaign_seed", "\"0xZZ\"", "cells[0].campaign_seed: expected a seed"},
    {"cells/0", "campaign_seed", "\" 0x1\"", "cells[0].campaign_seed: expected a seed"},
    {"cells/0", "campaign_seed", "\"0x-1\"", "cells[0].campaign_seed: expected a seed"},
    {"cells/0", "campaign_seed", "123", "cells[0].campaign_seed: expected a seed"},
    {"cells/0", "samples", "{}", "cells[0].samples: expected an array"},
    {"cells/0/samples/1", "runs", "-3", "cells[0].samples[1].runs: expected a non-negative integer"},
    {"cells/0", "outcomes", "[1]", "cells[0].outcomes[0]: expected an object"},
    {"cells/0/outcomes/0", "count", "-1", "cells[0].outcomes[0].count: expected a non-negative integer"},
    {"cells/0/outcomes/1", "class", "\"weird\"", "cells[0].outcomes[1].class: expected one of \"allowed\" \"DIVERGENT\" \"crash\" \"hang\" \"deadlock\" \"step-limit\""},
    {"cells/0/outcomes/1", "class", "\"divergent\"", "cells[0].outcomes[1].class: expected one of"},
    {"cells/0/outcomes/0", "text", "\"" X64 X64 X64 "\"", "cells[0].outcomes[0].text: expected a string of at most 191 bytes, found 192"},
    {"cells/0/outcomes/0", "first_seed", NULL, "cells[0].outcomes[0].first_seed: missing"},
    {"cells/0/outcomes/0", "check_divergent", "-1", "cells[0].outcomes[0].check_divergent: expected a non-negative integer"},
    {"cells/0/outcomes/0", "check_divergent", "96348", "cells[0].outcomes[0].check_divergent: expected at most count (96347), found 96348"},
    {"cells/1", "first_divergence_ns", "true", "cells[1].first_divergence_ns: expected a non-negative integer or null"},
    {"cells/1", "members", "[]", "cells[1].members: expected 1 to 8 members, found 0"},
    {"cells/1", "members", "{}", "cells[1].members: expected an array"},
    {"cells/1", "members", "[{\"scheduler\": \"pct\"}]", "cells[1].members[0].command: missing"},
    {"cells/1", "members", "[{\"command\": \"x\"}]", "cells[1].members[0].scheduler: missing"},
    {"cells/1", "members", "[7]", "cells[1].members[0]: expected an object"},
    /* a late error, after cells with outcomes were read: they are freed */
    {"cells/3/outcomes/0", "first_run", "[]", "cells[3].outcomes[0].first_run: expected a non-negative integer"},
};

static json_t *walk(json_t *root, const char *at) {
  char path[128];
  snprintf(path, sizeof path, "%s", at);
  json_t *node = root;
  for (char *save, *step = strtok_r(path, "/", &save); step; step = strtok_r(NULL, "/", &save))
    node = json_is_array(node) ? json_array_get(node, strtoul(step, NULL, 10))
                               : json_object_get(node, step);
  ck_assert_msg(node != NULL, "no %s in the test file", at);
  return node;
}

static void expect_refused(const char *path, const char *want) {
  jostle__report_meta m;
  jostle__cell *cells = (jostle__cell *)&m;
  size_t n = 77;
  char err[512] = "";
  ck_assert_int_eq(jostle__json_read(path, &m, &cells, &n, err, sizeof err), -1);
  ck_assert_ptr_null(cells);
  ck_assert_uint_eq(n, 0);
  one_line_about(err, path);
  ck_assert_msg(strstr(err, want) != NULL, "error '%s' does not say '%s'", err, want);
}

START_TEST(json_refuses_bad_fields) {
  make_dir();
  const mutation *mu = &mutations[_i];
  const char *good = write_json(0, "good.json");
  json_error_t e;
  json_t *root = json_load_file(good, 0, &e);
  ck_assert_ptr_nonnull(root);
  json_t *at = walk(root, mu->at);
  if (mu->value == NULL) {
    ck_assert_int_eq(json_object_del(at, mu->key), 0);
  } else {
    json_t *v = json_loads(mu->value, JSON_DECODE_ANY, &e);
    ck_assert_msg(v != NULL, "%s: %s", mu->value, e.text);
    ck_assert_int_eq(json_object_set_new(at, mu->key, v), 0);
  }
  const char *bad = in_dir(1, "bad.json");
  ck_assert_int_eq(json_dump_file(root, bad, JSON_INDENT(1)), 0);
  json_decref(root);
  expect_refused(bad, mu->want);
  remove_dir();
}
END_TEST

START_TEST(json_refuses_too_many_samples) {
  make_dir();
  const char *good = write_json(0, "good.json");
  json_error_t e;
  json_t *root = json_load_file(good, 0, &e);
  ck_assert_ptr_nonnull(root);
  json_t *list = json_object_get(walk(root, "cells/1"), "samples");
  ck_assert_uint_eq(json_array_size(list), JOSTLE__MAX_SAMPLES);
  ck_assert_int_eq(json_array_append(list, json_array_get(list, 0)), 0);
  const char *bad = in_dir(1, "bad.json");
  ck_assert_int_eq(json_dump_file(root, bad, 0), 0);
  json_decref(root);
  expect_refused(bad, "cells[1].samples: expected at most 256 samples, found 257");
  remove_dir();
}
END_TEST

/* Files that are not JSON results at all. */
START_TEST(json_refuses_bad_files) {
  make_dir();
  static const struct { const char *content, *want; } files[] = {
      {"", "empty file"},
      {"  \n", "not valid JSON"},
      {"hello", "not valid JSON: line 1"},
      {"[1, 2]", "expected a JSON object at the top level"},
      {"{\"format\": \"jostle-results\", \"format\": \"jostle-results\"}", "not valid JSON"},
      {"{\"format\": \"jostle-results\", \"version\": 1, \"meta\": ", "not valid JSON"},
      {"{} garbage", "not valid JSON"},
      {"{\"format\": \"jostle-results\", \"version\": 99999999999999999999}", "not valid JSON"},
      {"{\"format\": \"jostle-results\\u0000\", \"version\": 1}", "not valid JSON"},
      {"{\"format\": \"jostle-\xff\"}", "not valid JSON"},
      {"{\"format\": \"jostle-results\", \"version\": NaN}", "not valid JSON"},
      {"{}", "format: expected \"jostle-results\""},
  };
  const char *path = in_dir(0, "bad.json");
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    spit(path, files[i].content, strlen(files[i].content));
    expect_refused(path, files[i].want);
  }
  expect_refused(in_dir(1, "missing.json"), "cannot open: No such file or directory");
  expect_refused(dir, "is a directory");
  remove_dir();
}
END_TEST

/* Every cut of a valid file is refused, cleanly. */
START_TEST(json_refuses_truncated_files) {
  make_dir();
  size_t len;
  char *good = slurp(write_json(0, "good.json"), &len);
  const char *path = in_dir(1, "cut.json");
  ck_assert(len > 2 && good[len - 1] == '\n' && good[len - 2] == '}');
  /* the last cut keeps the closing brace: that file is still whole */
  size_t step = len / 400 + 1;
  for (size_t cut = 0; cut < len - 1; cut += (cut < 200 || len - cut < 200) ? 1 : step) {
    spit(path, good, cut);
    expect_refused(path, cut == 0 ? "empty file" : "not valid JSON");
  }
  free(good);
  remove_dir();
}
END_TEST

/* Corrupted files: the reader returns 0 or -1, never crashes, and leaves
 * nothing to free on -1 (AddressSanitizer's leak check runs on this test). */
START_TEST(json_survives_corruption) {
  make_dir();
  size_t len;
  char *good = slurp(write_json(0, "good.json"), &len);
  char *bad = malloc(len);
  ck_assert_ptr_nonnull(bad);
  const char *path = in_dir(1, "corrupt.json");
  static const char bytes[] = "{}[]\",:0123456789-.eE\\ntfu\xff\x80\x01 ";
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  unsigned long rounds = 600 * jostle_check_soak();
  size_t n_read = 0;
  for (unsigned long r = 0; r < rounds; r++) {
    memcpy(bad, good, len);
    for (int k = 0; k < 1 + (int)(r % 4); k++) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      size_t at = (size_t)(state >> 33) % len;
      bad[at] = bytes[(state >> 13) % (sizeof bytes - 1)];
    }
    spit(path, bad, len);
    jostle__report_meta m;
    jostle__cell *cells = NULL;
    size_t n = 0;
    char err[512] = "";
    if (jostle__json_read(path, &m, &cells, &n, err, sizeof err) == 0) {
      n_read++;
      free_cells(cells, n);
      free(cells);
    } else {
      ck_assert_ptr_null(cells);
      one_line_about(err, path);
    }
  }
  /* Most corruptions land in texts and digits, which stay valid. */
  ck_assert_uint_gt(n_read, 0);
  ck_assert_uint_lt(n_read, rounds);
  free(bad);
  free(good);
  remove_dir();
}
END_TEST

/* --- metadata ----------------------------------------------------------- */

START_TEST(meta_collects_the_environment) {
  setenv("HWLOC_SYNTHETIC", "package:2 numa:1 core:3 pu:2", 1);
  unsetenv("HWLOC_XMLFILE");
  setenv("JOSTLE_COMMIT", "", 1);
  setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567", 1);
  char *argv[] = {"build/jostle", "stress", "cache*", "-D", "note=it's", "", NULL};
  struct timespec before, after;
  clock_gettime(CLOCK_REALTIME, &before);
  jostle__report_meta m;
  memset(&m, 0x5a, sizeof m);
  jostle__environment_collect(&m, 6, argv);
  clock_gettime(CLOCK_REALTIME, &after);
  ck_assert_str_eq(m.command_line, "build/jostle stress 'cache*' -D 'note=it'\\''s' ''");
  ck_assert_int_eq(m.n_pus, 12);
  ck_assert_int_eq(m.n_cores, 6);
  ck_assert_int_eq(m.n_packages, 2);
  ck_assert_int_eq(m.n_numa, 2);
  ck_assert_uint_ge(m.started_unix_ns,
                    (uint64_t)before.tv_sec * 1000000000ULL + (uint64_t)before.tv_nsec);
  ck_assert_uint_le(m.started_unix_ns,
                    (uint64_t)after.tv_sec * 1000000000ULL + (uint64_t)after.tv_nsec);
  ck_assert_str_eq(m.commit, "0123456789abcdef0123456789abcdef01234567");
  ck_assert_msg(strncmp(m.compiler, "gcc ", 4) == 0 || strncmp(m.compiler, "clang ", 6) == 0,
                "compiler '%s'", m.compiler);
  ck_assert_msg(m.compiler[strlen(m.compiler) - 1] != ' ', "compiler '%s'", m.compiler);
  ck_assert_msg(m.host[0] != '\0', "no host name");
  ck_assert_msg(m.jostle_version[0] >= '0' && m.jostle_version[0] <= '9', "version '%s'",
                m.jostle_version);
  /* the configuration is the caller's to fill */
  ck_assert_uint_eq(m.seed, 0);
  ck_assert_uint_eq(m.budget_runs, 0);
  ck_assert_int_eq(m.n_jobs, 0);

  /* JOSTLE_COMMIT wins over GITHUB_SHA; a command line too long is cut
   * and says so. */
  setenv("JOSTLE_COMMIT", "v1.2-3-gabcdef", 1);
  char word[600];
  memset(word, 'a', sizeof word - 1);
  word[sizeof word - 1] = '\0';
  char *long_argv[] = {"jostle", word, word, NULL};
  jostle__environment_collect(&m, 3, long_argv);
  ck_assert_str_eq(m.commit, "v1.2-3-gabcdef");
  ck_assert_uint_eq(strlen(m.command_line), sizeof m.command_line - 1);
  ck_assert_str_eq(m.command_line + sizeof m.command_line - 4, "...");
}
END_TEST

/* Without JOSTLE_COMMIT or GITHUB_SHA, the commit is what `git rev-parse
 * HEAD` says in the folder jostle runs in, when git is there and says a
 * commit; anything else leaves it unknown, and never fails. A stand-in git
 * on PATH plays each part. */
START_TEST(meta_commit_from_git) {
  make_dir();
  unsetenv("JOSTLE_COMMIT");
  unsetenv("GITHUB_SHA");
  static const struct { const char *script, *want; } gits[] = {
      /* in a repository: the commit, whatever git is asked besides */
      {"[ \"$*\" = 'rev-parse HEAD' ] || exit 1; echo 3c1d8a1f4b3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c",
       "3c1d8a1f4b3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c"},
      /* SHA-256 repositories */
      {"echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
      /* not in a repository */
      {"echo 'fatal: not a git repository' >&2; exit 128", ""},
      /* a git that says something else than a commit */
      {"echo HEAD", ""},
      {"echo 3c1d8a1f; exit 0", ""},
      /* a git that dies */
      {"kill -9 $$", ""},
  };
  char bin[128], path[160], script[400];
  snprintf(bin, sizeof bin, "%s/bin", dir);
  ck_assert_int_eq(mkdir(bin, 0700), 0);
  snprintf(path, sizeof path, "%s/git", bin);
  char *argv[] = {"jostle", NULL};
  jostle__report_meta m;
  const char *saved = getenv("PATH");
  char *old_path = strdup(saved ? saved : "/usr/bin:/bin");
  ck_assert_int_eq(setenv("PATH", bin, 1), 0);
  for (size_t i = 0; i < sizeof gits / sizeof gits[0]; i++) {
    int len = snprintf(script, sizeof script, "#!/bin/sh\n%s\n", gits[i].script);
    spit(path, script, (size_t)len);
    ck_assert_int_eq(chmod(path, 0700), 0);
    memset(&m, 0x5a, sizeof m);
    jostle__environment_collect(&m, 1, argv);
    ck_assert_msg(strcmp(m.commit, gits[i].want) == 0, "git '%s': commit '%s', want '%s'",
                  gits[i].script, m.commit, gits[i].want);
  }
  /* no git at all */
  ck_assert_int_eq(remove(path), 0);
  memset(&m, 0x5a, sizeof m);
  jostle__environment_collect(&m, 1, argv);
  ck_assert_str_eq(m.commit, "");
  /* the environment wins over git */
  ck_assert_int_eq(setenv("GITHUB_SHA", "feedface", 1), 0);
  jostle__environment_collect(&m, 1, argv);
  ck_assert_str_eq(m.commit, "feedface");
  ck_assert_int_eq(setenv("PATH", old_path, 1), 0);
  free(old_path);
  remove_dir();
}
END_TEST

/* --- JUnit --------------------------------------------------------------- */

static void need(const char *tool) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  ck_assert_msg(system(cmd) == 0,
                "%s is not installed: this test needs it (sh scripts/deps.sh test)", tool);
}

static long xpath_number(const char *file, const char *expr) {
  char *out = jostle_capture("xmllint --xpath '%s' '%s' 2>&1", expr, file);
  char *end;
  long v = strtol(out, &end, 10);
  ck_assert_msg(end != out, "xpath %s gave '%s'", expr, out);
  free(out);
  return v;
}

START_TEST(junit_is_valid_and_counts) {
  need("xmllint");
  make_dir();
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "", exe_dir[512];
  make_cells(cells);
  make_meta(&m);
  const char *path = in_dir(0, "junit.xml");
  ck_assert_msg(jostle__junit_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  ck_assert(!exists(in_dir(1, "junit.xml.tmp")));
  free(jostle_capture("xmllint --noout '%s' 2>&1", path));
  own_dir(exe_dir, sizeof exe_dir);
  free(jostle_capture("xmllint --noout --schema '%s/../../tests/junit.xsd' '%s' 2>&1", exe_dir, path));

  /* free, pct, noise: three suites; four testcases; the two cells with
   * runs not allowed fail, the racy counter included; the cell without
   * runs is skipped. */
  ck_assert_int_eq(xpath_number(path, "count(/testsuites/testsuite)"), 3);
  ck_assert_int_eq(xpath_number(path, "count(//testcase)"), N_CELLS);
  ck_assert_int_eq(xpath_number(path, "count(//testcase/failure)"), 2);
  ck_assert_int_eq(xpath_number(path, "count(//testcase/skipped)"), 1);
  ck_assert_int_eq(xpath_number(path, "string(/testsuites/@tests)"), N_CELLS);
  ck_assert_int_eq(xpath_number(path, "string(/testsuites/@failures)"), 2);
  ck_assert_int_eq(xpath_number(path, "string(/testsuites/testsuite[@name=\"jostle --scheduler noise\"]/@tests)"), 2);
  ck_assert_int_eq(xpath_number(path, "count(//testcase[@name=\"counter [free, none]\" and "
                                      "@classname=\"jostle.counter\"]/failure)"), 1);
  ck_assert_int_eq(xpath_number(path, "count(//testcase[@name=\"counter [free, none]\"]/properties/"
                                      "property[@name=\"racy\" and @value=\"true\"])"), 1);
  ck_assert_int_eq(xpath_number(path, "count(//testcase[@name=\"lock-order [pct, spread]\" and @time=\"9.877\"])"), 1);

  /* The awkward text reads back as written, in the message and the body;
   * so does every reproduce command. */
  char *message = jostle_capture("xmllint --xpath 'string(//testcase[@classname=\"jostle.lock-order\"]"
                          "/failure/@message)' '%s'", path);
  ck_assert_msg(strstr(message, "746 of 5,747 runs not allowed") == message, "%.1500s", message);
  ck_assert_msg(strstr(message, "deadlock (thread 0") != NULL, "%.1500s", message);
  ck_assert_msg(strstr(message, "; and 2 more") != NULL, "%.1500s", message);
  char *body = jostle_capture("xmllint --xpath 'string(//testcase[@classname=\"jostle.lock-order\"]"
                       "/failure)' '%s'", path);
  ck_assert_msg(strstr(body, AWKWARD ": 40 of 5,747 runs (0.696%), DIVERGENT") != NULL, "%.1500s", body);
  ck_assert_msg(strstr(body, "(crash: SIGSEGV)\twith a tab and a\nnewline: 3 of") != NULL, "%.1500s", body);
  ck_assert_msg(strstr(body, "step-limit \xef\xbf\xbd control") != NULL, "%.1500s", body);
  for (size_t i = 0; i < cells[1].n_outcomes; i++) {
    char line[1100];
    if (cells[1].outcomes[i].cls == JOSTLE__ALLOWED) continue;
    char *cmd = jostle__reproduce(&cells[1], &cells[1].outcomes[i]);
    snprintf(line, sizeof line, "reproduce: %s\n", cmd);
    free(cmd);
    ck_assert_msg(strstr(body, line) != NULL, "no '%s' in %.1500s", line, body);
  }
  char *type = jostle_capture("xmllint --xpath 'string(//testcase[@classname=\"jostle.lock-order\"]"
                       "/failure/@type)' '%s'", path);
  ck_assert_str_eq(type, "DIVERGENT crash hang deadlock step-limit\n");  /* xmllint adds \n */
  char *out = jostle_capture("xmllint --xpath 'string(//testcase[@name=\"counter [free, none]\"]"
                      "/system-out)' '%s'", path);
  ck_assert_msg(strstr(out, "counter  [scheduler free, pin none, seed 0x4a8e61b6e5a1b86b") == out,
                "%.1500s", out);
  free(message);
  free(body);
  free(type);
  free(out);
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* Two cells of a suite that differ only by parameters get names that
 * differ too. */
START_TEST(junit_names_are_unique) {
  need("xmllint");
  make_dir();
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "";
  make_cells(cells);
  make_meta(&m);
  snprintf(cells[3].scheduler, sizeof cells[3].scheduler, "free");
  const char *path = in_dir(0, "junit.xml");
  ck_assert_msg(jostle__junit_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  ck_assert_int_eq(xpath_number(path, "count(//testcase[@name=\"counter [free, none, threads=2 increments=1]\"])"), 1);
  ck_assert_int_eq(xpath_number(path, "count(//testcase[@name=\"counter [free, none, threads=4 increments=100]\"])"), 1);
  ck_assert_int_eq(xpath_number(path, "count(/testsuites/testsuite[@name=\"jostle --scheduler free\"]/testcase)"), 2);
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* --- HTML --------------------------------------------------------------- */

/* Headless Chromium, its profile in the test's folder; stderr (harmless
 * warnings about D-Bus and the like) thrown away. */
static void chromium(const char *args, const char *out) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "chromium --headless --no-sandbox --disable-gpu --no-first-run "
                            "--user-data-dir='%s/profile' %s >'%s' 2>/dev/null",
           dir, args, out);
  ck_assert_msg(system(cmd) == 0, "chromium failed: %s", cmd);
}

/* Undoes the escapes an HTML serializer puts in attribute values. */
static void unescape(char *s) {
  static const struct { const char *ref, *ch; } refs[] = {
      {"&amp;", "&"}, {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"},
      {"&nbsp;", "\xc2\xa0"}};
  char *out = s;
  while (*s) {
    size_t i;
    for (i = 0; i < sizeof refs / sizeof refs[0]; i++)
      if (strncmp(s, refs[i].ref, strlen(refs[i].ref)) == 0) break;
    if (i < sizeof refs / sizeof refs[0]) {
      size_t len = strlen(refs[i].ch);
      memmove(out, refs[i].ch, len);
      out += len;
      s += strlen(refs[i].ref);
    } else {
      *out++ = *s++;
    }
  }
  *out = '\0';
}

/* The value of attribute name in the element that starts at tag. */
static char *attribute(const char *tag, const char *name) {
  char key[64];
  snprintf(key, sizeof key, " %s=\"", name);
  const char *end = strchr(tag, '>');
  const char *at = strstr(tag, key);
  ck_assert_msg(at != NULL && end != NULL && at < end, "no %s in %.200s", name, tag);
  at += strlen(key);
  const char *close = strchr(at, '"');
  char *v = strndup(at, (size_t)(close - at));
  unescape(v);
  return v;
}

static void check_attribute(const char *tag, const char *name, const char *want) {
  char *v = attribute(tag, name);
  ck_assert_msg(strcmp(v, want) == 0, "%s=\"%s\", want \"%s\"", name, v, want);
  free(v);
}

/* What the writer shows of a text: invalid characters as U+FFFD. */
static const char *shown(const char *text) {
  return strcmp(text, "step-limit \x01 control") == 0 ? "step-limit \xef\xbf\xbd control" : text;
}

START_TEST(html_renders_the_numbers) {
  need("chromium");
  make_dir();
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "", url[300];
  make_cells(cells);
  make_meta(&m);
  for (size_t i = 0; i < cells[1].n_outcomes; i++)
    if (cells[1].outcomes[i].cls == JOSTLE__CRASH) {
      jostle__outcome *o = &cells[1].outcomes[i];
      snprintf(o->detail, sizeof o->detail, "SIGSEGV at a.c:3 (get)");
      snprintf(o->output, sizeof o->output, "<b>bold</b>\nreproduce: forged\n");
    }
  const char *path = in_dir(0, "report.html");
  ck_assert_msg(jostle__html_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);

  /* Self-contained: nothing to fetch. */
  char *page = slurp(path, NULL);
  static const char *const remote[] = {"http:", "https:", "src=", "url(", "@import", "<link"};
  for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++)
    ck_assert_msg(strstr(page, remote[i]) == NULL, "the page has '%s'", remote[i]);
  free(page);

  snprintf(url, sizeof url, "file://%s", path);
  char args[512];
  snprintf(args, sizeof args, "--dump-dom '%s'", url);
  const char *dump_path = in_dir(1, "dom.html");
  chromium(args, dump_path);
  char *dom = slurp(dump_path, NULL);
  ck_assert_msg(strstr(dom, "<h1>jostle results</h1>") != NULL, "not rendered: %.300s", dom);
  /* The awkward texts stayed text: the page's one script is its own. */
  ck_assert_uint_eq(occurrences(dom, "<script"), 1);
  /* A crash's first run, folded under its row: its detail and its output. */
  ck_assert_uint_eq(occurrences(dom, "<tr class=\"first-run\">"), 1);
  ck_assert_ptr_nonnull(strstr(dom, "<summary>its first run (run 100), and what it wrote</summary>"
                                    "<p class=\"detail\">SIGSEGV at a.c:3 (get)</p>"
                                    "<pre class=\"output\">&lt;b&gt;bold&lt;/b&gt;\n"
                                    "reproduce: forged\n</pre>"));
  /* the outcome's text, its row's tooltip, its data-outcome, its reproduce
   * line and the text report */
  ck_assert_uint_eq(occurrences(dom, "alert("), 5);

  /* A cell with runs not allowed has a bar per outcome, in order, each with
   * its numbers and its whole text beside it: never cut, or outcomes that
   * differ only at their end (the reason) look alike. A cell whose runs
   * were all allowed gets one compact line naming its outcomes, with the
   * same numbers, and neither a histogram nor a flat timeline. */
  const char *at = dom;
  size_t n_bars = 0, n_compact = 0, n_charted = 0, n_samples = 0;
  for (size_t i = 0; i < N_CELLS; i++) {
    int charted = cells[i].n_divergent > 0;
    n_charted += charted;
    if (charted) n_samples += cells[i].n_samples;
    for (size_t k = 0; k < cells[i].n_outcomes; k++) {
      const jostle__outcome *o = &cells[i].outcomes[k];
      char count[32];
      const char *row = charted ? strstr(at, "<tr class=\"outcome\"") : NULL;
      at = strstr(at, charted ? "<div class=\"bar\"" : "<span class=\"outcome\"");
      ck_assert_msg(at != NULL, "cell %zu: nothing for outcome %zu", i, k);
      snprintf(count, sizeof count, "%" PRIu64, o->count);
      check_attribute(at, "data-count", count);
      check_attribute(at, "data-class", jostle__class_name(o->cls));
      check_attribute(at, "data-outcome", shown(o->text));
      if (charted) {
        const char *label = strstr(row, "<td class=\"label\">");
        ck_assert_msg(label != NULL && label < at, "cell %zu outcome %zu: no label", i, k);
        label += strlen("<td class=\"label\">");
        char *whole = strndup(label, (size_t)(strstr(label, "</td>") - label));
        unescape(whole);
        ck_assert_msg(strcmp(whole, shown(o->text)) == 0, "label '%s', want '%s'", whole,
                      shown(o->text));
        free(whole);
        n_bars++;
      } else {
        n_compact++;
      }
      at++;
    }
  }
  ck_assert_uint_eq(occurrences(dom, "<div class=\"bar\""), n_bars);
  ck_assert_uint_eq(occurrences(dom, "<span class=\"outcome\""), n_compact);
  ck_assert_uint_eq(n_compact, 1);
  ck_assert_ptr_nonnull(strstr(dom, "<p class=\"compact\">All 60,000 runs allowed: "));
  ck_assert_uint_eq(occurrences(dom, "<table class=\"histogram\""), n_charted);
  ck_assert_uint_eq(occurrences(dom, "<svg class=\"timeline\""), n_charted);
  ck_assert_ptr_nonnull(strstr(dom, " title=\"counter=1 (lost increments) (DIVERGENT): 3,653 of "
                                    "100,000 runs, 3.653%; first run 12, seed 0xfedcba9876543210\""));

  /* One point per sample of each timeline, with its numbers. */
  ck_assert_uint_eq(occurrences(dom, "<circle class=\"sample\""), n_samples);
  ck_assert_ptr_nonnull(strstr(dom, "data-elapsed-ns=\"180740740\" data-runs=\"60000\" "
                                    "data-divergent=\"1315\""));

  /* The summary: a square per scenario and placement that ran, with its
   * counts; cache ran no runs, at rate 0. */
  ck_assert_uint_eq(occurrences(dom, "<rect class=\"rate\""), N_CELLS);
  const char *sq = strstr(dom, "<rect class=\"rate\"");
  check_attribute(sq, "data-scenario", "counter");
  check_attribute(sq, "data-scheduler", "free");
  check_attribute(sq, "data-placement", "none");
  check_attribute(sq, "data-runs", "100000");
  check_attribute(sq, "data-divergent", "3653");
  check_attribute(sq, "data-rate", "0.03653");
  ck_assert_ptr_nonnull(strstr(dom, "data-runs=\"5747\" data-divergent=\"746\""));
  ck_assert_ptr_nonnull(strstr(dom, "data-runs=\"0\" data-divergent=\"0\""));

  /* A reproduce command per outcome that was not allowed, whole. */
  size_t n_repro = 0;
  for (size_t i = 0; i < N_CELLS; i++)
    for (size_t k = 0; k < cells[i].n_outcomes; k++) {
      if (cells[i].outcomes[k].cls == JOSTLE__ALLOWED) continue;
      char id[64], *cmd = jostle__reproduce(&cells[i], &cells[i].outcomes[k]);
      snprintf(id, sizeof id, "<pre id=\"repro-%zu-%zu\">", i, k);
      const char *pre = strstr(dom, id);
      ck_assert_msg(pre != NULL, "no %s", id);
      char *shown_cmd = strndup(pre + strlen(id), (size_t)(strstr(pre, "</pre>") - pre) - strlen(id));
      unescape(shown_cmd);
      ck_assert_str_eq(shown_cmd, cmd);
      free(shown_cmd);
      free(cmd);
      n_repro++;
    }
  ck_assert_uint_eq(occurrences(dom, "<button type=\"button\" class=\"copy\""), n_repro);
  free(dom);
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG of the given size; returns its length in bytes. */
static size_t png_size(const char *path, uint32_t width, uint32_t height) {
  size_t len;
  char *png = slurp(path, &len);
  const unsigned char *u = (const unsigned char *)png;
  ck_assert_msg(len > 24 && memcmp(u, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(u + 12, "IHDR", 4) == 0,
                "%s is not a PNG", path);
  ck_assert_msg(be32(u + 16) == width && be32(u + 20) == height, "%s is %ux%u, want %ux%u",
                path, be32(u + 16), be32(u + 20), width, height);
  free(png);
  return len;
}

/* The summary's row labels are whole, however long a cell's parameters,
 * and the browser draws each inside the chart (a probe script, added to a
 * copy of the page, measures them). */
START_TEST(html_summary_labels_are_whole) {
  need("chromium");
  make_dir();
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "", args[1024];
  make_cells(cells);
  make_meta(&m);
  const char *long_params = "threads=2 keys=4096 initial_buckets=1024 resize_at=75 "
                            "probe=linear seed_mix=12345678901234";
  snprintf(cells[1].params, sizeof cells[1].params, "%s", long_params);
  const char *path = in_dir(0, "report.html");
  ck_assert_msg(jostle__html_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  size_t len;
  char *page = slurp(path, &len);
  char *end = strstr(page, "</body>");
  ck_assert_ptr_nonnull(end);
  static const char probe[] =
      "<script>addEventListener('load',()=>{let cut=0,n=0;"
      "for(const t of document.querySelectorAll('svg.summary text[text-anchor=end]')){"
      "n++;if(t.getBBox().x<0)cut++}"
      "document.body.setAttribute('data-labels',n);"
      "document.body.setAttribute('data-cut',cut)})</script>";
  const char *probed = in_dir(1, "probed.html");
  FILE *f = fopen(probed, "w");
  ck_assert_ptr_nonnull(f);
  fwrite(page, 1, (size_t)(end - page), f);
  fputs(probe, f);
  fputs(end, f);
  fclose(f);
  free(page);
  const char *dump_path = in_dir(2, "dom.html");
  snprintf(args, sizeof args, "--dump-dom 'file://%s'", probed);
  chromium(args, dump_path);
  char *dom = slurp(dump_path, NULL);
  ck_assert_msg(strstr(dom, "data-cut=\"0\"") != NULL && strstr(dom, "data-labels=\"0\"") == NULL,
                "labels drawn outside the chart: %.200s", strstr(dom, "<body"));
  /* the label itself, not only its tooltip, holds the whole parameters */
  char shown[256];
  snprintf(shown, sizeof shown, "<tspan class=\"axis\">%s</tspan>", long_params);
  ck_assert_msg(strstr(dom, shown) != NULL, "the label is cut");
  free(dom);
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* A screenshot kept for people to look at, as build*\/tests/report.png;
 * checked here to be an image of the page's size that holds much more
 * than a blank page's. */
START_TEST(html_screenshot) {
  need("chromium");
  make_dir();
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "", args[1024], png[600];
  make_cells(cells);
  make_meta(&m);
  const char *path = in_dir(0, "report.html");
  ck_assert_msg(jostle__html_write(path, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  own_dir(png, sizeof png - 16);
  strcat(png, "/report.png");
  remove(png);
  snprintf(args, sizeof args, "--window-size=1280,2000 --screenshot='%s' 'file://%s'", png, path);
  chromium(args, "/dev/null");
  size_t report_len = png_size(png, 1280, 2000);

  const char *blank = in_dir(1, "blank.html"), *blank_png = in_dir(2, "blank.png");
  spit(blank, "<!DOCTYPE html><html><body></body></html>", 41);
  snprintf(args, sizeof args, "--window-size=1280,2000 --screenshot='%s' 'file://%s'",
           blank_png, blank);
  chromium(args, "/dev/null");
  size_t blank_len = png_size(blank_png, 1280, 2000);
  ck_assert_msg(report_len > 4 * blank_len, "the screenshot (%zu bytes) is barely more than a "
                "blank page's (%zu bytes)", report_len, blank_len);
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* The same checks for the other writers' file handling. */
START_TEST(junit_and_html_write_errors) {
  make_dir();
  jostle__cell cells[N_CELLS];
  jostle__report_meta m;
  char err[512] = "";
  make_cells(cells);
  make_meta(&m);
  const char *missing = in_dir(0, "nope/r.xml");
  ck_assert_int_eq(jostle__junit_write(missing, &m, cells, N_CELLS, err, sizeof err), -1);
  one_line_about(err, missing);
  ck_assert_int_eq(jostle__html_write(missing, &m, cells, N_CELLS, err, sizeof err), -1);
  one_line_about(err, missing);
  const char *folder = in_dir(1, "folder");
  ck_assert_int_eq(mkdir(folder, 0700), 0);
  ck_assert_int_eq(jostle__junit_write(folder, &m, cells, N_CELLS, err, sizeof err), -1);
  one_line_about(err, folder);
  ck_assert_int_eq(jostle__html_write(folder, &m, cells, N_CELLS, err, sizeof err), -1);
  one_line_about(err, folder);
  ck_assert(!exists(in_dir(2, "folder.tmp")));
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* --- counts in words ---------------------------------------------------- */

/* One of a thing is said in the singular, in every report: "1 run", "1 job",
 * "1 more outcome", "1 of 1 run". */
START_TEST(one_is_said_in_the_singular) {
  make_dir();
  jostle__cell c;
  jostle__report_meta m;
  char err[512] = "";
  memset(&c, 0, sizeof c);
  snprintf(c.scenario, sizeof c.scenario, "lost-wakeup");
  snprintf(c.scheduler, sizeof c.scheduler, "free");
  snprintf(c.placement, sizeof c.placement, "none");
  snprintf(c.params, sizeof c.params, "threads=2");
  add(&c, JOSTLE__HANG, "hang (no progress in 0.2 s)", 1, 0, 9);
  c.elapsed_ns = 200000000;
  samples(&c, 1);
  jostle__cli_reproduce_syntax(&c);
  make_meta(&m);
  m.n_jobs = 1;

  char *text = text_report(&c, 1);
  ck_assert_msg(strstr(text, "\n  1 run in 0.20 s, 5 runs/s;") != NULL, "%s", text);
  ck_assert_msg(strstr(text, " 1 runs") == NULL, "%s", text);
  free(text);

  const char *html = in_dir(0, "one.html"), *junit = in_dir(1, "one.xml");
  ck_assert_msg(jostle__html_write(html, &m, &c, 1, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(jostle__junit_write(junit, &m, &c, 1, err, sizeof err) == 0, "%s", err);
  char *page = slurp(html, NULL), *xml = slurp(junit, NULL);
  ck_assert_msg(strstr(page, "; 1 job</td>") != NULL, "the budget row does not say '1 job'");
  ck_assert_msg(strstr(page, ">1 run in 0.20 s") != NULL, "the rate does not say '1 run'");
  ck_assert_msg(strstr(page, " 1 runs") == NULL && strstr(page, " 1 jobs") == NULL,
                "'1 runs' or '1 jobs' in the page");
  ck_assert_msg(strstr(xml, "message=\"1 of 1 run not allowed") != NULL, "%s", xml);
  ck_assert_msg(strstr(xml, " 1 runs") == NULL, "%s", xml);
  free(page);
  free(xml);

  /* one outcome past what a histogram shows */
  for (int i = 0; i < 40; i++) {
    char outcome[32];
    snprintf(outcome, sizeof outcome, "woken=%d", i);
    add(&c, JOSTLE__ALLOWED, outcome, 2, (uint64_t)i + 1, 10);
  }
  jostle__cell_sort(&c);
  ck_assert_msg(jostle__html_write(html, &m, &c, 1, err, sizeof err) == 0, "%s", err);
  page = slurp(html, NULL);
  ck_assert_msg(strstr(page, "1 more outcome (1 not allowed) with 1 run:") != NULL,
                "the page does not say '1 more outcome'");
  free(page);
  jostle__cell_free(&c);
  remove_dir();
}
END_TEST

/* A cell stopped at its first divergent run (--until-divergence) says how
 * many runs finding it took, not a divergence rate (one divergent run of
 * however many ran until then measures nothing), in the text, the HTML
 * (no timeline of that rate either) and again when read from JSON. A cell
 * the budget ended without a find keeps its rate. */
START_TEST(until_divergence_says_found_in_n_runs) {
  make_dir();
  jostle__cell cells[2], *back = NULL;
  jostle__report_meta m, m_back;
  char err[512] = "";
  size_t n;
  memset(cells, 0, sizeof cells);
  for (int i = 0; i < 2; i++) {
    jostle__cell *c = &cells[i];
    snprintf(c->scenario, sizeof c->scenario, i == 0 ? "counter" : "counter-mutex");
    snprintf(c->scheduler, sizeof c->scheduler, "free");
    snprintf(c->placement, sizeof c->placement, "spread");
    snprintf(c->params, sizeof c->params, "threads=2 increments=1");
    set_command(c, "build/jostle stress counter --scheduler free --pin spread");
    c->until_divergence = 1;
    c->elapsed_ns = 137000000;
    jostle__cli_reproduce_syntax(c);
  }
  add(&cells[0], JOSTLE__ALLOWED, "counter=2", 2890, 0, 1);
  add(&cells[0], JOSTLE__DIVERGENT, "counter=1 (lost increments)", 1, 2890, 2);
  cells[0].first_divergence_ns = 120000000;
  add(&cells[1], JOSTLE__ALLOWED, "counter=2", 5000, 0, 1);
  for (int i = 0; i < 2; i++) samples(&cells[i], 4);
  make_meta(&m);
  m.until_divergence = 1;

  char *text = text_report(cells, 2);
  ck_assert_msg(strstr(text, "\n  found in 2,891 runs (0.14 s, 21,102 runs/s); stopped at "
                             "the first divergent run\n") != NULL, "%s", text);
  ck_assert_msg(strstr(text, "\n  5,000 runs in 0.14 s, 36,496 runs/s; divergence 0.0000% "
                             "(95% CI 0.0000-0.0768%)\n") != NULL, "%s", text);
  ck_assert_uint_eq(occurrences(text, "divergence "), 1);

  const char *html = in_dir(0, "until.html");
  ck_assert_msg(jostle__html_write(html, &m, cells, 2, err, sizeof err) == 0, "%s", err);
  char *page = slurp(html, NULL);
  const char *first = strstr(page, "<section class=\"cell\" id=\"cell-0\">");
  const char *second = strstr(page, "<section class=\"cell\" id=\"cell-1\">");
  ck_assert(first != NULL && second != NULL);
  char *cell0 = strndup(first, (size_t)(second - first));
  ck_assert_msg(strstr(cell0, ">found in 2,891 runs (0.14 s, 21,102 runs/s); stopped at the "
                              "first divergent run") != NULL, "%.1000s", cell0);
  ck_assert_msg(strstr(cell0, "class=\"timeline\"") == NULL, "a timeline of a stopped cell");
  ck_assert_msg(strstr(cell0, "<p class=\"rate\">2,891 runs in") == NULL, "%.1000s", cell0);
  free(cell0);
  /* the summary square says it too */
  ck_assert_msg(strstr(page, ">found in 2,891</text>") != NULL, "no 'found in' square");
  free(page);

  const char *path = in_dir(1, "until.json");
  ck_assert_msg(jostle__json_write(path, &m, cells, 2, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(n, 2);
  for (size_t i = 0; i < n; i++) {
    cell_equal(&cells[i], &back[i]);
    jostle__cli_reproduce_syntax(&back[i]);
  }
  char *again = text_report(back, n);
  ck_assert_str_eq(again, text);
  free(again);
  free(text);
  free_cells(back, n);
  free(back);
  free_cells(cells, 2);
  remove_dir();
}
END_TEST

/* A known-racy scenario that comes out clean is no pass: every report says
 * it was not found and what to try, never in green. What to try is what
 * this program can run: it is linked without the synchronisation wrappers,
 * so no controlled scheduler, and the try is more runs or the other
 * uncontrolled scheduler (check_cli's racy_clean_run_says_not_found has the
 * wrapped program suggest a controlled one). A racy cell that diverged and
 * a fixed one that came out clean get no such line. */
static void racy_cell(jostle__cell *c, const char *scheduler, int controlled, int racy,
                      uint64_t allowed, uint64_t divergent) {
  memset(c, 0, sizeof *c);
  snprintf(c->scenario, sizeof c->scenario, racy ? "counter" : "counter-mutex");
  c->racy = racy;
  snprintf(c->scheduler, sizeof c->scheduler, "%s", scheduler);
  snprintf(c->placement, sizeof c->placement, "none");
  snprintf(c->params, sizeof c->params, "threads=2 increments=1");
  c->controlled = controlled;
  c->elapsed_ns = 1000000000;
  add(c, JOSTLE__ALLOWED, "counter=2", allowed, 0, 1);
  if (divergent) add(c, JOSTLE__DIVERGENT, "counter=1 (lost increments)", divergent, 7, 2);
  samples(c, 3);
  jostle__cli_reproduce_syntax(c);
  jostle__cli_racy_try(c, 0);
}

START_TEST(racy_clean_cell_says_not_found) {
  make_dir();
  enum { N = 5 };
  jostle__cell cells[N], *back = NULL;
  jostle__report_meta m, m_back;
  char err[512] = "";
  size_t n;
  racy_cell(&cells[0], "free", 0, 1, 100000, 0);
  racy_cell(&cells[1], "random", 1, 1, 10000, 0);
  racy_cell(&cells[2], "pct", 1, 1, 1, 0);
  racy_cell(&cells[3], "noise", 0, 1, 9000, 1000);
  racy_cell(&cells[4], "free", 0, 0, 100000, 0);
  make_meta(&m);
  static const char *const want[N] = {
      "known racy, not found in 100,000 runs: try more runs (-n) or --scheduler noise",
      "known racy, not found in 10,000 runs: try more runs (-n)",
      "known racy, not found in 1 run: try more runs (-n)",
      NULL, NULL};

  for (int i = 0; i < N; i++) {
    char *text = jostle_cell_text(&cells[i]), line[160];
    if (want[i] != NULL) {
      snprintf(line, sizeof line, "\n  %s\n", want[i]);
      ck_assert_msg(strstr(text, line) != NULL, "cell %d lacks '%s':\n%s", i, want[i], text);
    } else {
      ck_assert_msg(strstr(text, "not found") == NULL, "cell %d:\n%s", i, text);
    }
    free(text);
  }

  const char *path = in_dir(0, "racy.json");
  ck_assert_msg(jostle__json_write(path, &m, cells, N, err, sizeof err) == 0, "%s", err);
  json_error_t e;
  json_t *root = json_load_file(path, 0, &e);
  ck_assert_msg(root != NULL, "%s", e.text);
  for (int i = 0; i < N; i++) {
    json_t *hint = json_object_get(json_array_get(json_object_get(root, "cells"), (size_t)i),
                                   "hint");
    ck_assert_msg(hint != NULL, "cell %d has no hint field", i);
    if (want[i] != NULL) ck_assert_str_eq(json_string_value(hint), want[i]);
    else ck_assert_msg(json_is_null(hint), "cell %d: hint not null", i);
  }
  json_decref(root);
  /* read back (the try is the command line's syntax, filled again), the
   * text report is the same */
  ck_assert_msg(jostle__json_read(path, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  for (size_t i = 0; i < n; i++) {
    jostle__cli_reproduce_syntax(&back[i]);
    jostle__cli_racy_try(&back[i], 0);
    char *a = jostle_cell_text(&cells[i]), *b = jostle_cell_text(&back[i]);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
  }
  free_cells(back, n);
  free(back);

  const char *html = in_dir(1, "racy.html");
  ck_assert_msg(jostle__html_write(html, &m, cells, N, err, sizeof err) == 0, "%s", err);
  char *page = slurp(html, NULL);
  for (int i = 0; i < 3; i++) {
    char line[200];
    snprintf(line, sizeof line, "<p class=\"not-found\">%s</p>", want[i]);
    ck_assert_msg(strstr(page, line) != NULL, "the page lacks '%s'", line);
  }
  ck_assert_uint_eq(occurrences(page, "<p class=\"not-found\">"), 3);
  /* the summary: the racy clean squares are not green, the fixed one is */
  const char *sq = strstr(page, "<rect class=\"rate\"");
  ck_assert_ptr_nonnull(sq);
  check_attribute(sq, "fill", "#fff3cd");
  ck_assert_msg(strstr(sq, "<title>counter under free, pin none: known racy, not found in "
                           "100,000 runs: try more runs (-n) or --scheduler noise</title>") != NULL,
                "the square's tooltip does not say it");
  ck_assert_msg(strstr(sq, ">not found</text>") != NULL, "the square's label does not say it");
  ck_assert_uint_eq(occurrences(page, "fill=\"#fff3cd\""), 3);
  ck_assert_uint_eq(occurrences(page, "fill=\"#e8f5e9\""), 1);
  free(page);
  free_cells(cells, N);
  remove_dir();
}
END_TEST

/* --- live progress ------------------------------------------------------ */

static char *progress_line(const char *label, uint64_t runs, uint64_t div, uint64_t elapsed_ns,
                           uint64_t budget_runs, uint64_t budget_ns) {
  char *buf = NULL;
  size_t size;
  FILE *f = open_memstream(&buf, &size);
  ck_assert_ptr_nonnull(f);
  jostle__progress_show(f, label, runs, div, elapsed_ns, budget_runs, budget_ns);
  ck_assert_int_eq(fclose(f), 0);
  return buf;
}

/* The progress line says the divergence rate so far beside the count, and
 * counts in the singular when there is one. */
START_TEST(progress_shows_the_rate) {
  static const struct {
    uint64_t runs, div, elapsed_ns, budget_runs, budget_ns;
    const char *want;
  } lines[] = {
      {12345, 2345, 1000000000, 100000, 0,
       "counter (3 of 24): 12.3k/100.0k runs (12%), 2345 divergent (19%), 12.3k runs/s, 1.0s"},
      {1000000, 1, 500000000, 0, 30000000000ULL,
       "counter (3 of 24): 1.00M runs, 1 divergent (0.0001%), 2.00M runs/s, 0.5s/30s"},
      {5, 0, 200000000, 0, 300000000, "counter (3 of 24): 5 runs, 0 divergent (0%), 25 runs/s, 0.2s/0.3s"},
      {0, 0, 0, 1, 0, "counter (3 of 24): 0/1 run (0%), 0 divergent, 0 runs/s, 0.0s"},
      {1, 0, 1000000000, 0, 0, "counter (3 of 24): 1 run, 0 divergent (0%), 1 runs/s, 1.0s"},
  };
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    char *got = progress_line("counter (3 of 24)", lines[i].runs, lines[i].div,
                              lines[i].elapsed_ns, lines[i].budget_runs, lines[i].budget_ns);
    char want[256];
    snprintf(want, sizeof want, "\r\033[K%s", lines[i].want);
    ck_assert_str_eq(got, want);
    free(got);
  }
}
END_TEST

/* --- merging cells ------------------------------------------------------ */

/* A cell merged with another of the same campaign is as if the second had
 * run right after the first: counts add up, each outcome keeps its smallest
 * first run, samples follow one another, the time to the first divergence
 * is the first cell's or counts from the end of it. */
START_TEST(cells_merge_as_if_run_in_turn) {
  jostle__cell a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  add(&a, JOSTLE__ALLOWED, "counter=2", 700, 3, 0x33);
  add(&a, JOSTLE__DIVERGENT, "counter=1", 300, 40, 0x40);
  a.elapsed_ns = 1000;
  samples(&a, 3);
  add(&b, JOSTLE__ALLOWED, "counter=2", 50, 1, 0x11);
  add(&b, JOSTLE__DIVERGENT, "counter=1", 10, 90, 0x90);
  add(&b, JOSTLE__CRASH, "crash (SIGSEGV)", 5, 7, 0x7);
  b.elapsed_ns = 500;
  b.first_divergence_ns = 200;
  b.interrupted = 1;
  b.n_samples = 2;
  b.samples[0] = (jostle__sample){0, 0, 0};
  b.samples[1] = (jostle__sample){500, 65, 15};
  ck_assert_int_eq(jostle__cell_merge(&a, &b), 0);
  ck_assert_uint_eq(a.n_runs, 1065);
  ck_assert_uint_eq(a.n_divergent, 315);
  ck_assert_uint_eq(a.elapsed_ns, 1500);
  ck_assert_uint_eq(a.first_divergence_ns, 1200);  /* a had none: a's time + b's */
  ck_assert_int_eq(a.interrupted, 1);
  ck_assert_uint_eq(a.n_outcomes, 3);
  ck_assert_str_eq(a.outcomes[0].text, "counter=2");  /* most frequent first */
  ck_assert_uint_eq(a.outcomes[0].count, 750);
  ck_assert_uint_eq(a.outcomes[0].first_run, 1);
  ck_assert_uint_eq(a.outcomes[0].first_seed, 0x11);
  ck_assert_uint_eq(a.outcomes[1].count, 310);
  ck_assert_uint_eq(a.outcomes[1].first_run, 40);
  ck_assert_uint_eq(a.outcomes[1].first_seed, 0x40);
  /* b's start is a's end: one sample, shifted by a's totals */
  ck_assert_uint_eq(a.n_samples, 4);
  ck_assert_uint_eq(a.samples[3].elapsed_ns, 1500);
  ck_assert_uint_eq(a.samples[3].n_runs, 1065);
  ck_assert_uint_eq(a.samples[3].n_divergent, 315);
  jostle__cell c;
  memset(&c, 0, sizeof c);
  c.first_divergence_ns = 5;
  ck_assert_int_eq(jostle__cell_merge(&c, &b), 0);
  ck_assert_uint_eq(c.first_divergence_ns, 5);  /* the earlier one stays */
  jostle__cell_free(&a);
  jostle__cell_free(&b);
  jostle__cell_free(&c);
}
END_TEST

/* A cell of the values lo .. hi - 1 ("v=V", one run each), merged into an
 * empty cell: what a campaign of those runs lists. */
static void values_cell(jostle__cell *c, int lo, int hi) {
  jostle__cell raw;
  memset(&raw, 0, sizeof raw);
  memset(c, 0, sizeof *c);
  for (int v = lo; v < hi; v++) {
    char text[32];
    snprintf(text, sizeof text, "v=%d", v);
    ck_assert_int_eq(jostle__cell_append(&raw, JOSTLE__ALLOWED, text, 1, (uint64_t)v,
                                         (uint64_t)v), 0);
    raw.n_runs++;
  }
  ck_assert_int_eq(jostle__cell_merge(c, &raw), 0);
  jostle__cell_free(&raw);
}

/* The other line of a cell, and what it says. */
static const jostle__outcome *other_line(const jostle__cell *c, uint64_t *n_distinct) {
  const jostle__outcome *found = NULL;
  for (size_t i = 0; i < c->n_outcomes; i++)
    if (jostle__outcome_is_other(&c->outcomes[i], n_distinct)) {
      ck_assert_ptr_null(found);
      found = &c->outcomes[i];
    }
  ck_assert_ptr_nonnull(found);
  jostle__outcome_is_other(found, n_distinct);
  return found;
}

/* Merged cells with more outcomes than a cell lists list the first in
 * content order, whichever cell saw them, with exact counts; the other
 * line counts the rest, and says how many when it can know. */
START_TEST(merged_cells_list_the_first_in_content_order) {
  jostle__cell a, b;
  values_cell(&a, 0, 1000);
  uint64_t n_distinct;
  ck_assert_uint_eq(a.n_outcomes, JOSTLE__MAX_LISTED + 1);
  const jostle__outcome *other = other_line(&a, &n_distinct);
  ck_assert_uint_eq(n_distinct, 1000 - JOSTLE__MAX_LISTED);
  ck_assert_uint_eq(other->count, 1000 - JOSTLE__MAX_LISTED);
  char text[JOSTLE__TEXT_MAX];
  jostle__other_text(JOSTLE__ALLOWED, 1000 - JOSTLE__MAX_LISTED, JOSTLE__MAX_LISTED, text,
                     sizeof text);
  ck_assert_str_eq(other->text, text);
  ck_assert_str_eq(text, "(other allowed outcomes: 232 distinct, past the 768 listed)");

  /* values 500 .. 1499 seen by a second cell */
  values_cell(&b, 500, 1500);
  ck_assert_int_eq(jostle__cell_merge(&a, &b), 0);
  ck_assert_uint_eq(a.n_outcomes, JOSTLE__MAX_LISTED + 1);
  ck_assert_uint_eq(a.n_runs, 2000);
  jostle__cell all;
  values_cell(&all, 0, 1500);  /* which are first among all the values */
  uint64_t listed_runs = 0;
  for (size_t i = 0; i < all.n_outcomes; i++) {
    const jostle__outcome *want = &all.outcomes[i], *got = NULL;
    if (jostle__outcome_is_other(want, &n_distinct)) continue;
    for (size_t k = 0; k < a.n_outcomes; k++)
      if (strcmp(a.outcomes[k].text, want->text) == 0) got = &a.outcomes[k];
    ck_assert_msg(got != NULL, "'%s' not listed", want->text);
    int v = atoi(want->text + 2);
    ck_assert_uint_eq(got->count, v >= 500 && v < 1000 ? 2 : 1);
    ck_assert_uint_eq(got->first_run, (uint64_t)v);
    listed_runs += got->count;
  }
  /* both had an other line: the same outcomes may be in each */
  other = other_line(&a, &n_distinct);
  ck_assert_uint_eq(n_distinct, JOSTLE__UNCOUNTED);
  ck_assert_uint_eq(other->count, 2000 - listed_runs);
  ck_assert_str_eq(other->text, "(other allowed outcomes: too many to count, past the 768 listed)");
  jostle__cell_free(&a);
  jostle__cell_free(&b);
  jostle__cell_free(&all);
}
END_TEST

/* Samples beyond the most a cell holds are thinned to every other one,
 * the first and the last kept. */
START_TEST(samples_thin_when_full) {
  jostle__cell c;
  memset(&c, 0, sizeof c);
  int thinned = 0;
  for (uint64_t i = 0; i <= JOSTLE__MAX_SAMPLES; i++)
    thinned += jostle__cell_sample(&c, (jostle__sample){i, i, 0});
  ck_assert_int_eq(thinned, 1);
  ck_assert_uint_eq(c.n_samples, JOSTLE__MAX_SAMPLES / 2 + 1);
  ck_assert_uint_eq(c.samples[0].elapsed_ns, 0);
  ck_assert_uint_eq(c.samples[1].elapsed_ns, 2);
  ck_assert_uint_eq(c.samples[c.n_samples - 1].elapsed_ns, JOSTLE__MAX_SAMPLES);
}
END_TEST

/* --- budgets ------------------------------------------------------------ */

/* The "budget" row of an HTML page, without its markup. */
static char *budget_row(const char *html) {
  char *page = slurp(html, NULL);
  const char *row = strstr(page, "<tr><td>budget</td><td>");
  ck_assert_ptr_nonnull(row);
  row += strlen("<tr><td>budget</td><td>");
  char *text = strndup(row, (size_t)(strstr(row, "</td>") - row));
  free(page);
  return text;
}

/* A soak's time budget is the whole soak's, given to its cells in batches;
 * a stress campaign's is each cell's: the reports say which. The JSON
 * results keep a soak's longest batch (null for other campaigns), and
 * results written before they did read as other campaigns'. */
START_TEST(budgets_say_what_they_cover) {
  make_dir();
  jostle__cell cells[N_CELLS], *back = NULL;
  jostle__report_meta m, m_back;
  char err[512] = "";
  size_t n;
  make_cells(cells);
  make_meta(&m);
  m.budget_runs = 0;
  m.budget_ns = 30000000000ULL;
  const char *html = in_dir(0, "stress.html");
  ck_assert_msg(jostle__html_write(html, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  char *row = budget_row(html);
  ck_assert_msg(strstr(row, "no limit on runs, at most 30 s per cell;") == row, "%s", row);
  free(row);
  const char *json = in_dir(1, "stress.json");
  ck_assert_msg(jostle__json_write(json, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  char *text = slurp(json, NULL);
  ck_assert_ptr_nonnull(strstr(text, "\"batch_ns\": null"));
  free(text);

  m.budget_ns = 20000000000ULL;
  m.batch_ns = 104000000;
  html = in_dir(0, "soak.html");
  ck_assert_msg(jostle__html_write(html, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  row = budget_row(html);
  ck_assert_msg(strstr(row, "no limit on runs per cell; at most 20 s for the whole soak, "
                            "shared by its cells in batches of at most 0.104 s;") == row,
                "%s", row);
  free(row);
  json = in_dir(1, "soak.json");
  ck_assert_msg(jostle__json_write(json, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  ck_assert_msg(jostle__json_read(json, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  meta_equal(&m, &m_back);
  free_cells(back, n);
  free(back);
  const char *junit = in_dir(2, "soak.xml");
  ck_assert_msg(jostle__junit_write(junit, &m, cells, N_CELLS, err, sizeof err) == 0, "%s", err);
  text = slurp(junit, NULL);
  ck_assert_ptr_nonnull(strstr(text, "<property name=\"batch_ns\" value=\"104000000\"/>"));
  free(text);

  /* results from before batch_ns: read as a campaign that is not a soak */
  json_error_t e;
  json_t *root = json_load_file(json, 0, &e);
  ck_assert_msg(root != NULL, "%s", e.text);
  ck_assert_int_eq(json_object_del(walk(root, "meta/config"), "batch_ns"), 0);
  ck_assert_int_eq(json_dump_file(root, json, JSON_INDENT(2)), 0);
  json_decref(root);
  ck_assert_msg(jostle__json_read(json, &m_back, &back, &n, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(m_back.batch_ns, 0);
  ck_assert_uint_eq(m_back.budget_ns, m.budget_ns);
  free_cells(back, n);
  free(back);
  free_cells(cells, N_CELLS);
  remove_dir();
}
END_TEST

/* --- cells without runs ------------------------------------------------ */

/* A cell without runs is never shown as if it ran clean: every report
 * labels it `not run`, and says why when a signal stopped the campaign
 * before it (the text report's words, which JUnit's <skipped> repeats). */
START_TEST(cells_without_runs_say_not_run) {
  need("xmllint");
  make_dir();
  jostle__cell cells[3];
  jostle__report_meta m;
  char err[512] = "";
  make_meta(&m);
  memset(cells, 0, sizeof cells);
  const char *names[3] = {"counter-mutex", "counter-atomic", "cache"};
  for (int i = 0; i < 3; i++) {
    jostle__cell *c = &cells[i];
    snprintf(c->scenario, sizeof c->scenario, "%s", names[i]);
    snprintf(c->scheduler, sizeof c->scheduler, "random");
    snprintf(c->placement, sizeof c->placement, "none");
    snprintf(c->params, sizeof c->params, "threads=2");
    char command[96];
    snprintf(command, sizeof command, "build/jostle replay %s --scheduler random", names[i]);
    set_command(c, command);
    c->controlled = 1;
    c->n_samples = 1;  /* a soak's cell starts with a sample of nothing */
    jostle__cli_reproduce_syntax(c);
  }
  /* cells[0]: no runs (a soak stopped by an error before it); cells[1]: no
   * runs, interrupted; cells[2]: ran */
  cells[1].interrupted = 1;
  add(&cells[2], JOSTLE__ALLOWED, "hits=2", 10, 0, 1);
  cells[2].elapsed_ns = 1000000;

  char *text = text_report(cells, 3);
  ck_assert_msg(strstr(text, "threads=2]\n  not run\n\ncounter-atomic  [") != NULL, "%s", text);
  ck_assert_msg(strstr(text, "threads=2]\n  not run: interrupted before its first run\n\ncache  [")
                != NULL, "%s", text);
  ck_assert_msg(strstr(text, " 0 runs in ") == NULL, "%s", text);
  ck_assert_msg(strstr(text, "10 runs in ") != NULL, "%s", text);
  free(text);

  const char *json = in_dir(0, "r.json");
  ck_assert_msg(jostle__json_write(json, &m, cells, 3, err, sizeof err) == 0, "%s", err);
  json_error_t e;
  json_t *root = json_load_file(json, 0, &e);
  ck_assert_msg(root != NULL, "%s", e.text);
  json_t *list = json_object_get(root, "cells");
  ck_assert(json_is_true(json_object_get(json_array_get(list, 0), "not_run")));
  ck_assert(json_is_true(json_object_get(json_array_get(list, 1), "not_run")));
  ck_assert(json_is_false(json_object_get(json_array_get(list, 2), "not_run")));
  json_decref(root);

  const char *junit = in_dir(1, "j.xml");
  ck_assert_msg(jostle__junit_write(junit, &m, cells, 3, err, sizeof err) == 0, "%s", err);
  ck_assert_int_eq(xpath_number(junit, "count(//testcase[@classname=\"jostle.counter-mutex\"]"
                                       "/skipped[@message=\"not run\"])"), 1);
  ck_assert_int_eq(xpath_number(junit, "count(//testcase[@classname=\"jostle.counter-atomic\"]"
                                       "/skipped[@message=\"not run: interrupted before its "
                                       "first run\"])"), 1);
  ck_assert_int_eq(xpath_number(junit, "count(//skipped)"), 2);

  const char *html = in_dir(2, "h.html");
  ck_assert_msg(jostle__html_write(html, &m, cells, 3, err, sizeof err) == 0, "%s", err);
  char *page = slurp(html, NULL);
  const char *c0 = strstr(page, "<section class=\"cell\" id=\"cell-0\">");
  const char *c1 = strstr(page, "<section class=\"cell\" id=\"cell-1\">");
  const char *c2 = strstr(page, "<section class=\"cell\" id=\"cell-2\">");
  ck_assert(c0 && c1 && c2);
  ck_assert_ptr_nonnull(strstr(c0, "<p class=\"rate\"><b>not run</b></p>"));
  ck_assert(strstr(c0, "<p class=\"rate\"><b>not run</b></p>") < c1);
  const char *why = "<p class=\"rate\"><b>not run: interrupted before its first run</b></p>";
  ck_assert_ptr_nonnull(strstr(c1, why));
  ck_assert(strstr(c1, why) < c2);
  ck_assert_ptr_null(strstr(c2, "<b>not run"));
  /* the summary squares of cells without runs say so too */
  ck_assert_uint_eq(occurrences(page, ">not run</text>"), 2);
  ck_assert_uint_eq(occurrences(page, ">no runs</text>"), 0);
  free(page);
  free_cells(cells, 3);
  remove_dir();
}
END_TEST

static Suite *reports_suite(void) {
  Suite *s = suite_create("reports");
  TCase *tc = jostle_check_case(s, "json", 20, 0);
  tcase_add_test(tc, json_round_trip);
  tcase_add_test(tc, a_race_keeps_its_check);
  tcase_add_test(tc, json_round_trip_empty);
  tcase_add_test(tc, json_extreme_values);
  tcase_add_test(tc, json_invalid_utf8_becomes_question_marks);
  tcase_add_test(tc, json_fields_as_documented);
  tcase_add_test(tc, json_keeps_a_portfolio);
  tcase_add_test(tc, json_write_errors);
  tcase_add_test(tc, json_doc_example_reads);
  tc = jostle_check_case(s, "json-refused", 30, 0);
  tcase_add_loop_test(tc, json_refuses_bad_fields, 0, sizeof mutations / sizeof mutations[0]);
  tcase_add_test(tc, json_refuses_too_many_samples);
  tcase_add_test(tc, json_refuses_bad_files);
  tcase_add_test(tc, json_refuses_truncated_files);
  tc = jostle_check_case(s, "json-corrupt", 60, 1);
  tcase_add_test(tc, json_survives_corruption);
  tc = jostle_check_case(s, "meta", 20, 0);
  tcase_add_test(tc, meta_collects_the_environment);
  tcase_add_test(tc, meta_commit_from_git);
  tc = jostle_check_case(s, "junit", 60, 0);
  tcase_add_test(tc, junit_is_valid_and_counts);
  tcase_add_test(tc, junit_names_are_unique);
  tcase_add_test(tc, junit_and_html_write_errors);
  tcase_add_test(tc, one_is_said_in_the_singular);
  tcase_add_test(tc, until_divergence_says_found_in_n_runs);
  tcase_add_test(tc, racy_clean_cell_says_not_found);
  tcase_add_test(tc, progress_shows_the_rate);
  tc = jostle_check_case(s, "merge", 20, 0);
  tcase_add_test(tc, cells_merge_as_if_run_in_turn);
  tcase_add_test(tc, merged_cells_list_the_first_in_content_order);
  tcase_add_test(tc, samples_thin_when_full);
  tc = jostle_check_case(s, "labels", 30, 0);
  tcase_add_test(tc, cells_without_runs_say_not_run);
  tcase_add_test(tc, budgets_say_what_they_cover);
  tc = jostle_check_case(s, "html", 120, 0);
  tcase_add_test(tc, html_renders_the_numbers);
  tcase_add_test(tc, html_screenshot);
  tcase_add_test(tc, html_summary_labels_are_whole);
  return s;
}

int main(void) { return jostle_check_run(reports_suite()); }
