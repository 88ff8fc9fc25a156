/*
 * cli.h: private to jostle. What the commands of the command line share:
 * exit codes, error lines, option parsing and planning. Each command is a
 * jostle__cmd_* function; cli.c dispatches.
 */
#ifndef JOSTLE_CLI_H
#define JOSTLE_CLI_H

#include <stddef.h>

#include "harness/options.h"
#include "harness/run.h"
#include "reports/result.h"

enum { EXIT_CLEAN = 0, EXIT_DIVERGED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* The program's name as invoked (argv[0]). */
extern const char *jostle__prog;

/* Prints "PROG: MESSAGE" on stderr; returns EXIT_USAGE. */
int jostle__usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "free, noise, random, pct, replay (free)" for help texts. */
void jostle__scheduler_names(char *buf, size_t size);

/* Parses the options of command `cmd` (stress or replay) into o. Returns
 * 0, -1 after printing help, or the exit code of an error. */
int jostle__cli_parse(const char *cmd, int argc, char **argv, jostle__opts *o);

/* Fills plan p for scenario s from the options; `known` marks, per -D,
 * whether s takes it. Returns 0 or an exit code. */
int jostle__cli_plan(const jostle_scenario *s, const jostle__opts *o, jostle__plan *p,
                     int *known);

/* Fills what a cell says about its plan: names, params, the command that
 * reruns it. */
void jostle__cli_describe(const jostle__plan *p, jostle__cell *c);

/* Blocks SIGINT and SIGTERM: campaigns wait for them and stop cleanly. */
void jostle__cli_block_stop_signals(void);

int jostle__cmd_replay(int argc, char **argv);
extern const char jostle__replay_help[];

#endif
