/*
 * run.h: private to jostle. What a run is made of: the jostle_run handed to
 * scenario callbacks, and the per-cell plan that every worker follows.
 */
#ifndef JOSTLE_RUN_H
#define JOSTLE_RUN_H

#include <stdint.h>

#include "jostle.h"
#include "schedulers/placement.h"
#include "schedulers/sched.h"

struct jostle_run {
  const jostle_scenario *scenario;
  void *state;                    /* scenario->state_size bytes */
  const long long *params;        /* values, indexed like scenario->params */
  int n_params;                   /* how many the scenario declares */
  int n_threads;
  uint64_t seed;
  jostle__input *input;           /* a fuzzer's input, or NULL */
  uint64_t input_rng;             /* jostle_input_int without one */
  /* The outcome so far; reset before each run. */
  int n_obs;
  int obs_overflow;               /* more than JOSTLE_MAX_OBSERVATIONS */
  const char *reason;             /* from jostle_fail, or NULL */
  int verdict;                    /* jostle__verdict: the run was abandoned */
  const char *verdict_text;       /* "deadlock (...)", when abandoned */
  const char *obs_names[JOSTLE_MAX_OBSERVATIONS];
  long long obs_values[JOSTLE_MAX_OBSERVATIONS];
};

/* One cell of a campaign: a scenario with its parameters under one
 * scheduler and placement, and its budget. Fields may be added. */
typedef struct jostle__plan {
  const jostle_scenario *scenario;
  int n_threads;
  long long params[JOSTLE_MAX_PARAMS];
  const jostle__sched_ops *sched;
  jostle__sched_cfg sched_cfg;
  jostle__pin pin;
  int n_jobs;                     /* worker processes */
  uint64_t seed;                  /* campaign seed */
  int fixed_seed;                 /* every run uses `seed` itself */
  uint64_t first_run;             /* index of the first run: the runs are
                                     first_run, first_run + 1, ... (a shard,
                                     a soak's batch); 0 for a whole cell */
  uint64_t n_runs;                /* run budget; UINT64_MAX for none */
  uint64_t duration_ns;           /* time budget, which ends the campaign only
                                     once a run is done; 0 for none */
  int until_divergence;           /* stop at the first non-allowed run */
  uint64_t timeout_ns;            /* a run without progress this long hangs */
  uint32_t chunk_runs;            /* runs a worker claims at a time */
} jostle__plan;

/* One past the last run index of plan p: first_run + n_runs, or
 * UINT64_MAX when that does not fit (no run budget). */
static inline uint64_t jostle__plan_end(const jostle__plan *p) {
  return p->n_runs > UINT64_MAX - p->first_run ? UINT64_MAX : p->first_run + p->n_runs;
}

/* The seed of run `i` under plan p. */
uint64_t jostle__run_seed(const jostle__plan *p, uint64_t i);

/* Settles the outcome after a phase of the run: clamps the observation
 * count (threads claim slots past the table), and, with `sort`, puts the
 * observations in (name, value) order, so that which thread observed
 * first does not change the outcome. */
void jostle__run_settle(jostle_run *r, int sort);

/* Scenario registry (scenario.c). */
int jostle__n_scenarios(void);
const jostle_scenario *jostle__scenario_at(int i);   /* sorted by name */
const jostle_scenario *jostle__scenario_find(const char *name);
/* The index of parameter `name` in s->params, or -1. */
int jostle__param_index(const jostle_scenario *s, const char *name);

#endif
