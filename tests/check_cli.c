/*
 * check_cli.c: the command line as a user meets it. Bad input of every kind
 * gets exactly one line on stderr that names it, and exit code 2, never a
 * crash; good input gets the documented output forms and exit codes, and a
 * printed `reproduce:` command really reproduces.
 *
 * The binary under test is $JOSTLE_BIN (jostle with the test scenarios).
 */
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include "tests/check_main.h"

typedef struct cli_result {
  int status;        /* exit code, or 128 + signal */
  char out[65536];
  char err[8192];
} cli_result;

static void slurp(int fd, char *buf, size_t size) {
  size_t len = 0;
  ssize_t n;
  lseek(fd, 0, SEEK_SET);
  while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0) len += (size_t)n;
  buf[len] = '\0';
  close(fd);
}

/* Runs "$JOSTLE_BIN ARGS" (ARGS split like a shell would, no expansion). */
static cli_result *run(const char *args) {
  static cli_result r;
  const char *bin = getenv("JOSTLE_BIN");
  ck_assert_msg(bin != NULL, "JOSTLE_BIN names the binary under test");
  char line[2048];
  snprintf(line, sizeof line, "%s %s", bin, args);
  wordexp_t words;
  ck_assert_int_eq(wordexp(line, &words, WRDE_NOCMD), 0);
  char out_path[] = "/tmp/jostle-cli-out-XXXXXX", err_path[] = "/tmp/jostle-cli-err-XXXXXX";
  int out = mkstemp(out_path), err = mkstemp(err_path);
  ck_assert(out >= 0 && err >= 0);
  unlink(out_path);
  unlink(err_path);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    dup2(out, 1);
    dup2(err, 2);
    execv(words.we_wordv[0], words.we_wordv);
    _exit(127);
  }
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  wordfree(&words);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  slurp(out, r.out, sizeof r.out);
  slurp(err, r.err, sizeof r.err);
  return &r;
}

static int matches(const char *text, const char *pattern) {
  regex_t re;
  ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
  int ok = regexec(&re, text, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

static int count_lines(const char *text) {
  int n = 0;
  for (; *text; text++) n += *text == '\n';
  return n;
}

/* Each bad input and the text its one-line error must name. */
static const struct { const char *args, *names; } bad_inputs[] = {
    {"stress no-such-scenario", "no-such-scenario"},
    {"stress counter -n abc", "abc"},
    {"stress counter -n 0", "'0'"},
    {"stress counter -n -5", "-5"},
    {"stress counter --runs 1.5", "1.5"},
    {"stress counter --duration 5x", "5x"},
    {"stress counter --duration 10", "'10'"},
    {"stress counter --timeout soon", "soon"},
    {"stress counter -D threads", "threads"},
    {"stress counter -D threads=abc", "threads=abc"},
    {"stress counter -D =3", "=3"},
    {"stress counter -D nosuch=3", "nosuch"},
    {"stress counter -D threads=1000", "threads=1000"},
    {"stress counter -D increments=0", "increments=0"},
    {"stress counter --scheduler nosuch", "nosuch"},
    {"stress counter --pin sideways", "sideways"},
    {"stress counter --jobs 0", "'0'"},
    {"stress counter --jobs many", "many"},
    {"stress counter --seed -4", "-4"},
    {"stress counter --seed 0xzz", "0xzz"},
    {"stress counter --noise-p 2", "'2'"},
    {"stress counter --noise-mix 0:0:0", "0:0:0"},
    {"stress counter --noise-mix 1:2", "1:2"},
    {"stress counter --bogus", "--bogus"},
    {"stress counter -n", "-n"},
    {"stress", "--all"},
    {"frobnicate", "frobnicate"},
    {"list nosuch", "nosuch"},
    {"topology extra", "extra"},
    {"help nosuch", "nosuch"},
    {"replay counter", "--seed"},
    {"replay counter --seed zz", "zz"},
    {"replay nosuch --seed 1", "nosuch"},
    {"replay counter cache --seed 1", "cache"},
    {"replay --seed 1", "scenario"},
    {"stress counter --scheduler pct --depth 0", "'0'"},
    {"stress counter --scheduler pct --depth many", "many"},
    {"stress counter --step-limit 0", "'0'"},
    {"replay counter --seed 1 --scheduler nosuch", "nosuch"},
    {"replay --schedule /nonexistent/s.sched", "/nonexistent/s.sched"},
    {"replay --schedule /dev/null", "/dev/null"},
    {"replay --schedule /dev/null --seed 1", "--seed"},
    {"replay counter --seed 1 --scheduler free --trace", "controlled"},
    {"replay counter --seed 1 --scheduler noise --save-schedule /tmp/x", "controlled"},
    {"replay counter --seed 1 --scheduler replay", "--schedule"},
    {"stress counter --trace", "--trace"},
    {"stress counter --schedule /tmp/x", "--schedule"},
    {"stress counter --scheduler replay", "replay --schedule"},
};

START_TEST(bad_input_is_one_line_and_exit_2) {
  cli_result *r = run(bad_inputs[_i].args);
  ck_assert_msg(r->status == 2, "'%s' exits 2, not %d", bad_inputs[_i].args, r->status);
  ck_assert_msg(count_lines(r->err) == 1, "'%s' prints one line, not: %s",
                bad_inputs[_i].args, r->err);
  ck_assert_msg(strstr(r->err, bad_inputs[_i].names) != NULL,
                "'%s' names '%s' in: %s", bad_inputs[_i].args, bad_inputs[_i].names, r->err);
  ck_assert_msg(r->out[0] == '\0', "'%s' runs nothing: %s", bad_inputs[_i].args, r->out);
}
END_TEST

START_TEST(every_command_has_help) {
  static const char *const helps[] = {"--help", "help", "stress --help", "list --help",
                                      "topology --help", "help stress", "replay --help", "help replay"};
  for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
    cli_result *r = run(helps[i]);
    ck_assert_msg(r->status == 0, "'%s' exits 0", helps[i]);
    ck_assert_msg(matches(r->out, "^usage: "), "'%s' prints a usage line", helps[i]);
    ck_assert_msg(strstr(r->out, "exit codes") || strstr(helps[i], "list") ||
                  strstr(helps[i], "topology"), "'%s' documents exit codes", helps[i]);
  }
  ck_assert_int_eq(run("--version")->status, 0);
}
END_TEST

START_TEST(list_shows_scenarios_and_kinds) {
  cli_result *r = run("list");
  ck_assert_int_eq(r->status, 0);
  ck_assert(matches(r->out, "^counter +2 +racy +"));
  ck_assert(matches(r->out, "^counter-mutex +[0-9]+ +fixed +"));
  ck_assert(matches(r->out, "^stats-snapshot +[0-9]+ +racy +"));
  r = run("list counter");
  ck_assert_int_eq(r->status, 0);
  ck_assert(matches(r->out, "^  increments +1 +"));
  ck_assert(matches(r->out, "^  threads +2 +"));
}
END_TEST

START_TEST(topology_prints_units) {
  cli_result *r = run("topology");
  ck_assert_int_eq(r->status, 0);
  ck_assert(matches(r->out, "^[0-9]+ processing units, [0-9]+ cores"));
}
END_TEST

START_TEST(clean_run_exits_0_with_result_line) {
  cli_result *r = run("stress counter-mutex -n 20000 --seed 7 --no-progress");
  ck_assert_int_eq(r->status, 0);
  ck_assert(matches(r->out, "^result counter-mutex runs=20000 divergent=0 runs_per_sec=[0-9]+$"));
  ck_assert(!matches(r->out, "^reproduce:"));
  ck_assert_str_eq(r->err, "");
}
END_TEST

/* A divergent run exits 1 and prints a reproduce command that, run as
 * printed, diverges again (test-crash crashes as a function of the seed). */
START_TEST(reproduce_command_reproduces) {
  cli_result *r = run("stress test-crash -n 2000 --seed 7 --jobs 2");
  ck_assert_int_eq(r->status, 1);
  ck_assert(matches(r->out, "^result test-crash runs=2000 divergent=[1-9][0-9]* "));
  regex_t re;
  regmatch_t m[2];
  ck_assert_int_eq(regcomp(&re, "^reproduce: [^ ]+ (stress test-crash .*--run-seed 0x[0-9a-f]{16}.*)$",
                           REG_EXTENDED | REG_NEWLINE), 0);
  ck_assert_int_eq(regexec(&re, r->out, 2, m, 0), 0);
  char args[1024];
  snprintf(args, sizeof args, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), r->out + m[1].rm_so);
  regfree(&re);
  r = run(args);
  ck_assert_int_eq(r->status, 1);
  ck_assert(matches(r->out, "^  crash \\(SIGSEGV\\) "));
}
END_TEST

/* The text of the first histogram row with verdict `verdict`, and its seed. */
static int row(const char *out, const char *verdict, char *text, size_t size, char *seed) {
  char pattern[160];
  snprintf(pattern, sizeof pattern, "^  (.*[^ ]) +[0-9,]+ +[0-9.]+%% +%s +(0x[0-9a-f]{16})$", verdict);
  regex_t re;
  regmatch_t m[3];
  ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
  int found = regexec(&re, out, 3, m, 0) == 0;
  regfree(&re);
  if (!found) return 0;
  snprintf(text, size, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), out + m[1].rm_so);
  snprintf(seed, 19, "%.*s", (int)(m[2].rm_eo - m[2].rm_so), out + m[2].rm_so);
  return 1;
}

/* Under a controlled scheduler the reproduce line is a `jostle replay`
 * command, and replaying it gives the outcome the histogram showed, with
 * exit 1, every time; an allowed seed replays to its outcome and exit 0.
 * (loop-capture's race lies between explicit points, so it shows in every
 * build, instrumented or not.) */
START_TEST(controlled_reproduce_replays_exactly) {
  cli_result *r = run("stress loop-capture --scheduler random -n 5000 --seed 11");
  ck_assert_int_eq(r->status, 1);
  char divergent[256], allowed[256], seed[20], allowed_seed[20];
  ck_assert(row(r->out, "DIVERGENT", divergent, sizeof divergent, seed));
  ck_assert(row(r->out, "allowed", allowed, sizeof allowed, allowed_seed));
  regex_t re;
  regmatch_t m[2];
  ck_assert_int_eq(regcomp(&re, "^reproduce: [^ ]+ (replay loop-capture --scheduler random .*--seed 0x[0-9a-f]{16})$",
                           REG_EXTENDED | REG_NEWLINE), 0);
  ck_assert_int_eq(regexec(&re, r->out, 2, m, 0), 0);
  regfree(&re);
  char args[1024], want[300];
  snprintf(args, sizeof args, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), r->out + m[1].rm_so);
  ck_assert_ptr_nonnull(strstr(args, seed));
  snprintf(want, sizeof want, "outcome: %s\n", divergent);
  for (int i = 0; i < 3; i++) {
    r = run(args);
    ck_assert_int_eq(r->status, 1);
    ck_assert_msg(strstr(r->out, want) != NULL, "replay gave: %s", r->out);
    ck_assert(matches(r->out, "^verdict: DIVERGENT$"));
  }
  snprintf(args, sizeof args, "replay loop-capture --scheduler random --seed %s", allowed_seed);
  snprintf(want, sizeof want, "outcome: %s\n", allowed);
  r = run(args);
  ck_assert_int_eq(r->status, 0);
  ck_assert_msg(strstr(r->out, want) != NULL, "replay gave: %s", r->out);
}
END_TEST

/* A deadlock replays as one, naming who waits for what. */
START_TEST(deadlock_replays_with_its_waits) {
  cli_result *r = run("stress lock-order --scheduler pct -n 200 --seed 5");
  ck_assert_int_eq(r->status, 1);
  ck_assert(matches(r->out, "^  deadlock \\(thread 0 waits for mutex#[01] held by thread 1; "
                            "thread 1 waits for mutex#[01] held by thread 0\\) .* deadlock "));
  regex_t re;
  regmatch_t m[2];
  ck_assert_int_eq(regcomp(&re, "^reproduce: [^ ]+ (replay lock-order .*)$", REG_EXTENDED | REG_NEWLINE), 0);
  ck_assert_int_eq(regexec(&re, r->out, 2, m, 0), 0);
  regfree(&re);
  char args[1024];
  snprintf(args, sizeof args, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), r->out + m[1].rm_so);
  r = run(args);
  ck_assert_int_eq(r->status, 1);
  ck_assert(matches(r->out, "^outcome: deadlock \\(thread 0 waits for mutex#"));
  ck_assert(matches(r->out, "^verdict: deadlock$"));
}
END_TEST

/* A deadlock's schedule, traced, shrunk and saved, replays from the file;
 * the file checked against another scenario, and damaged, is refused. */
START_TEST(schedules_trace_save_and_replay) {
  char dir[] = "/tmp/jostle-cli-XXXXXX", args[512], path[300];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/deadlock.sched", dir);
  snprintf(args, sizeof args, "replay lock-order --scheduler pct --seed 0x35f6260f224f4d1e "
                              "--trace --shrink --save-schedule %s", path);
  cli_result *r = run(args);
  ck_assert_msg(r->status == 1, "exit %d: %s%s", r->status, r->out, r->err);
  ck_assert(matches(r->out, "^shrunk: [0-9]+ -> [0-9]+ context switches, [0-9]+ -> [0-9]+ "
                            "decisions \\([0-9]+ replays\\)$"));
  /* trace lines: step, thread, call, object, source line and function */
  ck_assert_msg(matches(r->out, "^ +[0-9]+  T[01] +pthread_mutex_lock +(mutex#[01] )?state\\+0x[0-9a-f]+ "
                                "+scenarios/lock_order\\.c:[0-9]+ \\(source_first_thread\\)$"),
                "trace: %s", r->out);
  ck_assert(matches(r->out, "^ +[0-9]+  T[01] +blocks on mutex#[01] \\(held by T[01]\\)$"));
  ck_assert(matches(r->out, "^ +T[01] -> T[01]$"));
  ck_assert(matches(r->out, "^outcome: deadlock \\(thread 0 waits for mutex#"));
  ck_assert(matches(r->out, "^schedule: .*deadlock\\.sched \\([0-9]+ decisions, [0-9]+ context switches\\)$"));

  snprintf(args, sizeof args, "replay --schedule %s", path);
  r = run(args);
  ck_assert_msg(r->status == 1, "exit %d: %s%s", r->status, r->out, r->err);
  ck_assert(matches(r->out, "^outcome: deadlock \\(thread 0 waits for mutex#"));
  ck_assert(matches(r->out, "^recorded: deadlock .*\\[deadlock\\]: the same$"));

  snprintf(args, sizeof args, "replay counter --schedule %s", path);
  r = run(args);
  ck_assert_int_eq(r->status, 2);
  ck_assert_int_eq(count_lines(r->err), 1);
  ck_assert_ptr_nonnull(strstr(r->err, "lock-order"));

  FILE *f = fopen(path, "r+");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fseek(f, 60, SEEK_SET), 0);
  fputc('#', f);
  fclose(f);
  snprintf(args, sizeof args, "replay --schedule %s", path);
  r = run(args);
  ck_assert_int_eq(r->status, 2);
  ck_assert_int_eq(count_lines(r->err), 1);
  ck_assert_ptr_nonnull(strstr(r->err, path));
  ck_assert(r->out[0] == '\0');

  snprintf(args, sizeof args, "rm -rf %s", dir);
  ck_assert_int_eq(system(args), 0);
}
END_TEST

START_TEST(patterns_and_all_select_scenarios) {
  cli_result *r = run("stress 'counter-*' -n 2000 --seed 1");
  ck_assert_int_eq(r->status, 0);
  ck_assert(matches(r->out, "^result counter-mutex runs=2000 "));
  ck_assert(matches(r->out, "^result counter-atomic runs=2000 "));
  ck_assert(matches(r->out, "^result counter-owner runs=2000 "));
  ck_assert(!matches(r->out, "^result counter "));
}
END_TEST

int main(void) {
  Suite *s = suite_create("cli");
  TCase *tc = jostle_check_case(s, "cli", 60, 0);
  tcase_add_loop_test(tc, bad_input_is_one_line_and_exit_2, 0,
                      (int)(sizeof bad_inputs / sizeof bad_inputs[0]));
  tcase_add_test(tc, every_command_has_help);
  tcase_add_test(tc, list_shows_scenarios_and_kinds);
  tcase_add_test(tc, topology_prints_units);
  tcase_add_test(tc, clean_run_exits_0_with_result_line);
  tcase_add_test(tc, reproduce_command_reproduces);
  tcase_add_test(tc, patterns_and_all_select_scenarios);
  tcase_add_test(tc, controlled_reproduce_replays_exactly);
  tcase_add_test(tc, deadlock_replays_with_its_waits);
  tcase_add_test(tc, schedules_trace_save_and_replay);
  return jostle_check_run(s);
}
