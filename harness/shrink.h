/*
 * shrink.h: private to jostle. Replaying schedules in worker processes,
 * and shrinking the schedule of a failing controlled run to fewer context
 * switches with the same outcome.
 */
#ifndef JOSTLE_SHRINK_H
#define JOSTLE_SHRINK_H

#include "harness/run.h"
#include "reports/result.h"
#include "schedulers/schedule.h"

/* Runs plan p once (it must make one run, one job) into cell, which holds
 * no outcomes yet (its description is kept); when
 * p's scheduler is controlled and p->sched_cfg.record is set, the run's
 * decisions are left there. Returns 0, or -1 when the campaign failed or
 * did not give exactly one outcome. The caller frees the cell. */
int jostle__replay_once(const jostle__plan *p, jostle__cell *cell);

/* Shrinks `start`, the schedule of a run of plan p that ended in outcome
 * (cls, text): schedules with fewer context switches (or as many and
 * fewer decisions) are tried, by cutting the schedule short and by
 * deleting one thread's stretch of decisions, and each that gives the
 * same outcome is kept, until none helps or max_replays replays were
 * made. `rec` (shared, see jostle__schedule_shared) receives each
 * replay's decisions. Returns the shrunk schedule (free() it; `start`
 * itself when nothing shrank it is copied), or NULL when a replay could
 * not be made. *n_replays counts the replays. */
jostle__schedule *jostle__shrink(const jostle__plan *p, const jostle__schedule *start,
                                 jostle__class cls, const char *text, jostle__schedule *rec,
                                 unsigned max_replays, unsigned *n_replays);

#endif
