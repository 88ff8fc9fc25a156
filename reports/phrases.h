/*
 * phrases.h: private to the reports. The sentences about a cell that
 * several reports say, made in one place so that the text report, the HTML
 * page and the JSON results say them the same way (and tests can compare).
 */
#ifndef JOSTLE_PHRASES_H
#define JOSTLE_PHRASES_H

#include <stddef.h>

#include "reports/result.h"

/* Whether c stopped at its first divergent run (--until-divergence and a
 * find): its runs then say how long finding it took, and a divergence rate
 * (one divergent run in all that ran) would measure nothing. */
int jostle__phrase_found(const jostle__cell *c);

/* c's runs, time and speed, with its divergence rate and 95% interval, or
 * for a cell that stopped at its find how many runs finding it took:
 *   "100,000 runs in 0.30 s, 331,967 runs/s; divergence 3.6530% (95% CI 3.5385-3.7711%)"
 *   "found in 2,891 runs (0.14 s, 21,094 runs/s); stopped at the first divergent run"
 * Writes it into buf (NUL-terminated, cut to size) and returns buf. */
const char *jostle__phrase_rate(const jostle__cell *c, char *buf, size_t size);

/* For a known-racy cell whose runs were all allowed, that it was not found
 * and what to try (c->racy_try, when the harness gave one):
 *   "known racy, not found in 100,000 runs: try --scheduler random"
 * written into buf (NUL-terminated, cut to size); returns buf, or NULL for
 * any other cell (nothing to say). */
const char *jostle__phrase_not_found(const jostle__cell *c, char *buf, size_t size);

#endif
