/*
 * outputs.c: the report files a command writes (a --NAME FILE per format of
 * the registry, reports/formats.c, and a soak's folder) and the configuration their metadata records. Paths are
 * checked before the first run, so that a typo costs nothing; the files
 * are written once the results are final, even when a signal stopped the
 * campaign.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/assert.h"

int jostle__check_output_path(const char *option, const char *path) {
  struct stat st;
  if (path[0] == '\0') return jostle__usage_error("bad %s '': expected a file name", option);
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return jostle__usage_error("bad %s '%s': it is a folder, expected a file name", option,
                               path);
  const char *slash = strrchr(path, '/');
  char folder[4096] = ".";
  if (slash != NULL) {
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    if (len >= sizeof folder)
      return jostle__usage_error("bad %s '%s': the path is too long", option, path);
    memcpy(folder, path, len);
    folder[len] = '\0';
    if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode))
      return jostle__usage_error("bad %s '%s': no folder '%s' to write it in", option, path,
                                 folder);
  }
  /* The file is written through a temporary beside it, then renamed. */
  if (access(folder, W_OK | X_OK) != 0)
    return jostle__usage_error("bad %s '%s': cannot write in folder '%s': %s", option, path,
                               folder, strerror(errno));
  return 0;
}

int jostle__exit_status(const jostle__cell *cells, size_t n, int failed) {
  int diverged = 0, interrupted = 0;
  for (size_t i = 0; i < n; i++) {
    diverged |= cells[i].n_divergent > 0;
    interrupted |= cells[i].interrupted;
  }
  return failed ? EXIT_INTERNAL
         : diverged ? EXIT_DIVERGED
         : interrupted ? EXIT_INTERRUPTED
                       : EXIT_CLEAN;
}

void jostle__meta_config(jostle__report_meta *m, const jostle__opts *o, int n_jobs) {
  m->seed = o->seed;
  m->budget_runs = o->n_runs ? o->n_runs : (o->duration_ns ? 0 : JOSTLE__DEFAULT_RUNS);
  m->budget_ns = o->duration_ns;
  m->timeout_ns = o->timeout_ns;
  m->until_divergence = o->until_divergence;
  m->n_jobs = n_jobs;
}

int jostle__write_reports(const jostle__report_meta *m, const jostle__cell *cells, size_t n,
                          const char *const *paths) {
  char err[1200];
  int rc = 0;
  for (int i = 0; jostle__report_formats[i]; i++) {
    const jostle__report_format *f = jostle__report_formats[i];
    if (paths[i] != NULL && f->write(paths[i], m, cells, n, err, sizeof err) != 0) {
      fprintf(stderr, "%s: %s\n", jostle__prog, err);
      rc = EXIT_INTERNAL;
    }
  }
  return rc;
}

int jostle__results_format(void) {
  for (int i = 0; jostle__report_formats[i]; i++)
    if (jostle__report_formats[i]->read != NULL) return i;
  JOSTLE_ASSERT(!"a report format that can be read back");
  return -1;
}
