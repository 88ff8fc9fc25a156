/*
 * noise.c: the `noise` scheduler, randomized delay injection in the spirit
 * of IBM ConTest's noise makers and KCSAN's delays.
 *
 * At each scheduling point, with probability noise_p, the thread either
 * gives up its processor (sched_yield), spins for a random number of
 * pauses, or sleeps for a random few microseconds, chosen by the weights.
 * Instrumented loads, stores and atomics are far more frequent than yields
 * and synchronisation calls, so they act with their own, much smaller
 * probability noise_access_p (KCSAN's delays are as sparse).
 * Every decision comes from the thread's generator, seeded from the run's
 * seed and the thread's index: replaying a seed re-applies the same
 * decisions at the same points (the timing they meet may differ).
 */
#include <stddef.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/cpu.h"
#include "common/seed.h"
#include "schedulers/sched.h"

static const char *noise_validate(const jostle__sched_cfg *cfg) {
  if (!(cfg->noise_p >= 0.0 && cfg->noise_p <= 1.0) ||
      !(cfg->noise_access_p >= 0.0 && cfg->noise_access_p <= 1.0))
    return "noise probability must be between 0 and 1";
  if (cfg->noise_weights[0] + cfg->noise_weights[1] + cfg->noise_weights[2] == 0)
    return "noise mix must give some action a weight above 0";
  return NULL;
}

static void noise_begin(jostle__thread *t, uint64_t run_seed) {
  const jostle__sched_cfg *cfg = t->cfg;
  t->rng = jostle__mix(run_seed, (uint64_t)t->index);
  /* A 32-bit draw acts when below the threshold: 2^32 for p = 1 acts always. */
  t->noise_threshold = (uint64_t)(cfg->noise_p * 4294967296.0);
  t->noise_access_threshold = (uint64_t)(cfg->noise_access_p * 4294967296.0);
  t->noise_cut[0] = cfg->noise_weights[0];
  t->noise_cut[1] = t->noise_cut[0] + cfg->noise_weights[1];
  t->noise_total = t->noise_cut[1] + cfg->noise_weights[2];
}

static void noise_point(jostle__thread *t, const jostle__point *p) {
  int access = p->kind == JOSTLE__POINT_READ || p->kind == JOSTLE__POINT_WRITE ||
               p->kind == JOSTLE__POINT_ATOMIC;
  uint64_t draw = jostle__splitmix(&t->rng);
  if ((uint64_t)(uint32_t)draw >= (access ? t->noise_access_threshold : t->noise_threshold))
    return;
  uint32_t pick = (uint32_t)(((draw >> 32) * t->noise_total) >> 32);
  /* System calls, not the libc functions: programs with scenarios wrap
   * those (sync_wrap.c), and the wrappers call back into this point. */
  if (pick < t->noise_cut[0]) {
    syscall(SYS_sched_yield);
  } else if (pick < t->noise_cut[1]) {
    uint32_t n = jostle__below(&t->rng, t->cfg->noise_spin_max + 1);
    for (uint32_t i = 0; i < n; i++) jostle__cpu_relax();
  } else {
    uint32_t us = 1 + jostle__below(&t->rng, t->cfg->noise_sleep_max_us);
    struct timespec ts = {0, (long)us * 1000};
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
  }
}

const jostle__sched_ops jostle__sched_noise = {
    .name = "noise",
    .summary = "random yield, spin or short sleep at each point (--noise-p, --noise-mix)",
    .validate = noise_validate,
    .begin = noise_begin,
    .point = noise_point,
};
