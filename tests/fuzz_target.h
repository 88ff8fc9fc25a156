/*
 * fuzz_target.h: what the fuzz targets of jostle's own inputs
 * (tests/fuzz_*.c) share: telling a broken invariant (then aborting, so
 * that libFuzzer keeps the input), and a scratch file for targets whose
 * reader takes a path. Each target includes it once.
 */
#ifndef JOSTLE_FUZZ_TARGET_H
#define JOSTLE_FUZZ_TARGET_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *fuzz_report;          /* where broken invariants are told (NULL: stderr) */
static const char *fuzz_context;   /* said with them when set: the text under test */

#define REQUIRE(expr, ...)                                            \
  do {                                                                \
    if (!(expr)) fuzz_broken(__FILE__, __LINE__, #expr, __VA_ARGS__); \
  } while (0)

__attribute__((format(printf, 4, 5), noreturn, unused))
static void fuzz_broken(const char *file, int line, const char *expr, const char *fmt, ...) {
  FILE *f = fuzz_report ? fuzz_report : stderr;
  fprintf(f, "%s:%d: invariant '%s' broken", file, line, expr);
  if (fuzz_context != NULL) fprintf(f, " on text \"%s\"", fuzz_context);
  fputs(": ", f);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fputc('\n', f);
  fflush(f);
  abort();
}

/* The scratch file inputs are written to, and a second path beside it
 * (for what a target writes back); made once per process, removed at
 * exit. */
static char fuzz_in_path[64], fuzz_back_path[80];
static int fuzz_in_fd = -1;

__attribute__((unused)) static void fuzz_remove_scratch(void) {
  unlink(fuzz_in_path);
  unlink(fuzz_back_path);
}

__attribute__((unused)) static void fuzz_make_scratch(const char *name) {
  if (fuzz_in_fd >= 0) return;
  snprintf(fuzz_in_path, sizeof fuzz_in_path, "/tmp/jostle-fuzz-%s-XXXXXX", name);
  fuzz_in_fd = mkstemp(fuzz_in_path);
  REQUIRE(fuzz_in_fd >= 0, "cannot create a scratch file in /tmp");
  snprintf(fuzz_back_path, sizeof fuzz_back_path, "%s.back", fuzz_in_path);
  atexit(fuzz_remove_scratch);
}

__attribute__((unused)) static void fuzz_write_scratch(const void *data, size_t size) {
  REQUIRE(ftruncate(fuzz_in_fd, 0) == 0, "cannot truncate %s", fuzz_in_path);
  for (size_t done = 0; done < size;) {
    ssize_t n = pwrite(fuzz_in_fd, (const char *)data + done, size - done, (off_t)done);
    REQUIRE(n > 0, "cannot write %s", fuzz_in_path);
    done += (size_t)n;
  }
}

#endif
