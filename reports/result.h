/*
 * result.h: private to jostle. The result model: what a campaign measured,
 * filled by the harness and read by every reporter. Reporters read nothing
 * else, so that a result saved and loaded again reports the same.
 */
#ifndef JOSTLE_RESULT_H
#define JOSTLE_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/text.h"

typedef enum jostle__class {
  JOSTLE__ALLOWED,    /* the check accepted the outcome */
  JOSTLE__DIVERGENT,  /* the check rejected it */
  JOSTLE__CRASH,      /* the run died: a signal, or exit() from the scenario */
  JOSTLE__HANG,       /* the run made no progress within the timeout */
  JOSTLE__DEADLOCK,   /* controlled: every live thread blocked */
  JOSTLE__STEP_LIMIT, /* controlled: more points than the step limit */
  JOSTLE__LIMIT,      /* the run needed more than jostle could give it (memory,
                         its most threads): jostle's limit, not the scenario's fault */
  JOSTLE__RACE,       /* controlled, --races: a data race (schedulers/races.h) */
  JOSTLE__N_CLASSES
} jostle__class;

/* "allowed", "DIVERGENT", "crash", "hang". */
const char *jostle__class_name(jostle__class cls);

#define JOSTLE__TEXT_MAX 192

/* The most outcomes a cell lists by their text. When there are more, it
 * lists those first in content order (jostle__outcome_cmp) and counts the
 * runs of the others in one line per class (jostle__other_text): which
 * ones are listed, and their counts, are then those of the runs alone, not
 * of which worker or batch ran which runs. */
#define JOSTLE__MAX_LISTED 768

#define JOSTLE__DETAIL_MAX 512
#define JOSTLE__OUTPUT_MAX 512
#define JOSTLE__RACE_REPORT_MAX 2048

typedef struct jostle__outcome {
  jostle__class cls;
  char text[JOSTLE__TEXT_MAX];  /* "counter=1 (lost increments)" */
  uint64_t count;
  uint64_t first_run;           /* smallest run index with this outcome */
  uint64_t first_seed;          /* that run's seed */
  /* What more is known of the first run: a crash's signal, address and
   * backtrace ("SIGSEGV (address 0x10) at file.c:12 (fn), called from
   * ..."), what a race's check said of it ("the check: counter=2,
   * allowed": jostle__race_check_detail); "" for nothing. Not part of the
   * outcome's identity. */
  char detail[JOSTLE__DETAIL_MAX];
  /* What the first run wrote to its stdout and stderr, its first bytes up
   * to a NUL, cut at a whole UTF-8 character; "" for nothing. Not part of
   * the outcome's identity either. */
  char output[JOSTLE__OUTPUT_MAX];
  /* A race's runs still run the scenario's check: of its count, those the
   * check judged divergent too (the others it allowed). 0 for any other
   * class. */
  uint64_t n_check_divergent;
  /* A race's full report of its first run: the data, and each access
   * with its thread, operation, size, step and call stack
   * (schedulers/races.h, jostle__race_report); "" for none. Not part of
   * the outcome's identity. */
  char race_report[JOSTLE__RACE_REPORT_MAX];
  /* The steps of the first run's two racing accesses, the earlier first,
   * for a traced replay to mark; 0 when unknown (not in results files). */
  uint64_t race_steps[2];
} jostle__outcome;

/* A race's detail: what the check said of its first run, the outcome
 * `text` of class cls (allowed or divergent): "the check: counter=2,
 * allowed". */
void jostle__race_check_detail(const char *text, jostle__class cls, char *buf, size_t size);

/* Where a cell stood at one moment of its campaign. */
typedef struct jostle__sample {
  uint64_t elapsed_ns;
  uint64_t n_runs;
  uint64_t n_divergent;
} jostle__sample;

#define JOSTLE__MAX_SAMPLES 256

/* A member of a portfolio's cell (--scheduler auto): the strategy that
 * ran some of its runs, and the command that replays one of them. */
typedef struct jostle__member {
  char scheduler[32];
  /* Like jostle__cell.command, the member's: it names the member and its
   * options, so that a reproduce command replays the run exactly. Owned. */
  char *command;
} jostle__member;

/* The most members a cell lists (a portfolio's, sched.h's bound). */
#define JOSTLE__CELL_MAX_MEMBERS 8

/* One scenario under one scheduler and placement. */
typedef struct jostle__cell {
  char scenario[64];
  int racy;                     /* a known-racy demonstration */
  char scheduler[32];
  char placement[16];
  char params[JOSTLE__PARAMS_MAX]; /* "threads=2 increments=1" */
  /* The command line that reruns this cell, without its seed options;
   * owned (jostle__cell_set_command), NULL for none. */
  char *command;
  /* A reproduce command is command, seed_prefix, a run's seed (0x and 16
   * hex digits), seed_suffix, program. The harness writes all three (command-line
   * syntax is its own: jostle__cli_describe, and again after reading JSON
   * results, which do not hold the two); reporters only join them. */
  char seed_prefix[32];         /* " --seed " */
  char seed_suffix[64];         /* " -n 100000 --until-divergence" */
  /* A program's cell (jostle run): what follows the seed's parts, the
   * program and its arguments as the shell reads them (" -- ./prog 'a b'");
   * "" for a scenario's. */
  char program[512];
  /* What a known-racy cell that comes out clean should try instead, in
   * command-line syntax ("--scheduler random"); the harness writes it as
   * it writes the seed's parts (jostle__cli_racy_try), reporters say it. */
  char racy_try[96];
  uint64_t campaign_seed;
  int fixed_seed;               /* every run used campaign_seed itself */
  int controlled;               /* a controlled scheduler: runs replay exactly */
  uint64_t n_runs;
  uint64_t n_divergent;         /* runs of any class but allowed */
  uint64_t elapsed_ns;
  int interrupted;              /* stopped early by a signal */
  int until_divergence;         /* it was to stop at its first run that was not
                                   allowed (--until-divergence): with one,
                                   n_runs is how many finding it took */
  uint64_t first_divergence_ns; /* time to the first divergent run, within
                                   a tick (20 ms); 0 when none */
  /* Progress over time, evenly spaced, first and last included. */
  size_t n_samples;
  jostle__sample samples[JOSTLE__MAX_SAMPLES];
  size_t n_outcomes;
  jostle__outcome *outcomes;    /* owned; sorted by jostle__cell_sort */
  size_t cap_outcomes;          /* room in outcomes (jostle__cell_append's) */
  /* A portfolio's cell: run i ran under members[i mod n_members], and an
   * outcome was found by its first run's member, whose command its
   * reproduce command is made of. Owned (jostle__cell_add_member); 0 and
   * NULL for any other cell. */
  size_t n_members;
  jostle__member *members;
} jostle__cell;

/* Adds `count` runs of an outcome, merging with an equal (cls, text) one and
 * keeping the smallest first run. Returns 0, or -1 when out of memory. */
int jostle__cell_add(jostle__cell *c, jostle__class cls, const char *text,
                     uint64_t count, uint64_t first_run, uint64_t first_seed);

/* The outcome (cls, text) of c, or NULL. */
jostle__outcome *jostle__cell_find(jostle__cell *c, jostle__class cls, const char *text);

/* Adds an outcome without looking for an equal one: jostle__cell_cut
 * merges them. Returns 0, or -1 when out of memory. */
int jostle__cell_append(jostle__cell *c, jostle__class cls, const char *text,
                        uint64_t count, uint64_t first_run, uint64_t first_seed);

/* The hash of an outcome's text that orders outcomes: a function of the
 * text alone, the same in every process. */
uint64_t jostle__outcome_order(const char *text);

/* The content order of outcomes: by jostle__outcome_order, then by text,
 * then by class. Negative, 0 or positive as a comes before, is equal to,
 * or comes after b. */
int jostle__outcome_cmp(uint64_t a_order, const char *a_text, jostle__class a_cls,
                        uint64_t b_order, const char *b_text, jostle__class b_cls);

/* Merges c's equal outcomes (none of them an other line), keeps the first
 * `max_listed` in content order and removes the rest, calling fold(ctx, o)
 * for each one removed first. The order of c's outcomes is left to
 * jostle__cell_sort. Returns 0, or -1 when out of memory (c unchanged). */
int jostle__cell_cut(jostle__cell *c, size_t max_listed,
                     void (*fold)(void *ctx, const jostle__outcome *o), void *ctx);

/* n_distinct of an other line whose outcomes were not all counted. */
#define JOSTLE__UNCOUNTED UINT64_MAX

/* The text of the line that counts the runs of class cls's outcomes a cell
 * does not list, `n_distinct` of them (or JOSTLE__UNCOUNTED), beyond the
 * `max_listed` it lists: "(other allowed outcomes: 2232 distinct, past
 * the 768 listed)". */
void jostle__other_text(jostle__class cls, uint64_t n_distinct, size_t max_listed, char *buf,
                        size_t size);

/* Whether o is such a line; if so, *n_distinct is what it says. */
int jostle__outcome_is_other(const jostle__outcome *o, uint64_t *n_distinct);

/* Orders outcomes by count, most frequent first, then by first run. */
void jostle__cell_sort(jostle__cell *c);

/* Gives the outcome (cls, text) of c the detail of its run `run`, when
 * that run is its first (a later run's detail is not kept). */
void jostle__cell_detail(jostle__cell *c, jostle__class cls, const char *text, uint64_t run,
                         const char *detail);

/* Likewise its output: n bytes at `bytes` (see jostle__outcome.output). */
void jostle__cell_output(jostle__cell *c, jostle__class cls, const char *text, uint64_t run,
                         const char *bytes, size_t n);

/* Copies n bytes of a run's output into out (JOSTLE__OUTPUT_MAX bytes), as
 * jostle__outcome.output keeps them. */
void jostle__output_keep(char *out, const char *bytes, size_t n);

/* Sets c's command to a copy of `command`. Returns 0, or -1 when out of
 * memory (the command is then unchanged). */
int jostle__cell_set_command(jostle__cell *c, const char *command);

/* Appends a member to c's portfolio, with a copy of its command. Returns
 * 0, or -1 when out of memory or past JOSTLE__CELL_MAX_MEMBERS (c is then
 * unchanged). */
int jostle__cell_add_member(jostle__cell *c, const char *scheduler, const char *command);

/* The member of c that found outcome o (its first run's); NULL when c is
 * not a portfolio's. Valid as long as c's members. */
const jostle__member *jostle__found_by(const jostle__cell *c, const jostle__outcome *o);

/* Frees what the cell owns (its outcomes, command and members); the cell
 * may be reused after. */
void jostle__cell_free(jostle__cell *c);

/* Appends sample s; when the cell's samples are full, first keeps every
 * other one (the first among them), so they stay evenly spaced. Returns 1
 * when it thinned them, else 0. */
int jostle__cell_sample(jostle__cell *c, jostle__sample s);

/* What every report says of a cell without runs, so that none shows it as
 * if it had run clean: "not run: interrupted before its first run" when a
 * signal stopped the campaign first, else "not run" (a campaign stopped by
 * an error, a shard's empty slice). NULL when the cell has runs. */
const char *jostle__cell_not_run(const jostle__cell *c);

/* Whether a and b are the same cell of a campaign, as far as their names
 * say: scenario, scheduler, placement and parameters. */
int jostle__cell_same_key(const jostle__cell *a, const jostle__cell *b);

/* Adds the runs of cell `from` to `into`, as if `from` had run right after
 * it: runs, divergent runs, outcome counts and elapsed times add up (an
 * outcome's first run and seed are those of the smaller run index), and
 * of more than JOSTLE__MAX_LISTED outcomes the first in content order stay
 * listed (each is listed by every cell that saw it, so its count is
 * exact), the others go to the other lines;
 * `from`'s samples follow `into`'s, shifted by `into`'s totals; the time to
 * the first divergence is `into`'s, else `into`'s elapsed time plus
 * `from`'s; `interrupted` is either's. The names, seeds and command stay
 * `into`'s: the caller checks that both are the same cell of one campaign.
 * Returns 0, or -1 when out of memory (`into`'s outcomes are then left
 * incomplete). */
int jostle__cell_merge(jostle__cell *into, const jostle__cell *from);

/* The Wilson score interval at 95% for k successes in n trials. */
void jostle__wilson95(uint64_t k, uint64_t n, double *lo, double *hi);

/* The complete command that reruns outcome o's first seed (every reporter
 * prints this same command): c's command (a portfolio's: that of the
 * member that found o), seed_prefix, the seed, seed_suffix. Returns it
 * malloc'd (the caller frees it), or NULL when out of memory. */
char *jostle__reproduce(const jostle__cell *c, const jostle__outcome *o);

/* Writes that command to f. */
void jostle__reproduce_print(FILE *f, const jostle__cell *c, const jostle__outcome *o);
#endif
