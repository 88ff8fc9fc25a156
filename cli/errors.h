/*
 * errors.h: private to jostle. The commands' second kind of error line:
 * what is jostle's or the system's fault, not the user's (out of memory, a
 * broken internal state). Bad input is jostle__usage_error (cli.h), exit 2;
 * these are exit 3 (EXIT_INTERNAL) everywhere. Only command functions call
 * them: library code returns a code and fills a message.
 */
#ifndef JOSTLE_ERRORS_H
#define JOSTLE_ERRORS_H

/* Prints "PROG: MESSAGE" on stderr, as jostle__usage_error does; returns
 * EXIT_INTERNAL (3). */
int jostle__internal_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
