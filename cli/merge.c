/*
 * merge.c: `jostle merge A.json B.json ... -o OUT.json`: combines the
 * results of the shards of one campaign (or any results of one campaign
 * seed) into one file. Cells are matched by scenario, scheduler, placement
 * and parameters; matched cells must have the same campaign seed, or they
 * are not parts of one campaign and the merge is refused. What merging
 * means for each field is jostle__cell_merge's contract: counts add, an
 * outcome keeps its smallest first run, elapsed times add up (so
 * runs_per_sec is the rate of one shard's machine, not of all of them at
 * once), and samples follow one another as if the shards had run in turn.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "cli/cli.h"
#include "cli/errors.h"

static const char merge_help[] =
    "usage: %s merge RESULTS.json... -o OUT.json\n"
    "\n"
    "Combines JSON results of one campaign run in shards (stress --shard I/N,\n"
    "soak --shard I/N, same --seed) into one results file. Cells with the same\n"
    "scenario, scheduler, placement and parameters become one: runs, divergent\n"
    "runs and outcome counts add up, each outcome keeps its first run (the\n"
    "smallest index) and seed, and elapsed times add up (runs/s is then the\n"
    "rate of one shard's machine). Cells of the same name with different\n"
    "campaign seeds are not parts of one campaign: the merge is refused. The\n"
    "metadata is the first file's. Under a controlled scheduler the merged\n"
    "shards equal the unsharded campaign.\n"
    "\n"
    "  -o, --output FILE       the merged results (required)\n"
    "  -h, --help              show this help\n"
    "\n"
    "exit codes: 0 merged, 2 bad usage or input (a file that is not jostle\n"
    "            results, cells of different campaigns), 3 internal error (out\n"
    "            of memory, the output could not be written)\n";

void jostle__help_merge(void) { printf(merge_help, jostle__prog); }

static const struct option merge_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Returns 0, -1 after printing help, or an exit code; *out is the -o path. */
static int parse(int argc, char **argv, const char **out) {
  optind = 0;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":o:h", merge_options, NULL)) != -1) {
    if (c == 'h') {
      jostle__help_merge();
      return -1;
    }
    if (c == 'o') {
      if (jostle__check_output_path("-o", optarg) != 0) return EXIT_USAGE;
      *out = optarg;
    } else if (c == ':') {
      return jostle__usage_error("merge: option '%s' needs a value", argv[optind - 1]);
    } else {
      return jostle__usage_error("merge: unknown option '%s' (see '%s merge --help')",
                                 argv[optind - 1], jostle__prog);
    }
  }
  if (optind == argc)
    return jostle__usage_error("merge: name the JSON results files to merge (see '%s merge "
                               "--help')", jostle__prog);
  if (*out == NULL)
    return jostle__usage_error("merge: -o OUT.json is required: where the merged results go");
  return 0;
}

/* The same file given twice would count its runs twice. */
static int refuse_duplicates(const jostle__results *r, char *const *paths) {
  for (size_t i = 0; i < r->n_files; i++)
    for (size_t j = 0; j < i; j++) {
      const jostle__report_meta *a = &r->metas[j], *b = &r->metas[i];
      if (a->started_unix_ns == b->started_unix_ns && strcmp(a->host, b->host) == 0 &&
          strcmp(a->command_line, b->command_line) == 0)
        return jostle__usage_error("%s: the same results as %s (started at the same moment "
                                   "on the same host): merging them would count runs twice",
                                   paths[i], paths[j]);
    }
  return 0;
}

/* The file that holds cell i of r. */
static char *file_of(const jostle__results *r, char *const *paths, size_t i) {
  size_t f = 0;
  while (f + 1 < r->n_files && r->first_cell[f + 1] <= i) f++;
  return paths[f];
}

/* Whether two cells' portfolios (none, for most) have the same members in
 * the same order: run i was member i mod K's in both. */
static int same_members(const jostle__cell *a, const jostle__cell *b) {
  if (a->n_members != b->n_members) return 0;
  for (size_t i = 0; i < a->n_members; i++)
    if (strcmp(a->members[i].scheduler, b->members[i].scheduler) != 0) return 0;
  return 1;
}

/* Merges the cells of r into merged (*n of them; room for all of r's),
 * taking their outcomes and commands. Returns 0 or an exit code. */
static int merge_cells(jostle__results *r, char *const *paths, jostle__cell *merged,
                       size_t *n) {
  for (size_t i = 0; i < r->n_cells; i++) {
    jostle__cell *c = &r->cells[i];
    size_t k = 0;
    while (k < *n && !jostle__cell_same_key(&merged[k], c)) k++;
    if (k == *n) {
      merged[(*n)++] = *c;  /* takes the outcomes and the command */
      c->outcomes = NULL;
      c->n_outcomes = 0;
      c->command = NULL;
      c->members = NULL;
      c->n_members = 0;
      continue;
    }
    if (merged[k].campaign_seed != c->campaign_seed || merged[k].fixed_seed != c->fixed_seed ||
        merged[k].controlled != c->controlled)
      return jostle__usage_error("%s: cell %s [%s, %s, %s] has campaign seed 0x%016" PRIx64
                                 ", another file's has 0x%016" PRIx64 ": only results of one "
                                 "campaign merge", file_of(r, paths, i), c->scenario,
                                 c->scheduler, c->placement, c->params, c->campaign_seed,
                                 merged[k].campaign_seed);
    if (!same_members(&merged[k], c))
      return jostle__usage_error("%s: cell %s [%s, %s, %s] ran its runs under other members "
                                 "than another file's: only results of one campaign merge",
                                 file_of(r, paths, i), c->scenario, c->scheduler, c->placement,
                                 c->params);
    if (jostle__cell_merge(&merged[k], c) != 0) {
      return jostle__internal_error("out of memory");
    }
  }
  return 0;
}

int jostle__cmd_merge(int argc, char **argv) {
  const char *out = NULL;
  int rc = parse(argc, argv, &out);
  if (rc != 0) return rc < 0 ? EXIT_CLEAN : rc;
  char *const *paths = argv + optind;
  jostle__results r;
  rc = jostle__results_load(paths, (size_t)(argc - optind), &r);
  if (rc != 0) return rc;
  size_t n = 0;
  jostle__cell *merged = calloc(r.n_cells + 1, sizeof *merged);
  rc = merged ? refuse_duplicates(&r, paths) : jostle__internal_error("out of memory");
  if (rc == 0) rc = merge_cells(&r, paths, merged, &n);
  if (rc == 0) {
    jostle__report_meta meta = r.metas[0];
    for (size_t f = 1; f < r.n_files; f++)
      if (r.metas[f].n_jobs > meta.n_jobs) meta.n_jobs = r.metas[f].n_jobs;
    const char *out_paths[JOSTLE__MAX_FORMATS] = {0};
    out_paths[jostle__results_format()] = out;
    rc = jostle__write_reports(&meta, merged, n, out_paths);
    if (rc == 0)
      printf("%s: %zu cell%s merged from %zu cell%s of %zu file%s\n", out, n, jostle__s(n),
             r.n_cells, jostle__s(r.n_cells), r.n_files, jostle__s(r.n_files));
  }
  for (size_t i = 0; i < n; i++) jostle__cell_free(&merged[i]);
  free(merged);
  jostle__results_free(&r);
  return rc;
}
