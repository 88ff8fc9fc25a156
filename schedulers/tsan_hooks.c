/*
 * tsan_hooks.c: the ThreadSanitizer entry points, defined by jostle so that
 * code compiled with -fsanitize=thread but linked WITHOUT the sanitizer
 * runtime turns each of its loads, stores and atomics into a scheduling
 * point (DESIGN.md, "Instrumentation without the ThreadSanitizer runtime").
 *
 * Design. Every hook but the function hooks (which, under --races only,
 * move the thread in its control's call tree, one thread at a time) is a
 * leaf that keeps no state of its own: it calls
 * jostle__point_at(access, addr, pc) BEFORE the access, so that a load made
 * after a point sees what other threads did at it, with pc the instrumented
 * code that made the access. `access` describes the access for traces
 * (sched.h): kind, width and atomic operation are one constant of each
 * hook, into which an atomic ORs the memory orders it was given, and a
 * compare-exchange passes where its expected value is
 * (jostle__cas_point_at). Values are never passed: the trace reads them
 * from memory when it prints, so describing an access costs a plain hook
 * nothing and an atomic one a few register operations. jostle__point_at
 * returns at once outside a run, under a scheduler without points and for
 * the calling thread's own stack; it acts on the calling thread's context alone, so the hooks may
 * run on any number of threads at once and need no locking. No hook touches
 * global state, so that code instrumenting the hooks' own callers (for
 * instance libFuzzer's counters) can be filtered out here later.
 *
 * The ABI is the one gcc 12 and clang 14 emit for C (the runtime's
 * tsan_interface.h and tsan_interface_atomic.h):
 *   - __tsan_init: a no-op. __tsan_func_entry(caller pc), __tsan_func_exit:
 *     under --races, the thread's shadow call stack (calls.h); else no-ops
 *     but for a thread-local load.
 *   - __tsan_{read,write}{1,2,4,8,16}(addr): a plain access of that width.
 *     clang sends accesses it cannot prove aligned to
 *     __tsan_unaligned_{read,write}{2,4,8,16}; gcc sends them, and struct
 *     copies, to __tsan_{read,write}_range(addr, size). The volatile
 *     variants come only with -mllvm -tsan-distinguish-volatile (clang) or
 *     --param tsan-distinguish-volatile=1 (gcc); __tsan_vptr_* only from C++.
 *     Newer clang (15 and later) sends memcpy/memmove/memset of the
 *     instrumented code to __tsan_memcpy/__tsan_memmove/__tsan_memset, which
 *     then must do the copy; clang 14 calls the libc functions, unhooked.
 *   - __tsan_atomicN_OP(addr, ..., mo) for N = 8, 16, 32, 64, 128 bits:
 *     the compiler emits the call INSTEAD of the atomic instruction, so
 *     these hooks perform the operation. mo is an __ATOMIC_* value, 0..5 =
 *     relaxed, consume, acquire, release, acq_rel, seq_cst; gcc may add
 *     flag bits above them (bit 15 for __sync builtins, 16-17 for HLE),
 *     which are ignored as the runtime ignores them. Each order is honoured
 *     (a release store stays a plain store on x86-64, so store buffering
 *     shows), an order not valid for the operation becomes seq_cst, and
 *     compare-exchange uses the stronger of its two orders for success and
 *     the strongest one valid for failure. compare_exchange_strong/weak
 *     (gcc) take `expected` by address and update it on failure;
 *     compare_exchange_val (clang, for both strong and weak) returns the
 *     old value instead.
 *   - __tsan_atomic_thread_fence(mo), __tsan_atomic_signal_fence(mo): do the
 *     fence and are not points: they access no memory, so a switch there is
 *     the same as one at the next access, which has its own point.
 *
 * 16-byte atomics: on x86-64 they are lock-free only through CMPXCHG16B,
 * which gcc does not emit inline for __atomic builtins (it calls libatomic)
 * and clang only with -mcx16. These hooks use CMPXCHG16B themselves
 * (inline assembly), which every x86-64 processor of the last fifteen years
 * has: no -latomic for the hooks, and the same lock-free protocol as
 * libatomic's, so they stay atomic against the libatomic calls that clang
 * 14 makes for some 16-byte operations of the same object (code that uses
 * those needs -latomic, whatever jostle does). A misaligned 16-byte atomic
 * object aborts with a message: it cannot be lock-free.
 *
 * What is not hooked: clang drops the read of a read-modify-write it also
 * hooks the write of (x++ is one WRITE point, between its load and its
 * store) unless given -mllvm -tsan-instrument-read-before-write, which the
 * Makefile passes; -mllvm -tsan-compound-read-before-write would merge the
 * two into __tsan_read_write*, which is deliberately left undefined (one
 * point cannot split the load from the store), as are the _pc variants and
 * the Go, Java and external-API entry points, which C compilers do not
 * emit. Which accesses exist at all is the optimiser's decision: a loop of
 * x++ may become one add, and locals whose address does not escape are
 * never hooked.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jostle.h"
#include "schedulers/calls.h"
#include "schedulers/control.h"
#include "schedulers/sched.h"

#define PC __builtin_return_address(0)

/* The descriptions of plain accesses and of ranges (whose width is capped:
 * a trace shows no more than their first bytes). */
#define READ_OF(n) JOSTLE__ACCESS(JOSTLE__POINT_READ, JOSTLE__OP_NONE, n)
#define WRITE_OF(n) JOSTLE__ACCESS(JOSTLE__POINT_WRITE, JOSTLE__OP_NONE, n)
#define CAPPED(size) ((size) < JOSTLE__WIDTH_MAX ? (size) : JOSTLE__WIDTH_MAX)

/* The operand types of the ABI. */
typedef uint8_t a8;
typedef uint16_t a16;
typedef uint32_t a32;
typedef uint64_t a64;
typedef unsigned __int128 a128;

/* --- function entry and exit, initialisation ------------------------------ */

JOSTLE_API void __tsan_init(void);
JOSTLE_API void __tsan_func_entry(void *caller_pc);
JOSTLE_API void __tsan_func_exit(void);

void __tsan_init(void) {}
/* --races follows calls (calls.h); without it, a thread-local load and a
 * branch. */
void __tsan_func_entry(void *caller_pc) {
  jostle__thread *t = jostle__self;
  if (t != NULL && t->calls != NULL) jostle__calls_enter(t->calls, t->index, caller_pc);
}

void __tsan_func_exit(void) {
  jostle__thread *t = jostle__self;
  if (t != NULL && t->calls != NULL) jostle__calls_exit(t->calls, t->index);
}

/* --- plain accesses ------------------------------------------------------- */

/* __tsan_<prefix>read<n> and __tsan_<prefix>write<n> of one width. */
#define ACCESS_HOOKS(prefix, n)                                               \
  JOSTLE_API void __tsan_##prefix##read##n(void *addr);                      \
  JOSTLE_API void __tsan_##prefix##write##n(void *addr);                     \
  void __tsan_##prefix##read##n(void *addr) {                                \
    jostle__point_at(READ_OF(n), addr, PC);                                  \
  }                                                                          \
  void __tsan_##prefix##write##n(void *addr) {                               \
    jostle__point_at(WRITE_OF(n), addr, PC);                                 \
  }

ACCESS_HOOKS(, 1)
ACCESS_HOOKS(, 2)
ACCESS_HOOKS(, 4)
ACCESS_HOOKS(, 8)
ACCESS_HOOKS(, 16)
ACCESS_HOOKS(unaligned_, 1) /* not emitted for one byte; defined for symmetry */
ACCESS_HOOKS(unaligned_, 2)
ACCESS_HOOKS(unaligned_, 4)
ACCESS_HOOKS(unaligned_, 8)
ACCESS_HOOKS(unaligned_, 16)
ACCESS_HOOKS(volatile_, 1)
ACCESS_HOOKS(volatile_, 2)
ACCESS_HOOKS(volatile_, 4)
ACCESS_HOOKS(volatile_, 8)
ACCESS_HOOKS(volatile_, 16)

/* A range is one point at its start, whatever its size. */
JOSTLE_API void __tsan_read_range(void *addr, unsigned long size);
JOSTLE_API void __tsan_write_range(void *addr, unsigned long size);

void __tsan_read_range(void *addr, unsigned long size) {
  jostle__point_at(READ_OF(CAPPED(size)), addr, PC);
}

void __tsan_write_range(void *addr, unsigned long size) {
  jostle__point_at(WRITE_OF(CAPPED(size)), addr, PC);
}

/* C++ virtual table pointers: a read, and a store of the new table. */
JOSTLE_API void __tsan_vptr_read(void **vptr_p);
JOSTLE_API void __tsan_vptr_update(void **vptr_p, void *new_val);

void __tsan_vptr_read(void **vptr_p) { jostle__point_at(READ_OF(sizeof *vptr_p), vptr_p, PC); }

void __tsan_vptr_update(void **vptr_p, void *new_val) {
  (void)new_val;
  jostle__point_at(WRITE_OF(sizeof *vptr_p), vptr_p, PC);
}

/* Memory intrinsics of newer clang: the points, then the work. */
JOSTLE_API void *__tsan_memcpy(void *dst, const void *src, size_t size);
JOSTLE_API void *__tsan_memmove(void *dst, const void *src, size_t size);
JOSTLE_API void *__tsan_memset(void *dst, int c, size_t size);

void *__tsan_memcpy(void *dst, const void *src, size_t size) {
  jostle__point_at(READ_OF(CAPPED(size)), src, PC);
  jostle__point_at(WRITE_OF(CAPPED(size)), dst, PC);
  return memcpy(dst, src, size);
}

void *__tsan_memmove(void *dst, const void *src, size_t size) {
  jostle__point_at(READ_OF(CAPPED(size)), src, PC);
  jostle__point_at(WRITE_OF(CAPPED(size)), dst, PC);
  return memmove(dst, src, size);
}

void *__tsan_memset(void *dst, int c, size_t size) {
  jostle__point_at(WRITE_OF(CAPPED(size)), dst, PC);
  return memset(dst, c, size);
}

/* --- memory orders -------------------------------------------------------- */

/* The order without gcc's flag bits; anything unknown is seq_cst. */
static inline int order(int mo) {
  mo &= 0x7fff;
  return mo >= __ATOMIC_RELAXED && mo <= __ATOMIC_SEQ_CST ? mo : __ATOMIC_SEQ_CST;
}

/* Compare-exchange has one order for success, one for failure; the builtins
 * want constants, so the pair is folded into the weakest success order at
 * least as strong as both (see ON_CAS_ORDER for the failure order). */
static inline int cas_order(int success, int failure) {
  int s = order(success), f = order(failure);
  if (s == __ATOMIC_CONSUME) s = __ATOMIC_ACQUIRE;
  if (f == __ATOMIC_SEQ_CST) return __ATOMIC_SEQ_CST;
  if (f == __ATOMIC_ACQUIRE || f == __ATOMIC_CONSUME || f == __ATOMIC_ACQ_REL) {
    if (s == __ATOMIC_RELAXED) return __ATOMIC_ACQUIRE;
    if (s == __ATOMIC_RELEASE) return __ATOMIC_ACQ_REL;
  }
  return s;
}

/* `DO(o)` with o the compile-time constant for run-time order mo, among the
 * orders valid for a load, a store or a read-modify-write. */
#define ON_LOAD_ORDER(mo, DO)                                                \
  switch (order(mo)) {                                                       \
  case __ATOMIC_RELAXED: DO(__ATOMIC_RELAXED);                               \
  case __ATOMIC_CONSUME: case __ATOMIC_ACQUIRE: DO(__ATOMIC_ACQUIRE);        \
  default: DO(__ATOMIC_SEQ_CST);                                             \
  }
#define ON_STORE_ORDER(mo, DO)                                               \
  switch (order(mo)) {                                                       \
  case __ATOMIC_RELAXED: DO(__ATOMIC_RELAXED);                               \
  case __ATOMIC_RELEASE: DO(__ATOMIC_RELEASE);                               \
  default: DO(__ATOMIC_SEQ_CST);                                             \
  }
#define ON_RMW_ORDER(mo, DO)                                                 \
  switch (order(mo)) {                                                       \
  case __ATOMIC_RELAXED: DO(__ATOMIC_RELAXED);                               \
  case __ATOMIC_CONSUME: case __ATOMIC_ACQUIRE: DO(__ATOMIC_ACQUIRE);        \
  case __ATOMIC_RELEASE: DO(__ATOMIC_RELEASE);                               \
  case __ATOMIC_ACQ_REL: DO(__ATOMIC_ACQ_REL);                               \
  default: DO(__ATOMIC_SEQ_CST);                                             \
  }
/* DO(success, failure): failure is the strongest order valid with success. */
#define ON_CAS_ORDER(mo, fmo, DO)                                            \
  switch (cas_order(mo, fmo)) {                                              \
  case __ATOMIC_RELAXED: DO(__ATOMIC_RELAXED, __ATOMIC_RELAXED);             \
  case __ATOMIC_ACQUIRE: DO(__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);             \
  case __ATOMIC_RELEASE: DO(__ATOMIC_RELEASE, __ATOMIC_RELAXED);             \
  case __ATOMIC_ACQ_REL: DO(__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);             \
  default: DO(__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                           \
  }

/* The point of atomic operation `op` on a T at a (expected: a compare-
 * exchange's), given orders mo and fmo as the code gave them. */
#define ATOMIC_ACCESS(op, T, mo, fmo)                                         \
  (JOSTLE__ACCESS(JOSTLE__POINT_ATOMIC, JOSTLE__OP_##op, sizeof(T)) |         \
   JOSTLE__ACCESS_ORDERS(order(mo), order(fmo)))
#define ATOMIC_POINT(op, T, mo)                                               \
  jostle__point_at(ATOMIC_ACCESS(op, T, mo, __ATOMIC_RELAXED), (const void *)a, PC)
#define CAS_POINT(op, T, mo, fmo, expected)                                   \
  jostle__cas_point_at(ATOMIC_ACCESS(op, T, mo, fmo), (const void *)a, PC, expected)

/* --- atomics of 1, 2, 4 and 8 bytes: __atomic builtins -------------------- */

#define LOAD_AS(o) return __atomic_load_n(a, o)
#define STORE_AS(o) __atomic_store_n(a, v, o); return
#define EXCHANGE_AS(o) return __atomic_exchange_n(a, v, o)
#define FETCH_ADD_AS(o) return __atomic_fetch_add(a, v, o)
#define FETCH_SUB_AS(o) return __atomic_fetch_sub(a, v, o)
#define FETCH_AND_AS(o) return __atomic_fetch_and(a, v, o)
#define FETCH_OR_AS(o) return __atomic_fetch_or(a, v, o)
#define FETCH_XOR_AS(o) return __atomic_fetch_xor(a, v, o)
#define FETCH_NAND_AS(o) return __atomic_fetch_nand(a, v, o)
#define CAS_STRONG_AS(s, f) return __atomic_compare_exchange_n(a, c, v, 0, s, f)
#define CAS_WEAK_AS(s, f) return __atomic_compare_exchange_n(a, c, v, 1, s, f)
#define CAS_VAL_AS(s, f) __atomic_compare_exchange_n(a, &c, v, 0, s, f); return c

#define RMW_HOOK(bits, T, op, OP, AS)                                         \
  JOSTLE_API T __tsan_atomic##bits##_##op(volatile T *a, T v, int mo);       \
  T __tsan_atomic##bits##_##op(volatile T *a, T v, int mo) {                 \
    ATOMIC_POINT(OP, T, mo);                                                 \
    ON_RMW_ORDER(mo, AS);                                                    \
  }

#define ATOMIC_HOOKS(bits, T)                                                 \
  JOSTLE_API T __tsan_atomic##bits##_load(const volatile T *a, int mo);      \
  JOSTLE_API void __tsan_atomic##bits##_store(volatile T *a, T v, int mo);   \
  JOSTLE_API int __tsan_atomic##bits##_compare_exchange_strong(              \
      volatile T *a, T *c, T v, int mo, int fmo);                            \
  JOSTLE_API int __tsan_atomic##bits##_compare_exchange_weak(                \
      volatile T *a, T *c, T v, int mo, int fmo);                            \
  JOSTLE_API T __tsan_atomic##bits##_compare_exchange_val(                   \
      volatile T *a, T c, T v, int mo, int fmo);                             \
  T __tsan_atomic##bits##_load(const volatile T *a, int mo) {                \
    ATOMIC_POINT(LOAD, T, mo);                                               \
    ON_LOAD_ORDER(mo, LOAD_AS);                                              \
  }                                                                          \
  void __tsan_atomic##bits##_store(volatile T *a, T v, int mo) {             \
    ATOMIC_POINT(STORE, T, mo);                                              \
    ON_STORE_ORDER(mo, STORE_AS);                                            \
  }                                                                          \
  RMW_HOOK(bits, T, exchange, EXCHANGE, EXCHANGE_AS)                         \
  RMW_HOOK(bits, T, fetch_add, FETCH_ADD, FETCH_ADD_AS)                      \
  RMW_HOOK(bits, T, fetch_sub, FETCH_SUB, FETCH_SUB_AS)                      \
  RMW_HOOK(bits, T, fetch_and, FETCH_AND, FETCH_AND_AS)                      \
  RMW_HOOK(bits, T, fetch_or, FETCH_OR, FETCH_OR_AS)                         \
  RMW_HOOK(bits, T, fetch_xor, FETCH_XOR, FETCH_XOR_AS)                      \
  RMW_HOOK(bits, T, fetch_nand, FETCH_NAND, FETCH_NAND_AS)                   \
  int __tsan_atomic##bits##_compare_exchange_strong(volatile T *a, T *c, T v, \
                                                    int mo, int fmo) {       \
    CAS_POINT(CAS_STRONG, T, mo, fmo, c);                                    \
    ON_CAS_ORDER(mo, fmo, CAS_STRONG_AS);                                    \
  }                                                                          \
  int __tsan_atomic##bits##_compare_exchange_weak(volatile T *a, T *c, T v,  \
                                                  int mo, int fmo) {         \
    CAS_POINT(CAS_WEAK, T, mo, fmo, c);                                      \
    ON_CAS_ORDER(mo, fmo, CAS_WEAK_AS);                                      \
  }                                                                          \
  T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T c, T v,      \
                                               int mo, int fmo) {            \
    CAS_POINT(CAS, T, mo, fmo, &c);                                          \
    ON_CAS_ORDER(mo, fmo, CAS_VAL_AS);                                       \
  }

ATOMIC_HOOKS(8, a8)
ATOMIC_HOOKS(16, a16)
ATOMIC_HOOKS(32, a32)
ATOMIC_HOOKS(64, a64)

/* --- atomics of 16 bytes: CMPXCHG16B -------------------------------------- */

/* The one primitive, returning the old value: LOCK CMPXCHG16B, a full
 * barrier, so it satisfies every order. Written out because neither
 * compiler emits it for a builtin without -mcx16 on the whole file (clang
 * 14 ignores target("cx16") there and calls libatomic). */
static a128 cas128(volatile a128 *a, a128 expected, a128 desired) {
  uint64_t lo = (uint64_t)expected, hi = (uint64_t)(expected >> 64);
  __asm__ __volatile__("lock cmpxchg16b %[mem]"
                       : [mem] "+m"(*a), "+a"(lo), "+d"(hi)
                       : "b"((uint64_t)desired), "c"((uint64_t)(desired >> 64))
                       : "memory", "cc");
  return (a128)hi << 64 | lo;
}

static void check_aligned128(const volatile void *a) {
  if ((uintptr_t)a % 16 == 0) return;
  fprintf(stderr, "jostle: a 16-byte atomic at %p is not 16-byte aligned\n", (const void *)a);
  abort();
}

/* A first guess of the value for a CAS loop; tearing only costs a retry. */
static a128 guess128(const volatile a128 *a) {
  const volatile uint64_t *half = (const volatile uint64_t *)a;
  return (a128)__atomic_load_n(&half[0], __ATOMIC_RELAXED) |
         (a128)__atomic_load_n(&half[1], __ATOMIC_RELAXED) << 64;
}

/* The old value, after *a = NEXT(old, v) atomically. */
#define RMW128(NEXT)                                                          \
  do {                                                                       \
    check_aligned128(a);                                                     \
    a128 old = guess128(a), seen;                                            \
    while ((seen = cas128(a, old, NEXT(old, v))) != old) old = seen;         \
    return old;                                                              \
  } while (0)

#define NEXT_SET(old, v) (v)
#define NEXT_ADD(old, v) ((old) + (v))
#define NEXT_SUB(old, v) ((old) - (v))
#define NEXT_AND(old, v) ((old) & (v))
#define NEXT_OR(old, v) ((old) | (v))
#define NEXT_XOR(old, v) ((old) ^ (v))
#define NEXT_NAND(old, v) (~((old) & (v)))

/* Every order is met by CMPXCHG16B: mo only describes the access. */
#define RMW128_HOOK(op, OP, NEXT)                                             \
  JOSTLE_API a128 __tsan_atomic128_##op(volatile a128 *a, a128 v, int mo);   \
  a128 __tsan_atomic128_##op(volatile a128 *a, a128 v, int mo) {             \
    ATOMIC_POINT(OP, a128, mo);                                              \
    RMW128(NEXT);                                                            \
  }

RMW128_HOOK(exchange, EXCHANGE, NEXT_SET)
RMW128_HOOK(fetch_add, FETCH_ADD, NEXT_ADD)
RMW128_HOOK(fetch_sub, FETCH_SUB, NEXT_SUB)
RMW128_HOOK(fetch_and, FETCH_AND, NEXT_AND)
RMW128_HOOK(fetch_or, FETCH_OR, NEXT_OR)
RMW128_HOOK(fetch_xor, FETCH_XOR, NEXT_XOR)
RMW128_HOOK(fetch_nand, FETCH_NAND, NEXT_NAND)

JOSTLE_API a128 __tsan_atomic128_load(const volatile a128 *a, int mo);
JOSTLE_API void __tsan_atomic128_store(volatile a128 *a, a128 v, int mo);
JOSTLE_API int __tsan_atomic128_compare_exchange_strong(volatile a128 *a, a128 *c, a128 v,
                                                        int mo, int fmo);
JOSTLE_API int __tsan_atomic128_compare_exchange_weak(volatile a128 *a, a128 *c, a128 v,
                                                      int mo, int fmo);
JOSTLE_API a128 __tsan_atomic128_compare_exchange_val(volatile a128 *a, a128 c, a128 v,
                                                      int mo, int fmo);

a128 __tsan_atomic128_load(const volatile a128 *a, int mo) {
  ATOMIC_POINT(LOAD, a128, mo);
  check_aligned128(a);
  /* Swapping 0 for 0 reads without changing anything, as libatomic does. */
  return cas128((volatile a128 *)a, 0, 0);
}

void __tsan_atomic128_store(volatile a128 *a, a128 v, int mo) {
  ATOMIC_POINT(STORE, a128, mo);
  check_aligned128(a);
  a128 old = guess128(a), seen;
  while ((seen = cas128(a, old, v)) != old) old = seen;
}

static int cas128_update(volatile a128 *a, a128 *c, a128 v) {
  check_aligned128(a);
  a128 seen = cas128(a, *c, v);
  if (seen == *c) return 1;
  *c = seen;
  return 0;
}

int __tsan_atomic128_compare_exchange_strong(volatile a128 *a, a128 *c, a128 v, int mo,
                                             int fmo) {
  CAS_POINT(CAS_STRONG, a128, mo, fmo, c);
  return cas128_update(a, c, v);
}

int __tsan_atomic128_compare_exchange_weak(volatile a128 *a, a128 *c, a128 v, int mo,
                                           int fmo) {
  CAS_POINT(CAS_WEAK, a128, mo, fmo, c);
  return cas128_update(a, c, v);
}

a128 __tsan_atomic128_compare_exchange_val(volatile a128 *a, a128 c, a128 v, int mo,
                                           int fmo) {
  CAS_POINT(CAS, a128, mo, fmo, &c);
  check_aligned128(a);
  return cas128(a, c, v);
}

/* --- fences: performed, not points (see the top of the file) -------------- */

#define THREAD_FENCE_AS(o) __atomic_thread_fence(o); return
#define SIGNAL_FENCE_AS(o) __atomic_signal_fence(o); return

JOSTLE_API void __tsan_atomic_thread_fence(int mo);
JOSTLE_API void __tsan_atomic_signal_fence(int mo);

void __tsan_atomic_thread_fence(int mo) {
  jostle__control_fence_of_self(mo); /* --races: fences order */
  ON_RMW_ORDER(mo, THREAD_FENCE_AS);
}

void __tsan_atomic_signal_fence(int mo) { ON_RMW_ORDER(mo, SIGNAL_FENCE_AS); }
