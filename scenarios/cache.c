/*
 * scenarios/cache.c: a hash map shared without synchronisation.
 *
 * From the Go articles' Cache{data map[string]string} whose Get and Set run
 * from many requests at once ("data race + map panic"), and its fixes with
 * a Mutex and an RWMutex (reads share a read lock, writes take the lock).
 *
 * The map is the hash table a C program would write: chained buckets of
 * intrusive entries, grown to twice its size and rehashed when the load
 * factor passes 3/4. Each thread puts its own keys and, after each put,
 * gets a key of the next thread. Unsynchronised, two puts into one bucket
 * lose one of the entries, a put into a table that another thread is
 * rehashing is lost with the old table, two threads rehashing at once
 * relink the same entries into two tables and can leave chains that share
 * entries or loop.
 *
 *   cache          no synchronisation (racy)
 *   cache-mutex    every get and put under one mutex
 *   cache-rwlock   gets under the read lock, puts under the write lock
 *
 * Observations, each a small count:
 *   lost      keys put but not in the final map where a get would find
 *             them (absent, in the wrong bucket, or with a wrong value)
 *   missed    gets that did not find a key whose put had finished before
 *             the get began (the putter publishes its progress atomically)
 *   corrupt   1 when a chain loops or an entry is reachable twice
 *   miscount  1 when the map's entry count disagrees with its entries
 *
 * Memory, so that a racing run stays within its own run: entries live in
 * one array allocated at setup (entry k of thread t is entries[t*keys+k]),
 * and a rehash does not free the table it replaces but leaves it on the
 * run's table list, freed at teardown (like Go's collector, which keeps an
 * old table alive while anyone still reads it). A real C map would free it
 * at once; a racing reader would then read freed memory and could corrupt
 * the heap for later runs, breaking replay by seed. Every chain walk is
 * bounded by the number of entries, so that a loop ends the walk instead
 * of hanging the run, the way Go's map reports concurrent writes instead
 * of spinning.
 *
 * jostle_yield() marks the windows: between reading a bucket's head and
 * linking a new entry in front of it, and between building a new table and
 * installing it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "common.h"

enum { P_KEYS, P_INITIAL_BUCKETS };

static const jostle_param_def params[] = {
  {"keys", 4, 1, 4096, "keys each thread puts"},
  {"initial_buckets", 2, 1, 1024,
   "buckets of the first table (rounded up to a power of two)"},
  {.name = NULL},
};

/* ---- the map ------------------------------------------------------------ */

struct entry {
  uint64_t key;
  uint64_t value;
  struct entry *next; /* next entry of the same bucket */
};

struct table {
  size_t n_buckets; /* a power of two */
  struct entry *buckets[];
};

struct map {
  struct table *table; /* the current table */
  size_t n_entries;
  /* Every table allocated during the run, freed at teardown. Appended to
   * with an atomic index, so that even racing rehashes lose none. */
  struct table **tables;
  atomic_size_t n_tables;
  size_t max_tables;
  size_t max_chain; /* a longer walk means a corrupt chain */
};

enum walk { WALK_OK, WALK_CORRUPT };

static size_t bucket_of(const struct table *t, uint64_t key) {
  uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15); /* Fibonacci hashing */
  return (size_t)(h >> 32) & (t->n_buckets - 1);
}

static struct table *table_new(struct map *m, size_t n_buckets) {
  struct table *t = need_memory(
      calloc(1, sizeof *t + n_buckets * sizeof t->buckets[0]));
  size_t i = atomic_fetch_add_explicit(&m->n_tables, 1, memory_order_relaxed);

  /* Each put rehashes at most once, so max_tables cannot be passed. */
  if (i >= m->max_tables) {
    fputs("jostle: cache: table list overflow\n", stderr);
    abort();
  }
  t->n_buckets = n_buckets;
  m->tables[i] = t;
  return t;
}

/* Rehashes the entries of `old` into a table twice its size and installs
 * it. Entries are moved, not copied: their next links are rewritten. */
static enum walk map_grow(struct map *m, struct table *old) {
  struct table *t = table_new(m, old->n_buckets * 2);
  enum walk w = WALK_OK;

  for (size_t b = 0; b < old->n_buckets; b++) {
    struct entry *e = old->buckets[b];
    size_t n_steps = 0;

    while (e != NULL) {
      struct entry *next = e->next;
      size_t nb = bucket_of(t, e->key);

      if (++n_steps > m->max_chain) {
        w = WALK_CORRUPT;
        break;
      }
      e->next = t->buckets[nb];
      t->buckets[nb] = e;
      e = next;
    }
  }
  jostle_yield();
  m->table = t; /* `old` stays on m->tables until teardown */
  return w;
}

/* Looks `key` up; *found is the entry or NULL. */
static enum walk map_get(const struct map *m, uint64_t key,
                         const struct entry **found) {
  const struct table *t = m->table;
  size_t n_steps = 0;

  *found = NULL;
  for (const struct entry *e = t->buckets[bucket_of(t, key)]; e != NULL;
       e = e->next) {
    if (++n_steps > m->max_chain)
      return WALK_CORRUPT;
    if (e->key == key) {
      *found = e;
      break;
    }
  }
  return WALK_OK;
}

/* Puts the caller's entry `fresh` (key and value set, not in any map), or
 * updates the value of the entry already there with its key. */
static enum walk map_put(struct map *m, struct entry *fresh) {
  struct table *t = m->table;
  size_t b = bucket_of(t, fresh->key);
  size_t n_steps = 0;

  for (struct entry *e = t->buckets[b]; e != NULL; e = e->next) {
    if (++n_steps > m->max_chain)
      return WALK_CORRUPT;
    if (e->key == fresh->key) {
      e->value = fresh->value;
      return WALK_OK;
    }
  }
  fresh->next = t->buckets[b];
  jostle_yield();
  t->buckets[b] = fresh;
  m->n_entries++;
  if (m->n_entries * 4 > t->n_buckets * 3)
    return map_grow(m, t);
  return WALK_OK;
}

/* ---- the run ------------------------------------------------------------ */

enum lock_kind { LOCK_NONE, LOCK_MUTEX, LOCK_RWLOCK };

struct cache {
  struct map map;
  pthread_mutex_t mutex;   /* cache-mutex */
  pthread_rwlock_t rwlock; /* cache-rwlock */
  struct entry *entries;   /* threads * keys, one per key */
  unsigned char *seen;     /* scratch for the check, one per entry */
  /* Keys put so far by each thread, published after each put. */
  atomic_int n_put[SCENARIO_MAX_THREADS];
  /* Written by thread i only, read by the check. */
  int n_missed[SCENARIO_MAX_THREADS];
  int n_corrupt[SCENARIO_MAX_THREADS];
};

static uint64_t key_of(int thread, int k, int n_keys) {
  return (uint64_t)thread * (uint64_t)n_keys + (uint64_t)k + 1;
}

static uint64_t value_of(uint64_t key) {
  return key * 1000003u + 17u;
}

static size_t round_up_pow2(size_t n) {
  size_t p = 1;
  while (p < n)
    p *= 2;
  return p;
}

static void setup_map(jostle_run *r, enum lock_kind kind) {
  struct cache *s = jostle_state(r);
  size_t n_entries = (size_t)jostle_threads(r) * (size_t)jostle_param(r, P_KEYS);
  size_t max_tables = n_entries + 1;
  /* One block: entries, table list, check scratch. */
  char *block = need_memory(malloc(n_entries * sizeof(struct entry) +
                                   max_tables * sizeof(struct table *) +
                                   n_entries));

  s->entries = (struct entry *)block;
  s->map.tables = (struct table **)(block + n_entries * sizeof(struct entry));
  s->seen = (unsigned char *)(s->map.tables + max_tables);
  s->map.max_tables = max_tables;
  s->map.max_chain = n_entries;
  atomic_init(&s->map.n_tables, 0);
  s->map.table = table_new(
      &s->map, round_up_pow2((size_t)jostle_param(r, P_INITIAL_BUCKETS)));
  for (int i = 0; i < jostle_threads(r); i++)
    atomic_init(&s->n_put[i], 0);
  if (kind == LOCK_MUTEX)
    pthread_mutex_init(&s->mutex, NULL);
  else if (kind == LOCK_RWLOCK)
    pthread_rwlock_init(&s->rwlock, NULL);
}

static void lock_for_put(struct cache *s, enum lock_kind kind) {
  if (kind == LOCK_MUTEX)
    pthread_mutex_lock(&s->mutex);
  else if (kind == LOCK_RWLOCK)
    pthread_rwlock_wrlock(&s->rwlock);
}

static void lock_for_get(struct cache *s, enum lock_kind kind) {
  if (kind == LOCK_MUTEX)
    pthread_mutex_lock(&s->mutex);
  else if (kind == LOCK_RWLOCK)
    pthread_rwlock_rdlock(&s->rwlock);
}

static void unlock(struct cache *s, enum lock_kind kind) {
  if (kind == LOCK_MUTEX)
    pthread_mutex_unlock(&s->mutex);
  else if (kind == LOCK_RWLOCK)
    pthread_rwlock_unlock(&s->rwlock);
}

static void cache_thread(jostle_run *r, int index, enum lock_kind kind) {
  struct cache *s = jostle_state(r);
  int n_keys = (int)jostle_param(r, P_KEYS);
  int other = (index + 1) % jostle_threads(r);

  for (int k = 0; k < n_keys; k++) {
    struct entry *e = &s->entries[index * n_keys + k];
    const struct entry *got;
    enum walk w;
    int published;

    e->key = key_of(index, k, n_keys);
    e->value = value_of(e->key);
    e->next = NULL;
    jostle_yield();
    lock_for_put(s, kind);
    w = map_put(&s->map, e);
    unlock(s, kind);
    s->n_corrupt[index] += w == WALK_CORRUPT;
    atomic_store_explicit(&s->n_put[index], k + 1, memory_order_release);

    /* Get the other thread's key k: it must be there if its put is done. */
    published = atomic_load_explicit(&s->n_put[other], memory_order_acquire) > k;
    jostle_yield();
    lock_for_get(s, kind);
    w = map_get(&s->map, key_of(other, k, n_keys), &got);
    unlock(s, kind);
    s->n_corrupt[index] += w == WALK_CORRUPT;
    s->n_missed[index] += published && got == NULL;
  }
}

static void cache_check(jostle_run *r) {
  struct cache *s = jostle_state(r);
  int n_threads = jostle_threads(r);
  size_t n_entries = (size_t)n_threads * (size_t)jostle_param(r, P_KEYS);
  const struct table *t = s->map.table;
  size_t n_reachable = 0, n_good = 0;
  long long n_missed = 0;
  int corrupt = 0;

  for (int i = 0; i < n_threads; i++) {
    n_missed += s->n_missed[i];
    corrupt |= s->n_corrupt[i] != 0;
  }
  /* Each entry is visited at most once: a second visit means a loop or two
   * chains sharing a tail, and ends that chain's walk. */
  memset(s->seen, 0, n_entries);
  for (size_t b = 0; b < t->n_buckets; b++) {
    for (const struct entry *e = t->buckets[b]; e != NULL; e = e->next) {
      size_t i = (size_t)(e - s->entries);

      if (s->seen[i]) {
        corrupt = 1;
        break;
      }
      s->seen[i] = 1;
      n_reachable++;
      n_good += bucket_of(t, e->key) == b && e->value == value_of(e->key);
    }
  }
  jostle_observe(r, "lost", (long long)(n_entries - n_good));
  jostle_observe(r, "missed", n_missed);
  jostle_observe(r, "corrupt", corrupt);
  jostle_observe(r, "miscount", s->map.n_entries != n_reachable);
  if (corrupt)
    jostle_fail(r, "corrupt chains");
  else if (n_good != n_entries)
    jostle_fail(r, "lost keys");
  else if (n_missed != 0)
    jostle_fail(r, "get missed a stored key");
  else if (s->map.n_entries != n_reachable)
    jostle_fail(r, "entry count off");
}

static void teardown_map(jostle_run *r, enum lock_kind kind) {
  struct cache *s = jostle_state(r);
  size_t n_tables = atomic_load_explicit(&s->map.n_tables, memory_order_relaxed);

  for (size_t i = 0; i < n_tables; i++)
    free(s->map.tables[i]);
  free(s->entries); /* the block that also holds tables[] and seen[] */
  if (kind == LOCK_MUTEX)
    pthread_mutex_destroy(&s->mutex);
  else if (kind == LOCK_RWLOCK)
    pthread_rwlock_destroy(&s->rwlock);
}

/* ---- cache: no synchronisation ------------------------------------------ */

static void racy_setup(jostle_run *r) { setup_map(r, LOCK_NONE); }
static void racy_thread(jostle_run *r, int index) { cache_thread(r, index, LOCK_NONE); }
static void racy_teardown(jostle_run *r) { teardown_map(r, LOCK_NONE); }

JOSTLE_SCENARIO(cache) {
  .name = "cache",
  .summary = "hash map put and get from every thread unlocked: lost keys, corrupt chains",
  .racy = 1,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .params = params,
  .state_size = sizeof(struct cache),
  .setup = racy_setup,
  .thread = racy_thread,
  .check = cache_check,
  .teardown = racy_teardown,
};

/* ---- cache-mutex --------------------------------------------------------- */

static void mutex_setup(jostle_run *r) { setup_map(r, LOCK_MUTEX); }
static void mutex_thread(jostle_run *r, int index) { cache_thread(r, index, LOCK_MUTEX); }
static void mutex_teardown(jostle_run *r) { teardown_map(r, LOCK_MUTEX); }

JOSTLE_SCENARIO(cache_mutex) {
  .name = "cache-mutex",
  .summary = "hash map with every get and put under one mutex (fix of cache)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .params = params,
  .state_size = sizeof(struct cache),
  .setup = mutex_setup,
  .thread = mutex_thread,
  .check = cache_check,
  .teardown = mutex_teardown,
};

/* ---- cache-rwlock -------------------------------------------------------- */

static void rwlock_setup(jostle_run *r) { setup_map(r, LOCK_RWLOCK); }
static void rwlock_thread(jostle_run *r, int index) { cache_thread(r, index, LOCK_RWLOCK); }
static void rwlock_teardown(jostle_run *r) { teardown_map(r, LOCK_RWLOCK); }

JOSTLE_SCENARIO(cache_rwlock) {
  .name = "cache-rwlock",
  .summary = "hash map with gets under a read lock, puts under the write lock (fix of cache)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .params = params,
  .state_size = sizeof(struct cache),
  .setup = rwlock_setup,
  .thread = rwlock_thread,
  .check = cache_check,
  .teardown = rwlock_teardown,
};
