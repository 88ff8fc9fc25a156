/*
 * topology.c: `jostle topology`, what hwloc finds (what --pin places
 * threads on).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "schedulers/placement.h"

static const char topology_help[] =
    "usage: %s topology\n"
    "\n"
    "Prints the processing units, cores, packages and NUMA nodes hwloc finds\n"
    "(what --pin places threads on).\n";

void jostle__help_topology(void) { printf(topology_help, jostle__prog); }

int jostle__cmd_topology(int argc, char **argv) {
  if (argc > 1) {
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
      jostle__help_topology();
      return EXIT_CLEAN;
    }
    return jostle__usage_error("topology: unexpected argument '%s'", argv[1]);
  }
  jostle__topology_print(stdout);
  return EXIT_CLEAN;
}
