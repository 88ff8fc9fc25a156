/*
 * capture.h: private to jostle. What a worker's scenario writes to its
 * standard output and error, captured run by run, so that jostle's own
 * output stays jostle's (a scenario printing `reproduce: ...` forges
 * nothing) and the first run of each outcome keeps what it wrote.
 *
 * The campaign's parent makes one capture per slot before the first fork:
 * a sealed memory file of JOSTLE__CAPTURE_BYTES that cannot grow (writes
 * past its end fail, so a scenario printing in a loop costs no memory),
 * mapped in the parent and, inherited, in every worker of the slot. A
 * worker puts it in place of its descriptors 1 and 2 and keeps jostle's
 * own on other descriptors (traces, a sanitizer's reports). After each run
 * it takes the bytes written since the last run and starts the file again;
 * when the worker dies in a run, the parent takes them.
 */
#ifndef JOSTLE_CAPTURE_H
#define JOSTLE_CAPTURE_H

#include <stddef.h>

#define JOSTLE__CAPTURE_BYTES (64 * 1024)

typedef struct jostle__capture {
  int fd;                            /* -1: nothing is captured */
  char *map;                         /* JOSTLE__CAPTURE_BYTES, shared */
} jostle__capture;

/* Parent: makes c. Returns 0, or -1 with errno (c then captures nothing). */
int jostle__capture_open(jostle__capture *c);
void jostle__capture_close(jostle__capture *c);

/* Worker, before its first run: the scenario's descriptors 1 and 2 go to
 * the capture; jostle's traces and a sanitizer's reports keep the real
 * ones. */
void jostle__capture_attach(const jostle__capture *c);

/* Worker, after a run: the bytes the run wrote, at c->map, flushing the
 * scenario's stdio first; 0 when none. Costs no system call when the run
 * wrote nothing (but a run that wrote only NUL bytes may be seen later). */
size_t jostle__capture_taken(const jostle__capture *c);

/* Either side: the bytes written so far, whatever they are (the parent's
 * view of a worker that died in a run). */
size_t jostle__capture_written(const jostle__capture *c);

/* The last line of the n bytes a run wrote at `bytes` (control characters
 * as spaces, at most size - 1 bytes): a program's crash text names it, as
 * an assert's message. */
void jostle__capture_last_line(const char *bytes, size_t n, char *buf, size_t size);

/* Starts the capture again from its beginning, n bytes having been used. */
void jostle__capture_restart(const jostle__capture *c, size_t n);

#endif
