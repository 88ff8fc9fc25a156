/*
 * cli.h: private to jostle's command line (cli/). What the commands share:
 * exit codes, error lines, the command table, option parsing and planning.
 * Each command is a jostle__cmd_* function in its own file; main.c
 * dispatches.
 */
#ifndef JOSTLE_CLI_H
#define JOSTLE_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "cli/options.h"
#include "harness/run.h"
#include "reports/formats.h"
#include "reports/result.h"

enum {
  EXIT_CLEAN = 0, EXIT_DIVERGED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3,
  EXIT_INTERRUPTED = 4,   /* stopped by SIGINT or SIGTERM, nothing found in what ran */
};

/* The exit status of a campaign's n cells: EXIT_INTERNAL when `failed`,
 * else EXIT_DIVERGED when a run was not allowed, else EXIT_INTERRUPTED
 * when a signal stopped a cell before its budget, else EXIT_CLEAN. */
int jostle__exit_status(const jostle__cell *cells, size_t n, int failed);

/* The program's name as invoked (argv[0]), and its whole command line. */
extern const char *jostle__prog;
extern int jostle__argc;
extern char **jostle__argv;

/* Prints "PROG: MESSAGE" on stderr; returns EXIT_USAGE. */
int jostle__usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Every scheduler's name (the portfolios' too when `portfolios`: not for
 * replay, which refuses them) and, in parentheses, the default def's, for
 * help texts and errors. */
void jostle__scheduler_names(const jostle__sched_ops *def, int portfolios, char *buf,
                             size_t size);

/* The controlled (1) or uncontrolled (0) schedulers campaigns run, the
 * last two joined by last_sep: "random, pct", "free and noise". */
void jostle__scheduler_kind_names(int controlled, const char *last_sep, char *buf,
                                  size_t size);

/* The schedulers campaigns run ("free, noise, random, pct" with sep ", "):
 * with `portfolios` 1 every one, 0 all but the portfolios (auto), -1 the
 * portfolios alone. */
void jostle__campaign_scheduler_names(const char *sep, int portfolios, char *buf, size_t size);

/* The configuration of scheduler `sched` under options o: the control
 * runtime's options and sched's own. */
void jostle__cli_sched_cfg(const jostle__opts *o, const jostle__sched_ops *sched,
                           jostle__sched_cfg *cfg);

/* Writes to out the options of sched that a reproduce command gives
 * (" --NAME VALUE" each), with the control runtime's when
 * `controlled_too`; without, as words of a schedule's origin (" depth
 * 3"). */
void jostle__sched_describe(const jostle__sched_ops *sched, const jostle__sched_cfg *cfg,
                            int controlled_too, FILE *out);

/* Help lines of the scheduler options: controlled ones (1), the others
 * (0) or all (-1); and the same as a list "--NAME VALUE, --NAME VALUE". */
void jostle__sched_help(int controlled, char *buf, size_t size);
void jostle__sched_option_list(int controlled, char *buf, size_t size);

/* Parses the options of command `cmd` (stress, soak or replay) into o.
 * Returns 0, -1 after printing help, or the exit code of an error. */
int jostle__cli_parse(const char *cmd, int argc, char **argv, jostle__opts *o);

/* The scenarios argv[optind..argc) name (names or shell patterns), in the
 * order named, each once, after every scenario when `all`. On success
 * *selected is a new array of *n_selected > 0 scenarios that the caller
 * frees. Returns 0 or an exit code. */
int jostle__cli_select(const char *cmd, int argc, char **argv, int all,
                       const jostle_scenario ***selected, int *n_selected);

/* Refuses a -D that no selected scenario takes (known[d] 0, as
 * jostle__cli_plan left it). Returns 0 or an exit code. */
int jostle__cli_check_defines(const jostle__opts *o, const int *known,
                              const jostle_scenario *const *selected, int n_selected);

/* Fills plan p for scenario s from the options; `known` marks, per -D,
 * whether s takes it. Returns 0 or an exit code. */
int jostle__cli_plan(const jostle_scenario *s, const jostle__opts *o, jostle__plan *p,
                     int *known);

/* Fills what a cell says about its plan: names, params, the command that
 * reruns it and the rest of its reproduce commands. Returns 0, or the exit
 * code of an error (out of memory). */
int jostle__cli_describe(const jostle__plan *p, jostle__cell *c);

/* Sets c's seed_prefix and seed_suffix, what its reproduce commands add
 * around a seed, from c->controlled: ` --seed S` replays a controlled run,
 * ` --run-seed S -n 100000 --until-divergence` reruns any other. */
void jostle__cli_reproduce_syntax(jostle__cell *c);

/* Sets c's racy_try, what its reports suggest when c is known racy and no
 * run diverged, from c->scheduler and c->controlled (hint.c): an
 * uncontrolled scheduler's cell tries the first controlled scheduler this
 * program can run; any other tries more runs or the other schedulers of
 * its kind ("more runs (-n) or --scheduler NAME"). A cell whose race only
 * --races can see and that ran without it (`needs_races`) tries that, with
 * a controlled scheduler. A cell read from a results file whose hint says
 * it keeps that. */
void jostle__cli_racy_try(jostle__cell *c, int needs_races);

/* Blocks SIGINT and SIGTERM: campaigns wait for them and stop cleanly. */
void jostle__cli_block_stop_signals(void);

/* The report files of a command (outputs.c). */

/* Whether a report file can be made at `path`, given by `option` (its
 * folder exists and it is not a folder): 0, or EXIT_USAGE after one line. */
int jostle__check_output_path(const char *option, const char *path);

/* Sets the configuration fields of m from the options; n_jobs is the
 * most worker processes a cell used. */
void jostle__meta_config(jostle__report_meta *m, const jostle__opts *o, int n_jobs);

/* Writes the n cells to each report file whose path is not NULL, paths
 * being indexed as jostle__report_formats, in registry order. Returns 0, or
 * EXIT_INTERNAL after one line per file that could not be written (the
 * others are written all the same). */
int jostle__write_reports(const jostle__report_meta *m, const jostle__cell *cells, size_t n,
                          const char *const *paths);

/* The registry index of the format results are read back from (JSON): the
 * one `report`, `merge` and `report --history` read and `merge` writes. */
int jostle__results_format(void);

/* JSON results files read whole (results.c). */
typedef struct jostle__results {
  size_t n_files;
  jostle__report_meta *metas;  /* owned; one per file */
  size_t *first_cell;          /* owned; file f's cells are [first_cell[f],
                                  first_cell[f + 1]) */
  size_t n_cells;
  jostle__cell *cells;         /* owned, with their outcomes */
} jostle__results;

/* Reads the n files into l, their cells concatenated in order. Returns 0,
 * or EXIT_USAGE after one line naming the file and what is wrong with it
 * (l then owns nothing). */
int jostle__results_load(char *const *paths, size_t n, jostle__results *l);

/* Frees what l owns. */
void jostle__results_free(jostle__results *l);

/* `report --history`: the trend across the soaks whose folders (or JSON
 * results) are named. Returns the exit code. */
int jostle__history(char *const *args, size_t n);

/* A command of the command line: `jostle NAME ...` calls run with argv
 * from NAME on; help prints its help text. */
typedef struct jostle__command {
  const char *name;
  int (*run)(int argc, char **argv);   /* returns the exit code */
  void (*help)(void);
} jostle__command;

/* Every command, in the order of the main help, NULL-name-ended (main.c). */
extern const jostle__command jostle__commands[];

/* The command called `name`, or NULL. */
const jostle__command *jostle__command_find(const char *name);

/* The commands, one file each, and their help. */
int jostle__cmd_stress(int argc, char **argv);
/* stress's campaign, its errors naming the command typed (cmd: "run" in
 * a program jostle run started). */
int jostle__stress_as(const char *cmd, int argc, char **argv);
int jostle__cmd_soak(int argc, char **argv);
int jostle__cmd_report(int argc, char **argv);
int jostle__cmd_merge(int argc, char **argv);
int jostle__cmd_replay(int argc, char **argv);
int jostle__cmd_list(int argc, char **argv);
int jostle__cmd_topology(int argc, char **argv);
int jostle__cmd_run(int argc, char **argv);
void jostle__help_stress(void);
void jostle__help_soak(void);
void jostle__help_report(void);
void jostle__help_merge(void);
void jostle__help_replay(void);
void jostle__help_list(void);
void jostle__help_topology(void);
void jostle__help_run(void);

/* Program mode (cli/run.c). The index of "--" among a command's words, or
 * -1. */
int jostle__program_split(int argc, char **argv);
/* Runs command `cmd` with the options argv[1 .. split) on the program
 * argv[split + 1] and its arguments, built with jostle-cc: starts the
 * program, which runs the command. Returns only on an error (messages
 * name the command `typed`), its exit status. `default_random`: the
 * scheduler is random unless given. */
int jostle__program_start(const char *typed, const char *cmd, int argc, char **argv,
                          int split, int default_random);

/* The scheduler options every command shares, as the soak help lists
 * them: "runs, scheduling: --seed, ... -j as for stress", wrapped. */
void jostle__sched_shared_options(char *buf, size_t size);

#endif
