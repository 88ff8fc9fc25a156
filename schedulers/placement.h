/*
 * placement.h: private to jostle. Where scenario threads run, read from the
 * real topology with hwloc; orthogonal to the scheduler.
 *
 * The topology is loaded once, in the campaign's parent before it forks
 * workers; afterwards it is only read, which hwloc allows from any thread.
 */
#ifndef JOSTLE_PLACEMENT_H
#define JOSTLE_PLACEMENT_H

#include <stdint.h>
#include <stdio.h>

typedef enum jostle__pin {
  JOSTLE__PIN_NONE,    /* leave threads where the OS puts them */
  JOSTLE__PIN_SPREAD,  /* one thread per core, workers on disjoint cores */
  JOSTLE__PIN_SAME,    /* all threads of a worker on one processing unit */
  JOSTLE__PIN_RANDOM,  /* each thread on a random processing unit, per batch */
} jostle__pin;

/* Parses "none", "spread", "same" or "random"; -1 when unknown. */
int jostle__pin_parse(const char *name);
const char *jostle__pin_name(jostle__pin pin);

/* Loads the topology (idempotent). Returns 0, or -1 when hwloc failed; the
 * counts below then fall back to the processors this process may use. */
int jostle__topology_load(void);

/* Processing units (hardware threads) and cores this process may use. */
int jostle__topology_n_pus(void);
int jostle__topology_n_cores(void);

/* What hwloc found, as it counts: processing units, cores, packages and
 * NUMA nodes, each 0 when unknown (all 0 when the topology cannot be
 * loaded). For the metadata of report files. */
void jostle__topology_counts(int *pus, int *cores, int *packages, int *numa_nodes);

/* Prints what hwloc found, for `jostle topology`. */
void jostle__topology_print(FILE *out);

/* Plans where the n_threads threads of worker `worker` (of n_workers) run
 * for one batch: pu_out[i] is an index into the usable processing units,
 * or -1 for "unpinned". Returns 1 when no two threads of the whole campaign
 * may share a processing unit, so spinning waits are safe, else 0. */
int jostle__placement_plan(jostle__pin pin, int worker, int n_workers,
                           int n_threads, uint64_t batch_seed, int *pu_out);

/* Binds the calling thread to usable processing unit `pu`. Returns 0, or
 * -1 when the system refused. */
int jostle__bind_self(int pu);

#endif
