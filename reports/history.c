/*
 * history.c: the trend report across soaks (history.h). A table of the
 * soaks, then per scenario (by name) a row per soak with its runs and
 * divergence rate summed over the scenario's cells (every scheduler and
 * placement; a note says when soaks ran different cells of it), then the
 * cells newly divergent in the latest soak (their like, the same scenario,
 * scheduler, placement and parameters, clean in every earlier soak that
 * ran it), each with the `reproduce:` lines of its divergent outcomes.
 */
#include "reports/history.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "reports/output.h"

/* A scenario's runs and divergent runs in one soak; runs 0: not run. */
typedef struct tally {
  uint64_t runs, divergent;
  int ran;
} tally;

static tally scenario_in(const jostle__night *night, const char *scenario) {
  tally t = {0, 0, 0};
  for (size_t i = 0; i < night->n_cells; i++) {
    if (strcmp(night->cells[i].scenario, scenario) != 0) continue;
    t.ran = 1;
    t.runs += night->cells[i].n_runs;
    t.divergent += night->cells[i].n_divergent;
  }
  return t;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct scenario names of every soak, sorted; NULL when out of
 * memory. The names point into the cells. */
static const char **scenarios(const jostle__night *nights, size_t n, size_t *n_names) {
  size_t total = 0, k = 0;
  for (size_t i = 0; i < n; i++) total += nights[i].n_cells;
  const char **names = malloc((total + 1) * sizeof *names);
  if (names == NULL) return NULL;
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < nights[i].n_cells; c++) names[k++] = nights[i].cells[c].scenario;
  qsort(names, k, sizeof *names, by_name);
  size_t distinct = 0;
  for (size_t i = 0; i < k; i++)
    if (distinct == 0 || strcmp(names[distinct - 1], names[i]) != 0) names[distinct++] = names[i];
  *n_names = distinct;
  return names;
}

static void soaks_table(FILE *out, const jostle__night *nights, size_t n) {
  char when[32], a[32], b[32];
  fprintf(out, "history of %zu soak%s, oldest first\n", n, jostle__s(n));
  fprintf(out, "  %3s  %-20s  %-12s %15s %12s  %s\n", "#", "started", "commit", "runs",
          "divergent", "results");
  for (size_t i = 0; i < n; i++) {
    uint64_t runs = 0, div = 0;
    for (size_t c = 0; c < nights[i].n_cells; c++) {
      runs += nights[i].cells[c].n_runs;
      div += nights[i].cells[c].n_divergent;
    }
    fprintf(out, "  %3zu  %-20s  %-12.12s %15s %12s  %s\n", i + 1,
            jostle__iso8601(nights[i].meta->started_unix_ns, when, sizeof when),
            nights[i].meta->commit[0] ? nights[i].meta->commit : "-",
            jostle__grouped(runs, a, sizeof a), jostle__grouped(div, b, sizeof b),
            nights[i].path);
  }
}

/* Whether two cells are the same experiment, so that their rates compare:
 * the scenario under the same scheduler, placement and parameters. */
static int same_cell(const jostle__cell *a, const jostle__cell *b) {
  return strcmp(a->scenario, b->scenario) == 0 && strcmp(a->scheduler, b->scheduler) == 0 &&
         strcmp(a->placement, b->placement) == 0 && strcmp(a->params, b->params) == 0;
}

/* Whether every soak that ran the scenario ran the same cells of it. */
static int same_cells(const jostle__night *nights, size_t n, const char *name) {
  const jostle__night *first = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!scenario_in(&nights[i], name).ran) continue;
    if (first == NULL) {
      first = &nights[i];
      continue;
    }
    for (int way = 0; way < 2; way++) {
      const jostle__night *x = way ? first : &nights[i], *y = way ? &nights[i] : first;
      for (size_t c = 0; c < x->n_cells; c++) {
        if (strcmp(x->cells[c].scenario, name) != 0) continue;
        int found = 0;
        for (size_t d = 0; d < y->n_cells && !found; d++) found = same_cell(&x->cells[c], &y->cells[d]);
        if (!found) return 0;
      }
    }
  }
  return 1;
}

static void scenario_rows(FILE *out, const jostle__night *nights, size_t n, const char *name) {
  char a[32], b[32];
  int racy = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < nights[i].n_cells; c++)
      racy |= strcmp(nights[i].cells[c].scenario, name) == 0 && nights[i].cells[c].racy;
  fprintf(out, "\n%s%s\n", name, racy ? "  (known racy)" : "");
  fprintf(out, "  %3s %15s %12s %12s\n", "#", "runs", "divergent", "divergence");
  for (size_t i = 0; i < n; i++) {
    tally t = scenario_in(&nights[i], name);
    if (!t.ran) {
      fprintf(out, "  %3zu %15s %12s %12s\n", i + 1, "-", "-", "not run");
      continue;
    }
    double rate = t.runs ? 100.0 * (double)t.divergent / (double)t.runs : 0.0;
    fprintf(out, "  %3zu %15s %12s %11.4f%%\n", i + 1, jostle__grouped(t.runs, a, sizeof a),
            jostle__grouped(t.divergent, b, sizeof b), rate);
  }
  if (!same_cells(nights, n, name))
    fprintf(out, "  (the soaks ran %s under different schedulers, placements or parameters: "
                 "its rates do not compare row to row)\n", name);
}

/* Whether cell (of the latest soak) diverged after its like ran clean in
 * every earlier soak that ran it; *clean_runs is the runs of those. */
static int newly_divergent(const jostle__night *nights, size_t n, const jostle__cell *cell,
                           uint64_t *clean_runs, size_t *n_clean) {
  *clean_runs = 0;
  *n_clean = 0;
  if (cell->n_divergent == 0) return 0;
  for (size_t i = 0; i + 1 < n; i++) {
    int ran = 0;
    for (size_t c = 0; c < nights[i].n_cells; c++) {
      const jostle__cell *earlier = &nights[i].cells[c];
      if (!same_cell(earlier, cell) || earlier->n_runs == 0) continue;
      if (earlier->n_divergent > 0) return 0;
      *clean_runs += earlier->n_runs;
      ran = 1;
    }
    *n_clean += (size_t)ran;
  }
  return *n_clean > 0;
}

static void call_out(FILE *out, const jostle__cell *cell, uint64_t clean_runs, size_t n_clean) {
  char a[32], b[32], c[32];
  fprintf(out, "newly divergent: %s: %s of %s run%s (%.4f%%) in the latest soak under %s, "
               "pin %s, %s; clean over %s run%s of that cell in %zu earlier soak%s\n",
          cell->scenario, jostle__grouped(cell->n_divergent, a, sizeof a),
          jostle__grouped(cell->n_runs, b, sizeof b), jostle__s(cell->n_runs),
          100.0 * (double)cell->n_divergent / (double)cell->n_runs, cell->scheduler,
          cell->placement, cell->params, jostle__grouped(clean_runs, c, sizeof c),
          jostle__s(clean_runs), n_clean, jostle__s(n_clean));
  for (size_t o = 0; o < cell->n_outcomes; o++) {
    if (cell->outcomes[o].cls == JOSTLE__ALLOWED) continue;
    fputs("reproduce: ", out);
    jostle__reproduce_print(out, cell, &cell->outcomes[o]);
    fputc('\n', out);
  }
}

int jostle__history_write(FILE *out, const jostle__night *nights, size_t n, size_t *n_newly) {
  size_t n_names = 0, n_new = 0;
  const char **names = scenarios(nights, n, &n_names);
  if (names == NULL) return -1;
  soaks_table(out, nights, n);
  for (size_t s = 0; s < n_names; s++) scenario_rows(out, nights, n, names[s]);
  fputc('\n', out);
  const jostle__night *latest = &nights[n - 1];
  for (size_t c = 0; c < latest->n_cells; c++) {
    uint64_t clean_runs;
    size_t n_clean;
    if (!newly_divergent(nights, n, &latest->cells[c], &clean_runs, &n_clean)) continue;
    call_out(out, &latest->cells[c], clean_runs, n_clean);
    n_new++;
  }
  if (n_new == 0) fprintf(out, "no scenario newly divergent in the latest soak\n");
  free(names);
  fflush(out);
  *n_newly = n_new;
  return 0;
}
