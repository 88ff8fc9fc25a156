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

#include "common/hash.h"
#include "common/seed.h"
#include "common/text.h"
#include "cli/cli.h"
#include "harness/heap.h"
#include "harness/pool.h"
#include "harness/program.h"
#include "harness/program_calls.h"
#include "harness/program_reset.h"
#include "harness/tally.h"
#include "schedulers/control.h"
#include "schedulers/spares.h"

#define MUTATE_SALT 0x6d75746174ULL

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
/* Records that the run of an input made choice_bits choices (bits from its
 * front), for the mutator. */
void jostle__fuzz_used(const uint8_t *data, size_t size, size_t choice_bits);
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

/* ---- an ordinary program as the target --------------------------------- */

/* jostle-cc --fuzz renames a program's main to this; tools/program_main.c
 * knows where the program's data lies. Weak: a scenario target has
 * neither. */
__attribute__((weak)) int jostle_fuzz_main(int argc, char **argv, char **envp);
__attribute__((weak)) void jostle__program_image_of_self(jostle__program_image *image);

/* A program's exits: jostle-cc renames them in the program's objects to
 * tools/program_main.c's wrappers (not with the linker's --wrap, which
 * would catch libFuzzer's own _Exit when a run crashes), which end here. */
_Noreturn void __real_exit(int status);
_Noreturn void __real__exit(int status);
_Noreturn void __real__Exit(int status);
_Noreturn void __real_quick_exit(int status);
void __real_exit(int status) { exit(status); }
void __real__exit(int status) { _exit(status); }
void __real__Exit(int status) { _Exit(status); }
void __real_quick_exit(int status) { quick_exit(status); }

/* The program's heap is jostle's from its first allocation, its
 * constructors' included (harness/heap.h), as when jostle run serves it. */
__attribute__((constructor(101))) static void program_heap(void) {
  if (jostle_fuzz_main != NULL) (void)jostle__heap_start();
}

/* Whether this target fuzzes a program: it holds no scenario, and had a
 * main. */
static int fuzzes_program(void) {
  return jostle__n_scenarios() == 0 && jostle_fuzz_main != NULL &&
         jostle__program_image_of_self != NULL;
}

/* The program's command line: the target's path, then the words of
 * $JOSTLE_FUZZ_ARGS (split at spaces), so that libFuzzer's own options
 * never reach it. */
static char **program_argv(const char *path, int *argc) {
  const char *args = getenv("JOSTLE_FUZZ_ARGS");
  char *words = strdup(args ? args : "");
  char **argv = words ? calloc(strlen(words) / 2 + 2, sizeof *argv) : NULL;
  if (argv == NULL) give_up("%s", "out of memory");
  int n = 0;
  argv[n++] = (char *)path;
  for (char *w = strtok(words, " "); w != NULL; w = strtok(NULL, " ")) argv[n++] = w;
  *argc = n;
  return argv;
}

extern char **environ;

/* `fuzz-prog replay --input FILE`, or any jostle command, on the program. */
static _Noreturn void program_command(int argc, char **argv) {
  size_t size = 1, at = 0;
  for (int i = 1; i < argc; i++) size += strlen(argv[i]) + 1;
  char *serve = malloc(size);
  if (serve == NULL) give_up("%s", "out of memory");
  for (int i = 1; i < argc; i++) {
    if (i > 1) serve[at++] = JOSTLE__SERVE_SEP;
    at += (size_t)snprintf(serve + at, size - at, "%s", argv[i]);
  }
  int pargc;
  char **pargv = program_argv(argv[0], &pargc);
  jostle__program_image image;
  jostle__program_image_of_self(&image);
  exit(jostle__program_serve(serve, jostle_fuzz_main, &image, pargc, pargv, environ));
}

/* The program as this target's scenario; its runs share the process
 * (harness/program_reset.h) or it cannot be fuzzed. */
static const jostle_scenario *adopt_program(const char *path) {
  int argc;
  char **argv = program_argv(path, &argc);
  jostle__program_image image;
  jostle__program_image_of_self(&image);
  if (jostle__program_adopt(jostle_fuzz_main, &image, argc, argv, environ) != 0) exit(2);
  return &jostle__program_served->scenario;
}

/* After the pool exists, before the first input: the state every run
 * starts from. */
static void program_mark(void) {
  jostle__program_calls_start();
  const char *why = jostle__program_share();
  if (why != NULL) give_up("this program cannot be fuzzed: its runs cannot share one process: %s",
                           why);
  /* libFuzzer's own threads (its memory watch) are made between runs:
   * real threads, no program's */
  jostle__spares_on = 0;
}

/* Unreached: every run of the target is controlled, and the control ends
 * the run at a program's exit from any thread. */
static void exited_uncontrolled(void *ctx, int status) {
  (void)ctx, (void)status;
  give_up("%s", "the program exited outside a controlled run");
}

/* One run of the program: its exit status is its outcome, unless jostle's
 * verdict came first. Back to the mark after it. */
static const jostle_run *program_run(void) {
  static jostle_run exited;
  jostle__spares_on = 1;
  jostle__program_arm_shared(exited_uncontrolled, NULL);
  const jostle_run *r = jostle__pool_run(pool, 0);
  int status;
  if (jostle__program_disarm_shared(&status) &&
      (r->verdict == JOSTLE__RUN_OK || r->verdict == JOSTLE__RUN_RACE)) {
    jostle__program_exit_run(&exited, plan.n_threads, r->verdict, r->verdict_text, status);
    r = &exited;
  }
  return r;
}

static void program_reset(void) {
  const char *why = jostle__program_reset();
  if (why != NULL) give_up("a run left what the next cannot start from: %s", why);
  jostle__spares_on = 0;
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
  int of_program = fuzzes_program();
  if (*argc > 1 && jostle__command_find((*argv)[1]) != NULL) {
    if (of_program) program_command(*argc, *argv);
    exit(jostle_main(*argc, *argv));
  }
  if (*argc > 0) program = (*argv)[0];
  const jostle_scenario *s = of_program ? adopt_program(program)
                                        : chosen(*argc > 0 ? (*argv)[0] : "");
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
  /* a program makes threads of its own, which the plan does not count */
  jostle__pool_place(pool, none, !of_program && pus >= plan.n_threads);
  if (of_program) program_mark();
  return 0;
}

/* How many of its choices (bits from the front) each recent input's run
 * made, by a hash of the input: the mutator changes one of those, or the
 * next (a choice past the last one a run made changes nothing). A slot
 * holds the latest input whose hash falls on it; an input not found is
 * mutated anywhere. */
#define USED_SLOTS 4096
static struct used {
  uint64_t hash;
  size_t choice_bits;
} used[USED_SLOTS];

static uint64_t hash_of(const uint8_t *data, size_t size) {
  return jostle__fnv1a_step(jostle__fnv1a(data, size), size);
}

void jostle__fuzz_used(const uint8_t *data, size_t size, size_t choice_bits) {
  uint64_t h = hash_of(data, size);
  used[h % USED_SLOTS] = (struct used){h, choice_bits};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input.data = data;
  input.size = size;
  int of_program = jostle__program_served != NULL;
  const jostle_run *r = of_program ? program_run() : jostle__pool_run(pool, 0);
  jostle__fuzz_used(data, size, input.front_bit);
  jostle__class cls = jostle__tally_record(tally, r, n_runs++);
  if (of_program) program_reset();
  if (cls == JOSTLE__ALLOWED) return 0;
  char text[JOSTLE__TEXT_MAX], replay[1024];
  jostle__outcome_text(r, text, sizeof text);
  /* a program's replay names no scenario (the program is the one), and
   * keeps its arguments */
  const char *args = of_program ? getenv("JOSTLE_FUZZ_ARGS") : NULL;
  char *quoted = args && *args ? jostle__shell_join(1, (char *const[]){(char *)args}) : NULL;
  snprintf(replay, sizeof replay, "%s%s%s%s replay%s%s%s --input FILE",
           quoted ? "JOSTLE_FUZZ_ARGS=" : "", quoted ? quoted : "", quoted ? " " : "", program,
           of_program ? "" : " ", of_program ? "" : plan.scenario->name,
           plan.sched_cfg.races ? " --races" : "");
  free(quoted);
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
 * decision. Each starts at a choice the input's run made, or the next
 * (jostle__fuzz_used). */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed) {
  uint64_t rng = jostle__mix(seed, MUTATE_SALT);
  if (!mutate_choices || size == 0 || size > UINT32_MAX / 8 || jostle__below(&rng, 2) == 0)
    return LLVMFuzzerMutate(data, size, max_size);
  size_t bits = size * 8;
  uint64_t h = hash_of(data, size);
  const struct used *u = &used[h % USED_SLOTS];
  size_t span = u->hash == h && u->choice_bits < bits ? u->choice_bits + 1 : bits;
  size_t at = jostle__below(&rng, (uint32_t)span);
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
