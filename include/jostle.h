/*
 * jostle.h: the one public header of jostle.
 *
 * jostle runs a concurrent scenario many times under schedulers that perturb
 * the interleaving, classifies every run's outcome and reports the divergent
 * ones with the command that reproduces them.
 *
 * A scenario is a static description (jostle_scenario) registered with
 * JOSTLE_SCENARIO. For every run jostle zeroes the per-run state, calls
 * setup on thread 0, starts the thread bodies together on a pool of
 * persistent threads, waits for all of them, then calls check and teardown
 * on thread 0. The check records observations ("counter=1987") that form the
 * run's outcome, and judges it: divergent when it calls jostle_fail(), or
 * when the scenario lists allowed outcomes and this one is not among them.
 *
 * Threads: setup, check and teardown run on thread 0 with every body
 * finished; the bodies run concurrently. The functions below are called
 * from those callbacks only, on the run they were handed.
 *
 * Ownership: jostle copies nothing a scenario hands it except observation
 * values; names, reasons and the scenario itself must outlive the program
 * (string literals and static tables).
 */
#ifndef JOSTLE_H
#define JOSTLE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JOSTLE_API __attribute__((visibility("default")))

/* This jostle's version (also `jostle --version` and jostle.pc). */
#define JOSTLE_VERSION "0.1.0"

/* Upper bounds that size jostle's fixed tables. */
#define JOSTLE_MAX_THREADS 1024    /* threads of one scenario, created ones included */
#define JOSTLE_MAX_PARAMS 16       /* parameters of one scenario */
#define JOSTLE_MAX_OBSERVATIONS 8  /* observations of one run */
#define JOSTLE_MAX_NAME 48         /* bytes of a scenario's or a parameter's name */

/* One run of a scenario, owned by jostle; valid during the callbacks. */
typedef struct jostle_run jostle_run;

/* A named integer parameter, overridden from the CLI with -D name=value. */
typedef struct jostle_param_def {
  const char *name;    /* [a-z0-9_-]+, at most JOSTLE_MAX_NAME bytes; "threads" is
                          reserved (see below) */
  long long def;       /* default value */
  long long min, max;  /* accepted range, inclusive */
  const char *help;    /* one line */
} jostle_param_def;

/* jostle_scenario.racy of a scenario whose bug is a data race that leaves
 * its outcome right (on this machine, or one thread at a time): it is
 * expected to be found under a controlled scheduler with --races, not by
 * its check. */
#define JOSTLE_DATA_RACE_ONLY 2

typedef struct jostle_scenario {
  const char *name;     /* [a-z0-9-]+, at most JOSTLE_MAX_NAME bytes, unique among
                           registered scenarios */
  const char *summary;  /* one line for `jostle list` */
  int racy;             /* 1: a known-racy demonstration expected to diverge;
                           JOSTLE_DATA_RACE_ONLY: one with a data race that its
                           outcome need not show, found by --races alone */
  int threads;          /* default thread count; -D threads=N overrides */
  int min_threads;      /* smallest thread count it accepts (0 means 1) */
  int max_threads;      /* largest (0 means JOSTLE_MAX_THREADS) */
  const jostle_param_def *params; /* NULL or ended by an entry with name NULL;
                                 jostle_param() takes indexes into it */
  size_t state_size;    /* bytes of per-run state, zeroed before setup */
  void (*setup)(jostle_run *r);                /* optional, thread 0 */
  void (*thread)(jostle_run *r, int index);    /* required, every thread */
  void (*check)(jostle_run *r);                /* required, thread 0 */
  void (*teardown)(jostle_run *r);             /* optional, thread 0 */
  /* Optional, NULL-ended: the outcomes that are allowed, as their text
   * ("r0=1 r1=0"), in the manner of a litmus test's final condition. When
   * given, any other outcome is divergent. */
  const char *const *allowed;
} jostle_scenario;

/* Registers a scenario; called before main by JOSTLE_SCENARIO. Aborts with
 * a message on a malformed or duplicate scenario (a programming error). */
JOSTLE_API void jostle_register(const jostle_scenario *s);

/* Defines and registers a scenario without any central list:
 *   JOSTLE_SCENARIO(counter) { .name = "counter", ... };
 * In C++ (designated initializers in the fields' order, C++20) the
 * table's name has external linkage: one per program. */
#ifdef __cplusplus
#define JOSTLE_SCENARIO(id)                                              \
  extern const jostle_scenario id;                                      \
  __attribute__((constructor)) static void jostle_register_##id(void) { \
    jostle_register(&id);                                               \
  }                                                                     \
  const jostle_scenario id =
#else
#define JOSTLE_SCENARIO(id)                                              \
  static const jostle_scenario id;                                      \
  __attribute__((constructor)) static void jostle_register_##id(void) { \
    jostle_register(&id);                                               \
  }                                                                     \
  static const jostle_scenario id =
#endif

/* The per-run state of scenario.state_size bytes, zeroed before setup,
 * shared by all threads of the run. */
JOSTLE_API void *jostle_state(const jostle_run *r);

/* The value of parameter `index` of scenario.params for this campaign. An
 * index the scenario does not declare returns 0 and makes the run
 * divergent, with a reason that says so. */
JOSTLE_API long long jostle_param(const jostle_run *r, int index);

/* The number of threads of this run. */
JOSTLE_API int jostle_threads(const jostle_run *r);

/* This run's seed: mix(campaign seed, run index). Scenarios that want
 * reproducible pseudo-random inputs derive them from it. */
JOSTLE_API unsigned long long jostle_seed(const jostle_run *r);

/* A number from min to max (inclusive) for the scenario to use as an
 * input: under a fuzzer, drawn from the fuzzer's bytes, so that coverage
 * guides it too; otherwise from the run's seed, so a run still replays.
 * Call it from setup, or from the threads under a controlled scheduler
 * (one thread runs at a time); min > max gives min. */
JOSTLE_API long long jostle_input_int(jostle_run *r, long long min, long long max);

/* Adds "name=value" to the run's outcome. `name` must be a string literal
 * or otherwise outlive the campaign. At most JOSTLE_MAX_OBSERVATIONS per
 * run; more make the run divergent. Callable from setup, from any thread
 * of the run, and from check: observations made before check come first,
 * in (name, value) order, so the outcome does not depend on which thread
 * observed first; check's follow in the order it makes them. */
JOSTLE_API void jostle_observe(jostle_run *r, const char *name, long long value);

/* Judges the run divergent. `reason` (a string literal) is appended to the
 * outcome text in parentheses; when called more than once in a run, the
 * first reason is kept. Callable from any thread of the run, as from
 * check: an invariant a thread finds broken is an outcome, with its
 * reason, rather than an assert that prints once per run. */
JOSTLE_API void jostle_fail(jostle_run *r, const char *reason);

/* A scheduling point: the scheduler may yield, spin or sleep here. Under
 * the `free` scheduler it costs a thread-local load and a branch. Callable
 * from any thread; outside a run it does nothing. */
JOSTLE_API void jostle_yield(void);

/* The command-line tool over every registered scenario: `jostle_main` is
 * what the jostle binary's main() calls, so a program that links its own
 * scenarios with libjostle and calls it gets the same CLI. */
JOSTLE_API int jostle_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* JOSTLE_H */
