/*
 * program.c: program mode (see program.h): the served program as a
 * scenario, and the hook that turns its exit into the run's outcome.
 */
#include "harness/program.h"

#include <regex.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "harness/capture.h"
#include "harness/heap.h"
#include "harness/program_calls.h"
#include "harness/program_reset.h"
#include "harness/program_stdin.h"
#include "harness/run.h"
#include "schedulers/control.h"
#include "schedulers/sched.h"
#include "schedulers/spares.h"

jostle__program *jostle__program_served;

static jostle__program served;

static const char *const exit_zero[] = {"exit=0", NULL};

/* --allow-exit's statuses, as outcome texts */
#define MAX_ALLOWED_EXITS 32
static char allowed_texts[MAX_ALLOWED_EXITS][12];
static const char *allowed_exits[MAX_ALLOWED_EXITS + 1];

/* Where main's end lands: MAIN_PTHREAD_EXIT from pthread_exit in main
 * (a controlled run's, or one sharing the worker's process), MAIN_EXITED
 * from the exit of a run that shares the process (uncontrolled). */
enum { MAIN_RUNS, MAIN_PTHREAD_EXIT, MAIN_EXITED };
static jmp_buf main_over;

static void main_pthread_exit(void) { longjmp(main_over, MAIN_PTHREAD_EXIT); }

/* The command line main gets, a fresh copy for every run that shares the
 * process: a program may write into its arguments. */
static struct {
  char **argv;
  char **pristine;        /* argc + 1 pointers, then the strings */
  size_t size;
} args;

static int copy_args(void) {
  size_t size = (size_t)(served.argc + 1) * sizeof(char *);
  for (int i = 0; i < served.argc; i++) size += strlen(served.argv[i]) + 1;
  args.argv = malloc(size);
  args.pristine = malloc(size);
  if (args.argv == NULL || args.pristine == NULL) return -1;
  char *text = (char *)(args.argv + served.argc + 1);
  for (int i = 0; i < served.argc; i++) {
    args.argv[i] = text;
    text = stpcpy(text, served.argv[i]) + 1;
  }
  args.argv[served.argc] = NULL;
  args.size = size;
  memcpy(args.pristine, args.argv, size);
  return 0;
}

static struct {
  void (*on_exit)(void *ctx, int status);
  void *ctx;
  pid_t pid;                    /* the run's process (not a child it forks) */
  int armed;
  int shared;                   /* the run shares the worker's process */
  int exiting;                  /* shared: the program's exit has begun */
  int exited;
  int status;
} hook;

/* The program's exit when main returns, whether or not the link wraps
 * jostle's own calls to exit (a fuzz target's does not). */
static _Noreturn void main_exit(int status) {
  jostle__program_exiting(status, 1);
  exit(status);
}

/* The run's one scenario thread is the program's main thread: it exits as
 * a process does when main returns. When main calls pthread_exit, the
 * process goes on until its other threads are done, then exits with 0. */
static void program_thread(jostle_run *r, int index) {
  (void)r, (void)index;
  if (hook.shared) memcpy(args.argv, args.pristine, args.size);
  int how = setjmp(main_over);
  if (how == MAIN_RUNS) {
    jostle__pool_thread_exit = main_pthread_exit;
    main_exit(served.main(served.argc, hook.shared ? args.argv : served.argv, served.envp));
  }
  if (how == MAIN_EXITED) return;
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c != NULL) jostle__control_await_created(c, me);
  else if (hook.shared) jostle__spares_await();
  main_exit(0);
}

/* Reached only by a run that never ran main to its end. */
static void program_check(jostle_run *r) { (void)r; }

/* [a-z0-9-]: what a scenario's name may hold. */
static void name_from(const char *path, char *name, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = 0;
  for (; *base && n + 1 < size; base++) {
    char ch = *base;
    if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) ch = '-';
    name[n++] = ch;
  }
  if (n == 0) name[n++] = 'p';
  name[n] = '\0';
}

int jostle__program_adopt(jostle__program_main_fn main, const jostle__program_image *image,
                          int argc, char **argv, char **envp) {
  served.main = main;
  served.image = *image;
  served.rebuilt = image->data != NULL;
  served.argc = argc;
  served.argv = argv;
  served.envp = envp;
  name_from(argc > 0 ? argv[0] : "program", served.name, sizeof served.name);
  char *words_typed = jostle__shell_join(argc, argv);
  /* a run reads the input jostle was given: a file's name goes with it */
  char input[256], *input_typed = NULL;
  jostle__program_stdin_file(input, sizeof input);
  char *const input_words[] = {input};
  if (input[0]) input_typed = jostle__shell_join(1, input_words);
  int fits = words_typed != NULL && (input_typed != NULL || !input[0]) &&
             snprintf(served.invocation, sizeof served.invocation, " -- %s%s%s", words_typed,
                      input_typed ? " < " : "", input_typed ? input_typed : "") <
                 (int)sizeof served.invocation;
  free(words_typed);
  free(input_typed);
  if (!fits) {
    fprintf(stderr, "jostle: the program's command line is too long for a reproduce "
                    "line (at most %zu bytes)\n", sizeof served.invocation - 5);
    return 2;
  }
  served.scenario = (jostle_scenario){
      .name = served.name,
      .summary = "an ordinary program, run by jostle run",
      .threads = 1,
      .min_threads = 1,
      .max_threads = 1,
      .thread = program_thread,
      .check = program_check,
      .allowed = exit_zero,
  };
  jostle_register(&served.scenario);
  jostle__program_served = &served;
  return 0;
}

int jostle__program_serve(const char *serve, jostle__program_main_fn main,
                          const jostle__program_image *image, int argc, char **argv,
                          char **envp) {
  int adopted = jostle__program_adopt(main, image, argc, argv, envp);
  if (adopted != 0) return adopted;
  /* The command's words, then the scenario's name. */
  char *words = strdup(serve);
  int n = 3;
  for (const char *s = serve; *s; s++) n += *s == JOSTLE__SERVE_SEP;
  char **jargv = calloc((size_t)n + 1, sizeof *jargv);
  if (words == NULL || jargv == NULL) {
    free(words);
    free(jargv);
    fprintf(stderr, "jostle: out of memory\n");
    return 3;
  }
  int k = 0;
  jargv[k++] = "jostle";
  for (char *w = words;;) {
    char *end = strchr(w, JOSTLE__SERVE_SEP);
    if (end) *end = '\0';
    jargv[k++] = w;
    if (!end) break;
    w = end + 1;
  }
  jargv[k++] = served.name;
  jargv[k] = NULL;
  int status = jostle_main(k, jargv);
  free(jargv);
  free(words);
  return status;
}

/* Puts "--NAME VALUE" before the program in reproduce lines, after the
 * options put there before. Returns NULL,
 * or why it cannot. */
static const char *keep_option(const char *name, const char *value) {
  char *quoted = jostle__shell_join(1, (char *const *)&value);
  if (quoted == NULL) return "out of memory";
  char with[sizeof served.invocation];
  const char *program = strstr(served.invocation, " -- ");
  int fits = program != NULL &&
             snprintf(with, sizeof with, "%.*s --%s %s%s", (int)(program - served.invocation),
                      served.invocation, name, quoted, program) < (int)sizeof with;
  free(quoted);
  if (!fits) return "the program's command line is too long for a reproduce line";
  snprintf(served.invocation, sizeof served.invocation, "%s", with);
  return NULL;
}

const char *jostle__program_allow_exit(const char *list) {
  if (jostle__program_served == NULL)
    return "only a program has exit statuses: jostle run [options] -- PROGRAM";
  int n = 0;
  for (const char *at = list;;) {
    char *end;
    long status = strtol(at, &end, 10);
    if (end == at || status < 0 || status > 255 || (*end != ',' && *end != '\0'))
      return "expected exit statuses 0 to 255, separated by commas, like 0,3";
    if (n == MAX_ALLOWED_EXITS) return "too many statuses (at most 32)";
    snprintf(allowed_texts[n], sizeof allowed_texts[n], "exit=%ld", status);
    allowed_exits[n] = allowed_texts[n];
    n++;
    if (*end == '\0') break;
    at = end + 1;
  }
  allowed_exits[n] = NULL;
  served.scenario.allowed = allowed_exits;
  /* reproduce lines name the program with its allowed statuses */
  return keep_option("allow-exit", list);
}

/* ---- outcomes a program prints ---------------------------------------- */

static struct {
  int outcome, allow;           /* given: outcome_re, allow_re compiled */
  regex_t outcome_re, allow_re;
  char bytes[JOSTLE__CAPTURE_BYTES + 1];
} printed;

/* --NAME REGEX, compiled into re (*given set), and kept in the program's
 * invocation; NULL, or what is wrong. */
static const char *regex_option(const char *name, const char *regex, regex_t *re, int *given) {
  static char why[128];
  if (jostle__program_served == NULL)
    return "only a program prints its outcome: jostle run [options] -- PROGRAM";
  if (*given) return "given twice";
  int rc = regcomp(re, regex, REG_EXTENDED | REG_NEWLINE);
  if (rc != 0) {
    regerror(rc, re, why, sizeof why);
    return why;
  }
  *given = 1;
  return keep_option(name, regex);
}

const char *jostle__program_outcome(const char *regex) {
  return regex_option("outcome", regex, &printed.outcome_re, &printed.outcome);
}

const char *jostle__program_allow(const char *regex) {
  return regex_option("allow", regex, &printed.allow_re, &printed.allow);
}

const char *jostle__program_options_done(int races, int controlled) {
  if (printed.allow && !printed.outcome)
    return "--allow REGEX judges the outcomes --outcome REGEX takes from what the "
           "program wrote: give --outcome too (exit statuses: --allow-exit)";
  if (jostle__program_served == NULL || served.rebuilt) return NULL;
  if (races)
    return "--races needs a program rebuilt with jostle-cc: the loads and stores of one "
           "that was not are not seen";
  if (controlled)
    fprintf(stderr, "jostle: %s: not rebuilt with jostle-cc: the controlled schedulers "
                    "switch at its synchronisation calls only (a replay is exact where "
                    "they guard its shared data)\n", served.name);
  return NULL;
}

static int exit_allowed(int status) {
  char text[12];
  snprintf(text, sizeof text, "exit=%d", status);
  for (const char *const *a = served.scenario.allowed; *a; a++)
    if (strcmp(*a, text) == 0) return 1;
  return 0;
}

/* Appends the n bytes at s to buf (len bytes used of size), control
 * characters as spaces. */
static size_t put(char *buf, size_t len, size_t size, const char *s, size_t n) {
  for (size_t i = 0; i < n && len + 1 < size; i++)
    buf[len++] = (unsigned char)s[i] < ' ' || s[i] == 0x7f ? ' ' : s[i];
  buf[len] = '\0';
  return len;
}

int jostle__program_printed(int status, const char *bytes, size_t n, char *text,
                            size_t size) {
  if (!printed.outcome || !exit_allowed(status)) return -1;
  if (n > JOSTLE__CAPTURE_BYTES) n = JOSTLE__CAPTURE_BYTES;
  if (n > 0) memcpy(printed.bytes, bytes, n);
  printed.bytes[n] = '\0';
  /* a NUL byte ends what is searched, as it ends a line of text */
  regmatch_t m[10];
  size_t groups = printed.outcome_re.re_nsub < 9 ? printed.outcome_re.re_nsub : 9;
  if (regexec(&printed.outcome_re, printed.bytes, groups + 1, m, 0) != 0) return 0;
  size_t len = 0;
  text[0] = '\0';
  if (groups == 0) len = put(text, 0, size, printed.bytes + m[0].rm_so,
                             (size_t)(m[0].rm_eo - m[0].rm_so));
  for (size_t g = 1; g <= groups; g++) {
    if (g > 1) len = put(text, len, size, " ", 1);
    if (m[g].rm_so >= 0)
      len = put(text, len, size, printed.bytes + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
  }
  if (text[0] == '\0') put(text, 0, size, "(empty match)", 13);
  jostle__utf8_clean(text);
  return 1;
}

int jostle__program_printed_allowed(const char *text) {
  if (!printed.allow) return 1;
  regmatch_t m;
  return regexec(&printed.allow_re, text, 1, &m, 0) == 0 && m.rm_so == 0 &&
         (size_t)m.rm_eo == strlen(text);
}

void jostle__program_exit_run(jostle_run *r, int n_threads, int verdict, const char *text,
                              int status) {
  memset(r, 0, sizeof *r);
  r->scenario = &served.scenario;
  r->n_threads = n_threads;
  r->verdict = verdict;
  r->verdict_text = text;
  if (verdict == JOSTLE__RUN_OK || verdict == JOSTLE__RUN_RACE) {
    r->n_obs = 1;
    r->obs_names[0] = "exit";
    r->obs_values[0] = status;
  }
}

/* ---- a run's exit ----------------------------------------------------- */

static void fire(void) {
  hook.armed = 0;
  /* jostle's own calls from here on are no scheduling points */
  jostle__thread_attach(NULL);
  hook.on_exit(hook.ctx, hook.status);
}

/* Registered in the run's process before main: runs after the exit
 * handlers main registered, and ends the process before those registered
 * earlier, by the process it was forked from (and by constructors). */
static void at_exit(void) {
  if (!hook.armed || getpid() != hook.pid) return;
  fflush(NULL);
  fire();
  /* The rest of exit is that process's: a leak check of the program's
   * memory (sanitizer builds) would be the program's, not the run's. */
  _exit(hook.status);
}

void jostle__program_arm(void (*on_exit)(void *ctx, int status), void *ctx) {
  hook.on_exit = on_exit;
  hook.ctx = ctx;
  hook.pid = getpid();
  hook.status = 0;
  hook.shared = 0;
  hook.armed = 1;
  atexit(at_exit);
}

void jostle__program_disarm(void) { hook.armed = 0; }

const char *jostle__program_share(void) {
  if (!served.rebuilt) return "it was not rebuilt with jostle-cc";
  if (jostle__heap_start() != 0) return "no room for its heap";
  if (copy_args() != 0) return "out of memory for its command line";
  return jostle__program_reset_mark(&served.image);
}

void jostle__program_arm_shared(void (*on_exit)(void *ctx, int status), void *ctx) {
  hook.on_exit = on_exit;
  hook.ctx = ctx;
  hook.pid = getpid();
  hook.status = 0;
  hook.shared = 1;
  hook.exiting = hook.exited = 0;
  hook.armed = 1;
}

int jostle__program_disarm_shared(int *status) {
  hook.armed = 0;
  hook.shared = 0;
  *status = hook.status;
  return hook.exited;
}

/* The program's exit in a run that shares the process: the run's exit
 * handlers, stdio flushed, and every thread of the run ended, as a
 * process's end ends them. Under a controlled run, the control ends
 * them; uncontrolled, main's own exit returns to program_thread. From
 * another thread, with main running, the run ends here, and so does the
 * process (hook.on_exit): later runs get processes of their own. */
static _Noreturn void shared_exit(int status, int flushed) {
  if (!hook.exiting) {
    hook.exiting = 1;
    if (flushed) jostle__program_calls_exit_handlers(status);
    fflush(NULL);
    hook.status = status & 0xff;
    hook.exited = 1;
  }
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c != NULL) jostle__control_halt(c, me);
  if (jostle__self != NULL) longjmp(main_over, MAIN_EXITED);
  hook.armed = 0;
  jostle__thread_attach(NULL);
  hook.on_exit(hook.ctx, hook.status);
  _exit(hook.status); /* on_exit ends the process */
}

void jostle__program_exiting(int status, int flushed) {
  if (!hook.armed || getpid() != hook.pid) return;
  if (hook.shared) shared_exit(status, flushed);
  hook.status = status & 0xff;
  if (!flushed) fire();
}
