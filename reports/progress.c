/*
 * progress.c: the live progress line (see progress.h). It only rewrites one
 * line with a carriage return and an erase-line escape, so it is for
 * terminals only; the caller decides whether stderr is one.
 */
#include "reports/progress.h"

#include <inttypes.h>

#include "common/text.h"

/* 1234567 -> "1.23M" */
static const char *human(double v, char *buf, size_t size) {
  if (v >= 1e9) snprintf(buf, size, "%.2fG", v / 1e9);
  else if (v >= 1e6) snprintf(buf, size, "%.2fM", v / 1e6);
  else if (v >= 1e4) snprintf(buf, size, "%.1fk", v / 1e3);
  else snprintf(buf, size, "%.0f", v);
  return buf;
}

void jostle__progress_show(FILE *tty, const char *scenario, uint64_t n_runs,
                           uint64_t n_divergent, uint64_t elapsed_ns,
                           uint64_t budget_runs, uint64_t budget_ns) {
  char runs[16], budget[16], rate[16];
  double secs = (double)elapsed_ns / 1e9;
  fprintf(tty, "\r\033[K%s: %s", scenario, human((double)n_runs, runs, sizeof runs));
  if (budget_runs) {
    fprintf(tty, "/%s run%s (%.0f%%)", human((double)budget_runs, budget, sizeof budget),
            jostle__s(budget_runs), 100.0 * (double)n_runs / (double)budget_runs);
  } else {
    fprintf(tty, " run%s", jostle__s(n_runs));
  }
  fprintf(tty, ", %" PRIu64 " divergent", n_divergent);
  /* the rate so far, 3 digits: "19.1%", "0.0001%" */
  if (n_runs > 0) fprintf(tty, " (%.3g%%)", 100.0 * (double)n_divergent / (double)n_runs);
  fprintf(tty, ", %s runs/s, %.1fs", human(secs > 0 ? (double)n_runs / secs : 0, rate, sizeof rate),
          secs);
  /* a budget under 10 s in tenths, as the time is: "0.2s/0.3s", "12.5s/30s" */
  if (budget_ns) fprintf(tty, budget_ns < 10000000000ULL ? "/%.1fs" : "/%.0fs",
                         (double)budget_ns / 1e9);
  fflush(tty);
}

void jostle__progress_clear(FILE *tty) {
  fputs("\r\033[K", tty);
  fflush(tty);
}
