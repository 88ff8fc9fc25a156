/*
 * calls.c: the shadow call stacks of --races (see calls.h).
 *
 * The tree's nodes live in one array, found by (parent, call site) through
 * an open-addressing index of node numbers + 1 (0: empty), made at its full
 * size at once: JOSTLE__CALLS_NODES nodes, a few hundred kilobytes, only
 * under --races. Each thread has its node and the calls it made past the
 * tree's room or depth, which its returns undo first.
 */
#include "schedulers/calls.h"

#include <stdlib.h>
#include <string.h>

#include "common/seed.h"

#define JOSTLE__CALLS_NODES (1u << 15)
#define INDEX_SLOTS (2 * JOSTLE__CALLS_NODES) /* a power of two */

typedef struct node {
  uint32_t parent;
  uint32_t depth;                    /* calls from the root */
  const void *site;                  /* where the parent called */
} node;

typedef struct thread_calls {
  uint32_t node;
  uint32_t past;                     /* calls not in the tree, returned first */
} thread_calls;

struct jostle__calls {
  node *nodes;
  uint32_t n_nodes;
  uint32_t *index;                   /* INDEX_SLOTS node numbers + 1 */
  thread_calls *threads;
  int n_threads;                     /* room in threads */
};

jostle__calls *jostle__calls_create(void) {
  jostle__calls *k = calloc(1, sizeof *k);
  if (k == NULL) return NULL;
  k->nodes = malloc(JOSTLE__CALLS_NODES * sizeof *k->nodes);
  k->index = calloc(INDEX_SLOTS, sizeof *k->index);
  if (k->nodes == NULL || k->index == NULL) {
    jostle__calls_destroy(k);
    return NULL;
  }
  k->nodes[JOSTLE__CALLS_ROOT] = (node){JOSTLE__CALLS_ROOT, 0, NULL};
  k->n_nodes = 1;
  return k;
}

void jostle__calls_destroy(jostle__calls *k) {
  if (k == NULL) return;
  free(k->nodes);
  free(k->index);
  free(k->threads);
  free(k);
}

void jostle__calls_begin(jostle__calls *k) {
  if (k->threads) memset(k->threads, 0, (size_t)k->n_threads * sizeof *k->threads);
}

/* Thread t's calls, the array grown to hold it; NULL when out of memory
 * (its calls are then not followed). */
static thread_calls *thread_of(jostle__calls *k, int t) {
  if (t < k->n_threads) return &k->threads[t];
  int n = k->n_threads ? k->n_threads : 8;
  while (n <= t) n *= 2;
  thread_calls *grown = realloc(k->threads, (size_t)n * sizeof *grown);
  if (grown == NULL) return NULL;
  memset(grown + k->n_threads, 0, (size_t)(n - k->n_threads) * sizeof *grown);
  k->threads = grown;
  k->n_threads = n;
  return &k->threads[t];
}

void jostle__calls_reset(jostle__calls *k, int t) {
  thread_calls *th = thread_of(k, t);
  if (th != NULL) *th = (thread_calls){JOSTLE__CALLS_ROOT, 0};
}

/* The child of `parent` called from site, made when new; parent itself
 * when the tree is full. */
static uint32_t child(jostle__calls *k, uint32_t parent, const void *site) {
  uint64_t h = jostle__mix((uint64_t)(uintptr_t)site, parent);
  for (uint32_t i = (uint32_t)h & (INDEX_SLOTS - 1);; i = (i + 1) & (INDEX_SLOTS - 1)) {
    uint32_t at = k->index[i];
    if (at == 0) {
      if (k->n_nodes == JOSTLE__CALLS_NODES) return parent;
      uint32_t made = k->n_nodes++;
      k->nodes[made] = (node){parent, k->nodes[parent].depth + 1, site};
      k->index[i] = made + 1;
      return made;
    }
    const node *n = &k->nodes[at - 1];
    if (n->parent == parent && n->site == site) return at - 1;
  }
}

void jostle__calls_enter(jostle__calls *k, int t, const void *caller_pc) {
  thread_calls *th = thread_of(k, t);
  if (th == NULL) return;
  uint32_t next = th->past || k->nodes[th->node].depth == JOSTLE__CALLS_DEPTH
                      ? th->node
                      : child(k, th->node, caller_pc);
  if (next == th->node) th->past++;
  else th->node = next;
}

void jostle__calls_exit(jostle__calls *k, int t) {
  if (t >= k->n_threads) return;
  thread_calls *th = &k->threads[t];
  if (th->past) th->past--;
  else th->node = k->nodes[th->node].parent; /* the root's parent is the root */
}

uint32_t jostle__calls_now(const jostle__calls *k, int t) {
  return t < k->n_threads ? k->threads[t].node : JOSTLE__CALLS_ROOT;
}

int jostle__calls_sites(const jostle__calls *k, uint32_t at, const void **sites, int max) {
  int n = 0;
  for (; at != JOSTLE__CALLS_ROOT && n < max; at = k->nodes[at].parent)
    sites[n++] = k->nodes[at].site;
  return n;
}
