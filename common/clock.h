/*
 * clock.h: private to jostle. The monotonic clock that campaigns, soaks
 * and benchmarks measure elapsed time with: it never jumps when the wall
 * clock is set. (Timestamps in reports are wall-clock time, taken where
 * they are made, reports/meta.c.)
 */
#ifndef JOSTLE_CLOCK_H
#define JOSTLE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds since an arbitrary start, the same for every thread and
 * process of the machine (CLOCK_MONOTONIC). */
static inline uint64_t jostle__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif
