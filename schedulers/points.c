/*
 * points.c: the scheduling-point runtime. Every kind of point, explicit
 * (jostle_yield), instrumented (loads, stores, atomics) or wrapped
 * (synchronisation calls), reaches the scheduler through the calling
 * thread's context, which is NULL outside a run: then a point costs a
 * thread-local load and a branch.
 */
#include <pthread.h>
#include <stddef.h>

#include "jostle.h"
#include "schedulers/control.h"
#include "schedulers/sched.h"

_Thread_local jostle__thread *jostle__self __attribute__((tls_model("initial-exec")));

/* The calling OS thread's stack, asked of glibc once per thread:
 * pthread_getattr_np costs a system call, and a program's spare threads
 * attach at every run. */
static _Thread_local uintptr_t own_lo __attribute__((tls_model("initial-exec")));
static _Thread_local uintptr_t own_hi __attribute__((tls_model("initial-exec")));
static _Thread_local int own_known __attribute__((tls_model("initial-exec")));

static void own_stack(void) {
  own_known = 1;
  pthread_attr_t attr;
  void *base;
  size_t size;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  if (pthread_attr_getstack(&attr, &base, &size) == 0) {
    own_lo = (uintptr_t)base;
    own_hi = (uintptr_t)base + size;
  }
  pthread_attr_destroy(&attr);
}

void jostle__thread_attach(jostle__thread *t) {
  jostle__self = t;
  if (t == NULL) return;
  if (!own_known) own_stack();
  t->stack_lo = own_lo;
  t->stack_hi = own_hi;
}

/* libFuzzer's coverage counters: code built for fuzzing is instrumented
 * for coverage first and then for these hooks, so every counter increment
 * reaches the hooks as a load and a store, which must not be points. The
 * linker defines the bounds when the section exists, else they are 0. */
extern uint8_t __start___sancov_cntrs[] __attribute__((weak));
extern uint8_t __stop___sancov_cntrs[] __attribute__((weak));

/* The calling thread's context when an access to addr is a point, else
 * NULL. An access to the thread's own stack is no point, but under --races
 * another thread may have its address: the detector sees it. */
static inline jostle__thread *pointing(jostle__point_access access, const void *addr,
                                       const void *pc) {
  jostle__thread *t = jostle__self;
  if (t == NULL || t->point == NULL) return NULL;
  if ((uintptr_t)addr - t->stack_lo < t->stack_hi - t->stack_lo) {
    if (t->control != NULL && t->cfg->races) jostle__control_own_access(t, access, addr, pc);
    return NULL;
  }
  if ((uintptr_t)addr - (uintptr_t)__start___sancov_cntrs <
      (uintptr_t)__stop___sancov_cntrs - (uintptr_t)__start___sancov_cntrs)
    return NULL;
  return t;
}

void jostle__point_at(jostle__point_access access, const void *addr, const void *pc) {
  jostle__thread *t = pointing(access, addr, pc);
  if (t == NULL) return;
  jostle__point p = {.kind = jostle__access_kind(access), .access = access, .addr = addr,
                     .pc = pc};
  t->point(t, &p);
}

void jostle__cas_point_at(jostle__point_access access, const void *addr, const void *pc,
                          const void *expected) {
  jostle__thread *t = pointing(access, addr, pc);
  if (t == NULL) return;
  jostle__point p = {.kind = jostle__access_kind(access), .access = access, .addr = addr,
                     .pc = pc, .expected = expected};
  t->point(t, &p);
}

JOSTLE_API void jostle_yield(void) {
  jostle__thread *t = jostle__self;
  if (t == NULL || t->point == NULL) return;
  jostle__point p = {.kind = JOSTLE__POINT_YIELD, .pc = __builtin_return_address(0)};
  t->point(t, &p);
}
