/*
 * races.c: the happens-before race detector (see races.h).
 *
 * Clocks are vectors of `cap` 32-bit counters, one per thread; thread t's
 * own counter ticks after each release, so an access's epoch (t, its
 * counter) is ordered before thread u exactly when u's clock has reached
 * it. Synchronisation objects and atomic locations have a clock each,
 * found by address; so does each byte accessed, with its last write and
 * its reads since. Both tables are open-addressing hashes whose entries
 * belong to a run by generation: a new run empties them in O(1).
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
  int32_t thread;                    /* -1: none */
  uint32_t clock;
  jostle__race_site site;            /* where it was made, for the report */
  uint16_t width;
  uint8_t atomic;
} epoch;

typedef struct shadow {
  uintptr_t addr;
  uint32_t gen;
  uint8_t n_reads;
  epoch write;
  epoch reads[JOSTLE__RACES_READERS];
} shadow;

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
  shadow *shadows;
  size_t shadow_cap, n_shadows;
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
  free(r->shadows);
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
    if (r->shadows) memset(r->shadows, 0, r->shadow_cap * sizeof *r->shadows);
    r->gen = 1;
  }
  r->n_syncs = 0;
  r->n_shadows = 0;
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

static int grow_shadows(jostle__races *r) {
  size_t cap = r->shadow_cap ? r->shadow_cap * 2 : 256;
  shadow *grown = calloc(cap, sizeof *grown);
  if (grown == NULL) return -1;
  for (size_t i = 0; i < r->shadow_cap; i++) {
    const shadow *s = &r->shadows[i];
    if (s->gen != r->gen) continue;
    size_t k = slot_of(s->addr, cap);
    while (grown[k].gen == r->gen) k = (k + 1) & (cap - 1);
    grown[k] = *s;
  }
  free(r->shadows);
  r->shadows = grown;
  r->shadow_cap = cap;
  return 0;
}

static shadow *shadow_of(jostle__races *r, uintptr_t addr) {
  if ((r->n_shadows + 1) * 2 > r->shadow_cap && grow_shadows(r) != 0) return NULL;
  size_t k = slot_of(addr, r->shadow_cap);
  while (r->shadows[k].gen == r->gen) {
    if (r->shadows[k].addr == addr) return &r->shadows[k];
    k = (k + 1) & (r->shadow_cap - 1);
  }
  shadow *s = &r->shadows[k];
  memset(s, 0, sizeof *s);
  s->addr = addr;
  s->gen = r->gen;
  s->write.thread = -1;
  r->n_shadows++;
  return s;
}

/* Whether the earlier access e and this one by t (atomic or not) race. */
static int races_with(const jostle__races *r, const epoch *e, int t, int atomic) {
  if (e->thread < 0 || e->thread == t || (e->atomic && atomic)) return 0;
  return e->clock > clock_of(r->vc, r->cap, (size_t)t)[e->thread];
}

static void report(jostle__races *r, uintptr_t addr, const epoch *e, int e_wrote,
                   const epoch *now, int wrote) {
  if (r->found) return;
  r->found = 1;
  r->race.addr = (const void *)addr;
  r->race.earlier = (jostle__race_access){e->thread, e_wrote, e->atomic, e->width, e->site};
  r->race.later = (jostle__race_access){now->thread, wrote, now->atomic, now->width, now->site};
}

static int access_byte(jostle__races *r, int t, uintptr_t addr, int wrote, int atomic,
                       unsigned width, const jostle__race_site *site) {
  shadow *s = shadow_of(r, addr);
  if (s == NULL) return -1;
  epoch now = {t, clock_of(r->vc, r->cap, (size_t)t)[t], *site, (uint16_t)width,
               (uint8_t)atomic};
  if (races_with(r, &s->write, t, atomic)) report(r, addr, &s->write, 1, &now, wrote);
  if (wrote) {
    for (int i = 0; i < s->n_reads; i++)
      if (races_with(r, &s->reads[i], t, atomic)) report(r, addr, &s->reads[i], 0, &now, wrote);
    s->write = now;
    s->n_reads = 0;
    return 0;
  }
  /* A read replaces its thread's last read, else one this read follows
   * (a later write that races with that one races with this one too),
   * else the oldest. */
  const uint32_t *vc = clock_of(r->vc, r->cap, (size_t)t);
  int at = -1;
  for (int i = 0; i < s->n_reads && at < 0; i++)
    if (s->reads[i].thread == t) at = i;
  for (int i = 0; i < s->n_reads && at < 0; i++)
    if (s->reads[i].clock <= vc[s->reads[i].thread]) at = i;
  if (at < 0 && s->n_reads < JOSTLE__RACES_READERS) at = s->n_reads++;
  if (at < 0) {
    memmove(&s->reads[0], &s->reads[1], (JOSTLE__RACES_READERS - 1) * sizeof s->reads[0]);
    at = JOSTLE__RACES_READERS - 1;
  }
  s->reads[at] = now;
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
  for (unsigned i = 0; i < width; i++)
    if (access_byte(r, t, (uintptr_t)addr + i, wrote, atomic, width, site) != 0) return -1;
  return atomic ? atomic_edges(r, t, addr, a) : 0;
}

const jostle__race *jostle__races_found(const jostle__races *r) {
  return r->found ? &r->race : NULL;
}
