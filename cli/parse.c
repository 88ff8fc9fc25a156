/*
 * parse.c: the option table of the command line and what `stress`
 * (stress.c), `soak` (soak.c) and `replay` (replay.c) share: option
 * parsing, scenario selection and planning. The table is made from the
 * core options below (with the commands that take each, a column) and the
 * registry: every scheduler's options and the control runtime's.
 *
 * Everything the user typed is checked before the first run, so bad input
 * costs nothing and always ends the same way: one line on stderr naming the
 * input and what was expected, and exit code 2. Exit codes: 0 no
 * divergence, 1 divergence found, 2 bad usage or input, 3 internal error.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/campaign.h"
#include "harness/program.h"
#include "cli/cli.h"
#include "cli/suggest.h"
#include "cli/errors.h"
#include "common/assert.h"
#include "cli/options.h"
#include "schedulers/sched.h"
#include "reports/progress.h"
#include "reports/report.h"


/* Defined in schedulers/sync_wrap.c, which only programs linked with the
 * wrappers contain. */
extern const int jostle__sync_wrap_linked __attribute__((weak));

/* ---- stress -------------------------------------------------------------- */

/* Which commands take an option: a column of the option table. */
enum { STRESS = 1, REPLAY = 2, SOAK = 4, ALL = STRESS | REPLAY | SOAK };

enum {
  OPT_DURATION = 256, OPT_UNTIL, OPT_SEED, OPT_RUN_SEED, OPT_SCHEDULER,
  OPT_PIN, OPT_TIMEOUT, OPT_ALL, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_SCHEDULE,
  OPT_SAVE_SCHEDULE, OPT_TRACE, OPT_INPUT, OPT_SHRINK, OPT_SHARD, OPT_OUT, OPT_RESUME, OPT_SCHEDULER_SET, OPT_PINS, OPT_RUNS_PER_CELL,
  OPT_BATCH, OPT_ALLOW_EXIT, OPT_OUTCOME, OPT_ALLOW,
  /* --NAME FILE of each report format, by registry index */
  OPT_FORMAT_FIRST,
  /* the options of the schedulers and the control runtime follow, one
   * value each (sched_options) */
  OPT_SCHED_FIRST = OPT_FORMAT_FIRST + JOSTLE__MAX_FORMATS,
};

typedef struct cli_option {
  struct option getopt;
  int takers;                  /* the commands that take it */
} cli_option;

static const cli_option core_options[] = {
    {{"runs", required_argument, NULL, 'n'}, STRESS | REPLAY},
    {{"duration", required_argument, NULL, OPT_DURATION}, ALL},
    {{"until-divergence", no_argument, NULL, OPT_UNTIL}, STRESS | REPLAY},
    {{"seed", required_argument, NULL, OPT_SEED}, ALL},
    {{"run-seed", required_argument, NULL, OPT_RUN_SEED}, STRESS | REPLAY},
    {{"define", required_argument, NULL, 'D'}, ALL},
    {{"timeout", required_argument, NULL, OPT_TIMEOUT}, ALL},
    {{"scheduler", required_argument, NULL, OPT_SCHEDULER}, STRESS | REPLAY},
    {{"pin", required_argument, NULL, OPT_PIN}, STRESS | REPLAY},
    {{"jobs", required_argument, NULL, 'j'}, ALL},
    {{"all", no_argument, NULL, OPT_ALL}, ALL},
    {{"progress", no_argument, NULL, OPT_PROGRESS}, ALL},
    {{"no-progress", no_argument, NULL, OPT_NO_PROGRESS}, ALL},
    {{"schedule", required_argument, NULL, OPT_SCHEDULE}, REPLAY},
    {{"save-schedule", required_argument, NULL, OPT_SAVE_SCHEDULE}, REPLAY},
    {{"trace", no_argument, NULL, OPT_TRACE}, REPLAY},
    {{"shrink", no_argument, NULL, OPT_SHRINK}, REPLAY},
    {{"input", required_argument, NULL, OPT_INPUT}, REPLAY},
    {{"shard", required_argument, NULL, OPT_SHARD}, STRESS | SOAK},
    {{"out", required_argument, NULL, OPT_OUT}, SOAK},
    {{"resume", required_argument, NULL, OPT_RESUME}, SOAK},
    {{"scheduler-set", required_argument, NULL, OPT_SCHEDULER_SET}, SOAK},
    {{"pins", required_argument, NULL, OPT_PINS}, SOAK},
    {{"runs-per-cell", required_argument, NULL, OPT_RUNS_PER_CELL}, SOAK},
    {{"batch", required_argument, NULL, OPT_BATCH}, SOAK},
    {{"allow-exit", required_argument, NULL, OPT_ALLOW_EXIT}, STRESS | REPLAY},
    {{"outcome", required_argument, NULL, OPT_OUTCOME}, STRESS | REPLAY},
    {{"allow", required_argument, NULL, OPT_ALLOW}, STRESS | REPLAY},
};
#define N_CORE (sizeof core_options / sizeof core_options[0])

/* Who takes a report format's --NAME FILE. */
#define FORMAT_TAKERS (STRESS | SOAK)

/* A scheduler's option (owner: its index in jostle__schedulers) or the
 * control runtime's (owner -1), as registered. */
typedef struct sched_option {
  const jostle__sched_option *def;
  int owner;
} sched_option;

#define MAX_SCHED_OPTIONS 64
_Static_assert(MAX_SCHED_OPTIONS <= 64, "jostle__opts.sched_opts_given has a bit per option");
static sched_option sched_options[MAX_SCHED_OPTIONS];
static int n_sched_options;
static int n_formats;
/* core_options, the report formats, the scheduler options, --help and the
 * end; and the commands that take each. */
#define MAX_OPTIONS (N_CORE + JOSTLE__MAX_FORMATS + MAX_SCHED_OPTIONS + 2)
static struct option getopt_table[MAX_OPTIONS];
static int getopt_takers[MAX_OPTIONS];

/* The option table of the command line, from the core options and the
 * registries: a --NAME FILE per report format, then every scheduler's
 * options in registry order, then the control runtime's. Two owners of
 * one name are a programming error. */
static void build_options(void) {
  if (n_sched_options > 0 || getopt_table[0].name != NULL) return;
  for (int i = 0; jostle__schedulers[i]; i++) {
    const jostle__sched_ops *s = jostle__schedulers[i];
    JOSTLE_ASSERT(s->opts_size <= JOSTLE__SCHED_OPTS_MAX && s->thread_size <= JOSTLE__THREAD_STATE_MAX);
    for (const jostle__sched_option *d = s->options; d && d->name; d++) {
      JOSTLE_ASSERT(n_sched_options < MAX_SCHED_OPTIONS);
      sched_options[n_sched_options++] = (sched_option){d, i};
    }
  }
  for (const jostle__sched_option *d = jostle__control_options; d->name; d++) {
    JOSTLE_ASSERT(n_sched_options < MAX_SCHED_OPTIONS);
    sched_options[n_sched_options++] = (sched_option){d, -1};
  }
  size_t n = 0;
  for (size_t i = 0; i < N_CORE; i++) {
    getopt_takers[n] = core_options[i].takers;
    getopt_table[n++] = core_options[i].getopt;
  }
  for (; jostle__report_formats[n_formats]; n_formats++) {
    JOSTLE_ASSERT(n_formats < JOSTLE__MAX_FORMATS);
    const char *name = jostle__report_formats[n_formats]->name;
    for (size_t i = 0; i < n; i++) JOSTLE_ASSERT(strcmp(getopt_table[i].name, name) != 0);
    getopt_takers[n] = FORMAT_TAKERS;
    getopt_table[n++] = (struct option){name, required_argument, NULL,
                                        OPT_FORMAT_FIRST + n_formats};
  }
  for (int k = 0; k < n_sched_options; k++) {
    const jostle__sched_option *d = sched_options[k].def;
    for (size_t i = 0; i < n; i++) JOSTLE_ASSERT(strcmp(getopt_table[i].name, d->name) != 0);
    getopt_takers[n] = ALL;
    getopt_table[n++] = (struct option){d->name, d->type == JOSTLE__OPT_FLAG ? no_argument
                                                                             : required_argument,
                                        NULL, OPT_SCHED_FIRST + k};
  }
  getopt_takers[n] = ALL;
  getopt_table[n++] = (struct option){"help", no_argument, NULL, 'h'};
  getopt_table[n] = (struct option){NULL, 0, NULL, 0};
}

static const char *option_name(int c) {
  for (const struct option *o = getopt_table; o->name; o++)
    if (o->val == c) return o->name;
  return "?";
}

static int takers(int c) {
  for (size_t i = 0; getopt_table[i].name; i++)
    if (getopt_table[i].val == c) return getopt_takers[i];
  return ALL;
}

/* The hint for an unknown option `arg` ("--schedular=pct") of command. */
static const char *suggest_option(const char *arg, int command, char *buf, size_t size) {
  char word[64];
  size_t dashes = strspn(arg, "-");
  snprintf(word, sizeof word, "%.*s", (int)strcspn(arg + dashes, "="), arg + dashes);
  jostle__suggestion near;
  jostle__suggest_init(&near, word);
  for (size_t i = 0; getopt_table[i].name; i++)
    if (getopt_takers[i] & command) jostle__suggest_offer(&near, getopt_table[i].name);
  return jostle__suggest_hint(&near, "--", buf, size);
}

/* Where option k's value lives in o. */
static void *sched_option_value(jostle__opts *o, int k) {
  const sched_option *so = &sched_options[k];
  void *block = so->owner < 0 ? (void *)&o->sched_cfg : (void *)o->sched_opts[so->owner];
  return (char *)block + so->def->offset;
}

/* Parses the value of scheduler option k. */
static int parse_sched_option(int k, const char *arg, jostle__opts *o) {
  const jostle__sched_option *d = sched_options[k].def;
  void *at = sched_option_value(o, k);
  long long v;
  switch (d->type) {
  case JOSTLE__OPT_INT:
    if (jostle__parse_int(arg, d->min, d->max, &v) != 0)
      return jostle__usage_error("bad --%s '%s': expected a whole number from %lld to %lld",
                                 d->name, arg, d->min, d->max);
    *(int *)at = (int)v;
    return 0;
  case JOSTLE__OPT_COUNT:
    if (jostle__parse_count(arg, at) != 0)
      return jostle__usage_error("bad --%s '%s': expected a positive whole number like 100000",
                                 d->name, arg);
    return 0;
  case JOSTLE__OPT_PROB:
    if (jostle__parse_prob(arg, at) != 0)
      return jostle__usage_error("bad --%s '%s': expected a probability from 0 to 1", d->name,
                                 arg);
    return 0;
  case JOSTLE__OPT_WEIGHTS:
    if (jostle__parse_mix(arg, at) != 0)
      return jostle__usage_error("bad --%s '%s': expected weights YIELD:SPIN:SLEEP like 1:2:1",
                                 d->name, arg);
    return 0;
  case JOSTLE__OPT_FLAG: *(int *)at = 1; return 0;
  }
  return jostle__internal_error("internal: option type %d", (int)d->type);
}

/* Whether scheduler option k applies to a command running the schedulers
 * scheds[0..n-1]: one of them owns it, or, for the control runtime's, one
 * of them is controlled. */
static int applies(int k, const jostle__sched_ops *const *scheds, int n) {
  for (int i = 0; i < n; i++)
    if (sched_options[k].owner < 0 ? jostle__sched_controlled(scheds[i])
                                   : jostle__schedulers[sched_options[k].owner] == scheds[i])
      return 1;
  return 0;
}

/* A scheduler option given for none of the command's schedulers would be
 * ignored without a word: refused, naming whom it is for. */
static int check_options_apply(const char *cmd, const jostle__opts *o,
                               const jostle__sched_ops *const *scheds, int n) {
  for (int k = 0; k < n_sched_options; k++) {
    if (!(o->sched_opts_given >> k & 1) || applies(k, scheds, n)) continue;
    const char *name = sched_options[k].def->name;
    char ran[96];
    if (n == 1) snprintf(ran, sizeof ran, "%s", scheds[0]->name);
    else snprintf(ran, sizeof ran, "those of --scheduler-set");
    if (sched_options[k].owner >= 0)
      return jostle__usage_error("%s: '--%s' is an option of the %s scheduler, not of %s", cmd,
                                 name, jostle__schedulers[sched_options[k].owner]->name, ran);
    char controlled[160];
    jostle__scheduler_kind_names(1, " and ", controlled, sizeof controlled);
    return jostle__usage_error("%s: '--%s' works under the controlled schedulers (%s), not "
                               "under %s, whose threads run in parallel",
                               cmd, name, controlled, ran);
  }
  return 0;
}

/* The shortest decimal text that reads back as exactly v, so a printed
 * command reruns with the same probability. */
static const char *exact(double v, char *buf, size_t size) {
  for (int digits = 6; digits <= 17; digits++) {
    snprintf(buf, size, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
  return buf;
}

/* The value at `at` of an option of type d->type, as the command line
 * reads it back; "" for a flag. */
static const char *option_text(const jostle__sched_option *d, const void *at, char *buf,
                               size_t size) {
  switch (d->type) {
  case JOSTLE__OPT_INT: snprintf(buf, size, "%d", *(const int *)at); break;
  case JOSTLE__OPT_COUNT: snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)at); break;
  case JOSTLE__OPT_PROB: exact(*(const double *)at, buf, size); break;
  case JOSTLE__OPT_WEIGHTS: {
    const unsigned *w = at;
    snprintf(buf, size, "%u:%u:%u", w[0], w[1], w[2]);
    break;
  }
  case JOSTLE__OPT_FLAG: snprintf(buf, size, "%s", ""); break;
  }
  return buf;
}

/* d's default, as text. */
static const char *default_text(const jostle__sched_option *d, char *buf, size_t size) {
  _Alignas(16) unsigned char block[32];
  jostle__sched_option here = *d;
  here.offset = 0;
  jostle__sched_options_default((const jostle__sched_option[]){here, {0}}, block);
  return option_text(d, block, buf, size);
}

/* Whether the value at `at` is d's default. */
static int is_default(const jostle__sched_option *d, const void *at) {
  if (d->type == JOSTLE__OPT_FLAG) return *(const int *)at == 0;
  char a[64], b[64];
  return strcmp(default_text(d, a, sizeof a), option_text(d, at, b, sizeof b)) == 0;
}

/* Writes " --NAME VALUE" for every option of the list that a reproduce
 * command gives (`word` 1: " NAME VALUE", as a schedule's origin says). */
static void put_options(const jostle__sched_option *list, const void *block, int word,
                        FILE *out) {
  for (const jostle__sched_option *d = list; d && d->name; d++) {
    const void *at = (const char *)block + d->offset;
    if (d->reproduce == JOSTLE__REPRODUCE_CHANGED && is_default(d, at)) continue;
    char value[64];
    option_text(d, at, value, sizeof value);
    fprintf(out, " %s%s%s%s", word ? "" : "--", d->name, value[0] ? " " : "", value);
  }
}

void jostle__sched_describe(const jostle__sched_ops *sched, const jostle__sched_cfg *cfg,
                            int controlled_too, FILE *out) {
  put_options(sched->options, cfg->opts, !controlled_too, out);
  if (controlled_too && jostle__sched_controlled(sched))
    put_options(jostle__control_options, cfg, 0, out);
}

/* Whether option so is of the kind asked: controlled (1), not (0), any (-1). */
static int of_kind(const sched_option *so, int controlled) {
  int is_controlled = so->owner < 0 || jostle__schedulers[so->owner]->pick != NULL;
  return controlled < 0 || is_controlled == controlled;
}

void jostle__sched_help(int controlled, char *buf, size_t size) {
  build_options();
  size_t len = 0;
  buf[0] = '\0';
  for (int k = 0; k < n_sched_options && len < size; k++) {
    const sched_option *so = &sched_options[k];
    if (!of_kind(so, controlled)) continue;
    const jostle__sched_option *d = so->def;
    char head[64], def[64] = "";
    snprintf(head, sizeof head, "--%s%s%s", d->name, d->metavar ? " " : "",
             d->metavar ? d->metavar : "");
    if (d->type != JOSTLE__OPT_FLAG) {
      char value[48];
      snprintf(def, sizeof def, " (%s)", default_text(d, value, sizeof value));
    }
    len += (size_t)snprintf(buf + len, size - len, "  %-24s%s: %s%s\n", head,
                            so->owner < 0 ? "controlled" : jostle__schedulers[so->owner]->name,
                            d->help, def);
  }
}

void jostle__sched_option_list(int controlled, char *buf, size_t size) {
  build_options();
  size_t len = 0;
  buf[0] = '\0';
  for (int k = 0; k < n_sched_options && len < size; k++) {
    if (!of_kind(&sched_options[k], controlled)) continue;
    const jostle__sched_option *d = sched_options[k].def;
    len += (size_t)snprintf(buf + len, size - len, "%s--%s%s%s", len ? ", " : "", d->name,
                            d->metavar ? " " : "", d->metavar ? d->metavar : "");
  }
}

void jostle__scheduler_names(const jostle__sched_ops *def, int portfolios, char *buf,
                             size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; jostle__schedulers[i] && len < size; i++)
    if (portfolios || !jostle__schedulers[i]->portfolio)
      len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                              jostle__schedulers[i]->name);
  if (len < size) snprintf(buf + len, size - len, " (%s)", def->name);
}

/* Parses a comma-separated list of at most JOSTLE__MAX_SET names, each
 * once, with `find` (which returns -1 for an unknown name) into out.
 * Returns how many, or -1 naming the bad one in *bad. */
static int parse_set(const char *arg, int (*find)(const char *), int *out, char *bad,
                     size_t size) {
  char copy[256];
  if (snprintf(copy, sizeof copy, "%s", arg) >= (int)sizeof copy) {
    /* longer than any list of JOSTLE__MAX_SET names */
    snprintf(bad, size, "%s", arg);
    return -1;
  }
  int n = 0;
  char *rest = copy;
  for (char *tok; (tok = strsep(&rest, ",")) != NULL;) {
    snprintf(bad, size, "%s", tok);
    int v = find(tok);
    if (v < 0 || n == JOSTLE__MAX_SET) return -1;
    for (int i = 0; i < n; i++)
      if (out[i] == v) return -1;
    out[n++] = v;
  }
  return n;
}

/* The index of a scheduler a soak may rotate (not one that follows a
 * recorded schedule), or -1. */
static int find_soak_scheduler(const char *name) {
  for (int i = 0; jostle__schedulers[i]; i++)
    if (strcmp(jostle__schedulers[i]->name, name) == 0 &&
        !jostle__schedulers[i]->follows_schedule)
      return i;
  return -1;
}

void jostle__scheduler_kind_names(int controlled, const char *last_sep, char *buf,
                                  size_t size) {
  int n = 0, k = 0;
  for (int i = 0; jostle__schedulers[i]; i++)
    n += (jostle__schedulers[i]->pick != NULL) == controlled &&
         !jostle__schedulers[i]->follows_schedule && !jostle__schedulers[i]->portfolio;
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; jostle__schedulers[i] && len < size; i++) {
    const jostle__sched_ops *s = jostle__schedulers[i];
    if ((s->pick != NULL) != controlled || s->follows_schedule || s->portfolio) continue;
    len += (size_t)snprintf(buf + len, size - len, "%s%s",
                            k == 0 ? "" : k == n - 1 ? last_sep : ", ", s->name);
    k++;
  }
}

void jostle__campaign_scheduler_names(const char *sep, int portfolios, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; jostle__schedulers[i] && len < size; i++)
    if (!jostle__schedulers[i]->follows_schedule &&
        (portfolios > 0 || (portfolios == 0) != jostle__schedulers[i]->portfolio))
      len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? sep : "",
                              jostle__schedulers[i]->name);
}

/* Parses one option only `soak` takes; returns 0, or the exit code of an
 * error. */
static int soak_option(int c, const char *arg, jostle__opts *o) {
  int set[JOSTLE__MAX_SET];
  char bad[256], names[256];
  switch (c) {
  case OPT_OUT: o->out_dir = arg; return 0;
  case OPT_RESUME: o->resume_dir = arg; return 0;
  case OPT_RUNS_PER_CELL:
    if (jostle__parse_count(arg, &o->n_runs) != 0)
      return jostle__usage_error("bad --runs-per-cell '%s': expected a positive whole number like 100000 or 1M", arg);
    return 0;
  case OPT_BATCH:
    if (jostle__parse_duration(arg, &o->batch_ns) != 0)
      return jostle__usage_error("bad --batch '%s': expected a time like 500ms, 10s or 1m", arg);
    return 0;
  case OPT_SCHEDULER_SET:
    o->n_sched_set = parse_set(arg, find_soak_scheduler, set, bad, sizeof bad);
    if (o->n_sched_set < 0) {
      jostle__campaign_scheduler_names(", ", 1, names, sizeof names);
      return jostle__usage_error("bad --scheduler-set '%s' at '%s': expected distinct names "
                                 "among %s, separated by commas", arg, bad, names);
    }
    for (int i = 0; i < o->n_sched_set; i++) o->sched_set[i] = jostle__schedulers[set[i]];
    return 0;
  case OPT_PINS:
    o->n_pin_set = parse_set(arg, jostle__pin_parse, set, bad, sizeof bad);
    if (o->n_pin_set < 0)
      return jostle__usage_error("bad --pins '%s' at '%s': expected distinct modes among "
                                 "none, spread, same, random, separated by commas", arg, bad);
    for (int i = 0; i < o->n_pin_set; i++) o->pin_set[i] = (jostle__pin)set[i];
    return 0;
  }
  return jostle__internal_error("internal: unhandled option %d", c);
}

/* Parses one option of `stress`; returns 0, or the exit code of an error. */
static int stress_option(int c, const char *arg, jostle__opts *o) {
  char names[128];
  switch (c) {
  case 'n':
    if (jostle__parse_count(arg, &o->n_runs) != 0)
      return jostle__usage_error("bad --runs '%s': expected a positive whole number like 100000 or 1M", arg);
    return 0;
  case OPT_DURATION:
    if (jostle__parse_duration(arg, &o->duration_ns) != 0)
      return jostle__usage_error("bad --duration '%s': expected a time like 30s, 5m, 8h or 1h30m", arg);
    return 0;
  case OPT_TIMEOUT:
    if (jostle__parse_duration(arg, &o->timeout_ns) != 0)
      return jostle__usage_error("bad --timeout '%s': expected a time like 500ms, 10s or 2m", arg);
    return 0;
  case OPT_UNTIL: o->until_divergence = 1; return 0;
  case OPT_SEED:
  case OPT_RUN_SEED:
    if (o->seed_given && o->fixed_seed != (c == OPT_RUN_SEED))
      return jostle__usage_error("--seed and --run-seed exclude each other (--seed seeds the "
                                 "campaign, --run-seed is the seed of every run)");
    o->seed_given = 1;
    if (jostle__parse_seed(arg, &o->seed) != 0)
      return jostle__usage_error("bad %s '%s': expected a number like 42 or 0x1f2e3d4c",
                         c == OPT_SEED ? "--seed" : "--run-seed", arg);
    o->fixed_seed = c == OPT_RUN_SEED;
    return 0;
  case 'D':
    if (o->n_defines == JOSTLE__MAX_DEFINES)
      return jostle__usage_error("too many -D options (at most %d)", JOSTLE__MAX_DEFINES);
    /* a refused define is left as it was: the message names it whole */
    if (jostle__parse_define((char *)arg, &o->defines[o->n_defines]) != 0)
      return jostle__usage_error("bad -D '%s': expected KEY=INTEGER like threads=8 (a 64-bit "
                                 "integer)", arg);
    o->n_defines++;
    return 0;
  case OPT_SCHEDULER:
    o->sched_given = 1;
    o->sched = jostle__sched_find(arg);
    if (o->sched == NULL) {
      char hint[96];
      jostle__scheduler_names(jostle__sched_first(0), 1, names, sizeof names);
      return jostle__usage_error("unknown scheduler '%s': %sexpected one of %s", arg,
                                 jostle__suggest_scheduler(arg, hint, sizeof hint), names);
    }
    return 0;
  case OPT_PIN: {
    int pin = jostle__pin_parse(arg);
    if (pin < 0)
      return jostle__usage_error("unknown --pin '%s': expected none, spread, same or random", arg);
    o->pin = (jostle__pin)pin;
    o->pin_given = 1;
    return 0;
  }
  case 'j': {
    long long jobs;
    if (jostle__parse_int(arg, 1, JOSTLE__MAX_JOBS, &jobs) != 0)
      return jostle__usage_error("bad --jobs '%s': expected a whole number from 1 to %d", arg,
                         JOSTLE__MAX_JOBS);
    o->n_jobs = (int)jobs;
    return 0;
  }
  case OPT_ALL: o->all = 1; return 0;
  case OPT_PROGRESS: o->progress = 1; return 0;
  case OPT_NO_PROGRESS: o->progress = 0; return 0;
  case OPT_SCHEDULE: o->schedule_path = arg; return 0;
  case OPT_SAVE_SCHEDULE:
    o->save_schedule_path = arg;
    return jostle__check_output_path("--save-schedule", arg) != 0 ? EXIT_USAGE : 0;
  case OPT_TRACE: o->sched_cfg.trace = 1; return 0;
  case OPT_SHRINK: o->shrink = 1; return 0;
  case OPT_INPUT: o->input_path = arg; return 0;
  case OPT_ALLOW_EXIT: {
    const char *why = jostle__program_allow_exit(arg);
    return why != NULL ? jostle__usage_error("bad --allow-exit '%s': %s", arg, why) : 0;
  }
  case OPT_OUTCOME: {
    const char *why = jostle__program_outcome(arg);
    return why != NULL ? jostle__usage_error("bad --outcome '%s': %s", arg, why) : 0;
  }
  case OPT_ALLOW: {
    const char *why = jostle__program_allow(arg);
    return why != NULL ? jostle__usage_error("bad --allow '%s': %s", arg, why) : 0;
  }
  case OPT_SHARD:
    if (jostle__parse_shard(arg, &o->shard_index, &o->shard_count) != 0)
      return jostle__usage_error("bad --shard '%s': expected I/N with 0 <= I < N, like 0/4", arg);
    return 0;
  default:
    if (c >= OPT_FORMAT_FIRST && c < OPT_FORMAT_FIRST + n_formats) {
      o->report_path[c - OPT_FORMAT_FIRST] = arg;
      return 0;
    }
    if (c >= OPT_SCHED_FIRST && c < OPT_SCHED_FIRST + n_sched_options) {
      o->sched_opts_given |= 1ULL << (c - OPT_SCHED_FIRST);
      return parse_sched_option(c - OPT_SCHED_FIRST, arg, o);
    }
    return soak_option(c, arg, o);
  }
}

/* Resolves the thread count and parameters of s from the -D options into
 * plan p; returns 0, or the exit code of an error. `known` says, per
 * define, whether some selected scenario takes it. */
static int resolve_params(const jostle_scenario *s, const jostle__opts *o,
                          jostle__plan *p, int *known) {
  p->n_threads = s->threads;
  for (int i = 0; s->params && s->params[i].name; i++) p->params[i] = s->params[i].def;
  for (int d = 0; d < o->n_defines; d++) {
    const jostle__define *def = &o->defines[d];
    if (strcmp(def->key, "threads") == 0) {
      int lo = s->min_threads > 0 ? s->min_threads : 1;
      int hi = s->max_threads > 0 ? s->max_threads : JOSTLE_MAX_THREADS;
      if (def->value < lo || def->value > hi)
        return jostle__usage_error("bad -D threads=%lld for %s: expected %d to %d", def->value,
                           s->name, lo, hi);
      p->n_threads = (int)def->value;
      known[d] = 1;
      continue;
    }
    int i = jostle__param_index(s, def->key);
    if (i < 0) continue;
    known[d] = 1;
    const jostle_param_def *param = &s->params[i];
    if (def->value < param->min || def->value > param->max)
      return jostle__usage_error("bad -D %s=%lld for %s: expected %lld to %lld", def->key,
                         def->value, s->name, param->min, param->max);
    p->params[i] = def->value;
  }
  return 0;
}

_Static_assert(JOSTLE__MAX_MEMBERS <= JOSTLE__CELL_MAX_MEMBERS,
               "a cell lists every member of a portfolio");

/* The command that runs plan p's scenario under `sched` configured by
 * cfg, without the seed's parts: `replay` under a controlled strategy
 * (its runs replay exactly), else `stress` (`run` for a program).
 * malloc'd, or NULL when out of memory. */
static char *command_for(const jostle__plan *p, const jostle__sched_ops *sched,
                         const jostle__sched_cfg *cfg) {
  const jostle_scenario *s = p->scenario;
  int replays = sched->pick != NULL;
  /* the command holds the program's path as it was typed: any length */
  char *command = NULL;
  size_t size;
  FILE *out = open_memstream(&command, &size);
  if (out == NULL) return NULL;
  /* a program's cell names the program last, after the seed's parts */
  const jostle__program *program = jostle__program_served;
  if (program != NULL && s == &program->scenario)
    fprintf(out, "%s %s --scheduler %s", jostle__prog, replays ? "replay" : "run", sched->name);
  else
    fprintf(out, "%s %s %s --scheduler %s", jostle__prog, replays ? "replay" : "stress",
            s->name, sched->name);
  jostle__sched_describe(sched, cfg, 1, out);
  fprintf(out, " --pin %s -D threads=%d", jostle__pin_name(p->pin), p->n_threads);
  for (int i = 0; s->params && s->params[i].name; i++)
    fprintf(out, " -D %s=%lld", s->params[i].name, p->params[i]);
  if (p->timeout_ns != JOSTLE__DEFAULT_TIMEOUT_NS)
    fprintf(out, " --timeout %llums", (unsigned long long)(p->timeout_ns / 1000000ULL));
  int failed = ferror(out);
  failed |= fclose(out) != 0;
  if (failed) {
    free(command);
    return NULL;
  }
  return command;
}

/* A portfolio's cell lists its members, each with the command that
 * replays its runs: its own options at their defaults, as its runs had
 * them (jostle__portfolio_cfg). Returns 0, or -1 when out of memory. */
static int describe_members(const jostle__plan *p, jostle__cell *c) {
  const jostle__sched_ops *members[JOSTLE__MAX_MEMBERS];
  int n = jostle__portfolio_members(members);
  for (int k = 0; k < n; k++) {
    jostle__sched_cfg cfg;
    jostle__portfolio_cfg(&p->sched_cfg, members[k], &cfg);
    char *command = command_for(p, members[k], &cfg);
    int rc = command ? jostle__cell_add_member(c, members[k]->name, command) : -1;
    free(command);
    if (rc != 0) return -1;
  }
  return 0;
}

int jostle__cli_describe(const jostle__plan *p, jostle__cell *c) {
  const jostle_scenario *s = p->scenario;
  /* fits whole: JOSTLE__PARAMS_MAX is the longest a scenario can have */
  size_t len = (size_t)snprintf(c->params, sizeof c->params, "threads=%d", p->n_threads);
  for (int i = 0; s->params && s->params[i].name; i++)
    len += (size_t)snprintf(c->params + len, sizeof c->params - len, " %s=%lld",
                            s->params[i].name, p->params[i]);
  JOSTLE_ASSERT(len < sizeof c->params);
  c->controlled = jostle__sched_controlled(p->sched);
  jostle__cli_reproduce_syntax(c);
  const jostle__program *program = jostle__program_served;
  if (program != NULL && s == &program->scenario)
    snprintf(c->program, sizeof c->program, "%s", program->invocation);
  char *command = command_for(p, p->sched, &p->sched_cfg);
  int failed = command == NULL;
  if (!failed) {
    free(c->command);
    c->command = command;
  }
  if (!failed && p->sched->portfolio && c->n_members == 0) failed = describe_members(p, c) != 0;
  snprintf(c->scenario, sizeof c->scenario, "%s", s->name);
  snprintf(c->scheduler, sizeof c->scheduler, "%s", p->sched->name);
  snprintf(c->placement, sizeof c->placement, "%s", jostle__pin_name(p->pin));
  c->racy = s->racy != 0;
  c->campaign_seed = p->seed;
  c->fixed_seed = p->fixed_seed;
  c->until_divergence = p->until_divergence;
  jostle__cli_racy_try(c, s->racy == JOSTLE_DATA_RACE_ONLY && !p->sched_cfg.races);
  return failed ? jostle__internal_error("out of memory") : 0;
}

void jostle__cli_reproduce_syntax(jostle__cell *c) {
  /* a controlled run is a pure function of its seed: replay it; any other
   * is rerun with that seed until it diverges again */
  if (c->controlled) {
    snprintf(c->seed_prefix, sizeof c->seed_prefix, " --seed ");
    c->seed_suffix[0] = '\0';
  } else {
    snprintf(c->seed_prefix, sizeof c->seed_prefix, " --run-seed ");
    snprintf(c->seed_suffix, sizeof c->seed_suffix, " -n %d --until-divergence",
             JOSTLE__DEFAULT_RUNS);
  }
}

static int command_bit(const char *cmd) {
  return strcmp(cmd, "replay") == 0 ? REPLAY : strcmp(cmd, "soak") == 0 ? SOAK : STRESS;
}

/* The error for option c given to a command that does not take it. */
static int refuse(const char *cmd, int c) {
  static const char *const owners[] = {"", "stress", "replay", "stress and replay", "soak",
                                       "stress and soak", "replay and soak", ""};
  const char *hint = "";
  if (strcmp(cmd, "soak") == 0)
    hint = c == 'n' ? "; a soak's run budget is --runs-per-cell N"
           : c == OPT_SCHEDULER ? "; a soak rotates the schedulers of --scheduler-set LIST"
           : c == OPT_PIN ? "; a soak rotates the placements of --pins LIST"
           : "";
  return jostle__usage_error("%s: '--%s' is an option of %s, not of %s%s (see '%s %s --help')",
                             cmd, option_name(c), owners[takers(c)], cmd, hint, jostle__prog,
                             cmd);
}

/* The configuration of scheduler `sched` under options o. */
void jostle__cli_sched_cfg(const jostle__opts *o, const jostle__sched_ops *sched,
                           jostle__sched_cfg *cfg) {
  *cfg = o->sched_cfg;
  memcpy(cfg->opts, o->sched_opts[jostle__sched_index(sched)], sizeof cfg->opts);
}

/* A scheduler's options are valid, and it can run in this program. */
static int check_scheduler(const jostle__sched_ops *sched, const jostle__opts *o) {
  jostle__sched_cfg cfg;
  jostle__cli_sched_cfg(o, sched, &cfg);
  const char *why = sched->validate ? sched->validate(&cfg) : NULL;
  if (why != NULL) return jostle__usage_error("bad scheduler options: %s", why);
  if (jostle__sched_controlled(sched) && &jostle__sync_wrap_linked == NULL)
    return jostle__usage_error("the %s scheduler needs jostle's synchronisation wrappers, which "
                               "this program was linked without (see README: jostle-cc)",
                               sched->name);
  return 0;
}

/* A report file can be made where each --NAME FILE says (its folder
 * exists), and no two of them are the same file: a typo must not cost a
 * campaign's results. Checked in registry order. */
static int check_outputs(const jostle__opts *o) {
  const char *const *paths = o->report_path;
  for (int i = 0; i < n_formats; i++) {
    if (paths[i] == NULL) continue;
    char option[64];
    snprintf(option, sizeof option, "--%s", jostle__report_formats[i]->name);
    if (jostle__check_output_path(option, paths[i]) != 0) return EXIT_USAGE;
    for (int j = 0; j < i; j++)
      if (paths[j] != NULL && strcmp(paths[i], paths[j]) == 0)
        return jostle__usage_error("--%s and %s both name '%s': give each report its own file",
                                   jostle__report_formats[j]->name, option, paths[i]);
  }
  return 0;
}

/* A soak rotates every scheduler this program can run in a campaign (the
 * controlled ones need the wrappers) and two placements, unless told
 * otherwise. Not a portfolio (auto): its members are in the set already,
 * each a cell of its own with the whole budget, and a portfolio cell
 * would only run the same strategies again with a Kth of it each; it is
 * there for `--scheduler-set` to name. */
static void soak_defaults(jostle__opts *o) {
  if (o->n_sched_set == 0)
    for (int i = 0; jostle__schedulers[i] && o->n_sched_set < JOSTLE__MAX_SET; i++) {
      const jostle__sched_ops *sched = jostle__schedulers[i];
      if (!sched->follows_schedule && !sched->portfolio &&
          (sched->pick == NULL || &jostle__sync_wrap_linked != NULL))
        o->sched_set[o->n_sched_set++] = sched;
    }
  if (o->n_pin_set == 0) {
    o->pin_set[o->n_pin_set++] = JOSTLE__PIN_NONE;
    o->pin_set[o->n_pin_set++] = JOSTLE__PIN_SPREAD;
  }
}

/* Parses the options of `stress`, `soak` or `replay` into o. Returns 0, -1
 * after printing help, or the exit code of an error. */
int jostle__cli_parse(const char *cmd, int argc, char **argv, jostle__opts *o) {
  optind = 0;
  opterr = 0;
  int c, replay = strcmp(cmd, "replay") == 0, command = command_bit(cmd), fixed = 0;
  build_options();
  while ((c = getopt_long(argc, argv, ":n:D:j:h", getopt_table, NULL)) != -1) {
    if (c == 'h') {
      jostle__command_find(cmd)->help();
      return -1;
    }
    if (c != '?' && c != ':' && !(takers(c) & command)) return refuse(cmd, c);
    if (c == '?') {
      char hint[96];
      return jostle__usage_error("%s: unknown option '%s' (%ssee '%s %s --help')", cmd,
                                 argv[optind - 1], suggest_option(argv[optind - 1], command, hint,
                                                                  sizeof hint),
                                 jostle__prog, cmd);
    }
    if (c == ':')
      return jostle__usage_error("%s: option '%s' needs a value", cmd, argv[optind - 1]);
    int rc = stress_option(c, optarg, o);
    if (rc != 0) return rc;
    if (c != OPT_RESUME && c != 'j' && c != OPT_PROGRESS && c != OPT_NO_PROGRESS) fixed = c;
  }
  /* soak's default set holds controlled schedulers */
  int any_controlled = jostle__sched_controlled(o->sched) || (command == SOAK && !o->n_sched_set);
  for (int i = 0; command == SOAK && i < o->n_sched_set; i++)
    any_controlled |= jostle__sched_controlled(o->sched_set[i]);
  const char *why = jostle__program_options_done(o->sched_cfg.races, any_controlled);
  if (why != NULL) return jostle__usage_error("%s", why);
  /* a program's jostle is handed the program's scenario: its journal names it too */
  const jostle__program *program = jostle__program_served;
  int served_only = program != NULL && optind == argc - 1 &&
                    strcmp(argv[optind], program->scenario.name) == 0;
  if (o->resume_dir != NULL && (fixed || (optind < argc && !served_only))) {
    char what[300];
    snprintf(what, sizeof what, fixed ? "'--%s'" : "scenario '%s'",
             fixed ? option_name(fixed) : argv[optind]);
    return jostle__usage_error("soak --resume: %s cannot be given: a resumed soak takes its "
                               "scenarios and options from its journal (only -j and "
                               "--progress may change)", what);
  }
  if (!replay && o->sched->follows_schedule)
    return jostle__usage_error("%s: the %s scheduler follows one recorded schedule: "
                               "use '%s replay --schedule FILE'", cmd, o->sched->name,
                               jostle__prog);
  if (replay && o->sched->portfolio) {
    char names[128];
    jostle__scheduler_kind_names(1, " or ", names, sizeof names);
    return jostle__usage_error("replay: --scheduler %s runs each run under one of its members: "
                               "replay with the member its reproduce: line names (%s)",
                               o->sched->name, names);
  }
  if (o->schedule_path != NULL) return 0; /* replay checks the schedule itself */
  if (command == SOAK) soak_defaults(o);
  int n_scheds = command == SOAK ? o->n_sched_set : 1;
  for (int i = 0; i < n_scheds; i++) {
    const jostle__sched_ops *sched = command == SOAK ? o->sched_set[i] : o->sched;
    int rc = check_scheduler(sched, o);
    if (rc != 0) return rc;
  }
  int rc = check_options_apply(cmd, o, command == SOAK ? o->sched_set : &o->sched, n_scheds);
  if (rc != 0) return rc;
  return replay ? 0 : check_outputs(o);
}

/* The placement of plan p when --pin is not given: an uncontrolled
 * scheduler's threads spread one per core when every thread of the
 * campaign has a core (a race shows far more often than where a busy
 * machine's system puts them: docs/BENCHMARKS.md, "Placement"), else
 * where the system puts them (and when hwloc cannot read the topology,
 * which binding needs); a controlled scheduler runs one thread at a time,
 * and placement changes none of its outcomes. A program makes threads of
 * its own, which inherit its main thread's placement and which the plan
 * does not count: uncontrolled, they go where the system puts them;
 * controlled, each worker's on a core of its own, where handing over
 * never wakes a thread on another processor (twice the runs per second
 * of bank_fixed under random). */
static jostle__pin default_pin(const jostle__plan *p) {
  int controlled = jostle__sched_controlled(p->sched);
  int program = jostle__program_served != NULL && p->scenario == &jostle__program_served->scenario;
  if (program && !controlled) return JOSTLE__PIN_NONE;
  int spread = (!controlled || program) && jostle__topology_load() == 0 &&
               (long long)p->n_jobs * p->n_threads <= jostle__topology_n_cores();
  return spread ? JOSTLE__PIN_SPREAD : JOSTLE__PIN_NONE;
}

/* Fills plan p for scenario s from the options; 0 or an exit code. */
int jostle__cli_plan(const jostle_scenario *s, const jostle__opts *o, jostle__plan *p,
                      int *known) {
  int pus = jostle__topology_n_pus();
  int rc = resolve_params(s, o, p, known);
  p->scenario = s;
  p->sched = o->sched;
  jostle__cli_sched_cfg(o, o->sched, &p->sched_cfg);
  p->n_jobs = o->n_jobs ? o->n_jobs : (pus / p->n_threads > 0 ? pus / p->n_threads : 1);
  p->pin = o->pin_given ? o->pin : default_pin(p);
  p->seed = o->seed;
  p->fixed_seed = o->fixed_seed;
  /* Without a run budget, shards slice the indices below 2^63, which JSON
   * results hold exactly. */
  uint64_t unbounded = o->shard_count > 1 ? (uint64_t)INT64_MAX : UINT64_MAX;
  uint64_t total = o->n_runs ? o->n_runs : (o->duration_ns ? unbounded : JOSTLE__DEFAULT_RUNS);
  /* Shard I of N: the I-th of N contiguous slices of the run indices,
   * their sizes within one of each other. */
  uint64_t slice = total / o->shard_count, rest = total % o->shard_count;
  p->first_run = o->shard_index * slice + (o->shard_index < rest ? o->shard_index : rest);
  p->n_runs = slice + (o->shard_index < rest);
  p->duration_ns = o->duration_ns;
  p->until_divergence = o->until_divergence;
  p->timeout_ns = o->timeout_ns;
  uint64_t fair = p->n_runs / ((uint64_t)p->n_jobs * 4);
  p->chunk_runs = fair >= 1024 ? 1024 : (fair ? (uint32_t)fair : 1);
  return rc;
}

int jostle__cli_select(const char *cmd, int argc, char **argv, int all,
                      const jostle_scenario ***selected, int *n_selected) {
  const jostle_scenario **out = calloc((size_t)jostle__n_scenarios() + 1, sizeof *out);
  if (out == NULL) return jostle__internal_error("out of memory");
  int n = 0;
  for (int i = 0; all && i < jostle__n_scenarios(); i++) out[n++] = jostle__scenario_at(i);
  for (int a = optind; a < argc; a++) {
    int matched = 0;
    for (int i = 0; i < jostle__n_scenarios(); i++) {
      const jostle_scenario *s = jostle__scenario_at(i);
      if (fnmatch(argv[a], s->name, 0) != 0) continue;
      matched = 1;
      int dup = 0;
      for (int k = 0; k < n; k++) dup |= out[k] == s;
      if (!dup) out[n++] = s;
    }
    if (!matched) {
      free(out);
      char hint[96];
      return jostle__usage_error("unknown scenario '%s' (%ssee '%s list')", argv[a],
                                 jostle__suggest_scenario(argv[a], hint, sizeof hint),
                                 jostle__prog);
    }
  }
  if (n == 0) {
    free(out);
    return jostle__usage_error("%s: name at least one scenario, or --all (see '%s list')", cmd,
                               jostle__prog);
  }
  *selected = out;
  *n_selected = n;
  return 0;
}

int jostle__cli_check_defines(const jostle__opts *o, const int *known,
                              const jostle_scenario *const *selected, int n_selected) {
  char hint[96];
  for (int d = 0; d < o->n_defines; d++)
    if (!known[d])
      return jostle__usage_error(
          "unknown parameter '%s' for %s (%ssee '%s list %s')", o->defines[d].key,
          n_selected == 1 ? selected[0]->name : "the scenarios named",
          jostle__suggest_param(selected[0], o->defines[d].key, hint, sizeof hint),
          jostle__prog, selected[0]->name);
  return 0;
}

void jostle__cli_block_stop_signals(void) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop_signals, NULL);
}

/* "runs, scheduling: --seed, ... -j as for stress", wrapped. */
void jostle__sched_shared_options(char *buf, size_t size) {
  char names[1024];
  build_options();
  size_t len = (size_t)snprintf(names, sizeof names, "--seed, -D, --timeout,");
  for (int k = 0; k < n_sched_options && len < sizeof names; k++)
    len += (size_t)snprintf(names + len, sizeof names - len, " --%s,",
                            sched_options[k].def->name);
  snprintf(names + len, sizeof names - len, " -j as for stress");
  size_t out = (size_t)snprintf(buf, size, "runs, scheduling:"), col = out;
  for (char *rest = names, *word; (word = strsep(&rest, " ")) != NULL && out < size;) {
    if (col + 1 + strlen(word) > 76) {
      out += (size_t)snprintf(buf + out, size - out, "\n  %s", word);
      col = 2 + strlen(word);
    } else {
      out += (size_t)snprintf(buf + out, size - out, " %s", word);
      col += 1 + strlen(word);
    }
  }
  if (out < size) snprintf(buf + out, size - out, "\n");
}
