/*
 * scenarios/treiber_stack.c: the ABA problem of a lock-free stack.
 *
 * A Treiber stack is a linked stack whose top is swung by compare-and-swap:
 * pop reads the top node A and A's next node B, then swaps the top from A
 * to B. Between the read and the swap other threads may pop A, pop B and
 * push A back: the top is A again, the swap compares equal and succeeds,
 * and B, which another thread now holds, is the top of the stack again.
 * The compare-and-swap saw A, then something else, then A again (ABA) and
 * cannot tell. The classic fix gives the top word a version tag that every
 * swap bumps, so that a top that went A, B, A no longer compares equal.
 *
 * Nodes are an array of the run's state, named by index, and never freed,
 * so reading the next of a node another thread popped is harmless (a real
 * stack that frees nodes needs hazard pointers or epochs besides the tag).
 * The stack starts with 2 * threads + 1 nodes; each thread pops two, pushes
 * the first back and keeps the second, so every node ends in exactly one
 * place: on the stack, or held by one thread.
 *
 *   treiber-stack          the top is a node index, compared alone (racy)
 *   treiber-stack-tagged   the top is an index and a tag that every
 *                          successful swap increments
 *
 * Observations, each a count of nodes:
 *   duplicated  in two places at the end (on the stack and held, or held
 *               by two threads): the ABA's signature
 *   lost        in no place
 */
#include <stdatomic.h>
#include <stdint.h>

#include "common.h"

#define NO_NODE (-1)
#define MAX_NODES (2 * SCENARIO_MAX_THREADS + 1)

struct node {
  _Atomic int next; /* the node below, NO_NODE at the bottom */
};

/* Where each node ended: on the stack from `top`, or held. A walk longer
 * than the nodes has gone round a loop, whose nodes count twice. */
static void check_nodes(jostle_run *r, int top, const struct node *nodes, const int *held) {
  int n_nodes = 2 * jostle_threads(r) + 1;
  unsigned char places[MAX_NODES] = {0};
  long long n_duplicated = 0, n_lost = 0;

  for (int i = top, n_steps = 0; i != NO_NODE && n_steps <= n_nodes; n_steps++) {
    places[i]++;
    i = atomic_load_explicit(&nodes[i].next, memory_order_relaxed);
  }
  for (int t = 0; t < jostle_threads(r); t++)
    if (held[t] != NO_NODE)
      places[held[t]]++;
  for (int i = 0; i < n_nodes; i++) {
    n_duplicated += places[i] > 1;
    n_lost += places[i] == 0;
  }
  jostle_observe(r, "duplicated", n_duplicated);
  jostle_observe(r, "lost", n_lost);
  if (n_duplicated != 0 || n_lost != 0)
    jostle_fail(r, "a node in two places or in none (ABA)");
}

/* ---- treiber-stack: the racy original -------------------------------------- */

struct racy {
  _Atomic int top; /* the top node, NO_NODE when empty */
  struct node nodes[MAX_NODES];
  int held[SCENARIO_MAX_THREADS]; /* the node thread i kept, written by it */
};

static void racy_setup(jostle_run *r) {
  struct racy *s = jostle_state(r);
  int n_nodes = 2 * jostle_threads(r) + 1;

  for (int i = 0; i < n_nodes; i++)
    atomic_init(&s->nodes[i].next, i + 1 < n_nodes ? i + 1 : NO_NODE);
  atomic_init(&s->top, 0);
}

static int pop(struct racy *s) {
  int top = atomic_load_explicit(&s->top, memory_order_acquire);

  while (top != NO_NODE) {
    int next = atomic_load_explicit(&s->nodes[top].next, memory_order_relaxed);

    /* Succeeds whenever the top is `top` again, whatever happened since. */
    if (atomic_compare_exchange_weak_explicit(&s->top, &top, next, memory_order_acq_rel,
                                              memory_order_acquire))
      return top;
  }
  return NO_NODE;
}

static void push(struct racy *s, int node) {
  int top = atomic_load_explicit(&s->top, memory_order_relaxed);

  do
    atomic_store_explicit(&s->nodes[node].next, top, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(&s->top, &top, node, memory_order_release,
                                                memory_order_relaxed));
}

static void racy_thread(jostle_run *r, int index) {
  struct racy *s = jostle_state(r);
  int first = pop(s), second = pop(s);

  if (first != NO_NODE)
    push(s, first);
  s->held[index] = second;
}

static void racy_check(jostle_run *r) {
  struct racy *s = jostle_state(r);
  check_nodes(r, atomic_load(&s->top), s->nodes, s->held);
}

JOSTLE_SCENARIO(treiber_stack) {
  .name = "treiber-stack",
  .summary = "lock-free stack whose swap compares the top index alone: ABA",
  .racy = 1,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .state_size = sizeof(struct racy),
  .setup = racy_setup,
  .thread = racy_thread,
  .check = racy_check,
};

/* ---- treiber-stack-tagged ---------------------------------------------------- */

/* The top word: the node's index + 1 in the low half (0: empty), the tag
 * in the high half. */
static uint64_t top_word(int node, uint32_t tag) {
  return (uint64_t)tag << 32 | (uint32_t)(node + 1);
}

static int node_of(uint64_t word) { return (int)(uint32_t)word - 1; }

static uint32_t tag_of(uint64_t word) { return (uint32_t)(word >> 32); }

struct tagged {
  _Atomic uint64_t top;
  struct node nodes[MAX_NODES];
  int held[SCENARIO_MAX_THREADS];
};

static void tagged_setup(jostle_run *r) {
  struct tagged *s = jostle_state(r);
  int n_nodes = 2 * jostle_threads(r) + 1;

  for (int i = 0; i < n_nodes; i++)
    atomic_init(&s->nodes[i].next, i + 1 < n_nodes ? i + 1 : NO_NODE);
  atomic_init(&s->top, top_word(0, 0));
}

static int pop_tagged(struct tagged *s) {
  uint64_t top = atomic_load_explicit(&s->top, memory_order_acquire);

  while (node_of(top) != NO_NODE) {
    int next = atomic_load_explicit(&s->nodes[node_of(top)].next, memory_order_relaxed);

    /* Fails if any swap happened since the load, even one back to this node. */
    if (atomic_compare_exchange_weak_explicit(&s->top, &top, top_word(next, tag_of(top) + 1),
                                              memory_order_acq_rel, memory_order_acquire))
      return node_of(top);
  }
  return NO_NODE;
}

static void push_tagged(struct tagged *s, int node) {
  uint64_t top = atomic_load_explicit(&s->top, memory_order_relaxed);

  do
    atomic_store_explicit(&s->nodes[node].next, node_of(top), memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(&s->top, &top, top_word(node, tag_of(top) + 1),
                                                memory_order_release, memory_order_relaxed));
}

static void tagged_thread(jostle_run *r, int index) {
  struct tagged *s = jostle_state(r);
  int first = pop_tagged(s), second = pop_tagged(s);

  if (first != NO_NODE)
    push_tagged(s, first);
  s->held[index] = second;
}

static void tagged_check(jostle_run *r) {
  struct tagged *s = jostle_state(r);
  check_nodes(r, node_of(atomic_load(&s->top)), s->nodes, s->held);
}

JOSTLE_SCENARIO(treiber_stack_tagged) {
  .name = "treiber-stack-tagged",
  .summary = "lock-free stack whose top carries a tag bumped by every swap (fix of treiber-stack)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .state_size = sizeof(struct tagged),
  .setup = tagged_setup,
  .thread = tagged_thread,
  .check = tagged_check,
};
