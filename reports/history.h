/*
 * history.h: private to jostle. The trend report across soaks (`jostle
 * report --history`): per scenario its runs and divergence rate in each
 * soak, and the scenarios that were clean before and diverge now.
 */
#ifndef JOSTLE_HISTORY_H
#define JOSTLE_HISTORY_H

#include <stddef.h>
#include <stdio.h>

#include "reports/formats.h"
#include "reports/result.h"

/* One soak's results. */
typedef struct jostle__night {
  const char *path;                  /* where they were read from */
  const jostle__report_meta *meta;
  const jostle__cell *cells;
  size_t n_cells;
} jostle__night;

/* Writes the trend of every scenario across the n > 0 soaks, which are in
 * order, oldest first, and sets *n_newly to how many scenarios are newly
 * divergent: they diverged in the last soak and ran without a divergent run
 * in every earlier soak that ran them (at least one). Returns 0, or -1 when
 * out of memory. */
int jostle__history_write(FILE *out, const jostle__night *nights, size_t n, size_t *n_newly);

#endif
