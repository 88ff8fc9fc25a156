/*
 * reports_agree.h: shared by the test programs that run campaigns through
 * the CLI and check their report files. jostle_check_reports_agree(JSON,
 * JUNIT, HTML): every number of the JSON results shows the same in the
 * JUnit XML (testcases, failures, skipped, and each testcase's text report
 * byte for byte) and in the HTML page (each outcome's class, count, first
 * run and seed, on its bar or on a clean cell's line; each summary square's
 * runs and divergent runs).
 * Needs xmllint (`sh scripts/deps.sh test`).
 */
#ifndef JOSTLE_REPORTS_AGREE_H
#define JOSTLE_REPORTS_AGREE_H

#include <check.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reports/formats.h"
#include "reports/report.h"

/* Reads a results file that must be valid, as the harness does: with the
 * reproduce commands' syntax and a racy cell's try, which the file does
 * not hold. */
static inline void jostle_read_json(const char *path, jostle__report_meta *meta,
                                    jostle__cell **cells, size_t *n) {
  char err[1200];
  ck_assert_msg(jostle__json_read(path, meta, cells, n, err, sizeof err) == 0, "%s", err);
  for (size_t i = 0; i < *n; i++) {
    jostle__cli_reproduce_syntax(&(*cells)[i]);
    jostle__cli_racy_try(&(*cells)[i], 0);
  }
}

static inline void jostle_read_results(const char *path, jostle__cell **cells, size_t *n) {
  jostle__report_meta meta;
  jostle_read_json(path, &meta, cells, n);
}

static inline void jostle_free_results(jostle__cell *cells, size_t n) {
  for (size_t i = 0; i < n; i++) jostle__cell_free(&cells[i]);
  free(cells);
}

/* A shell command's standard output, which the caller frees. */
static inline char *jostle_capture(const char *fmt, ...) {
  char cmd[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  ck_assert_msg(p != NULL, "cannot run %s", cmd);
  char *out = NULL;
  size_t size = 0, used = 0, got;
  do {
    if (used + 4097 > size) {
      size = 2 * size + 4097;
      out = realloc(out, size);
      ck_assert_ptr_nonnull(out);
    }
    got = fread(out + used, 1, size - used - 1, p);
    used += got;
  } while (got > 0);
  out[used] = '\0';
  int status = pclose(p);
  ck_assert_msg(status == 0, "'%s' failed (status %d): %.600s", cmd, status, out);
  return out;
}

static inline long jostle_xpath_count(const char *file, const char *expr) {
  char *out = jostle_capture("xmllint --xpath 'count(%s)' '%s' 2>&1", expr, file);
  long v = strtol(out, NULL, 10);
  free(out);
  return v;
}

/* Cell c's text report, as `stress` prints it; the caller frees it. */
static inline char *jostle_cell_text(const jostle__cell *c) {
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  ck_assert_ptr_nonnull(f);
  jostle__report_text.cell(c, f);
  fclose(f);
  return text;
}

static inline void jostle_check_junit_agrees(const jostle__cell *cells, size_t n,
                                             const char *junit) {
  long failures = 0, skipped = 0;
  for (size_t i = 0; i < n; i++) {
    failures += cells[i].n_divergent > 0;
    skipped += cells[i].n_runs == 0;
  }
  ck_assert_int_eq(jostle_xpath_count(junit, "//testcase"), (long)n);
  ck_assert_int_eq(jostle_xpath_count(junit, "//testcase[failure]"), failures);
  ck_assert_int_eq(jostle_xpath_count(junit, "//testcase[skipped]"), skipped);
  for (size_t i = 0; i < n; i++) {
    const jostle__cell *c = &cells[i];
    char *want = jostle_cell_text(c);
    char *got = jostle_capture("xmllint --xpath 'string(//testcase[@classname=\"jostle.%s\" "
                               "and starts-with(@name, \"%s [%s, %s\")]/system-out)' '%s'",
                               c->scenario, c->scenario, c->scheduler, c->placement, junit);
    size_t len = strlen(got);
    if (len > 0 && got[len - 1] == '\n') got[len - 1] = '\0';  /* xmllint's own */
    ck_assert_msg(strcmp(got, want) == 0, "JUnit says:\n%s\nJSON says:\n%s", got, want);
    free(got);
    free(want);
  }
}

static inline void jostle_check_html_agrees(const jostle__cell *cells, size_t n,
                                            const char *html) {
  char *page = jostle_capture("cat '%s'", html);
  char want[1024];
  for (size_t i = 0; i < n; i++) {
    const jostle__cell *c = &cells[i];
    snprintf(want, sizeof want, " data-scenario=\"%s\" data-params=\"%s\" data-scheduler=\"%s\" "
             "data-placement=\"%s\" data-runs=\"%" PRIu64 "\" data-divergent=\"%" PRIu64 "\"",
             c->scenario, c->params, c->scheduler, c->placement, c->n_runs, c->n_divergent);
    ck_assert_msg(strstr(page, want) != NULL, "the HTML summary lacks%s", want);
    for (size_t k = 0; k < c->n_outcomes && k < 40; k++) {
      const jostle__outcome *o = &c->outcomes[k];
      snprintf(want, sizeof want, " data-outcome=\"%s\" data-class=\"%s\" data-count=\"%" PRIu64
               "\"", o->text, jostle__class_name(o->cls), o->count);
      const char *bar = strstr(page, want);
      ck_assert_msg(bar != NULL, "the HTML histogram lacks%s", want);
      /* a portfolio's bar says which member found the outcome */
      const jostle__member *by = jostle__found_by(c, o);
      if (by != NULL) {
        char found[64];
        snprintf(found, sizeof found, " data-found-by=\"%s\" ", by->scheduler);
        const char *at = strstr(bar, found), *close = strchr(bar, '>');
        ck_assert_msg(at != NULL && at < close, "the HTML bar of %s lacks%s", o->text, found);
      }
      snprintf(want, sizeof want, " data-first-run=\"%" PRIu64 "\" data-first-seed=\"0x%016"
               PRIx64 "\">", o->first_run, o->first_seed);
      const char *end = strchr(bar, '>');
      ck_assert_msg(end && strstr(bar, want) == end - strlen(want) + 1,
                    "the HTML bar of %s lacks%s", o->text, want);
    }
  }
  free(page);
}

/* The JUnit and HTML reports show the numbers of the JSON results. The
 * outcome texts must need no escaping. */
static inline void jostle_check_reports_agree(const char *json, const char *junit,
                                              const char *html) {
  jostle__report_meta meta;
  jostle__cell *cells;
  size_t n;
  jostle_read_json(json, &meta, &cells, &n);
  ck_assert_uint_gt(n, 0);
  if (junit) jostle_check_junit_agrees(cells, n, junit);
  if (html) jostle_check_html_agrees(cells, n, html);
  for (size_t i = 0; i < n; i++) jostle__cell_free(&cells[i]);
  free(cells);
}

#endif
