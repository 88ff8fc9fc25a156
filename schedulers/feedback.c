/*
 * feedback.c: interleaving feedback (see feedback.h).
 *
 * The last access and the last write per address are kept in a small
 * direct-mapped table, reset per run; a collision forgets the older
 * address, which only loses a feature. Counters saturate at 255 (libFuzzer
 * buckets their values).
 */
#include "schedulers/feedback.h"

#include <string.h>

#include "common/seed.h"

#define CHAIN_SALT 0x7265616473ULL

void jostle__feedback_begin(jostle__control *c) {
  memset(c->accesses, 0, sizeof c->accesses);
  memset(c->read_chain, 0, sizeof c->read_chain);
}

static void count(jostle__control *c, uint64_t feature) {
  uint8_t *counter = &c->cfg->feedback[feature & (c->cfg->feedback_size - 1)];
  if (*counter < 255) (*counter)++;
}

static int writes(jostle__point_kind kind) {
  return kind == JOSTLE__POINT_WRITE || kind == JOSTLE__POINT_ATOMIC ||
         kind == JOSTLE__POINT_SYNC;
}

static uint64_t code(const void *pc) { return (uint64_t)(uintptr_t)pc; }

void jostle__feedback_note(jostle__control *c, int thread, const jostle__point *p) {
  if (p->addr == NULL) return;
  jostle__access *last = &c->accesses[jostle__mix(code(p->addr), 0) & (JOSTLE__ACCESS_SLOTS - 1)];
  int wrote = writes(p->kind), same = last->addr == p->addr;
  if (same && last->thread != thread && (last->wrote || wrote))
    count(c, jostle__mix(code(last->pc), code(p->pc) * 4 + (uint64_t)(last->wrote * 2 + wrote)));
  const void *write_pc = same ? last->write_pc : NULL;
  int writer = same ? last->writer : -1;
  /* what reads another thread's write (a load, and an atomic or a
   * synchronisation call, which read what they change): a reads-from pair,
   * alone and as the latest link of this thread's chain */
  if (p->kind != JOSTLE__POINT_WRITE && write_pc != NULL && writer != thread) {
    uint64_t read_from = jostle__mix(code(write_pc), code(p->pc));
    uint64_t *chain = &c->read_chain[thread % JOSTLE__READ_CHAINS];
    *chain = jostle__mix(*chain ^ read_from, CHAIN_SALT);
    count(c, read_from);
    count(c, *chain);
  }
  if (wrote) write_pc = p->pc, writer = thread;
  *last = (jostle__access){p->addr, p->pc, thread, wrote, write_pc, writer};
}
