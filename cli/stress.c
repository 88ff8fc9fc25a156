/*
 * stress.c: `jostle stress`. Runs each selected scenario as one cell (its
 * slice of the runs with --shard I/N), prints each cell's text report as
 * soon as it is finished and the `result` lines at the end, then writes the
 * report files. SIGINT and SIGTERM stop the campaign cleanly: what ran is
 * reported, in the files too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/campaign.h"
#include "cli/cli.h"
#include "cli/errors.h"
#include "harness/environment.h"
#include "harness/program.h"
#include "reports/progress.h"
#include "reports/report.h"

static const char stress_help[] =
    "usage: %s stress [options] SCENARIO...\n"
    "       %s stress [options] --all\n"
    "\n"
    "Runs each scenario (names or shell patterns like 'counter*') in worker\n"
    "processes and prints its outcome histogram, a `result` line per scenario\n"
    "and a `reproduce:` command per divergent outcome. A run that crashes or\n"
    "hangs is counted as an outcome; the campaign goes on.\n"
    "\n"
    "budget (default: -n 100000; with both, whichever ends first):\n"
    "  -n, --runs N            runs per scenario (100000, 10k, 1M)\n"
    "  --duration TIME         time per scenario (30s, 5m, 8h, 1h30m)\n"
    "  --until-divergence      stop a scenario at its first divergent run\n"
    "  --shard I/N             run only slice I (from 0) of N of each scenario's\n"
    "                          runs, with the same seeds (merge the results with\n"
    "                          `jostle merge`)\n"
    "runs:\n"
    "  --seed S                campaign seed (default: random, printed)\n"
    "  --run-seed S            give every run seed S (to reproduce one run)\n"
    "  --allow-exit LIST       a program's exit statuses that are allowed (0,3;\n"
    "                          default: 0)\n"
    "  --outcome REGEX, --allow REGEX  a program's outcome from what it wrote\n"
    "                          (see `%s help run`)\n"
    "  -D, --define KEY=VALUE  set a scenario parameter (-D threads=8)\n"
    "  --timeout TIME          a run without progress this long is a hang (10s;\n"
    "                          controlled: without a scheduling point)\n"
    "scheduling:\n"
    "  --scheduler NAME        %s\n"
    "%s"
    "  --pin MODE              none, spread, same or random (default: spread when\n"
    "                          every thread has a core of its own, under an\n"
    "                          uncontrolled scheduler; else none)\n"
    "  -j, --jobs N            worker processes (default: fill the processors)\n"
    "output:\n"
    "  --json FILE             the results as JSON (docs/JSON.md), for `jostle report`\n"
    "                          and `jostle merge`\n"
    "  --junit FILE            JUnit XML: a testcase per scenario\n"
    "  --html FILE             one self-contained HTML page with charts\n"
    "  --progress, --no-progress  live progress on stderr (default: on a terminal)\n"
    "  -h, --help              show this help\n"
    "\n"
    "exit codes: 0 no divergence, 1 divergence found, 2 bad usage or input,\n"
    "            3 internal error (out of memory, a worker that could not be\n"
    "            forked, a report file that could not be written), 4 interrupted by\n"
    "            SIGINT or SIGTERM with no divergence in what ran\n";

void jostle__help_stress(void) {
  char names[128], block[4096];
  jostle__scheduler_names(jostle__sched_first(0), 1, names, sizeof names);
  jostle__sched_help(-1, block, sizeof block);
  printf(stress_help, jostle__prog, jostle__prog, jostle__prog, names, block);
}

typedef struct progress_ctx {
  char label[96];               /* "counter (3 of 24)" */
  uint64_t budget_runs, budget_ns;
} progress_ctx;

static void on_progress(void *ctx, uint64_t runs, uint64_t div, uint64_t elapsed_ns) {
  const progress_ctx *pc = ctx;
  jostle__progress_show(stderr, pc->label, runs, div, elapsed_ns,
                        pc->budget_runs, pc->budget_ns);
}

/* Runs the cells in order until one is interrupted, printing each one's
 * report; returns how many ran and sets *failed and *interrupted. */
static int run_cells(const jostle__opts *o, const jostle__plan *plans, jostle__cell *cells,
                     int n, int *failed, int *interrupted) {
  int show = o->progress < 0 ? isatty(STDERR_FILENO) : o->progress;
  int n_done = 0;
  for (int i = 0; i < n && !*interrupted; i++) {
    /* a time budget alone leaves the runs unbounded */
    int run_budget = o->n_runs || !o->duration_ns;
    progress_ctx pc = {.budget_runs = run_budget ? plans[i].n_runs : 0,
                       .budget_ns = o->duration_ns};
    /* --all runs a few dozen scenarios: say how far along the campaign is */
    if (n > 1) snprintf(pc.label, sizeof pc.label, "%s (%d of %d)", plans[i].scenario->name,
                        i + 1, n);
    else snprintf(pc.label, sizeof pc.label, "%s", plans[i].scenario->name);
    *failed |= jostle__campaign_run(&plans[i], &cells[i], show ? on_progress : NULL, &pc) != 0;
    if (show) jostle__progress_clear(stderr);
    jostle__report_text.cell(&cells[i], stdout);
    *interrupted = cells[i].interrupted;
    n_done++;
  }
  return n_done;
}

int jostle__cmd_stress(int argc, char **argv) {
  int split = jostle__program_split(argc, argv);
  if (split >= 0) return jostle__program_start("stress", "stress", argc, argv, split, 0);
  return jostle__stress_as("stress", argc, argv);
}

int jostle__stress_as(const char *cmd, int argc, char **argv) {
  jostle__opts o;
  jostle__opts_default(&o);
  /* before parsing, which cuts -D KEY=VALUE apart */
  jostle__report_meta meta;
  jostle__environment_collect(&meta, jostle__argc, jostle__argv);
  int parsed = jostle__cli_parse(cmd, argc, argv, &o);
  if (parsed != 0) return parsed < 0 ? EXIT_CLEAN : parsed;

  const jostle_scenario **selected;
  int n_selected;
  int rc = jostle__cli_select(cmd, argc, argv, o.all, &selected, &n_selected);
  if (rc != 0) return rc;

  /* Every plan is checked before anything runs. */
  jostle__plan *plans = calloc((size_t)n_selected, sizeof *plans);
  jostle__cell *cells = calloc((size_t)n_selected, sizeof *cells);
  int known[JOSTLE__MAX_DEFINES] = {0};
  rc = plans && cells ? 0 : jostle__internal_error("out of memory");
  for (int i = 0; rc == 0 && i < n_selected; i++) {
    rc = jostle__cli_plan(selected[i], &o, &plans[i], known);
    if (rc == 0) rc = jostle__cli_describe(&plans[i], &cells[i]);
  }
  if (rc == 0) rc = jostle__cli_check_defines(&o, known, selected, n_selected);
  if (rc == 0 && o.pin != JOSTLE__PIN_NONE && jostle__topology_load() != 0)
    fprintf(stderr, "%s: hwloc cannot read the topology; going on unpinned\n", jostle__prog);

  /* SIGINT and SIGTERM stop the campaign cleanly, with a report of what ran. */
  jostle__cli_block_stop_signals();
  if (rc == 0) {
    int failed = 0, interrupted = 0;
    int n_done = run_cells(&o, plans, cells, n_selected, &failed, &interrupted);
    /* the scenarios a stop left unstarted are reported as not run */
    for (int i = n_done; i < n_selected; i++) {
      cells[i].interrupted = 1;
      jostle__report_text.cell(&cells[i], stdout);
    }
    jostle__report_text.end(cells, (size_t)n_selected, stdout);
    if (interrupted) fprintf(stderr, "%s: interrupted; reported what ran\n", jostle__prog);
    int n_jobs = 0;
    for (int i = 0; i < n_selected; i++)
      if (plans[i].n_jobs > n_jobs) n_jobs = plans[i].n_jobs;
    jostle__meta_config(&meta, &o, n_jobs);
    int written = jostle__write_reports(&meta, cells, (size_t)n_selected, o.report_path);
    rc = jostle__exit_status(cells, (size_t)n_selected, failed || written);
  }
  for (int i = 0; cells && i < n_selected; i++) jostle__cell_free(&cells[i]);
  free(cells);
  free(plans);
  free(selected);
  return rc;
}
