/*
 * options.h: private to jostle. The options of `jostle stress`, with their
 * defaults in one place, and the parsers of their values.
 */
#ifndef JOSTLE_OPTIONS_H
#define JOSTLE_OPTIONS_H

#include <stdint.h>

#include "reports/formats.h"
#include "schedulers/placement.h"
#include "schedulers/sched.h"

#define JOSTLE__MAX_DEFINES 32
#define JOSTLE__MAX_JOBS 256
#define JOSTLE__DEFAULT_RUNS 100000
#define JOSTLE__DEFAULT_TIMEOUT_NS (10ULL * 1000000000ULL)
/* Schedulers in a soak's --scheduler-set, placements in its --pins. */
#define JOSTLE__MAX_SET 8
/* Registered schedulers whose options a command line holds. */
#define JOSTLE__MAX_SCHEDULERS 16

typedef struct jostle__define {
  const char *key;   /* points into argv */
  long long value;
} jostle__define;

/* Fields may be added; jostle__opts_default() sets every one. */
typedef struct jostle__opts {
  uint64_t n_runs;             /* 0: not given */
  uint64_t duration_ns;        /* 0: not given */
  int until_divergence;
  uint64_t seed;
  int fixed_seed;              /* --run-seed: every run uses `seed` */
  int seed_given;              /* --seed or --run-seed was on the command line */
  const jostle__sched_ops *sched;
  int sched_given;             /* --scheduler was on the command line */
  jostle__sched_cfg sched_cfg;  /* the control runtime's options (opts unused) */
  uint64_t sched_opts_given;    /* bit k: scheduler option k (cli/parse.c) was given */
  /* Every scheduler's own options, by registry index: a soak runs several. */
  _Alignas(16) unsigned char sched_opts[JOSTLE__MAX_SCHEDULERS][JOSTLE__SCHED_OPTS_MAX];
  jostle__pin pin;
  int pin_given;               /* 0: --pin not given, planning picks the
                                  placement (jostle__cli_plan) */
  int n_jobs;                  /* 0: fill the machine */
  uint64_t timeout_ns;
  int progress;                /* -1: when stderr is a terminal */
  int all;                     /* every registered scenario */
  int n_defines;
  jostle__define defines[JOSTLE__MAX_DEFINES];
  /* stress and soak */
  /* --NAME FILE of each report format, indexed as jostle__report_formats;
   * NULL: none */
  const char *report_path[JOSTLE__MAX_FORMATS];
  uint64_t shard_index;        /* --shard I/N: 0/1 when not given */
  uint64_t shard_count;
  /* soak only */
  const char *out_dir;         /* --out DIR */
  const char *resume_dir;      /* --resume DIR */
  uint64_t batch_ns;           /* --batch TIME; 0: chosen from the budget */
  int n_sched_set;             /* --scheduler-set; 0: not given */
  const jostle__sched_ops *sched_set[JOSTLE__MAX_SET];
  int n_pin_set;               /* --pins; 0: not given */
  jostle__pin pin_set[JOSTLE__MAX_SET];
  /* replay only */
  const char *schedule_path;   /* --schedule: replay this schedule file */
  const char *save_schedule_path; /* --save-schedule */
  int shrink;                  /* --shrink: fewer context switches, same outcome */
  const char *input_path;      /* --input: a fuzzer's input drives the choices */
} jostle__opts;

void jostle__opts_default(jostle__opts *o);

/* Parsers: 0 on success, -1 when the text is not a valid value. */
int jostle__parse_count(const char *text, uint64_t *out);     /* 100000, 10k, 1M, 2G */
int jostle__parse_duration(const char *text, uint64_t *ns);   /* 30s, 5m, 8h, 250ms, 1h30m */
int jostle__parse_seed(const char *text, uint64_t *out);      /* decimal or 0x hex */
int jostle__parse_int(const char *text, long long lo, long long hi, long long *out);
int jostle__parse_prob(const char *text, double *out);        /* 0 .. 1 */
int jostle__parse_mix(const char *text, unsigned weights[3]); /* Y:S:Z */
/* "I/N" with 0 <= I < N: shard I of N (counted from 0). */
int jostle__parse_shard(const char *text, uint64_t *index, uint64_t *count);
/* "key=value" with a 64-bit integer value; key points into text. */
int jostle__parse_define(char *text, jostle__define *out);

#endif
