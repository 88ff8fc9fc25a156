/*
 * seed.h: private to jostle. Seeds and the pseudo-random generator that
 * every scheduler and placement decision draws from.
 *
 * Run i of a campaign has seed jostle__mix(campaign_seed, i): any run can be
 * named, and replayed, on its own. splitmix64 (Steele, Lea and Flood,
 * OOPSLA 2014) is both the mixer and the generator: one add and three
 * multiply-xorshifts, and every output of a fresh state is well mixed.
 */
#ifndef JOSTLE_SEED_H
#define JOSTLE_SEED_H

#include <stdint.h>

#define JOSTLE__GOLDEN 0x9e3779b97f4a7c15ULL

static inline uint64_t jostle__splitmix(uint64_t *state) {
  uint64_t z = (*state += JOSTLE__GOLDEN);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The seed of item `i` derived from `seed`: runs of a campaign, threads of
 * a run. Distinct i give independent-looking seeds. */
static inline uint64_t jostle__mix(uint64_t seed, uint64_t i) {
  uint64_t state = seed ^ (i * 0xd1342543de82ef95ULL);
  (void)jostle__splitmix(&state);
  return jostle__splitmix(&state);
}

/* A uniform draw in [0, n), n > 0 (Lemire's multiply-shift). */
static inline uint32_t jostle__below(uint64_t *state, uint32_t n) {
  return (uint32_t)(((jostle__splitmix(state) >> 32) * (uint64_t)n) >> 32);
}

#endif
