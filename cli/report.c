/*
 * report.c: `jostle report`. Reads JSON results and prints the text
 * report the campaign printed (histograms, `reproduce:` and `result`
 * lines), byte for byte, from the files alone; several files are reported
 * one after the other, their `result` lines together at the end. --html
 * and --junit (an option per report format but JSON, from the registry)
 * write those reports of the same cells; --history reads the
 * results of soaks and shows each scenario's trend across them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/assert.h"
#include "reports/report.h"

static const char report_help[] =
    "usage: %s report [--html FILE] [--junit FILE] RESULTS.json...\n"
    "       %s report --history DIR...\n"
    "\n"
    "Prints the text report of saved JSON results (stress --json, a soak's\n"
    "results.json) as the campaign printed it, `result` lines included; with\n"
    "several files, their cells one after the other. --html and --junit write\n"
    "those reports of the same cells (with the first file's metadata).\n"
    "\n"
    "--history reads soak folders (DIR/results.json; a JSON file may be named\n"
    "instead), orders them by start time, and prints per scenario its runs and\n"
    "divergence rate in each soak, calling out scenarios that were clean in\n"
    "every earlier soak and diverge in the latest.\n"
    "\n"
    "  --html FILE             write the HTML report\n"
    "  --junit FILE            write the JUnit XML report\n"
    "  --history               trends across soaks\n"
    "  -h, --help              show this help\n"
    "\n"
    "exit codes: 0 no divergence (--history: no newly divergent scenario),\n"
    "            1 divergence (--history: a scenario newly divergent), 2 bad\n"
    "            usage or input (a file that is not jostle results), 3 internal\n"
    "            error (out of memory, a report file that could not be written),\n"
    "            4 the campaign was interrupted, with no divergence in what ran\n";

void jostle__help_report(void) { printf(report_help, jostle__prog, jostle__prog); }

/* --NAME FILE for every report format but the one `report` reads (JSON),
 * by registry index from OPT_FORMAT_FIRST. */
enum { OPT_HISTORY = 256, OPT_FORMAT_FIRST };

/* The formats' options, --history, --help and the end. */
static struct option report_options[JOSTLE__MAX_FORMATS + 3];

static void build_options(void) {
  if (report_options[0].name != NULL) return;
  int read = jostle__results_format(), n = 0;
  for (int i = 0; jostle__report_formats[i]; i++) {
    JOSTLE_ASSERT(i < JOSTLE__MAX_FORMATS);
    if (i != read)
      report_options[n++] = (struct option){jostle__report_formats[i]->name,
                                            required_argument, NULL, OPT_FORMAT_FIRST + i};
  }
  report_options[n++] = (struct option){"history", no_argument, NULL, OPT_HISTORY};
  report_options[n++] = (struct option){"help", no_argument, NULL, 'h'};
  report_options[n] = (struct option){NULL, 0, NULL, 0};
}

typedef struct report_opts {
  const char *report_path[JOSTLE__MAX_FORMATS];  /* by registry index */
  int history;
} report_opts;

/* Returns 0, -1 after printing help, or an exit code. */
static int parse(int argc, char **argv, report_opts *o) {
  optind = 0;
  opterr = 0;
  int c;
  build_options();
  while ((c = getopt_long(argc, argv, ":h", report_options, NULL)) != -1) {
    if (c >= OPT_FORMAT_FIRST && c < OPT_FORMAT_FIRST + JOSTLE__MAX_FORMATS) {
      char option[64];
      snprintf(option, sizeof option, "--%s", jostle__report_formats[c - OPT_FORMAT_FIRST]->name);
      if (jostle__check_output_path(option, optarg) != 0) return EXIT_USAGE;
      o->report_path[c - OPT_FORMAT_FIRST] = optarg;
      continue;
    }
    switch (c) {
    case 'h': jostle__help_report(); return -1;
    case OPT_HISTORY: o->history = 1; break;
    case ':': return jostle__usage_error("report: option '%s' needs a value", argv[optind - 1]);
    default:
      return jostle__usage_error("report: unknown option '%s' (see '%s report --help')",
                                 argv[optind - 1], jostle__prog);
    }
  }
  if (optind == argc)
    return jostle__usage_error("report: name at least one %s (see '%s report --help')",
                               o->history ? "soak folder" : "JSON results file", jostle__prog);
  int any = 0;
  for (int i = 0; i < JOSTLE__MAX_FORMATS; i++) any |= o->report_path[i] != NULL;
  if (o->history && any)
    return jostle__usage_error("report: --history prints text only; drop --html and --junit");
  for (int i = 0; i < JOSTLE__MAX_FORMATS; i++)
    for (int j = 0; j < i && o->report_path[i] != NULL; j++)
      if (o->report_path[j] != NULL && strcmp(o->report_path[i], o->report_path[j]) == 0)
        return jostle__usage_error("--%s and --%s both name '%s': give each report its own "
                                   "file", jostle__report_formats[j]->name,
                                   jostle__report_formats[i]->name, o->report_path[i]);
  return 0;
}

int jostle__cmd_report(int argc, char **argv) {
  report_opts o = {0};
  int rc = parse(argc, argv, &o);
  if (rc != 0) return rc < 0 ? EXIT_CLEAN : rc;
  if (o.history) return jostle__history(argv + optind, (size_t)(argc - optind));
  jostle__results r;
  rc = jostle__results_load(argv + optind, (size_t)(argc - optind), &r);
  if (rc != 0) return rc;
  for (size_t i = 0; i < r.n_cells; i++) jostle__report_text.cell(&r.cells[i], stdout);
  jostle__report_text.end(r.cells, r.n_cells, stdout);
  rc = jostle__write_reports(&r.metas[0], r.cells, r.n_cells, o.report_path);
  if (rc == 0) rc = jostle__exit_status(r.cells, r.n_cells, 0);
  jostle__results_free(&r);
  return rc;
}
