/*
 * result.h: private to jostle. The result model: what a campaign measured,
 * filled by the harness and read by every reporter. Reporters read nothing
 * else, so that a result saved and loaded again reports the same.
 */
#ifndef JOSTLE_RESULT_H
#define JOSTLE_RESULT_H

#include <stddef.h>
#include <stdint.h>

typedef enum jostle__class {
  JOSTLE__ALLOWED,    /* the check accepted the outcome */
  JOSTLE__DIVERGENT,  /* the check rejected it */
  JOSTLE__CRASH,      /* the run died: a signal, or exit() from the scenario */
  JOSTLE__HANG,       /* the run made no progress within the timeout */
  JOSTLE__DEADLOCK,   /* controlled: every live thread blocked */
  JOSTLE__STEP_LIMIT, /* controlled: more points than the step limit */
  JOSTLE__LIMIT,      /* the run needed more than jostle could give it (memory,
                         its most threads): jostle's limit, not the scenario's fault */
  JOSTLE__N_CLASSES
} jostle__class;

/* "allowed", "DIVERGENT", "crash", "hang". */
const char *jostle__class_name(jostle__class cls);

#define JOSTLE__TEXT_MAX 192

typedef struct jostle__outcome {
  jostle__class cls;
  char text[JOSTLE__TEXT_MAX];  /* "counter=1 (lost increments)" */
  uint64_t count;
  uint64_t first_run;           /* smallest run index with this outcome */
  uint64_t first_seed;          /* that run's seed */
} jostle__outcome;

/* Where a cell stood at one moment of its campaign. */
typedef struct jostle__sample {
  uint64_t elapsed_ns;
  uint64_t n_runs;
  uint64_t n_divergent;
} jostle__sample;

#define JOSTLE__MAX_SAMPLES 256

/* One scenario under one scheduler and placement. */
typedef struct jostle__cell {
  char scenario[64];
  int racy;                     /* a known-racy demonstration */
  char scheduler[32];
  char placement[16];
  char params[256];             /* "threads=2 increments=1" */
  char command[768];            /* the command line that reruns this cell,
                                   without its seed options */
  /* A reproduce command is command, seed_prefix, a run's seed (0x and 16
   * hex digits), seed_suffix. The harness writes all three (command-line
   * syntax is its own: jostle__cli_describe, and again after reading JSON
   * results, which do not hold the two); reporters only join them. */
  char seed_prefix[32];         /* " --seed " */
  char seed_suffix[64];         /* " -n 100000 --until-divergence" */
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
} jostle__cell;

/* Adds `count` runs of an outcome, merging with an equal (cls, text) one and
 * keeping the smallest first run. Returns 0, or -1 when out of memory. */
int jostle__cell_add(jostle__cell *c, jostle__class cls, const char *text,
                     uint64_t count, uint64_t first_run, uint64_t first_seed);

/* Orders outcomes by count, most frequent first, then by first run. */
void jostle__cell_sort(jostle__cell *c);

/* Frees what the cell owns; the cell may be reused after. */
void jostle__cell_free(jostle__cell *c);

/* Appends sample s; when the cell's samples are full, first keeps every
 * other one (the first among them), so they stay evenly spaced. Returns 1
 * when it thinned them, else 0. */
int jostle__cell_sample(jostle__cell *c, jostle__sample s);

/* Whether a and b are the same cell of a campaign, as far as their names
 * say: scenario, scheduler, placement and parameters. */
int jostle__cell_same_key(const jostle__cell *a, const jostle__cell *b);

/* Adds the runs of cell `from` to `into`, as if `from` had run right after
 * it: runs, divergent runs, outcome counts and elapsed times add up (an
 * outcome's first run and seed are those of the smaller run index);
 * `from`'s samples follow `into`'s, shifted by `into`'s totals; the time to
 * the first divergence is `into`'s, else `into`'s elapsed time plus
 * `from`'s; `interrupted` is either's. The names, seeds and command stay
 * `into`'s: the caller checks that both are the same cell of one campaign.
 * Returns 0, or -1 when out of memory (`into` may then hold some of
 * `from`'s outcomes and none of its counts). */
int jostle__cell_merge(jostle__cell *into, const jostle__cell *from);

/* The Wilson score interval at 95% for k successes in n trials. */
void jostle__wilson95(uint64_t k, uint64_t n, double *lo, double *hi);

/* Writes into buf the complete command that reruns outcome o's first seed
 * (every reporter prints this same command): c's command, seed_prefix, the
 * seed, seed_suffix. */
void jostle__reproduce(const jostle__cell *c, const jostle__outcome *o,
                       char *buf, size_t size);
#endif
