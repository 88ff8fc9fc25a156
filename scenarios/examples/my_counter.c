/*
 * my_counter.c: the scenario of the README's "Writing a scenario", as a
 * whole program. Build it with the installed jostle:
 *
 *   jostle-cc -O2 my_counter.c -o my-counter
 *   ./my-counter stress my-counter -n 1M               (threads in parallel)
 *   ./my-counter stress my-counter --scheduler pct     (one at a time, exact replay)
 */
#include <jostle.h>

typedef struct { long counter; } state;
enum { P_INCREMENTS };
static const jostle_param_def params[] = {
    {"increments", 1, 1, 1000000, "increments per thread"}, {0}};

static void body(jostle_run *r, int index) {
  state *s = jostle_state(r);
  (void)index;
  for (long i = 0; i < jostle_param(r, P_INCREMENTS); i++) {
    jostle_yield();                      /* a scheduling point */
    s->counter++;                        /* the bug: not atomic */
  }
}

static void check(jostle_run *r) {
  state *s = jostle_state(r);
  jostle_observe(r, "counter", s->counter);          /* outcome "counter=1" */
  if (s->counter != jostle_threads(r) * jostle_param(r, P_INCREMENTS))
    jostle_fail(r, "lost increments");               /* divergent */
}

JOSTLE_SCENARIO(my_counter) {
    .name = "my-counter", .summary = "two threads, one plain counter",
    .racy = 1, .threads = 2, .params = params, .state_size = sizeof(state),
    .thread = body, .check = check,
};

int main(int argc, char **argv) { return jostle_main(argc, argv); }
