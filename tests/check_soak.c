/*
 * check_soak.c: `jostle soak` and `jostle report --history` as a user meets
 * them. A soak killed outright (SIGKILL) at a random moment has journaled
 * every batch but the one in flight, and resumed, ends with the counts of
 * an uninterrupted soak (a controlled scheduler makes each run a pure
 * function of its seed); a journal cut in the middle of a line resumes the
 * same way; SIGTERM stops a soak cleanly with reports of what ran, whose
 * numbers agree with each other; the history of soaks calls out the
 * scenario that was clean and now diverges.
 *
 * The binary under test is $JOSTLE_BIN; xmllint is needed
 * (`sh scripts/deps.sh test`).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/clock.h"
#include "harness/journal.h"
#include "tests/check_main.h"
#include "tests/cli_run.h"
#include "tests/reports_agree.h"

/* Two scenarios under both controlled schedulers: four cells of 100,000
 * runs, in batches of at most 30 ms, so that a kill lands in one of many. */
#define SOAK_ARGS "soak counter loop-capture --scheduler-set random,pct --pins none " \
                  "--runs-per-cell 100000 --batch 30ms --seed 3 -j 1"

/* The two results hold the same cells with the same counts, outcomes,
 * first runs and seeds. */
static void assert_same_counts(const char *a_path, const char *b_path) {
  jostle__cell *a, *b;
  size_t n_a, n_b;
  jostle_read_results(a_path, &a, &n_a);
  jostle_read_results(b_path, &b, &n_b);
  ck_assert_uint_eq(n_a, n_b);
  for (size_t i = 0; i < n_a; i++) {
    ck_assert(jostle__cell_same_key(&a[i], &b[i]));
    ck_assert_uint_eq(a[i].n_runs, b[i].n_runs);
    ck_assert_uint_eq(a[i].n_divergent, b[i].n_divergent);
    ck_assert_uint_eq(a[i].n_outcomes, b[i].n_outcomes);
    for (size_t k = 0; k < a[i].n_outcomes; k++) {
      const jostle__outcome *x = &a[i].outcomes[k], *y = &b[i].outcomes[k];
      ck_assert_int_eq(x->cls, y->cls);
      ck_assert_str_eq(x->text, y->text);
      ck_assert_uint_eq(x->count, y->count);
      ck_assert_uint_eq(x->first_run, y->first_run);
      ck_assert_uint_eq(x->first_seed, y->first_seed);
    }
  }
  jostle_free_results(a, n_a);
  jostle_free_results(b, n_b);
}

/* Runs a shell command with one path in it; it must succeed. */
static void shell(const char *fmt, const char *path) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, fmt, path);
  ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

/* Complete lines of a file. */
static long lines_of(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  long n = 0;
  for (int c; (c = fgetc(f)) != EOF;) n += c == '\n';
  fclose(f);
  return n;
}

/* The highest "soak batch N" the live progress showed, or -1. */
static long last_batch_shown(const char *stderr_path) {
  char *text = jostle_capture("cat '%s'", stderr_path);
  long last = -1;
  for (const char *p = text; (p = strstr(p, "soak batch ")) != NULL; p++) {
    long n = strtol(p + strlen("soak batch "), NULL, 10);
    if (n > last) last = n;
  }
  free(text);
  return last;
}

/* An uninterrupted soak in tmp/whole; returns its wall time in ms. */
static uint64_t soak_whole(void) {
  uint64_t start = jostle__now_ns() / 1000000;
  cli_result *r = run_in(SOAK_ARGS " --out %s/whole");
  ck_assert_msg(r->status == 1, "exit %d: %s", r->status, r->err);
  return jostle__now_ns() / 1000000 - start;
}

/* SIGKILL at a random moment: every batch the progress line had reached
 * was journaled before it (at most the one in flight is lost), and the
 * resumed soak's counts are the uninterrupted soak's. */
START_TEST(killed_soak_resumes_to_the_same_counts) {
  make_tmp();
  uint64_t whole_ms = soak_whole();
  unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
  char journal[160];
  snprintf(journal, sizeof journal, "%s/killed/%s", tmp, JOSTLE__JOURNAL_FILE);
  int killed = 0;
  for (int attempt = 0; attempt < 6 && !killed; attempt++) {
    shell("rm -rf '%s'", in_tmp(0, "killed"));
    pid_t pid = spawn_in(SOAK_ARGS " --progress --out %s/killed");
    while (access(journal, F_OK) != 0) usleep(1000);
    /* a random moment of the soak's run, earlier at each attempt */
    usleep((useconds_t)((uint64_t)rand_r(&seed) % (whole_ms * 800 + 1) >> attempt));
    kill(pid, SIGKILL);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }
  ck_assert_msg(killed, "the soak always finished before the kill");
  /* batches 0..N-1 are journaled once the progress line shows batch N */
  char *err = jostle_capture("cat '%s'", in_tmp(0, "stderr"));
  assert_no_sanitizer_report(err);
  free(err);
  long shown = last_batch_shown(in_tmp(0, "stderr"));
  long journaled = lines_of(journal) - 1;
  ck_assert_msg(journaled >= shown, "batch %ld was shown, %ld batches journaled", shown,
                journaled);
  ck_assert_int_eq(access(in_tmp(0, "killed/results.json"), F_OK), -1);

  cli_result *r = run_in("soak --resume %s/killed --no-progress");
  ck_assert_msg(r->status == 1, "exit %d: %s", r->status, r->err);
  ck_assert_msg(matches(r->err, "^[^ ]+: resuming .*killed: (1 batch|[0-9]+ batches), "
                                "(1 run|[0-9]+ runs) journaled, "), "%s", r->err);
  assert_same_counts(in_tmp(0, "whole/results.json"), in_tmp(1, "killed/results.json"));
  remove_tmp();
}
END_TEST

/* A journal whose last line was cut mid-way (a kill while writing it)
 * resumes to the same counts: the cut batch is run again, and only it. */
START_TEST(cut_journal_resumes_to_the_same_counts) {
  make_tmp();
  soak_whole();
  char whole[160];
  snprintf(whole, sizeof whole, "%s", in_tmp(0, "whole/" JOSTLE__JOURNAL_FILE));
  long n_lines = lines_of(whole);
  ck_assert_int_gt(n_lines, 4);
  /* the header, half the batches, and half of the next line */
  char *text = jostle_capture("cat '%s'", whole), *p = text;
  for (long i = 0; i < 1 + (n_lines - 1) / 2; i++) p = strchr(p, '\n') + 1;
  size_t whole_lines = (size_t)(p - text), keep = whole_lines + strcspn(p, "\n") / 2;
  shell("mkdir '%s'", in_tmp(0, "cut"));
  FILE *f = fopen(in_tmp(0, "cut/" JOSTLE__JOURNAL_FILE), "w");
  ck_assert_ptr_nonnull(f);
  fwrite(text, 1, keep, f);
  fclose(f);
  cli_result *r = run_in("soak --resume %s/cut");
  ck_assert_msg(r->status == 1, "exit %d: %s", r->status, r->err);
  assert_same_counts(in_tmp(0, "whole/results.json"), in_tmp(1, "cut/results.json"));
  /* the whole lines are kept as they were, the cut one is gone, and the
   * batches after them follow */
  char *resumed = jostle_capture("cat '%s'", in_tmp(0, "cut/" JOSTLE__JOURNAL_FILE));
  ck_assert_int_eq(strncmp(resumed, text, whole_lines), 0);
  ck_assert_int_ne(strncmp(resumed + whole_lines, p, strcspn(p, "\n") / 2), 0);
  ck_assert_int_gt(lines_of(in_tmp(0, "cut/" JOSTLE__JOURNAL_FILE)), 1 + (n_lines - 1) / 2);
  free(resumed);
  free(text);
  remove_tmp();
}
END_TEST

/* SIGTERM stops a soak cleanly: it exits as stress would (4: interrupted,
 * nothing found), its reports hold
 * what ran (cells short of their budget marked interrupted) and agree with
 * each other and with the text it printed; resumed, it completes. */
START_TEST(sigterm_stops_a_soak_with_its_reports) {
  make_tmp();
  pid_t pid = spawn_in("soak counter-mutex counter-atomic --scheduler-set free,random --pins none "
                       "--duration 10m --runs-per-cell 30000 --batch 50ms --seed 2 -j 1 "
                       "--out %s/soak");
  while (lines_of(in_tmp(0, "soak/" JOSTLE__JOURNAL_FILE)) < 3) usleep(2000);
  ck_assert_int_eq(kill(pid, SIGTERM), 0);
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 4); /* interrupted */
  jostle__cell *cells;
  size_t n;
  jostle_read_results(in_tmp(0, "soak/results.json"), &cells, &n);
  ck_assert_uint_eq(n, 4);
  int interrupted = 0;
  uint64_t runs = 0;
  for (size_t i = 0; i < n; i++) {
    interrupted += cells[i].interrupted;
    ck_assert_int_eq(cells[i].interrupted, cells[i].n_runs < 30000);
    runs += cells[i].n_runs;
  }
  jostle_free_results(cells, n);
  ck_assert_int_gt(interrupted, 0);
  ck_assert_uint_gt(runs, 0);
  char *printed = jostle_capture("cat '%s'", in_tmp(0, "stdout"));
  char *err = jostle_capture("cat '%s'", in_tmp(0, "stderr"));
  assert_no_sanitizer_report(err);
  free(err);
  cli_result *r = run_in("report %s/soak/results.json");
  ck_assert_int_eq(r->status, 4);
  ck_assert_str_eq(r->out, printed);
  free(printed);
  jostle_check_reports_agree(in_tmp(0, "soak/results.json"), in_tmp(1, "soak/junit.xml"),
                             in_tmp(2, "soak/report.html"));

  r = run_in("soak --resume %s/soak --json %s/again.json");
  ck_assert_int_eq(r->status, 2);  /* a resumed soak's reports are its folder's */
  r = run_in("soak --resume %s/soak");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
  jostle_read_results(in_tmp(0, "soak/results.json"), &cells, &n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_eq(cells[i].n_runs, 30000);
    ck_assert_int_eq(cells[i].interrupted, 0);
  }
  jostle_free_results(cells, n);
  r = run_in("report %s/soak/results.json --junit %s/j.xml --html %s/h.html");
  ck_assert_int_eq(r->status, 0);
  jostle_check_reports_agree(in_tmp(0, "soak/results.json"), in_tmp(1, "j.xml"),
                             in_tmp(2, "h.html"));
  remove_tmp();
}
END_TEST

/* --- history -------------------------------------------------------------- */

typedef struct soak_row {
  const char *scenario;
  uint64_t runs, divergent;
} soak_row;

/* A cell of `scenario` with `runs` runs, `divergent` of them divergent. */
static void make_cell(jostle__cell *c, const char *scenario, uint64_t runs,
                      uint64_t divergent) {
  memset(c, 0, sizeof *c);
  snprintf(c->scenario, sizeof c->scenario, "%s", scenario);
  snprintf(c->scheduler, sizeof c->scheduler, "random");
  snprintf(c->placement, sizeof c->placement, "none");
  snprintf(c->params, sizeof c->params, "threads=2");
  snprintf(c->command, sizeof c->command, "jostle replay %s --scheduler random", scenario);
  c->controlled = 1;
  c->campaign_seed = 9;
  c->elapsed_ns = 1000000000;
  ck_assert_int_eq(jostle__cell_add(c, JOSTLE__ALLOWED, "ok=1", runs - divergent, 0, 1), 0);
  if (divergent)
    ck_assert_int_eq(jostle__cell_add(c, JOSTLE__DIVERGENT, "ok=0", divergent, 5, 0xabcdef), 0);
  c->n_runs = runs;
  c->n_divergent = divergent;
}

/* Writes tmp/NAME/results.json: a soak started at `started` with the
 * cells of the rows. */
static void write_soak(const char *name, uint64_t started, int n, const soak_row *cells) {
  char dir[160], path[192], err[1200];
  snprintf(dir, sizeof dir, "%s/%s", tmp, name);
  ck_assert_int_eq(mkdir(dir, 0755), 0);
  snprintf(path, sizeof path, "%s/results.json", dir);
  jostle__report_meta meta;
  memset(&meta, 0, sizeof meta);
  meta.started_unix_ns = started;
  snprintf(meta.commit, sizeof meta.commit, "commit-of-%s", name);
  jostle__cell c[4];
  for (int i = 0; i < n; i++) make_cell(&c[i], cells[i].scenario, cells[i].runs, cells[i].divergent);
  ck_assert_msg(jostle__json_write(path, &meta, c, (size_t)n, err, sizeof err) == 0, "%s", err);
  for (int i = 0; i < n; i++) jostle__cell_free(&c[i]);
}

/* Soaks are ordered by start time, whatever the order named; a scenario
 * clean in every earlier soak that ran it and divergent in the latest is
 * called out (exit 1) with its reproduce line; one divergent all along, or
 * new in the latest, is not. */
START_TEST(history_calls_out_new_divergence) {
  make_tmp();
  write_soak("monday", 1000, 3, (soak_row[]){{"cache-mutex", 5000, 0}, {"counter", 5000, 900},
                                        {"metrics-atomic", 4000, 0}});
  write_soak("tuesday", 2000, 2, (soak_row[]){{"counter", 5000, 1000}, {"metrics-atomic", 4000, 0}});
  write_soak("wednesday", 3000, 4, (soak_row[]){{"cache-mutex", 7000, 3}, {"counter", 5000, 800},
                                           {"metrics-atomic", 4000, 0}, {"lock-order", 10, 2}});
  cli_result *r = run_in("report --history %s/wednesday %s/monday %s/tuesday/results.json");
  ck_assert_msg(r->status == 1, "exit %d: %s", r->status, r->err);
  ck_assert_msg(matches(r->out, "^ +1  1970-01-01T00:00:00Z  commit-of-mo +14,000 +900  "
                                "[^ ]*/monday/results\\.json$"), "%s", r->out);
  ck_assert(matches(r->out, "^ +2  .*commit-of-tu +9,000 +1,000  [^ ]*/tuesday/results\\.json$"));
  ck_assert(matches(r->out, "^ +3  .*commit-of-we +16,010 +805  [^ ]*/wednesday/results\\.json$"));
  /* cache-mutex: run on monday, not on tuesday, divergent on wednesday */
  ck_assert(matches(r->out, "^cache-mutex\n.*\n +1 +5,000 +0 +0\\.0000%\n +2 +- +- +not run\n"
                            " +3 +7,000 +3 +0\\.0429%$"));
  ck_assert(matches(r->out, "^newly divergent: cache-mutex: 3 of 7,000 runs \\(0\\.0429%\\) in the "
                            "latest soak; clean over 5,000 runs in 1 earlier soak$"));
  ck_assert(matches(r->out, "^reproduce: jostle replay cache-mutex --scheduler random --seed "
                            "0x0000000000abcdef$"));
  ck_assert(!matches(r->out, "^newly divergent: (counter|lock-order|metrics-atomic)"));
  r = run_in("report --history %s/monday %s/tuesday");
  ck_assert_int_eq(r->status, 0);
  ck_assert(matches(r->out, "^no scenario newly divergent in the latest soak$"));
  remove_tmp();
}
END_TEST

int main(void) {
  Suite *s = suite_create("soak");
  TCase *tc = jostle_check_case(s, "soak", 240, 0);
  tcase_add_loop_test(tc, killed_soak_resumes_to_the_same_counts, 0, 3);
  tcase_add_test(tc, cut_journal_resumes_to_the_same_counts);
  tcase_add_test(tc, sigterm_stops_a_soak_with_its_reports);
  tcase_add_test(tc, history_calls_out_new_divergence);
  return jostle_check_run(s);
}
