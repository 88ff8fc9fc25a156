/*
 * html.c: the HTML report, one self-contained page (inline CSS, inline SVG
 * charts, a few lines of inline script for copy buttons; nothing fetched
 * from the network). From the top: the report's metadata; a summary chart,
 * the divergence rate of each scenario (rows) under each scheduler and
 * placement (columns); then per cell its header line, its rate, what a
 * known-racy cell that came out clean should try, its outcome histogram
 * (a table, so that whole outcome texts wrap) and its divergence rate over
 * the campaign's time with the 95% interval, or for a cell whose runs were
 * all allowed one compact line of its outcomes, its reproduce commands and
 * its text report.
 *
 * Every element that shows a number also carries it in data-* attributes
 * and a tooltip (an SVG <title>, or a title attribute), so that tests and
 * scripts can read the numbers from the page. All text is escaped
 * (output.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "reports/formats.h"
#include "reports/output.h"
#include "reports/phrases.h"
#include "reports/report.h"

/* A histogram (or a clean cell's line) shows this many outcomes, the most
 * frequent; it says how many more there are, and the cell's text report
 * lists them all. */
#define MAX_BARS 40

/* Chart geometry, in pixels. */
#define CHART_W 960
#define LINE_H 240
#define LINE_LEFT 70
#define LINE_RIGHT 20
#define LINE_TOP 16
#define LINE_BOTTOM 36
#define SUM_LABEL_W 300             /* at least; wider for long labels */
#define SUM_CHAR_W 8                /* a label character's width, at most, about */
#define SUM_COL_W 120
#define SUM_ROW_H 28
#define SUM_HEAD_H 36

static const char *const class_fill[JOSTLE__N_CLASSES] = {
    "#43a047",  /* allowed: green */
    "#e53935",  /* DIVERGENT: red */
    "#8e24aa",  /* crash: purple */
    "#fb8c00",  /* hang: orange */
    "#6d4c41",  /* deadlock: brown */
    "#546e7a",  /* step-limit: slate */
    "#9e9d24",  /* limit: olive */
    "#d81b60",  /* race: magenta */
};

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
    "max-width:1000px;margin:24px auto;padding:0 16px}\n"
    "h1{font-size:22px;margin:0 0 8px}\n"
    "h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin:28px 0 10px}\n"
    "h3{font-size:16px;margin:0 0 4px}\n"
    "h4{font-size:14px;margin:12px 0 4px}\n"
    "table.meta{border-collapse:collapse}\n"
    "table.meta td{padding:1px 14px 1px 0;vertical-align:top}\n"
    "table.meta td:first-child{color:#666;white-space:nowrap}\n"
    "section.cell{border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:16px 0}\n"
    ".tags{font-weight:normal;color:#555;font-size:13px}\n"
    ".racy{background:#fff3cd;color:#6b5000;border-radius:3px;padding:0 6px;font-size:12px;"
    "font-weight:normal}\n"
    ".rate{margin:2px 0 8px}\n"
    ".not-found{background:#fff3cd;color:#6b5000;border-left:4px solid #e0a800;"
    "padding:4px 8px;margin:4px 0 8px}\n"
    ".note{color:#666}\n"
    "pre{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:4px;padding:6px 8px;"
    "margin:0;white-space:pre-wrap;overflow-wrap:anywhere;"
    "font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}\n"
    ".repro{margin:6px 0}\n"
    ".repro .what{font-size:13px;color:#444}\n"
    ".repro .cmd{display:flex;gap:8px;align-items:flex-start}\n"
    ".repro pre{flex:1}\n"
    "button.copy{font-size:12px;padding:3px 10px;cursor:pointer}\n"
    "svg{max-width:100%;height:auto;display:block;margin:4px 0}\n"
    "svg text{font:12px system-ui,sans-serif;fill:#222}\n"
    "svg .num{fill:#444}\n"
    "svg .axis{fill:#666;font-size:11px}\n"
    "svg .racy-tag{fill:#8a6d00;font-size:11px}\n"
    ".legend span{display:inline-block;margin-right:14px;font-size:13px}\n"
    "table.histogram{border-collapse:collapse;width:100%;margin:4px 0;font-size:13px}\n"
    "table.histogram td{padding:2px 6px;vertical-align:middle}\n"
    "table.histogram td.label{width:48%;text-align:right;overflow-wrap:anywhere;"
    "line-height:1.3}\n"
    "table.histogram td.track{width:30%}\n"
    "table.histogram td.num{color:#444;white-space:nowrap}\n"
    "table.histogram td.num[colspan]{white-space:normal}\n"
    "table.histogram tr.outcome:hover{background:#f6f8fa}\n"
    "table.histogram tr.first-run details{margin:0 0 4px 8px;font-size:12px;color:#444}\n"
    "table.histogram pre.output{background:#f6f8fa;padding:4px 6px;margin:2px 0;"
    "white-space:pre-wrap;overflow-wrap:anywhere}\n"
    ".lane{background:#f0f0f0;height:16px}\n"
    ".bar{height:16px;min-width:2px}\n"
    ".compact{margin:4px 0 8px;overflow-wrap:anywhere}\n"
    ".compact .outcome{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}\n"
    ".legend i{display:inline-block;width:11px;height:11px;margin-right:4px;"
    "vertical-align:-1px;border-radius:2px}\n"
    "details{margin-top:10px}\n";

/* Copy buttons: the clipboard API where the page may use it, else the
 * command is selected for the reader to copy. */
static const char script[] =
    "document.addEventListener('click', function (e) {\n"
    "  var b = e.target.closest ? e.target.closest('button.copy') : null;\n"
    "  if (!b) return;\n"
    "  var pre = document.getElementById(b.getAttribute('data-copy'));\n"
    "  function said(t) { b.textContent = t; setTimeout(function () { b.textContent = 'copy'; }, 1500); }\n"
    "  function select() {\n"
    "    var r = document.createRange(); r.selectNodeContents(pre);\n"
    "    var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);\n"
    "    said('selected');\n"
    "  }\n"
    "  if (navigator.clipboard) navigator.clipboard.writeText(pre.textContent)\n"
    "    .then(function () { said('copied'); }, select);\n"
    "  else select();\n"
    "});\n";

static void text(FILE *f, const char *s) { jostle__put_markup(f, s, 0); }

/* Characters (not bytes) of s. */
static size_t chars_of(const char *s) {
  size_t n = 0;
  for (size_t i = 0; s[i] != '\0'; n++) {
    size_t len = jostle__utf8_len(s + i);
    i += len ? len : 1;
  }
  return n;
}

static double ratio(uint64_t k, uint64_t n) { return n ? (double)k / (double)n : 0.0; }

/* A rate as a percentage with 3 significant digits: "19.1%", "0.000123%". */
static const char *percent(double rate, char *buf, size_t size) {
  snprintf(buf, size, "%.3g%%", 100.0 * rate);
  return buf;
}

/* --- the page's head and metadata --------------------------------------- */

static void meta_row(FILE *f, const char *name, const char *value) {
  fprintf(f, "<tr><td>%s</td><td>", name);
  text(f, value[0] ? value : "unknown");
  fputs("</td></tr>\n", f);
}

/* A time in seconds: "0.104 s", "20 s", "28800 s" (not "2.88e+04 s"). */
static const char *seconds(uint64_t ns, char *buf, size_t size) {
  double s = (double)ns / 1e9;
  snprintf(buf, size, s < 1000 ? "%.3g s" : "%.0f s", s);
  return buf;
}

/* The budget in words: a soak's time is the whole soak's, which its cells
 * share in batches; any other campaign's is each cell's. */
static void budget(const jostle__report_meta *m, char *buf, size_t size) {
  char runs[64], time[96], a[32], batch[32];
  if (m->budget_runs)
    snprintf(runs, sizeof runs, "%s run%s", jostle__grouped(m->budget_runs, a, sizeof a),
             jostle__s(m->budget_runs));
  else snprintf(runs, sizeof runs, "no limit on runs");
  if (m->budget_ns) snprintf(time, sizeof time, "at most %s", seconds(m->budget_ns, a, sizeof a));
  else snprintf(time, sizeof time, "no time limit");
  if (m->batch_ns)
    snprintf(buf, size, "%s per cell; %s for the whole soak, shared by its cells in batches "
             "of at most %s", runs, time, seconds(m->batch_ns, batch, sizeof batch));
  else
    snprintf(buf, size, "%s, %s per cell", runs, time);
}

static void head(FILE *f, const jostle__report_meta *m, size_t n) {
  char buf[512], a[32], b[320];
  fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             "<title>jostle results</title>\n<style>\n%s</style>\n</head>\n<body>\n"
             "<h1>jostle results</h1>\n<table class=\"meta\">\n", style);
  meta_row(f, "command", m->command_line);
  snprintf(buf, sizeof buf, "%s UTC", jostle__iso8601(m->started_unix_ns, a, sizeof a));
  meta_row(f, "started", buf);
  snprintf(buf, sizeof buf, "%zu (scenario, scheduler, placement)", n);
  meta_row(f, "cells", buf);
  snprintf(buf, sizeof buf, "0x%016" PRIx64, m->seed);
  meta_row(f, "seed", buf);
  budget(m, b, sizeof b);
  snprintf(buf, sizeof buf, "%s; timeout %.3g s per run; %d job%s%s", b,
           (double)m->timeout_ns / 1e9, m->n_jobs, jostle__s((uint64_t)m->n_jobs),
           m->until_divergence ? "; each cell stopped at its first divergent run" : "");
  meta_row(f, "budget", buf);
  meta_row(f, "host", m->host);
  snprintf(buf, sizeof buf, "processing units %d, cores %d, packages %d, NUMA nodes %d",
           m->n_pus, m->n_cores, m->n_packages, m->n_numa);
  meta_row(f, "topology", buf);
  snprintf(buf, sizeof buf, "jostle %s, built by %s", m->jostle_version, m->compiler);
  meta_row(f, "jostle", buf);
  meta_row(f, "commit", m->commit);
  fputs("</table>\n<p class=\"legend\">", f);
  for (int cls = 0; cls < JOSTLE__N_CLASSES; cls++)
    fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>", class_fill[cls],
            jostle__class_name((jostle__class)cls));
  fputs("</p>\n", f);
}

/* --- the summary chart ------------------------------------------------- */

/* Colour of a divergence rate: pale green for none, then from yellow to
 * deep red on a log scale from one run in a million to every run. */
static void rate_fill(double rate, char *fill, size_t size, const char **ink) {
  if (rate <= 0.0) {
    snprintf(fill, size, "#e8f5e9");
    *ink = "#1b5e20";
    return;
  }
  double t = (log10(rate) + 6.0) / 6.0;
  t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
  snprintf(fill, size, "#%02x%02x%02x", (int)(255 - t * (255 - 183)), (int)(224 - t * (224 - 28)),
           (int)(130 - t * (130 - 28)));
  *ink = t > 0.45 ? "#ffffff" : "#222222";
}

static int same_row(const jostle__cell *a, const jostle__cell *b) {
  return strcmp(a->scenario, b->scenario) == 0 && strcmp(a->params, b->params) == 0;
}

static int same_col(const jostle__cell *a, const jostle__cell *b) {
  return strcmp(a->scheduler, b->scheduler) == 0 && strcmp(a->placement, b->placement) == 0;
}

/* Index of the first cell of i's row (or column), which stands for it. */
static size_t first_like(const jostle__cell *cells, size_t i,
                         int (*same)(const jostle__cell *, const jostle__cell *)) {
  size_t j = 0;
  while (!same(&cells[j], &cells[i])) j++;
  return j;
}

/* The square of row i and column j at (x, y): the cells of that scenario
 * and scheduler added up, coloured by their divergence rate; cells that
 * stopped at their first divergent run say how many runs that took, and a
 * known-racy scenario found in none of its runs is amber, not green. */
static void square(FILE *f, const jostle__cell *cells, size_t n, size_t i, size_t j, size_t x,
                   size_t y) {
  uint64_t runs = 0, div = 0;
  size_t n_cells = 0;
  int all_found = 1;
  const jostle__cell *first = NULL;
  for (size_t k = 0; k < n; k++)
    if (same_row(&cells[k], &cells[i]) && same_col(&cells[k], &cells[j])) {
      if (first == NULL) first = &cells[k];
      runs += cells[k].n_runs;
      div += cells[k].n_divergent;
      all_found &= jostle__phrase_found(&cells[k]);
      n_cells++;
    }
  if (n_cells == 0) {
    fprintf(f, "<rect x=\"%zu\" y=\"%zu\" width=\"%d\" height=\"%d\" fill=\"#f3f3f3\"/>"
               "<text x=\"%zu\" y=\"%zu\" text-anchor=\"middle\" class=\"axis\">not run</text>\n",
            x + 1, y + 1, SUM_COL_W - 2, SUM_ROW_H - 2, x + SUM_COL_W / 2, y + 18);
    return;
  }
  char fill[16], label[48], a[32], b[32], hint[256];
  const char *ink = "#666666";
  double rate = ratio(div, runs), lo, hi;
  jostle__wilson95(div, runs, &lo, &hi);
  /* the square's cells added up, as one cell says it */
  jostle__cell sum = *first;
  sum.n_runs = runs;
  sum.n_divergent = div;
  const char *not_found = jostle__phrase_not_found(&sum, hint, sizeof hint);
  if (not_found != NULL) {
    snprintf(fill, sizeof fill, "#fff3cd");
    ink = "#6b5000";
  } else if (runs > 0) {
    rate_fill(rate, fill, sizeof fill, &ink);
  } else {
    snprintf(fill, sizeof fill, "#f3f3f3");  /* no runs: no rate to colour */
  }
  fprintf(f, "<rect class=\"rate\" x=\"%zu\" y=\"%zu\" width=\"%d\" height=\"%d\" fill=\"%s\"",
          x + 1, y + 1, SUM_COL_W - 2, SUM_ROW_H - 2, fill);
  jostle__put_attr(f, "data-scenario", cells[i].scenario);
  jostle__put_attr(f, "data-params", cells[i].params);
  jostle__put_attr(f, "data-scheduler", cells[j].scheduler);
  jostle__put_attr(f, "data-placement", cells[j].placement);
  fprintf(f, " data-runs=\"%" PRIu64 "\" data-divergent=\"%" PRIu64 "\" data-rate=\"%.6g\""
             " data-cells=\"%zu\"><title>", runs, div, rate, n_cells);
  text(f, cells[i].scenario);
  fputs(" under ", f);
  text(f, cells[j].scheduler);
  fputs(", pin ", f);
  text(f, cells[j].placement);
  fputs(": ", f);
  if (not_found != NULL)
    text(f, not_found);
  else if (all_found)
    fprintf(f, "found in %s run%s (stopped at the first divergent run)",
            jostle__grouped(runs, b, sizeof b), jostle__s(runs));
  else
    fprintf(f, "%s of %s run%s divergent (%.4f%%, 95%% CI %.4f-%.4f%%)",
            jostle__grouped(div, a, sizeof a), jostle__grouped(runs, b, sizeof b),
            jostle__s(runs), 100.0 * rate, 100.0 * lo, 100.0 * hi);
  fprintf(f, "%s</title></rect>", n_cells > 1 ? "; cells added up" : "");
  if (runs == 0) snprintf(label, sizeof label, "not run");
  else if (not_found != NULL) snprintf(label, sizeof label, "not found");
  else if (all_found) snprintf(label, sizeof label, "found in %s", jostle__grouped(runs, a, sizeof a));
  else percent(rate, label, sizeof label);
  fprintf(f, "<text x=\"%zu\" y=\"%zu\" text-anchor=\"middle\" style=\"fill:%s\">%s</text>\n",
          x + SUM_COL_W / 2, y + 18, ink, label);
}

/* Rows are scenarios with their parameters and columns schedulers with
 * their placements, each in the order the cells first name them. Cells
 * that share a row and a column (a campaign repeated) are added up. */
static void summary(FILE *f, const jostle__cell *cells, size_t n) {
  size_t n_rows = 0, n_cols = 0;
  for (size_t i = 0; i < n; i++) {
    n_rows += first_like(cells, i, same_row) == i;
    n_cols += first_like(cells, i, same_col) == i;
  }
  fputs("<h2>Divergence rate by scheduler and placement</h2>\n", f);
  if (n == 0) {
    fputs("<p class=\"note\">No cells.</p>\n", f);
    return;
  }
  /* Row labels are whole: the label column is as wide as the widest. */
  size_t label_w = SUM_LABEL_W;
  for (size_t i = 0; i < n; i++) {
    size_t chars = chars_of(cells[i].scenario) + 1 + chars_of(cells[i].params) +
                   (cells[i].racy ? 5 : 0);
    if (chars * SUM_CHAR_W + 16 > label_w) label_w = chars * SUM_CHAR_W + 16;
  }
  size_t width = label_w + n_cols * SUM_COL_W, height = SUM_HEAD_H + n_rows * SUM_ROW_H;
  fprintf(f, "<svg class=\"summary\" width=\"%zu\" height=\"%zu\" viewBox=\"0 0 %zu %zu\" "
             "role=\"img\" aria-label=\"divergence rate of each scenario under each scheduler "
             "and placement\">\n", width, height, width, height);
  size_t col = 0;
  for (size_t j = 0; j < n; j++) {
    if (first_like(cells, j, same_col) != j) continue;
    fprintf(f, "<text x=\"%zu\" y=\"%d\" text-anchor=\"middle\">", label_w +
            col * SUM_COL_W + SUM_COL_W / 2, SUM_HEAD_H - 12);
    text(f, cells[j].scheduler);
    fputs(" / ", f);
    text(f, cells[j].placement);
    fputs("</text>\n", f);
    col++;
  }
  size_t row = 0;
  for (size_t i = 0; i < n; i++) {
    if (first_like(cells, i, same_row) != i) continue;
    size_t y = SUM_HEAD_H + row * SUM_ROW_H;
    fprintf(f, "<text x=\"%zu\" y=\"%zu\" text-anchor=\"end\"><title>", label_w - 8, y + 18);
    text(f, cells[i].scenario);
    fputc(' ', f);
    text(f, cells[i].params);
    fputs("</title>", f);
    text(f, cells[i].scenario);
    fputs(" <tspan class=\"axis\">", f);
    text(f, cells[i].params);
    fprintf(f, "</tspan>%s</text>\n", cells[i].racy ? "<tspan class=\"racy-tag\"> racy</tspan>" : "");
    col = 0;
    for (size_t j = 0; j < n; j++) {
      if (first_like(cells, j, same_col) != j) continue;
      square(f, cells, n, i, j, label_w + col * SUM_COL_W, y);
      col++;
    }
    row++;
  }
  fputs("</svg>\n<p class=\"note\">Colour: share of runs not allowed, on a log scale from one "
        "in a million (yellow) to all (red); green: none; amber: a known-racy scenario whose "
        "race no run found. Hover a square for the counts.</p>\n",
        f);
}

/* --- per cell ----------------------------------------------------------- */

/* An outcome's numbers, as attributes: the tooltip, then data-* for tests
 * and scripts (data-first-seed last). */
static void outcome_attrs(FILE *f, const jostle__cell *c, const jostle__outcome *o) {
  char a[32], b[32], tip[512];
  double share = ratio(o->count, c->n_runs);
  const jostle__member *by = jostle__found_by(c, o);
  snprintf(tip, sizeof tip, "%s (%s): %s of %s run%s, %.3f%%; first run %" PRIu64
           ", seed 0x%016" PRIx64 "%s%s", o->text, jostle__class_name(o->cls),
           jostle__grouped(o->count, a, sizeof a), jostle__grouped(c->n_runs, b, sizeof b),
           jostle__s(c->n_runs), 100.0 * share, o->first_run, o->first_seed,
           by ? ", found by " : "", by ? by->scheduler : "");
  jostle__put_attr(f, "title", tip);
  jostle__put_attr(f, "data-outcome", o->text);
  fprintf(f, " data-class=\"%s\" data-count=\"%" PRIu64 "\" data-share=\"%.6g\"",
          jostle__class_name(o->cls), o->count, share);
  /* a portfolio's: the member of the outcome's first run */
  if (by != NULL) jostle__put_attr(f, "data-found-by", by->scheduler);
  fprintf(f, " data-first-run=\"%" PRIu64 "\" data-first-seed=\"0x%016" PRIx64 "\"",
          o->first_run, o->first_seed);
}

/* What the page leaves out past its first n_shown outcomes, in a sentence
 * that points to the text report. */
static void more_outcomes(FILE *f, const jostle__cell *c, size_t n_shown) {
  char a[32];
  uint64_t runs = 0;
  size_t n_bad = 0, n_more = c->n_outcomes - n_shown;
  for (size_t i = n_shown; i < c->n_outcomes; i++) {
    runs += c->outcomes[i].count;
    n_bad += c->outcomes[i].cls != JOSTLE__ALLOWED;
  }
  fprintf(f, "\xe2\x80\xa6 %zu more outcome%s (%zu not allowed) with %s run%s: "
             "the text report below lists them all",
          n_more, jostle__s(n_more), n_bad, jostle__grouped(runs, a, sizeof a), jostle__s(runs));
}

/* What is known of an outcome's first run, when anything is: a crash's
 * detail, what the run wrote; folded, under its row. */
static void first_run(FILE *f, const jostle__outcome *o) {
  if (o->detail[0] == '\0' && o->output[0] == '\0') return;
  fprintf(f, "<tr class=\"first-run\"><td colspan=\"3\"><details><summary>its first run "
             "(run %" PRIu64 ")%s</summary>",
          o->first_run, o->output[0] != '\0' ? ", and what it wrote" : "");
  if (o->detail[0] != '\0') {
    fputs("<p class=\"detail\">", f);
    text(f, o->detail);
    fputs("</p>", f);
  }
  if (o->output[0] != '\0') {
    fputs("<pre class=\"output\">", f);
    text(f, o->output);
    fputs("</pre>", f);
  }
  fputs("</details></td></tr>\n", f);
}

/* The outcomes of a cell with runs not allowed, most frequent first: a row
 * each, its whole text (wrapped, never cut: outcomes that differ only in
 * their reason must not look alike), a bar as long as its share, and its
 * count. A table, not SVG, so that the browser wraps the texts. */
static void histogram(FILE *f, const jostle__cell *c) {
  char a[32];
  size_t n_bars = c->n_outcomes < MAX_BARS ? c->n_outcomes : MAX_BARS;
  if (n_bars == 0) {
    fputs("<p class=\"note\">No outcomes.</p>\n", f);
    return;
  }
  fputs("<table class=\"histogram\" aria-label=\"outcome histogram\">\n", f);
  for (size_t i = 0; i < n_bars; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    double share = ratio(o->count, c->n_runs);
    fputs("<tr class=\"outcome\"><td class=\"label\">", f);
    text(f, o->text);
    fprintf(f, "</td><td class=\"track\"><div class=\"lane\"><div class=\"bar\" "
               "style=\"width:%.3f%%;background:%s\"",
            100.0 * (share < 1.0 ? share : 1.0), class_fill[o->cls]);
    outcome_attrs(f, c, o);
    fprintf(f, "></div></div></td><td class=\"num\">%s (%.3f%%)%s</td></tr>\n",
            jostle__grouped(o->count, a, sizeof a), 100.0 * share,
            o->cls == JOSTLE__ALLOWED ? "" : ", not allowed");
    if (o->cls != JOSTLE__ALLOWED) first_run(f, o);
  }
  if (c->n_outcomes > n_bars) {
    fprintf(f, "<tr><td></td><td class=\"num\" colspan=\"2\" data-hidden-outcomes=\"%zu\">",
            c->n_outcomes - n_bars);
    more_outcomes(f, c, n_bars);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* A cell whose runs were all allowed: one line naming its outcomes, with
 * the numbers a histogram would carry; a chart of one full bar and a flat
 * timeline would say no more. */
static void compact(FILE *f, const jostle__cell *c) {
  char a[32];
  size_t n_shown = c->n_outcomes < MAX_BARS ? c->n_outcomes : MAX_BARS;
  if (c->n_runs == 1) fputs("<p class=\"compact\">1 run, allowed: ", f);
  else fprintf(f, "<p class=\"compact\">All %s runs allowed: ",
               jostle__grouped(c->n_runs, a, sizeof a));
  for (size_t i = 0; i < n_shown; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    fprintf(f, "%s<span class=\"outcome\"", i ? "; " : "");
    outcome_attrs(f, c, o);
    fputc('>', f);
    text(f, o->text);
    fprintf(f, "</span> %s (%.3f%%)", jostle__grouped(o->count, a, sizeof a),
            100.0 * ratio(o->count, c->n_runs));
  }
  if (c->n_outcomes > n_shown) {
    fputs("; ", f);
    more_outcomes(f, c, n_shown);
  }
  fputs("</p>\n", f);
}

/* The smallest of 1, 2, 5 times a power of ten that is at least x. */
static double nice_ceiling(double x) {
  double step = pow(10.0, floor(log10(x)));
  if (step >= x) return step;
  if (2 * step >= x) return 2 * step;
  if (5 * step >= x) return 5 * step;
  return 10 * step;
}

/* Where the timeline puts a time and a rate. */
typedef struct axes {
  double span_s;  /* the time the plot spans */
  double y_max;   /* the rate at its top; higher rates are drawn there */
} axes;

static double px(const axes *ax, uint64_t elapsed_ns) {
  return LINE_LEFT + (CHART_W - LINE_LEFT - LINE_RIGHT) * ((double)elapsed_ns / 1e9) / ax->span_s;
}

static double py(const axes *ax, double rate) {
  return LINE_TOP + (LINE_H - LINE_TOP - LINE_BOTTOM) *
                        (1.0 - (rate < ax->y_max ? rate : ax->y_max) / ax->y_max);
}

/* The cumulated divergence rate at each sample, with its 95% interval as
 * a band: it narrows as runs accumulate, and shows when a rate has
 * settled. */
static void timeline(FILE *f, const jostle__cell *c) {
  char a[32], b[32], pct[32];
  if (c->n_samples == 0) {
    fputs("<p class=\"note\">No progress samples.</p>\n", f);
    return;
  }
  uint64_t t_max = c->samples[c->n_samples - 1].elapsed_ns;
  double rate_max = 0.0;
  for (size_t i = 0; i < c->n_samples; i++) {
    double r = ratio(c->samples[i].n_divergent, c->samples[i].n_runs);
    if (r > rate_max) rate_max = r;
    if (c->samples[i].elapsed_ns > t_max) t_max = c->samples[i].elapsed_ns;
  }
  axes ax = {.span_s = t_max > 0 ? (double)t_max / 1e9 : 1.0,
             .y_max = rate_max > 0.0 ? nice_ceiling(rate_max * 1.1) : 0.01};
  if (ax.y_max > 1.0) ax.y_max = 1.0;
  fprintf(f, "<svg class=\"timeline\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
             "role=\"img\" aria-label=\"divergence rate over time\">\n",
          CHART_W, LINE_H, CHART_W, LINE_H);
  for (int k = 0; k <= 2; k++) {  /* grid and axes: 0, half, top; start, middle, end */
    double y = py(&ax, ax.y_max * k / 2.0), x = px(&ax, t_max / 2 * (uint64_t)k);
    fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
               "<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
            LINE_LEFT, CHART_W - LINE_RIGHT, y, y, LINE_LEFT - 6, y + 4,
            percent(ax.y_max * k / 2.0, pct, sizeof pct));
    fprintf(f, "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g s</text>\n",
            x, LINE_H - LINE_BOTTOM + 16, ax.span_s * k / 2.0);
  }
  fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%d\">divergence rate (cumulated) and its 95%% "
             "interval; time since the cell started</text>\n",
          LINE_LEFT, LINE_H - 4);
  fputs("<polygon class=\"ci\" fill=\"#e53935\" fill-opacity=\"0.15\" points=\"", f);
  for (size_t i = 0; i < c->n_samples; i++) {  /* upper edge forwards, lower back */
    double lo, hi;
    jostle__wilson95(c->samples[i].n_divergent, c->samples[i].n_runs, &lo, &hi);
    fprintf(f, "%.1f,%.1f ", px(&ax, c->samples[i].elapsed_ns), py(&ax, hi));
  }
  for (size_t i = c->n_samples; i-- > 0;) {
    double lo, hi;
    jostle__wilson95(c->samples[i].n_divergent, c->samples[i].n_runs, &lo, &hi);
    fprintf(f, "%.1f,%.1f ", px(&ax, c->samples[i].elapsed_ns), py(&ax, lo));
  }
  fputs("\"/>\n<polyline class=\"rate\" fill=\"none\" stroke=\"#c62828\" stroke-width=\"1.5\" "
        "points=\"", f);
  for (size_t i = 0; i < c->n_samples; i++)
    fprintf(f, "%.1f,%.1f ", px(&ax, c->samples[i].elapsed_ns),
            py(&ax, ratio(c->samples[i].n_divergent, c->samples[i].n_runs)));
  fputs("\"/>\n", f);
  for (size_t i = 0; i < c->n_samples; i++) {
    const jostle__sample *s = &c->samples[i];
    double rate = ratio(s->n_divergent, s->n_runs);
    fprintf(f, "<circle class=\"sample\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#c62828\" "
               "data-elapsed-ns=\"%" PRIu64 "\" data-runs=\"%" PRIu64 "\" data-divergent=\"%"
               PRIu64 "\" data-rate=\"%.6g\"><title>%.3f s: %s of %s run%s divergent (%.4f%%)"
               "</title></circle>\n",
            px(&ax, s->elapsed_ns), py(&ax, rate), s->elapsed_ns, s->n_runs, s->n_divergent, rate,
            (double)s->elapsed_ns / 1e9, jostle__grouped(s->n_divergent, a, sizeof a),
            jostle__grouped(s->n_runs, b, sizeof b), jostle__s(s->n_runs), 100.0 * rate);
  }
  fputs("</svg>\n", f);
}

/* Returns 0, or -1 when out of memory. */
static int reproduce(FILE *f, const jostle__cell *c, size_t index) {
  char a[32];
  int any = 0;
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    if (o->cls == JOSTLE__ALLOWED) continue;
    if (!any++) fputs("<h4>Reproduce</h4>\n", f);
    char *cmd = jostle__reproduce(c, o);
    if (cmd == NULL) return -1;
    fputs("<div class=\"repro\"><div class=\"what\">", f);
    text(f, o->text);
    fprintf(f, " &#8212; %s, %s run%s", jostle__class_name(o->cls),
            jostle__grouped(o->count, a, sizeof a), jostle__s(o->count));
    const jostle__member *by = jostle__found_by(c, o);
    if (by != NULL) {
      fputs(", found by ", f);
      text(f, by->scheduler);
    }
    fprintf(f, "</div><div class=\"cmd\"><pre id=\"repro-%zu-%zu\">", index, i);
    text(f, cmd);
    free(cmd);
    fprintf(f, "</pre><button type=\"button\" class=\"copy\" data-copy=\"repro-%zu-%zu\">"
               "copy</button></div></div>\n", index, i);
  }
  return 0;
}

/* The cell's text report, folded, and the end of its section. Returns 0,
 * or -1 when out of memory. */
static int text_report(FILE *f, const jostle__cell *c) {
  char *report = NULL;
  size_t size;
  FILE *tf = open_memstream(&report, &size);
  if (tf == NULL) return -1;
  jostle__report_text.cell(c, tf);
  int failed = ferror(tf);
  failed |= fclose(tf) != 0;
  if (!failed) {
    fputs("<details><summary>Text report</summary><pre>", f);
    text(f, report);
    fputs("</pre></details>\n", f);
  }
  free(report);
  fputs("</section>\n", f);
  return failed ? -1 : 0;
}

/* Returns 0, or -1 when out of memory. */
static int cell(FILE *f, const jostle__cell *c, size_t index) {
  char line[256];
  fprintf(f, "<section class=\"cell\" id=\"cell-%zu\">\n<h3>", index);
  text(f, c->scenario);
  fputs(" <span class=\"tags\">[scheduler ", f);
  text(f, c->scheduler);
  fputs(", pin ", f);
  text(f, c->placement);
  fprintf(f, ", %s 0x%016" PRIx64 ", ", c->fixed_seed ? "run seed" : "seed", c->campaign_seed);
  text(f, c->params);
  fprintf(f, "]</span>%s</h3>\n", c->racy ? " <span class=\"racy\">known racy</span>" : "");
  const char *not_run = jostle__cell_not_run(c);
  if (not_run != NULL) {
    /* no rate, no charts: nothing ran to show */
    fputs("<p class=\"rate\"><b>", f);
    text(f, not_run);
    fputs("</b></p>\n", f);
    return text_report(f, c);
  }
  fputs("<p class=\"rate\">", f);
  text(f, jostle__phrase_rate(c, line, sizeof line));
  if (c->first_divergence_ns > 0 && !jostle__phrase_found(c))
    fprintf(f, "; first divergent run within %.2f s", (double)c->first_divergence_ns / 1e9);
  fprintf(f, "%s</p>\n", c->interrupted ? "; <b>interrupted</b>" : "");
  if (jostle__phrase_not_found(c, line, sizeof line) != NULL) {
    fputs("<p class=\"not-found\">", f);
    text(f, line);
    fputs("</p>\n", f);
  }
  if (c->n_runs > 0 && c->n_divergent == 0) {
    compact(f, c);
  } else {
    histogram(f, c);
    /* a stopped cell's rate is one divergent run in all that ran: no curve */
    if (!jostle__phrase_found(c)) timeline(f, c);
  }
  if (reproduce(f, c, index) != 0) return -1;
  return text_report(f, c);
}

static int page(FILE *f, const jostle__report_meta *m, const jostle__cell *cells, size_t n) {
  head(f, m, n);
  summary(f, cells, n);
  fputs("<h2>Cells</h2>\n", f);
  for (size_t i = 0; i < n; i++)
    if (cell(f, &cells[i], i) != 0) return -1;
  fprintf(f, "<script>\n%s</script>\n</body>\n</html>\n", script);
  return 0;
}

int jostle__html_write(const char *path, const jostle__report_meta *m,
                       const jostle__cell *cells, size_t n, char *err, size_t errsize) {
  return jostle__out_write_report(path, m, cells, n, page, err, errsize);
}

const jostle__report_format jostle__format_html = {
    .name = "html",
    .soak_file = "report.html",
    .help = "one self-contained HTML page with charts",
    .write = jostle__html_write,
    .read = NULL,
};
