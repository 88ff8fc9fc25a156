/*
 * result.c: operations on the result model.
 */
#include "reports/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *jostle__class_name(jostle__class cls) {
  static const char *const names[JOSTLE__N_CLASSES] = {
      "allowed", "DIVERGENT", "crash", "hang", "deadlock", "step-limit", "limit"};
  return cls < JOSTLE__N_CLASSES ? names[cls] : "?";
}

int jostle__cell_add(jostle__cell *c, jostle__class cls, const char *text,
                     uint64_t count, uint64_t first_run, uint64_t first_seed) {
  for (size_t i = 0; i < c->n_outcomes; i++) {
    jostle__outcome *o = &c->outcomes[i];
    /* texts are kept cut to the field: compare what is kept */
    if (o->cls != cls || strncmp(o->text, text, sizeof o->text - 1) != 0) continue;
    o->count += count;
    if (first_run < o->first_run) {
      o->first_run = first_run;
      o->first_seed = first_seed;
    }
    return 0;
  }
  jostle__outcome *grown =
      realloc(c->outcomes, (c->n_outcomes + 1) * sizeof *grown);
  if (grown == NULL) return -1;
  c->outcomes = grown;
  jostle__outcome *o = &grown[c->n_outcomes++];
  memset(o, 0, sizeof *o);
  o->cls = cls;
  strncpy(o->text, text, sizeof o->text - 1);
  o->count = count;
  o->first_run = first_run;
  o->first_seed = first_seed;
  return 0;
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

void jostle__cell_free(jostle__cell *c) {
  free(c->outcomes);
  c->outcomes = NULL;
  c->n_outcomes = 0;
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

int jostle__cell_merge(jostle__cell *into, const jostle__cell *from) {
  for (size_t i = 0; i < from->n_outcomes; i++) {
    const jostle__outcome *o = &from->outcomes[i];
    if (jostle__cell_add(into, o->cls, o->text, o->count, o->first_run, o->first_seed) != 0)
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

void jostle__reproduce(const jostle__cell *c, const jostle__outcome *o,
                       char *buf, size_t size) {
  snprintf(buf, size, "%s%s0x%016llx%s", c->command, c->seed_prefix,
           (unsigned long long)o->first_seed, c->seed_suffix);
}
