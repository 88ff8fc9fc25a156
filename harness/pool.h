/*
 * pool.h: private to jostle. The persistent pool of scenario threads of one
 * worker process.
 *
 * The calling thread is thread 0: it runs setup, its own body, check and
 * teardown; threads 1..n-1 are created once and wait on the start barrier.
 * Per run, two barrier rounds: start (bodies released together) and end
 * (every body returned). Only thread 0 calls the functions below.
 */
#ifndef JOSTLE_POOL_H
#define JOSTLE_POOL_H

#include "harness/run.h"
#include "schedulers/control.h"
#include "schedulers/waits.h"

typedef struct jostle__pool jostle__pool;

/* Creates the pool for plan p. Returns NULL when threads or memory could
 * not be had. */
jostle__pool *jostle__pool_create(const jostle__plan *p);

/* The pool's members: a portfolio's K (sched.h, jostle__portfolio_members),
 * else 1. */
int jostle__pool_members(const jostle__pool *pool);

/* Puts the next runs, and the calibration, under member k (0 .. members-1)
 * of a portfolio: its control, scheduler and configuration. Member 0 is
 * in place when the pool is made; nothing to do for other schedulers. */
void jostle__pool_member(jostle__pool *pool, int k);

/* Under an uncontrolled scheduler, makes the pool's threads publish their
 * waits on `waits` (a board for its threads, waits.h) from the next run on;
 * under a controlled one, does nothing. */
void jostle__pool_publish_waits(jostle__pool *pool, jostle__waits *waits);

/* Moves thread i to processing unit pu[i] (-1: leave it), and sets whether
 * barrier waits may spin. Returns 0, or -1 when some binding failed. */
int jostle__pool_place(jostle__pool *pool, const int *pu, int spin_ok);

/* Runs the scenario once with `seed`; the outcome is left in the returned
 * run, valid until the next call. */
const jostle_run *jostle__pool_run(jostle__pool *pool, uint64_t seed);

/* The seed of the calibration run below. */
#define JOSTLE__CALIBRATION_SEED 0x6b2d657374ULL

/* Under a controlled scheduler that needs it (pct; of a portfolio, the
 * member in place, see jostle__pool_member): measures the number of
 * steps of a typical run (one run with JOSTLE__CALIBRATION_SEED, neither
 * traced nor recorded), or takes `known`, that measure when another
 * process has taken it; returns it. Else does nothing and returns 0. Call
 * once, after the first jostle__pool_place. A strategy with a profile
 * (ops->profile_size) makes the run whenever `known` is 0 or carries
 * JOSTLE__PROFILED, which the measure it returns then carries: a measure
 * without the mark (a dead calibration run's, counted by the parent)
 * leaves it without a profile instead. */
#define JOSTLE__PROFILED ((uint64_t)1 << 63)
uint64_t jostle__pool_calibrate(jostle__pool *pool, uint64_t known);

/* In the calibration run, when it ends without returning (a program's
 * exit): its measure and profile, as its end would have made them. The
 * profile is shared with the process the run's was forked from. */
void jostle__pool_calibration_ends(jostle__pool *pool);

/* Whether the strategy in place keeps a profile of the calibration run. */
int jostle__pool_profiled(const jostle__pool *pool);

/* Under a controlled scheduler, a hash of every scheduling choice of the
 * last run (equal schedules, equal hashes); else 0. */
uint64_t jostle__pool_schedule_hash(const jostle__pool *pool);

/* Under a controlled scheduler, whether its hand-overs switch threads in
 * user space (jostle__control_switches); else 0. */
int jostle__pool_switches(const jostle__pool *pool);

/* After a run whose outcome is a race (--races): its full report and the
 * steps of its two accesses (jostle__control_race_report). */
void jostle__pool_race_report(jostle__pool *pool, char *buf, size_t size, uint64_t steps[2]);

/* In a process the worker forked from its own for one run (a program's):
 * the calling thread is the pool's thread 0 again, and the process is no
 * scenario's child. Only for a pool of one thread. */
void jostle__pool_adopt_fork(jostle__pool *pool);

/* The control's verdict on the run in progress as if it ended now (a
 * program's exit): jostle__verdict, a race found so far included, and its
 * text; JOSTLE__RUN_OK for an uncontrolled pool. */
int jostle__pool_verdict(jostle__pool *pool, const char **text);

/* Under a controlled scheduler, the scheduling points of the last run. */
uint64_t jostle__pool_steps(const jostle__pool *pool);

/* Under a controlled scheduler, every scheduling point of the pool's runs
 * is counted in the JOSTLE__STEP_COUNTERS at `counters` from now on (see
 * jostle__control_count_steps: another process reads them to tell a slow
 * run from one that makes no point); else nothing. */
void jostle__pool_count_steps(jostle__pool *pool, jostle__step_counter *counters);

/* Stops and joins the threads and frees the pool. */
void jostle__pool_destroy(jostle__pool *pool);

#endif
