/*
 * scenarios/slice_append.c: appending to one growable array from every
 * thread.
 *
 * From the Go articles' "shared slice append" race, where every goroutine
 * runs `results = append(results, process(item))`, and its two fixes: a
 * mutex around the append, or results collected separately and merged
 * once the goroutines are done. In C the slice is {ptr, len, cap}, grown
 * to twice its capacity when full. Unsynchronised, two appends that read
 * the same len write the same slot (an item overwritten, an append lost);
 * two threads that find the array full both grow it, each copies the items
 * into its own new block and the last to store ptr wins, so the other's
 * block and the items appended into it are lost; an append that still
 * holds the old ptr writes into a block that was already copied.
 *
 *   slice-append         one shared slice, no synchronisation (racy)
 *   slice-append-mutex   the append under a mutex
 *   slice-append-local   each thread appends to its own slice; the check
 *                        merges them once every thread is done
 *
 * Item k of thread t is t * items + k + 1 (0 marks a slot never written).
 * Observations: len (the final length), missing (items absent) and dups
 * (items present more than once); the run fails unless len == threads *
 * items and every item is there once.
 *
 * Growth works like realloc, with two differences that keep a racing run's
 * damage inside the run. The old block is not freed but kept on the run's
 * block list until teardown, as Go's append leaves the old array to the
 * collector; with realloc, the second of two racing growths reallocs a
 * freed block, and the heap corruption (measured: a crash every few hundred
 * runs, often in a later run's malloc) would be blamed on the wrong seed
 * and leak the lost blocks. And each block has room for every item of the
 * run, though the slice believes it holds cap: an append that reads len
 * after another thread's len++ writes past cap, and that write must land
 * in the block rather than in the malloc metadata after it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "common.h"

enum { P_ITEMS };

static const jostle_param_def params[] = {
  {"items", 4, 1, 100000, "items appended by each thread"},
  {.name = NULL},
};

struct slice {
  int *ptr;
  size_t len;
  size_t cap;
};

/* Every block of the run, freed at teardown. */
struct blocks {
  int **list;
  atomic_size_t n_blocks; /* appended to by racing threads too */
  size_t max_blocks;
  size_t block_items; /* room of every block: all the run's items */
};

/* Sizes the block list: a first block for each slice (at most one per
 * thread and the merged one), then at most one growth per append, and every
 * item is appended twice at most (slice-append-local merges them). */
static void blocks_init(struct blocks *b, size_t n_items) {
  b->max_blocks = SCENARIO_MAX_THREADS + 1 + 2 * n_items;
  b->list = need_memory(malloc(b->max_blocks * sizeof *b->list));
  b->block_items = n_items;
  atomic_init(&b->n_blocks, 0);
}

static void blocks_free(struct blocks *b) {
  size_t n = atomic_load_explicit(&b->n_blocks, memory_order_relaxed);

  for (size_t i = 0; i < n; i++)
    free(b->list[i]);
  free(b->list);
}

/* A zeroed block with room for every item of the run. */
static int *block_new(struct blocks *b) {
  int *block = need_memory(calloc(b->block_items, sizeof *block));
  size_t i = atomic_fetch_add_explicit(&b->n_blocks, 1, memory_order_relaxed);

  if (i >= b->max_blocks) {
    fputs("jostle: slice-append: block list overflow\n", stderr);
    abort();
  }
  b->list[i] = block;
  return block;
}

static void grow(struct slice *s, struct blocks *b) {
  size_t cap = s->cap == 0 ? 1 : 2 * s->cap;
  int *ptr = block_new(b);

  jostle_yield(); /* between deciding to grow and installing the copy */
  if (s->len > 0)
    memcpy(ptr, s->ptr, s->len * sizeof *ptr);
  s->ptr = ptr; /* the old block stays on b until teardown */
  s->cap = cap;
}

static void append(struct slice *s, struct blocks *b, int item) {
  if (s->len == s->cap)
    grow(s, b);
  s->ptr[s->len++] = item;
}

static int item_of(int thread, int k, int n_items) {
  return thread * n_items + k + 1;
}

/* Every item of the run once in s, and nothing else. `seen` has one byte
 * per item. */
static void check_slice(jostle_run *r, const struct slice *s, unsigned char *seen) {
  size_t n_items = (size_t)jostle_threads(r) * (size_t)jostle_param(r, P_ITEMS);
  /* Blocks hold n_items: a racing len beyond them is not read. */
  size_t n_readable = s->len < n_items ? s->len : n_items;
  long long n_missing = 0, n_dups = 0;

  memset(seen, 0, n_items);
  for (size_t i = 0; i < n_readable; i++) {
    int item = s->ptr[i];

    if (item < 1 || (size_t)item > n_items)
      continue; /* a slot never written */
    n_dups += seen[item - 1];
    seen[item - 1] = 1;
  }
  for (size_t i = 0; i < n_items; i++)
    n_missing += !seen[i];
  jostle_observe(r, "len", (long long)s->len);
  jostle_observe(r, "missing", n_missing);
  jostle_observe(r, "dups", n_dups);
  if (n_missing != 0 || n_dups != 0 || s->len != n_items)
    jostle_fail(r, "lost appends");
}

/* ---- slice-append: the racy original ---------------------------------------- */

struct shared {
  struct slice results;
  struct blocks blocks;
  pthread_mutex_t lock; /* slice-append-mutex only */
  unsigned char *seen;  /* scratch for the check, one byte per item */
};

static size_t n_items_of(jostle_run *r) {
  return (size_t)jostle_threads(r) * (size_t)jostle_param(r, P_ITEMS);
}

/* Gives s its first block, so that ptr is never NULL, even to a thread
 * that sees the cap of a growth before its ptr. */
static void slice_init(struct slice *s, struct blocks *b) {
  s->ptr = block_new(b);
  s->cap = 1;
}

static void shared_setup(jostle_run *r) {
  struct shared *s = jostle_state(r);

  blocks_init(&s->blocks, n_items_of(r));
  slice_init(&s->results, &s->blocks);
  s->seen = need_memory(malloc(n_items_of(r)));
}

static void shared_thread(jostle_run *r, int index) {
  struct shared *s = jostle_state(r);
  int n_items = (int)jostle_param(r, P_ITEMS);

  for (int k = 0; k < n_items; k++) {
    int item = item_of(index, k, n_items); /* process(item) */

    jostle_yield();
    append(&s->results, &s->blocks, item);
  }
}

static void shared_check(jostle_run *r) {
  struct shared *s = jostle_state(r);
  check_slice(r, &s->results, s->seen);
}

static void shared_teardown(jostle_run *r) {
  struct shared *s = jostle_state(r);

  blocks_free(&s->blocks); /* results.ptr among them */
  free(s->seen);
}

JOSTLE_SCENARIO(slice_append) {
  .name = "slice-append",
  .summary = "every thread appends to one growable array: lost and overwritten items",
  .racy = 1,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .params = params,
  .state_size = sizeof(struct shared),
  .setup = shared_setup,
  .thread = shared_thread,
  .check = shared_check,
  .teardown = shared_teardown,
};

/* ---- slice-append-mutex -------------------------------------------------------- */

static void mutex_setup(jostle_run *r) {
  struct shared *s = jostle_state(r);

  shared_setup(r);
  pthread_mutex_init(&s->lock, NULL);
}

static void mutex_thread(jostle_run *r, int index) {
  struct shared *s = jostle_state(r);
  int n_items = (int)jostle_param(r, P_ITEMS);

  for (int k = 0; k < n_items; k++) {
    int item = item_of(index, k, n_items);

    jostle_yield();
    pthread_mutex_lock(&s->lock);
    append(&s->results, &s->blocks, item);
    pthread_mutex_unlock(&s->lock);
  }
}

static void mutex_teardown(jostle_run *r) {
  struct shared *s = jostle_state(r);

  pthread_mutex_destroy(&s->lock);
  shared_teardown(r);
}

JOSTLE_SCENARIO(slice_append_mutex) {
  .name = "slice-append-mutex",
  .summary = "every thread appends to one array under a mutex (fix of slice-append)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .params = params,
  .state_size = sizeof(struct shared),
  .setup = mutex_setup,
  .thread = mutex_thread,
  .check = shared_check,
  .teardown = mutex_teardown,
};

/* ---- slice-append-local --------------------------------------------------------- */

struct local {
  struct slice results[SCENARIO_MAX_THREADS]; /* results[i]: thread i's own */
  struct slice merged;                      /* built by the check */
  struct blocks blocks;
  unsigned char *seen;
};

static void local_setup(jostle_run *r) {
  struct local *s = jostle_state(r);

  blocks_init(&s->blocks, n_items_of(r));
  for (int t = 0; t < jostle_threads(r); t++)
    slice_init(&s->results[t], &s->blocks);
  slice_init(&s->merged, &s->blocks);
  s->seen = need_memory(malloc(n_items_of(r)));
}

static void local_thread(jostle_run *r, int index) {
  struct local *s = jostle_state(r);
  int n_items = (int)jostle_param(r, P_ITEMS);

  for (int k = 0; k < n_items; k++) {
    int item = item_of(index, k, n_items);

    jostle_yield();
    append(&s->results[index], &s->blocks, item);
  }
}

static void local_check(jostle_run *r) {
  struct local *s = jostle_state(r);

  /* Every thread is done: the merge runs alone, like code after wg.Wait(). */
  for (int t = 0; t < jostle_threads(r); t++)
    for (size_t i = 0; i < s->results[t].len; i++)
      append(&s->merged, &s->blocks, s->results[t].ptr[i]);
  check_slice(r, &s->merged, s->seen);
}

static void local_teardown(jostle_run *r) {
  struct local *s = jostle_state(r);

  blocks_free(&s->blocks);
  free(s->seen);
}

JOSTLE_SCENARIO(slice_append_local) {
  .name = "slice-append-local",
  .summary = "each thread appends to its own array, merged after all are done (fix of slice-append)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .params = params,
  .state_size = sizeof(struct local),
  .setup = local_setup,
  .thread = local_thread,
  .check = local_check,
  .teardown = local_teardown,
};
