/*
 * bench/aba.c: the ABA problem of a lock-free stack, for measuring how
 * soon each controlled strategy finds a bug that needs three threads in a
 * precise order (bench/checkers.sh SCENARIO=aba); not a built-in.
 *
 * A Treiber stack (a top pointer, popped and pushed by compare-and-swap)
 * holds nodes A, B, C. A pop reads top (A) and A's next (B), and swaps
 * top from A to B. Threads 0 and 2 pop once; thread 1 pops and pushes
 * what it popped back. The bug: thread 0 (or 2) reads A and B, then
 * thread 1 pops A, the other single popper pops B, thread 1 pushes A
 * back, and the first one's swap succeeds, since top is A again: top
 * becomes B, which the other holds.
 * The check counts every node once, on the stack or held by a thread; a
 * node counted twice (or lost) fails the run. Any other order is correct.
 *
 *   aba        -D threads=3
 */
#include <stddef.h>

#include "jostle.h"

struct node {
  struct node *next;
};

struct aba_state {
  struct node nodes[3];
  struct node *top;
  struct node *held[3];
  int ready;
};

static struct node *pop(struct node **top) {
  struct node *old = __atomic_load_n(top, __ATOMIC_ACQUIRE);
  while (old != NULL) {
    struct node *next = __atomic_load_n(&old->next, __ATOMIC_RELAXED);
    if (__atomic_compare_exchange_n(top, &old, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
      break;
  }
  return old;
}

static void push(struct node **top, struct node *n) {
  struct node *old = __atomic_load_n(top, __ATOMIC_RELAXED);
  do __atomic_store_n(&n->next, old, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(top, &old, n, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static void aba_setup(jostle_run *r) {
  struct aba_state *s = jostle_state(r);
  s->nodes[0].next = &s->nodes[1];
  s->nodes[1].next = &s->nodes[2];
  s->nodes[2].next = NULL;
  s->top = &s->nodes[0];
}

static void aba_thread(jostle_run *r, int index) {
  struct aba_state *s = jostle_state(r);
  struct node *n = pop(&s->top);
  if (index == 1 && n != NULL) {
    push(&s->top, n);
    n = NULL;
  }
  s->held[index] = n;
}

static void aba_check(jostle_run *r) {
  struct aba_state *s = jostle_state(r);
  int count[3] = {0, 0, 0}, steps = 0;
  for (struct node *n = s->top; n != NULL && steps < 4; n = n->next, steps++)
    count[n - s->nodes]++;
  for (int i = 0; i < 3; i++)
    if (s->held[i] != NULL) count[s->held[i] - s->nodes]++;
  int wrong = steps == 4;
  for (int i = 0; i < 3; i++) wrong |= count[i] != 1;
  jostle_observe(r, "on_stack", steps);
  if (wrong) jostle_fail(r, "a node is both on the stack and held, or lost (ABA)");
}

JOSTLE_SCENARIO(aba) {
    .name = "aba",
    .summary = "a lock-free stack's ABA: three threads in one order (-D threads=3)",
    .racy = 1,
    .threads = 3,
    .min_threads = 3,
    .max_threads = 3,
    .state_size = sizeof(struct aba_state),
    .setup = aba_setup,
    .thread = aba_thread,
    .check = aba_check,
};
