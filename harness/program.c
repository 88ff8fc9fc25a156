/*
 * program.c: program mode (see program.h): the served program as a
 * scenario, and the hook that turns its exit into the run's outcome.
 */
#include "harness/program.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "schedulers/control.h"
#include "schedulers/sched.h"

jostle__program *jostle__program_served;

static jostle__program served;

static const char *const exit_zero[] = {"exit=0", NULL};

/* Where pthread_exit in main lands (a controlled run's). */
static jmp_buf main_exited;

static void main_pthread_exit(void) { longjmp(main_exited, 1); }

/* The run's one scenario thread is the program's main thread: it exits as
 * a process does when main returns. When main calls pthread_exit, the
 * process goes on until its other threads are done, then exits with 0. */
static void program_thread(jostle_run *r, int index) {
  (void)r, (void)index;
  if (setjmp(main_exited) == 0) {
    jostle__pool_thread_exit = main_pthread_exit;
    exit(served.main(served.argc, served.argv, served.envp));
  }
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  if (c != NULL) jostle__control_await_created(c, me);
  exit(0);
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

int jostle__program_serve(const char *serve, jostle__program_main_fn main, int argc,
                          char **argv, char **envp) {
  served.main = main;
  served.argc = argc;
  served.argv = argv;
  served.envp = envp;
  name_from(argc > 0 ? argv[0] : "program", served.name, sizeof served.name);
  char *words_typed = jostle__shell_join(argc, argv);
  int fits = words_typed != NULL &&
             snprintf(served.invocation, sizeof served.invocation, " -- %s", words_typed) <
                 (int)sizeof served.invocation;
  free(words_typed);
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

/* ---- a run's exit ----------------------------------------------------- */

static struct {
  void (*on_exit)(void *ctx, int status);
  void *ctx;
  pid_t pid;                    /* the run's process (not a child it forks) */
  int armed;
  int status;
} hook;

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
  hook.armed = 1;
  atexit(at_exit);
}

void jostle__program_disarm(void) { hook.armed = 0; }

void jostle__program_exiting(int status, int flushed) {
  if (!hook.armed || getpid() != hook.pid) return;
  hook.status = status & 0xff;
  if (!flushed) fire();
}
