/*
 * program_reset.h: private to jostle. Runs of a served program that share
 * one process: the state every run starts from, and the way back to it.
 *
 * The mark, taken in a worker before its first run (a process in which the
 * program's main never ran), keeps the program's writable data, the main
 * thread's thread-local variables of the program, the heap
 * (harness/heap.h) and the set of open descriptors. The reset after a run
 * puts them back, with what program_calls.h undoes; a run after it starts
 * from what the first run started from. What a reset cannot undo (a
 * thread still running, a descriptor left open, a call whose effect
 * stays) is named instead: the process then serves no more runs, and
 * later runs get processes of their own.
 */
#ifndef JOSTLE_PROGRAM_RESET_H
#define JOSTLE_PROGRAM_RESET_H

#include "harness/program.h"

/* Takes the mark of `image`, the heap started (jostle__heap_start).
 * Returns NULL, or why runs cannot share this process (one line). */
const char *jostle__program_reset_mark(const jostle__program_image *image);

/* Back to the mark after a run. Returns NULL, or why no further run may
 * share this process (one line). */
const char *jostle__program_reset(void);

#endif
