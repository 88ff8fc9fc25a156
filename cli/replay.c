/*
 * replay.c: `jostle replay`. Reruns one run: from its seed, as a stress
 * campaign's `reproduce:` line gives it, or from a schedule file. Under a
 * controlled scheduler it can print the run step by step (--trace), save
 * the run's schedule (--save-schedule) and shrink it to fewer context
 * switches with the same outcome (--shrink).
 *
 * The run is made by a worker process, as in `stress`, so a run that
 * crashes or hangs is reported as its outcome.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/read_file.h"
#include "common/text.h"
#include "cli/cli.h"
#include "cli/suggest.h"
#include "cli/errors.h"
#include "harness/shrink.h"
#include "schedulers/control.h"
#include "schedulers/schedule.h"
#include "reports/report.h"
#include "schedulers/trace.h"

/* Most replays --shrink makes: each is a fresh worker, about a millisecond. */
#define SHRINK_REPLAYS 2000
/* The largest --input file (libFuzzer's inputs are a few kilobytes). */
#define INPUT_MAX (16u << 20)

static const char replay_help[] =
    "usage: %s replay [options] SCENARIO --seed S\n"
    "       %s replay [options] --schedule FILE\n"
    "       %s replay [options] SCENARIO --input FILE\n"
    "       %s replay [options] --seed S -- PROGRAM [ARGS...]\n"
    "\n"
    "Runs SCENARIO once with run seed S and prints `outcome: OUTCOME` and its\n"
    "verdict. Under a controlled scheduler (%s) a run is a pure\n"
    "function of its seed: the outcome is reproduced exactly. Under %s\n"
    "the same decisions are re-applied, but timing may differ.\n"
    "\n"
    "  --seed S                the run seed, as printed by `stress`\n"
    "  --scheduler NAME        %s\n"
    "%s"
    "  -D, --define KEY=VALUE  scenario parameter\n"
    "  --timeout TIME          a run without progress this long is a hang (10s;\n"
    "                          controlled: without a scheduling point)\n"
    "  --pin MODE, %s   as for stress\n"
    "controlled schedulers only:\n"
    "  --trace                 print every step: thread, operation, address, source line\n"
    "  --save-schedule FILE    save the run's schedule (its decisions, in order)\n"
    "  --schedule FILE         replay a saved schedule (scenario and parameters\n"
    "                          come from the file; no --seed, -D or --scheduler)\n"
    "  --input FILE            replay a fuzzer's input (a file libFuzzer saved from\n"
    "                          a fuzz-SCENARIO target): its bytes make the choices\n"
    "  --shrink                when the outcome is divergent, look for a schedule\n"
    "                          with fewer context switches and the same outcome;\n"
    "                          --trace and --save-schedule then show and save it\n"
    "\n"
    "exit codes: 0 allowed, 1 divergent (crash, hang, deadlock and step-limit\n"
    "            included), 2 bad usage or input, 3 internal error\n";

void jostle__help_replay(void) {
  char names[128], block[4096], list[1024], controlled[128], others[128];
  jostle__scheduler_names(jostle__sched_first(1), 0, names, sizeof names);
  jostle__sched_help(1, block, sizeof block);
  jostle__sched_option_list(0, list, sizeof list);
  jostle__scheduler_kind_names(1, ", ", controlled, sizeof controlled);
  jostle__scheduler_kind_names(0, " and ", others, sizeof others);
  printf(replay_help, jostle__prog, jostle__prog, jostle__prog, jostle__prog, controlled, others, names,
         block, list);
}

/* Reads a fuzzer's input file into in (data malloc'd). Returns 0, or the
 * exit code of an error. */
static int read_input(const char *path, jostle__input *in) {
  char err[512];
  size_t n;
  char *data = jostle__read_file(path, INPUT_MAX, &n, err, sizeof err);
  if (data == NULL) return jostle__usage_error("--input %s", err);
  *in = (jostle__input){(const uint8_t *)data, n, 0, n};  /* reset before the run anyway */
  return 0;
}

/* Takes the scenario and parameters from a schedule file's info: the
 * params text becomes -D options (pointing into `params`, which must
 * outlive o). Returns the scenario, or NULL after printing why. */
static const jostle_scenario *from_schedule(const char *path, jostle__schedule_info *info,
                                            char *params, size_t size, jostle__opts *o) {
  const jostle_scenario *s = jostle__scenario_find(info->scenario);
  if (s == NULL) {
    jostle__usage_error("%s: scenario '%s' is not in this program (see '%s list')", path,
                        info->scenario, jostle__prog);
    return NULL;
  }
  snprintf(params, size, "%s", info->params);
  char *rest = params;
  for (char *tok; (tok = strsep(&rest, " ")) != NULL;) {
    if (*tok == '\0') continue;
    if (o->n_defines == JOSTLE__MAX_DEFINES ||
        jostle__parse_define(tok, &o->defines[o->n_defines]) != 0) {
      jostle__usage_error("%s: bad params '%s'", path, info->params);
      return NULL;
    }
    o->n_defines++;
  }
  return s;
}

/* How the schedule was made, for the file's origin line. Returns 0, or -1
 * when out of memory. */
static int describe_origin(const jostle__plan *p, const char *from, const char *input,
                           int shrunk, char *buf, size_t size) {
  char *text = NULL;
  size_t len;
  FILE *out = open_memstream(&text, &len);
  if (out == NULL) return -1;
  if (from != NULL)
    fprintf(out, "replay of %s", from);
  else if (input != NULL)
    fprintf(out, "%s input %s", p->sched->name, input);
  else
    fprintf(out, "%s seed 0x%016" PRIx64, p->sched->name, p->seed);
  jostle__sched_describe(p->sched, &p->sched_cfg, 0, out);
  if (shrunk) fprintf(out, ", shrunk");
  int failed = ferror(out);
  failed |= fclose(out) != 0;
  /* a path and a strategy's few options: the field holds them whole */
  if (!failed) snprintf(buf, size, "%s", text);
  free(text);
  return failed ? -1 : 0;
}

/* Forgets what a replay of cell found, keeping what names it (its
 * command), for another replay of the same run. */
static void forget_outcomes(jostle__cell *cell) {
  free(cell->outcomes);
  cell->outcomes = NULL;
  cell->n_outcomes = 0;
  cell->n_samples = 0;
}

static void print_outcome(const jostle__outcome *out, const jostle__cell *cell) {
  char names[128];
  jostle__scheduler_kind_names(0, " and ", names, sizeof names);
  printf("outcome: %s\n", out->text);
  if (cell->controlled) printf("verdict: %s\n", jostle__class_name(out->cls));
  else
    printf("verdict: %s (%s: timing may differ from the original run)\n",
           jostle__class_name(out->cls), names);
  if (out->detail[0] != '\0') printf("detail: %s\n", out->detail);
  if (out->race_report[0] != '\0') jostle__text_race_report(stdout, cell, out);
  if (out->output[0] != '\0') {
    printf("wrote:\n");
    jostle__text_output(stdout, out->output);
  }
}

int jostle__cmd_replay(int argc, char **argv) {
  int split = jostle__program_split(argc, argv);
  if (split >= 0) return jostle__program_start("replay", "replay", argc, argv, split, 0);
  jostle__opts o;
  jostle__opts_default(&o);
  o.sched = jostle__sched_first(1);
  int parsed = jostle__cli_parse("replay", argc, argv, &o);
  if (parsed != 0) return parsed < 0 ? EXIT_CLEAN : parsed;
  if (optind + 1 < argc)
    return jostle__usage_error("replay: unexpected argument '%s' (one scenario at a time)",
                               argv[optind + 1]);
  const char *named = optind < argc ? argv[optind] : NULL;

  /* The scenario and its parameters: named, or from a schedule file. */
  const jostle_scenario *s;
  jostle__schedule_info info;
  jostle__schedule *loaded = NULL;
  char params[sizeof info.params], err[512];
  if (o.schedule_path != NULL) {
    if (o.seed_given || o.n_defines > 0 ||
        (o.sched != jostle__sched_first(1) && !o.sched->follows_schedule))
      return jostle__usage_error("replay --schedule: the scenario, parameters and decisions "
                                 "come from the file; drop --seed, -D and --scheduler");
    loaded = jostle__schedule_load(o.schedule_path, &info, err, sizeof err);
    if (loaded == NULL) return jostle__usage_error("%s", err);
    s = from_schedule(o.schedule_path, &info, params, sizeof params, &o);
    if (s != NULL && named != NULL && strcmp(named, s->name) != 0) {
      jostle__usage_error("replay: %s is a schedule of %s, not %s", o.schedule_path, s->name,
                          named);
      s = NULL;
    }
    if (s == NULL) {
      free(loaded);
      return EXIT_USAGE;
    }
    o.sched = jostle__sched_follower();
    o.sched_cfg.replay = loaded;
    o.sched_cfg.spurious_wakeups = info.spurious_wakeups;
  } else {
    if (named == NULL)
      return jostle__usage_error("replay: name one scenario (see '%s list')", jostle__prog);
    s = jostle__scenario_find(named);
    if (s == NULL) {
      char hint[96];
      return jostle__usage_error("unknown scenario '%s' (%ssee '%s list')", named,
                                 jostle__suggest_scenario(named, hint, sizeof hint), jostle__prog);
    }
    if (o.input_path == NULL && !o.seed_given)
      return jostle__usage_error("replay: --seed S is required (the seed a reproduce: line "
                                 "gives), or --schedule FILE, or --input FILE");
    if (o.input_path != NULL && o.seed_given)
      return jostle__usage_error("replay: --input and --seed exclude each other (the input's "
                                 "bytes make every choice)");
  }
  if (o.input_path != NULL && o.schedule_path != NULL)
    return jostle__usage_error("replay: --input and --schedule exclude each other");
  int controlled = o.sched->pick != NULL;
  if (!controlled && (o.sched_cfg.trace || o.save_schedule_path || o.shrink || o.input_path)) {
    char names[128];
    jostle__scheduler_kind_names(1, ", ", names, sizeof names);
    return jostle__usage_error("replay: --trace, --save-schedule, --shrink and --input need a "
                               "controlled scheduler (%s)", names);
  }
  jostle__input input = {NULL, 0, 0, 0};
  if (o.input_path != NULL) {
    int bad = read_input(o.input_path, &input);
    if (bad) return bad;
    o.sched_cfg.input = &input;
    o.seed = 0;
  }
  o.fixed_seed = 1;
  o.n_runs = 1;
  o.n_jobs = 1;
  o.duration_ns = 0;
  o.until_divergence = 0;

  jostle__plan p;
  jostle__cell cell;
  int known[JOSTLE__MAX_DEFINES] = {0};
  memset(&p, 0, sizeof p);
  memset(&cell, 0, sizeof cell);
  int rc = jostle__cli_plan(s, &o, &p, known);
  for (int d = 0; rc == 0 && d < o.n_defines; d++)
    if (!known[d])
      rc = jostle__usage_error("unknown parameter '%s' for %s (see '%s list %s')",
                               o.defines[d].key, s->name, jostle__prog, s->name);
  /* Room for every decision of a run: a pick per point, a wake-up per
   * signal, which is a point too. */
  jostle__schedule *rec = NULL;
  uint64_t cap = 2 * p.sched_cfg.step_limit + JOSTLE_MAX_THREADS + 2;
  if (rc == 0 && (o.save_schedule_path || o.shrink)) {
    rec = jostle__schedule_shared(cap < JOSTLE__SCHEDULE_MAX ? cap : JOSTLE__SCHEDULE_MAX);
    if (rec == NULL) rc = jostle__internal_error("out of memory for the schedule");
  }
  if (rc != 0) {
    free(loaded);
    free((void *)input.data);
    return rc;
  }
  p.sched_cfg.record = rec;
  rc = jostle__cli_describe(&p, &cell);
  if (rc != 0) {
    jostle__schedule_unshare(rec);
    free(loaded);
    free((void *)input.data);
    return rc;
  }
  jostle__cli_block_stop_signals();

  /* A seed means something only under the scheduler that found it. */
  if (o.schedule_path == NULL && !o.sched_given)
    fprintf(stderr, "replay: no --scheduler given: replaying under %s, the default\n",
            p.sched->name);
  if (!controlled)
    fprintf(stderr, "replay: %s does not control the threads, so a seed is not a schedule: "
                    "rerun it many times with '%s stress %s --scheduler %s --run-seed "
                    "0x%016" PRIx64 " -n 100000' and the same -D\n",
            p.sched->name, jostle__prog, s->name, p.sched->name, p.seed);
  if (o.schedule_path)
    printf("replay %s [scheduler replay, schedule %s, %s]\n", s->name, o.schedule_path,
           cell.params);
  else if (o.input_path)
    printf("replay %s [scheduler %s, input %s (%zu byte%s), %s]\n", s->name, p.sched->name,
           o.input_path, input.size, jostle__s(input.size), cell.params);
  else
    printf("replay %s [scheduler %s, seed 0x%016" PRIx64 ", %s]\n", s->name, p.sched->name,
           p.seed, cell.params);
  int trace = p.sched_cfg.trace;
  p.sched_cfg.trace = trace && !o.shrink; /* with --shrink, trace the shrunk run */
  rc = EXIT_CLEAN;
  if (p.sched_cfg.trace && p.sched_cfg.races) {
    /* The trace marks a race's two accesses, the first long printed when
     * the second is made: the run, a function of its seed, is made once
     * untraced to know their steps, then traced. */
    p.sched_cfg.trace = 0;
    rc = jostle__replay_once(&p, &cell) == 0 ? EXIT_CLEAN : EXIT_INTERNAL;
    if (rc == EXIT_CLEAN && cell.outcomes[0].cls == JOSTLE__RACE)
      memcpy(p.sched_cfg.race_steps, cell.outcomes[0].race_steps, sizeof p.sched_cfg.race_steps);
    forget_outcomes(&cell);
    p.sched_cfg.trace = 1;
  }
  if (p.sched_cfg.trace) jostle__trace_header();
  fflush(stdout);
  if (rc == EXIT_CLEAN) rc = jostle__replay_once(&p, &cell) == 0 ? EXIT_CLEAN : EXIT_INTERNAL;
  const jostle__schedule *final = rec;
  jostle__schedule *shrunk = NULL;
  int is_shrunk = 0;
  if (rc == EXIT_CLEAN && o.shrink && cell.outcomes[0].cls != JOSTLE__ALLOWED) {
    unsigned n_replays = 0;
    jostle__schedule *original = jostle__schedule_copy(rec);
    shrunk = original ? jostle__shrink(&p, original, cell.outcomes[0].cls,
                                       cell.outcomes[0].text, rec, SHRINK_REPLAYS, &n_replays)
                      : NULL;
    if (shrunk == NULL) {
      fprintf(stderr, "%s: shrinking failed after %u replay%s\n", jostle__prog, n_replays,
              jostle__s(n_replays));
      rc = EXIT_INTERNAL;
    } else {
      uint64_t switches = jostle__schedule_switches(shrunk);
      printf("shrunk: %" PRIu64 " -> %" PRIu64 " context switch%s, %" PRIu64 " -> %" PRIu64
             " decision%s (%u replay%s%s)\n",
             jostle__schedule_switches(original), switches, switches == 1 ? "" : "es",
             original->n, shrunk->n, jostle__s(shrunk->n), n_replays, jostle__s(n_replays),
             n_replays >= SHRINK_REPLAYS ? ", stopped at the limit" : "");
      final = shrunk;
      is_shrunk = 1;
      if (trace) {
        /* Show the shrunk run: the replay scheduler follows it exactly. */
        jostle__plan shown = p;
        shown.sched = jostle__sched_follower();
        shown.sched_cfg.replay = shrunk;
        shown.sched_cfg.record = NULL;
        shown.sched_cfg.trace = 1;
        forget_outcomes(&cell);
        jostle__trace_header();
        if (jostle__replay_once(&shown, &cell) != 0) rc = EXIT_INTERNAL;
      }
    }
    free(original);
  } else if (rc == EXIT_CLEAN && o.shrink) {
    printf("shrunk: nothing to shrink: the run's outcome is allowed\n");
  }
  if (rc == EXIT_CLEAN) {
    const jostle__outcome *out = &cell.outcomes[0];
    print_outcome(out, &cell);
    if (loaded != NULL) {
      int same = strcmp(out->text, info.outcome) == 0 &&
                 strcmp(jostle__class_name(out->cls), info.verdict) == 0;
      printf("recorded: %s [%s]: %s\n", info.outcome, info.verdict,
             same ? "the same" : "DIFFERENT");
    }
    if (o.save_schedule_path != NULL) {
      jostle__schedule_info saved;
      memset(&saved, 0, sizeof saved);
      snprintf(saved.scenario, sizeof saved.scenario, "%s", s->name);
      snprintf(saved.params, sizeof saved.params, "%s", cell.params);
      snprintf(saved.outcome, sizeof saved.outcome, "%s", out->text);
      snprintf(saved.verdict, sizeof saved.verdict, "%s", jostle__class_name(out->cls));
      saved.spurious_wakeups = p.sched_cfg.spurious_wakeups;
      if (describe_origin(&p, o.schedule_path, o.input_path, is_shrunk, saved.origin,
                          sizeof saved.origin) != 0) {
        rc = jostle__internal_error("out of memory");
      } else if (final->overflow) {
        fprintf(stderr, "%s: the run made more decisions than a schedule holds; not saved\n",
                jostle__prog);
        rc = EXIT_INTERNAL;
      } else if (jostle__schedule_save(o.save_schedule_path, &saved, final, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", jostle__prog, err);
        rc = EXIT_INTERNAL;
      } else {
        uint64_t switches = jostle__schedule_switches(final);
        printf("schedule: %s (%" PRIu64 " decision%s, %" PRIu64 " context switch%s)\n",
               o.save_schedule_path, final->n, jostle__s(final->n), switches,
               switches == 1 ? "" : "es");
      }
    }
    if (rc == EXIT_CLEAN) rc = out->cls == JOSTLE__ALLOWED ? EXIT_CLEAN : EXIT_DIVERGED;
  }
  jostle__cell_free(&cell);
  free(shrunk);
  jostle__schedule_unshare(rec);
  free(loaded);
  free((void *)input.data);
  return rc;
}
