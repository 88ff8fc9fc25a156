/*
 * scenarios_traced.c: test-only scenarios whose traces tests/check_trace.c
 * reads. The Makefile compiles this file with the hooks, as it does the
 * built-in scenarios (plain under SANITIZER=thread, where no access is a
 * point and check_trace.c leaves these out).
 *
 *   test-trace-values  one thread writes, then reads, a member of each kind
 *                      of C type: the trace shows each value as C writes it
 *   test-trace-crash   a thread stores through a NULL pointer: the store is
 *                      the last line of the trace, before the crash
 *   test-tickets       three threads take two tickets each: one of 90 orders
 *                      (tests/check_control.c's uniformity test)
 *   test-aba           a lock-free stack's ABA, which needs the thread that
 *                      pct drops second to run before the one it dropped
 *                      first (tests/check_control.c)
 */
#include <stdatomic.h>
#include <stddef.h>

#include "jostle.h"
#include "tests/scenarios_test.h"

/* Out of line and opaque to the optimiser: gcc's interprocedural passes
 * would otherwise carry the values stored before a call into it. */
#if defined(__clang__)
#define OPAQUE __attribute__((noinline))
#else
#define OPAQUE __attribute__((noipa))
#endif

struct text {
  char chars[40];
};

struct values {
  char letter;
  _Bool flag;
  short small;
  unsigned big;
  long negative;
  double ratio;
  const struct values *self;
  long *nowhere;
  struct text text;
};

static const struct text greeting = {"hello, trace"};

static void nothing_to_check(jostle_run *r) { (void)r; }

/* Its loads are not folded into the stores before the call. */
static OPAQUE long read_back(const struct values *s, struct text *copy) {
  *copy = s->text;
  return s->letter + s->flag + s->small + (long)s->big + s->negative + (long)(s->ratio * 4) +
         (s->self == s) + (s->nowhere == NULL);
}

/* Every value is stored, then loaded back, each access a point of its own. */
static void values_thread(jostle_run *r, int index) {
  struct values *s = jostle_state(r);
  struct text copy;

  (void)index;
  s->letter = 'j';
  s->flag = 1;
  s->small = -3;
  s->big = 4000000000u;
  s->negative = -70000;
  s->ratio = 0.25;
  s->self = s;
  s->nowhere = NULL;
  s->text = greeting;
  if (read_back(s, &copy) != 'j' + 1 - 3 + 4000000000L - 70000 + 1 + 2 || copy.chars[0] != 'h')
    jostle_fail(r, "a value read back is not the one written");
}

JOSTLE_SCENARIO(test_trace_values) {
  .name = "test-trace-values",
  .summary = "test only: a member of each kind of C type written and read",
  .threads = 1,
  .max_threads = 1,
  .state_size = sizeof(struct values),
  .thread = values_thread,
  .check = nothing_to_check,
};

struct crash {
  long before;
  long *nowhere; /* NULL: the state is zeroed */
};

/* The compiler cannot prove that the store faults. */
static OPAQUE void store_through(long *p) { *p = 2; }

static void crash_thread(jostle_run *r, int index) {
  struct crash *s = jostle_state(r);

  (void)index;
  s->before = 1;
  store_through(s->nowhere);
}

JOSTLE_SCENARIO(test_trace_crash) {
  .name = "test-trace-crash",
  .summary = "test only: a store through a NULL pointer after a plain store",
  .threads = 1,
  .max_threads = 1,
  .state_size = sizeof(struct crash),
  .thread = crash_thread,
  .check = nothing_to_check,
};

/* ---- a known number of orders -------------------------------------------- */

/* Three threads take two tickets each from one counter: the order in which
 * they take them is one of 6!/(2!2!2!) = 90, named by order=CODE (the
 * taker of ticket t is digit t, base 3). Every order is allowed; a
 * strategy uniform over the interleavings of the tickets gives each the
 * same share (surw; tests/check_control.c). */
typedef struct {
  _Atomic int next;
  int taker[JOSTLE_TEST_TICKETS];
} tickets_state;

static void tickets_thread(jostle_run *r, int index) {
  tickets_state *st = jostle_state(r);
  for (int i = 0; i < 2; i++) {
    int t = atomic_fetch_add(&st->next, 1);
    if (t >= 0 && t < JOSTLE_TEST_TICKETS) st->taker[t] = index;
  }
}

static void tickets_check(jostle_run *r) {
  tickets_state *st = jostle_state(r);
  long long code = 0;
  for (int t = JOSTLE_TEST_TICKETS - 1; t >= 0; t--) code = code * 3 + st->taker[t];
  jostle_observe(r, "order", code);
}

JOSTLE_SCENARIO(test_tickets) {
    .name = "test-tickets",
    .summary = "test only: 3 threads take 2 tickets each, order=CODE names one of 90 orders",
    .threads = 3,
    .max_threads = 3,
    .state_size = sizeof(tickets_state),
    .thread = tickets_thread,
    .check = tickets_check,
};

/* ---- two change points in either order --------------------------------- */

/* A lock-free stack holds nodes 0, 1, 2 (top first). Threads 0 and 2 pop
 * once; thread 1 pops and pushes its node back. A pop that read top (0)
 * and its next (1), then waited while thread 1 popped 0, the other popper
 * popped 1 and thread 1 pushed 0 back, swaps top from 0 to 1: node 1 is
 * then on the stack and held (ABA). Under pct at depth 3 that needs the
 * waiting popper dropped first and thread 1 dropped second, and thread 1
 * to run on before it: the paper's change points give either order. */
typedef struct {
  _Atomic int next[3];            /* -1: none */
  _Atomic int top;
  int held[3];
} aba_state;

static int aba_pop(aba_state *st) {
  int old = atomic_load(&st->top);
  while (old >= 0 && !atomic_compare_exchange_strong(&st->top, &old, atomic_load(&st->next[old]))) {
  }
  return old;
}

static void aba_setup(jostle_run *r) {
  aba_state *st = jostle_state(r);
  for (int i = 0; i < 3; i++) atomic_store(&st->next[i], i < 2 ? i + 1 : -1);
  atomic_store(&st->top, 0);
}

static void aba_thread(jostle_run *r, int index) {
  aba_state *st = jostle_state(r);
  int n = aba_pop(st);
  if (index == 1 && n >= 0) {
    int old = atomic_load(&st->top);
    do atomic_store(&st->next[n], old);
    while (!atomic_compare_exchange_strong(&st->top, &old, n));
    n = -1;
  }
  st->held[index] = n;
}

static void aba_check(jostle_run *r) {
  aba_state *st = jostle_state(r);
  int seen[3] = {0, 0, 0}, steps = 0;
  for (int n = atomic_load(&st->top); n >= 0 && steps < 4; n = atomic_load(&st->next[n]), steps++)
    seen[n]++;
  for (int i = 0; i < 3; i++)
    if (st->held[i] >= 0) seen[st->held[i]]++;
  jostle_observe(r, "twice", steps == 4 || seen[0] != 1 || seen[1] != 1 || seen[2] != 1);
}

static const char *const aba_allowed[] = {"twice=0", NULL};

JOSTLE_SCENARIO(test_aba) {
    .name = "test-aba",
    .summary = "test only: a lock-free stack's ABA, twice=1 when a node is counted twice",
    .threads = 3,
    .max_threads = 3,
    .state_size = sizeof(aba_state),
    .setup = aba_setup,
    .thread = aba_thread,
    .check = aba_check,
    .allowed = aba_allowed,
};
