/*
 * cli_run.h: shared by the test programs that drive the jostle binary
 * ($JOSTLE_BIN, jostle with the test scenarios): run a command to the end
 * and take its exit code and output, or start one in the background; a
 * temporary folder per test, which "%s" in a command's arguments names.
 */
#ifndef JOSTLE_CLI_RUN_H
#define JOSTLE_CLI_RUN_H

#include <check.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

/* jostle itself is built with the sanitizers in sanitizer builds: a report
 * in a command's stderr is a bug even when the command did its job. */
static inline void assert_no_sanitizer_report(const char *err) {
  ck_assert_msg(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error:") == NULL,
                "a sanitizer report: %s", err);
}

typedef struct cli_result {
  int status;        /* exit code, or 128 + signal */
  char out[65536];
  char err[8192];
} cli_result;

static inline void slurp(int fd, char *buf, size_t size) {
  size_t len = 0;
  ssize_t n;
  lseek(fd, 0, SEEK_SET);
  while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0) len += (size_t)n;
  buf[len] = '\0';
  close(fd);
}

/* Runs LINE, split like a shell would (no expansion): its first word is
 * the program. */
static inline cli_result *run_line(const char *line) {
  static cli_result r;
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
  assert_no_sanitizer_report(r.err);
  return &r;
}

/* Runs "$JOSTLE_BIN ARGS". */
static inline cli_result *run(const char *args) {
  const char *bin = getenv("JOSTLE_BIN");
  ck_assert_msg(bin != NULL, "JOSTLE_BIN names the binary under test");
  size_t size = strlen(bin) + strlen(args) + 2;
  char *line = malloc(size);
  ck_assert_ptr_nonnull(line);
  snprintf(line, size, "%s %s", bin, args);
  cli_result *r = run_line(line);
  free(line);
  return r;
}

static inline int matches(const char *text, const char *pattern) {
  regex_t re;
  ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
  int ok = regexec(&re, text, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

static inline int count_lines(const char *text) {
  int n = 0;
  for (; *text; text++) n += *text == '\n';
  return n;
}

static char tmp[64];  /* the running test's own folder */

/* tmp/name, in a static buffer per slot (0..2). */
static inline const char *in_tmp(int slot, const char *name) {
  static char paths[3][160];
  snprintf(paths[slot], sizeof paths[slot], "%s/%s", tmp, name);
  return paths[slot];
}

static inline void make_tmp(void) {
  snprintf(tmp, sizeof tmp, "/tmp/jostle-cli-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static inline void remove_tmp(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  ck_assert_int_eq(system(cmd), 0);
}

/* fmt with each "%s" replaced by the test's folder, into args. */
static inline void with_tmp(const char *fmt, char *args, size_t size) {
  size_t len = 0;
  for (const char *p = fmt; *p && len + sizeof tmp < size; p++) {
    if (p[0] == '%' && p[1] == 's') {
      len += (size_t)snprintf(args + len, size - len, "%s", tmp);
      p++;
    } else {
      args[len++] = *p;
    }
  }
  args[len] = '\0';
}

/* run() with each "%s" in fmt standing for the test's folder. */
static inline cli_result *run_in(const char *fmt) {
  char args[2048];
  with_tmp(fmt, args, sizeof args);
  return run(args);
}

/* Starts "$JOSTLE_BIN ARGS" (%s: this test's folder) with its output in
 * files of the folder; returns its pid. */
/* new_group: the command in a process group of its own (its pid), as a CI
 * job or a service manager starts it. */
static inline pid_t spawn_with(const char *fmt, int new_group) {
  char args[2048], line[2200], out_path[128], err_path[128];
  with_tmp(fmt, args, sizeof args);
  snprintf(line, sizeof line, "%s %s", getenv("JOSTLE_BIN"), args);
  snprintf(out_path, sizeof out_path, "%s/stdout", tmp);
  snprintf(err_path, sizeof err_path, "%s/stderr", tmp);
  wordexp_t words;
  ck_assert_int_eq(wordexp(line, &words, WRDE_NOCMD), 0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    if (new_group) setpgid(0, 0);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    execv(words.we_wordv[0], words.we_wordv);
    _exit(127);
  }
  wordfree(&words);
  return pid;
}

static inline pid_t spawn_in(const char *fmt) { return spawn_with(fmt, 0); }
static inline pid_t spawn_group_in(const char *fmt) { return spawn_with(fmt, 1); }

#endif
