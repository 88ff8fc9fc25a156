/*
 * journal.c: a soak's journal (journal.h): lines of JSON (jansson), each
 * with its CRC-32, appended and flushed to disk one batch at a time.
 */
#include "harness/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/read_file.h"
#include "common/text.h"

#define FORMAT_NAME "jostle-soak-journal"

struct jostle__journal {
  int fd;                     /* open for appending */
  uint32_t campaign;          /* the header's CRC-32, which each batch line names */
  char path[4096];
};

uint32_t jostle__crc32(const void *data, size_t n) {
  const unsigned char *p = data;
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static int fail(char *err, size_t errsize, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errsize, fmt, ap);
  va_end(ap);
  jostle__one_line(err);
  return -1;
}

static void join(char *buf, size_t size, const char *dir, const char *name) {
  snprintf(buf, size, "%s/%s", dir, name);
}

/* --- lines --------------------------------------------------------------- */

/* Writes all n bytes, as one write() unless the kernel cuts it short. */
static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The line "CRC JSON\n" for v (taken), malloc'd, of *len bytes; or NULL
 * with err set, naming path. */
static char *make_line(json_t *v, size_t *len, const char *path, char *err, size_t errsize) {
  char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
  json_decref(v);
  if (text == NULL) {
    fail(err, errsize, "%s: cannot encode the record (out of memory, a number above "
         "2^63-1 or a text that is not UTF-8)", path);
    return NULL;
  }
  size_t text_len = strlen(text);
  char *line = malloc(text_len + 11);
  if (line == NULL) {
    free(text);
    fail(err, errsize, "%s: out of memory", path);
    return NULL;
  }
  snprintf(line, 10, "%08" PRIx32 " ", jostle__crc32(text, text_len));
  memcpy(line + 9, text, text_len);
  line[9 + text_len] = '\n';
  free(text);
  *len = text_len + 10;
  return line;
}

/* Appends the line for v (taken) to fd and flushes it to disk. */
static int put_line(int fd, json_t *v, const char *path, char *err, size_t errsize) {
  size_t len;
  char *line = make_line(v, &len, path, err, errsize);
  if (line == NULL) return -1;
  int rc = write_all(fd, line, len) == 0 && fdatasync(fd) == 0 ? 0 : -1;
  free(line);
  if (rc != 0) return fail(err, errsize, "%s: cannot write: %s", path, strerror(errno));
  return 0;
}

/* The JSON of a line "CRC JSON" of n bytes (no newline), or NULL when its
 * checksum does not match or it is not JSON. */
static json_t *get_line(const char *line, size_t n) {
  char crc[9];
  if (n < 10 || line[8] != ' ') return NULL;
  memcpy(crc, line, 8);
  crc[8] = '\0';
  if (strspn(crc, "0123456789abcdef") != 8 ||
      (uint32_t)strtoul(crc, NULL, 16) != jostle__crc32(line + 9, n - 9))
    return NULL;
  return json_loadb(line + 9, n - 9, JSON_REJECT_DUPLICATES, NULL);
}

/* Whether a first line that does not read is still a journal's: a
 * checksum, then the header's format field. */
static int looks_like_journal(const char *line, size_t n) {
  static const char start[] = " {\"format\":\"" FORMAT_NAME "\"";
  return n >= 8 + sizeof start - 1 && strspn(line, "0123456789abcdef") >= 8 &&
         memcmp(line + 8, start, sizeof start - 1) == 0;
}

/* --- header -------------------------------------------------------------- */

static json_t *strings_json(int n, char *const *words) {
  json_t *a = json_array();
  for (int i = 0; a && i < n; i++)
    if (json_array_append_new(a, json_string(words[i])) != 0) {
      json_decref(a);
      return NULL;
    }
  return a;
}

static json_t *header_json(const jostle__journal_header *h) {
  char seed[24];
  snprintf(seed, sizeof seed, "0x%016" PRIx64, h->seed);
  json_t *v = json_pack("{s:s, s:i, s:s, s:I, s:o}", "format", FORMAT_NAME, "version",
                        JOSTLE__JOURNAL_VERSION, "seed", seed, "started_unix_ns",
                        (json_int_t)h->started_unix_ns, "args",
                        strings_json(h->n_args, h->args));
  if (v != NULL && h->n_program > 0 &&
      json_object_set_new(v, "program", strings_json(h->n_program, h->program)) != 0) {
    json_decref(v);
    return NULL;
  }
  return v;
}

/* The strings of array a, into *words (n of them); -1 when a holds
 * another value or out of memory. */
static int read_strings(json_t *a, int *n, char ***words) {
  *words = calloc(json_array_size(a) + 1, sizeof **words);
  if (*words == NULL) return -1;
  for (size_t i = 0; i < json_array_size(a); i++) {
    json_t *w = json_array_get(a, i);
    if (!json_is_string(w) || ((*words)[i] = strdup(json_string_value(w))) == NULL) return -1;
    *n = (int)i + 1;
  }
  return 0;
}

static int parse_seed(const char *text, uint64_t *out) {
  size_t len = strlen(text);
  if (len < 3 || len > 18 || text[0] != '0' || text[1] != 'x' ||
      strspn(text + 2, "0123456789abcdef") != len - 2)
    return -1;
  *out = strtoull(text + 2, NULL, 16);
  return 0;
}

static int read_header(json_t *v, jostle__journal_header *h) {
  const char *format, *seed;
  int version;
  json_int_t started;
  json_t *args;
  if (json_unpack(v, "{s:s, s:i, s:s, s:I, s:o}", "format", &format, "version", &version,
                  "seed", &seed, "started_unix_ns", &started, "args", &args) != 0 ||
      strcmp(format, FORMAT_NAME) != 0 || version != JOSTLE__JOURNAL_VERSION ||
      parse_seed(seed, &h->seed) != 0 || started < 0 || !json_is_array(args))
    return -1;
  h->started_unix_ns = (uint64_t)started;
  if (read_strings(args, &h->n_args, &h->args) != 0) return -1;
  json_t *program = json_object_get(v, "program");
  if (program == NULL) return 0;
  return json_is_array(program) && json_array_size(program) > 0
             ? read_strings(program, &h->n_program, &h->program)
             : -1;
}

/* Why header line v was refused: a journal of another version of jostle,
 * or no soak journal at all. */
static void header_error(json_t *v, const char *path, char *err, size_t errsize) {
  const char *format;
  int version;
  if (json_unpack(v, "{s:s, s:i}", "format", &format, "version", &version) == 0 &&
      strcmp(format, FORMAT_NAME) == 0 && version != JOSTLE__JOURNAL_VERSION)
    fail(err, errsize, "%s: line 1: a version %d soak journal, written by another version of "
         "jostle (this one reads version %d)", path, version, JOSTLE__JOURNAL_VERSION);
  else
    fail(err, errsize, "%s: line 1: not the header of a version %d soak journal", path,
         JOSTLE__JOURNAL_VERSION);
}

void jostle__journal_header_free(jostle__journal_header *h) {
  for (int i = 0; h->args && i < h->n_args; i++) free(h->args[i]);
  free(h->args);
  for (int i = 0; h->program && i < h->n_program; i++) free(h->program[i]);
  free(h->program);
  memset(h, 0, sizeof *h);
}

/* --- batches ------------------------------------------------------------- */

/* Appends v (taken) to list; clears *ok when it cannot. */
static void push(json_t *list, json_t *v, int *ok) {
  if (list == NULL || json_array_append_new(list, v) != 0) *ok = 0;
}

/* Whether every number of b fits a JSON integer (jansson's are signed). */
static int fits(const jostle__batch *b) {
  const jostle__cell *c = &b->result;
  uint64_t most = b->index | b->cell | b->soak_ns | c->n_runs | c->elapsed_ns |
                  c->first_divergence_ns;
  for (size_t i = 0; i < b->done.n; i++) most |= b->done.ranges[i].end;
  for (size_t i = 0; i < c->n_outcomes; i++) most |= c->outcomes[i].first_run;
  return most <= INT64_MAX;
}

/* Adds the text under key when there is one, bytes that are not UTF-8 as
 * '?', as the JSON results do. */
static void put_known(json_t *obj, const char *key, const char *text, int *ok) {
  if (obj == NULL || text[0] == '\0') return;
  char clean[JOSTLE__RACE_REPORT_MAX]; /* the longest of the texts */
  _Static_assert(JOSTLE__RACE_REPORT_MAX >= JOSTLE__DETAIL_MAX &&
                     JOSTLE__RACE_REPORT_MAX >= JOSTLE__OUTPUT_MAX,
                 "put_known's buffer holds every text");
  snprintf(clean, sizeof clean, "%s", text);
  jostle__utf8_clean(clean);
  if (json_object_set_new(obj, key, json_string(clean)) != 0) *ok = 0;
}

/* The batch's line, naming its soak's campaign; NULL when out of memory,
 * or when a number or a text cannot be written. */
static json_t *batch_json(const jostle__batch *b, uint32_t campaign) {
  const jostle__cell *c = &b->result;
  if (!fits(b)) return NULL;
  json_t *done = json_array(), *outcomes = json_array();
  int ok = 1;
  for (size_t i = 0; i < b->done.n; i++)
    push(done, json_pack("[I, I]", (json_int_t)b->done.ranges[i].begin,
                         (json_int_t)b->done.ranges[i].end), &ok);
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    char seed[24];
    snprintf(seed, sizeof seed, "0x%016" PRIx64, o->first_seed);
    json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s}", "class", jostle__class_name(o->cls),
                          "text", o->text, "count", (json_int_t)o->count, "first_run",
                          (json_int_t)o->first_run, "first_seed", seed);
    put_known(j, "detail", o->detail, &ok);
    put_known(j, "output", o->output, &ok);
    put_known(j, "race_report", o->race_report, &ok);
    if (o->n_check_divergent != 0 &&
        json_object_set_new(j, "check_divergent", json_integer((json_int_t)o->n_check_divergent)) != 0)
      ok = 0;
    push(outcomes, j, &ok);
  }
  if (!ok) {
    json_decref(done);
    json_decref(outcomes);
    return NULL;
  }
  char id[12];
  snprintf(id, sizeof id, "%08" PRIx32, campaign);
  return json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o}",
                   "campaign", id, "batch",
                   (json_int_t)b->index, "cell", (json_int_t)b->cell, "scenario", c->scenario,
                   "scheduler", c->scheduler, "placement", c->placement, "done", done, "runs",
                   (json_int_t)c->n_runs, "divergent", (json_int_t)c->n_divergent,
                   "elapsed_ns", (json_int_t)c->elapsed_ns, "first_divergence_ns",
                   (json_int_t)c->first_divergence_ns, "soak_ns", (json_int_t)b->soak_ns,
                   "outcomes", outcomes);
}

/* A batch's numbers are written from unsigned values below 2^63. */
static int unsigned_field(json_int_t v, uint64_t *out) {
  if (v < 0) return -1;
  *out = (uint64_t)v;
  return 0;
}

static int text_field(const char *text, char *buf, size_t size) {
  if (strlen(text) >= size) return -1;
  strcpy(buf, text);
  return 0;
}

static int read_class(const char *name, jostle__class *out) {
  for (int c = 0; c < JOSTLE__N_CLASSES; c++)
    if (strcmp(name, jostle__class_name((jostle__class)c)) == 0) {
      *out = (jostle__class)c;
      return 0;
    }
  return -1;
}

static int read_outcomes(json_t *list, jostle__cell *c) {
  for (size_t i = 0; i < json_array_size(list); i++) {
    const char *cls_name, *text, *seed, *detail = NULL, *output = NULL, *race_report = NULL;
    json_int_t count, first_run, check_divergent = 0;
    jostle__class cls;
    uint64_t first_seed;
    if (json_unpack(json_array_get(list, i), "{s:s, s:s, s:I, s:I, s:s, s?s, s?s, s?s, s?I}",
                    "class", &cls_name, "text", &text, "count", &count, "first_run",
                    &first_run, "first_seed", &seed, "detail", &detail, "output", &output,
                    "race_report", &race_report, "check_divergent", &check_divergent) != 0 ||
        (race_report && strlen(race_report) >= JOSTLE__RACE_REPORT_MAX) ||
        read_class(cls_name, &cls) != 0 || count < 0 || first_run < 0 ||
        check_divergent < 0 || check_divergent > count ||
        strlen(text) >= JOSTLE__TEXT_MAX || parse_seed(seed, &first_seed) != 0 ||
        (detail && strlen(detail) >= JOSTLE__DETAIL_MAX) ||
        (output && strlen(output) >= JOSTLE__OUTPUT_MAX) ||
        jostle__cell_add(c, cls, text, (uint64_t)count, (uint64_t)first_run, first_seed) != 0)
      return -1;
    if (detail) jostle__cell_detail(c, cls, text, (uint64_t)first_run, detail);
    if (output) jostle__cell_output(c, cls, text, (uint64_t)first_run, output, strlen(output));
    jostle__outcome *o = jostle__cell_find(c, cls, text);
    o->n_check_divergent += (uint64_t)check_divergent;
    if (race_report && o->first_run == (uint64_t)first_run)
      snprintf(o->race_report, sizeof o->race_report, "%s", race_report);
  }
  return 0;
}

static int read_done(json_t *list, jostle__runset *done) {
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_int_t begin, end;
    if (json_unpack(json_array_get(list, i), "[I, I]", &begin, &end) != 0 || begin < 0 ||
        end < begin || jostle__runset_overlaps(done, (uint64_t)begin, (uint64_t)end) ||
        jostle__runset_add(done, (uint64_t)begin, (uint64_t)end) != 0)
      return -1;
  }
  return 0;
}

/* Reads a batch line into b (zeroed; the caller frees its runset and
 * cell either way) and the campaign it names into *campaign (v's). */
static int read_batch(json_t *v, jostle__batch *b, const char **campaign) {
  jostle__cell *c = &b->result;
  const char *scenario, *scheduler, *placement;
  json_int_t index, cell, runs, div, elapsed, first_div, soak_ns;
  json_t *done, *outcomes;
  uint64_t cell_index;
  if (json_unpack(v, "{s:s, s:I, s:I, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o}",
                  "campaign", campaign, "batch",
                  &index, "cell", &cell, "scenario", &scenario, "scheduler", &scheduler,
                  "placement", &placement, "done", &done, "runs", &runs, "divergent", &div,
                  "elapsed_ns", &elapsed, "first_divergence_ns", &first_div, "soak_ns",
                  &soak_ns, "outcomes", &outcomes) != 0 ||
      !json_is_array(done) || !json_is_array(outcomes) ||
      unsigned_field(index, &b->index) || unsigned_field(cell, &cell_index) ||
      unsigned_field(runs, &c->n_runs) || unsigned_field(div, &c->n_divergent) ||
      unsigned_field(elapsed, &c->elapsed_ns) ||
      unsigned_field(first_div, &c->first_divergence_ns) ||
      unsigned_field(soak_ns, &b->soak_ns) || c->n_divergent > c->n_runs ||
      text_field(scenario, c->scenario, sizeof c->scenario) ||
      text_field(scheduler, c->scheduler, sizeof c->scheduler) ||
      text_field(placement, c->placement, sizeof c->placement) ||
      read_done(done, &b->done) != 0 || read_outcomes(outcomes, c) != 0)
    return -1;
  b->cell = (size_t)cell_index;
  /* the counts must be those of the runs it says it did */
  uint64_t total = 0;
  for (size_t i = 0; i < c->n_outcomes; i++) total += c->outcomes[i].count;
  if (total != c->n_runs || jostle__runset_count(&b->done) != c->n_runs) return -1;
  c->n_samples = 1;
  c->samples[0] = (jostle__sample){c->elapsed_ns, c->n_runs, c->n_divergent};
  return 0;
}

/* --- files --------------------------------------------------------------- */

static int open_append(const char *path, uint32_t campaign, jostle__journal **out, char *err,
                       size_t errsize) {
  jostle__journal *j = calloc(1, sizeof *j);
  if (j == NULL) return fail(err, errsize, "%s: out of memory", path);
  j->campaign = campaign;
  snprintf(j->path, sizeof j->path, "%s", path);
  j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (j->fd < 0) {
    fail(err, errsize, "%s: cannot open for appending: %s", path, strerror(errno));
    free(j);
    return -1;
  }
  *out = j;
  return 0;
}

int jostle__journal_create(const char *dir, const jostle__journal_header *h,
                           jostle__journal **out, char *err, size_t errsize) {
  char path[4096];
  join(path, sizeof path, dir, JOSTLE__JOURNAL_FILE);
  /* the header is complete or absent: written whole (common/atomic_file.h) */
  jostle__atomic_file tmp;
  if (jostle__atomic_open(&tmp, path, 0644) != 0) {
    if (tmp.tmp_path == NULL) fail(err, errsize, "%s: out of memory", path);
    else fail(err, errsize, "%s: cannot create: %s", tmp.tmp_path, strerror(tmp.error));
    jostle__atomic_close(&tmp);
    return -1;
  }
  size_t len;
  char *line = make_line(header_json(h), &len, tmp.tmp_path, err, errsize);
  int rc = line == NULL ? -1 : 0;
  uint32_t campaign = 0;
  if (rc == 0) {
    campaign = jostle__crc32(line + 9, len - 10);  /* its JSON, between CRC and newline */
    fwrite(line, 1, len, tmp.f);
  }
  free(line);
  if (rc == 0 && jostle__atomic_commit(&tmp) != 0) {
    const char *name = tmp.tmp_path, *why = strerror(tmp.error);
    if (tmp.failed == JOSTLE__ATOMIC_RENAME)
      rc = fail(err, errsize, "%s: cannot rename to %s: %s", name, path, why);
    else if (tmp.failed == JOSTLE__ATOMIC_CLOSE) rc = fail(err, errsize, "%s: %s", name, why);
    else rc = fail(err, errsize, "%s: cannot write: %s", name, why);
  }
  jostle__atomic_close(&tmp);
  return rc != 0 ? -1 : open_append(path, campaign, out, err, errsize);
}

/* Whether batch line line_no (from 2), which names `campaign` and holds
 * batch `index`, follows the header whose CRC is `header` and the lines
 * before it; if not, fails naming the line. */
static int check_order(const char *path, size_t line_no, const char *campaign, uint32_t header,
                       uint64_t index, char *err, size_t errsize) {
  char want[12];
  snprintf(want, sizeof want, "%08" PRIx32, header);
  if (strcmp(campaign, want) != 0)
    return fail(err, errsize, "%s: line %zu: a batch of another soak (its campaign is %.16s, "
                "the header's %s): the journal mixes two soaks' runs and cannot be resumed",
                path, line_no, campaign, want);
  if (index != line_no - 2)
    return fail(err, errsize, "%s: line %zu: batch %" PRIu64 " where batch %zu was due: "
                "batches are repeated, missing or out of order (two processes appended to "
                "the journal?), and it cannot be resumed", path, line_no, index, line_no - 2);
  return 0;
}

/* Reads the lines of data: the header into h (and its CRC into
 * *campaign), then each batch to on_batch (none when it is NULL). Returns
 * the length of its whole lines, or -1 with err set. */
static long read_lines(const char *path, const char *data, size_t len,
                       jostle__journal_header *h, uint32_t *campaign,
                       jostle__batch_fn on_batch, void *ctx, char *err, size_t errsize) {
  size_t pos = 0, line_no = 0;
  while (pos < len) {
    const char *nl = memchr(data + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
    line_no++;
    json_t *v = nl ? get_line(data + pos, n) : NULL;
    if (v == NULL) {
      /* The last line may be a batch cut short by a kill (a line is one
       * write, its newline last): it is as if it had not run. A whole line
       * that fails its checksum is damage, however last. */
      if (line_no > 1 && nl == NULL) break;
      if (line_no == 1 && !looks_like_journal(data, n))
        return fail(err, errsize, "%s: not a soak journal (its first line is no journal "
                    "header)", path);
      return fail(err, errsize, "%s: line %zu: damaged (its checksum does not match)", path,
                  line_no);
    }
    int rc;
    if (line_no == 1) {
      rc = read_header(v, h);
      *campaign = jostle__crc32(data + pos + 9, n - 9);
      if (rc != 0) header_error(v, path, err, errsize);
      else if (on_batch == NULL) {
        json_decref(v);
        return (long)(pos + n + 1);
      }
    } else {
      jostle__batch b;
      const char *id;
      memset(&b, 0, sizeof b);
      rc = read_batch(v, &b, &id);
      if (rc != 0) fail(err, errsize, "%s: line %zu: not a batch record", path, line_no);
      else rc = check_order(path, line_no, id, *campaign, b.index, err, errsize);
      if (rc == 0) rc = on_batch(ctx, &b, err, errsize);
      jostle__runset_free(&b.done);
      jostle__cell_free(&b.result);
    }
    json_decref(v);
    if (rc != 0) return -1;
    pos += n + 1;
  }
  if (line_no == 0) return fail(err, errsize, "%s: empty, expected a soak journal", path);
  return (long)pos;
}

/* Reads DIR/journal.jsonl; returns the length of its whole lines, or -1
 * with err set (h then owns nothing). */
static long read_journal(const char *dir, jostle__journal_header *h, uint32_t *campaign,
                         jostle__batch_fn on_batch, void *ctx, char *path, size_t path_size,
                         size_t *len, char *err, size_t errsize) {
  join(path, path_size, dir, JOSTLE__JOURNAL_FILE);
  memset(h, 0, sizeof *h);
  char *data = jostle__read_file(path, SIZE_MAX / 2, len, err, errsize);
  if (data == NULL) {
    jostle__one_line(err);
    return -1;
  }
  long whole = read_lines(path, data, *len, h, campaign, on_batch, ctx, err, errsize);
  free(data);
  if (whole < 0) jostle__journal_header_free(h);
  return whole;
}

int jostle__journal_read_header(const char *dir, jostle__journal_header *h, char *err,
                                size_t errsize) {
  char path[4096];
  size_t len;
  uint32_t campaign;
  return read_journal(dir, h, &campaign, NULL, NULL, path, sizeof path, &len, err, errsize) < 0
             ? -1 : 0;
}

int jostle__journal_open(const char *dir, jostle__batch_fn on_batch, void *ctx,
                         jostle__journal **out, char *err, size_t errsize) {
  char path[4096];
  size_t len;
  jostle__journal_header h;
  uint32_t campaign;
  long whole = read_journal(dir, &h, &campaign, on_batch, ctx, path, sizeof path, &len, err,
                            errsize);
  if (whole < 0) return -1;
  jostle__journal_header_free(&h);
  if ((size_t)whole < len && truncate(path, whole) != 0)
    return fail(err, errsize, "%s: cannot cut its last, partial line: %s", path,
                strerror(errno));
  return open_append(path, campaign, out, err, errsize);
}

int jostle__journal_append(jostle__journal *j, const jostle__batch *b, char *err,
                           size_t errsize) {
  return put_line(j->fd, batch_json(b, j->campaign), j->path, err, errsize);
}

void jostle__journal_close(jostle__journal *j) {
  if (j == NULL) return;
  close(j->fd);
  free(j);
}
