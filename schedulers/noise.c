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
#include "schedulers/noise.h"
#include "schedulers/sched.h"

typedef jostle__noise_opts noise_opts;
typedef jostle__noise_thread noise_thread;

static const jostle__sched_option noise_options[] = {
    {.name = "noise-p", .metavar = "P", .type = JOSTLE__OPT_PROB,
     .help = "chance of acting at a yield or sync point",
     .offset = offsetof(noise_opts, p), .def.p = 0.1},
    {.name = "noise-access-p", .metavar = "P", .type = JOSTLE__OPT_PROB,
     .help = "chance at a load, store or atomic",
     .offset = offsetof(noise_opts, access_p), .def.p = 0.002},
    {.name = "noise-mix", .metavar = "Y:S:Z", .type = JOSTLE__OPT_WEIGHTS,
     .help = "weights of yield, spin, sleep",
     .offset = offsetof(noise_opts, weights), .def.w = {1, 2, 1}},
    {0},
};

static void noise_opts_default(void *opts) {
  noise_opts *o = opts;
  o->spin_max = 2000;
  o->sleep_max_us = 20;
}

static const char *noise_validate(const jostle__sched_cfg *cfg) {
  const noise_opts *o = (const void *)cfg->opts;
  if (!(o->p >= 0.0 && o->p <= 1.0) || !(o->access_p >= 0.0 && o->access_p <= 1.0))
    return "noise probability must be between 0 and 1";
  if (o->weights[0] + o->weights[1] + o->weights[2] == 0)
    return "noise mix must give some action a weight above 0";
  return NULL;
}

static void noise_begin(jostle__thread *t, uint64_t run_seed) {
  const noise_opts *o = (const void *)t->cfg->opts;
  noise_thread *n = (void *)t->state;
  n->rng = jostle__mix(run_seed, (uint64_t)t->index);
  /* A 32-bit draw acts when below the threshold: 2^32 for p = 1 acts always. */
  n->threshold = (uint64_t)(o->p * 4294967296.0);
  n->access_threshold = (uint64_t)(o->access_p * 4294967296.0);
  n->cut[0] = o->weights[0];
  n->cut[1] = n->cut[0] + o->weights[1];
  n->total = n->cut[1] + o->weights[2];
}

static void noise_point(jostle__thread *t, const jostle__point *p) {
  noise_thread *n = (void *)t->state;
  int access = p->kind == JOSTLE__POINT_READ || p->kind == JOSTLE__POINT_WRITE ||
               p->kind == JOSTLE__POINT_ATOMIC;
  uint64_t draw = jostle__splitmix(&n->rng);
  if ((uint64_t)(uint32_t)draw >= (access ? n->access_threshold : n->threshold)) return;
  uint32_t pick = (uint32_t)(((draw >> 32) * n->total) >> 32);
  const noise_opts *o = (const void *)t->cfg->opts;
  /* System calls, not the libc functions: programs with scenarios wrap
   * those (sync_wrap.c), and the wrappers call back into this point. */
  if (pick < n->cut[0]) {
    syscall(SYS_sched_yield);
  } else if (pick < n->cut[1]) {
    uint32_t k = jostle__below(&n->rng, o->spin_max + 1);
    for (uint32_t i = 0; i < k; i++) jostle__cpu_relax();
  } else {
    uint32_t us = 1 + jostle__below(&n->rng, o->sleep_max_us);
    struct timespec ts = {0, (long)us * 1000};
    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
  }
}

const jostle__sched_ops jostle__sched_noise = {
    .name = "noise",
    .summary = "random yield, spin or short sleep at each point (--noise-p, --noise-mix)",
    .options = noise_options,
    .opts_size = sizeof(noise_opts),
    .opts_default = noise_opts_default,
    .validate = noise_validate,
    .thread_size = sizeof(noise_thread),
    .begin = noise_begin,
    .point = noise_point,
};
