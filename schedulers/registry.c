/*
 * registry.c: the list of schedulers. Adding a scheduler is one file with
 * its jostle__sched_ops table and one line here.
 */
#include <string.h>

#include "schedulers/control.h"
#include "schedulers/sched.h"

const jostle__sched_ops *const jostle__schedulers[] = {
    &jostle__sched_free,
    &jostle__sched_noise,
    &jostle__sched_random,
    &jostle__sched_pct,
    &jostle__sched_replay,
    NULL,
};

const jostle__sched_ops *jostle__sched_find(const char *name) {
  for (int i = 0; jostle__schedulers[i] != NULL; i++)
    if (strcmp(jostle__schedulers[i]->name, name) == 0)
      return jostle__schedulers[i];
  return NULL;
}

void jostle__sched_cfg_default(jostle__sched_cfg *cfg) {
  *cfg = (jostle__sched_cfg){
      .noise_p = 0.1,
      .noise_access_p = 0.002,
      .noise_weights = {1, 2, 1},
      .noise_spin_max = 2000,
      .noise_sleep_max_us = 20,
      .pct_depth = 3,
      .step_limit = 100000,
  };
}
