/*
 * report.h: private to jostle. The reporter plug-in interface. A reporter
 * reads only the result model (result.h).
 */
#ifndef JOSTLE_REPORT_H
#define JOSTLE_REPORT_H

#include <stdio.h>

#include "reports/result.h"

typedef struct jostle__reporter_ops {
  const char *name;
  /* Writes one finished cell, as soon as it is finished. */
  void (*cell)(const jostle__cell *c, FILE *out);
  /* Writes what closes the report once every cell is finished. */
  void (*end)(const jostle__cell *cells, size_t n_cells, FILE *out);
} jostle__reporter_ops;

extern const jostle__reporter_ops jostle__report_text;

/* Prints a run's output (jostle__outcome.output) as the text report does:
 * each of its lines after "    | ", control characters as \xHH, so that
 * no line of it reads as one of jostle's. */
void jostle__text_output(FILE *out, const char *output);

/* Prints a race's full report (jostle__outcome.race_report) as Go's race
 * detector frames its WARNING: DATA RACE block, with the reproduce
 * command of that run; control characters as \xHH. */
void jostle__text_race_report(FILE *out, const jostle__cell *c, const jostle__outcome *o);

#endif
