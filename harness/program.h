/*
 * program.h: private to jostle. Program mode: an ordinary program, built
 * with jostle-cc, whose `main` is the scenario.
 *
 * `jostle run [options] -- ./prog args` runs the program itself with
 * JOSTLE_SERVE in its environment; its `main` (jostle's, wrapping the
 * program's: tools/program_main.c) then registers the program as a
 * scenario of one thread, whose body calls the program's `main` and then
 * `exit` with what it returned, and runs jostle's command inside the
 * program. Every run is a process of its own, forked by the worker from a
 * process in which the program's `main` never ran (harness/worker.c):
 * each run starts from the program's initial state, and ends as the
 * program's process would, by its exit, its death or a verdict of
 * jostle's.
 */
#ifndef JOSTLE_PROGRAM_H
#define JOSTLE_PROGRAM_H

#include <stddef.h>

#include "jostle.h"

/* The environment variable that asks a program to serve jostle, and what
 * separates the words of the command it holds. */
#define JOSTLE__SERVE_ENV "JOSTLE_SERVE"
#define JOSTLE__SERVE_SEP '\x1f'
/* A text every program jostle-cc builds holds, and jostle looks for. */
#define JOSTLE__SERVE_MARK "jostle-serves-programs-v1"
/* What LD_PRELOAD held before `jostle run` preloaded jostle into a program
 * that was not rebuilt (tools/preload.c), for its own children. */
#define JOSTLE__PRELOAD_WAS_ENV "JOSTLE_PRELOAD_WAS"
/* The library `jostle run` preloads, beside jostle or in ../lib. */
#define JOSTLE__PRELOAD_LIB "libjostle-preload.so"

typedef int (*jostle__program_main_fn)(int argc, char **argv, char **envp);

/* Where the program's own data lies (tools/program_begin.c): its
 * writable data, its zeroed data, and a function that gives the bounds of
 * its thread-local variables in the calling thread. */
typedef struct jostle__program_image {
  char *data, *data_end;
  char *bss, *bss_end;
  void (*tls)(char **data, char **data_end, char **zero, char **zero_end);
} jostle__program_image;

/* The program being served, or NULL: this process runs scenarios. */
typedef struct jostle__program {
  jostle__program_main_fn main;
  int argc;
  char **argv;                  /* the program's own: argv[0] is its path */
  char **envp;
  char name[32];                /* the scenario's name, from argv[0] */
  char invocation[512];         /* " -- ./prog 'an arg'", for reproduce lines */
  jostle__program_image image;
  int rebuilt;                  /* by jostle-cc; else preloaded: its data,
                                   loads and stores are not jostle's */
  jostle_scenario scenario;
} jostle__program;

extern jostle__program *jostle__program_served;

/* In a program jostle-cc built: where its own data lies
 * (tools/program_main.c). */
void jostle__program_image_of_self(jostle__program_image *image);

/* Makes the program given by main, image, argc, argv and envp the one
 * this process serves, registered as its scenario. Returns 0, or jostle's
 * exit status, having said why in one line. */
int jostle__program_adopt(jostle__program_main_fn main, const jostle__program_image *image,
                          int argc, char **argv, char **envp);

/* In a program built with jostle-cc, before its main: serves the command
 * `serve` (JOSTLE_SERVE's value) on the program given by main, image,
 * argc, argv and envp. Returns jostle's exit status. An image whose data
 * is NULL is a program that was not rebuilt, into which jostle was
 * preloaded (tools/preload.c). */
int jostle__program_serve(const char *serve, jostle__program_main_fn main,
                          const jostle__program_image *image, int argc, char **argv,
                          char **envp);

/* --allow-exit LIST: the program's exit statuses that are allowed
 * outcomes ("0,3": exit=0 and exit=3; exit=0 alone by default). The
 * option joins the program's invocation, so that reproduce lines keep it.
 * Returns NULL, or what is wrong with `list` (no program served
 * included). */
const char *jostle__program_allow_exit(const char *list);

/* --outcome REGEX: a run of the program that exits with an allowed status
 * has for outcome what the first match of REGEX (POSIX extended, ^ and $
 * at each line) in its output says: the whole match, or its groups joined
 * by spaces. --allow REGEX: such an outcome is allowed when REGEX matches
 * its whole text (without it, every one is). Both join the program's
 * invocation. Return NULL, or what is wrong (one line). */
const char *jostle__program_outcome(const char *regex);
const char *jostle__program_allow(const char *regex);
/* Once every option is read (races: --races; controlled: whether a
 * controlled scheduler will run it): NULL, or what is wrong with them
 * together. Says in one line what a controlled scheduler sees of a
 * program that was not rebuilt. */
const char *jostle__program_options_done(int races, int controlled);

/* The outcome --outcome takes from the n bytes a run wrote at `bytes`,
 * the program having exited with status: 1 with its text in text (size
 * bytes), 0 when nothing matched, -1 when the exit's own outcome stands
 * (no --outcome, or a status not allowed). */
int jostle__program_printed(int status, const char *bytes, size_t n, char *text,
                            size_t size);
/* Whether an outcome --outcome took is allowed (--allow). */
int jostle__program_printed_allowed(const char *text);

/* A run of the served program whose outcome is a text of jostle's
 * (verdict), or its exit status (an observation, so that the scenario's
 * allowed list says which are allowed), which a race's run keeps as the
 * check's outcome. */
void jostle__program_exit_run(jostle_run *r, int n_threads, int verdict, const char *text,
                              int status);

/* In a run's process: from now on, the program's exit (exit from any
 * thread, or main's return) calls on_exit(ctx, status) once, after the
 * exit handlers registered in main, with stdio flushed; the process then
 * ends with that status, without the handlers registered before main. */
void jostle__program_arm(void (*on_exit)(void *ctx, int status), void *ctx);

/* In a run's process, once jostle ended the run itself (a verdict): the
 * process's exit is no longer the program's. */
void jostle__program_disarm(void);

/* In a worker before its first run: makes the program's runs share the
 * worker's process (harness/program_reset.h). Returns NULL, or why they
 * cannot (one line): each run then gets a process of its own. */
const char *jostle__program_share(void);

/* Around one run that shares the process. From arm to disarm, the
 * program's exit ends the run instead of the process, and disarm returns
 * whether it exited, with its status in *status. The exit of a thread
 * that is not main, in an uncontrolled run, ends the process instead,
 * after on_exit(ctx, status), which must not return. */
void jostle__program_arm_shared(void (*on_exit)(void *ctx, int status), void *ctx);
int jostle__program_disarm_shared(int *status);

/* Called by the program's exit and _exit (tools/program_main.c), before
 * the real ones. `flushed`: stdio buffers and exit handlers will run. */
void jostle__program_exiting(int status, int flushed);

#endif
