/*
 * waits.c: the published waits of an uncontrolled run (see waits.h), and
 * the parent's proof of a deadlock from them.
 *
 * What the records promise, at any moment they are read whole:
 *   - a lock listed as held is held: a thread lists it after the real call
 *     took it and drops it before the real call releases it (and before a
 *     condition wait releases its mutex);
 *   - a thread shown waiting on a lock is in the real call, or just out of
 *     it; just out of it only if the lock was free, so no listed holder of
 *     it was stuck;
 *   - a thread shown waiting on a condition variable or semaphore with the
 *     board's current wake count has not been woken since it began: a wake
 *     counts after the real signal or post, and the count is read before
 *     the wait (for a semaphore, before the try that found it empty);
 *   - a thread shown done is parked at the pool's barrier: it will do
 *     nothing until the run is over, which the stuck threads prevent.
 * From these, a thread can go on if it runs; or waits for a lock none of
 * whose conflicting listed holders is stuck (an unknown holder may let go);
 * or waits to be woken when someone else can go on (or a thread the pool
 * does not know exists, or a wake came since). Every other waiting thread
 * is stuck for good, and the run is a deadlock. Unlocking another thread's
 * mutex (undefined for default mutexes) makes the board unsure, and an
 * unsure board proves nothing.
 *
 * The parent still needs two reads with the same stamp a tick apart: a
 * condition variable may wake with no signal (glibc's rarely do).
 */
#include "schedulers/waits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seed.h"

jostle__waits *jostle__waits_board;

size_t jostle__waits_size(int n_threads) {
  return sizeof(jostle__waits) + (size_t)n_threads * sizeof(jostle__waiter);
}

void jostle__waits_init(jostle__waits *w, int n_threads) {
  memset(w, 0, jostle__waits_size(n_threads));
  w->n_threads = n_threads;
}

/* ---- writing a record: its one writer of the moment ------------------- */

/* Without fences (ThreadSanitizer does not take them): the writer stores
 * every field with release, so a reader whose acquire load sees a new value
 * sees the odd sequence number stored before it; the reader loads every
 * field with acquire, so its last load of the number comes after them. */
static void open_record(jostle__waiter *r) {
  uint32_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);
  atomic_store_explicit(&r->seq, s + 1, memory_order_relaxed);
}

static void close_record(jostle__waiter *r) {
  uint32_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);
  atomic_store_explicit(&r->seq, s + 1, memory_order_release);
}

void jostle__waits_begin_run(jostle__waits *w) {
  atomic_store_explicit(&w->unsure, 0, memory_order_release);
  for (int i = 0; i < w->n_threads; i++) {
    jostle__waiter *r = &w->threads[i];
    open_record(r);
    atomic_store_explicit(&r->state, JOSTLE__WAITS_RUNNING, memory_order_release);
    atomic_store_explicit(&r->n_held, 0, memory_order_release);
    close_record(r);
  }
}

void jostle__waits_done(jostle__waits *w, int index, int done) {
  jostle__waiter *r = &w->threads[index];
  open_record(r);
  atomic_store_explicit(&r->state, done ? JOSTLE__WAITS_DONE : JOSTLE__WAITS_RUNNING,
                        memory_order_release);
  close_record(r);
}

uint32_t jostle__waits_block(jostle__waiter *me, const void *on, jostle__object_kind kind,
                             jostle__wait_state state, uint64_t wakes) {
  uint32_t was = atomic_load_explicit(&me->state, memory_order_relaxed);
  open_record(me);
  atomic_store_explicit(&me->on, (uintptr_t)on, memory_order_release);
  atomic_store_explicit(&me->kind, kind, memory_order_release);
  atomic_store_explicit(&me->wakes, wakes, memory_order_release);
  atomic_store_explicit(&me->state, state, memory_order_release);
  close_record(me);
  return was;
}

void jostle__waits_unblock(jostle__waiter *me, uint32_t was) {
  open_record(me);
  atomic_store_explicit(&me->state, was, memory_order_release);
  close_record(me);
}

void jostle__waits_hold(jostle__waiter *me, const void *addr, int exclusive) {
  uint32_t n = atomic_load_explicit(&me->n_held, memory_order_relaxed);
  open_record(me);
  if (n < JOSTLE__WAITS_HELD)
    atomic_store_explicit(&me->held[n], (uintptr_t)addr | (exclusive ? 1u : 0u),
                          memory_order_release);
  atomic_store_explicit(&me->n_held, n + 1, memory_order_release);
  close_record(me);
}

/* The index of addr's latest entry in r's list, or -1. */
static int find_held(const jostle__waiter *r, uint32_t n, const void *addr) {
  for (int i = (int)(n < JOSTLE__WAITS_HELD ? n : JOSTLE__WAITS_HELD) - 1; i >= 0; i--)
    if ((atomic_load_explicit(&r->held[i], memory_order_relaxed) & ~(uintptr_t)1) ==
        (uintptr_t)addr)
      return i;
  return -1;
}

int jostle__waits_holds(const jostle__waiter *me, const void *addr) {
  return find_held(me, atomic_load_explicit(&me->n_held, memory_order_relaxed), addr) >= 0;
}

void jostle__waits_release(jostle__waiter *me, const void *addr) {
  uint32_t n = atomic_load_explicit(&me->n_held, memory_order_relaxed);
  int at = find_held(me, n, addr);
  if (at < 0 && n <= JOSTLE__WAITS_HELD) {
    /* Not ours by the record: nobody's holdings can be trusted now. */
    if (jostle__waits_board != NULL)
      atomic_store_explicit(&jostle__waits_board->unsure, 1, memory_order_release);
    return;
  }
  open_record(me);
  if (at >= 0) {
    uint32_t listed = n < JOSTLE__WAITS_HELD ? n : JOSTLE__WAITS_HELD;
    for (uint32_t i = (uint32_t)at; i + 1 < listed; i++)
      atomic_store_explicit(&me->held[i],
                            atomic_load_explicit(&me->held[i + 1], memory_order_relaxed),
                            memory_order_release);
  }
  /* Past the list's end, a lock not found is one that was never listed. */
  atomic_store_explicit(&me->n_held, n - 1, memory_order_release);
  close_record(me);
}

uint64_t jostle__waits_wakes(void) {
  jostle__waits *w = jostle__waits_board;
  return w != NULL ? atomic_load_explicit(&w->wakes, memory_order_acquire) : 0;
}

void jostle__waits_woke(void) {
  jostle__waits *w = jostle__waits_board;
  if (w != NULL) atomic_fetch_add_explicit(&w->wakes, 1, memory_order_release);
}

/* ---- reading the board: the campaign's parent -------------------------- */

typedef struct copy {
  uint32_t state, kind, n_held;
  uintptr_t on;
  uint64_t wakes;
  uintptr_t held[JOSTLE__WAITS_HELD];
} copy;

/* A whole copy of record r, or 0 while it changes. */
static int read_record(const jostle__waiter *r, copy *c, uint32_t *seq) {
  uint32_t s = atomic_load_explicit(&r->seq, memory_order_acquire);
  if (s & 1) return 0;
  c->state = atomic_load_explicit(&r->state, memory_order_acquire);
  c->kind = atomic_load_explicit(&r->kind, memory_order_acquire);
  c->n_held = atomic_load_explicit(&r->n_held, memory_order_acquire);
  c->on = atomic_load_explicit(&r->on, memory_order_acquire);
  c->wakes = atomic_load_explicit(&r->wakes, memory_order_acquire);
  for (int i = 0; i < JOSTLE__WAITS_HELD; i++)
    c->held[i] = atomic_load_explicit(&r->held[i], memory_order_acquire);
  *seq = s;
  return atomic_load_explicit(&r->seq, memory_order_relaxed) == s;
}

static int waits(const copy *c) {
  return c->state == JOSTLE__WAITS_LOCK || c->state == JOSTLE__WAITS_READ ||
         c->state == JOSTLE__WAITS_WAKE;
}

/* Whether holder h's entries include one that keeps waiter c out. */
static int keeps_out(const copy *h, const copy *c) {
  uint32_t listed = h->n_held < JOSTLE__WAITS_HELD ? h->n_held : JOSTLE__WAITS_HELD;
  for (uint32_t k = 0; k < listed; k++)
    if ((h->held[k] & ~(uintptr_t)1) == c->on &&
        (c->state == JOSTLE__WAITS_LOCK || (h->held[k] & 1)))
      return 1;
  return 0;
}

/* Names objects by their first appearance in the text: mutex#0, cond#1. */
static int object_id(uintptr_t *seen, int *n_seen, uintptr_t on) {
  for (int i = 0; i < *n_seen; i++)
    if (seen[i] == on) return i;
  seen[*n_seen] = on;
  return (*n_seen)++;
}

static void describe(const copy *cs, const unsigned char *can, int n, char *text,
                     size_t size) {
  uintptr_t *seen = malloc((size_t)n * sizeof *seen);
  int n_seen = 0;
  size_t len = (size_t)snprintf(text, size, "deadlock (");
  const char *sep = "";
  for (int i = 0; i < n && len < size; i++) {
    if (!waits(&cs[i]) || can[i]) continue;
    int id = seen ? object_id(seen, &n_seen, cs[i].on) : 0;
    len += (size_t)snprintf(text + len, size - len, "%sthread %d waits for %s#%d", sep, i,
                            jostle__object_kind_name((jostle__object_kind)cs[i].kind), id);
    sep = "; ";
    for (int j = 0; j < n && len < size && cs[i].state != JOSTLE__WAITS_WAKE; j++) {
      if (can[j] || !keeps_out(&cs[j], &cs[i])) continue;
      len += (size_t)snprintf(text + len, size - len, " held by thread %d%s", j,
                              cs[j].state == JOSTLE__WAITS_DONE ? ", which has finished" : "");
      break;
    }
  }
  if (len < size) snprintf(text + len, size - len, ")");
  free(seen);
}

static int waits_for_lock(const copy *c) {
  return c->state == JOSTLE__WAITS_LOCK || c->state == JOSTLE__WAITS_READ;
}

/* Which threads can go on, to the least fixed point, by a work list: a
 * thread running; a lock's waiter once every listed holder that keeps it
 * out can go on; a waiter to be woken once anyone else can, or at once
 * when a wake came since it began or threads the pool does not know exist.
 * Threads left out wait for good. Returns 0 when out of memory. */
static int can_go_on(const copy *cs, int n, uint64_t wakes, int other_threads,
                     unsigned char *can) {
  /* The pairs (holder j keeps out waiter i), grouped by holder: kept[k]
   * for first[j] <= k < first[j + 1]; blockers[i] counts i's. */
  int *blockers = calloc((size_t)n, sizeof *blockers);
  int *first = calloc((size_t)n + 1, sizeof *first);
  int *fill = calloc((size_t)n, sizeof *fill);
  int *queue = malloc((size_t)n * sizeof *queue);
  int *kept = NULL;
  int ok = 0;
  if (blockers == NULL || first == NULL || fill == NULL || queue == NULL) goto out;
  for (int i = 0; i < n; i++)
    for (int j = 0; waits_for_lock(&cs[i]) && j < n; j++)
      if (keeps_out(&cs[j], &cs[i])) first[j + 1]++, blockers[i]++;
  for (int j = 0; j < n; j++) first[j + 1] += first[j];
  kept = malloc((size_t)(first[n] ? first[n] : 1) * sizeof *kept);
  if (kept == NULL) goto out;
  for (int i = 0; i < n; i++)
    for (int j = 0; waits_for_lock(&cs[i]) && j < n; j++)
      if (keeps_out(&cs[j], &cs[i])) kept[first[j] + fill[j]++] = i;

  int head = 0, tail = 0, woke_all = 0;
  for (int i = 0; i < n; i++) {
    int wake = cs[i].state == JOSTLE__WAITS_WAKE;
    if (cs[i].state == JOSTLE__WAITS_RUNNING || (waits_for_lock(&cs[i]) && blockers[i] == 0) ||
        (wake && (cs[i].wakes != wakes || other_threads != 0)))
      can[i] = 1, queue[tail++] = i;
  }
  while (head < tail) {
    int j = queue[head++];
    for (int i = 0; !woke_all && i < n; i++) /* j may wake them all */
      if (!can[i] && cs[i].state == JOSTLE__WAITS_WAKE) can[i] = 1, queue[tail++] = i;
    woke_all = 1;
    for (int k = first[j]; k < first[j + 1]; k++) {
      int i = kept[k];
      if (!can[i] && --blockers[i] == 0) can[i] = 1, queue[tail++] = i;
    }
  }
  ok = 1;
out:
  free(blockers);
  free(first);
  free(fill);
  free(queue);
  free(kept);
  return ok;
}

int jostle__waits_deadlock(const jostle__waits *w, int other_threads, uint64_t *stamp,
                           char *text, size_t size) {
  int n = w->n_threads;
  copy *cs = malloc((size_t)n * sizeof *cs);
  unsigned char *can = calloc((size_t)n, 1);
  int found = 0;
  if (cs == NULL || can == NULL) goto out;
  uint64_t wakes = atomic_load_explicit(&w->wakes, memory_order_acquire);
  uint64_t h = jostle__mix(wakes, (uint64_t)n);
  int any_waits = 0;
  for (int i = 0; i < n; i++) {
    uint32_t seq;
    if (!read_record(&w->threads[i], &cs[i], &seq)) goto out;
    h = jostle__mix(h, seq);
    any_waits |= waits(&cs[i]);
  }
  if (atomic_load_explicit(&w->wakes, memory_order_acquire) != wakes ||
      atomic_load_explicit(&w->unsure, memory_order_acquire))
    goto out;
  *stamp = h;
  if (!any_waits || !can_go_on(cs, n, wakes, other_threads, can)) goto out;
  for (int i = 0; i < n && !found; i++) found = waits(&cs[i]) && !can[i];
  if (found) describe(cs, can, n, text, size);
out:
  free(cs);
  free(can);
  return found;
}
