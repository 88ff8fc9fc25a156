/*
 * trace.h: private to jostle. Prints a controlled run step by step
 * (`jostle replay --trace`): one line per scheduling point with the thread,
 * the operation (an atomic's with its memory order), the address it touches
 * (named: a synchronisation object, a member of the run's state, or a
 * symbol), the value it read or wrote and the source line; then who runs
 * next, and when a thread blocks or finishes.
 *
 * A line is printed when its access has taken effect, so the lines are in
 * the order the accesses happened: a read when its thread resumes past the
 * point (no other thread runs before its load), a write, an atomic
 * read-modify-write or a wrapped call at its thread's next step, with what
 * the memory or the model holds then. Only the thread holding the baton
 * calls these. Each line is flushed, so a run that crashes leaves its trace
 * up to the crash (a write is shown at its thread's next step: one made
 * just before a crash is not shown).
 */
#ifndef JOSTLE_TRACE_H
#define JOSTLE_TRACE_H

#include "schedulers/strategy.h"

/* How to read a trace, and the column heads, printed before a traced run. */
void jostle__trace_header(void);

/* Traces print on descriptor fd from now on, not on stdout (a worker whose
 * stdout captures the scenario's output). */
void jostle__trace_to(int fd);

/* Before a traced run, by the thread that begins it: forgets the last run.
 * The trace's state is the control's until jostle__trace_free. */
void jostle__trace_begin(jostle__control *c);
void jostle__trace_free(jostle__control *c);

/* Thread `thread` reached point p, and `next` runs on (maybe itself). */
void jostle__trace_point(jostle__control *c, int thread, const jostle__point *p, int next);

/* Thread `thread` blocks on o, or finishes or leaves (o NULL, `what` says). */
void jostle__trace_event(jostle__control *c, int thread, const char *what,
                         const jostle__object *o);

/* The baton passes from one thread to another, outside a point. */
void jostle__trace_switch(jostle__control *c, int from, int to);

/* The run is abandoned while `thread` holds the baton: its last access
 * took effect. */
void jostle__trace_abandon(jostle__control *c, int thread);

#endif
