/*
 * output.h: private to the report file formats (reports/json.c, junit.c,
 * html.c, history.c, text.c). What they share: writing a report file
 * whole, markup escaping, and number and time formats. (One-line messages
 * and UTF-8 are common/text.h's: the soak's journal uses them too.)
 */
#ifndef JOSTLE_OUTPUT_H
#define JOSTLE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/atomic_file.h"
#include "reports/formats.h"

/* A report file being written, whole or not at all (common/atomic_file.h):
 * o->f writes to its temporary file, o->tmp_path (PATH.tmp as a rule),
 * until committed. */
typedef jostle__atomic_file jostle__out;

/* Creates the temporary file of PATH for writing. Returns 0, or -1 with
 * err set. */
int jostle__out_open(jostle__out *o, const char *path, char *err, size_t errsize);

/* Flushes the temporary file to disk, closes it and renames it to PATH.
 * Returns 0, or -1 with err set (and the temporary file removed). Either
 * way o is closed. */
int jostle__out_commit(jostle__out *o, char *err, size_t errsize);

/* Closes and removes the temporary file, after the caller's own failure. */
void jostle__out_discard(jostle__out *o);

/* Writes a report to PATH whole, or not at all: opens its temporary file,
 * has emit write the report there, and commits it. emit returns 0, or -1
 * when out of memory ("PATH: out of memory" then). Returns 0, or -1 with
 * err set. The writers of formats that print as they go (JUnit XML, HTML)
 * are this. */
int jostle__out_write_report(const char *path, const jostle__report_meta *m,
                             const jostle__cell *cells, size_t n,
                             int (*emit)(FILE *f, const jostle__report_meta *m,
                                         const jostle__cell *cells, size_t n),
                             char *err, size_t errsize);

/* Writes s to f escaped for XML and HTML, as element text (attr 0) or as a
 * quoted attribute value (attr 1, where line breaks and tabs become
 * references too). Bytes that are not valid UTF-8 and characters XML 1.0
 * forbids (control characters, U+FFFE, U+FFFF) become U+FFFD. */
void jostle__put_markup(FILE *f, const char *s, int attr);

/* The same for the first len bytes of s. */
void jostle__put_markup_n(FILE *f, const char *s, size_t len, int attr);

/* Writes ` name="value"`, value escaped as jostle__put_markup does. */
void jostle__put_attr(FILE *f, const char *name, const char *value);

/* 1234567 -> "1,234,567". Returns buf; 27 bytes always suffice. */
const char *jostle__grouped(uint64_t n, char *buf, size_t size);

/* Nanoseconds since the Unix epoch -> "2024-05-01T12:34:56Z". Returns buf;
 * 32 bytes always suffice. */
const char *jostle__iso8601(uint64_t unix_ns, char *buf, size_t size);

#endif
