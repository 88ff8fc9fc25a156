// scenario_cxx.cpp: a scenario written in C++ (jostle.h and
// JOSTLE_SCENARIO compiled as C++20): two threads increment a std::atomic
// counter by a load and a store, not one read-modify-write, and lose
// increments.
#include <jostle.h>

#include <atomic>

struct state {
  std::atomic<long> counter;
};

static void body(jostle_run *r, int) {
  auto *s = static_cast<state *>(jostle_state(r));
  long seen = s->counter.load();
  s->counter.store(seen + 1);  // the bug: fetch_add would not lose one
}

static void check(jostle_run *r) {
  auto *s = static_cast<state *>(jostle_state(r));
  jostle_observe(r, "counter", s->counter.load());
  if (s->counter.load() != jostle_threads(r)) jostle_fail(r, "lost increments");
}

JOSTLE_SCENARIO(cxx_counter) {
    .name = "cxx-counter",
    .summary = "two threads, a std::atomic counter by load and store",
    .racy = 1,
    .threads = 2,
    .state_size = sizeof(state),
    .thread = body,
    .check = check,
};

int main(int argc, char **argv) { return jostle_main(argc, argv); }
