/*
 * cache_line.h: private to jostle. The cache line, and memory aligned to
 * it: data that threads write concurrently (the barrier's counters, the
 * pool, a run's state, the shared slots of worker processes) gets lines
 * of its own, so that one thread's writes do not slow down, or order, the
 * others' through false sharing.
 */
#ifndef JOSTLE_CACHE_LINE_H
#define JOSTLE_CACHE_LINE_H

#include <stddef.h>
#include <stdlib.h>

/* 64 bytes on x86-64 and on most arm64 cores. */
#define JOSTLE__CACHE_LINE 64

/* size rounded up to whole cache lines. */
static inline size_t jostle__round_to_lines(size_t size) {
  return (size + JOSTLE__CACHE_LINE - 1) & ~(size_t)(JOSTLE__CACHE_LINE - 1);
}

/* size bytes (at least one) on cache lines of their own: aligned, and
 * rounded up to whole lines, as aligned_alloc wants. free() it; NULL when
 * out of memory. */
static inline void *jostle__alloc_lines(size_t size) {
  return aligned_alloc(JOSTLE__CACHE_LINE, jostle__round_to_lines(size ? size : 1));
}

#endif
