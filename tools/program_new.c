/*
 * program_new.c: a C++ program's operator new and delete (every form the
 * standard lets a program replace), for the programs jostle-cc links with
 * C++ objects. They allocate as the program's malloc does
 * (harness/heap.h): from the deterministic heap while jostle serves the
 * program, from the C library otherwise, so that a program's objects, the
 * C++ library's own included, start every run where the first run found
 * them, and their addresses replay from a seed. Each is weak: a program
 * that defines its own operator new keeps it.
 *
 * Written in C: the names are the Itanium C++ ABI's (x86-64: size_t is
 * `m`). Out of memory, the throwing forms call the C++ library's own
 * std::__throw_bad_alloc.
 */
#include <stddef.h>

#include "harness/heap.h"

_Noreturn void _ZSt17__throw_bad_allocv(void);

#define WEAK __attribute__((weak))

WEAK void *_Znwm(size_t n);
WEAK void *_Znam(size_t n);
WEAK void *_ZnwmRKSt9nothrow_t(size_t n, const void *nothrow);
WEAK void *_ZnamRKSt9nothrow_t(size_t n, const void *nothrow);
WEAK void *_ZnwmSt11align_val_t(size_t n, size_t align);
WEAK void *_ZnamSt11align_val_t(size_t n, size_t align);
WEAK void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t align, const void *nothrow);
WEAK void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t align, const void *nothrow);
WEAK void _ZdlPv(void *p);
WEAK void _ZdaPv(void *p);
WEAK void _ZdlPvm(void *p, size_t n);
WEAK void _ZdaPvm(void *p, size_t n);
WEAK void _ZdlPvRKSt9nothrow_t(void *p, const void *nothrow);
WEAK void _ZdaPvRKSt9nothrow_t(void *p, const void *nothrow);
WEAK void _ZdlPvSt11align_val_t(void *p, size_t align);
WEAK void _ZdaPvSt11align_val_t(void *p, size_t align);
WEAK void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t align);
WEAK void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t align);
WEAK void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nothrow);
WEAK void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nothrow);

/* new of n bytes: never NULL, as new(0) is not */
static void *allocate(size_t n) { return jostle__prog_malloc(n ? n : 1); }

static void *allocate_aligned(size_t n, size_t align) {
  void *p = NULL;
  return jostle__prog_posix_memalign(&p, align, n ? n : 1) == 0 ? p : NULL;
}

static void *or_throw(void *p) {
  if (p == NULL) _ZSt17__throw_bad_allocv();
  return p;
}

void *_Znwm(size_t n) { return or_throw(allocate(n)); }
void *_Znam(size_t n) { return or_throw(allocate(n)); }
void *_ZnwmRKSt9nothrow_t(size_t n, const void *nothrow) {
  (void)nothrow;
  return allocate(n);
}
void *_ZnamRKSt9nothrow_t(size_t n, const void *nothrow) {
  (void)nothrow;
  return allocate(n);
}
void *_ZnwmSt11align_val_t(size_t n, size_t align) { return or_throw(allocate_aligned(n, align)); }
void *_ZnamSt11align_val_t(size_t n, size_t align) { return or_throw(allocate_aligned(n, align)); }
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t align, const void *nothrow) {
  (void)nothrow;
  return allocate_aligned(n, align);
}
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t align, const void *nothrow) {
  (void)nothrow;
  return allocate_aligned(n, align);
}

void _ZdlPv(void *p) { jostle__prog_free(p); }
void _ZdaPv(void *p) { jostle__prog_free(p); }
void _ZdlPvm(void *p, size_t n) {
  (void)n;
  jostle__prog_free(p);
}
void _ZdaPvm(void *p, size_t n) {
  (void)n;
  jostle__prog_free(p);
}
void _ZdlPvRKSt9nothrow_t(void *p, const void *nothrow) {
  (void)nothrow;
  jostle__prog_free(p);
}
void _ZdaPvRKSt9nothrow_t(void *p, const void *nothrow) {
  (void)nothrow;
  jostle__prog_free(p);
}
void _ZdlPvSt11align_val_t(void *p, size_t align) {
  (void)align;
  jostle__prog_free(p);
}
void _ZdaPvSt11align_val_t(void *p, size_t align) {
  (void)align;
  jostle__prog_free(p);
}
void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t align) {
  (void)n, (void)align;
  jostle__prog_free(p);
}
void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t align) {
  (void)n, (void)align;
  jostle__prog_free(p);
}
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nothrow) {
  (void)align, (void)nothrow;
  jostle__prog_free(p);
}
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nothrow) {
  (void)align, (void)nothrow;
  jostle__prog_free(p);
}
