/*
 * check_placement.c: placement names, the topology, plans and binding
 * (schedulers/placement.h).
 *
 * Plans are checked on this machine and, through hwloc's HWLOC_SYNTHETIC,
 * on made-up ones (more cores, hyperthreads, more than 64 units): each test
 * runs in its own forked child, and placement.c loads the topology on
 * first use, so a test that sets the variable first gets that machine.
 * Binding is only checked on the real one.
 */
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedulers/placement.h"
#include "tests/check_main.h"

static const jostle__pin all_pins[] = {JOSTLE__PIN_NONE, JOSTLE__PIN_SPREAD, JOSTLE__PIN_SAME,
                                       JOSTLE__PIN_RANDOM};

/* Uses a made-up machine for the rest of this test's process. */
static void use_synthetic(const char *description) {
  ck_assert_int_eq(setenv("HWLOC_SYNTHETIC", description, 1), 0);
  unsetenv("HWLOC_XMLFILE");
}

/* --- names ------------------------------------------------------------- */

START_TEST(pin_names_round_trip) {
  static const char *const names[] = {"none", "spread", "same", "random"};
  for (int i = 0; i < 4; i++) {
    ck_assert_int_eq(jostle__pin_parse(names[i]), (int)all_pins[i]);
    ck_assert_str_eq(jostle__pin_name(all_pins[i]), names[i]);
    ck_assert_int_eq(jostle__pin_parse(jostle__pin_name(all_pins[i])), (int)all_pins[i]);
  }
  static const char *const unknown[] = {"", "None", "SPREAD", "spread ", "sam", "randomly", "x"};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
    ck_assert_msg(jostle__pin_parse(unknown[i]) == -1, "'%s' parsed", unknown[i]);
}
END_TEST

/* --- topology ---------------------------------------------------------- */

START_TEST(topology_loads) {
  ck_assert_int_eq(jostle__topology_load(), 0);
  ck_assert_int_eq(jostle__topology_load(), 0);  /* idempotent */
  int pus = jostle__topology_n_pus(), cores = jostle__topology_n_cores();
  ck_assert_int_ge(pus, 1);
  ck_assert_int_ge(cores, 1);
  ck_assert_int_le(cores, pus);
  ck_assert_int_le(pus, (int)sysconf(_SC_NPROCESSORS_CONF));
}
END_TEST

/* Counts come without an explicit load too. */
START_TEST(topology_counts_load_on_demand) {
  int pus = jostle__topology_n_pus();
  ck_assert_int_ge(pus, 1);
  ck_assert_int_le(jostle__topology_n_cores(), pus);
  ck_assert_int_eq(jostle__topology_load(), 0);
  ck_assert_int_eq(jostle__topology_n_pus(), pus);
}
END_TEST

START_TEST(topology_synthetic_counts) {
  use_synthetic("package:2 core:4 pu:2");
  ck_assert_int_eq(jostle__topology_load(), 0);
  ck_assert_int_eq(jostle__topology_n_pus(), 16);
  ck_assert_int_eq(jostle__topology_n_cores(), 8);
}
END_TEST

/* The first line of `jostle topology` says how many units there are. */
static void check_print_first_line(int want_pus) {
  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&text, &size);
  ck_assert_ptr_nonnull(out);
  jostle__topology_print(out);
  ck_assert_int_eq(fclose(out), 0);
  ck_assert_ptr_nonnull(text);
  int n = -1, matched = 0;
  ck_assert_msg(sscanf(text, "%d processing units%n", &n, &matched) == 1 && matched > 0,
                "first line: '%.60s'", text);
  ck_assert_int_eq(n, want_pus);
  ck_assert_ptr_nonnull(strchr(text, '\n'));
  free(text);
}

START_TEST(topology_print_first_line) {
  ck_assert_int_eq(jostle__topology_load(), 0);
  check_print_first_line(jostle__topology_n_pus());
}
END_TEST

START_TEST(topology_print_synthetic) {
  use_synthetic("package:2 core:4 pu:2");
  check_print_first_line(16);
}
END_TEST

/* A machine of one of each says so in the singular. */
START_TEST(topology_print_singular) {
  use_synthetic("package:1 core:1 pu:1");
  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&text, &size);
  ck_assert_ptr_nonnull(out);
  jostle__topology_print(out);
  ck_assert_int_eq(fclose(out), 0);
  ck_assert_msg(strncmp(text, "1 processing unit, 1 core, 1 package, 1 NUMA node\n",
                        strlen("1 processing unit, 1 core, 1 package, 1 NUMA node\n")) == 0,
                "first line: '%.80s'", text);
  free(text);
}
END_TEST

/* --- plans ------------------------------------------------------------- */

#define MAX_WORKERS 160
#define MAX_THREADS 64

typedef struct campaign {
  int n_workers, n_threads;
  int pu[MAX_WORKERS][MAX_THREADS];
  int spin_ok[MAX_WORKERS];
} campaign;

/* Plans every worker of a campaign with one batch seed. */
static void plan_campaign(campaign *c, jostle__pin pin, int n_workers, int n_threads,
                          uint64_t seed) {
  ck_assert_int_le(n_workers, MAX_WORKERS);
  ck_assert_int_le(n_threads, MAX_THREADS);
  c->n_workers = n_workers;
  c->n_threads = n_threads;
  for (int w = 0; w < n_workers; w++) {
    for (int i = 0; i < MAX_THREADS; i++) c->pu[w][i] = -7;
    c->spin_ok[w] = jostle__placement_plan(pin, w, n_workers, n_threads, seed, c->pu[w]);
    ck_assert_msg(c->spin_ok[w] == 0 || c->spin_ok[w] == 1, "spin_ok %d", c->spin_ok[w]);
    for (int i = n_threads; i < MAX_THREADS; i++)
      ck_assert_msg(c->pu[w][i] == -7, "wrote past thread %d", n_threads - 1);
  }
}

/* What every plan promises: units in range (-1 only when unpinned), and
 * spin_ok only when no two threads of the whole campaign share a unit. */
static void check_promises(const campaign *c, jostle__pin pin) {
  int pus = jostle__topology_n_pus();
  int total = c->n_workers * c->n_threads;
  for (int w = 0; w < c->n_workers; w++) {
    for (int i = 0; i < c->n_threads; i++) {
      int pu = c->pu[w][i];
      if (pin == JOSTLE__PIN_NONE)
        ck_assert_msg(pu == -1, "none: worker %d thread %d on unit %d", w, i, pu);
      else
        ck_assert_msg(pu >= 0 && pu < pus, "%s: worker %d thread %d on unit %d of %d",
                      jostle__pin_name(pin), w, i, pu, pus);
    }
    if (total > pus)
      ck_assert_msg(c->spin_ok[w] == 0, "%s: %d threads on %d units, worker %d may spin",
                    jostle__pin_name(pin), total, pus, w);
  }
  for (int w = 0; w < c->n_workers; w++)
    for (int i = 0; i < c->n_threads; i++)
      for (int v = w; v < c->n_workers; v++)
        for (int j = (v == w ? i + 1 : 0); j < c->n_threads; j++) {
          if (c->pu[w][i] < 0 || c->pu[w][i] != c->pu[v][j]) continue;
          ck_assert_msg(c->spin_ok[w] == 0 && c->spin_ok[v] == 0,
                        "%s, %d workers x %d threads on %d units: worker %d thread %d and "
                        "worker %d thread %d share unit %d, yet spin_ok is %d and %d",
                        jostle__pin_name(pin), c->n_workers, c->n_threads, pus, w, i, v, j,
                        c->pu[w][i], c->spin_ok[w], c->spin_ok[v]);
        }
}

static campaign the_campaign; /* big; one per test process */

START_TEST(plan_none_leaves_threads_unpinned) {
  int pus = jostle__topology_n_pus();
  for (int workers = 1; workers <= 4; workers++)
    for (int threads = 1; threads <= 8; threads++) {
      plan_campaign(&the_campaign, JOSTLE__PIN_NONE, workers, threads, 1);
      check_promises(&the_campaign, JOSTLE__PIN_NONE);
      for (int w = 0; w < workers; w++)
        ck_assert_msg(the_campaign.spin_ok[w] == (workers * threads <= pus),
                      "none, %d x %d on %d units: spin_ok %d", workers, threads, pus,
                      the_campaign.spin_ok[w]);
    }
}
END_TEST

START_TEST(plan_same_puts_a_worker_on_one_unit) {
  int pus = jostle__topology_n_pus();
  for (int workers = 1; workers <= 4; workers++)
    for (int threads = 1; threads <= 8; threads++) {
      plan_campaign(&the_campaign, JOSTLE__PIN_SAME, workers, threads, 1);
      check_promises(&the_campaign, JOSTLE__PIN_SAME);
      for (int w = 0; w < workers; w++) {
        for (int i = 1; i < threads; i++)
          ck_assert_int_eq(the_campaign.pu[w][i], the_campaign.pu[w][0]);
        if (threads > 1) ck_assert_int_eq(the_campaign.spin_ok[w], 0);
        else ck_assert_int_eq(the_campaign.spin_ok[w], workers <= pus);
      }
    }
}
END_TEST

START_TEST(plan_spread_two_threads_on_two_cores) {
  if (jostle__topology_n_cores() < 2) {
    fprintf(stderr, "plan_spread_two_threads_on_two_cores: one core here; not checked\n");
    return;
  }
  plan_campaign(&the_campaign, JOSTLE__PIN_SPREAD, 1, 2, 1);
  check_promises(&the_campaign, JOSTLE__PIN_SPREAD);
  ck_assert_int_ne(the_campaign.pu[0][0], the_campaign.pu[0][1]);
  ck_assert_int_eq(the_campaign.spin_ok[0], 1);
  for (int workers = 1; workers <= 4; workers++)
    for (int threads = 1; threads <= 8; threads++) {
      plan_campaign(&the_campaign, JOSTLE__PIN_SPREAD, workers, threads, 1);
      check_promises(&the_campaign, JOSTLE__PIN_SPREAD);
    }
}
END_TEST

START_TEST(plan_random_in_range_and_reproducible) {
  int pus = jostle__topology_n_pus();
  static int first[MAX_THREADS], again[MAX_THREADS];
  int n_differ = 0;
  for (uint64_t seed = 1; seed <= 50; seed++) {
    int ok1 = jostle__placement_plan(JOSTLE__PIN_RANDOM, 0, 1, 8, seed, first);
    int ok2 = jostle__placement_plan(JOSTLE__PIN_RANDOM, 0, 1, 8, seed, again);
    ck_assert_int_eq(ok1, ok2);
    ck_assert_int_eq(memcmp(first, again, 8 * sizeof first[0]), 0);
    for (int i = 0; i < 8; i++) ck_assert(first[i] >= 0 && first[i] < pus);
    jostle__placement_plan(JOSTLE__PIN_RANDOM, 0, 1, 8, seed + 1000, again);
    n_differ += memcmp(first, again, 8 * sizeof first[0]) != 0;
    for (int workers = 1; workers <= 3; workers++) {
      plan_campaign(&the_campaign, JOSTLE__PIN_RANDOM, workers, 2, seed);
      check_promises(&the_campaign, JOSTLE__PIN_RANDOM);
      if (workers > 1)  /* other workers draw their own units */
        for (int w = 0; w < workers; w++) ck_assert_int_eq(the_campaign.spin_ok[w], 0);
    }
  }
  if (pus > 1) ck_assert_int_gt(n_differ, 25);  /* the seed matters */
}
END_TEST

/* Hyperthreads: spread takes one unit per core, workers on disjoint cores. */
START_TEST(plan_spread_one_thread_per_core) {
  use_synthetic("package:2 core:4 pu:2");
  const int pus_per_core = 2;
  for (int workers = 1; workers <= 3; workers++)
    for (int threads = 1; threads <= 8; threads++) {
      plan_campaign(&the_campaign, JOSTLE__PIN_SPREAD, workers, threads, 1);
      check_promises(&the_campaign, JOSTLE__PIN_SPREAD);
      if (workers * threads > 8) {
        for (int w = 0; w < workers; w++) ck_assert_int_eq(the_campaign.spin_ok[w], 0);
        continue;
      }
      int core_used[8] = {0};
      for (int w = 0; w < workers; w++) {
        ck_assert_int_eq(the_campaign.spin_ok[w], 1);
        for (int i = 0; i < threads; i++) {
          int core = the_campaign.pu[w][i] / pus_per_core;
          ck_assert_msg(core_used[core]++ == 0, "%d x %d: core %d used twice", workers,
                        threads, core);
        }
      }
    }
}
END_TEST

START_TEST(plans_keep_promises_on_a_bigger_machine) {
  use_synthetic("package:2 core:8 pu:2");
  ck_assert_int_eq(jostle__topology_n_pus(), 32);
  for (size_t p = 0; p < 4; p++)
    for (int workers = 1; workers <= 6; workers++)
      for (int threads = 1; threads <= 8; threads++)
        for (uint64_t seed = 1; seed <= (all_pins[p] == JOSTLE__PIN_RANDOM ? 40u : 1u); seed++) {
          plan_campaign(&the_campaign, all_pins[p], workers, threads, seed);
          check_promises(&the_campaign, all_pins[p]);
        }
}
END_TEST

/* The same promises where units number past 64: same, with 100 workers of
 * 2 threads, fits 256 units, but each worker's two threads share its unit,
 * workers 64 and up included. */
START_TEST(plan_same_past_64_units) {
  use_synthetic("core:128 pu:2");
  ck_assert_int_eq(jostle__topology_n_pus(), 256);
  plan_campaign(&the_campaign, JOSTLE__PIN_SAME, 100, 2, 1);
  check_promises(&the_campaign, JOSTLE__PIN_SAME);
}
END_TEST

/* random, one worker of 8 threads on 256 units: some seeds put two threads
 * on one unit, above 64 as well as below. */
START_TEST(plan_random_past_64_units) {
  use_synthetic("core:128 pu:2");
  ck_assert_int_eq(jostle__topology_n_pus(), 256);
  for (uint64_t seed = 1; seed <= 300; seed++) {
    plan_campaign(&the_campaign, JOSTLE__PIN_RANDOM, 1, 8, seed);
    check_promises(&the_campaign, JOSTLE__PIN_RANDOM);
  }
}
END_TEST

/* --- binding ----------------------------------------------------------- */

typedef struct bind_job {
  int pu;
  int result;                /* jostle__bind_self's */
  int n_cpus_after;          /* processors in the thread's mask after */
  int cpu_after;             /* the one processor, when only one */
  int running_on;            /* sched_getcpu() after binding */
} bind_job;

static void *bind_thread(void *arg) {
  bind_job *job = arg;
  job->result = jostle__bind_self(job->pu);
  cpu_set_t set;
  CPU_ZERO(&set);
  job->n_cpus_after = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
  job->cpu_after = -1;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &set)) {
      job->cpu_after = c;
      break;
    }
  job->running_on = sched_getcpu();
  return NULL;
}

/* The operating-system numbers of the processors of logical unit pu. */
static int unit_cpus(int pu, cpu_set_t *set) {
  hwloc_topology_t topo;
  CPU_ZERO(set);
  if (hwloc_topology_init(&topo) != 0) return -1;
  if (hwloc_topology_load(topo) != 0) {
    hwloc_topology_destroy(topo);
    return -1;
  }
  hwloc_obj_t obj = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)pu);
  int n = 0;
  if (obj != NULL) {
    unsigned id;
    hwloc_bitmap_foreach_begin(id, obj->cpuset) {
      if (id < CPU_SETSIZE) {
        CPU_SET(id, set);
        n++;
      }
    }
    hwloc_bitmap_foreach_end();
  }
  hwloc_topology_destroy(topo);
  return n;
}

/* A thread that binds itself to unit pu runs on that unit's processor and
 * nowhere else; other threads keep their mask. Where the system refuses
 * (-1), there is nothing more to check. */
START_TEST(bind_self_moves_only_the_caller) {
  ck_assert_int_eq(jostle__topology_load(), 0);
  cpu_set_t before, after;
  ck_assert_int_eq(sched_getaffinity(0, sizeof before, &before), 0);
  int n_bound = 0;
  for (int pu = 0; pu < jostle__topology_n_pus(); pu++) {
    bind_job job = {.pu = pu};
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, bind_thread, &job), 0);
    ck_assert_int_eq(pthread_join(tid, NULL), 0);
    ck_assert_msg(job.result == 0 || job.result == -1, "bind_self returned %d", job.result);
    if (job.result != 0) {
      fprintf(stderr, "bind_self_moves_only_the_caller: binding to unit %d refused\n", pu);
      continue;
    }
    n_bound++;
    cpu_set_t want;
    ck_assert_int_eq(unit_cpus(pu, &want), 1);
    ck_assert_int_eq(job.n_cpus_after, 1);
    ck_assert_msg(CPU_ISSET(job.cpu_after, &want), "unit %d: bound to processor %d", pu,
                  job.cpu_after);
    ck_assert_msg(job.running_on == job.cpu_after, "unit %d: running on %d, bound to %d", pu,
                  job.running_on, job.cpu_after);
  }
  ck_assert_int_eq(sched_getaffinity(0, sizeof after, &after), 0);
  ck_assert_msg(CPU_EQUAL(&before, &after), "binding a thread changed another's mask");
  if (n_bound == 0) fprintf(stderr, "bind_self_moves_only_the_caller: no binding allowed\n");
}
END_TEST

START_TEST(bind_self_refuses_bad_units) {
  ck_assert_int_eq(jostle__topology_load(), 0);
  cpu_set_t before, after;
  ck_assert_int_eq(sched_getaffinity(0, sizeof before, &before), 0);
  ck_assert_int_eq(jostle__bind_self(-1), -1);
  ck_assert_int_eq(jostle__bind_self(jostle__topology_n_pus()), -1);
  ck_assert_int_eq(jostle__bind_self(1 << 20), -1);
  ck_assert_int_eq(sched_getaffinity(0, sizeof after, &after), 0);
  ck_assert(CPU_EQUAL(&before, &after));
}
END_TEST

static Suite *placement_suite(void) {
  Suite *s = suite_create("placement");
  TCase *tc = jostle_check_case(s, "names", 5, 0);
  tcase_add_test(tc, pin_names_round_trip);
  tc = jostle_check_case(s, "topology", 10, 0);
  tcase_add_test(tc, topology_loads);
  tcase_add_test(tc, topology_counts_load_on_demand);
  tcase_add_test(tc, topology_synthetic_counts);
  tcase_add_test(tc, topology_print_first_line);
  tcase_add_test(tc, topology_print_synthetic);
  tcase_add_test(tc, topology_print_singular);
  tc = jostle_check_case(s, "plan", 20, 0);
  tcase_add_test(tc, plan_none_leaves_threads_unpinned);
  tcase_add_test(tc, plan_same_puts_a_worker_on_one_unit);
  tcase_add_test(tc, plan_spread_two_threads_on_two_cores);
  tcase_add_test(tc, plan_random_in_range_and_reproducible);
  tcase_add_test(tc, plan_spread_one_thread_per_core);
  tcase_add_test(tc, plans_keep_promises_on_a_bigger_machine);
  tcase_add_test(tc, plan_same_past_64_units);
  tcase_add_test(tc, plan_random_past_64_units);
  tc = jostle_check_case(s, "bind", 10, 0);
  tcase_add_test(tc, bind_self_moves_only_the_caller);
  tcase_add_test(tc, bind_self_refuses_bad_units);
  return s;
}

int main(void) { return jostle_check_run(placement_suite()); }
