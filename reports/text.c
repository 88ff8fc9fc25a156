/*
 * text.c: the text report. Per cell a histogram (outcome, runs, share,
 * verdict, first seed), the rate with its confidence interval (or how many
 * runs a cell stopped at its first divergent run took), for a known-racy
 * cell found in none of its runs what to try, and a `reproduce:` line per
 * divergent outcome; at the end one `result` line per cell. The `result`
 * and `reproduce:` line forms are stable: scripts grep them, and the
 * README documents them. The sentences other reports share are
 * phrases.c's.
 */
#include <inttypes.h>
#include <string.h>

#include "reports/output.h"
#include "reports/phrases.h"
#include "reports/report.h"

static double runs_per_sec(const jostle__cell *c) {
  return c->elapsed_ns ? (double)c->n_runs * 1e9 / (double)c->elapsed_ns : 0.0;
}

static void text_cell(const jostle__cell *c, FILE *out) {
  char a[32];
  int width = (int)strlen("outcome");
  for (size_t i = 0; i < c->n_outcomes; i++) {
    int len = (int)strlen(c->outcomes[i].text);
    if (len > width) width = len;
  }
  if (width > 72) width = 72;
  fprintf(out, "%s  [scheduler %s, pin %s, %s 0x%016" PRIx64 ", %s]%s\n",
          c->scenario, c->scheduler, c->placement,
          c->fixed_seed ? "run seed" : "seed", c->campaign_seed, c->params,
          c->racy ? "  (known racy)" : "");
  const char *not_run = jostle__cell_not_run(c);
  if (not_run != NULL) {
    fprintf(out, "  %s\n\n", not_run);
    fflush(out);
    return;
  }
  /* a portfolio's cell says which member found each outcome first */
  fprintf(out, "  %-*s %13s %8s  %-9s  %s%s\n", width, "outcome", "runs", "share",
          "verdict", "first seed", c->n_members ? "          found by" : "");
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    double share = c->n_runs ? 100.0 * (double)o->count / (double)c->n_runs : 0;
    const jostle__member *by = jostle__found_by(c, o);
    fprintf(out, "  %-*s %13s %7.3f%%  %-9s  0x%016" PRIx64 "%s%s\n", width, o->text,
            jostle__grouped(o->count, a, sizeof a), share, jostle__class_name(o->cls),
            o->first_seed, by ? "  " : "", by ? by->scheduler : "");
  }
  char rate[256];
  fprintf(out, "  %s%s\n", jostle__phrase_rate(c, rate, sizeof rate),
          c->interrupted ? "; interrupted" : "");
  char hint[256];
  if (jostle__phrase_not_found(c, hint, sizeof hint) != NULL) fprintf(out, "  %s\n", hint);
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    if (o->detail[0] == '\0') continue;
    fprintf(out, "  first %s: %s", o->text, o->detail);
    if (o->cls == JOSTLE__RACE) {
      char b[32];
      fprintf(out, " (the check judged %s of its %s run%s divergent)",
              jostle__grouped(o->n_check_divergent, a, sizeof a),
              jostle__grouped(o->count, b, sizeof b), jostle__s(o->count));
    }
    fputc('\n', out);
  }
  /* each race's full report, once: its first run's */
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    if (o->race_report[0] == '\0') continue;
    jostle__text_race_report(out, c, o);
  }
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    if (o->cls == JOSTLE__ALLOWED || o->output[0] == '\0') continue;
    fprintf(out, "  first %s wrote:\n", o->text);
    jostle__text_output(out, o->output);
  }
  for (size_t i = 0; i < c->n_outcomes; i++) {
    if (c->outcomes[i].cls == JOSTLE__ALLOWED) continue;
    fputs("reproduce: ", out);
    jostle__reproduce_print(out, c, &c->outcomes[i]);
    fputc('\n', out);
  }
  fputc('\n', out);
  fflush(out);
}

void jostle__text_output(FILE *out, const char *output) {
  int at_start = 1;
  for (const unsigned char *p = (const unsigned char *)output; *p; p++) {
    if (at_start) fputs("    | ", out);
    at_start = *p == '\n';
    if (*p == '\n' || *p == '\t' || (*p >= 0x20 && *p != 0x7f))
      fputc(*p, out);
    else
      fprintf(out, "\\x%02x", *p);
  }
  if (!at_start) fputc('\n', out);
}

/* Whether another cell has the scenario of cells[i] (a soak's cells). */
static int shares_scenario(const jostle__cell *cells, size_t n_cells, size_t i) {
  for (size_t k = 0; k < n_cells; k++)
    if (k != i && strcmp(cells[k].scenario, cells[i].scenario) == 0) return 1;
  return 0;
}

static void text_end(const jostle__cell *cells, size_t n_cells, FILE *out) {
  for (size_t i = 0; i < n_cells; i++) {
    fprintf(out, "result %s runs=%" PRIu64 " divergent=%" PRIu64 " runs_per_sec=%.0f",
            cells[i].scenario, cells[i].n_runs, cells[i].n_divergent,
            runs_per_sec(&cells[i]));
    /* after the documented fields, so that what matches them still does */
    if (shares_scenario(cells, n_cells, i))
      fprintf(out, " scheduler=%s pin=%s", cells[i].scheduler, cells[i].placement);
    fputc('\n', out);
  }
  fflush(out);
}

const jostle__reporter_ops jostle__report_text = {
    .name = "text",
    .cell = text_cell,
    .end = text_end,
};

#define RACE_FRAME "=================="

void jostle__text_race_report(FILE *out, const jostle__cell *c, const jostle__outcome *o) {
  fputs(RACE_FRAME "\n", out);
  for (const unsigned char *p = (const unsigned char *)o->race_report; *p; p++) {
    if (*p == '\n' || (*p >= 0x20 && *p != 0x7f)) fputc(*p, out);
    else fprintf(out, "\\x%02x", *p);
  }
  fputs("reproduce: ", out);
  jostle__reproduce_print(out, c, o);
  fputs("\n" RACE_FRAME "\n", out);
}
