/*
 * schedule.c: schedules in memory and in files (see schedule.h).
 *
 * The loader trusts nothing: a file is read whole (up to a size that the
 * largest schedule fits in), each line must be exactly what the writer
 * writes, and the checksum must match, so a truncated, edited or foreign
 * file gets one line saying what is wrong and where.
 */
#include "schedulers/schedule.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/read_file.h"
#include "common/text.h"
#include "jostle.h"

#define MAGIC "jostle-schedule"
#define PER_LINE 32
/* Header lines are short; a decision takes at most 5 bytes ("1023 "). */
#define FILE_MAX (4096 + 5 * JOSTLE__SCHEDULE_MAX)

static size_t schedule_bytes(uint64_t cap) {
  return sizeof(jostle__schedule) + cap * sizeof(jostle__decision);
}

jostle__schedule *jostle__schedule_shared(uint64_t cap) {
  jostle__schedule *s = mmap(NULL, schedule_bytes(cap), PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) return NULL;
  s->cap = cap;
  return s;
}

void jostle__schedule_unshare(jostle__schedule *s) {
  if (s != NULL) munmap(s, schedule_bytes(s->cap));
}

jostle__schedule *jostle__schedule_copy(const jostle__schedule *s) {
  jostle__schedule *copy = malloc(schedule_bytes(s->n));
  if (copy == NULL) return NULL;
  copy->n = copy->cap = s->n;
  copy->overflow = 0;
  memcpy(copy->d, s->d, s->n * sizeof *s->d);
  return copy;
}

uint64_t jostle__schedule_switches(const jostle__schedule *s) {
  uint64_t n = 0;
  for (uint64_t i = 1; i < s->n; i++) n += s->d[i] != s->d[i - 1];
  return n;
}

static int fail(char *err, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
  return -1;
}

/* A field must be one line of printable text. */
static int printable(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0;
  return 1;
}

int jostle__schedule_save(const char *path, const jostle__schedule_info *info,
                          const jostle__schedule *s, char *err, size_t errsize) {
  if (!printable(info->scenario) || !printable(info->params) ||
      !printable(info->origin) || !printable(info->outcome) || !printable(info->verdict))
    return fail(err, errsize, "%s: a field holds a control character", path);
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (mem == NULL) return fail(err, errsize, "%s: out of memory", path);
  fprintf(mem, "%s %d\nscenario %s\nparams %s\norigin %s\noutcome %s\nverdict %s\n"
          "spurious-wakeups %d\ndecisions %" PRIu64 "\n", MAGIC, JOSTLE__SCHEDULE_VERSION,
          info->scenario, info->params, info->origin, info->outcome, info->verdict,
          info->spurious_wakeups != 0, s->n);
  for (uint64_t i = 0; i < s->n; i++)
    fprintf(mem, "%u%c", s->d[i], (i + 1) % PER_LINE == 0 || i + 1 == s->n ? '\n' : ' ');
  if (fclose(mem) != 0) {
    free(text);
    return fail(err, errsize, "%s: out of memory", path);
  }
  jostle__atomic_file out;
  int rc = 0;
  if (jostle__atomic_open(&out, path, 0666) != 0) {
    if (out.tmp_path == NULL) rc = fail(err, errsize, "%s: out of memory", path);
    else rc = fail(err, errsize, "cannot write %s: %s", out.tmp_path, strerror(out.error));
  } else {
    fwrite(text, 1, len, out.f);
    fprintf(out.f, "checksum 0x%016" PRIx64 "\n", jostle__fnv1a(text, len));
    if (jostle__atomic_commit(&out) != 0)
      rc = fail(err, errsize, "cannot write %s: %s",
                out.failed == JOSTLE__ATOMIC_RENAME ? path : out.tmp_path, strerror(out.error));
  }
  jostle__atomic_close(&out);
  free(text);
  return rc;
}

/* ---- loading -------------------------------------------------------------- */

typedef struct cursor {
  const char *path;
  char *p, *end;          /* the rest of the file */
  int line;
  char *err;
  size_t errsize;
} cursor;

/* The next line, NUL-terminated in place, without its newline; NULL at a
 * file that ends early (the caller says what was expected). */
static char *next_line(cursor *c) {
  if (c->p >= c->end) return NULL;
  char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
  if (nl == NULL) return NULL; /* the writer ends every line */
  char *line = c->p;
  *nl = '\0';
  c->p = nl + 1;
  c->line++;
  return line;
}

/* Reads line "KEY VALUE" into out (size bytes); -1 with a reason. */
static int field(cursor *c, const char *key, char *out, size_t size) {
  char *line = next_line(c);
  if (line == NULL)
    return fail(c->err, c->errsize, "%s: truncated: expected '%s' at line %d", c->path, key,
                c->line + 1);
  size_t klen = strlen(key);
  if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
    return fail(c->err, c->errsize, "%s: line %d: expected '%s ...'", c->path, c->line, key);
  const char *value = line + klen + 1;
  if (strlen(value) >= size || !printable(value))
    return fail(c->err, c->errsize, "%s: line %d: bad %s", c->path, c->line, key);
  snprintf(out, size, "%s", value);
  return 0;
}

/* A whole decimal number as the writer writes it: no sign, spaces,
 * leading zeros or junk. */
static int whole(const char *s, uint64_t max, uint64_t *out) {
  if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0')) return -1;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max) return -1;
  *out = v;
  return 0;
}

/* Reads the decision lines: n thread numbers, PER_LINE a line. A run's
 * threads include those it creates, so a number is only bounded by
 * JOSTLE_MAX_THREADS; one that names no thread able to run is followed as
 * replay.c says. */
static int decisions(cursor *c, jostle__schedule *s) {
  while (s->n < s->cap) {
    char *line = next_line(c);
    if (line == NULL)
      return fail(c->err, c->errsize, "%s: truncated: %" PRIu64 " of %" PRIu64
                  " decisions", c->path, s->n, s->cap);
    uint64_t want = s->cap - s->n < PER_LINE ? s->cap - s->n : PER_LINE;
    for (uint64_t k = 0; k < want; k++) {
      char *tok = strsep(&line, " ");
      uint64_t v;
      if (tok == NULL || whole(tok, JOSTLE_MAX_THREADS - 1, &v) != 0)
        return fail(c->err, c->errsize, "%s: line %d: expected %" PRIu64 " decision%s",
                    c->path, c->line, want, jostle__s(want));
      s->d[s->n++] = (jostle__decision)v;
    }
    if (line != NULL)
      return fail(c->err, c->errsize, "%s: line %d: more decisions than %" PRIu64,
                  c->path, c->line, want);
  }
  return 0;
}

jostle__schedule *jostle__schedule_load(const char *path, jostle__schedule_info *info,
                                        char *err, size_t errsize) {
  size_t len;
  char *text = jostle__read_file(path, FILE_MAX, &len, err, errsize);
  if (text == NULL) return NULL;
  if (memchr(text, '\0', len) != NULL) {
    fail(err, errsize, "%s: not a schedule file (binary data)", path);
    free(text);
    return NULL;
  }
  /* The checksum covers everything before the last line; the parse below
   * cuts lines in place, so it is computed first. */
  char *last = text + len;
  if (last > text && last[-1] == '\n') last--;
  while (last > text && last[-1] != '\n') last--;
  uint64_t want_sum = jostle__fnv1a(text, (size_t)(last - text));
  cursor c = {path, text, text + len, 0, err, errsize};
  jostle__schedule *s = NULL;
  char version[32], count[32], threads_text[16], spurious[8];
  uint64_t v, n, threads;
  int ok = field(&c, MAGIC, version, sizeof version) == 0;
  if (!ok) fail(err, errsize, "%s: not a schedule file (no '%s' line first)", path, MAGIC);
  if (ok && (whole(version, UINT32_MAX, &v) != 0 || v != JOSTLE__SCHEDULE_VERSION))
    ok = fail(err, errsize, "%s: schedule format version %s; this jostle reads version %d",
              path, version, JOSTLE__SCHEDULE_VERSION) == 0;
  ok = ok && field(&c, "scenario", info->scenario, sizeof info->scenario) == 0 &&
       field(&c, "params", info->params, sizeof info->params) == 0;
  if (ok && (sscanf(info->params, "threads=%15[0-9]", threads_text) != 1 ||
             whole(threads_text, JOSTLE_MAX_THREADS, &threads) != 0 || threads == 0))
    ok = fail(err, errsize, "%s: line 3: params must start with threads=N (1 to %d)", path,
              JOSTLE_MAX_THREADS) == 0;
  ok = ok && field(&c, "origin", info->origin, sizeof info->origin) == 0 &&
       field(&c, "outcome", info->outcome, sizeof info->outcome) == 0 &&
       field(&c, "verdict", info->verdict, sizeof info->verdict) == 0 &&
       field(&c, "spurious-wakeups", spurious, sizeof spurious) == 0;
  if (ok && strcmp(spurious, "0") != 0 && strcmp(spurious, "1") != 0)
    ok = fail(err, errsize, "%s: line %d: spurious-wakeups must be 0 or 1", path, c.line) == 0;
  info->spurious_wakeups = ok && spurious[0] == '1';
  ok = ok && field(&c, "decisions", count, sizeof count) == 0;
  if (ok && whole(count, JOSTLE__SCHEDULE_MAX, &n) != 0)
    ok = fail(err, errsize, "%s: line %d: bad decision count '%s'", path, c.line, count) == 0;
  if (ok && (s = malloc(schedule_bytes(n))) == NULL)
    ok = fail(err, errsize, "%s: out of memory", path) == 0;
  if (ok) {
    *s = (jostle__schedule){0, n, 0};
    ok = decisions(&c, s) == 0;
  }
  char sum[32];
  if (ok && c.p != last)
    ok = fail(err, errsize, "%s: line %d: expected the checksum line", path, c.line + 1) == 0;
  ok = ok && field(&c, "checksum", sum, sizeof sum) == 0;
  if (ok) {
    char want[32];
    snprintf(want, sizeof want, "0x%016" PRIx64, want_sum);
    if (strcmp(sum, want) != 0)
      ok = fail(err, errsize, "%s: checksum mismatch: the file was changed or damaged", path) == 0;
  }
  if (ok && c.p != c.end)
    ok = fail(err, errsize, "%s: line %d: unexpected text after the checksum", path,
              c.line + 1) == 0;
  free(text);
  if (!ok) {
    free(s);
    return NULL;
  }
  return s;
}
