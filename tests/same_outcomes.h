/*
 * same_outcomes.h: shared by the test programs that compare histograms.
 * Two cells list the same outcomes, in the same order, with the same
 * counts, first runs, seeds, details, outputs, a race's checks and report.
 */
#ifndef JOSTLE_SAME_OUTCOMES_H
#define JOSTLE_SAME_OUTCOMES_H

#include <check.h>

#include "reports/result.h"

static inline void jostle_same_outcomes(const jostle__cell *a, const jostle__cell *b) {
  ck_assert_uint_eq(a->n_outcomes, b->n_outcomes);
  for (size_t i = 0; i < a->n_outcomes; i++) {
    ck_assert_int_eq(a->outcomes[i].cls, b->outcomes[i].cls);
    ck_assert_str_eq(a->outcomes[i].text, b->outcomes[i].text);
    ck_assert_uint_eq(a->outcomes[i].count, b->outcomes[i].count);
    ck_assert_uint_eq(a->outcomes[i].first_run, b->outcomes[i].first_run);
    ck_assert_uint_eq(a->outcomes[i].first_seed, b->outcomes[i].first_seed);
    ck_assert_str_eq(a->outcomes[i].detail, b->outcomes[i].detail);
    ck_assert_str_eq(a->outcomes[i].output, b->outcomes[i].output);
    ck_assert_uint_eq(a->outcomes[i].n_check_divergent, b->outcomes[i].n_check_divergent);
    ck_assert_str_eq(a->outcomes[i].race_report, b->outcomes[i].race_report);
  }
}

#endif
