/*
 * hash.h: private to jostle. FNV-1a, 64 bits (Fowler, Noll and Vo): the
 * checksum of schedule files, the hash of a run's schedule, the keys of
 * the outcome table. One xor and one multiply per step; fast and well
 * spread, but no defence against inputs chosen to collide.
 */
#ifndef JOSTLE_HASH_H
#define JOSTLE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define JOSTLE__FNV_OFFSET 0xcbf29ce484222325ULL /* the hash of nothing */
#define JOSTLE__FNV_PRIME 0x100000001b3ULL

/* The hash h extended by the value v. The textbook step takes one byte;
 * the schedule hash and the outcome table step with wider values whole,
 * which is as cheap and keeps every hash they ever made. Inline: the
 * schedule hash takes a step per decision of a controlled run. */
static inline uint64_t jostle__fnv1a_step(uint64_t h, uint64_t v) {
  return (h ^ v) * JOSTLE__FNV_PRIME;
}

/* The hash of the n bytes at p. */
static inline uint64_t jostle__fnv1a(const void *p, size_t n) {
  const unsigned char *bytes = p;
  uint64_t h = JOSTLE__FNV_OFFSET;
  for (size_t i = 0; i < n; i++) h = jostle__fnv1a_step(h, bytes[i]);
  return h;
}

#endif
