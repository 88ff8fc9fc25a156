/*
 * trace_names.h: private to the trace (trace.c, trace_values.c), race
 * texts (race_text.c) and deadlock texts (baton.c). Names code and data addresses as the program's own
 * ELF and DWARF do (elfutils' libdwfl), and says what type the named
 * object has, so that its value can be shown as the code would write it.
 * The lookup is set up at the first call, in the process that runs the
 * scenario.
 */
#ifndef JOSTLE_TRACE_NAMES_H
#define JOSTLE_TRACE_NAMES_H

#include <stddef.h>

#include "schedulers/strategy.h"

/* What a value is, as far as the DWARF of the code that accessed it says. */
typedef enum jostle__value_kind {
  JOSTLE__VALUE_UNKNOWN,   /* no type known, an aggregate, or a part of one */
  JOSTLE__VALUE_SIGNED,    /* a signed integer or an enumeration */
  JOSTLE__VALUE_UNSIGNED,
  JOSTLE__VALUE_BOOL,
  JOSTLE__VALUE_CHAR,      /* a character; several of them are text */
  JOSTLE__VALUE_FLOAT,
  JOSTLE__VALUE_POINTER,
} jostle__value_kind;

typedef struct jostle__value_type {
  jostle__value_kind kind;
  unsigned size;           /* bytes of one such value; 0 when unknown */
} jostle__value_type;

/* "scenarios/counter.c:31 (counter_thread)" for the code at pc, which is a
 * return address (the call is the instruction before it); without line
 * information "counter_thread+0x1c", the same in every process. */
void jostle__trace_name_code(const void *pc, char *buf, size_t size);

/* The name of the function that starts at fn ("philosopher",
 * "worker(int)"), in buf; "" when it has none, or is the C++ library's
 * trampoline for std::thread, whose name says nothing of the thread. */
void jostle__trace_name_function(const void *fn, char *buf, size_t size);

/* Names addr as the code at pc (may be NULL) names it: "s->count" or
 * "s->items[3].key" in the run's state (the first variable in scope that
 * points to a struct as large as the state gives the member), else
 * "state+0x10", a global by the code's names ("config", "forks[1]",
 * "config.lock"; "config+0x4" without DWARF), or the plain address.
 * *type is the type of the object that starts at addr, when one does. */
void jostle__trace_name_data(const jostle__control *c, const void *addr, const void *pc,
                             char *buf, size_t size, jostle__value_type *type);

/* A pointer to addr, which is in the run's state, as the code at pc would
 * write it: "s" (the state itself), "&s->items[2]" (the largest object
 * that starts at addr), "&state+0x10" when unnamed. */
void jostle__trace_name_pointer(const jostle__control *c, const void *addr, const void *pc,
                                char *buf, size_t size);

#endif
