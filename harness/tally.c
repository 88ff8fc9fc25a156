/*
 * tally.c: the outcome table (see tally.h), and the merge of a campaign's
 * tallies into its cell.
 */
#include "harness/tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "common/hash.h"
#include "common/text.h"
#include "harness/program.h"
#include "schedulers/control.h"

#define MAX_LOAD_NUM 3 /* the index and the marks take keys up to 3/4 full */
#define MAX_LOAD_DEN 4
/* Folded outcomes counted per outcome listed: enough to say how many
 * outcomes a campaign of several times more than it lists left out. */
#define FOLDED_PER_KEPT 8

static int full(uint32_t n_used, uint32_t capacity) {
  return (uint64_t)(n_used + 1) * MAX_LOAD_DEN > (uint64_t)capacity * MAX_LOAD_NUM;
}

static uint32_t power_of_two_at_least(uint64_t n) {
  uint32_t c = 4;
  while (c < n) c *= 2;
  return c;
}

/* The index holds the listed keys and at least as many folded ones. */
static uint32_t index_capacity(uint32_t n_kept) {
  return power_of_two_at_least((uint64_t)n_kept * 2 * MAX_LOAD_DEN / MAX_LOAD_NUM);
}

static uint32_t folded_capacity(uint32_t n_kept) {
  return power_of_two_at_least((uint64_t)n_kept * FOLDED_PER_KEPT * MAX_LOAD_DEN / MAX_LOAD_NUM);
}

size_t jostle__tally_size(uint32_t n_kept) {
  return sizeof(jostle__tally) + (size_t)n_kept * sizeof(jostle__tally_entry) +
         (size_t)index_capacity(n_kept) * sizeof(jostle__tally_slot) +
         (size_t)folded_capacity(n_kept) * sizeof(uint64_t);
}

static jostle__tally_entry *entries_of(const jostle__tally *t) {
  return (jostle__tally_entry *)((char *)t + sizeof *t);
}

static jostle__tally_slot *slots_of(const jostle__tally *t) {
  return (jostle__tally_slot *)(entries_of(t) + t->n_kept_max);
}

static uint64_t *marks_of(const jostle__tally *t) {
  return (uint64_t *)(slots_of(t) + t->index_capacity);
}

const jostle__tally_entry *jostle__tally_entries(const jostle__tally *t) {
  return entries_of(t);
}

void jostle__tally_init(jostle__tally *t, uint32_t n_kept) {
  JOSTLE_ASSERT(n_kept > 0);
  t->n_kept_max = n_kept;
  t->index_capacity = index_capacity(n_kept);
  t->folded_capacity = folded_capacity(n_kept);
  t->n_folded_max = n_kept * FOLDED_PER_KEPT;
  t->recorded = -1;
}

/* --- keys ------------------------------------------------------------------ */

/* The hash of a key; an abandoned run's is of its text as far as an entry
 * keeps it. */
static uint64_t key_hash(int verdict, const char *verdict_text, int n_obs, int obs_overflow,
                         const char *reason, const char *const *names,
                         const long long *values) {
  uint64_t h = JOSTLE__FNV_OFFSET;
#define MIX(v) (h = jostle__fnv1a_step(h, (uint64_t)(v)))
  if (verdict != JOSTLE__RUN_OK) {
    MIX(verdict);
    for (int i = 0; i < JOSTLE__TEXT_MAX - 1 && verdict_text[i]; i++)
      MIX((unsigned char)verdict_text[i]);
  } else {
    MIX(n_obs);
    MIX(obs_overflow);
    MIX((uintptr_t)reason);
    for (int i = 0; i < n_obs; i++) {
      MIX((uintptr_t)names[i]);
      MIX(values[i]);
    }
  }
#undef MIX
  h ^= h >> 29;
  return h ? h : 1;
}

static uint64_t run_hash(const jostle_run *r) {
  return key_hash(r->verdict, r->verdict_text, r->n_obs, r->obs_overflow, r->reason,
                  r->obs_names, r->obs_values);
}

static uint64_t entry_hash(const jostle__tally_entry *e) {
  const jostle__tally_key *k = &e->key;
  return key_hash(k->verdict, e->text, k->n_obs, k->obs_overflow, k->reason, k->obs_names,
                  k->obs_values);
}

static void key_of(const jostle_run *r, jostle__tally_key *k) {
  k->verdict = r->verdict;
  k->n_obs = r->n_obs;
  k->obs_overflow = r->obs_overflow;
  k->reason = r->reason;
  memcpy(k->obs_names, r->obs_names, sizeof k->obs_names);
  memcpy(k->obs_values, r->obs_values, sizeof k->obs_values);
}

/* The listed outcome slot s stands for, or NULL when its key is folded. */
static jostle__tally_entry *live_entry(const jostle__tally *t, const jostle__tally_slot *s) {
  if (s->entry < 0) return NULL;
  jostle__tally_entry *e = &entries_of(t)[s->entry];
  return e->generation == s->generation ? e : NULL;
}

static int slot_matches(const jostle__tally *t, const jostle__tally_slot *s,
                        const jostle_run *r) {
  const jostle__tally_key *k = &s->key;
  if (k->verdict != r->verdict) return 0;
  if (r->verdict != JOSTLE__RUN_OK) {
    /* keyed by a text only an entry holds: folded ones are not kept */
    const jostle__tally_entry *e = live_entry(t, s);
    return e != NULL && strncmp(e->text, r->verdict_text, sizeof e->text - 1) == 0;
  }
  if (k->n_obs != r->n_obs || k->obs_overflow != r->obs_overflow || k->reason != r->reason)
    return 0;
  for (int i = 0; i < r->n_obs; i++)
    if (k->obs_names[i] != r->obs_names[i] || k->obs_values[i] != r->obs_values[i]) return 0;
  return 1;
}

/* The slot of r's key, or the empty slot where it would go. */
static jostle__tally_slot *find_slot(const jostle__tally *t, const jostle_run *r, uint64_t h) {
  jostle__tally_slot *slots = slots_of(t);
  uint32_t mask = t->index_capacity - 1;
  for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask)
    if (slots[i].hash == 0 || (slots[i].hash == h && slot_matches(t, &slots[i], r)))
      return &slots[i];
}

static void set_slot(jostle__tally_slot *s, uint64_t h, const jostle__tally_key *k,
                     int32_t entry, uint32_t generation, jostle__class cls) {
  s->key = *k;
  s->entry = entry;
  s->generation = generation;
  s->cls = cls;
  s->hash = h; /* last: a slot half written is still empty */
}

void jostle__tally_adopt(jostle__tally *t) {
  jostle__tally_slot *slots = slots_of(t);
  uint32_t mask = t->index_capacity - 1;
  /* no slot is written before the first outcome is listed */
  if (t->n_kept > 0) memset(slots, 0, (size_t)t->index_capacity * sizeof *slots);
  t->n_index = 0;
  jostle__tally_entry *es = entries_of(t);
  for (uint32_t e = 0; e < t->n_kept; e++) {
    uint64_t h = entry_hash(&es[e]);
    uint32_t i = (uint32_t)h & mask;
    while (slots[i].hash != 0) i = (i + 1) & mask;
    set_slot(&slots[i], h, &es[e].key, (int32_t)e, es[e].generation, es[e].cls);
    t->n_index++;
  }
}

/* --- the outcome ------------------------------------------------------------ */

/* The outcome of r's observations and reason: what its check said. */
static void check_text(const jostle_run *r, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < r->n_obs && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s=%lld", i ? " " : "",
                            r->obs_names[i], r->obs_values[i]);
  const char *reason = r->obs_overflow ? "more observations than jostle keeps"
                                       : r->reason;
  if (reason != NULL && len < size)
    len += (size_t)snprintf(buf + len, size - len, "%s(%s)", len ? " " : "", reason);
  if (len == 0) snprintf(buf, size, "(no observations)");
  /* As the JSON results hold it, so that every report says the same. */
  if (len >= size) jostle__utf8_cut(buf);
  jostle__utf8_clean(buf);
}

void jostle__outcome_text(const jostle_run *r, char *buf, size_t size) {
  if (r->verdict != JOSTLE__RUN_OK) snprintf(buf, size, "%s", r->verdict_text);
  else check_text(r, buf, size);
}

/* What r's check judged its outcome `text` (check_text): allowed or
 * divergent. */
static jostle__class judge_check(const jostle_run *r, const char *text) {
  if (r->reason != NULL || r->obs_overflow) return JOSTLE__DIVERGENT;
  const char *const *allowed = r->scenario->allowed;
  if (allowed == NULL) return JOSTLE__ALLOWED;
  for (; *allowed; allowed++)
    if (strcmp(*allowed, text) == 0) return JOSTLE__ALLOWED;
  return JOSTLE__DIVERGENT;
}

static jostle__class judge(const jostle_run *r, const char *text) {
  if (r->verdict == JOSTLE__RUN_DEADLOCK) return JOSTLE__DEADLOCK;
  if (r->verdict == JOSTLE__RUN_STEP_LIMIT) return JOSTLE__STEP_LIMIT;
  if (r->verdict == JOSTLE__RUN_LIMIT) return JOSTLE__LIMIT;
  if (r->verdict == JOSTLE__RUN_RACE) return JOSTLE__RACE;
  if (r->verdict == JOSTLE__RUN_CRASH) return JOSTLE__CRASH;
  if (r->verdict == JOSTLE__RUN_PRINTED)
    return jostle__program_printed_allowed(text) ? JOSTLE__ALLOWED : JOSTLE__DIVERGENT;
  return judge_check(r, text);
}

/* A race's run was checked too: counts the runs of entry e whose check
 * judged them divergent, and keeps what the check of its first run said
 * (`first`: run r is now e's first). */
static void note_check(jostle__tally_entry *e, const jostle_run *r, int first) {
  if (r->verdict != JOSTLE__RUN_RACE) return;
  char text[JOSTLE__TEXT_MAX] = "";
  /* the text is needed for a list of allowed outcomes, or to be kept */
  if (first || r->scenario->allowed != NULL) check_text(r, text, sizeof text);
  jostle__class cls = judge_check(r, text);
  e->n_check_divergent += cls == JOSTLE__DIVERGENT;
  if (first) jostle__race_check_detail(text, cls, e->check, sizeof e->check);
}

/* --- listed and folded ------------------------------------------------------ */

/* What the marks of folded outcomes hold: the content hash (all but its
 * last 3 bits) and the class. Never 0, which marks an empty place. */
static uint64_t mark(uint64_t order, jostle__class cls) {
  uint64_t m = (order & ~(uint64_t)7) | (uint64_t)cls;
  return m ? m : 8;
}

static void add_mark(jostle__tally *t, uint64_t m) {
  uint64_t *marks = marks_of(t);
  uint32_t mask = t->folded_capacity - 1, i = (uint32_t)(m >> 3) & mask;
  for (; marks[i] != 0; i = (i + 1) & mask)
    if (marks[i] == m) return;
  if (t->n_folded == t->n_folded_max) {
    t->folded_overflow = 1;
    return;
  }
  marks[i] = m;
  t->n_folded++;
}

static void count_other(jostle__tally *t, jostle__class cls, uint64_t count, uint64_t first_run) {
  if (t->other_count[cls] == 0 || first_run < t->other_first_run[cls])
    t->other_first_run[cls] = first_run;
  t->other_count[cls] += count;
}

static int cmp_entry(uint64_t order, const char *text, jostle__class cls,
                     const jostle__tally_entry *e) {
  return jostle__outcome_cmp(order, text, cls, e->order, e->text, e->cls);
}

/* The listed outcome last in content order. */
static int32_t last_in_order(const jostle__tally *t) {
  const jostle__tally_entry *es = entries_of(t);
  uint32_t last = 0;
  for (uint32_t i = 1; i < t->n_kept; i++)
    if (cmp_entry(es[i].order, es[i].text, es[i].cls, &es[last]) > 0) last = i;
  return (int32_t)last;
}

/* Counts run `run` of a key new to the index, whose outcome is `text` of
 * class cls; returns the entry that lists it, or -1 when it is folded. */
static int32_t place(jostle__tally *t, const jostle_run *r, const char *text,
                     jostle__class cls, uint64_t run) {
  jostle__tally_entry *es = entries_of(t);
  uint64_t order = jostle__outcome_order(text);
  int is_full = t->n_kept == t->n_kept_max;
  if (is_full && cmp_entry(order, text, cls, &es[t->last]) > 0) {
    count_other(t, cls, 1, run);
    add_mark(t, mark(order, cls));
    return -1;
  }
  /* names from two string literals of one text are two keys of one outcome */
  for (uint32_t i = 0; i < t->n_kept; i++)
    if (es[i].order == order && cmp_entry(order, text, cls, &es[i]) == 0) {
      es[i].count++;
      int first = run < es[i].first_run;
      if (first) {
        es[i].first_run = run;
        es[i].output[0] = '\0';
        es[i].race_report[0] = '\0';
      }
      note_check(&es[i], r, first);
      return (int32_t)i;
    }
  int32_t at = is_full ? t->last : (int32_t)t->n_kept;
  jostle__tally_entry *e = &es[at];
  if (is_full) {
    count_other(t, e->cls, e->count, e->first_run);
    add_mark(t, mark(e->order, e->cls));
  }
  e->generation++; /* the slots of the evicted outcome now read as folded */
  e->order = order;
  e->count = 1;
  e->first_run = run;
  e->output[0] = '\0';
  e->n_check_divergent = 0;
  e->check[0] = '\0';
  e->race_report[0] = '\0';
  note_check(e, r, 1);
  e->cls = cls;
  key_of(r, &e->key);
  memcpy(e->text, text, sizeof e->text);
  if (!is_full) t->n_kept++;
  if (t->n_kept == t->n_kept_max) t->last = last_in_order(t);
  return at;
}

jostle__class jostle__tally_record(jostle__tally *t, const jostle_run *r,
                                   uint64_t run) {
  uint64_t h = run_hash(r);
  jostle__tally_slot *s = find_slot(t, r, h);
  if (s->hash == 0 && full(t->n_index, t->index_capacity)) {
    jostle__tally_adopt(t); /* forgets the folded keys */
    s = find_slot(t, r, h);
  }
  if (s->hash != 0) {
    jostle__tally_entry *e = live_entry(t, s);
    if (e == NULL) {
      count_other(t, s->cls, 1, run);
      t->recorded = -1;
      return s->cls;
    }
    e->count++;
    int first = run < e->first_run;
    if (first) {
      e->first_run = run;
      e->output[0] = '\0';
      e->race_report[0] = '\0';
    }
    note_check(e, r, first);
    t->recorded = (int32_t)(e - entries_of(t));
    return e->cls;
  }
  /* A key new to the index: format, judge and place it once. */
  char text[JOSTLE__TEXT_MAX];
  jostle__outcome_text(r, text, sizeof text);
  jostle__class cls = judge(r, text);
  int32_t at = place(t, r, text, cls, run);
  t->recorded = at;
  if (at < 0 && r->verdict != JOSTLE__RUN_OK) return cls; /* keyed by a text not kept */
  jostle__tally_key k;
  key_of(r, &k);
  set_slot(s, h, &k, at, at >= 0 ? entries_of(t)[at].generation : 0, cls);
  t->n_index++;
  return cls;
}

jostle__tally_entry *jostle__tally_first(jostle__tally *t, uint64_t run) {
  if (t->recorded < 0) return NULL;
  jostle__tally_entry *e = &entries_of(t)[t->recorded];
  return e->first_run == run ? e : NULL;
}

void jostle__tally_output(jostle__tally *t, uint64_t run, const char *bytes, size_t n) {
  if (t->recorded < 0) return;
  jostle__tally_entry *e = &entries_of(t)[t->recorded];
  if (e->first_run == run) jostle__output_keep(e->output, bytes, n);
}

/* --- a campaign's tallies into its cell ------------------------------------- */

typedef struct collected {
  uint64_t other_count[JOSTLE__N_CLASSES];
  uint64_t other_first_run[JOSTLE__N_CLASSES];
  uint64_t *marks;              /* of every folded outcome, repeats included */
  size_t n_marks;
} collected;

static void add_other(collected *c, jostle__class cls, uint64_t count, uint64_t first_run) {
  if (count == 0) return;
  if (c->other_count[cls] == 0 || first_run < c->other_first_run[cls])
    c->other_first_run[cls] = first_run;
  c->other_count[cls] += count;
}

static void fold_collected(void *ctx, const jostle__outcome *o) {
  collected *c = ctx;
  add_other(c, o->cls, o->count, o->first_run);
  c->marks[c->n_marks++] = mark(jostle__outcome_order(o->text), o->cls);
}

static int by_value(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The distinct folded outcomes of each class, or 0 when not all were
 * counted: a tally counts n_folded_max at most, and so does the campaign,
 * so that what it says is the same however its runs were spread. */
static int count_folded(collected *c, int overflow, uint32_t n_folded_max,
                        uint64_t n_distinct[JOSTLE__N_CLASSES]) {
  qsort(c->marks, c->n_marks, sizeof *c->marks, by_value);
  uint64_t total = 0;
  for (size_t i = 0; i < c->n_marks; i++) {
    if (i > 0 && c->marks[i] == c->marks[i - 1]) continue;
    n_distinct[c->marks[i] & 7]++;
    total++;
  }
  return !overflow && total <= n_folded_max;
}

/* Whether t folded any run, and so may hold marks (a mark is made after
 * its runs are counted): the marks of a tally that did not were never
 * touched, and the parent need not read their pages in. */
static int folded_any(const jostle__tally *t) {
  for (int k = 0; k < JOSTLE__N_CLASSES; k++)
    if (t->other_count[k] != 0) return 1;
  return 0;
}

int jostle__tally_collect(jostle__tally *const *tallies, int n, const jostle__plan *p,
                          jostle__cell *out) {
  uint32_t n_listed = tallies[0]->n_kept_max;
  size_t n_marks = 0;
  int overflow = 0;
  collected c;
  memset(&c, 0, sizeof c);
  for (int i = 0; i < n; i++) {
    const jostle__tally *t = tallies[i];
    JOSTLE_ASSERT(t->n_kept_max == n_listed);
    const uint64_t *marks = marks_of(t);
    for (uint32_t m = 0; folded_any(t) && m < t->folded_capacity; m++) n_marks += marks[m] != 0;
    overflow |= t->folded_overflow;
    for (int k = 0; k < JOSTLE__N_CLASSES; k++)
      add_other(&c, (jostle__class)k, t->other_count[k], t->other_first_run[k]);
    const jostle__tally_entry *es = entries_of(t);
    for (uint32_t e = 0; e < t->n_kept; e++) {
      if (es[e].count == 0) continue;
      if (jostle__cell_append(out, es[e].cls, es[e].text, es[e].count, es[e].first_run,
                              jostle__run_seed(p, es[e].first_run)) != 0)
        return -1;
      jostle__outcome *o = &out->outcomes[out->n_outcomes - 1];
      memcpy(o->output, es[e].output, sizeof es[e].output);
      o->n_check_divergent = es[e].n_check_divergent;
      snprintf(o->detail, sizeof o->detail, "%s", es[e].check);
      memcpy(o->race_report, es[e].race_report, sizeof o->race_report);
      memcpy(o->race_steps, es[e].race_steps, sizeof o->race_steps);
    }
  }
  c.marks = malloc((n_marks + out->n_outcomes + 1) * sizeof *c.marks);
  if (c.marks == NULL) return -1;
  for (int i = 0; i < n; i++) {
    const uint64_t *marks = marks_of(tallies[i]);
    for (uint32_t m = 0; folded_any(tallies[i]) && m < tallies[i]->folded_capacity; m++)
      if (marks[m] != 0) c.marks[c.n_marks++] = marks[m];
  }
  int rc = jostle__cell_cut(out, n_listed, fold_collected, &c);
  uint64_t n_distinct[JOSTLE__N_CLASSES] = {0};
  int counted = rc == 0 && count_folded(&c, overflow, tallies[0]->n_folded_max, n_distinct);
  free(c.marks);
  for (int k = 0; rc == 0 && k < JOSTLE__N_CLASSES; k++) {
    if (c.other_count[k] == 0) continue;
    char text[JOSTLE__TEXT_MAX];
    jostle__other_text((jostle__class)k, counted ? n_distinct[k] : JOSTLE__UNCOUNTED, n_listed,
                       text, sizeof text);
    rc = jostle__cell_append(out, (jostle__class)k, text, c.other_count[k],
                             c.other_first_run[k], jostle__run_seed(p, c.other_first_run[k]));
  }
  return rc;
}
