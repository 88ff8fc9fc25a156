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
  if (c->n_runs == 0 && c->interrupted) {
    fprintf(out, "  not run: interrupted before its first run\n\n");
    fflush(out);
    return;
  }
  fprintf(out, "  %-*s %13s %8s  %-9s  %s\n", width, "outcome", "runs", "share",
          "verdict", "first seed");
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    double share = c->n_runs ? 100.0 * (double)o->count / (double)c->n_runs : 0;
    fprintf(out, "  %-*s %13s %7.3f%%  %-9s  0x%016" PRIx64 "\n", width, o->text,
            jostle__grouped(o->count, a, sizeof a), share, jostle__class_name(o->cls),
            o->first_seed);
  }
  char rate[256];
  fprintf(out, "  %s%s\n", jostle__phrase_rate(c, rate, sizeof rate),
          c->interrupted ? "; interrupted" : "");
  char hint[256];
  if (jostle__phrase_not_found(c, hint, sizeof hint) != NULL) fprintf(out, "  %s\n", hint);
  for (size_t i = 0; i < c->n_outcomes; i++) {
    char cmd[1024];
    if (c->outcomes[i].cls == JOSTLE__ALLOWED) continue;
    jostle__reproduce(c, &c->outcomes[i], cmd, sizeof cmd);
    fprintf(out, "reproduce: %s\n", cmd);
  }
  fputc('\n', out);
  fflush(out);
}

static void text_end(const jostle__cell *cells, size_t n_cells, FILE *out) {
  for (size_t i = 0; i < n_cells; i++)
    fprintf(out, "result %s runs=%" PRIu64 " divergent=%" PRIu64
                 " runs_per_sec=%.0f\n",
            cells[i].scenario, cells[i].n_runs, cells[i].n_divergent,
            runs_per_sec(&cells[i]));
  fflush(out);
}

const jostle__reporter_ops jostle__report_text = {
    .name = "text",
    .cell = text_cell,
    .end = text_end,
};
