/*
 * races.c: the happens-before race detector (see races.h).
 *
 * Clocks are vectors of `cap` 32-bit counters, one per thread; thread t's
 * own counter ticks after each release, so an access's epoch (t, its
 * counter) is ordered before thread u exactly when u's clock has reached
 * it. Synchronisation objects and atomic locations have a clock each,
 * found by address. Each byte accessed has its last write and its reads
 * since, kept by 8-aligned granule: one state for all 8 bytes while they
 * are accessed together (a word, a pointer), a state per byte once an
 * access takes part of them; so a word costs one lookup, and a byte is
 * still compared exactly. Both tables are open-addressing hashes whose
 * entries belong to a run by generation: a new run empties them in O(1).
 */
#include "schedulers/races.h"

#include <stdlib.h>
#include <string.h>

#include "common/seed.h"

#define ORDER_CONSUME 1
#define ORDER_ACQUIRE 2
#define ORDER_RELEASE 3
#define ORDER_ACQ_REL 4
#define ORDER_SEQ_CST 5

typedef struct epoch {
  const void *pc;                    /* where it was made, for the report */
  uint64_t step;
  uint32_t stack;
  int32_t thread;
  uint32_t clock;                    /* 0: no access (a thread's own clock starts at 1) */
  uint16_t width;
  uint8_t atomic;
} epoch;

/* A byte's last write and its reads since; all zero: never accessed. */
typedef struct byte_state {
  epoch write;
  epoch reads[JOSTLE__RACES_READERS];
  uint8_t n_reads;
} byte_state;

/* The 8 bytes from an 8-aligned address. While `split` is 0 they share
 * one state, `one` (an access of all 8, as of a long or a pointer, keeps
 * them so, and a write of all 8 makes them so again); else each has its
 * own, the 8 states from r->bytes[block - 1], which the granule keeps once
 * taken. */
typedef struct granule {
  uint8_t split;
  uint32_t block;                    /* 0: none yet */
  byte_state one;
} granule;

/* Granules come by chunks of CHUNK, the bytes of a 512-byte aligned block
 * of memory, laid out in order: a sweep through an array walks through
 * its chunk. A hash finds chunks by address. */
enum { CHUNK = 64 };

typedef struct chunk_slot {
  uintptr_t base;
  uint32_t gen;
  uint32_t index;                    /* into r->chunks, in chunks */
} chunk_slot;

typedef struct sync_slot {
  uintptr_t addr;
  uint32_t gen;
  uint32_t clock;                    /* index into sync_clocks */
} sync_slot;

struct jostle__races {
  int n, cap;
  uint32_t gen;
  uint32_t *vc;                      /* cap clocks: thread t's at vc + t * cap */
  uint32_t *fence;                   /* each thread's clock at its last release fence */
  unsigned char *fenced;
  uint32_t *pending;                 /* what its relaxed loads read, for an acquire fence */
  sync_slot *syncs;
  size_t sync_cap, n_syncs;
  uint32_t *sync_clocks;             /* n_syncs clocks of cap entries */
  size_t sync_clocks_cap;
  chunk_slot *chunk_slots;
  size_t chunk_slot_cap, n_chunks;
  granule *chunks;                   /* n_chunks chunks of CHUNK granules */
  size_t chunks_cap;
  uintptr_t last_base;               /* the chunk the last access found */
  granule *last;                     /* NULL: none */
  byte_state *bytes;                 /* split granules' states, 8 at a time */
  size_t bytes_cap, n_bytes;
  int found;
  jostle__race race;
};

static uint32_t *clock_of(uint32_t *base, int cap, size_t i) { return base + i * (size_t)cap; }

static void join(uint32_t *into, const uint32_t *from, int n) {
  for (int u = 0; u < n; u++)
    if (from[u] > into[u]) into[u] = from[u];
}

static void tick(jostle__races *r, int t) { clock_of(r->vc, r->cap, (size_t)t)[t]++; }

jostle__races *jostle__races_create(void) {
  jostle__races *r = calloc(1, sizeof *r);
  return r;
}

void jostle__races_destroy(jostle__races *r) {
  if (r == NULL) return;
  free(r->vc);
  free(r->fence);
  free(r->fenced);
  free(r->pending);
  free(r->syncs);
  free(r->sync_clocks);
  free(r->chunk_slots);
  free(r->chunks);
  free(r->bytes);
  free(r);
}


/* Re-lays n clocks of old_cap entries as clocks of cap entries, with room
 * for `rows` clocks; the old ones stay. */
static uint32_t *restride(const uint32_t *old, size_t n, size_t rows, int old_cap, int cap) {
  uint32_t *grown = calloc(rows ? rows : 1, (size_t)cap * sizeof *grown);
  if (grown == NULL) return NULL;
  for (size_t i = 0; old && i < n; i++)
    memcpy(grown + i * (size_t)cap, old + i * (size_t)old_cap, (size_t)old_cap * sizeof *old);
  return grown;
}

/* Room for `need` threads in every clock: all of it, or nothing changed. */
static int ensure_threads(jostle__races *r, int need) {
  if (need <= r->cap) return 0;
  int cap = r->cap ? r->cap : 4;
  while (cap < need) cap *= 2;
  size_t old = (size_t)r->cap;
  uint32_t *vc = restride(r->vc, old, (size_t)cap, r->cap, cap);
  uint32_t *fence = restride(r->fence, old, (size_t)cap, r->cap, cap);
  uint32_t *pending = restride(r->pending, old, (size_t)cap, r->cap, cap);
  uint32_t *syncs = restride(r->sync_clocks, r->n_syncs, r->n_syncs, r->cap, cap);
  unsigned char *fenced = calloc((size_t)cap, 1);
  if (vc == NULL || fence == NULL || pending == NULL || syncs == NULL || fenced == NULL) {
    free(vc);
    free(fence);
    free(pending);
    free(syncs);
    free(fenced);
    return -1;
  }
  if (r->fenced) memcpy(fenced, r->fenced, old);
  free(r->vc);
  free(r->fence);
  free(r->pending);
  free(r->sync_clocks);
  free(r->fenced);
  r->vc = vc;
  r->fence = fence;
  r->pending = pending;
  r->sync_clocks = syncs;
  r->sync_clocks_cap = r->n_syncs ? r->n_syncs : 1;
  r->fenced = fenced;
  r->cap = cap;
  return 0;
}

int jostle__races_begin(jostle__races *r, int n) {
  if (ensure_threads(r, n) != 0) return -1;
  r->n = n;
  r->gen++;
  if (r->gen == 0) { /* wrapped: entries of an old run could look current */
    if (r->syncs) memset(r->syncs, 0, r->sync_cap * sizeof *r->syncs);
    if (r->chunk_slots) memset(r->chunk_slots, 0, r->chunk_slot_cap * sizeof *r->chunk_slots);
    r->gen = 1;
  }
  r->n_syncs = 0;
  r->n_chunks = 0;
  r->last = NULL;
  r->n_bytes = 0;
  r->found = 0;
  size_t bytes = (size_t)r->cap * (size_t)n * sizeof *r->vc;
  memset(r->vc, 0, bytes);
  memset(r->fence, 0, bytes);
  memset(r->pending, 0, bytes);
  memset(r->fenced, 0, (size_t)r->cap);
  for (int t = 0; t < n; t++) clock_of(r->vc, r->cap, (size_t)t)[t] = 1;
  return 0;
}

int jostle__races_spawn(jostle__races *r, int parent, int child) {
  if (ensure_threads(r, child + 1) != 0) return -1;
  if (child >= r->n) r->n = child + 1;
  uint32_t *c = clock_of(r->vc, r->cap, (size_t)child);
  memcpy(c, clock_of(r->vc, r->cap, (size_t)parent), (size_t)r->cap * sizeof *c);
  c[child] = 1;
  memset(clock_of(r->fence, r->cap, (size_t)child), 0, (size_t)r->cap * sizeof *c);
  memset(clock_of(r->pending, r->cap, (size_t)child), 0, (size_t)r->cap * sizeof *c);
  r->fenced[child] = 0;
  tick(r, parent);
  return 0;
}

void jostle__races_joined(jostle__races *r, int joiner, int joined) {
  join(clock_of(r->vc, r->cap, (size_t)joiner), clock_of(r->vc, r->cap, (size_t)joined), r->n);
}

/* ---- clocks of synchronisation objects and atomic locations ------------ */

static size_t slot_of(uintptr_t addr, size_t cap) {
  return (size_t)(jostle__mix((uint64_t)addr, 0x72616365ULL) & (cap - 1));
}

static int grow_syncs(jostle__races *r) {
  size_t cap = r->sync_cap ? r->sync_cap * 2 : 64;
  sync_slot *grown = calloc(cap, sizeof *grown);
  if (grown == NULL) return -1;
  for (size_t i = 0; i < r->sync_cap; i++) {
    const sync_slot *s = &r->syncs[i];
    if (s->gen != r->gen) continue;
    size_t k = slot_of(s->addr, cap);
    while (grown[k].gen == r->gen) k = (k + 1) & (cap - 1);
    grown[k] = *s;
  }
  free(r->syncs);
  r->syncs = grown;
  r->sync_cap = cap;
  return 0;
}

/* The clock of obj, made (zero) when new; NULL when out of memory. */
static uint32_t *sync_clock(jostle__races *r, const void *obj) {
  uintptr_t addr = (uintptr_t)obj;
  if ((r->n_syncs + 1) * 2 > r->sync_cap && grow_syncs(r) != 0) return NULL;
  size_t k = slot_of(addr, r->sync_cap);
  while (r->syncs[k].gen == r->gen) {
    if (r->syncs[k].addr == addr) return clock_of(r->sync_clocks, r->cap, r->syncs[k].clock);
    k = (k + 1) & (r->sync_cap - 1);
  }
  if (r->n_syncs + 1 > r->sync_clocks_cap) {
    size_t cap = r->sync_clocks_cap ? r->sync_clocks_cap * 2 : 16;
    uint32_t *grown = realloc(r->sync_clocks, cap * (size_t)r->cap * sizeof *grown);
    if (grown == NULL) return NULL;
    r->sync_clocks = grown;
    r->sync_clocks_cap = cap;
  }
  r->syncs[k] = (sync_slot){addr, r->gen, (uint32_t)r->n_syncs};
  uint32_t *c = clock_of(r->sync_clocks, r->cap, r->n_syncs++);
  memset(c, 0, (size_t)r->cap * sizeof *c);
  return c;
}

int jostle__races_acquire(jostle__races *r, int t, const void *obj) {
  uint32_t *s = sync_clock(r, obj);
  if (s == NULL) return -1;
  join(clock_of(r->vc, r->cap, (size_t)t), s, r->n);
  return 0;
}

int jostle__races_release(jostle__races *r, int t, const void *obj) {
  uint32_t *s = sync_clock(r, obj);
  if (s == NULL) return -1;
  join(s, clock_of(r->vc, r->cap, (size_t)t), r->n);
  tick(r, t);
  return 0;
}

void jostle__races_fence(jostle__races *r, int t, int order) {
  uint32_t *vc = clock_of(r->vc, r->cap, (size_t)t);
  if (order == ORDER_CONSUME || order == ORDER_ACQUIRE || order == ORDER_ACQ_REL ||
      order == ORDER_SEQ_CST)
    join(vc, clock_of(r->pending, r->cap, (size_t)t), r->n);
  if (order == ORDER_RELEASE || order == ORDER_ACQ_REL || order == ORDER_SEQ_CST) {
    memcpy(clock_of(r->fence, r->cap, (size_t)t), vc, (size_t)r->cap * sizeof *vc);
    r->fenced[t] = 1;
    tick(r, t);
  }
}

/* The edges of atomic access `a` by t at loc. */
static int atomic_edges(jostle__races *r, int t, const void *loc, jostle__point_access a) {
  jostle__atomic_op op = jostle__access_op(a);
  int order = jostle__access_order(a);
  int reads = op != JOSTLE__OP_STORE, writes = op != JOSTLE__OP_LOAD;
  uint32_t *s = sync_clock(r, loc);
  if (s == NULL) return -1;
  uint32_t *vc = clock_of(r->vc, r->cap, (size_t)t);
  if (reads) {
    int acquires = order == ORDER_CONSUME || order == ORDER_ACQUIRE ||
                   order == ORDER_ACQ_REL || order == ORDER_SEQ_CST;
    join(acquires ? vc : clock_of(r->pending, r->cap, (size_t)t), s, r->n);
  }
  if (writes) {
    int releases = order == ORDER_RELEASE || order == ORDER_ACQ_REL || order == ORDER_SEQ_CST;
    const uint32_t *published = releases ? vc
                                : r->fenced[t] ? clock_of(r->fence, r->cap, (size_t)t)
                                               : NULL;
    /* A store heads a new release sequence; a read-modify-write continues
     * the one it reads from. */
    if (op == JOSTLE__OP_STORE) memset(s, 0, (size_t)r->cap * sizeof *s);
    if (published) join(s, published, r->n);
    if (releases) tick(r, t);
  }
  return 0;
}

/* ---- shadow bytes ----------------------------------------------------- */

static int grow_chunk_slots(jostle__races *r) {
  size_t cap = r->chunk_slot_cap ? r->chunk_slot_cap * 2 : 64;
  chunk_slot *grown = calloc(cap, sizeof *grown);
  if (grown == NULL) return -1;
  for (size_t i = 0; i < r->chunk_slot_cap; i++) {
    const chunk_slot *c = &r->chunk_slots[i];
    if (c->gen != r->gen) continue;
    size_t k = slot_of(c->base, cap);
    while (grown[k].gen == r->gen) k = (k + 1) & (cap - 1);
    grown[k] = *c;
  }
  free(r->chunk_slots);
  r->chunk_slots = grown;
  r->chunk_slot_cap = cap;
  return 0;
}

/* The first granule of the chunk from base, made (untouched) when new. */
static granule *chunk_of(jostle__races *r, uintptr_t base) {
  if ((r->n_chunks + 1) * 2 > r->chunk_slot_cap && grow_chunk_slots(r) != 0) return NULL;
  size_t k = slot_of(base, r->chunk_slot_cap);
  while (r->chunk_slots[k].gen == r->gen) {
    if (r->chunk_slots[k].base == base) return &r->chunks[r->chunk_slots[k].index * CHUNK];
    k = (k + 1) & (r->chunk_slot_cap - 1);
  }
  if (r->n_chunks + 1 > r->chunks_cap) {
    size_t cap = r->chunks_cap ? r->chunks_cap * 2 : 4;
    granule *grown = realloc(r->chunks, cap * CHUNK * sizeof *grown);
    if (grown == NULL) return NULL;
    r->chunks = grown;
    r->chunks_cap = cap;
  }
  r->chunk_slots[k] = (chunk_slot){base, r->gen, (uint32_t)r->n_chunks};
  granule *c = &r->chunks[r->n_chunks++ * CHUNK];
  memset(c, 0, CHUNK * sizeof *c);
  return c;
}

/* The granule of the 8 bytes from base. */
static granule *granule_of(jostle__races *r, uintptr_t base) {
  uintptr_t chunk = base & ~(uintptr_t)(CHUNK * 8 - 1);
  if (r->last == NULL || r->last_base != chunk) {
    r->last = chunk_of(r, chunk);
    r->last_base = chunk;
    if (r->last == NULL) return NULL;
  }
  return &r->last[(base - chunk) / 8];
}

/* Gives g's bytes a state each, all as `one` was. -1: out of memory. */
static int split(jostle__races *r, granule *g) {
  if (g->block == 0) {
    if (r->n_bytes + 8 > r->bytes_cap) {
      size_t cap = r->bytes_cap ? r->bytes_cap * 2 : 64;
      byte_state *grown = realloc(r->bytes, cap * sizeof *grown);
      if (grown == NULL) return -1;
      r->bytes = grown;
      r->bytes_cap = cap;
    }
    g->block = (uint32_t)(1 + r->n_bytes);
    r->n_bytes += 8;
  }
  for (int i = 0; i < 8; i++) r->bytes[g->block - 1 + (size_t)i] = g->one;
  g->split = 1;
  return 0;
}

/* Whether the earlier access e and this one by t (atomic or not) race. */
static int races_with(const jostle__races *r, const epoch *e, int t, int atomic) {
  if (e->clock == 0 || e->thread == t || (e->atomic && atomic)) return 0;
  return e->clock > clock_of(r->vc, r->cap, (size_t)t)[e->thread];
}

static jostle__race_access access_of(const epoch *e, int wrote) {
  return (jostle__race_access){e->thread, wrote, e->atomic, e->width, {e->pc, e->stack, e->step}};
}

static void report(jostle__races *r, uintptr_t addr, const epoch *e, int e_wrote,
                   const epoch *now, int wrote) {
  if (r->found) return;
  r->found = 1;
  r->race.addr = (const void *)addr;
  r->race.earlier = access_of(e, e_wrote);
  r->race.later = access_of(now, wrote);
}

/* The access `now` (by now->thread) to a byte at addr whose state is b. */
static void access_state(jostle__races *r, byte_state *b, uintptr_t addr, const epoch *now,
                         int wrote) {
  int t = now->thread;
  if (races_with(r, &b->write, t, now->atomic)) report(r, addr, &b->write, 1, now, wrote);
  if (wrote) {
    for (int i = 0; i < b->n_reads; i++)
      if (races_with(r, &b->reads[i], t, now->atomic)) report(r, addr, &b->reads[i], 0, now, wrote);
    b->write = *now;
    b->n_reads = 0;
    return;
  }
  /* A read replaces its thread's last read, else one this read follows
   * (a later write that races with that one races with this one too),
   * else the oldest. */
  const uint32_t *vc = clock_of(r->vc, r->cap, (size_t)t);
  int at = -1;
  for (int i = 0; i < b->n_reads && at < 0; i++)
    if (b->reads[i].thread == t) at = i;
  for (int i = 0; i < b->n_reads && at < 0; i++)
    if (b->reads[i].clock <= vc[b->reads[i].thread]) at = i;
  if (at < 0 && b->n_reads < JOSTLE__RACES_READERS) at = b->n_reads++;
  if (at < 0) {
    memmove(&b->reads[0], &b->reads[1], (JOSTLE__RACES_READERS - 1) * sizeof b->reads[0]);
    at = JOSTLE__RACES_READERS - 1;
  }
  b->reads[at] = *now;
}

/* The access `now` to bytes [from, to) of the granule from base. */
static int access_granule(jostle__races *r, uintptr_t base, unsigned from, unsigned to,
                          const epoch *now, int wrote) {
  granule *g = granule_of(r, base);
  if (g == NULL) return -1;
  if (!g->split && from == 0 && to == 8) {
    access_state(r, &g->one, base, now, wrote);
    return 0;
  }
  if (!g->split && split(r, g) != 0) return -1;
  byte_state *bytes = &r->bytes[g->block - 1];
  for (unsigned i = from; i < to; i++) access_state(r, &bytes[i], base + i, now, wrote);
  if (wrote && from == 0 && to == 8) { /* the 8 states are the same again */
    g->one = bytes[0];
    g->split = 0;
  }
  return 0;
}

int jostle__races_access(jostle__races *r, int t, const void *addr, jostle__point_access a,
                         const jostle__race_site *site) {
  jostle__point_kind kind = jostle__access_kind(a);
  int atomic = kind == JOSTLE__POINT_ATOMIC;
  jostle__atomic_op op = jostle__access_op(a);
  /* A compare-exchange may fail and write nothing: a read, for races. */
  int wrote = kind == JOSTLE__POINT_WRITE ||
              (atomic && op != JOSTLE__OP_LOAD && op != JOSTLE__OP_CAS &&
               op != JOSTLE__OP_CAS_STRONG && op != JOSTLE__OP_CAS_WEAK);
  unsigned width = jostle__access_width(a);
  epoch now = {site->pc, site->step, site->stack, t, clock_of(r->vc, r->cap, (size_t)t)[t],
               (uint16_t)width, (uint8_t)atomic};
  for (uintptr_t at = (uintptr_t)addr, end = at + width; at < end;) {
    uintptr_t base = at & ~(uintptr_t)7;
    uintptr_t to = end - base < 8 ? end - base : 8;
    if (access_granule(r, base, (unsigned)(at - base), (unsigned)to, &now, wrote) != 0) return -1;
    at = base + to;
  }
  return atomic ? atomic_edges(r, t, addr, a) : 0;
}

const jostle__race *jostle__races_found(const jostle__races *r) {
  return r->found ? &r->race : NULL;
}
