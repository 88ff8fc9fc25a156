/*
 * list.c: `jostle list`, the scenarios (name, threads, kind, summary), or
 * the parameters of those named (names or shell patterns, as stress takes).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char list_help[] =
    "usage: %s list [SCENARIO...]\n"
    "\n"
    "Without names, lists every scenario: name, threads, kind, summary. Its\n"
    "kind is racy (a known-racy demonstration, expected to diverge), race (a\n"
    "data race that its outcome need not show: --races finds it under a\n"
    "controlled scheduler) or fixed. With names or shell patterns\n"
    "('counter*', as stress takes them), shows their parameters.\n";

void jostle__help_list(void) { printf(list_help, jostle__prog); }

static void show_params(const jostle_scenario *s) {
  printf("%s: %s\n", s->name, s->summary ? s->summary : "");
  printf("  %-14s %8s  %-13s %s\n", "parameter", "default", "range", "");
  printf("  %-14s %8d  %d..%-10d %s\n", "threads", s->threads,
         s->min_threads > 0 ? s->min_threads : 1,
         s->max_threads > 0 ? s->max_threads : JOSTLE_MAX_THREADS,
         "threads started together per run");
  for (const jostle_param_def *p = s->params; p && p->name; p++)
    printf("  %-14s %8lld  %lld..%-10lld %s\n", p->name, p->def, p->min, p->max,
           p->help ? p->help : "");
}

static const char *kind(const jostle_scenario *s) {
  if (s->racy == JOSTLE_DATA_RACE_ONLY) return "race";
  return s->racy ? "racy" : "fixed";
}

int jostle__cmd_list(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      jostle__help_list();
      return EXIT_CLEAN;
    }
    if (argv[i][0] == '-') return jostle__usage_error("list: unknown option '%s'", argv[i]);
  }
  if (argc > 1) {
    /* Names or shell patterns, as stress takes them. */
    const jostle_scenario **selected;
    int n;
    optind = 1;
    int rc = jostle__cli_select("list", argc, argv, 0, &selected, &n);
    if (rc != 0) return rc;
    for (int i = 0; i < n; i++) show_params(selected[i]);
    free(selected);
    return EXIT_CLEAN;
  }
  printf("%-22s %7s  %-6s %s\n", "scenario", "threads", "kind", "summary");
  for (int i = 0; i < jostle__n_scenarios(); i++) {
    const jostle_scenario *s = jostle__scenario_at(i);
    printf("%-22s %7d  %-6s %s\n", s->name, s->threads, kind(s),
           s->summary ? s->summary : "");
  }
  return EXIT_CLEAN;
}
