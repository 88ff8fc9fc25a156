/*
 * read_file.c: whole-file reads (see read_file.h).
 */
#include "common/read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAP ((size_t)1 << 16)

char *jostle__read_file(const char *path, size_t max, size_t *len, char *err, size_t errsize) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(err, errsize, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  /* The buffer holds up to cap bytes and the NUL; one byte past max is
   * read to tell a file of max bytes from a larger one. */
  size_t cap = max < FIRST_CAP ? max + 1 : FIRST_CAP, n = 0;
  char *buf = malloc(cap + 1);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap || n > max) break;
    size_t grown_cap = cap > max / 2 ? max + 1 : cap * 2;
    char *grown = realloc(buf, grown_cap + 1);
    if (grown == NULL) free(buf);
    buf = grown;
    cap = grown_cap;
  }
  int bad = ferror(f) ? (errno ? errno : EIO) : 0;
  fclose(f);
  if (buf == NULL) snprintf(err, errsize, "%s: out of memory", path);
  else if (bad) snprintf(err, errsize, "%s: cannot read: %s", path, strerror(bad));
  else if (n > max) snprintf(err, errsize, "%s: larger than %zu bytes", path, max);
  else {
    buf[n] = '\0';
    *len = n;
    return buf;
  }
  free(buf);
  return NULL;
}
