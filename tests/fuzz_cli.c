/*
 * fuzz_cli.c: fuzz target for jostle's command line. An input is a list of
 * words, separated by NUL or newline bytes (at most MAX_WORDS of them, a
 * final separator ignored): `stress -n 10k counter` is the input
 * "stress\n-n\n10k\ncounter". The words follow "jostle" as its argv.
 *
 * Only what cannot run a campaign or touch a file is run:
 *  - the option parser of stress, replay and soak (jostle__cli_parse) on
 *    the words as given, and on the words with a last one that names no
 *    scenario (NO_SUCH);
 *  - jostle_main for stress and replay on the words with NO_SUCH last,
 *    when that parse failed (the command fails the same way) or succeeded
 *    with no option naming a file and NO_SUCH left as an operand (the
 *    command then refuses the unknown scenario before anything runs);
 *  - jostle_main for help, -h, --help, --version, list, topology with an
 *    argument (without one it would print the machine), no command at
 *    all, and command words that cannot be commands (not of [a-z-]).
 * Words that look like commands but are none of these (soak, report,
 * merge, and any added later) are left alone: they may run or read files.
 *
 * This program has one scenario of its own, fuzz-cli (never run), so that
 * what follows a successful parse of stress is reached too: selecting the
 * scenarios the words name, planning each (jostle__cli_plan) and describing
 * its cell (jostle__cli_describe).
 *
 * The property: a parse returns 0, -1 (help) or 2, and what it accepted is
 * within the options' ranges (checked field by field below); a plan keeps
 * the scenario's ranges, takes the last -D of each parameter, and its shard
 * of the runs is the right slice; the command a cell describes, parsed and
 * planned again, gives the same plan; jostle_main returns exactly the code
 * its documentation gives for the words (0 for help, 2 for bad usage); and
 * nothing crashes, leaks or reads out of bounds. Each word is its own
 * allocation of its exact size, so that AddressSanitizer sees a read past
 * its end.
 *
 * jostle's messages are not wanted here: the standard streams are pointed
 * at /dev/null once. The streams, not descriptors 1 and 2, so that
 * libFuzzer's and the sanitizers' reports, written to descriptor 2, still
 * show. Built with libFuzzer by make fuzz; in make check,
 * tests/corpus_driver.c replays tests/corpus/cli/.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "schedulers/control.h"
#include "jostle.h"
#include "tests/fuzz_target.h"

#define MAX_INPUT 1024
/* Enough for 33 -D options: the limit of 32 must be reachable. */
#define MAX_WORDS 40
/* A scenario name that no scenario can have: names are [a-z0-9-]. */
#define NO_SUCH "no/such-scenario"

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input's words, printable, for a broken invariant's line. */
static char shown[4096];

static void show(const uint8_t *data, size_t size) {
  size_t len = 0;
  for (size_t i = 0; i < size && len + 5 < sizeof shown; i++) {
    uint8_t b = data[i];
    if (b == '\0' || b == '\n') len += (size_t)snprintf(shown + len, sizeof shown - len, " | ");
    else if (b >= 0x20 && b < 0x7f && b != '"') shown[len++] = (char)b;
    else len += (size_t)snprintf(shown + len, sizeof shown - len, "\\x%02x", b);
  }
  shown[len] = '\0';
  fuzz_context = shown;
}

/* Broken invariants go to the standard error jostle had. */
static void silence(void) {
  if (fuzz_report != NULL) return;
  fuzz_report = stderr;
  FILE *null = fopen("/dev/null", "w");
  if (null == NULL) return;
  fflush(stdout);
  /* glibc's standard streams are assignable variables. */
  stdout = null;
  stderr = null;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  silence();
  return 0;
}

/* ---- words and argument vectors ------------------------------------------ */

typedef struct words {
  int n;
  char *w[MAX_WORDS];  /* point into the caller's NUL-terminated copy */
} words;

/* Cuts text (len bytes, NUL-terminated at len) into words at NUL and
 * newline bytes; a separator at the very end ends the last word, and an
 * empty text has no words. */
static void split(char *text, size_t len, words *ws) {
  ws->n = 0;
  char *start = text;
  for (size_t i = 0; i <= len && ws->n < MAX_WORDS; i++) {
    if (i < len && text[i] != '\0' && text[i] != '\n') continue;
    if (i == len && start == text + len) break;  /* nothing after the last separator */
    text[i] = '\0';
    ws->w[ws->n++] = start;
    start = text + i + 1;
  }
}

/* An argument vector: first (if not NULL), the words from `from`, then last
 * (if not NULL); each string a fresh allocation, since parsing -D writes
 * into its word. argv[argc] is NULL, as exec gives it. */
typedef struct args {
  int argc;
  char *argv[MAX_WORDS + 3];
  char *last;  /* the allocation of `last`, to find it after getopt's moves */
} args;

static char *dup_word(const char *s) {
  size_t len = strlen(s) + 1;
  char *copy = malloc(len);
  REQUIRE(copy != NULL, "out of memory");
  memcpy(copy, s, len);
  return copy;
}

static void args_make(args *a, const char *first, const words *ws, int from, const char *last) {
  a->argc = 0;
  a->last = NULL;
  if (first != NULL) a->argv[a->argc++] = dup_word(first);
  for (int i = from; i < ws->n; i++) a->argv[a->argc++] = dup_word(ws->w[i]);
  if (last != NULL) a->argv[a->argc++] = a->last = dup_word(last);
  a->argv[a->argc] = NULL;
}

/* getopt reorders argv: free what was allocated, whatever its place. */
static void args_free(args *a) {
  for (int i = 0; i < a->argc; i++) free(a->argv[i]);
}

/* ---- a scenario to plan ------------------------------------------------------ */

static void never_runs(jostle_run *r, int index) {
  (void)r;
  (void)index;
  abort();
}

static void never_checks(jostle_run *r) {
  (void)r;
  abort();
}

static const jostle_param_def fuzz_params[] = {
    {"size", 4, 1, 1000, "a positive parameter"},
    {"spin_max", 0, -5, 5, "a parameter with negative values"},
    {"huge", 0, INT64_MIN, INT64_MAX, "the widest range a -D value has"},
    {NULL, 0, 0, 0, NULL},
};

JOSTLE_SCENARIO(fuzz_scenario) {
    .name = "fuzz-cli",
    .summary = "planned by tests/fuzz_cli.c, never run",
    .threads = 2,
    .min_threads = 1,
    .max_threads = 8,
    .params = fuzz_params,
    .thread = never_runs,
    .check = never_checks,
};

/* ---- the property --------------------------------------------------------- */


/* What every successful parse of command cmd promises about o. */
static void check_opts(const char *cmd, const jostle__opts *o, const args *a) {
  int stress = strcmp(cmd, "stress") == 0, soak = strcmp(cmd, "soak") == 0;
  REQUIRE(optind >= 1 && optind <= a->argc, "optind %d of %d words", optind, a->argc);
  REQUIRE(o->n_defines >= 0 && o->n_defines <= JOSTLE__MAX_DEFINES, "%d defines", o->n_defines);
  for (int d = 0; d < o->n_defines; d++) {
    const char *key = o->defines[d].key;
    size_t len = strlen(key);
    REQUIRE(len > 0 && strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len,
            "define key \"%s\"", key);
  }
  REQUIRE(o->sched != NULL && jostle__sched_find(o->sched->name) == o->sched,
          "scheduler not registered");
  REQUIRE(o->n_jobs >= 0 && o->n_jobs <= JOSTLE__MAX_JOBS, "%d jobs", o->n_jobs);
  /* what a scheduler's own check accepts: noise probabilities, pct depth */
  for (int i = 0; jostle__schedulers[i]; i++) {
    const jostle__sched_ops *sched = jostle__schedulers[i];
    jostle__sched_cfg cfg;
    jostle__cli_sched_cfg(o, sched, &cfg);
    REQUIRE(sched->follows_schedule || sched->validate == NULL || sched->validate(&cfg) == NULL,
            "%s options that its check refuses: %s", sched->name, sched->validate(&cfg));
  }
  REQUIRE(o->sched_cfg.step_limit > 0, "step limit 0");
  REQUIRE(o->timeout_ns > 0 && o->timeout_ns % 1000000 == 0 && o->duration_ns % 1000000 == 0,
          "timeout %llu ns, duration %llu ns", (unsigned long long)o->timeout_ns,
          (unsigned long long)o->duration_ns);
  REQUIRE(o->shard_count > 0 && o->shard_index < o->shard_count, "shard %llu/%llu",
          (unsigned long long)o->shard_index, (unsigned long long)o->shard_count);
  REQUIRE(o->progress >= -1 && o->progress <= 1, "progress %d", o->progress);
  REQUIRE(jostle__pin_name(o->pin) != NULL, "placement %d", (int)o->pin);
  if (stress || soak) {
    REQUIRE(o->schedule_path == NULL && o->save_schedule_path == NULL &&
                o->input_path == NULL && !o->shrink && !o->sched_cfg.trace,
            "%s took an option of replay", cmd);
    REQUIRE(o->sched != jostle__sched_find("replay"), "%s took the replay scheduler", cmd);
    /* No two report files are one file. */
    const char *const *paths = o->report_path;
    for (int i = 0; i < JOSTLE__MAX_FORMATS; i++)
      for (int j = 0; j < i; j++)
        REQUIRE(paths[i] == NULL || paths[j] == NULL || strcmp(paths[i], paths[j]) != 0,
                "two reports to '%s'", paths[i]);
  }
  if (!soak)
    REQUIRE(o->out_dir == NULL && o->resume_dir == NULL && o->n_sched_set == 0 &&
                o->n_pin_set == 0 && o->batch_ns == 0,
            "%s took an option of soak", cmd);
  if (soak) {
    /* A soak's defaults fill the sets it rotates. */
    REQUIRE(o->n_sched_set >= 1 && o->n_sched_set <= JOSTLE__MAX_SET, "%d schedulers",
            o->n_sched_set);
    for (int i = 0; i < o->n_sched_set; i++)
      REQUIRE(o->sched_set[i] != NULL && o->sched_set[i] != jostle__sched_find("replay"),
              "scheduler %d of the set", i);
    REQUIRE(o->n_pin_set >= 1 && o->n_pin_set <= JOSTLE__MAX_SET, "%d placements",
            o->n_pin_set);
    for (int i = 0; i < o->n_pin_set; i++)
      REQUIRE(jostle__pin_name(o->pin_set[i]) != NULL, "placement %d of the set", i);
  }
}

/* The plan of scenario s under o, as stress makes it: 0 or an exit code. */
static int plan_of(const jostle_scenario *s, const jostle__opts *o, jostle__plan *p,
                   int *known) {
  memset(p, 0, sizeof *p);
  int rc = jostle__cli_plan(s, o, p, known);
  REQUIRE(rc == 0 || rc == EXIT_USAGE, "%s: plan returned %d", s->name, rc);
  return rc;
}

/* What the options ask of s: the thread count and parameters after the
 * -D options, the last one of each name winning. */
static void wanted(const jostle_scenario *s, const jostle__opts *o, int *threads,
                   long long *params) {
  *threads = s->threads;
  for (int i = 0; s->params && s->params[i].name; i++) params[i] = s->params[i].def;
  for (int d = 0; d < o->n_defines; d++) {
    if (strcmp(o->defines[d].key, "threads") == 0) *threads = (int)o->defines[d].value;
    for (int i = 0; s->params && s->params[i].name; i++)
      if (strcmp(o->defines[d].key, s->params[i].name) == 0) params[i] = o->defines[d].value;
  }
}

/* The command a cell describes, parsed and planned again, plans the same
 * runs: same scheduler and its options, placement, threads, parameters
 * and timeout. Seeds and budgets are not part of it. */
static void check_command(const jostle__plan *p) {
  jostle__cell c;
  memset(&c, 0, sizeof c);
  REQUIRE(jostle__cli_describe(p, &c) == 0, "describe ran out of memory");
  char want_params[32];
  snprintf(want_params, sizeof want_params, "threads=%d", p->n_threads);
  REQUIRE(strncmp(c.params, want_params, strlen(want_params)) == 0, "params \"%s\"", c.params);
  /* Its words are names and numbers, joined by single spaces. */
  words cw;
  char *text = c.command;
  cw.n = 0;
  for (char *tok; cw.n < MAX_WORDS && (tok = strsep(&text, " ")) != NULL;) cw.w[cw.n++] = tok;
  REQUIRE(cw.n >= 3 && text == NULL, "command \"%s\"", c.command);
  const char *cmd = cw.w[1];
  REQUIRE(strcmp(cmd, "stress") == 0 || strcmp(cmd, "replay") == 0, "command \"%s\"", cmd);
  args a;
  jostle__opts o;
  args_make(&a, NULL, &cw, 1, NULL);
  jostle__opts_default(&o);
  if (strcmp(cmd, "replay") == 0) o.sched = jostle__sched_find("random");
  int rc = jostle__cli_parse(cmd, a.argc, a.argv, &o);
  REQUIRE(rc == 0, "the cell's command does not parse (%d): %s ...", rc, cmd);
  jostle__plan again;
  int known[JOSTLE__MAX_DEFINES] = {0};
  REQUIRE(plan_of(p->scenario, &o, &again, known) == 0, "the cell's command does not plan");
  args_free(&a);
  REQUIRE(again.sched == p->sched && again.pin == p->pin && again.n_threads == p->n_threads,
          "the cell's command plans %s, pin %d, %d threads", again.sched->name, (int)again.pin,
          again.n_threads);
  REQUIRE(memcmp(again.params, p->params, sizeof p->params) == 0,
          "the cell's command plans other parameters");
  REQUIRE(again.timeout_ns == p->timeout_ns, "the cell's command plans a timeout of %llu ns, "
          "not %llu", (unsigned long long)again.timeout_ns, (unsigned long long)p->timeout_ns);
  REQUIRE(memcmp(again.sched_cfg.opts, p->sched_cfg.opts, p->sched->opts_size) == 0,
          "the cell's command plans other %s options", p->sched->name);
  if (p->sched->pick != NULL)
    REQUIRE(again.sched_cfg.step_limit == p->sched_cfg.step_limit &&
                again.sched_cfg.spurious_wakeups == p->sched_cfg.spurious_wakeups,
            "other options of the control runtime");
  jostle__cell_free(&c);
}

/* What a plan of s under o promises. */
static void check_plan(const jostle_scenario *s, const jostle__opts *o, const jostle__plan *p) {
  int threads;
  long long params[JOSTLE_MAX_PARAMS] = {0};
  wanted(s, o, &threads, params);
  int lo = s->min_threads > 0 ? s->min_threads : 1;
  int hi = s->max_threads > 0 ? s->max_threads : JOSTLE_MAX_THREADS;
  REQUIRE(p->scenario == s && p->sched == o->sched, "%s: names", s->name);
  /* without --pin: spread when an uncontrolled campaign's threads each
   * have a core, else none */
  int spread = p->sched->pick == NULL && jostle__topology_load() == 0 &&
               (long long)p->n_jobs * p->n_threads <= jostle__topology_n_cores();
  jostle__pin pin = o->pin_given ? o->pin : spread ? JOSTLE__PIN_SPREAD : JOSTLE__PIN_NONE;
  REQUIRE(p->pin == pin, "%s: --pin %s, wanted %s", s->name, jostle__pin_name(p->pin),
          jostle__pin_name(pin));
  REQUIRE(p->n_threads == threads && threads >= lo && threads <= hi, "%s: %d threads, wanted %d",
          s->name, p->n_threads, threads);
  for (int i = 0; s->params && s->params[i].name; i++)
    REQUIRE(p->params[i] == params[i] && params[i] >= s->params[i].min &&
                params[i] <= s->params[i].max,
            "%s: %s=%lld, wanted %lld", s->name, s->params[i].name, p->params[i], params[i]);
  REQUIRE(p->n_jobs >= 1 && p->chunk_runs >= 1 && p->chunk_runs <= 1024, "%d jobs, chunks of %u",
          p->n_jobs, (unsigned)p->chunk_runs);
  /* The shard: slice I of N of the runs, contiguous with the next. */
  uint64_t total = o->n_runs ? o->n_runs : o->duration_ns ? UINT64_MAX : JOSTLE__DEFAULT_RUNS;
  uint64_t slice = total / o->shard_count;
  REQUIRE(p->n_runs == slice || p->n_runs == slice + 1, "%llu runs of %llu in %llu shards",
          (unsigned long long)p->n_runs, (unsigned long long)total,
          (unsigned long long)o->shard_count);
  REQUIRE(p->first_run <= total - p->n_runs && jostle__plan_end(p) == p->first_run + p->n_runs,
          "runs %llu + %llu of %llu", (unsigned long long)p->first_run,
          (unsigned long long)p->n_runs, (unsigned long long)total);
  jostle__opts next = *o;
  jostle__plan q;
  int known[JOSTLE__MAX_DEFINES] = {0};
  if (o->shard_index + 1 < o->shard_count) {
    next.shard_index++;
    REQUIRE(plan_of(s, &next, &q, known) == 0, "the next shard does not plan");
    REQUIRE(q.first_run == p->first_run + p->n_runs, "shard %llu starts at %llu, not %llu",
            (unsigned long long)next.shard_index, (unsigned long long)q.first_run,
            (unsigned long long)(p->first_run + p->n_runs));
  } else {
    REQUIRE(p->first_run + p->n_runs == total, "the last shard ends at %llu of %llu",
            (unsigned long long)(p->first_run + p->n_runs), (unsigned long long)total);
  }
  check_command(p);
}

/* After a successful parse of stress's options: the scenarios the words
 * name, planned. a's argv and optind are as the parse left them. */
static void check_plans(const jostle__opts *o, args *a) {
  const jostle_scenario **selected;
  int n_selected;
  if (jostle__cli_select("stress", a->argc, a->argv, o->all, &selected, &n_selected) != 0)
    return;
  REQUIRE(n_selected >= 1 && n_selected <= jostle__n_scenarios(), "%d selected", n_selected);
  int known[JOSTLE__MAX_DEFINES] = {0}, rc = 0;
  for (int i = 0; i < n_selected && rc == 0; i++) {
    for (int k = 0; k < i; k++) REQUIRE(selected[k] != selected[i], "%s twice", selected[i]->name);
    jostle__plan p;
    rc = plan_of(selected[i], o, &p, known);
    if (rc == 0) check_plan(selected[i], o, &p);
  }
  if (rc == 0) {
    int all_known = 1;
    for (int d = 0; d < o->n_defines; d++) all_known &= known[d];
    rc = jostle__cli_check_defines(o, known, selected, n_selected);
    REQUIRE(rc == (all_known ? 0 : EXIT_USAGE), "check_defines returned %d", rc);
  }
  free(selected);
}

/* Whether an option of o names a file or folder that running would read
 * or write. */
static int names_a_file(const jostle__opts *o) {
  for (int i = 0; i < JOSTLE__MAX_FORMATS; i++)
    if (o->report_path[i] != NULL) return 1;
  return o->schedule_path || o->save_schedule_path || o->input_path || o->out_dir ||
         o->resume_dir;
}

/* Parses cmd's options from the words after the command (and NO_SUCH when
 * with_no_such), as the command does; checks the result. Returns the
 * parse's result; *safe says whether the command, run on the same words,
 * can only fail on NO_SUCH. */
static int parse(const char *cmd, const words *ws, int with_no_such, int *safe) {
  args a;
  jostle__opts o;
  args_make(&a, cmd, ws, 1, with_no_such ? NO_SUCH : NULL);
  jostle__opts_default(&o);
  if (strcmp(cmd, "replay") == 0) o.sched = jostle__sched_find("random");  /* as replay does */
  int rc = jostle__cli_parse(cmd, a.argc, a.argv, &o);
  REQUIRE(rc == 0 || rc == -1 || rc == EXIT_USAGE, "%s: parse returned %d", cmd, rc);
  *safe = 0;
  if (rc == 0) {
    check_opts(cmd, &o, &a);
    for (int i = optind; i < a.argc; i++) *safe |= a.argv[i] == a.last && a.last != NULL;
    *safe &= !names_a_file(&o);
    /* last: planning parses the cells' commands, which moves optind */
    if (!with_no_such && strcmp(cmd, "stress") == 0) check_plans(&o, &a);
  }
  args_free(&a);
  return rc;
}

/* Runs jostle_main on "jostle", the words, and last (if not NULL). */
static int run_main(const words *ws, const char *last) {
  args a;
  args_make(&a, NULL, ws, 0, last);
  /* argv[0] must outlive the call: jostle keeps it as its name. */
  char *argv[MAX_WORDS + 3];
  argv[0] = (char *)"jostle";
  memcpy(argv + 1, a.argv, ((size_t)a.argc + 1) * sizeof *argv);
  int rc = jostle_main(a.argc + 1, argv);
  args_free(&a);
  REQUIRE(rc >= EXIT_CLEAN && rc <= EXIT_INTERNAL, "exit code %d", rc);
  return rc;
}

static int is_any(const char *s, const char *const *list) {
  for (; *list; list++)
    if (strcmp(s, *list) == 0) return 1;
  return 0;
}

/* A word jostle could one day take as a command name. */
static int command_like(const char *s) {
  return s[0] >= 'a' && s[0] <= 'z' && strspn(s, "abcdefghijklmnopqrstuvwxyz-") == strlen(s);
}

static void property(const words *ws) {
  static const char *const help_words[] = {"-h", "--help", NULL};
  static const char *const parsed[] = {"stress", "replay", "soak", NULL};
  static const char *const commands[] = {"stress", "replay", "soak", "report", "merge",
                                         "list", "topology", "help", NULL};
  if (ws->n == 0) {
    REQUIRE(run_main(ws, NULL) == EXIT_USAGE, "no command: expected exit 2");
    return;
  }
  const char *cmd = ws->w[0];
  if (is_any(cmd, parsed)) {
    int safe;
    parse(cmd, ws, 0, &safe);
    int rc = parse(cmd, ws, 1, &safe);
    if (strcmp(cmd, "soak") == 0 || (rc == 0 && !safe)) return;
    int want = rc < 0 ? EXIT_CLEAN : EXIT_USAGE;
    int got = run_main(ws, NO_SUCH);
    REQUIRE(got == want, "%s: exit %d after a parse that returned %d (expected %d)", cmd, got,
            rc, want);
  } else if (strcmp(cmd, "--version") == 0 || is_any(cmd, help_words)) {
    REQUIRE(run_main(ws, NULL) == EXIT_CLEAN, "%s: expected exit 0", cmd);
  } else if (strcmp(cmd, "help") == 0) {
    int rc = run_main(ws, NULL);
    int known = ws->n < 2 || (is_any(ws->w[1], commands) && strcmp(ws->w[1], "help") != 0);
    REQUIRE(rc == (known ? EXIT_CLEAN : EXIT_USAGE), "help: exit %d", rc);
  } else if (strcmp(cmd, "list") == 0) {
    int rc = run_main(ws, NULL);
    REQUIRE(rc == EXIT_CLEAN || rc == EXIT_USAGE, "list: exit %d", rc);
    REQUIRE(ws->n > 1 || rc == EXIT_CLEAN, "list alone: exit %d", rc);
  } else if (strcmp(cmd, "topology") == 0) {
    if (ws->n < 2) return;
    int rc = run_main(ws, NULL);
    REQUIRE(rc == (is_any(ws->w[1], help_words) ? EXIT_CLEAN : EXIT_USAGE), "topology: exit %d",
            rc);
  } else if (!command_like(cmd)) {
    REQUIRE(run_main(ws, NULL) == EXIT_USAGE, "unknown command '%s': expected exit 2", cmd);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[MAX_INPUT + 1];
  silence();
  if (size > MAX_INPUT) size = MAX_INPUT;
  memcpy(text, data, size);
  text[size] = '\0';
  show(data, size);
  words ws;
  split(text, size, &ws);
  property(&ws);
  return 0;
}
