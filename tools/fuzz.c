/*
 * fuzz.c: libFuzzer's entry points for fuzzing a scenario (`make fuzz`
 * builds build-fuzz/fuzz-SCENARIO; `jostle-cc --fuzz` a person's own).
 *
 * Each input is one controlled run of the scenario in this process, its
 * choices drawn from the input's bytes (schedulers/baton.c: the choice
 * source) and its jostle_input_int() values from the input's end. An
 * outcome that is not allowed aborts with a line naming it, so libFuzzer
 * saves the input; a crash is libFuzzer's to catch. The saved input
 * replays exactly with `fuzz-SCENARIO replay SCENARIO --input FILE` (the
 * target is a jostle program too: same code, same scheduling points), or
 * by running the target on it. `jostle replay --input` in a program built
 * by another compiler replays it when both compilers put the same points
 * in the scenario, which they need not.
 *
 * Which scenario: $JOSTLE_FUZZ_SCENARIO, else the program's own name after
 * "fuzz-" (one program serves every built-in, linked under each name),
 * else the only scenario the program holds. Its parameters are its
 * defaults. Interleaving feedback (schedulers/feedback.h) goes into
 * libFuzzer's extra counters; JOSTLE_FUZZ_FEEDBACK=0 turns it off. Half
 * the mutations move choices rather than bytes (LLVMFuzzerCustomMutator
 * below); JOSTLE_FUZZ_MUTATE=0 leaves every mutation to libFuzzer.
 * JOSTLE_FUZZ_TRACE=1 prints every run step by step, as `replay --trace`
 * does (run the target on one saved input to see its interleaving).
 * JOSTLE_FUZZ_RACES=1 is --races: a data race prints its full report (both
 * accesses and their call stacks) and aborts as a divergence does, and the
 * input replays to it with `replay --races`.
 */
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/seed.h"
#include "cli/cli.h"
#include "harness/pool.h"
#include "harness/tally.h"
#include "schedulers/control.h"

#define MUTATE_SALT 0x6d75746174ULL

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
/* libFuzzer's own mutations; weak, so that the library links without it */
__attribute__((weak)) size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* libFuzzer reads this section as extra coverage counters. */
__attribute__((section("__libfuzzer_extra_counters"), used)) static uint8_t
    interleavings[1 << 12];

static jostle__plan plan;
static jostle__pool *pool;
static jostle__input input;
static jostle__tally *tally;
static uint64_t n_runs;
static const char *program = "jostle";
static int mutate_choices = 1;

static _Noreturn void give_up(const char *fmt, const char *what) {
  fprintf(stderr, "jostle fuzz: ");
  fprintf(stderr, fmt, what);
  fputc('\n', stderr);
  exit(2);
}

/* The scenario this target fuzzes (see the file's comment). */
static const jostle_scenario *chosen(const char *name_typed) {
  const char *name = getenv("JOSTLE_FUZZ_SCENARIO");
  if (name != NULL) {
    const jostle_scenario *s = jostle__scenario_find(name);
    if (s == NULL) give_up("JOSTLE_FUZZ_SCENARIO names no scenario of this program: '%s'", name);
    return s;
  }
  char copy[512];
  snprintf(copy, sizeof copy, "%s", name_typed);
  const char *base = basename(copy);
  if (strncmp(base, "fuzz-", 5) == 0 && jostle__scenario_find(base + 5) != NULL)
    return jostle__scenario_find(base + 5);
  if (jostle__n_scenarios() == 1) return jostle__scenario_at(0);
  give_up("which scenario? name the program fuzz-SCENARIO or set JOSTLE_FUZZ_SCENARIO "
          "(this program is '%s')", base);
}

/* `fuzz-SCENARIO replay SCENARIO --input FILE [--trace]` and every other
 * jostle command run as in jostle itself: replays in the program that
 * fuzzed are exact, whatever compiler built it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (*argc > 1 && jostle__command_find((*argv)[1]) != NULL) exit(jostle_main(*argc, *argv));
  if (*argc > 0) program = (*argv)[0];
  const jostle_scenario *s = chosen(*argc > 0 ? (*argv)[0] : "");
  plan.scenario = s;
  plan.n_threads = s->threads;
  for (int i = 0; s->params && s->params[i].name; i++) plan.params[i] = s->params[i].def;
  plan.sched = jostle__sched_first(1);
  jostle__sched_cfg_default(&plan.sched_cfg, plan.sched);
  plan.sched_cfg.input = &input;
  const char *feedback = getenv("JOSTLE_FUZZ_FEEDBACK");
  if (feedback == NULL || strcmp(feedback, "0") != 0) {
    plan.sched_cfg.feedback = interleavings;
    plan.sched_cfg.feedback_size = sizeof interleavings;
  }
  const char *mutate = getenv("JOSTLE_FUZZ_MUTATE");
  mutate_choices = mutate == NULL || strcmp(mutate, "0") != 0;
  const char *trace = getenv("JOSTLE_FUZZ_TRACE");
  plan.sched_cfg.trace = trace != NULL && strcmp(trace, "1") == 0;
  const char *races = getenv("JOSTLE_FUZZ_RACES");
  plan.sched_cfg.races = races != NULL && strcmp(races, "1") == 0;
  plan.n_jobs = 1;
  tally = calloc(1, jostle__tally_size(JOSTLE__MAX_LISTED));
  pool = jostle__pool_create(&plan);
  if (tally == NULL || pool == NULL) give_up("%s", "cannot start the scenario's threads");
  jostle__tally_init(tally, JOSTLE__MAX_LISTED);
  int none[JOSTLE_MAX_THREADS];
  for (int i = 0; i < JOSTLE_MAX_THREADS; i++) none[i] = -1;
  /* hand-offs spin only while threads have processors to spin on; the
   * spin budget adapts when fuzzing jobs fill the machine */
  long pus = sysconf(_SC_NPROCESSORS_ONLN);
  jostle__pool_place(pool, none, pus >= plan.n_threads);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input.data = data;
  input.size = size;
  const jostle_run *r = jostle__pool_run(pool, 0);
  jostle__class cls = jostle__tally_record(tally, r, n_runs++);
  if (cls == JOSTLE__ALLOWED) return 0;
  char text[JOSTLE__TEXT_MAX], replay[1024];
  jostle__outcome_text(r, text, sizeof text);
  snprintf(replay, sizeof replay, "%s replay %s%s --input FILE", program, plan.scenario->name,
           plan.sched_cfg.races ? " --races" : "");
  if (cls == JOSTLE__RACE) { /* Go's block, as jostle stress prints it */
    static char report[JOSTLE__RACE_REPORT_MAX];
    uint64_t steps[2];
    jostle__pool_race_report(pool, report, sizeof report, steps);
    fprintf(stderr, "==================\n%sreproduce: %s\n==================\n", report, replay);
  }
  fprintf(stderr, "jostle: %s: %s outcome: %s\n"
                  "jostle: replay the input libFuzzer saves with: %s [--trace]\n",
          plan.scenario->name, jostle__class_name(cls), text, replay);
  abort();
}

static int bit_at(const uint8_t *data, size_t i) { return (data[i / 8] >> (i % 8)) & 1; }

static void set_bit(uint8_t *data, size_t i, int v) {
  data[i / 8] = (uint8_t)((data[i / 8] & ~(1u << (i % 8))) | ((unsigned)v << (i % 8)));
}

/* libFuzzer's mutations work on bytes: one inserted byte moves every later
 * choice by eight. Half the mutations here work on choices instead (a
 * choice between two threads is one bit): flip a short stretch of them,
 * or insert or delete one, which moves the rest of the schedule by one
 * decision. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed) {
  uint64_t rng = jostle__mix(seed, MUTATE_SALT);
  if (!mutate_choices || size == 0 || size > UINT32_MAX / 8 || jostle__below(&rng, 2) == 0)
    return LLVMFuzzerMutate(data, size, max_size);
  size_t bits = size * 8, at = jostle__below(&rng, (uint32_t)bits);
  switch (jostle__below(&rng, 3)) {
  case 0: /* flip 1 to 4 choices from `at` */
    for (size_t i = at, end = at + 1 + jostle__below(&rng, 4); i < end && i < bits; i++)
      set_bit(data, i, !bit_at(data, i));
    break;
  case 1: /* insert a choice at `at`; the last one falls off */
    for (size_t i = bits - 1; i > at; i--) set_bit(data, i, bit_at(data, i - 1));
    set_bit(data, at, (int)jostle__below(&rng, 2));
    break;
  default: /* delete the choice at `at` */
    for (size_t i = at; i + 1 < bits; i++) set_bit(data, i, bit_at(data, i + 1));
    set_bit(data, bits - 1, 0);
    break;
  }
  return size;
}
