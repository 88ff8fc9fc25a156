/*
 * scenario.c: the scenario registry and the accessors scenario code calls.
 *
 * Registration happens in constructors, before main and before any thread,
 * so the registry needs no lock; it is sorted once, on first lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "common/seed.h"
#include "harness/run.h"

#define MAX_SCENARIOS 1024

static const jostle_scenario *registry[MAX_SCENARIOS];
static int n_registered;
static int sorted;

static int valid_name(const char *name, int allow_underscore) {
  if (name == NULL || name[0] == '\0' || strlen(name) > JOSTLE_MAX_NAME) return 0;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
          (allow_underscore && *p == '_')))
      return 0;
  return 1;
}

JOSTLE_API void jostle_register(const jostle_scenario *s) {
  JOSTLE_ASSERT(s != NULL);
  if (!valid_name(s->name, 0) || s->thread == NULL || s->check == NULL ||
      s->threads < 1 || s->threads > JOSTLE_MAX_THREADS ||
      s->min_threads > s->threads || s->max_threads < 0 ||
      (s->max_threads > 0 && s->max_threads < s->threads) ||
      s->max_threads > JOSTLE_MAX_THREADS) {
    fprintf(stderr, "jostle: malformed scenario '%s': needs a name of [a-z0-9-] (at most %d "
                    "bytes), a thread body, a check and 1..%d threads\n",
            s->name ? s->name : "(null)", JOSTLE_MAX_NAME, JOSTLE_MAX_THREADS);
    abort();
  }
  int n_params = 0;
  for (const jostle_param_def *p = s->params; p && p->name; p++, n_params++) {
    if (!valid_name(p->name, 1) || strcmp(p->name, "threads") == 0 ||
        p->min > p->max || p->def < p->min || p->def > p->max ||
        n_params >= JOSTLE_MAX_PARAMS) {
      fprintf(stderr, "jostle: scenario '%s': malformed parameter '%s'\n",
              s->name, p->name);
      abort();
    }
  }
  for (int i = 0; i < n_registered; i++) {
    if (strcmp(registry[i]->name, s->name) == 0) {
      fprintf(stderr, "jostle: scenario '%s' registered twice\n", s->name);
      abort();
    }
  }
  JOSTLE_ASSERT(n_registered < MAX_SCENARIOS);
  registry[n_registered++] = s;
  sorted = 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp((*(const jostle_scenario *const *)a)->name,
                (*(const jostle_scenario *const *)b)->name);
}

int jostle__n_scenarios(void) { return n_registered; }

const jostle_scenario *jostle__scenario_at(int i) {
  if (!sorted) {
    qsort(registry, (size_t)n_registered, sizeof registry[0], by_name);
    sorted = 1;
  }
  return i >= 0 && i < n_registered ? registry[i] : NULL;
}

const jostle_scenario *jostle__scenario_find(const char *name) {
  for (int i = 0; i < n_registered; i++)
    if (strcmp(registry[i]->name, name) == 0) return registry[i];
  return NULL;
}

int jostle__param_index(const jostle_scenario *s, const char *name) {
  for (int i = 0; s->params && s->params[i].name; i++)
    if (strcmp(s->params[i].name, name) == 0) return i;
  return -1;
}

uint64_t jostle__run_seed(const jostle__plan *p, uint64_t i) {
  return p->fixed_seed ? p->seed : jostle__mix(p->seed, i);
}

JOSTLE_API void *jostle_state(const jostle_run *r) { return r->state; }

JOSTLE_API long long jostle_param(const jostle_run *r, int index) {
  if ((unsigned)index < (unsigned)r->n_params) return r->params[index];
  /* The scenario's bug, which its runs report; the run itself is the
   * caller's to change (the parameter is const to say it reads). */
  jostle_fail((jostle_run *)r, "jostle_param was given an index the scenario does not declare");
  return 0;
}

JOSTLE_API int jostle_threads(const jostle_run *r) { return r->n_threads; }

JOSTLE_API unsigned long long jostle_seed(const jostle_run *r) { return r->seed; }

JOSTLE_API long long jostle_input_int(jostle_run *r, long long min, long long max) {
  if (max <= min) return min;
  uint64_t span = (uint64_t)max - (uint64_t)min, v = 0;
  jostle__input *in = r->input;
  if (in == NULL) {
    v = jostle__splitmix(&r->input_rng);
  } else {
    /* from the back, a byte at a time, as many as the span needs */
    for (uint64_t left = span; left > 0 && in->back * 8 >= in->front_bit + 8; left >>= 8)
      v = (v << 8) | in->data[--in->back];
  }
  return (long long)((uint64_t)min + (span == UINT64_MAX ? v : v % (span + 1)));
}

/* Threads of a run may observe and fail at once: a slot is claimed with
 * one atomic add (n_obs may then pass the table, settle() clamps it), and
 * the first reason is kept by compare-and-swap. The run's end (its
 * barrier) publishes both to check and to the tally. */
JOSTLE_API void jostle_observe(jostle_run *r, const char *name, long long value) {
  int i = __atomic_fetch_add(&r->n_obs, 1, __ATOMIC_RELAXED);
  if (i >= JOSTLE_MAX_OBSERVATIONS) {
    __atomic_store_n(&r->obs_overflow, 1, __ATOMIC_RELAXED);
    return;
  }
  r->obs_names[i] = name;
  r->obs_values[i] = value;
}

JOSTLE_API void jostle_fail(jostle_run *r, const char *reason) {
  const char *none = NULL;
  __atomic_compare_exchange_n(&r->reason, &none, reason != NULL ? reason : "failed", 0,
                              __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* (name, value) order: by the names' text, then by value. */
static int observation_before(const jostle_run *r, int a, int b) {
  int c = strcmp(r->obs_names[a], r->obs_names[b]);
  return c < 0 || (c == 0 && r->obs_values[a] < r->obs_values[b]);
}

void jostle__run_settle(jostle_run *r, int sort) {
  if (r->n_obs > JOSTLE_MAX_OBSERVATIONS) r->n_obs = JOSTLE_MAX_OBSERVATIONS;
  if (!sort) return;
  /* Insertion sort: a handful of entries, most often already in order. */
  for (int i = 1; i < r->n_obs; i++) {
    for (int k = i; k > 0 && observation_before(r, k, k - 1); k--) {
      const char *name = r->obs_names[k];
      long long value = r->obs_values[k];
      r->obs_names[k] = r->obs_names[k - 1];
      r->obs_values[k] = r->obs_values[k - 1];
      r->obs_names[k - 1] = name;
      r->obs_values[k - 1] = value;
    }
  }
}
