/*
 * check_soak.c: `jostle soak` and `jostle report --history` as a user meets
 * them. A soak killed outright (SIGKILL) at a random moment has journaled
 * every batch but the one in flight, and resumed, ends with the counts of
 * an uninterrupted soak (a controlled scheduler makes each run a pure
 * function of its seed); a journal cut in the middle of a line resumes the
 * same way; SIGTERM stops a soak cleanly with reports of what ran, whose
 * numbers agree with each other; a folder in use (its lock held, by a
 * running soak or by the test) refuses a second soak and a resume in one
 * line, and the running soak's journal stays its own; a journal that mixes
 * two soaks' batches is refused on resume; a time budget short beside the
 * cells runs every one of them, and one too short to give each a batch is
 * refused before anything runs; the history of
 * soaks calls out the scenario that was clean and now diverges.
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
#include "common/lock_file.h"
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
  /* (the kill may come before the first progress line) */
  ck_assert_msg(strstr(err, "soak batch ") == NULL ||
                    matches(err, "soak batch 0, [a-z-]+ \\[[a-z]+, none\\] \\(cell [1-4] of 4\\)"),
                "the progress says which cell of how many: %s", err);
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

/* --- auto in a soak ---------------------------------------------------------- */

/* A soak's default set is made from the registry without the portfolio
 * (auto runs its members, which are cells of their own already); named,
 * auto is a cell whose batches deal run i to member i mod K as a stress
 * campaign does: the same counts, outcomes, first runs and seeds as
 * `stress --scheduler auto` with that seed, and its results keep the
 * members. */
START_TEST(auto_in_a_soak_is_the_stress_campaign) {
  make_tmp();
  cli_result *r = run_in("soak counter-mutex --pins none --runs-per-cell 1 -j 1 --seed 3 "
                         "--out %s/default");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
  ck_assert_msg(matches(r->out, "^counter-mutex  \\[scheduler surw, ") &&
                    !matches(r->out, "^counter-mutex  \\[scheduler auto, "), "%s", r->out);
  r = run_in("soak counter lock-order --scheduler-set auto --pins none --runs-per-cell 400 "
             "--batch 20ms --seed 3 -j 1 --out %s/auto");
  ck_assert_msg(r->status == 1, "exit %d: %s", r->status, r->err);
  r = run_in("stress counter lock-order --scheduler auto -n 400 --seed 3 -j 2 "
             "--json %s/stress.json");
  ck_assert_msg(r->status == 1, "exit %d: %s", r->status, r->err);
  char soaked[256], stressed[256];
  snprintf(soaked, sizeof soaked, "%s/auto/results.json", tmp);
  snprintf(stressed, sizeof stressed, "%s/stress.json", tmp);
  assert_same_counts(soaked, stressed);
  jostle__cell *cells;
  size_t n;
  jostle_read_results(soaked, &cells, &n);
  ck_assert_uint_eq(n, 2);
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(cells[i].scheduler, "auto");
    ck_assert_uint_eq(cells[i].n_members, 4);
    ck_assert_str_eq(cells[i].members[1].scheduler, "pct");
  }
  jostle_free_results(cells, n);
  remove_tmp();
}
END_TEST

/* --- one soak per folder --------------------------------------------------- */

/* A short clean soak: one cell, done in a few batches. */
#define SMALL_SOAK "soak counter-mutex --scheduler-set random --pins none --runs-per-cell 2000 " \
                   "--batch 20ms -j 1"

/* The folder's entries but . and .., one per line, sorted. */
static char *entries(const char *folder) {
  return jostle_capture("ls -A '%s'", folder);
}

/* A refusal: exit 2, nothing on stdout, one line on stderr that names the
 * folder and says it is in use by process `holder`. */
static void assert_in_use(const cli_result *r, const char *folder, pid_t holder) {
  char pid[32];
  snprintf(pid, sizeof pid, "pid %ld", (long)holder);
  ck_assert_msg(r->status == 2, "exit %d: %s", r->status, r->err);
  ck_assert_str_eq(r->out, "");
  ck_assert_msg(count_lines(r->err) == 1 && strstr(r->err, folder) && strstr(r->err, "in use") &&
                strstr(r->err, pid), "%s", r->err);
}

/* While a process holds the folder's lock (DIR/soak.lock, as a running soak
 * does), a soak into the folder and a resume of it are refused in one line
 * and write nothing; once the lock is free, both go ahead. */
START_TEST(a_locked_folder_is_refused) {
  make_tmp();
  char folder[160], lock[192];
  snprintf(folder, sizeof folder, "%s/soak", tmp);
  snprintf(lock, sizeof lock, "%s/soak.lock", folder);
  ck_assert_int_eq(mkdir(folder, 0755), 0);
  int fd;
  pid_t holder;
  ck_assert_int_eq(jostle__lock_file(lock, &fd, &holder), 0);
  cli_result *r = run_in(SMALL_SOAK " --seed 1 --out %s/soak");
  assert_in_use(r, folder, getpid());
  char *listed = entries(folder);
  ck_assert_str_eq(listed, "soak.lock\n");
  free(listed);

  jostle__unlock_file(fd);
  r = run_in(SMALL_SOAK " --seed 1 --out %s/soak");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
  char *journal = jostle_capture("cat '%s/%s'", folder, JOSTLE__JOURNAL_FILE);
  char *results = jostle_capture("cat '%s/results.json'", folder);

  ck_assert_int_eq(jostle__lock_file(lock, &fd, &holder), 0);
  r = run_in("soak --resume %s/soak");
  assert_in_use(r, folder, getpid());
  r = run_in(SMALL_SOAK " --seed 2 --out %s/soak");
  assert_in_use(r, folder, getpid());
  char *journal_after = jostle_capture("cat '%s/%s'", folder, JOSTLE__JOURNAL_FILE);
  char *results_after = jostle_capture("cat '%s/results.json'", folder);
  ck_assert_str_eq(journal_after, journal);
  ck_assert_str_eq(results_after, results);
  jostle__unlock_file(fd);
  r = run_in("soak --resume %s/soak");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
  free(journal);
  free(results);
  free(journal_after);
  free(results_after);
  remove_tmp();
}
END_TEST

typedef struct journaled {
  uint64_t runs[8];  /* per cell */
} journaled;

static int count_batch(void *ctx, const jostle__batch *b, char *err, size_t errsize) {
  journaled *j = ctx;
  (void)err;
  (void)errsize;
  ck_assert_uint_lt(b->cell, 8);
  j->runs[b->cell] += b->result.n_runs;
  return 0;
}

/* A second soak, or a resume, into the folder of a soak that is running is
 * refused; the running soak's journal holds its own batches and no other's:
 * they add up to the counts of its results. */
START_TEST(a_running_soak_keeps_its_folder) {
  make_tmp();
  char folder[160], journal[200];
  snprintf(folder, sizeof folder, "%s/a", tmp);
  snprintf(journal, sizeof journal, "%s/%s", folder, JOSTLE__JOURNAL_FILE);
  pid_t pid = spawn_in("soak counter-mutex counter-atomic --scheduler-set random --pins none "
                       "--duration 10m --runs-per-cell 10000000 --batch 50ms --seed 5 -j 1 "
                       "--out %s/a");
  while (lines_of(journal) < 2) usleep(2000);
  cli_result *r = run_in("soak --resume %s/a");
  assert_in_use(r, folder, pid);
  r = run_in("soak counter-mutex counter-atomic --scheduler-set random --pins none "
             "--duration 10m --runs-per-cell 10000000 --batch 50ms --seed 6 -j 1 --out %s/a");
  assert_in_use(r, folder, pid);
  ck_assert_int_eq(kill(pid, SIGTERM), 0);
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 4);

  jostle__journal_header h;
  char err[1200];
  ck_assert_msg(jostle__journal_read_header(folder, &h, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(h.seed, 5);
  jostle__journal_header_free(&h);
  journaled counts = {{0}};
  jostle__journal *j;
  ck_assert_msg(jostle__journal_open(folder, count_batch, &counts, &j, err, sizeof err) == 0,
                "%s", err);
  jostle__journal_close(j);
  jostle__cell *cells;
  size_t n;
  jostle_read_results(in_tmp(0, "a/results.json"), &cells, &n);
  ck_assert_uint_eq(n, 2);
  for (size_t i = 0; i < n; i++) ck_assert_uint_eq(counts.runs[i], cells[i].n_runs);
  jostle_free_results(cells, n);
  remove_tmp();
}
END_TEST

/* A journal whose batches are another soak's (two soaks wrote one folder:
 * one's header replaced the other's) is refused on resume, in one line
 * and with nothing written: its runs are not this soak's seed's. */
START_TEST(a_mixed_journal_is_refused_on_resume) {
  make_tmp();
  cli_result *r = run_in(SMALL_SOAK " --seed 1 --out %s/a");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
  r = run_in(SMALL_SOAK " --seed 2 --out %s/b");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
  /* a's header, then b's batches */
  char mixed[200];
  snprintf(mixed, sizeof mixed, "%s/c/%s", tmp, JOSTLE__JOURNAL_FILE);
  shell("mkdir '%s'", in_tmp(0, "c"));
  char cmd[600];
  snprintf(cmd, sizeof cmd, "head -n 1 '%s/a/%s' > '%s' && tail -n +2 '%s/b/%s' >> '%s'", tmp,
           JOSTLE__JOURNAL_FILE, mixed, tmp, JOSTLE__JOURNAL_FILE, mixed);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_gt(lines_of(mixed), 1);
  char *before = jostle_capture("cat '%s'", mixed);

  r = run_in("soak --resume %s/c");
  ck_assert_msg(r->status == 2, "exit %d: %s", r->status, r->err);
  ck_assert_str_eq(r->out, "");
  ck_assert_msg(count_lines(r->err) == 1 && strstr(r->err, mixed) &&
                strstr(r->err, "another soak"), "%s", r->err);
  char *after = jostle_capture("cat '%s'", mixed);
  ck_assert_str_eq(after, before);
  ck_assert_int_eq(access(in_tmp(0, "c/results.json"), F_OK), -1);
  free(before);
  free(after);
  remove_tmp();
}
END_TEST

/* --- budgets ----------------------------------------------------------------- */

/* Eight cells: two scenarios under two schedulers and two placements. */
#define EIGHT_CELLS "soak counter-mutex counter-atomic --scheduler-set random,pct " \
                    "--pins none,spread -j 1 --seed 3"

/* A time budget short beside the cells (1 s for 8 cells, where a batch is
 * 5 s at the least by default) is shared by all of them: every cell runs,
 * however slow the machine (a time budget ends a batch after its first run
 * at the earliest). */
START_TEST(a_short_soak_runs_every_cell) {
  make_tmp();
  cli_result *r = run_in(EIGHT_CELLS " --duration 1s --out %s/short");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
  jostle__cell *cells;
  size_t n;
  jostle_read_results(in_tmp(0, "short/results.json"), &cells, &n);
  ck_assert_uint_eq(n, 8);
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(cells[i].n_runs > 0, "%s [%s, %s] did not run", cells[i].scenario,
                  cells[i].scheduler, cells[i].placement);
    ck_assert_int_eq(cells[i].interrupted, 0);
  }
  jostle_free_results(cells, n);
  ck_assert(!matches(r->out, "not run"));
  /* a result line per cell, naming it after the documented fields */
  ck_assert(matches(r->out, "^result counter-mutex runs=[0-9]+ divergent=0 runs_per_sec=[0-9]+ "
                            "scheduler=random pin=spread$"));
  ck_assert(matches(r->out, "^result counter-atomic runs=[0-9]+ divergent=0 runs_per_sec=[0-9]+ "
                            "scheduler=pct pin=none$"));
  /* 1 s over 8 cells: batches of 125 ms, and the reports say the 1 s is
   * the whole soak's */
  jostle__report_meta meta;
  jostle_read_json(in_tmp(0, "short/results.json"), &meta, &cells, &n);
  jostle_free_results(cells, n);
  ck_assert_uint_eq(meta.budget_ns, 1000000000);
  ck_assert_uint_eq(meta.batch_ns, 125000000);
  char *page = jostle_capture("cat '%s'", in_tmp(0, "short/report.html"));
  ck_assert_msg(strstr(page, "at most 1 s for the whole soak, shared by its cells in batches of "
                             "at most 0.125 s") != NULL, "no soak budget in the HTML page");
  free(page);
  remove_tmp();
}
END_TEST

/* A time budget that cannot give every cell a batch of the shortest length
 * (100 ms) is refused before anything runs, in one line that says what
 * budget would do; nothing is written. */
START_TEST(a_budget_too_short_for_its_cells_is_refused) {
  make_tmp();
  cli_result *r = run_in(EIGHT_CELLS " --duration 500ms --out %s/short");
  ck_assert_msg(r->status == 2, "exit %d: %s", r->status, r->err);
  ck_assert_str_eq(r->out, "");
  ck_assert_msg(count_lines(r->err) == 1 && strstr(r->err, "8 cells") &&
                strstr(r->err, "--duration 1s"), "%s", r->err);
  ck_assert_int_eq(access(in_tmp(0, "short"), F_OK), -1);
  remove_tmp();
}
END_TEST

/* --- history -------------------------------------------------------------- */

typedef struct soak_row {
  const char *scenario;
  uint64_t runs, divergent;
  const char *scheduler;             /* NULL: random */
} soak_row;

/* A cell of `scenario` with `runs` runs, `divergent` of them divergent. */
static void make_cell(jostle__cell *c, const char *scenario, uint64_t runs,
                      uint64_t divergent, const char *scheduler) {
  memset(c, 0, sizeof *c);
  snprintf(c->scenario, sizeof c->scenario, "%s", scenario);
  snprintf(c->scheduler, sizeof c->scheduler, "%s", scheduler ? scheduler : "random");
  snprintf(c->placement, sizeof c->placement, "none");
  snprintf(c->params, sizeof c->params, "threads=2");
  char command[128];
  snprintf(command, sizeof command, "jostle replay %s --scheduler random", scenario);
  ck_assert_int_eq(jostle__cell_set_command(c, command), 0);
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
  for (int i = 0; i < n; i++) make_cell(&c[i], cells[i].scenario, cells[i].runs, cells[i].divergent,
                                    cells[i].scheduler);
  ck_assert_msg(jostle__json_write(path, &meta, c, (size_t)n, err, sizeof err) == 0, "%s", err);
  for (int i = 0; i < n; i++) jostle__cell_free(&c[i]);
}

/* Soaks are ordered by start time, whatever the order named; a scenario
 * clean in every earlier soak that ran it and divergent in the latest is
 * called out (exit 1) with its reproduce line; one divergent all along, or
 * new in the latest, is not. */
START_TEST(history_calls_out_new_divergence) {
  make_tmp();
  write_soak("monday", 1000, 3, (soak_row[]){{"cache-mutex", 5000, 0, NULL}, {"counter", 5000, 900, NULL},
                                        {"metrics-atomic", 4000, 0, NULL}});
  write_soak("tuesday", 2000, 2, (soak_row[]){{"counter", 5000, 1000, NULL}, {"metrics-atomic", 4000, 0, NULL}});
  write_soak("wednesday", 3000, 4, (soak_row[]){{"cache-mutex", 7000, 3, NULL}, {"counter", 5000, 800, NULL},
                                           {"metrics-atomic", 4000, 0, NULL}, {"lock-order", 10, 2, NULL}});
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
                            "latest soak under random, pin none, threads=2; clean over 5,000 "
                            "runs of that cell in 1 earlier soak$"));
  ck_assert(matches(r->out, "^reproduce: jostle replay cache-mutex --scheduler random --seed "
                            "0x0000000000abcdef$"));
  ck_assert(!matches(r->out, "^newly divergent: (counter|lock-order|metrics-atomic)"));
  r = run_in("report --history %s/monday %s/tuesday");
  ck_assert_int_eq(r->status, 0);
  ck_assert(matches(r->out, "^no scenario newly divergent in the latest soak$"));
  ck_assert(!matches(r->out, "do not compare"));
  remove_tmp();
}
END_TEST

/* History compares like with like: a scenario clean under one scheduler
 * and divergent under another the next night is not newly divergent (that
 * cell has no earlier night), and its rows say the soaks differ; the same
 * cell clean before and divergent now is. */
START_TEST(history_compares_like_with_like) {
  make_tmp();
  write_soak("monday", 1000, 1, (soak_row[]){{"counter", 5000, 0, "random"}});
  write_soak("tuesday", 2000, 2, (soak_row[]){{"counter", 5000, 0, "random"},
                                             {"counter", 5000, 40, "pct"}});
  cli_result *r = run_in("report --history %s/monday %s/tuesday");
  ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->out);
  ck_assert(matches(r->out, "^  \\(the soaks ran counter under different schedulers, placements or "
                            "parameters: its rates do not compare row to row\\)$"));
  ck_assert(matches(r->out, "^no scenario newly divergent in the latest soak$"));
  write_soak("wednesday", 3000, 2, (soak_row[]){{"counter", 5000, 7, "random"},
                                               {"counter", 5000, 40, "pct"}});
  r = run_in("report --history %s/monday %s/tuesday %s/wednesday");
  ck_assert_int_eq(r->status, 1);
  ck_assert(matches(r->out, "^newly divergent: counter: 7 of 5,000 runs .* under random, .*"
                            "clean over 10,000 runs of that cell in 2 earlier soaks$"));
  ck_assert(!matches(r->out, "^newly divergent: counter: 40 of"));
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
  tcase_add_test(tc, history_compares_like_with_like);
  tcase_add_test(tc, a_locked_folder_is_refused);
  tcase_add_test(tc, a_running_soak_keeps_its_folder);
  tcase_add_test(tc, a_mixed_journal_is_refused_on_resume);
  tcase_add_test(tc, a_short_soak_runs_every_cell);
  tcase_add_test(tc, a_budget_too_short_for_its_cells_is_refused);
  tcase_add_test(tc, auto_in_a_soak_is_the_stress_campaign);
  return jostle_check_run(s);
}
