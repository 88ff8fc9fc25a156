/*
 * report.c: `jostle report`. Reads JSON results and prints the text
 * report the campaign printed (histograms, `reproduce:` and `result`
 * lines), byte for byte, from the files alone; several files are reported
 * one after the other, their `result` lines together at the end. --html
 * and --junit write those reports of the same cells; --history reads the
 * results of soaks and shows each scenario's trend across them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
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
    "            error (out of memory, a report file that could not be written)\n";

void jostle__help_report(void) { printf(report_help, jostle__prog, jostle__prog); }

enum { OPT_HTML = 256, OPT_JUNIT, OPT_HISTORY };

static const struct option report_options[] = {
    {"html", required_argument, NULL, OPT_HTML},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"history", no_argument, NULL, OPT_HISTORY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct report_opts {
  const char *html_path, *junit_path;
  int history;
} report_opts;

/* Returns 0, -1 after printing help, or an exit code. */
static int parse(int argc, char **argv, report_opts *o) {
  optind = 0;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", report_options, NULL)) != -1) {
    switch (c) {
    case 'h': jostle__help_report(); return -1;
    case OPT_HTML:
      if (jostle__check_output_path("--html", optarg) != 0) return EXIT_USAGE;
      o->html_path = optarg;
      break;
    case OPT_JUNIT:
      if (jostle__check_output_path("--junit", optarg) != 0) return EXIT_USAGE;
      o->junit_path = optarg;
      break;
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
  if (o->history && (o->html_path || o->junit_path))
    return jostle__usage_error("report: --history prints text only; drop --html and --junit");
  if (o->html_path && o->junit_path && strcmp(o->html_path, o->junit_path) == 0)
    return jostle__usage_error("--junit and --html both name '%s': give each report its own "
                               "file", o->html_path);
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
  int diverged = 0;
  for (size_t i = 0; i < r.n_cells; i++) {
    jostle__report_text.cell(&r.cells[i], stdout);
    diverged |= r.cells[i].n_divergent > 0;
  }
  jostle__report_text.end(r.cells, r.n_cells, stdout);
  rc = jostle__write_reports(&r.metas[0], r.cells, r.n_cells, NULL, o.junit_path, o.html_path);
  jostle__results_free(&r);
  return rc ? rc : diverged ? EXIT_DIVERGED : EXIT_CLEAN;
}
