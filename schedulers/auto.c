/*
 * auto.c: the `auto` scheduler, a portfolio of the controlled strategies.
 *
 * No strategy finds every bug soonest: pct is strong on bugs of small
 * depth, pos on races between the next operations of two threads, surw
 * where short threads must interleave with long ones, and a random walk
 * on whatever the others' biases miss. auto runs them all in one
 * campaign, dealt out by run index: run i runs under member i mod K, the
 * members being every controlled strategy in the registry, in its order
 * (jostle__portfolio_members). The member of a run is a function of its
 * index alone, never of the worker that ran it, so shards, -j N and a
 * soak's batches deal the same runs to the same members.
 *
 * Each member has a control of its own (harness/pool.c), with its own
 * options at their defaults and its own calibration (pct's steps, surw's
 * profile), exactly as under --scheduler NAME: a run under auto is the
 * run with the same seed under its member, and its reproduce command
 * names the member, which replays it exactly. The table below has no
 * hooks: the pool switches to the member's control before each run.
 */
#include <string.h>

#include "common/assert.h"
#include "schedulers/sched.h"

const jostle__sched_ops jostle__sched_auto = {
    .name = "auto",
    .summary = "controlled: a portfolio, run i under the (i mod K)-th controlled strategy",
    .portfolio = 1,
};

int jostle__portfolio_members(const jostle__sched_ops *out[JOSTLE__MAX_MEMBERS]) {
  int n = 0;
  for (int i = 0; jostle__schedulers[i] != NULL; i++) {
    const jostle__sched_ops *s = jostle__schedulers[i];
    if (s->pick == NULL || s->follows_schedule || s->portfolio) continue;
    JOSTLE_ASSERT(n < JOSTLE__MAX_MEMBERS);
    out[n++] = s;
  }
  return n;
}

void jostle__portfolio_cfg(const jostle__sched_cfg *base, const jostle__sched_ops *member,
                           jostle__sched_cfg *out) {
  *out = *base;
  jostle__sched_cfg defaults;
  jostle__sched_cfg_default(&defaults, member);
  memcpy(out->opts, defaults.opts, sizeof out->opts);
}
