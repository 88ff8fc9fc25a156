/*
 * registry.c: the list of schedulers. Adding a scheduler is one file with
 * its jostle__sched_ops table and one line here; the command line, help
 * texts, soak defaults and reproduce commands are made from the tables.
 */
#include <string.h>

#include "schedulers/sched.h"

extern const jostle__sched_ops jostle__sched_free, jostle__sched_noise, jostle__sched_random,
    jostle__sched_pct, jostle__sched_pos, jostle__sched_surw, jostle__sched_auto,
    jostle__sched_replay;

const jostle__sched_ops *const jostle__schedulers[] = {
    &jostle__sched_free,
    &jostle__sched_noise,
    &jostle__sched_random,
    &jostle__sched_pct,
    &jostle__sched_pos,
    &jostle__sched_surw,
    &jostle__sched_auto,
    &jostle__sched_replay,
    NULL,
};

const jostle__sched_ops *jostle__sched_find(const char *name) {
  for (int i = 0; jostle__schedulers[i] != NULL; i++)
    if (strcmp(jostle__schedulers[i]->name, name) == 0) return jostle__schedulers[i];
  return NULL;
}

int jostle__sched_index(const jostle__sched_ops *ops) {
  int i = 0;
  while (jostle__schedulers[i] != NULL && jostle__schedulers[i] != ops) i++;
  return i;
}

const jostle__sched_ops *jostle__sched_first(int controlled) {
  for (int i = 0; jostle__schedulers[i] != NULL; i++) {
    const jostle__sched_ops *s = jostle__schedulers[i];
    if ((s->pick != NULL) == (controlled != 0) && !s->follows_schedule && !s->portfolio)
      return s;
  }
  return NULL;
}

const jostle__sched_ops *jostle__sched_follower(void) {
  for (int i = 0; jostle__schedulers[i] != NULL; i++)
    if (jostle__schedulers[i]->follows_schedule) return jostle__schedulers[i];
  return NULL;
}

void jostle__sched_options_default(const jostle__sched_option *options, void *block) {
  for (const jostle__sched_option *o = options; o != NULL && o->name != NULL; o++) {
    void *at = (char *)block + o->offset;
    switch (o->type) {
    case JOSTLE__OPT_INT: *(int *)at = (int)o->def.i; break;
    case JOSTLE__OPT_COUNT: *(uint64_t *)at = o->def.count; break;
    case JOSTLE__OPT_PROB: *(double *)at = o->def.p; break;
    case JOSTLE__OPT_WEIGHTS: memcpy(at, o->def.w, sizeof o->def.w); break;
    case JOSTLE__OPT_FLAG: *(int *)at = 0; break;
    }
  }
}

void jostle__sched_cfg_default(jostle__sched_cfg *cfg, const jostle__sched_ops *ops) {
  memset(cfg, 0, sizeof *cfg);
  jostle__sched_options_default(jostle__control_options, cfg);
  if (ops == NULL) return;
  jostle__sched_options_default(ops->options, cfg->opts);
  if (ops->opts_default) ops->opts_default(cfg->opts);
}
