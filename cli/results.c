/*
 * results.c: JSON results files read for `report`, `merge` and `report
 * --history`. A file that cannot be read whole is refused with one line
 * naming it, and nothing read from the others is kept. Each cell read gets
 * its reproduce commands' syntax again (jostle__cli_reproduce_syntax) and
 * what it would try if it is known racy and came out clean
 * (jostle__cli_racy_try): command-line syntax, which the file does not
 * hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/errors.h"

static void free_cells(jostle__cell *cells, size_t n) {
  for (size_t i = 0; i < n; i++) jostle__cell_free(&cells[i]);
  free(cells);
}

/* Appends the n cells of one file to l, taking their outcomes and commands. */
static int append(jostle__results *l, jostle__cell *cells, size_t n) {
  jostle__cell *grown = realloc(l->cells, (l->n_cells + n + 1) * sizeof *grown);
  if (grown == NULL) return -1;
  l->cells = grown;
  if (n > 0) memcpy(&l->cells[l->n_cells], cells, n * sizeof *cells);
  l->n_cells += n;
  return 0;
}

int jostle__results_load(char *const *paths, size_t n, jostle__results *l) {
  memset(l, 0, sizeof *l);
  l->metas = calloc(n + 1, sizeof *l->metas);
  l->first_cell = calloc(n + 1, sizeof *l->first_cell);
  if (l->metas == NULL || l->first_cell == NULL) {
    jostle__results_free(l);
    return jostle__internal_error("out of memory");
  }
  char err[1200];
  const jostle__report_format *format = jostle__report_formats[jostle__results_format()];
  for (size_t f = 0; f < n; f++) {
    jostle__cell *cells;
    size_t n_cells;
    if (format->read(paths[f], &l->metas[f], &cells, &n_cells, err, sizeof err) != 0) {
      jostle__results_free(l);
      return jostle__usage_error("%s", err);
    }
    /* the reproduce commands' syntax is the command line's, not the file's */
    for (size_t i = 0; i < n_cells; i++) {
      jostle__cli_reproduce_syntax(&cells[i]);
      jostle__cli_racy_try(&cells[i], 0);
    }
    l->first_cell[f] = l->n_cells;
    if (append(l, cells, n_cells) != 0) {
      free_cells(cells, n_cells);
      jostle__results_free(l);
      return jostle__internal_error("out of memory");
    }
    free(cells);  /* the outcomes and commands now belong to l->cells */
    l->n_files = f + 1;
  }
  l->first_cell[n] = l->n_cells;
  return 0;
}

void jostle__results_free(jostle__results *l) {
  free_cells(l->cells, l->n_cells);
  free(l->metas);
  free(l->first_cell);
  memset(l, 0, sizeof *l);
}
