/*
 * errors.c: the commands' exit-3 error line (errors.h).
 */
#include "cli/errors.h"

#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

int jostle__internal_error(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", jostle__prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return EXIT_INTERNAL;
}
