/*
 * runset.c: sets of run indices (runset.h). Sets stay small (a soak's cell
 * has one range, plus a hole per worker at most after an interruption), so
 * updates are linear.
 */
#include "harness/runset.h"

#include <stdlib.h>
#include <string.h>

static int reserve(jostle__runset *s, size_t n) {
  if (n <= s->cap) return 0;
  size_t cap = s->cap ? 2 * s->cap : 4;
  while (cap < n) cap *= 2;
  jostle__range *grown = realloc(s->ranges, cap * sizeof *grown);
  if (grown == NULL) return -1;
  s->ranges = grown;
  s->cap = cap;
  return 0;
}

int jostle__runset_add(jostle__runset *s, uint64_t begin, uint64_t end) {
  if (begin >= end) return 0;
  if (reserve(s, s->n + 1) != 0) return -1;
  /* ranges [i, j) touch the new one (adjacent ones included) and merge */
  size_t i = 0, j;
  while (i < s->n && s->ranges[i].end < begin) i++;
  for (j = i; j < s->n && s->ranges[j].begin <= end; j++) {
    if (s->ranges[j].begin < begin) begin = s->ranges[j].begin;
    if (s->ranges[j].end > end) end = s->ranges[j].end;
  }
  if (i == j) {
    memmove(&s->ranges[i + 1], &s->ranges[i], (s->n - i) * sizeof *s->ranges);
    s->n++;
  } else {
    memmove(&s->ranges[i + 1], &s->ranges[j], (s->n - j) * sizeof *s->ranges);
    s->n -= j - i - 1;
  }
  s->ranges[i] = (jostle__range){begin, end};
  return 0;
}

int jostle__runset_remove(jostle__runset *s, uint64_t begin, uint64_t end) {
  if (begin >= end || s->n == 0) return 0;
  /* a range that holds [begin, end) strictly inside splits in two */
  jostle__range *kept = malloc((s->n + 1) * sizeof *kept);
  if (kept == NULL) return -1;
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++) {
    jostle__range cur = s->ranges[i];
    if (cur.end <= begin || cur.begin >= end) {
      kept[n++] = cur;
      continue;
    }
    if (cur.begin < begin) kept[n++] = (jostle__range){cur.begin, begin};
    if (cur.end > end) kept[n++] = (jostle__range){end, cur.end};
  }
  free(s->ranges);
  s->cap = s->n + 1;
  s->ranges = kept;
  s->n = n;
  return 0;
}

uint64_t jostle__runset_count(const jostle__runset *s) {
  uint64_t n = 0;
  for (size_t i = 0; i < s->n; i++) n += s->ranges[i].end - s->ranges[i].begin;
  return n;
}

int jostle__runset_overlaps(const jostle__runset *s, uint64_t begin, uint64_t end) {
  if (begin >= end) return 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->ranges[i].begin < end && s->ranges[i].end > begin) return 1;
  return 0;
}

size_t jostle__runset_missing(const jostle__runset *s, uint64_t lo, uint64_t hi,
                              jostle__range *out, size_t max) {
  size_t n = 0;
  uint64_t at = lo;
  for (size_t i = 0; i < s->n && at < hi && n < max; i++) {
    const jostle__range *r = &s->ranges[i];
    if (r->end <= at) continue;
    if (r->begin > at) out[n++] = (jostle__range){at, r->begin < hi ? r->begin : hi};
    at = r->end;
  }
  if (at < hi && n < max) out[n++] = (jostle__range){at, hi};
  return n;
}

void jostle__runset_free(jostle__runset *s) {
  free(s->ranges);
  memset(s, 0, sizeof *s);
}
