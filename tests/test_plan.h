/*
 * test_plan.h: shared by the test programs that run campaigns. A plan for
 * one scenario with its default parameters under `sched`, and defaults a
 * test changes where it means to: one worker, seed 42, 1,000 runs.
 */
#ifndef JOSTLE_TEST_PLAN_H
#define JOSTLE_TEST_PLAN_H

#include <check.h>
#include <string.h>

#include "harness/run.h"

static inline jostle__plan jostle_test_plan(const char *name, const jostle__sched_ops *sched) {
  jostle__plan p;
  memset(&p, 0, sizeof p);
  p.scenario = jostle__scenario_find(name);
  ck_assert_msg(p.scenario != NULL, "scenario %s is linked in", name);
  p.n_threads = p.scenario->threads;
  for (int i = 0; p.scenario->params && p.scenario->params[i].name; i++)
    p.params[i] = p.scenario->params[i].def;
  p.sched = sched;
  jostle__sched_cfg_default(&p.sched_cfg, sched);
  p.pin = JOSTLE__PIN_NONE;
  p.n_jobs = 1;
  p.seed = 42;
  p.n_runs = 1000;
  p.timeout_ns = 10ULL * 1000000000ULL;
  p.chunk_runs = 256;
  return p;
}

#endif
