/*
 * main.c: jostle_main, the command table and `jostle help`. Every command
 * is a row of jostle__commands (cli.h): its name, its function and its
 * help; dispatch, `help COMMAND`, `COMMAND --help` and the fuzz targets'
 * own command line read the table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/suggest.h"
#include "schedulers/control.h"

const char *jostle__prog = "jostle";
int jostle__argc;
char **jostle__argv;


static const char main_help[] =
    "usage: %s COMMAND [options]\n"
    "\n"
    "Runs concurrent scenarios many times under perturbing schedulers, counts\n"
    "their outcomes and prints how to reproduce each divergent one.\n"
    "\n"
    "commands:\n"
    "  stress SCENARIO...   run scenarios and report their outcome histograms\n"
    "  run -- PROGRAM [ARGS...]   the same for an ordinary program built with\n"
    "                       jostle-cc: every run a fresh process\n"
    "  soak [SCENARIO...] --duration TIME --out DIR   a time-budgeted campaign\n"
    "                       rotating schedulers and placements, journaled and\n"
    "                       resumable (soak --resume DIR)\n"
    "  report FILE.json...  the text report of saved results, or --html, --junit;\n"
    "                       report --history DIR... shows trends across soaks\n"
    "  merge FILE.json... -o OUT.json   combine the results of shards\n"
    "  replay SCENARIO --seed S   rerun one run exactly, trace it, save or shrink\n"
    "                       (replay --seed S -- PROGRAM [ARGS...]: a program's run)\n"
    "                       its schedule (replay --schedule FILE replays one)\n"
    "  list [SCENARIO...]   list the scenarios, or show their parameters\n"
    "  topology             show the processors hwloc finds\n"
    "  help [COMMAND]       show this help, or a command's\n"
    "\n"
    "options: -h, --help; --version\n"
    "exit codes: 0 no divergence, 1 divergence found, 2 bad usage or input,\n"
    "            3 internal error, 4 interrupted (SIGINT, SIGTERM) with no divergence\n";

static void help_main(void) { printf(main_help, jostle__prog); }

static int cmd_help(int argc, char **argv) {
  if (argc < 2) {
    help_main();
    return EXIT_CLEAN;
  }
  const jostle__command *c = jostle__command_find(argv[1]);
  if (c == NULL || strcmp(argv[1], "help") == 0)
    return jostle__usage_error("help: unknown command '%s'", argv[1]);
  c->help();
  return EXIT_CLEAN;
}

const jostle__command jostle__commands[] = {
    {"stress", jostle__cmd_stress, jostle__help_stress},
    {"run", jostle__cmd_run, jostle__help_run},
    {"soak", jostle__cmd_soak, jostle__help_soak},
    {"report", jostle__cmd_report, jostle__help_report},
    {"merge", jostle__cmd_merge, jostle__help_merge},
    {"replay", jostle__cmd_replay, jostle__help_replay},
    {"list", jostle__cmd_list, jostle__help_list},
    {"topology", jostle__cmd_topology, jostle__help_topology},
    {"help", cmd_help, help_main},
    {NULL, NULL, NULL},
};

const jostle__command *jostle__command_find(const char *name) {
  for (const jostle__command *c = jostle__commands; c->name != NULL; c++)
    if (strcmp(c->name, name) == 0) return c;
  return NULL;
}

JOSTLE_API int jostle_main(int argc, char **argv) {
  if (argc > 0 && argv[0] != NULL) jostle__prog = argv[0];
  jostle__argc = argc;
  jostle__argv = argv;
  if (argc < 2) {
    fprintf(stderr, main_help, jostle__prog);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) return cmd_help(1, argv + 1);
  if (strcmp(cmd, "--version") == 0) {
    const char *kernel = jostle__control_switching();
    printf("jostle %s\n", JOSTLE_VERSION);
    if (kernel == NULL) printf("controlled hand-overs: threads switched in user space\n");
    else printf("controlled hand-overs: through the kernel (%s)\n", kernel);
    return EXIT_CLEAN;
  }
  const jostle__command *c = jostle__command_find(cmd);
  if (c != NULL) return c->run(argc - 1, argv + 1);
  jostle__suggestion near;
  jostle__suggest_init(&near, cmd);
  for (c = jostle__commands; c->name != NULL; c++) jostle__suggest_offer(&near, c->name);
  char hint[96];
  return jostle__usage_error("unknown command '%s' (%ssee '%s --help')", cmd,
                             jostle__suggest_hint(&near, "", hint, sizeof hint), jostle__prog);
}
