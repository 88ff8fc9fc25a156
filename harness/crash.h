/*
 * crash.h: private to jostle. What a crashing run leaves behind: the
 * signal, the faulting address and a short backtrace of the thread that
 * crashed, recorded by the dying worker in memory its parent reads, and
 * described by the parent (its mappings are the worker's: it forked it).
 */
#ifndef JOSTLE_CRASH_H
#define JOSTLE_CRASH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define JOSTLE__CRASH_FRAMES 24

typedef struct jostle__crash_record {
  _Atomic int taken;            /* a thread has filled the record */
  int signo, code;
  uint64_t addr;                /* si_addr */
  int n_frames;
  void *frames[JOSTLE__CRASH_FRAMES]; /* from the signal handler outwards */
} jostle__crash_record;

/* In a worker, before its first run: from now on a fatal signal (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP) fills *rec, the first thread
 * to take one, and then kills the process with that signal as before. */
void jostle__crash_watch(jostle__crash_record *rec);

/* In the parent, once the worker is gone: "SIGSEGV (address 0x10) at
 * file:line (function), called from ..." into buf; "" when nothing was
 * recorded. Clears the record for the slot's next worker. */
void jostle__crash_describe(jostle__crash_record *rec, char *buf, size_t size);

#endif
