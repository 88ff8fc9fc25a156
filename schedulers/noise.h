/*
 * noise.h: private to the noise scheduler (noise.c) and its tests: its
 * options (jostle__sched_cfg.opts) and a thread's state
 * (jostle__thread.state).
 */
#ifndef JOSTLE_NOISE_H
#define JOSTLE_NOISE_H

#include <stdint.h>

typedef struct jostle__noise_opts {
  double p;                 /* chance of acting at a yield or sync point */
  double access_p;          /* chance at a load, store or atomic */
  unsigned weights[3];      /* relative weights of yield, spin, sleep */
  unsigned spin_max;        /* longest spin, in pause iterations */
  unsigned sleep_max_us;    /* longest sleep, in microseconds */
} jostle__noise_opts;

typedef struct jostle__noise_thread {
  uint64_t rng;             /* every decision draws from it */
  uint64_t threshold;       /* p scaled to 2^32 (p = 1: 2^32) */
  uint64_t access_threshold; /* access_p, likewise */
  uint32_t cut[2];          /* cumulative weights: yield | spin | sleep */
  uint32_t total;
} jostle__noise_thread;

#endif
