/*
 * phrases.c: the sentences about a cell that several reports say
 * (phrases.h).
 */
#include "reports/phrases.h"

#include <stdint.h>
#include <stdio.h>

#include "common/text.h"
#include "reports/output.h"

int jostle__phrase_found(const jostle__cell *c) {
  return c->until_divergence && c->n_divergent > 0;
}

const char *jostle__phrase_not_found(const jostle__cell *c, char *buf, size_t size) {
  if (!c->racy || c->n_runs == 0 || c->n_divergent > 0) return NULL;
  char runs[32];
  snprintf(buf, size, "known racy, not found in %s run%s%s%s",
           jostle__grouped(c->n_runs, runs, sizeof runs), jostle__s(c->n_runs),
           c->racy_try[0] ? ": try " : "", c->racy_try);
  return buf;
}

const char *jostle__phrase_rate(const jostle__cell *c, char *buf, size_t size) {
  char runs[32], speed[32];
  double secs = (double)c->elapsed_ns / 1e9;
  jostle__grouped(c->n_runs, runs, sizeof runs);
  jostle__grouped(c->elapsed_ns ? (uint64_t)((double)c->n_runs * 1e9 / (double)c->elapsed_ns) : 0,
                  speed, sizeof speed);
  if (jostle__phrase_found(c)) {
    snprintf(buf, size, "found in %s run%s (%.2f s, %s runs/s); stopped at the first divergent run",
             runs, jostle__s(c->n_runs), secs, speed);
    return buf;
  }
  double lo, hi, rate = c->n_runs ? (double)c->n_divergent / (double)c->n_runs : 0;
  jostle__wilson95(c->n_divergent, c->n_runs, &lo, &hi);
  snprintf(buf, size, "%s run%s in %.2f s, %s runs/s; divergence %.4f%% (95%% CI %.4f-%.4f%%)",
           runs, jostle__s(c->n_runs), secs, speed, 100.0 * rate, 100.0 * lo, 100.0 * hi);
  return buf;
}
