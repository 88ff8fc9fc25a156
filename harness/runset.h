/*
 * runset.h: private to jostle. A set of run indices of one cell, kept as
 * sorted, disjoint, non-adjacent ranges: which runs are done. A soak
 * journals the runs each batch did, and a resumed soak runs exactly the
 * ones missing.
 */
#ifndef JOSTLE_RUNSET_H
#define JOSTLE_RUNSET_H

#include <stddef.h>
#include <stdint.h>

/* The runs begin, begin + 1, ..., end - 1. */
typedef struct jostle__range {
  uint64_t begin, end;
} jostle__range;

/* Zero-initialised, a set is empty. */
typedef struct jostle__runset {
  size_t n;                /* ranges in use */
  size_t cap;
  jostle__range *ranges;   /* owned; sorted, with gaps between them */
} jostle__runset;

/* Adds [begin, end) (nothing when it is empty). Returns 0, or -1 when out
 * of memory (the set is then unchanged). */
int jostle__runset_add(jostle__runset *s, uint64_t begin, uint64_t end);

/* Removes [begin, end). Returns 0, or -1 when out of memory (unchanged). */
int jostle__runset_remove(jostle__runset *s, uint64_t begin, uint64_t end);

/* How many runs the set holds. */
uint64_t jostle__runset_count(const jostle__runset *s);

/* Whether some run of [begin, end) is in the set. */
int jostle__runset_overlaps(const jostle__runset *s, uint64_t begin, uint64_t end);

/* Writes to out, in order, up to `max` ranges of the runs of [lo, hi) that
 * are not in the set; returns how many it wrote. */
size_t jostle__runset_missing(const jostle__runset *s, uint64_t lo, uint64_t hi,
                              jostle__range *out, size_t max);

/* Frees what the set owns; it is empty after and may be reused. */
void jostle__runset_free(jostle__runset *s);

#endif
