/*
 * points.c: the scheduling-point runtime. jostle_yield() is the explicit
 * point; later kinds of points (instrumented accesses, wrapped calls) come
 * through the same thread-local context.
 */
#include <stddef.h>

#include "jostle.h"
#include "schedulers/sched.h"

_Thread_local jostle__thread *jostle__self;

void jostle__thread_attach(jostle__thread *t) { jostle__self = t; }

JOSTLE_API void jostle_yield(void) {
  jostle__thread *t = jostle__self;
  if (t != NULL && t->point != NULL) t->point(t);
}
