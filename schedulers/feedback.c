/*
 * feedback.c: interleaving feedback (see feedback.h).
 *
 * The last access per address is kept in a small direct-mapped table,
 * reset per run; a collision forgets the older address, which only loses a
 * pair. Counters saturate at 255 (libFuzzer buckets their values).
 */
#include "schedulers/feedback.h"

#include <string.h>

#include "common/seed.h"

#define LAST_ORDINAL 63 /* conflicts from the 64th on share one ordinal */

void jostle__feedback_begin(jostle__control *c) {
  memset(c->accesses, 0, sizeof c->accesses);
  c->n_conflicts = 0;
}

static void count(jostle__control *c, uint64_t feature) {
  uint8_t *counter = &c->cfg->feedback[feature & (c->cfg->feedback_size - 1)];
  if (*counter < 255) (*counter)++;
}

static int writes(jostle__point_kind kind) {
  return kind == JOSTLE__POINT_WRITE || kind == JOSTLE__POINT_ATOMIC ||
         kind == JOSTLE__POINT_SYNC;
}

void jostle__feedback_note(jostle__control *c, int thread, const jostle__point *p) {
  if (p->addr == NULL) return;
  uint64_t at = (uint64_t)(uintptr_t)p->addr;
  jostle__access *last = &c->accesses[jostle__mix(at, 0) & (JOSTLE__ACCESS_SLOTS - 1)];
  int wrote = writes(p->kind);
  if (last->addr == p->addr && last->thread != thread && (last->wrote || wrote)) {
    uint64_t pair = jostle__mix((uint64_t)(uintptr_t)last->pc,
                                (uint64_t)(uintptr_t)p->pc * 4 + (uint64_t)(last->wrote * 2 + wrote));
    count(c, pair);
    count(c, jostle__mix(pair, c->n_conflicts + 1));
    if (c->n_conflicts < LAST_ORDINAL) c->n_conflicts++;
  }
  *last = (jostle__access){p->addr, p->pc, thread, wrote};
}
