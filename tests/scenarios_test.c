/*
 * scenarios_test.c: scenarios that exist only to test jostle itself; linked
 * into the test programs and jostle-test, never into jostle.
 *
 * Which runs crash or hang is a pure function of the run's seed, so a test
 * can compute the exact counts a campaign must report.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "jostle.h"
#include "tests/scenarios_test.h"

int jostle_test_crashes(unsigned long long seed) { return seed % 7 == 3; }
int jostle_test_hangs(unsigned long long seed) { return seed % 31 == 5; }

typedef struct { _Atomic int hits; } test_state;

static void crash_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  atomic_fetch_add(&st->hits, 1);
  if (index == 1 && jostle_test_crashes(jostle_seed(r))) raise(SIGSEGV);
}

static void count_check(jostle_run *r) {
  test_state *st = jostle_state(r);
  jostle_observe(r, "hits", atomic_load(&st->hits));
}

JOSTLE_SCENARIO(test_crash) {
    .name = "test-crash",
    .summary = "test only: a thread raises SIGSEGV in runs whose seed % 7 == 3",
    .racy = 1,
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = crash_thread,
    .check = count_check,
};

static void hang_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  atomic_fetch_add(&st->hits, 1);
  if (index == 0 && jostle_test_hangs(jostle_seed(r)))
    for (;;) atomic_fetch_add(&st->hits, 1);
}

JOSTLE_SCENARIO(test_hang) {
    .name = "test-hang",
    .summary = "test only: a thread spins forever in runs whose seed % 31 == 5",
    .racy = 1,
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = hang_thread,
    .check = count_check,
};

static void abort_thread(jostle_run *r, int index) {
  (void)r;
  if (index == 0) abort();
}

JOSTLE_SCENARIO(test_abort) {
    .name = "test-abort",
    .summary = "test only: every run aborts",
    .racy = 1,
    .threads = 2,
    .thread = abort_thread,
    .check = count_check,
};

static void count_thread(jostle_run *r, int index) {
  test_state *st = jostle_state(r);
  (void)index;
  atomic_fetch_add(&st->hits, 1);
}

static const char *const two_hits[] = {"hits=2", NULL};

JOSTLE_SCENARIO(test_allowed) {
    .name = "test-allowed",
    .summary = "test only: threads count in; only hits=2 is allowed",
    .threads = 2,
    .state_size = sizeof(test_state),
    .thread = count_thread,
    .check = count_check,
    .allowed = two_hits,
};
