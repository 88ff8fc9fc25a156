/*
 * output.c: what the report file formats share (output.h). A report file is
 * written whole or not at all (common/atomic_file.h): whoever opens PATH
 * sees the old file or the whole new one.
 */
#include "reports/output.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "common/text.h"

int jostle__out_open(jostle__out *o, const char *path, char *err, size_t errsize) {
  if (jostle__atomic_open(o, path, 0666) == 0) return 0;
  if (o->tmp_path == NULL)
    snprintf(err, errsize, "%s: out of memory", path);
  else
    snprintf(err, errsize, "%s: cannot create %s: %s", path, o->tmp_path, strerror(o->error));
  jostle__one_line(err);
  jostle__atomic_close(o);
  return -1;
}

int jostle__out_commit(jostle__out *o, char *err, size_t errsize) {
  int rc = jostle__atomic_commit(o);
  if (rc != 0) {
    if (o->failed == JOSTLE__ATOMIC_RENAME)
      snprintf(err, errsize, "%s: cannot replace it with %s: %s", o->path, o->tmp_path,
               strerror(o->error));
    else
      snprintf(err, errsize, "%s: cannot write %s: %s", o->path, o->tmp_path,
               strerror(o->error));
    jostle__one_line(err);
  }
  jostle__atomic_close(o);
  return rc;
}

void jostle__out_discard(jostle__out *o) { jostle__atomic_close(o); }

int jostle__out_write_report(const char *path, const jostle__report_meta *m,
                             const jostle__cell *cells, size_t n,
                             int (*emit)(FILE *f, const jostle__report_meta *m,
                                         const jostle__cell *cells, size_t n),
                             char *err, size_t errsize) {
  jostle__out out;
  if (jostle__out_open(&out, path, err, errsize) != 0) return -1;
  if (emit(out.f, m, cells, n) != 0) {
    jostle__out_discard(&out);
    snprintf(err, errsize, "%s: out of memory", path);
    jostle__one_line(err);
    return -1;
  }
  return jostle__out_commit(&out, err, errsize);
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
