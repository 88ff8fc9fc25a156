/*
 * history.c: `jostle report --history DIR...`: reads each soak's results
 * (DIR/results.json, or a JSON file named directly), orders the soaks by
 * the time they started, and prints the trend report (reports/history.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/errors.h"
#include "reports/history.h"

/* Orders the soaks by start time, keeping the order given for equal ones
 * (an insertion sort: there are a few dozen at most). */
static void sort_by_start(jostle__night *nights, size_t n) {
  for (size_t i = 1; i < n; i++) {
    jostle__night cur = nights[i];
    size_t j = i;
    for (; j > 0 && nights[j - 1].meta->started_unix_ns > cur.meta->started_unix_ns; j--)
      nights[j] = nights[j - 1];
    nights[j] = cur;
  }
}

/* DIR/results.json for a folder, else the path itself; owned by the
 * caller. */
static char *results_path(const char *arg) {
  struct stat st;
  int dir = stat(arg, &st) == 0 && S_ISDIR(st.st_mode);
  size_t len = strlen(arg) + sizeof "/results.json";
  char *path = malloc(len);
  if (path != NULL) snprintf(path, len, "%s%s", arg, dir ? "/results.json" : "");
  return path;
}

int jostle__history(char *const *args, size_t n) {
  char **paths = calloc(n, sizeof *paths);
  jostle__night *nights = calloc(n, sizeof *nights);
  jostle__results r;
  int rc = paths && nights ? 0 : jostle__internal_error("out of memory");
  for (size_t i = 0; rc == 0 && i < n; i++)
    if ((paths[i] = results_path(args[i])) == NULL) rc = jostle__internal_error("out of memory");
  if (rc == 0) rc = jostle__results_load(paths, n, &r);
  if (rc == 0) {
    for (size_t i = 0; i < n; i++)
      nights[i] = (jostle__night){paths[i], &r.metas[i], &r.cells[r.first_cell[i]],
                                  r.first_cell[i + 1] - r.first_cell[i]};
    sort_by_start(nights, n);
    size_t n_newly = 0;
    if (jostle__history_write(stdout, nights, n, &n_newly) != 0) {
      rc = jostle__internal_error("out of memory");
    } else {
      rc = n_newly > 0 ? EXIT_DIVERGED : EXIT_CLEAN;
    }
    jostle__results_free(&r);
  }
  for (size_t i = 0; paths && i < n; i++) free(paths[i]);
  free(paths);
  free(nights);
  return rc;
}
