/*
 * result.c: operations on the result model.
 */
#include "reports/result.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/seed.h"
#include "common/text.h"

const char *jostle__class_name(jostle__class cls) {
  static const char *const names[JOSTLE__N_CLASSES] = {
      "allowed", "DIVERGENT", "crash", "hang", "deadlock", "step-limit", "limit", "race"};
  return cls < JOSTLE__N_CLASSES ? names[cls] : "?";
}

void jostle__race_check_detail(const char *text, jostle__class cls, char *buf, size_t size) {
  snprintf(buf, size, "the check: %s, %s", text, jostle__class_name(cls));
}

/* Adds o's runs to `into`, an outcome of the same text and class. */
static void add_runs(jostle__outcome *into, const jostle__outcome *o) {
  into->count += o->count;
  into->n_check_divergent += o->n_check_divergent;
  if (o->first_run < into->first_run) {
    into->first_run = o->first_run;
    into->first_seed = o->first_seed;
    memcpy(into->detail, o->detail, sizeof into->detail);
    memcpy(into->output, o->output, sizeof into->output);
    memcpy(into->race_report, o->race_report, sizeof into->race_report);
    memcpy(into->race_steps, o->race_steps, sizeof into->race_steps);
  } else if (o->first_run == into->first_run) {
    if (into->detail[0] == '\0') memcpy(into->detail, o->detail, sizeof into->detail);
    if (into->output[0] == '\0') memcpy(into->output, o->output, sizeof into->output);
    if (into->race_report[0] == '\0') {
      memcpy(into->race_report, o->race_report, sizeof into->race_report);
      memcpy(into->race_steps, o->race_steps, sizeof into->race_steps);
    }
  }
}

void jostle__cell_detail(jostle__cell *c, jostle__class cls, const char *text, uint64_t run,
                         const char *detail) {
  for (size_t i = 0; i < c->n_outcomes; i++) {
    jostle__outcome *o = &c->outcomes[i];
    if (o->cls != cls || strncmp(o->text, text, sizeof o->text - 1) != 0) continue;
    if (o->first_run == run) snprintf(o->detail, sizeof o->detail, "%s", detail);
    return;
  }
}

void jostle__output_keep(char *out, const char *bytes, size_t n) {
  if (n > JOSTLE__OUTPUT_MAX - 1) n = JOSTLE__OUTPUT_MAX - 1;
  memcpy(out, bytes, n);
  out[n] = '\0';
  if (n == JOSTLE__OUTPUT_MAX - 1) jostle__utf8_cut(out);
}

void jostle__cell_output(jostle__cell *c, jostle__class cls, const char *text, uint64_t run,
                         const char *bytes, size_t n) {
  for (size_t i = 0; i < c->n_outcomes; i++) {
    jostle__outcome *o = &c->outcomes[i];
    if (o->cls != cls || strncmp(o->text, text, sizeof o->text - 1) != 0) continue;
    if (o->first_run == run) jostle__output_keep(o->output, bytes, n);
    return;
  }
}

int jostle__cell_append(jostle__cell *c, jostle__class cls, const char *text,
                        uint64_t count, uint64_t first_run, uint64_t first_seed) {
  /* doubling: an outcome is kilobytes, and merges append hundreds */
  if (c->outcomes == NULL || c->n_outcomes >= c->cap_outcomes) {
    size_t cap = c->n_outcomes < 8 ? 16 : 2 * c->n_outcomes;
    jostle__outcome *grown = realloc(c->outcomes, cap * sizeof *grown);
    if (grown == NULL) return -1;
    c->outcomes = grown;
    c->cap_outcomes = cap;
  }
  jostle__outcome *o = &c->outcomes[c->n_outcomes++];
  memset(o, 0, sizeof *o);
  o->cls = cls;
  strncpy(o->text, text, sizeof o->text - 1);
  o->count = count;
  o->first_run = first_run;
  o->first_seed = first_seed;
  return 0;
}

jostle__outcome *jostle__cell_find(jostle__cell *c, jostle__class cls, const char *text) {
  for (size_t i = 0; i < c->n_outcomes; i++) {
    jostle__outcome *o = &c->outcomes[i];
    /* texts are kept cut to the field: compare what is kept */
    if (o->cls == cls && strncmp(o->text, text, sizeof o->text - 1) == 0) return o;
  }
  return NULL;
}

int jostle__cell_add(jostle__cell *c, jostle__class cls, const char *text,
                     uint64_t count, uint64_t first_run, uint64_t first_seed) {
  jostle__outcome *o = jostle__cell_find(c, cls, text);
  if (o == NULL) return jostle__cell_append(c, cls, text, count, first_run, first_seed);
  add_runs(o, &(jostle__outcome){.count = count, .first_run = first_run,
                                 .first_seed = first_seed});
  return 0;
}

uint64_t jostle__outcome_order(const char *text) {
  /* FNV-1a's last steps barely reach its high bits, which order first:
   * splitmix's finaliser spreads every bit over all of them */
  uint64_t state = jostle__fnv1a(text, strlen(text));
  return jostle__splitmix(&state);
}

int jostle__outcome_cmp(uint64_t a_order, const char *a_text, jostle__class a_cls,
                        uint64_t b_order, const char *b_text, jostle__class b_cls) {
  if (a_order != b_order) return a_order < b_order ? -1 : 1;
  int by_text = strcmp(a_text, b_text);
  if (by_text != 0) return by_text;
  return (a_cls > b_cls) - (a_cls < b_cls);
}

/* An outcome with its place in the content order. */
typedef struct ordered {
  uint64_t order;
  jostle__outcome o;
} ordered;

static int by_content(const void *a, const void *b) {
  const ordered *x = a, *y = b;
  return jostle__outcome_cmp(x->order, x->o.text, x->o.cls, y->order, y->o.text, y->o.cls);
}

int jostle__cell_cut(jostle__cell *c, size_t max_listed,
                     void (*fold)(void *ctx, const jostle__outcome *o), void *ctx) {
  if (c->n_outcomes == 0) return 0;
  ordered *all = malloc(c->n_outcomes * sizeof *all);
  if (all == NULL) return -1;
  for (size_t i = 0; i < c->n_outcomes; i++)
    all[i] = (ordered){jostle__outcome_order(c->outcomes[i].text), c->outcomes[i]};
  qsort(all, c->n_outcomes, sizeof *all, by_content);
  size_t n = 0;
  for (size_t i = 0; i < c->n_outcomes; i++) {
    if (n > 0 && by_content(&all[n - 1], &all[i]) == 0) add_runs(&all[n - 1].o, &all[i].o);
    else all[n++] = all[i];
  }
  for (size_t i = max_listed; i < n; i++) fold(ctx, &all[i].o);
  c->n_outcomes = n < max_listed ? n : max_listed;
  for (size_t i = 0; i < c->n_outcomes; i++) c->outcomes[i] = all[i].o;
  free(all);
  return 0;
}

void jostle__other_text(jostle__class cls, uint64_t n_distinct, size_t max_listed, char *buf,
                        size_t size) {
  if (n_distinct == JOSTLE__UNCOUNTED)
    snprintf(buf, size, "(other %s outcomes: too many to count, past the %zu listed)",
             jostle__class_name(cls), max_listed);
  else
    snprintf(buf, size, "(other %s outcomes: %" PRIu64 " distinct, past the %zu listed)",
             jostle__class_name(cls), n_distinct, max_listed);
}

int jostle__outcome_is_other(const jostle__outcome *o, uint64_t *n_distinct) {
  char prefix[48];
  int len = snprintf(prefix, sizeof prefix, "(other %s outcomes: ", jostle__class_name(o->cls));
  if (strncmp(o->text, prefix, (size_t)len) != 0) return 0;
  const char *rest = o->text + len;
  char *end;
  *n_distinct = JOSTLE__UNCOUNTED;
  if (*rest >= '0' && *rest <= '9') {
    unsigned long long n = strtoull(rest, &end, 10);
    if (strncmp(end, " distinct,", 10) == 0 && n < JOSTLE__UNCOUNTED) *n_distinct = n;
  }
  return 1;
}

static int by_count(const void *a, const void *b) {
  const jostle__outcome *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  if (x->first_run != y->first_run) return x->first_run < y->first_run ? -1 : 1;
  return 0;
}

void jostle__cell_sort(jostle__cell *c) {
  if (c->n_outcomes > 1)
    qsort(c->outcomes, c->n_outcomes, sizeof *c->outcomes, by_count);
}

int jostle__cell_set_command(jostle__cell *c, const char *command) {
  char *copy = strdup(command);
  if (copy == NULL) return -1;
  free(c->command);
  c->command = copy;
  return 0;
}

int jostle__cell_add_member(jostle__cell *c, const char *scheduler, const char *command) {
  if (c->n_members >= JOSTLE__CELL_MAX_MEMBERS) return -1;
  char *copy = strdup(command);
  jostle__member *grown = copy ? realloc(c->members, (c->n_members + 1) * sizeof *grown) : NULL;
  if (grown == NULL) {
    free(copy);
    return -1;
  }
  c->members = grown;
  jostle__member *m = &c->members[c->n_members++];
  snprintf(m->scheduler, sizeof m->scheduler, "%s", scheduler);
  m->command = copy;
  return 0;
}

const jostle__member *jostle__found_by(const jostle__cell *c, const jostle__outcome *o) {
  if (c->n_members == 0) return NULL;
  return &c->members[o->first_run % c->n_members];
}

void jostle__cell_free(jostle__cell *c) {
  free(c->outcomes);
  c->outcomes = NULL;
  c->n_outcomes = 0;
  c->cap_outcomes = 0;
  free(c->command);
  c->command = NULL;
  for (size_t i = 0; i < c->n_members; i++) free(c->members[i].command);
  free(c->members);
  c->members = NULL;
  c->n_members = 0;
}

int jostle__cell_sample(jostle__cell *c, jostle__sample s) {
  int thinned = c->n_samples == JOSTLE__MAX_SAMPLES;
  if (thinned) {
    for (size_t i = 1; i < JOSTLE__MAX_SAMPLES / 2; i++) c->samples[i] = c->samples[2 * i];
    c->n_samples = JOSTLE__MAX_SAMPLES / 2;
  }
  c->samples[c->n_samples++] = s;
  return thinned;
}

const char *jostle__cell_not_run(const jostle__cell *c) {
  if (c->n_runs > 0) return NULL;
  return c->interrupted ? "not run: interrupted before its first run" : "not run";
}

int jostle__cell_same_key(const jostle__cell *a, const jostle__cell *b) {
  return strcmp(a->scenario, b->scenario) == 0 && strcmp(a->scheduler, b->scheduler) == 0 &&
         strcmp(a->placement, b->placement) == 0 && strcmp(a->params, b->params) == 0;
}

/* The other lines of a merge, by class. */
typedef struct other_lines {
  jostle__outcome line[JOSTLE__N_CLASSES];  /* count 0: none */
  int n_cells[JOSTLE__N_CLASSES];           /* merged cells that had one */
  uint64_t n_distinct[JOSTLE__N_CLASSES];   /* what the last of them said */
  uint64_t n_cut[JOSTLE__N_CLASSES];        /* outcomes the merge itself folded */
} other_lines;

static void add_to_line(other_lines *ol, const jostle__outcome *o) {
  jostle__outcome *line = &ol->line[o->cls];
  if (line->count == 0) *line = *o;
  else add_runs(line, o);
}

static void fold_cut(void *ctx, const jostle__outcome *o) {
  other_lines *ol = ctx;
  ol->n_cut[o->cls]++;
  add_to_line(ol, o);
}

/* Takes o into ol when it is an other line; returns whether it was. */
static int take_other(other_lines *ol, const jostle__outcome *o) {
  uint64_t n_distinct;
  if (!jostle__outcome_is_other(o, &n_distinct)) return 0;
  ol->n_cells[o->cls]++;
  ol->n_distinct[o->cls] = n_distinct;
  add_to_line(ol, o);
  return 1;
}

int jostle__cell_merge(jostle__cell *into, const jostle__cell *from) {
  other_lines ol;
  memset(&ol, 0, sizeof ol);
  size_t n = 0;
  for (size_t i = 0; i < into->n_outcomes; i++)
    if (!take_other(&ol, &into->outcomes[i])) into->outcomes[n++] = into->outcomes[i];
  into->n_outcomes = n;
  for (size_t i = 0; i < from->n_outcomes; i++) {
    const jostle__outcome *o = &from->outcomes[i];
    if (take_other(&ol, o)) continue;
    if (jostle__cell_append(into, o->cls, o->text, o->count, o->first_run, o->first_seed) != 0)
      return -1;
    memcpy(into->outcomes[into->n_outcomes - 1].detail, o->detail, sizeof o->detail);
    memcpy(into->outcomes[into->n_outcomes - 1].output, o->output, sizeof o->output);
    into->outcomes[into->n_outcomes - 1].n_check_divergent = o->n_check_divergent;
    memcpy(into->outcomes[into->n_outcomes - 1].race_report, o->race_report,
           sizeof o->race_report);
    memcpy(into->outcomes[into->n_outcomes - 1].race_steps, o->race_steps,
           sizeof o->race_steps);
  }
  if (jostle__cell_cut(into, JOSTLE__MAX_LISTED, fold_cut, &ol) != 0) return -1;
  for (int c = 0; c < JOSTLE__N_CLASSES; c++) {
    const jostle__outcome *line = &ol.line[c];
    if (line->count == 0) continue;
    /* The outcomes a cell folded are known by their number only, and two
     * cells may have folded the same ones: the merged line can say how
     * many it holds when one cell's line is all of it, or when it holds
     * only what the merge folded (each outcome once). */
    uint64_t n_distinct = ol.n_cells[c] == 0                     ? ol.n_cut[c]
                          : ol.n_cells[c] == 1 && ol.n_cut[c] == 0 ? ol.n_distinct[c]
                                                                   : JOSTLE__UNCOUNTED;
    char text[JOSTLE__TEXT_MAX];
    jostle__other_text((jostle__class)c, n_distinct, JOSTLE__MAX_LISTED, text, sizeof text);
    if (jostle__cell_append(into, (jostle__class)c, text, line->count, line->first_run,
                            line->first_seed) != 0)
      return -1;
  }
  jostle__cell_sort(into);
  for (size_t i = 0; i < from->n_samples; i++) {
    jostle__sample s = from->samples[i];
    /* `from`'s start is `into`'s end, which `into` already shows */
    if (s.elapsed_ns == 0 && s.n_runs == 0 && into->n_samples > 0) continue;
    s.elapsed_ns += into->elapsed_ns;
    s.n_runs += into->n_runs;
    s.n_divergent += into->n_divergent;
    jostle__cell_sample(into, s);
  }
  if (into->first_divergence_ns == 0 && from->first_divergence_ns != 0)
    into->first_divergence_ns = into->elapsed_ns + from->first_divergence_ns;
  into->n_runs += from->n_runs;
  into->n_divergent += from->n_divergent;
  into->elapsed_ns += from->elapsed_ns;
  into->interrupted |= from->interrupted;
  return 0;
}

void jostle__wilson95(uint64_t k, uint64_t n, double *lo, double *hi) {
  if (n == 0) {
    *lo = 0.0;
    *hi = 1.0;
    return;
  }
  const double z = 1.959963984540054;
  double p = (double)k / (double)n, nn = (double)n;
  double denom = 1.0 + z * z / nn;
  double centre = (p + z * z / (2.0 * nn)) / denom;
  double half = z * sqrt(p * (1.0 - p) / nn + z * z / (4.0 * nn * nn)) / denom;
  *lo = centre - half < 0.0 ? 0.0 : centre - half;
  *hi = centre + half > 1.0 ? 1.0 : centre + half;
}

#define REPRODUCE_FORMAT "%s%s0x%016" PRIx64 "%s%s"
#define REPRODUCE_ARGS(c, o)                                                           \
  command_of(c, o), (c)->seed_prefix, (o)->first_seed, (c)->seed_suffix, (c)->program

/* The command o's reproduce command starts with: a portfolio's member's,
 * which names the strategy that ran o's first run. */
static const char *command_of(const jostle__cell *c, const jostle__outcome *o) {
  const jostle__member *m = jostle__found_by(c, o);
  const char *command = m != NULL ? m->command : c->command;
  return command ? command : "";
}

char *jostle__reproduce(const jostle__cell *c, const jostle__outcome *o) {
  char *command;
  return asprintf(&command, REPRODUCE_FORMAT, REPRODUCE_ARGS(c, o)) < 0 ? NULL : command;
}

void jostle__reproduce_print(FILE *f, const jostle__cell *c, const jostle__outcome *o) {
  fprintf(f, REPRODUCE_FORMAT, REPRODUCE_ARGS(c, o));
}
