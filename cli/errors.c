/*
 * errors.c: the commands' one-line errors: "PROG: MESSAGE" on stderr, and
 * the exit code it goes with (bad usage 2, internal 3).
 */
#include "cli/errors.h"

#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

static void message(const char *fmt, va_list ap) {
  fprintf(stderr, "%s: ", jostle__prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

int jostle__usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  message(fmt, ap);
  va_end(ap);
  return EXIT_USAGE;
}

int jostle__internal_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  message(fmt, ap);
  va_end(ap);
  return EXIT_INTERNAL;
}
