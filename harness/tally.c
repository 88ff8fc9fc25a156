/*
 * tally.c: the outcome table (see tally.h).
 */
#include "harness/tally.h"

#include "common/hash.h"
#include "schedulers/control.h"

#include <stdio.h>
#include <string.h>

#define MAX_LOAD_NUM 3 /* the table takes new keys up to 3/4 full */
#define MAX_LOAD_DEN 4

size_t jostle__tally_size(uint32_t capacity) {
  return sizeof(jostle__tally) + (size_t)capacity * sizeof(jostle__tally_entry);
}

void jostle__tally_init(jostle__tally *t, uint32_t capacity) {
  t->capacity = capacity;
  t->n_used = 0;
}

static uint64_t key_hash(const jostle_run *r) {
  uint64_t h = JOSTLE__FNV_OFFSET;
#define MIX(v) (h = jostle__fnv1a_step(h, (uint64_t)(v)))
  if (r->verdict != JOSTLE__RUN_OK) {
    MIX(r->verdict);
    for (const char *c = r->verdict_text; *c; c++) MIX((unsigned char)*c);
    return h ? h : 1;
  }
  MIX(r->n_obs);
  MIX(r->obs_overflow);
  MIX((uintptr_t)r->reason);
  for (int i = 0; i < r->n_obs; i++) {
    MIX((uintptr_t)r->obs_names[i]);
    MIX(r->obs_values[i]);
  }
#undef MIX
  h ^= h >> 29;
  return h ? h : 1;
}

static int key_equal(const jostle__tally_entry *e, const jostle_run *r) {
  if (e->verdict != r->verdict) return 0;
  if (r->verdict != JOSTLE__RUN_OK)
    return strncmp(e->text, r->verdict_text, sizeof e->text - 1) == 0;
  if (e->n_obs != r->n_obs || e->obs_overflow != r->obs_overflow ||
      e->reason != r->reason)
    return 0;
  for (int i = 0; i < r->n_obs; i++)
    if (e->obs_names[i] != r->obs_names[i] || e->obs_values[i] != r->obs_values[i])
      return 0;
  return 1;
}

void jostle__outcome_text(const jostle_run *r, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  if (r->verdict != JOSTLE__RUN_OK) {
    snprintf(buf, size, "%s", r->verdict_text);
    return;
  }
  for (int i = 0; i < r->n_obs && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s=%lld", i ? " " : "",
                            r->obs_names[i], r->obs_values[i]);
  const char *reason = r->obs_overflow ? "more observations than jostle keeps"
                                       : r->reason;
  if (reason != NULL && len < size)
    len += (size_t)snprintf(buf + len, size - len, "%s(%s)", len ? " " : "", reason);
  if (len == 0) snprintf(buf, size, "(no observations)");
}

static jostle__class judge(const jostle_run *r, const char *text) {
  if (r->verdict == JOSTLE__RUN_DEADLOCK) return JOSTLE__DEADLOCK;
  if (r->verdict == JOSTLE__RUN_STEP_LIMIT) return JOSTLE__STEP_LIMIT;
  if (r->verdict == JOSTLE__RUN_LIMIT) return JOSTLE__LIMIT;
  if (r->reason != NULL || r->obs_overflow) return JOSTLE__DIVERGENT;
  const char *const *allowed = r->scenario->allowed;
  if (allowed == NULL) return JOSTLE__ALLOWED;
  for (; *allowed; allowed++)
    if (strcmp(*allowed, text) == 0) return JOSTLE__ALLOWED;
  return JOSTLE__DIVERGENT;
}

jostle__class jostle__tally_record(jostle__tally *t, const jostle_run *r,
                                   uint64_t run) {
  uint64_t h = key_hash(r);
  uint32_t mask = t->capacity - 1;
  for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
    jostle__tally_entry *e = &t->entries[i];
    if (e->hash == h && key_equal(e, r)) {
      e->count++;
      if (run < e->first_run) e->first_run = run;
      return e->cls;
    }
    if (e->hash != 0) continue;
    /* A key never seen: format and judge it once. */
    char text[JOSTLE__TEXT_MAX];
    jostle__outcome_text(r, text, sizeof text);
    jostle__class cls = judge(r, text);
    if ((uint64_t)(t->n_used + 1) * MAX_LOAD_DEN > (uint64_t)t->capacity * MAX_LOAD_NUM) {
      if (t->other_count[cls]++ == 0 || run < t->other_first_run[cls])
        t->other_first_run[cls] = run;
      return cls;
    }
    e->count = 1;
    e->first_run = run;
    e->cls = cls;
    e->verdict = r->verdict;
    e->n_obs = r->n_obs;
    e->obs_overflow = r->obs_overflow;
    e->reason = r->reason;
    memcpy(e->obs_names, r->obs_names, sizeof e->obs_names);
    memcpy(e->obs_values, r->obs_values, sizeof e->obs_values);
    memcpy(e->text, text, sizeof e->text);
    e->hash = h;
    t->n_used++;
    return cls;
  }
}
