/*
 * formats.h: private to jostle. The report file formats: JSON results
 * (written and read back: docs/JSON.md is their schema), JUnit XML for CI
 * test reporters and a self-contained HTML page with charts. Each writer
 * reads only the result model (result.h) and the report's metadata below.
 *
 * Every function here returns 0, or -1 with a one-line reason in err (no
 * trailing newline; it names the path). A writer writes a temporary file
 * beside PATH (PATH.tmp unless that is taken: common/atomic_file.h) and
 * then renames it to PATH, so that a reader never sees half a file; on
 * failure PATH is left as it was and the temporary file is removed. Out of
 * memory is a failure like any other ("PATH: out of memory").
 */
#ifndef JOSTLE_FORMATS_H
#define JOSTLE_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "reports/result.h"

/* The version of the JSON results format this jostle writes and reads. */
/* 2: outcomes of class "race", an outcome's "output"; 3: a portfolio's
 * cell's "members", which its reproduce commands are made of */
#define JOSTLE__JSON_VERSION 3

/* What a report knows besides its cells, found by the harness
 * (harness/environment.h) and only formatted here. Text fields that do not
 * fit are cut at a character boundary and end in "...", so a cut never
 * passes for the whole value. */
typedef struct jostle__report_meta {
  char jostle_version[32];
  char command_line[1024];   /* the command as typed, words quoted for the
                                shell where they need it */
  uint64_t started_unix_ns;  /* wall clock when the campaign started */
  char host[64];
  char compiler[128];        /* what built jostle, e.g. "gcc 12.2.0" */
  char commit[72];           /* source commit (up to a SHA-256 hex id); ""
                                when unknown */
  int n_pus, n_cores, n_packages, n_numa;  /* from hwloc; 0 when unknown */
  /* The campaign's configuration, filled by the caller. */
  uint64_t seed;             /* campaign seed (or the --run-seed) */
  uint64_t budget_runs;      /* runs per cell; 0: no run budget */
  uint64_t budget_ns;        /* time per cell (a soak's: the whole soak's);
                                0: no time budget */
  uint64_t batch_ns;         /* a soak's longest batch; 0: not a soak */
  uint64_t timeout_ns;       /* a run without progress this long is a hang */
  int n_jobs;                /* worker processes */
  int until_divergence;      /* each cell stopped at its first divergent run */
} jostle__report_meta;

/* A report file format: a plug-in, registered in jostle__report_formats
 * (formats.c). The harness makes its command-line option, its file in a
 * soak's folder and its `report` option from this table alone. */
typedef struct jostle__report_format {
  const char *name;       /* "json": the option --json FILE */
  const char *soak_file;  /* "results.json": the file a soak writes in its folder */
  const char *help;       /* what the file is, for help texts; a line break
                             continues it on the next line */
  /* Writes m and the n cells to PATH, whole or not at all. Returns 0, or -1
   * with a one-line reason in err that names PATH. */
  int (*write)(const char *path, const jostle__report_meta *m, const jostle__cell *cells,
               size_t n, char *err, size_t errsize);
  /* Reads a file `write` wrote, as jostle__json_read does; NULL for a
   * format that is written only. */
  int (*read)(const char *path, jostle__report_meta *m, jostle__cell **cells, size_t *n,
              char *err, size_t errsize);
} jostle__report_format;

/* Every format, in the order json, junit, html; NULL-ended. */
extern const jostle__report_format *const jostle__report_formats[];

/* The most formats the registry may hold (option tables are sized by it). */
#define JOSTLE__MAX_FORMATS 8

extern const jostle__report_format jostle__format_json;   /* json.c */
extern const jostle__report_format jostle__format_junit;  /* junit.c */
extern const jostle__report_format jostle__format_html;   /* html.c */

/* Writes m and the n cells as JSON results (docs/JSON.md). */
int jostle__json_write(const char *path, const jostle__report_meta *m,
                       const jostle__cell *cells, size_t n, char *err, size_t errsize);

/* Reads JSON results written by jostle__json_write, checking every field.
 * On success *cells is a new array of *n cells that the caller owns: it
 * calls jostle__cell_free on each, then free(*cells). On failure *cells is
 * NULL, *n is 0 and nothing is left to free. */
int jostle__json_read(const char *path, jostle__report_meta *m, jostle__cell **cells,
                      size_t *n, char *err, size_t errsize);

/* Writes JUnit XML: a <testsuite> per scheduler, a <testcase> per cell; a
 * cell with runs that were not allowed has a <failure>. */
int jostle__junit_write(const char *path, const jostle__report_meta *m,
                        const jostle__cell *cells, size_t n, char *err, size_t errsize);

/* Writes one self-contained HTML page (no network): a summary chart of the
 * divergence rates, then per cell its outcome histogram and its divergence
 * rate over time (a cell whose runs were all allowed: one line of its
 * outcomes) and its reproduce commands. */
int jostle__html_write(const char *path, const jostle__report_meta *m,
                       const jostle__cell *cells, size_t n, char *err, size_t errsize);

#endif
