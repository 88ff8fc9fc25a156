/*
 * instrumented_test.c: the code that tests/check_hooks.c drives. The
 * Makefile compiles this file alone with -fsanitize=thread and links it
 * without the sanitizer runtime, so that its accesses reach
 * schedulers/tsan_hooks.c as a scenario's would (under SANITIZER=thread it
 * is compiled for the real runtime instead). Each function is noinline and
 * does one kind of access, so a test knows which points to expect from it;
 * check_hooks.c repeats these declarations (keep the two in step).
 */
#include <stdatomic.h>
#include <stdint.h>

#define NOINLINE __attribute__((noinline))

/* A global that plain accesses act on. */
int jt_global;

NOINLINE int jt_load(const int *p);
NOINLINE void jt_store(int *p, int v);
NOINLINE void jt_increment(void);
NOINLINE void jt_bump(int *p);
NOINLINE int jt_bump_local(void);

/* One 4-byte load: one READ point at p, then the load. */
int jt_load(const int *p) { return *p; }

/* One 4-byte store: one WRITE point at p, then the store. */
void jt_store(int *p, int v) { *p = v; }

/* The lost-update pattern on a global: READ, load, WRITE, store. */
void jt_increment(void) { jt_global++; }

/* The same through a pointer, for jt_bump_local. */
void jt_bump(int *p) { *p += 1; }

/* A local whose address escapes to jt_bump: accesses on this thread's own
 * stack, which are never points. */
int jt_bump_local(void) {
  int local = 41;
  jt_bump(&local);
  return local;
}

/* A struct too large for one access: its copy is a range read and a range
 * write (gcc), or a memcpy (clang). */
struct jt_block {
  char bytes[40];
};
NOINLINE void jt_copy(struct jt_block *dst, const struct jt_block *src);
void jt_copy(struct jt_block *dst, const struct jt_block *src) { *dst = *src; }

/* The C11 atomic operations on one width, each a single hooked call. */
#define ATOMIC_FUNCS(bits, T)                                                  \
  NOINLINE T jt_load##bits(_Atomic T *a);                                     \
  NOINLINE void jt_store##bits(_Atomic T *a, T v);                            \
  NOINLINE T jt_exchange##bits(_Atomic T *a, T v);                            \
  NOINLINE T jt_fetch_add##bits(_Atomic T *a, T v);                           \
  NOINLINE T jt_fetch_sub##bits(_Atomic T *a, T v);                           \
  NOINLINE T jt_fetch_and##bits(_Atomic T *a, T v);                           \
  NOINLINE T jt_fetch_or##bits(_Atomic T *a, T v);                            \
  NOINLINE T jt_fetch_xor##bits(_Atomic T *a, T v);                           \
  NOINLINE _Bool jt_cas_strong##bits(_Atomic T *a, T *expected, T desired);   \
  NOINLINE _Bool jt_cas_weak##bits(_Atomic T *a, T *expected, T desired);     \
  T jt_load##bits(_Atomic T *a) { return atomic_load_explicit(a, memory_order_acquire); } \
  void jt_store##bits(_Atomic T *a, T v) {                                    \
    atomic_store_explicit(a, v, memory_order_release);                        \
  }                                                                           \
  T jt_exchange##bits(_Atomic T *a, T v) { return atomic_exchange(a, v); }    \
  T jt_fetch_add##bits(_Atomic T *a, T v) { return atomic_fetch_add(a, v); }  \
  T jt_fetch_sub##bits(_Atomic T *a, T v) {                                   \
    return atomic_fetch_sub_explicit(a, v, memory_order_acq_rel);             \
  }                                                                           \
  T jt_fetch_and##bits(_Atomic T *a, T v) {                                   \
    return atomic_fetch_and_explicit(a, v, memory_order_relaxed);             \
  }                                                                           \
  T jt_fetch_or##bits(_Atomic T *a, T v) { return atomic_fetch_or(a, v); }    \
  T jt_fetch_xor##bits(_Atomic T *a, T v) { return atomic_fetch_xor(a, v); }  \
  _Bool jt_cas_strong##bits(_Atomic T *a, T *expected, T desired) {           \
    return atomic_compare_exchange_strong(a, expected, desired);              \
  }                                                                           \
  _Bool jt_cas_weak##bits(_Atomic T *a, T *expected, T desired) {             \
    return atomic_compare_exchange_weak_explicit(a, expected, desired,        \
                                                 memory_order_release,        \
                                                 memory_order_relaxed);       \
  }

ATOMIC_FUNCS(8, uint8_t)
ATOMIC_FUNCS(16, uint16_t)
ATOMIC_FUNCS(32, uint32_t)
ATOMIC_FUNCS(64, uint64_t)

NOINLINE void jt_fence(void);

/* Every fence the hooks perform; none is a point. */
void jt_fence(void) {
  atomic_thread_fence(memory_order_acquire);
  atomic_thread_fence(memory_order_release);
  atomic_thread_fence(memory_order_seq_cst);
  atomic_signal_fence(memory_order_seq_cst);
}
