/*
 * placement.c: placement plans and thread binding through hwloc.
 *
 * Processing units are numbered 0..n_pus-1 in the topology's logical order
 * restricted to what this process may use, so consecutive numbers fill one
 * core's hardware threads before the next core's. `spread` walks cores,
 * `same` picks one unit per worker, `random` draws per batch from the
 * batch's seed so that a batch's placement is reproducible.
 */
#include "schedulers/placement.h"

#include <hwloc.h>
#include <sched.h>
#include <string.h>

#include "common/seed.h"
#include "common/text.h"

static hwloc_topology_t topo;
static int loaded;           /* 1: topo is usable */
static int n_pus, n_cores;

static const char *const pin_names[] = {"none", "spread", "same", "random"};

int jostle__pin_parse(const char *name) {
  for (int i = 0; i < 4; i++)
    if (strcmp(name, pin_names[i]) == 0) return i;
  return -1;
}

const char *jostle__pin_name(jostle__pin pin) { return pin_names[pin]; }

static int count_affinity(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

int jostle__topology_load(void) {
  if (loaded) return 0;
  if (n_pus == 0) n_pus = n_cores = count_affinity();
  if (hwloc_topology_init(&topo) != 0) return -1;
  /* The x86 backend reads cpuid on each processor by binding this process
   * to each in turn, which on a loaded machine waits for every run queue
   * (seconds, before the first run); the operating system's description
   * says all that placement needs. */
  (void)hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
  if (hwloc_topology_load(topo) != 0) {
    hwloc_topology_destroy(topo);
    return -1;
  }
  int pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
  if (pus <= 0) {
    hwloc_topology_destroy(topo);
    return -1;
  }
  n_pus = pus;
  n_cores = cores > 0 ? cores : pus;
  loaded = 1;
  return 0;
}

int jostle__topology_n_pus(void) {
  if (n_pus == 0) (void)jostle__topology_load();
  return n_pus;
}

int jostle__topology_n_cores(void) {
  if (n_pus == 0) (void)jostle__topology_load();
  return n_cores;
}

static int count_of(hwloc_obj_type_t type) {
  int n = loaded ? hwloc_get_nbobjs_by_type(topo, type) : 0;
  return n > 0 ? n : 0;
}

void jostle__topology_counts(int *pus, int *cores, int *packages, int *numa_nodes) {
  (void)jostle__topology_load();
  *pus = count_of(HWLOC_OBJ_PU);
  *cores = count_of(HWLOC_OBJ_CORE);
  *packages = count_of(HWLOC_OBJ_PACKAGE);
  *numa_nodes = count_of(HWLOC_OBJ_NUMANODE);
}

static hwloc_obj_t pu_obj(int pu) {
  return hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)pu);
}

/* The first unit of core c, as a unit index. */
static int core_first_pu(int c) {
  if (!loaded) return c % n_pus;
  hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)c);
  if (core == NULL) return c % n_pus;
  hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset,
                                                        HWLOC_OBJ_PU, 0);
  return pu != NULL ? (int)pu->logical_index : c % n_pus;
}

int jostle__placement_plan(jostle__pin pin, int worker, int n_workers,
                           int n_threads, uint64_t batch_seed, int *pu_out) {
  int pus = jostle__topology_n_pus();
  int total = n_workers * n_threads;
  int spin_ok = total <= pus;
  uint64_t rng = batch_seed;
  int shared = 0; /* two threads of this worker on one unit */
  for (int i = 0; i < n_threads; i++) {
    int pu = -1;
    switch (pin) {
    case JOSTLE__PIN_NONE: break;
    case JOSTLE__PIN_SPREAD:
      pu = core_first_pu((worker * n_threads + i) % jostle__topology_n_cores());
      break;
    case JOSTLE__PIN_SAME: pu = worker % pus; break;
    case JOSTLE__PIN_RANDOM: pu = (int)jostle__below(&rng, (uint32_t)pus); break;
    }
    for (int k = 0; pu >= 0 && k < i; k++) shared |= pu_out[k] == pu;
    pu_out[i] = pu;
  }
  if (pin == JOSTLE__PIN_SPREAD && total > jostle__topology_n_cores())
    spin_ok = 0;
  /* Random placement of other workers may land on our units too. */
  if (pin == JOSTLE__PIN_RANDOM && n_workers > 1) spin_ok = 0;
  return spin_ok && !shared;
}

int jostle__bind_self(int pu) {
  if (!loaded || pu < 0) return -1;
  hwloc_obj_t obj = pu_obj(pu);
  if (obj == NULL) return -1;
  return hwloc_set_cpubind(topo, obj->cpuset, HWLOC_CPUBIND_THREAD) == 0 ? 0 : -1;
}

static void print_tree(FILE *out, hwloc_obj_t o, int indent) {
  char type[64], attr[128];
  hwloc_obj_type_snprintf(type, sizeof type, o, 0);
  hwloc_obj_attr_snprintf(attr, sizeof attr, o, ", ", 0);
  fprintf(out, "%*s%s L#%u", indent, "", type, o->logical_index);
  if (o->type == HWLOC_OBJ_PU) fprintf(out, " (os #%u)", o->os_index);
  else if (attr[0] != '\0') fprintf(out, " (%s)", attr);
  fputc('\n', out);
  for (hwloc_obj_t c = o->first_child; c != NULL; c = c->next_sibling)
    print_tree(out, c, indent + 2);
}

void jostle__topology_print(FILE *out) {
  if (jostle__topology_load() != 0) {
    int n = jostle__topology_n_pus();
    fprintf(out, "hwloc could not read the topology; %d processor%s usable\n", n,
            jostle__s((uint64_t)n));
    return;
  }
  int packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
  int numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
  fprintf(out, "%d processing unit%s, %d core%s, %d package%s, %d NUMA node%s\n", n_pus,
          jostle__s((uint64_t)n_pus), n_cores, jostle__s((uint64_t)n_cores), packages,
          jostle__s((uint64_t)packages), numa, jostle__s((uint64_t)numa));
  print_tree(out, hwloc_get_root_obj(topo), 0);
}
