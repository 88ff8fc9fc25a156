/*
 * trace_values.h: private to the trace (trace.c). Reads the memory an
 * access touches without ever faulting, and writes a value as the code
 * would: typed from DWARF where the access's address is named, by its
 * width where it is not.
 */
#ifndef JOSTLE_TRACE_VALUES_H
#define JOSTLE_TRACE_VALUES_H

#include <stddef.h>

#include "schedulers/trace_names.h"

/* The most bytes of one access a trace reads and shows (a range's first). */
#define JOSTLE__TRACE_BYTES 32

/* Copies min(width, JOSTLE__TRACE_BYTES) bytes at addr into buf; 0, or -1
 * when that memory cannot be read (the access itself will fault). */
int jostle__trace_read(const void *addr, unsigned width, unsigned char *buf);

/* Writes into buf the value of `width` bytes whose first ones are `bytes`
 * (as read above), of type `type` (UNKNOWN when not known), accessed by
 * the code at pc: 42, -1, 'a', true, 1.5, NULL, &s->items[2] (a pointer
 * into the run's state, named as its address would be), 0x7f0012345678,
 * "text" for characters, {01 02 ...} for other bytes; a value longer than
 * what was read ends in "...". */
void jostle__trace_format(const jostle__control *c, const void *pc, const unsigned char *bytes,
                          unsigned width, jostle__value_type type, char *buf, size_t size);

#endif
