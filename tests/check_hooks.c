/*
 * check_hooks.c: the ThreadSanitizer entry points of schedulers/tsan_hooks.c,
 * driven through tests/instrumented_test.c, which the Makefile compiles
 * with -fsanitize=thread and links without the sanitizer runtime, as it
 * does scenarios.
 *
 * How points are observed: the test attaches a jostle__thread whose point
 * function records each point and may act at it as another thread would,
 * by changing the memory the point is about. A load that sees the change
 * was made after its point; a store whose point still saw the old value
 * was made after its point; a change made at the WRITE point of x++ that
 * x++ then overwrites is the lost update the controlled schedulers need.
 *
 * Under SANITIZER=thread the real runtime owns the entry points and jostle
 * leaves its own out: then the same tests assert that the instrumented code
 * computes the same results and makes no jostle point at all, and the tests
 * that only make sense with jostle's hooks are reported not applicable.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jostle.h"
#include "schedulers/sched.h"
#include "tests/check_main.h"

/* 1 when schedulers/tsan_hooks.c is linked: not under ThreadSanitizer. */
#if defined(__SANITIZE_THREAD__)
#define HOOKS_LINKED 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOOKS_LINKED 0
#endif
#endif
#ifndef HOOKS_LINKED
#define HOOKS_LINKED 1
#endif

/* --- tests/instrumented_test.c, declared again here ----------------------- */

extern int jt_global;
int jt_load(const int *p);
void jt_store(int *p, int v);
void jt_increment(void);
void jt_bump(int *p);
int jt_bump_local(void);
void jt_fence(void);
struct jt_block {
  char bytes[40];
};
void jt_copy(struct jt_block *dst, const struct jt_block *src);

#define DECLARE_ATOMIC_FUNCS(bits, T)                                   \
  T jt_load##bits(_Atomic T *a);                                       \
  void jt_store##bits(_Atomic T *a, T v);                              \
  T jt_exchange##bits(_Atomic T *a, T v);                              \
  T jt_fetch_add##bits(_Atomic T *a, T v);                             \
  T jt_fetch_sub##bits(_Atomic T *a, T v);                             \
  T jt_fetch_and##bits(_Atomic T *a, T v);                             \
  T jt_fetch_or##bits(_Atomic T *a, T v);                              \
  T jt_fetch_xor##bits(_Atomic T *a, T v);                             \
  _Bool jt_cas_strong##bits(_Atomic T *a, T *expected, T desired);     \
  _Bool jt_cas_weak##bits(_Atomic T *a, T *expected, T desired);

DECLARE_ATOMIC_FUNCS(8, uint8_t)
DECLARE_ATOMIC_FUNCS(16, uint16_t)
DECLARE_ATOMIC_FUNCS(32, uint32_t)
DECLARE_ATOMIC_FUNCS(64, uint64_t)

/* --- the recording scheduler ---------------------------------------------- */

enum { MAX_POINTS = 16 };

static jostle__thread recorder;
static jostle__point recorded[MAX_POINTS];
static int seen[MAX_POINTS];   /* *watched when the point was made */
static int n_recorded;
/* At a point about `watched`, "another thread" stores set_to[kind] there
 * (when set_this[kind]). */
static int *watched;
static int set_to[JOSTLE__POINT_SYNC + 1];
static int set_this[JOSTLE__POINT_SYNC + 1];

static uint64_t expected_seen[MAX_POINTS]; /* a compare-exchange's, at its point */

static void record(jostle__thread *t, const jostle__point *p) {
  (void)t;
  if (n_recorded < MAX_POINTS) {
    recorded[n_recorded] = *p;
    if (watched != NULL && p->addr == watched) seen[n_recorded] = *watched;
    expected_seen[n_recorded] = 0;
    if (p->kind == JOSTLE__POINT_ATOMIC && p->expected != NULL)
      memcpy(&expected_seen[n_recorded], p->expected, jostle__access_width(p->access));
  }
  n_recorded++;
  if (watched != NULL && p->addr == watched && set_this[p->kind]) *watched = set_to[p->kind];
}

static void attach(void) {
  memset(&recorder, 0, sizeof recorder);
  recorder.point = record;
  n_recorded = 0;
  watched = NULL;
  memset(set_this, 0, sizeof set_this);
  jostle__thread_attach(&recorder);
}

static void detach(void) { jostle__thread_attach(NULL); }

/* Records what *addr holds at each point about it. */
static void watch(int *addr) { watched = addr; }

/* Also stores value there at each point of that kind about it. */
static void act_at(int *addr, jostle__point_kind kind, int value) {
  watch(addr);
  set_to[kind] = value;
  set_this[kind] = 1;
}

/* Asserts point i: kind at addr. */
static void expect_point(int i, jostle__point_kind kind, const void *addr) {
  ck_assert_int_gt(n_recorded, i);
  ck_assert_int_eq(recorded[i].kind, kind);
  ck_assert_ptr_eq(recorded[i].addr, addr);
  ck_assert_ptr_nonnull(recorded[i].pc);
}

/* --- plain accesses ------------------------------------------------------- */

/* A plain load is one READ point at its address made before the load, so
 * the load sees what another thread did at the point. */
START_TEST(load_is_one_read_point_before_the_load) {
  static int cell = 7;
  attach();
  act_at(&cell, JOSTLE__POINT_READ, 8);
  int v = jt_load(&cell);
  detach();
  if (!HOOKS_LINKED) {
    ck_assert_int_eq(n_recorded, 0);
    ck_assert_int_eq(v, 7);
    return;
  }
  ck_assert_int_eq(n_recorded, 1);
  expect_point(0, JOSTLE__POINT_READ, &cell);
  ck_assert_int_eq(v, 8);
  /* The code address is the load's, inside jt_load. */
  const char *pc = recorded[0].pc, *fn = (const char *)(uintptr_t)jt_load;
  ck_assert_msg(pc > fn && pc < fn + 256, "pc %p is not in jt_load at %p", (void *)pc,
                (void *)fn);
}
END_TEST

/* A plain store is one WRITE point at its address made before the store. */
START_TEST(store_is_one_write_point_before_the_store) {
  static int cell = 7;
  attach();
  watch(&cell);
  jt_store(&cell, 9);
  detach();
  ck_assert_int_eq(cell, 9);
  if (!HOOKS_LINKED) {
    ck_assert_int_eq(n_recorded, 0);
    return;
  }
  ck_assert_int_eq(n_recorded, 1);
  expect_point(0, JOSTLE__POINT_WRITE, &cell);
  ck_assert_int_eq(seen[0], 7);
}
END_TEST

/* Plain counter++ on a global is split: READ before its load, WRITE between
 * its load and its store, so an update another thread makes at the WRITE
 * point is lost, which is the race the controlled schedulers must expose. */
START_TEST(increment_is_read_then_write_around_the_load) {
  jt_global = 5;
  attach();
  if (!HOOKS_LINKED) { /* no points to act at: only the result */
    jt_increment();
    detach();
    ck_assert_int_eq(n_recorded, 0);
    ck_assert_int_eq(jt_global, 6);
    return;
  }
  act_at(&jt_global, JOSTLE__POINT_READ, 100);
  act_at(&jt_global, JOSTLE__POINT_WRITE, 500);
  jt_increment();
  detach();
  ck_assert_int_eq(n_recorded, 2);
  expect_point(0, JOSTLE__POINT_READ, &jt_global);
  expect_point(1, JOSTLE__POINT_WRITE, &jt_global);
  ck_assert_int_eq(seen[1], 100);    /* the store had not happened yet */
  ck_assert_int_eq(jt_global, 101);  /* loaded 100 after READ; 500 lost */
}
END_TEST

/* Accesses to the calling thread's own stack are never points, even through
 * a pointer that escaped into another function; the same code on a global
 * makes its points (so the first half is not vacuous). */
START_TEST(own_stack_makes_no_point) {
  attach();
  int v = jt_bump_local();
  int n_local = n_recorded;
  jt_global = 1;
  jt_bump(&jt_global);
  detach();
  ck_assert_int_eq(v, 42);
  ck_assert_int_eq(n_local, 0);
  ck_assert_int_eq(jt_global, 2);
  if (!HOOKS_LINKED) {
    ck_assert_int_eq(n_recorded, 0);
    return;
  }
  ck_assert_int_eq(n_recorded, 2);
  expect_point(0, JOSTLE__POINT_READ, &jt_global);
  expect_point(1, JOSTLE__POINT_WRITE, &jt_global);
}
END_TEST

/* Without an attached thread (outside a run) the hooks record nothing and
 * the code computes what it computes uninstrumented. */
START_TEST(detached_records_nothing) {
  static int cell = 7;
  memset(&recorder, 0, sizeof recorder);
  recorder.point = record;
  n_recorded = 0;
  ck_assert_ptr_null(jostle__self);
  ck_assert_int_eq(jt_load(&cell), 7);
  jt_store(&cell, 9);
  ck_assert_int_eq(cell, 9);
  jt_global = 5;
  jt_increment();
  ck_assert_int_eq(jt_global, 6);
  ck_assert_int_eq(jt_bump_local(), 42);
  ck_assert_int_eq(n_recorded, 0);
}
END_TEST

/* A thread whose scheduler has no point function (`free`) records nothing
 * either, and the results are the same. */
START_TEST(null_point_records_nothing) {
  static int cell = 7;
  attach();
  recorder.point = NULL;
  ck_assert_int_eq(jt_load(&cell), 7);
  jt_global = 5;
  jt_increment();
  detach();
  ck_assert_int_eq(jt_global, 6);
  ck_assert_int_eq(n_recorded, 0);
}
END_TEST

/* Fences are performed and are not points. */
START_TEST(fences_are_not_points) {
  attach();
  jt_fence();
  detach();
  ck_assert_int_eq(n_recorded, 0);
}
END_TEST

/* Asserts point i's description: width in bytes, atomic operation, orders. */
static void expect_access(int i, unsigned width, jostle__atomic_op op, int order,
                          int failure_order) {
  ck_assert_int_gt(n_recorded, i);
  jostle__point_access a = recorded[i].access;
  ck_assert_int_eq(jostle__access_kind(a), recorded[i].kind);
  ck_assert_uint_eq(jostle__access_width(a), width);
  ck_assert_int_eq(jostle__access_op(a), op);
  ck_assert_int_eq(jostle__access_order(a), order);
  ck_assert_int_eq(jostle__access_failure_order(a), failure_order);
}

/* Every point of an access says, for traces, how wide the access is and,
 * for an atomic, which operation with which memory orders, as the code
 * asked for them; a compare-exchange also shows what it expects. */
START_TEST(accesses_describe_themselves) {
  static int cell = 1;
  static struct jt_block from, to;
  static _Atomic uint8_t a8;
  static _Atomic uint16_t a16;
  static _Atomic uint32_t a32;
  static _Atomic uint64_t a64;
  attach();
  (void)jt_load(&cell);
  jt_store(&cell, 2);
  detach();
  ck_assert_int_eq(n_recorded, 2);
  expect_access(0, 4, JOSTLE__OP_NONE, 0, 0);
  expect_access(1, 4, JOSTLE__OP_NONE, 0, 0);

  attach();
  jt_copy(&to, &from);
  detach();
  ck_assert_int_eq(n_recorded, 2); /* a range read and a range write, or a memcpy */
  expect_access(0, sizeof from, JOSTLE__OP_NONE, 0, 0);
  expect_access(1, sizeof to, JOSTLE__OP_NONE, 0, 0);

  attach();
  (void)jt_load8(&a8);
  jt_store16(&a16, 3);
  (void)jt_exchange32(&a32, 4);
  (void)jt_fetch_add64(&a64, 5);
  (void)jt_fetch_sub32(&a32, 1);
  (void)jt_fetch_and32(&a32, 7);
  (void)jt_fetch_or32(&a32, 8);
  (void)jt_fetch_xor32(&a32, 9);
  uint64_t expected = 99;
  ck_assert(!jt_cas_strong64(&a64, &expected, 6));
  uint32_t expected32 = 98;
  ck_assert(!jt_cas_weak32(&a32, &expected32, 6));
  detach();
  ck_assert_int_eq(n_recorded, 10);
  expect_access(0, 1, JOSTLE__OP_LOAD, __ATOMIC_ACQUIRE, 0);
  expect_access(1, 2, JOSTLE__OP_STORE, __ATOMIC_RELEASE, 0);
  expect_access(2, 4, JOSTLE__OP_EXCHANGE, __ATOMIC_SEQ_CST, 0);
  expect_access(3, 8, JOSTLE__OP_FETCH_ADD, __ATOMIC_SEQ_CST, 0);
  expect_access(4, 4, JOSTLE__OP_FETCH_SUB, __ATOMIC_ACQ_REL, 0);
  expect_access(5, 4, JOSTLE__OP_FETCH_AND, __ATOMIC_RELAXED, 0);
  expect_access(6, 4, JOSTLE__OP_FETCH_OR, __ATOMIC_SEQ_CST, 0);
  expect_access(7, 4, JOSTLE__OP_FETCH_XOR, __ATOMIC_SEQ_CST, 0);
  /* gcc keeps strong and weak apart; clang sends both to _val */
  ck_assert_int_eq(jostle__access_kind(recorded[8].access), JOSTLE__POINT_ATOMIC);
  ck_assert(jostle__access_op(recorded[8].access) == JOSTLE__OP_CAS_STRONG ||
            jostle__access_op(recorded[8].access) == JOSTLE__OP_CAS);
  expect_access(8, 8, jostle__access_op(recorded[8].access), __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  ck_assert_uint_eq(expected_seen[8], 99);
  ck_assert(jostle__access_op(recorded[9].access) == JOSTLE__OP_CAS_WEAK ||
            jostle__access_op(recorded[9].access) == JOSTLE__OP_CAS);
  expect_access(9, 4, jostle__access_op(recorded[9].access), __ATOMIC_RELEASE, __ATOMIC_RELAXED);
  ck_assert_uint_eq(expected_seen[9], 98);
}
END_TEST

/* --- atomics of 1, 2, 4 and 8 bytes --------------------------------------- */

/* The one point an atomic op on addr makes when attached with the hooks. */
static int expect_points_now;

static void expect_atomic_point(const void *addr) {
  if (expect_points_now) {
    ck_assert_int_eq(n_recorded, 1);
    expect_point(0, JOSTLE__POINT_ATOMIC, addr);
  } else {
    ck_assert_int_eq(n_recorded, 0);
  }
  n_recorded = 0;
}

/* Every C11 atomic op of one width returns the old value, leaves the right
 * value in memory and makes one ATOMIC point; compare-exchange reports
 * success and failure and updates `expected` on failure. */
#define ATOMIC_CHECKS(bits, T)                                                 \
  static void atomics_##bits(void) {                                          \
    static _Atomic T a;                                                       \
    const T x = (T)0xa5c3a5c3a5c3a5c3ULL, y = (T)0x0ff01ee10ff01ee1ULL;       \
    T expected;                                                               \
    atomic_store(&a, x);                                                      \
    n_recorded = 0;                                                           \
    ck_assert_uint_eq(jt_load##bits(&a), x);                                  \
    expect_atomic_point(&a);                                                  \
    jt_store##bits(&a, y);                                                    \
    ck_assert_uint_eq(atomic_load(&a), y);                                    \
    expect_atomic_point(&a);                                                  \
    ck_assert_uint_eq(jt_exchange##bits(&a, x), y);                           \
    ck_assert_uint_eq(atomic_load(&a), x);                                    \
    expect_atomic_point(&a);                                                  \
    ck_assert_uint_eq(jt_fetch_add##bits(&a, y), x);                          \
    ck_assert_uint_eq(atomic_load(&a), (T)(x + y));                           \
    expect_atomic_point(&a);                                                  \
    atomic_store(&a, x);                                                      \
    ck_assert_uint_eq(jt_fetch_sub##bits(&a, y), x);                          \
    ck_assert_uint_eq(atomic_load(&a), (T)(x - y));                           \
    expect_atomic_point(&a);                                                  \
    atomic_store(&a, x);                                                      \
    ck_assert_uint_eq(jt_fetch_and##bits(&a, y), x);                          \
    ck_assert_uint_eq(atomic_load(&a), (T)(x & y));                           \
    expect_atomic_point(&a);                                                  \
    atomic_store(&a, x);                                                      \
    ck_assert_uint_eq(jt_fetch_or##bits(&a, y), x);                           \
    ck_assert_uint_eq(atomic_load(&a), (T)(x | y));                           \
    expect_atomic_point(&a);                                                  \
    atomic_store(&a, x);                                                      \
    ck_assert_uint_eq(jt_fetch_xor##bits(&a, y), x);                          \
    ck_assert_uint_eq(atomic_load(&a), (T)(x ^ y));                           \
    expect_atomic_point(&a);                                                  \
    /* Compare-exchange, strong then weak: success, then failure. A weak  \
     * one cannot fail spuriously on x86-64 (LOCK CMPXCHG). */                \
    atomic_store(&a, x);                                                      \
    expected = x;                                                             \
    ck_assert(jt_cas_strong##bits(&a, &expected, y));                         \
    ck_assert_uint_eq(atomic_load(&a), y);                                    \
    ck_assert_uint_eq(expected, x);                                           \
    expect_atomic_point(&a);                                                  \
    expected = x;                                                             \
    ck_assert(!jt_cas_strong##bits(&a, &expected, x));                        \
    ck_assert_uint_eq(atomic_load(&a), y);                                    \
    ck_assert_uint_eq(expected, y);                                           \
    expect_atomic_point(&a);                                                  \
    expected = y;                                                             \
    ck_assert(jt_cas_weak##bits(&a, &expected, x));                           \
    ck_assert_uint_eq(atomic_load(&a), x);                                    \
    ck_assert_uint_eq(expected, y);                                           \
    expect_atomic_point(&a);                                                  \
    expected = y;                                                             \
    ck_assert(!jt_cas_weak##bits(&a, &expected, y));                          \
    ck_assert_uint_eq(atomic_load(&a), x);                                    \
    ck_assert_uint_eq(expected, x);                                           \
    expect_atomic_point(&a);                                                  \
  }

ATOMIC_CHECKS(8, uint8_t)
ATOMIC_CHECKS(16, uint16_t)
ATOMIC_CHECKS(32, uint32_t)
ATOMIC_CHECKS(64, uint64_t)

static void all_atomics(void) {
  atomics_8();
  atomics_16();
  atomics_32();
  atomics_64();
}

/* Attached: right results and one ATOMIC point per operation. */
START_TEST(atomics_attached) {
  attach();
  expect_points_now = HOOKS_LINKED;
  all_atomics();
  detach();
}
END_TEST

/* Detached: the same results and no point. */
START_TEST(atomics_detached) {
  expect_points_now = 0;
  all_atomics();
}
END_TEST

/* Several threads doing atomic increments through the hooks, each with its
 * own context attached, lose no increment, and each thread's points are
 * its own: the hooks are atomic and keep no shared state. */
typedef struct adder {
  jostle__thread t;
  _Atomic uint64_t *sum;
  unsigned long n_adds;
  unsigned long n_points;
  int cpu;
} adder;

static void count_point(jostle__thread *t, const jostle__point *p) {
  (void)p;
  ((adder *)(void *)t)->n_points++;
}

/* The i-th processor the process may run on, cycling; -1 when unknown. */
static int nth_cpu(int i) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) == 0) return -1;
  i %= CPU_COUNT(&allowed);
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET(cpu, &allowed) && i-- == 0) return cpu;
  return -1;
}

static void *add_many(void *arg) {
  adder *a = arg;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (a->cpu >= 0) CPU_SET(a->cpu, &set);
  if (a->cpu >= 0) (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort */
  a->t.point = count_point;
  jostle__thread_attach(&a->t);
  for (unsigned long i = 0; i < a->n_adds; i++) jt_fetch_add64(a->sum, 1);
  jostle__thread_attach(NULL);
  return NULL;
}

START_TEST(concurrent_atomics_lose_nothing) {
  enum { N_THREADS = 4 };
  static _Atomic uint64_t sum;
  const unsigned long n_adds = 20000 * jostle_check_soak();
  adder adders[N_THREADS];
  pthread_t tids[N_THREADS];
  for (int i = 0; i < N_THREADS; i++) {
    memset(&adders[i], 0, sizeof adders[i]);
    adders[i].sum = &sum;
    adders[i].n_adds = n_adds;
    adders[i].cpu = nth_cpu(i);
    ck_assert_int_eq(pthread_create(&tids[i], NULL, add_many, &adders[i]), 0);
  }
  for (int i = 0; i < N_THREADS; i++) ck_assert_int_eq(pthread_join(tids[i], NULL), 0);
  ck_assert_uint_eq(atomic_load(&sum), N_THREADS * n_adds);
  for (int i = 0; i < N_THREADS; i++)
    ck_assert_uint_eq(adders[i].n_points, HOOKS_LINKED ? n_adds : 0);
}
END_TEST

/* --- the hooks called directly: memory orders and 16 bytes ---------------- */

#if HOOKS_LINKED
typedef unsigned __int128 u128;
uint32_t __tsan_atomic32_load(const volatile uint32_t *a, int mo);
void __tsan_atomic32_store(volatile uint32_t *a, uint32_t v, int mo);
uint32_t __tsan_atomic32_fetch_add(volatile uint32_t *a, uint32_t v, int mo);
uint32_t __tsan_atomic32_fetch_nand(volatile uint32_t *a, uint32_t v, int mo);
int __tsan_atomic32_compare_exchange_strong(volatile uint32_t *a, uint32_t *c, uint32_t v,
                                            int mo, int fmo);
uint32_t __tsan_atomic32_compare_exchange_val(volatile uint32_t *a, uint32_t c, uint32_t v,
                                              int mo, int fmo);
void __tsan_atomic_thread_fence(int mo);
u128 __tsan_atomic128_load(const volatile u128 *a, int mo);
void __tsan_atomic128_store(volatile u128 *a, u128 v, int mo);
u128 __tsan_atomic128_exchange(volatile u128 *a, u128 v, int mo);
u128 __tsan_atomic128_fetch_add(volatile u128 *a, u128 v, int mo);
u128 __tsan_atomic128_fetch_sub(volatile u128 *a, u128 v, int mo);
u128 __tsan_atomic128_fetch_and(volatile u128 *a, u128 v, int mo);
u128 __tsan_atomic128_fetch_or(volatile u128 *a, u128 v, int mo);
u128 __tsan_atomic128_fetch_xor(volatile u128 *a, u128 v, int mo);
u128 __tsan_atomic128_fetch_nand(volatile u128 *a, u128 v, int mo);
int __tsan_atomic128_compare_exchange_strong(volatile u128 *a, u128 *c, u128 v, int mo,
                                             int fmo);
int __tsan_atomic128_compare_exchange_weak(volatile u128 *a, u128 *c, u128 v, int mo,
                                           int fmo);
u128 __tsan_atomic128_compare_exchange_val(volatile u128 *a, u128 c, u128 v, int mo,
                                           int fmo);

/* Orders 0..5, with gcc's flag bits, and out of range. */
static const int orders[] = {0, 1, 2, 3, 4, 5, 5 | 1 << 15, 2 | 1 << 16, 3 | 1 << 17, 99};
enum { N_ORDERS = sizeof orders / sizeof orders[0] };

/* Every memory-order encoding, valid for the operation or not, performs the
 * operation (the order only selects its barriers). */
START_TEST(every_order_performs_the_operation) {
  static uint32_t a;
  for (int i = 0; i < N_ORDERS; i++) {
    const int mo = orders[i];
    __tsan_atomic32_store(&a, 10, mo);
    ck_assert_uint_eq(__tsan_atomic32_load(&a, mo), 10);
    ck_assert_uint_eq(__tsan_atomic32_fetch_add(&a, 5, mo), 10);
    ck_assert_uint_eq(__tsan_atomic32_fetch_nand(&a, 0xff, mo), 15);
    ck_assert_uint_eq(a, ~(uint32_t)15);
    __tsan_atomic_thread_fence(mo);
    for (int j = 0; j < N_ORDERS; j++) {
      const int fmo = orders[j];
      uint32_t expected = 1;
      a = 1;
      ck_assert(__tsan_atomic32_compare_exchange_strong(&a, &expected, 2, mo, fmo));
      ck_assert_uint_eq(a, 2);
      ck_assert(!__tsan_atomic32_compare_exchange_strong(&a, &expected, 3, mo, fmo));
      ck_assert_uint_eq(expected, 2);
      ck_assert_uint_eq(__tsan_atomic32_compare_exchange_val(&a, 2, 4, mo, fmo), 2);
      ck_assert_uint_eq(__tsan_atomic32_compare_exchange_val(&a, 2, 5, mo, fmo), 4);
      ck_assert_uint_eq(a, 4);
    }
  }
}
END_TEST

/* Called directly, the hooks describe the order as the runtime reads it:
 * gcc's flag bits dropped, an unknown order taken for seq_cst; clang's
 * compare-exchange returning the old value expects its argument; 16-byte
 * atomics describe themselves as the others do. */
START_TEST(hooks_describe_their_orders) {
  static uint32_t a;
  static _Alignas(16) u128 w;
  attach();
  __tsan_atomic32_store(&a, 1, 5 | 1 << 15);
  (void)__tsan_atomic32_load(&a, 99);
  (void)__tsan_atomic32_fetch_nand(&a, 3, __ATOMIC_CONSUME);
  (void)__tsan_atomic32_compare_exchange_val(&a, 7, 8, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  (void)__tsan_atomic128_fetch_add(&w, 1, __ATOMIC_RELAXED);
  u128 expected = 5;
  (void)__tsan_atomic128_compare_exchange_weak(&w, &expected, 6, __ATOMIC_RELEASE,
                                               __ATOMIC_RELAXED);
  detach();
  ck_assert_int_eq(n_recorded, 6);
  expect_access(0, 4, JOSTLE__OP_STORE, __ATOMIC_SEQ_CST, 0);
  expect_access(1, 4, JOSTLE__OP_LOAD, __ATOMIC_SEQ_CST, 0);
  expect_access(2, 4, JOSTLE__OP_FETCH_NAND, __ATOMIC_CONSUME, 0);
  expect_access(3, 4, JOSTLE__OP_CAS, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  ck_assert_uint_eq(expected_seen[3], 7);
  expect_access(4, 16, JOSTLE__OP_FETCH_ADD, __ATOMIC_RELAXED, 0);
  expect_access(5, 16, JOSTLE__OP_CAS_WEAK, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
  ck_assert_ptr_eq(recorded[5].expected, &expected);
}
END_TEST

static u128 wide(uint64_t hi, uint64_t lo) { return (u128)hi << 64 | lo; }

static void assert_u128_eq(u128 got, u128 want) {
  ck_assert_msg(got == want, "got %016llx%016llx, want %016llx%016llx",
                (unsigned long long)(got >> 64), (unsigned long long)got,
                (unsigned long long)(want >> 64), (unsigned long long)want);
}

/* 16-byte atomics, which the compilers send to the hooks with no inline
 * fallback, are done whole: carries and borrows cross the halves, and each
 * op makes one ATOMIC point. */
START_TEST(atomics_16_bytes) {
  static _Alignas(16) u128 a;
  const u128 x = wide(0x0123456789abcdefULL, 0xffffffffffffffffULL);
  const u128 y = wide(0xf0f0f0f0f0f0f0f0ULL, 1);
  attach();
  expect_points_now = 1;
  __tsan_atomic128_store(&a, x, 5);
  assert_u128_eq(a, x);
  expect_atomic_point(&a);
  assert_u128_eq(__tsan_atomic128_load(&a, 2), x);
  expect_atomic_point(&a);
  assert_u128_eq(__tsan_atomic128_exchange(&a, y, 4), x);
  assert_u128_eq(a, y);
  expect_atomic_point(&a);
  a = x;
  assert_u128_eq(__tsan_atomic128_fetch_add(&a, y, 5), x);
  assert_u128_eq(a, x + y); /* the low half carries into the high one */
  expect_atomic_point(&a);
  a = x;
  assert_u128_eq(__tsan_atomic128_fetch_sub(&a, y, 0), x);
  assert_u128_eq(a, x - y);
  expect_atomic_point(&a);
  a = x;
  assert_u128_eq(__tsan_atomic128_fetch_and(&a, y, 5), x);
  assert_u128_eq(a, x & y);
  expect_atomic_point(&a);
  a = x;
  assert_u128_eq(__tsan_atomic128_fetch_or(&a, y, 5), x);
  assert_u128_eq(a, x | y);
  expect_atomic_point(&a);
  a = x;
  assert_u128_eq(__tsan_atomic128_fetch_xor(&a, y, 5), x);
  assert_u128_eq(a, x ^ y);
  expect_atomic_point(&a);
  a = x;
  assert_u128_eq(__tsan_atomic128_fetch_nand(&a, y, 5), x);
  assert_u128_eq(a, ~(x & y));
  expect_atomic_point(&a);
  a = x;
  u128 expected = x;
  ck_assert(__tsan_atomic128_compare_exchange_strong(&a, &expected, y, 5, 5));
  assert_u128_eq(a, y);
  expect_atomic_point(&a);
  ck_assert(!__tsan_atomic128_compare_exchange_weak(&a, &expected, x, 5, 0));
  assert_u128_eq(expected, y);
  assert_u128_eq(a, y);
  expect_atomic_point(&a);
  assert_u128_eq(__tsan_atomic128_compare_exchange_val(&a, y, x, 4, 2), y);
  assert_u128_eq(__tsan_atomic128_compare_exchange_val(&a, y, 0, 4, 2), x);
  assert_u128_eq(a, x);
  n_recorded = 0;
  detach();
}
END_TEST

/* A misaligned 16-byte atomic cannot be lock-free: it aborts with a
 * message instead of faulting or tearing. */
START_TEST(atomics_16_bytes_misaligned_abort) {
  static _Alignas(16) unsigned char bytes[48];
  __tsan_atomic128_load((const volatile u128 *)(void *)(bytes + 8), 5);
}
END_TEST
#endif

static Suite *hooks_suite(void) {
  Suite *s = suite_create("hooks");
  if (!HOOKS_LINKED)
    printf("hooks: built with the ThreadSanitizer runtime, which owns the entry points: "
           "checking that instrumented code computes the same and makes no jostle point\n");
  TCase *tc = jostle_check_case(s, "plain", 10, 0);
  tcase_add_test(tc, load_is_one_read_point_before_the_load);
  tcase_add_test(tc, store_is_one_write_point_before_the_store);
  tcase_add_test(tc, increment_is_read_then_write_around_the_load);
  tcase_add_test(tc, own_stack_makes_no_point);
  tcase_add_test(tc, detached_records_nothing);
  tcase_add_test(tc, null_point_records_nothing);
  tcase_add_test(tc, fences_are_not_points);
  if (HOOKS_LINKED) tcase_add_test(tc, accesses_describe_themselves);
  tc = jostle_check_case(s, "atomic", 10, 0);
  tcase_add_test(tc, atomics_attached);
  tcase_add_test(tc, atomics_detached);
#if HOOKS_LINKED
  tcase_add_test(tc, every_order_performs_the_operation);
  tcase_add_test(tc, hooks_describe_their_orders);
  tcase_add_test(tc, atomics_16_bytes);
  tcase_add_test_raise_signal(tc, atomics_16_bytes_misaligned_abort, SIGABRT);
#endif
  tc = jostle_check_case(s, "concurrent", 20, 1);
  tcase_add_test(tc, concurrent_atomics_lose_nothing);
  return s;
}

int main(void) { return jostle_check_run(hooks_suite()); }
