/*
 * trace.h: private to jostle. Prints a controlled run step by step
 * (`jostle replay --trace`): at each point the thread, the operation, the
 * address it touches (named: a synchronisation object, an offset into the
 * run's state, or a symbol) and the source line, then who runs next. Only
 * the thread holding the baton calls these. Each line is flushed, so a run
 * that crashes leaves its trace up to the crash.
 */
#ifndef JOSTLE_TRACE_H
#define JOSTLE_TRACE_H

#include "schedulers/strategy.h"

/* The column heads, printed before a traced run. */
void jostle__trace_header(void);

/* Thread `thread` reached point p. */
void jostle__trace_point(const jostle__control *c, int thread, const jostle__point *p);

/* Thread `thread` blocks on o, or finishes (o NULL). */
void jostle__trace_event(const jostle__control *c, int thread, const char *what,
                         const jostle__object *o);

/* The baton passes from one thread to another. */
void jostle__trace_switch(const jostle__control *c, int from, int to);

#endif
