/*
 * campaign.h: private to jostle. Runs one cell of a campaign in worker
 * processes and fills its result.
 */
#ifndef JOSTLE_CAMPAIGN_H
#define JOSTLE_CAMPAIGN_H

#include <stddef.h>
#include <sys/types.h>

#include "harness/run.h"
#include "harness/runset.h"
#include "reports/result.h"

/* Called about five times a second while a cell runs. */
typedef void (*jostle__progress_fn)(void *ctx, uint64_t n_runs,
                                    uint64_t n_divergent, uint64_t elapsed_ns);

/* Runs plan p and fills `out` (its scenario, scheduler, placement and
 * counts; the caller fills params and command). SIGINT and SIGTERM must be
 * blocked by the caller: the campaign waits for them, stops cleanly and
 * sets out->interrupted. Returns 0, or -1 after printing why the campaign
 * could not go on (what ran until then is still in `out`). */
int jostle__campaign_run(const jostle__plan *p, jostle__cell *out,
                         jostle__progress_fn progress, void *progress_ctx);

/* The same, for a campaign that resumes a cell: the workers first run the
 * `n_pending` ranges (at most p->n_jobs, one per worker; runs an earlier
 * campaign of the cell left undone), then the plan's own range. Every run
 * that completed (its outcome counted in `out`) is added to *done, which
 * must hold none of them before; runs a stop left undone are not. On -1,
 * *done may be incomplete. */
int jostle__campaign_run_ranges(const jostle__plan *p, const jostle__range *pending,
                                size_t n_pending, jostle__runset *done, jostle__cell *out,
                                jostle__progress_fn progress, void *progress_ctx);

/* How the campaign forks its workers: fork(), unless a test substitutes a
 * failing one. Read by the parent only, at each fork; it exists for tests. */
extern pid_t (*jostle__campaign_fork)(void);

#endif
