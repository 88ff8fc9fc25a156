/*
 * output.c: what the report file formats share (output.h). A report file is
 * written as PATH.tmp, flushed to disk and renamed over PATH: rename() is
 * atomic, so whoever opens PATH sees the old file or the whole new one.
 */
#include "reports/output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/text.h"

int jostle__out_open(jostle__out *o, const char *path, char *err, size_t errsize) {
  size_t len = strlen(path);
  o->path = path;
  o->f = NULL;
  o->tmp_path = malloc(len + sizeof ".tmp");
  if (o->tmp_path == NULL) {
    snprintf(err, errsize, "%s: out of memory", path);
    jostle__one_line(err);
    return -1;
  }
  memcpy(o->tmp_path, path, len);
  memcpy(o->tmp_path + len, ".tmp", sizeof ".tmp");
  o->f = fopen(o->tmp_path, "w");
  if (o->f == NULL) {
    snprintf(err, errsize, "%s: cannot create %s: %s", path, o->tmp_path, strerror(errno));
    jostle__one_line(err);
    free(o->tmp_path);
    o->tmp_path = NULL;
    return -1;
  }
  return 0;
}

int jostle__out_commit(jostle__out *o, char *err, size_t errsize) {
  /* ferror catches a failed write, fflush and fsync one that the kernel
   * only refuses when the data leaves the buffer (a full disk). */
  errno = 0;
  int failed = ferror(o->f) || fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
  int saved = errno;
  if (fclose(o->f) != 0 && !failed) {
    failed = 1;
    saved = errno;
  }
  o->f = NULL;
  if (failed) {
    /* a write that failed earlier left no errno to go by */
    snprintf(err, errsize, "%s: cannot write %s: %s", o->path, o->tmp_path,
             strerror(saved ? saved : EIO));
  } else if (rename(o->tmp_path, o->path) != 0) {
    snprintf(err, errsize, "%s: cannot replace it with %s: %s", o->path, o->tmp_path,
             strerror(errno));
    failed = 1;
  }
  if (failed) {
    jostle__one_line(err);
    remove(o->tmp_path);
  }
  free(o->tmp_path);
  o->tmp_path = NULL;
  return failed ? -1 : 0;
}

void jostle__out_discard(jostle__out *o) {
  fclose(o->f);
  o->f = NULL;
  remove(o->tmp_path);
  free(o->tmp_path);
  o->tmp_path = NULL;
}

void jostle__put_markup(FILE *f, const char *s, int attr) {
  jostle__put_markup_n(f, s, strlen(s), attr);
}

void jostle__put_markup_n(FILE *f, const char *s, size_t len_s, int attr) {
  for (const char *end = s + len_s; s < end;) {
    unsigned char c = (unsigned char)*s;
    size_t len = jostle__utf8_len(s);
    if (len > (size_t)(end - s)) len = 0;  /* a sequence cut by len_s */
    if (c == '&') fputs("&amp;", f);
    else if (c == '<') fputs("&lt;", f);
    else if (c == '>') fputs("&gt;", f);
    else if (c == '"') fputs("&quot;", f);
    else if (c == '\'') fputs("&#39;", f);
    else if (c == '\n' || c == '\r' || c == '\t') {
      if (attr) fprintf(f, "&#%d;", c);
      else fputc(c, f);
    } else if (len == 0 || c < 0x20 || c == 0x7f ||
               /* U+FFFE and U+FFFF: EF BF BE, EF BF BF */
               (len == 3 && c == 0xef && (unsigned char)s[1] == 0xbf &&
                (unsigned char)s[2] >= 0xbe)) {
      fputs("\xef\xbf\xbd", f);  /* U+FFFD */
    } else {
      fwrite(s, 1, len, f);
    }
    s += len ? len : 1;
  }
}

void jostle__put_attr(FILE *f, const char *name, const char *value) {
  fprintf(f, " %s=\"", name);
  jostle__put_markup(f, value, 1);
  fputc('"', f);
}

const char *jostle__grouped(uint64_t n, char *buf, size_t size) {
  char digits[24];
  int len = snprintf(digits, sizeof digits, "%" PRIu64, n);
  size_t out = 0;
  for (int i = 0; i < len && out + 2 < size; i++) {
    if (i > 0 && (len - i) % 3 == 0) buf[out++] = ',';
    buf[out++] = digits[i];
  }
  buf[out] = '\0';
  return buf;
}

const char *jostle__iso8601(uint64_t unix_ns, char *buf, size_t size) {
  time_t secs = (time_t)(unix_ns / 1000000000ULL);
  struct tm tm;
  if (gmtime_r(&secs, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, size, "unknown");
  return buf;
}
