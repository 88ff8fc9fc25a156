/*
 * json.c: JSON results, written and read back with jansson. docs/JSON.md is
 * the schema; JOSTLE__JSON_VERSION is its version.
 *
 * The writer writes every field of the result model plus derived ones
 * (rates, intervals, reproduce commands) for other programs; the reader
 * reads the model's fields back, checks each one's presence, type and
 * range, and ignores the derived ones and keys it does not know. Any input
 * is either read whole or refused with one line naming the field, so the
 * reader is safe to run on untrusted files.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/assert.h"
#include "common/text.h"
#include "reports/formats.h"
#include "reports/output.h"
#include "reports/phrases.h"

#define FORMAT_NAME "jostle-results"

/* --- writing ----------------------------------------------------------- */

typedef struct writer {
  const char *path;
  char *err;
  size_t errsize;
  int failed;  /* err holds the first failure; later ones are its effects */
} writer;

static void w_fail(writer *w, const char *fmt, ...) {
  if (w->failed++) return;
  int len = snprintf(w->err, w->errsize, "%s: ", w->path);
  if (len < 0 || (size_t)len >= w->errsize) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->err + len, w->errsize - (size_t)len, fmt, ap);
  va_end(ap);
}

/* obj[key] = v, taking v. A NULL obj or v is a constructor that ran out of
 * memory (jansson then frees what it was given). */
static void put(writer *w, json_t *obj, const char *key, json_t *v) {
  if (json_object_set_new(obj, key, v) != 0) w_fail(w, "out of memory");
}

static void append(writer *w, json_t *array, json_t *v) {
  if (json_array_append_new(array, v) != 0) w_fail(w, "out of memory");
}

/* Text as UTF-8, which JSON requires: a byte that is not part of a valid
 * sequence (say, a multi-byte character cut at the end of a field) is
 * written as '?', which keeps the text within its field when read back. */
static void put_text(writer *w, json_t *obj, const char *key, const char *s) {
  size_t len = strlen(s);
  char *clean = malloc(len + 1);
  if (clean == NULL) {
    w_fail(w, "out of memory");
    return;
  }
  for (size_t i = 0; i < len;) {
    size_t seq = jostle__utf8_len(s + i);
    if (seq == 0) {
      clean[i++] = '?';
    } else {
      memcpy(clean + i, s + i, seq);
      i += seq;
    }
  }
  clean[len] = '\0';
  put(w, obj, key, json_string(clean));
  free(clean);
}

/* JSON integers are 64-bit signed in jansson and most readers. */
static void put_uint(writer *w, json_t *obj, const char *where, const char *key, uint64_t v) {
  if (v > INT64_MAX) {
    w_fail(w, "%s.%s: %" PRIu64 " is above 2^63-1, the largest integer JSON results hold",
           where, key, v);
    return;
  }
  put(w, obj, key, json_integer((json_int_t)v));
}

/* 0, which means "none" in the result model, is written as null. */
static void put_uint_or_null(writer *w, json_t *obj, const char *where, const char *key,
                             uint64_t v) {
  if (v == 0) put(w, obj, key, json_null());
  else put_uint(w, obj, where, key, v);
}

static void put_int(writer *w, json_t *obj, const char *where, const char *key, int v) {
  if (v < 0) {
    w_fail(w, "%s.%s: %d is negative", where, key, v);
    return;
  }
  put(w, obj, key, json_integer(v));
}

/* Seeds are strings: a JSON number read as a double keeps 53 bits. */
static void put_seed(writer *w, json_t *obj, const char *key, uint64_t seed) {
  char hex[24];
  snprintf(hex, sizeof hex, "0x%016" PRIx64, seed);
  put(w, obj, key, json_string(hex));
}

static json_t *meta_json(writer *w, const jostle__report_meta *m) {
  json_t *o = json_object(), *topo = json_object(), *cfg = json_object();
  put_text(w, o, "jostle_version", m->jostle_version);
  put_text(w, o, "command_line", m->command_line);
  put_uint(w, o, "meta", "started_unix_ns", m->started_unix_ns);
  put_text(w, o, "host", m->host);
  put_text(w, o, "compiler", m->compiler);
  put_text(w, o, "commit", m->commit);
  put_int(w, topo, "meta.topology", "pus", m->n_pus);
  put_int(w, topo, "meta.topology", "cores", m->n_cores);
  put_int(w, topo, "meta.topology", "packages", m->n_packages);
  put_int(w, topo, "meta.topology", "numa_nodes", m->n_numa);
  put(w, o, "topology", topo);
  put_seed(w, cfg, "seed", m->seed);
  put_uint_or_null(w, cfg, "meta.config", "budget_runs", m->budget_runs);
  put_uint_or_null(w, cfg, "meta.config", "budget_ns", m->budget_ns);
  put_uint_or_null(w, cfg, "meta.config", "batch_ns", m->batch_ns);
  put_uint(w, cfg, "meta.config", "timeout_ns", m->timeout_ns);
  put_int(w, cfg, "meta.config", "jobs", m->n_jobs);
  put(w, cfg, "until_divergence", json_boolean(m->until_divergence));
  put(w, o, "config", cfg);
  return o;
}

static json_t *sample_json(writer *w, const jostle__sample *s, const char *where) {
  json_t *o = json_object();
  put_uint(w, o, where, "elapsed_ns", s->elapsed_ns);
  put_uint(w, o, where, "runs", s->n_runs);
  put_uint(w, o, where, "divergent", s->n_divergent);
  return o;
}

static json_t *outcome_json(writer *w, const jostle__cell *c, const jostle__outcome *o,
                            const char *where) {
  json_t *j = json_object();
  put(w, j, "class", json_string(jostle__class_name(o->cls)));
  put_text(w, j, "text", o->text);
  put_uint(w, j, where, "count", o->count);
  put_uint(w, j, where, "first_run", o->first_run);
  put_seed(w, j, "first_seed", o->first_seed);
  const jostle__member *by = jostle__found_by(c, o);
  if (by != NULL) put_text(w, j, "found_by", by->scheduler);
  if (o->detail[0] != '\0') put_text(w, j, "detail", o->detail);
  if (o->output[0] != '\0') put_text(w, j, "output", o->output);
  if (o->cls == JOSTLE__RACE) put_uint(w, j, where, "check_divergent", o->n_check_divergent);
  if (o->race_report[0] != '\0') put_text(w, j, "race_report", o->race_report);
  if (o->cls == JOSTLE__ALLOWED) {
    put(w, j, "reproduce", json_null());
  } else {
    char *cmd = jostle__reproduce(c, o);
    if (cmd == NULL) w_fail(w, "out of memory");
    else put_text(w, j, "reproduce", cmd);
    free(cmd);
  }
  return j;
}

static json_t *cell_json(writer *w, const jostle__cell *c, size_t index) {
  char where[96];
  snprintf(where, sizeof where, "cells[%zu]", index);
  JOSTLE_ASSERT(c->n_samples <= JOSTLE__MAX_SAMPLES);
  json_t *o = json_object();
  put_text(w, o, "scenario", c->scenario);
  put(w, o, "racy", json_boolean(c->racy));
  put_text(w, o, "scheduler", c->scheduler);
  put_text(w, o, "placement", c->placement);
  put_text(w, o, "params", c->params);
  put_text(w, o, "command", c->command ? c->command : "");
  if (c->program[0]) put_text(w, o, "program", c->program);
  if (c->n_members > 0) {
    json_t *members = json_array();
    for (size_t i = 0; i < c->n_members; i++) {
      json_t *m = json_object();
      put_text(w, m, "scheduler", c->members[i].scheduler);
      put_text(w, m, "command", c->members[i].command);
      append(w, members, m);
    }
    put(w, o, "members", members);
  }
  put_seed(w, o, "campaign_seed", c->campaign_seed);
  put(w, o, "fixed_seed", json_boolean(c->fixed_seed));
  put(w, o, "controlled", json_boolean(c->controlled));
  put_uint(w, o, where, "runs", c->n_runs);
  put_uint(w, o, where, "divergent", c->n_divergent);
  put(w, o, "not_run", json_boolean(jostle__cell_not_run(c) != NULL));
  double lo, hi;
  jostle__wilson95(c->n_divergent, c->n_runs, &lo, &hi);
  put(w, o, "divergence_rate",
      json_real(c->n_runs ? (double)c->n_divergent / (double)c->n_runs : 0.0));
  put(w, o, "divergence_ci95_low", json_real(lo));
  put(w, o, "divergence_ci95_high", json_real(hi));
  put(w, o, "runs_per_sec",
      json_real(c->elapsed_ns ? (double)c->n_runs * 1e9 / (double)c->elapsed_ns : 0.0));
  put_uint(w, o, where, "elapsed_ns", c->elapsed_ns);
  put(w, o, "interrupted", json_boolean(c->interrupted));
  put_uint_or_null(w, o, where, "first_divergence_ns", c->first_divergence_ns);
  uint64_t first = UINT64_MAX;
  for (size_t i = 0; i < c->n_outcomes; i++)
    if (c->outcomes[i].cls != JOSTLE__ALLOWED && c->outcomes[i].first_run < first)
      first = c->outcomes[i].first_run;
  if (first == UINT64_MAX) put(w, o, "runs_to_first_divergence", json_null());
  else put_uint(w, o, where, "runs_to_first_divergence", first + 1);
  char hint[256];
  if (jostle__phrase_not_found(c, hint, sizeof hint) != NULL) put_text(w, o, "hint", hint);
  else put(w, o, "hint", json_null());

  char sub[128];
  json_t *samples = json_array();
  for (size_t i = 0; i < c->n_samples; i++) {
    snprintf(sub, sizeof sub, "%s.samples[%zu]", where, i);
    append(w, samples, sample_json(w, &c->samples[i], sub));
  }
  put(w, o, "samples", samples);
  json_t *outcomes = json_array();
  for (size_t i = 0; i < c->n_outcomes; i++) {
    snprintf(sub, sizeof sub, "%s.outcomes[%zu]", where, i);
    append(w, outcomes, outcome_json(w, c, &c->outcomes[i], sub));
  }
  put(w, o, "outcomes", outcomes);
  return o;
}

int jostle__json_write(const char *path, const jostle__report_meta *m,
                       const jostle__cell *cells, size_t n, char *err, size_t errsize) {
  writer w = {.path = path, .err = err, .errsize = errsize};
  json_t *root = json_object();
  put(&w, root, "format", json_string(FORMAT_NAME));
  put(&w, root, "version", json_integer(JOSTLE__JSON_VERSION));
  put(&w, root, "meta", meta_json(&w, m));
  json_t *list = json_array();
  for (size_t i = 0; i < n && !w.failed; i++) append(&w, list, cell_json(&w, &cells[i], i));
  put(&w, root, "cells", list);

  jostle__out out;
  if (!w.failed && jostle__out_open(&out, path, err, errsize) == 0) {
    if (json_dumpf(root, out.f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0 ||
        fputc('\n', out.f) == EOF) {
      int saved = errno;
      w_fail(&w, "cannot write %s: %s", out.tmp_path, strerror(saved ? saved : EIO));
      jostle__out_discard(&out);
    } else if (jostle__out_commit(&out, err, errsize) != 0) {
      w.failed = 1;
    }
  } else {
    w.failed = 1;
  }
  json_decref(root);
  if (w.failed) jostle__one_line(err);
  return w.failed ? -1 : 0;
}

/* --- reading ----------------------------------------------------------- */

typedef struct reader {
  const char *path;
  char *err;
  size_t errsize;
} reader;

/* Sets err to "PATH: WHERE.KEY: message" and returns -1. where may be ""
 * and key NULL. */
static int r_fail(reader *r, const char *where, const char *key, const char *fmt, ...) {
  int len = snprintf(r->err, r->errsize, "%s: %s%s%s: ", r->path, where,
                     where[0] && key ? "." : "", key ? key : "");
  if (len >= 0 && (size_t)len < r->errsize) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + len, r->errsize - (size_t)len, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* obj[key], or NULL (err set) when it is missing. */
static json_t *field(reader *r, json_t *obj, const char *where, const char *key,
                     const char *expected) {
  json_t *v = json_object_get(obj, key);
  if (v == NULL) r_fail(r, where, key, "missing (expected %s)", expected);
  return v;
}

static int get_uint(reader *r, json_t *obj, const char *where, const char *key, uint64_t *out) {
  static const char what[] = "a non-negative integer";
  json_t *v = field(r, obj, where, key, what);
  if (v == NULL) return -1;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return r_fail(r, where, key, "expected %s", what);
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

/* null is 0, "none" in the result model. */
static int get_uint_or_null(reader *r, json_t *obj, const char *where, const char *key,
                            uint64_t *out) {
  static const char what[] = "a non-negative integer or null";
  json_t *v = field(r, obj, where, key, what);
  if (v == NULL) return -1;
  if (json_is_null(v)) {
    *out = 0;
    return 0;
  }
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return r_fail(r, where, key, "expected %s", what);
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

static int get_int(reader *r, json_t *obj, const char *where, const char *key, int *out) {
  static const char what[] = "an integer from 0 to 2147483647";
  json_t *v = field(r, obj, where, key, what);
  if (v == NULL) return -1;
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT_MAX)
    return r_fail(r, where, key, "expected %s", what);
  *out = (int)json_integer_value(v);
  return 0;
}

static int get_bool(reader *r, json_t *obj, const char *where, const char *key, int *out) {
  json_t *v = field(r, obj, where, key, "true or false");
  if (v == NULL) return -1;
  if (!json_is_boolean(v)) return r_fail(r, where, key, "expected true or false");
  *out = json_is_true(v);
  return 0;
}

/* A string that fits buf with its terminator. */
static int get_text(reader *r, json_t *obj, const char *where, const char *key, char *buf,
                    size_t size) {
  json_t *v = field(r, obj, where, key, "a string");
  if (v == NULL) return -1;
  if (!json_is_string(v)) return r_fail(r, where, key, "expected a string");
  size_t len = json_string_length(v);
  if (len >= size)
    return r_fail(r, where, key, "expected a string of at most %zu bytes, found %zu bytes",
                  size - 1, len);
  memcpy(buf, json_string_value(v), len + 1);
  return 0;
}

/* A string of any length, copied into the cell's command. */
static int get_command(reader *r, json_t *obj, const char *where, jostle__cell *c) {
  json_t *v = field(r, obj, where, "command", "a string");
  if (v == NULL) return -1;
  if (!json_is_string(v)) return r_fail(r, where, "command", "expected a string");
  if (jostle__cell_set_command(c, json_string_value(v)) != 0)
    return r_fail(r, where, "command", "out of memory");
  return 0;
}

/* "0x" and 1 to 16 hex digits. */
static int get_seed(reader *r, json_t *obj, const char *where, const char *key,
                    uint64_t *out) {
  static const char what[] = "a seed as a string of 0x and up to 16 hex digits";
  json_t *v = field(r, obj, where, key, what);
  if (v == NULL) return -1;
  const char *s = json_is_string(v) ? json_string_value(v) : "";
  size_t len = strlen(s);
  if (len < 3 || len > 18 || s[0] != '0' || s[1] != 'x' || strspn(s + 2,
      "0123456789abcdefABCDEF") != len - 2)
    return r_fail(r, where, key, "expected %s", what);
  *out = strtoull(s + 2, NULL, 16);
  return 0;
}

static int get_class(reader *r, json_t *obj, const char *where, const char *key,
                     jostle__class *out) {
  char what[160] = "one of";
  for (int c = 0; c < JOSTLE__N_CLASSES; c++) {
    size_t len = strlen(what);
    snprintf(what + len, sizeof what - len, " \"%s\"", jostle__class_name((jostle__class)c));
  }
  json_t *v = field(r, obj, where, key, what);
  if (v == NULL) return -1;
  for (int c = 0; c < JOSTLE__N_CLASSES && json_is_string(v); c++)
    if (strcmp(json_string_value(v), jostle__class_name((jostle__class)c)) == 0) {
      *out = (jostle__class)c;
      return 0;
    }
  return r_fail(r, where, key, "expected %s", what);
}

static json_t *get_object(reader *r, json_t *obj, const char *where, const char *key) {
  json_t *v = field(r, obj, where, key, "an object");
  if (v != NULL && !json_is_object(v)) {
    r_fail(r, where, key, "expected an object");
    return NULL;
  }
  return v;
}

static json_t *get_array(reader *r, json_t *obj, const char *where, const char *key) {
  json_t *v = field(r, obj, where, key, "an array");
  if (v != NULL && !json_is_array(v)) {
    r_fail(r, where, key, "expected an array");
    return NULL;
  }
  return v;
}

/* A portfolio's members, when the cell has them: each its scheduler and
 * the command that replays its runs. */
static int read_members(reader *r, json_t *o, const char *where, jostle__cell *c) {
  if (json_object_get(o, "members") == NULL) return 0;
  json_t *list = get_array(r, o, where, "members");
  if (list == NULL) return -1;
  size_t n = json_array_size(list);
  if (n == 0 || n > JOSTLE__CELL_MAX_MEMBERS)
    return r_fail(r, where, "members", "expected 1 to %d members, found %zu",
                  JOSTLE__CELL_MAX_MEMBERS, n);
  char sub[128], scheduler[32];
  for (size_t i = 0; i < n; i++) {
    json_t *m = json_array_get(list, i);
    snprintf(sub, sizeof sub, "%s.members[%zu]", where, i);
    if (!json_is_object(m)) return r_fail(r, sub, NULL, "expected an object");
    if (get_text(r, m, sub, "scheduler", scheduler, sizeof scheduler)) return -1;
    json_t *v = field(r, m, sub, "command", "a string");
    if (v == NULL) return -1;
    if (!json_is_string(v)) return r_fail(r, sub, "command", "expected a string");
    if (jostle__cell_add_member(c, scheduler, json_string_value(v)) != 0)
      return r_fail(r, sub, "command", "out of memory");
  }
  return 0;
}

static int read_meta(reader *r, json_t *root, jostle__report_meta *m) {
  json_t *o = get_object(r, root, "", "meta");
  if (o == NULL) return -1;
  json_t *topo = get_object(r, o, "meta", "topology");
  json_t *cfg = get_object(r, o, "meta", "config");
  if (topo == NULL || cfg == NULL) return -1;
  if (get_text(r, o, "meta", "jostle_version", m->jostle_version, sizeof m->jostle_version) ||
      get_text(r, o, "meta", "command_line", m->command_line, sizeof m->command_line) ||
      get_uint(r, o, "meta", "started_unix_ns", &m->started_unix_ns) ||
      get_text(r, o, "meta", "host", m->host, sizeof m->host) ||
      get_text(r, o, "meta", "compiler", m->compiler, sizeof m->compiler) ||
      get_text(r, o, "meta", "commit", m->commit, sizeof m->commit) ||
      get_int(r, topo, "meta.topology", "pus", &m->n_pus) ||
      get_int(r, topo, "meta.topology", "cores", &m->n_cores) ||
      get_int(r, topo, "meta.topology", "packages", &m->n_packages) ||
      get_int(r, topo, "meta.topology", "numa_nodes", &m->n_numa) ||
      get_seed(r, cfg, "meta.config", "seed", &m->seed) ||
      get_uint_or_null(r, cfg, "meta.config", "budget_runs", &m->budget_runs) ||
      get_uint_or_null(r, cfg, "meta.config", "budget_ns", &m->budget_ns) ||
      /* absent from results written before soaks recorded it: not a soak */
      (json_object_get(cfg, "batch_ns") != NULL &&
       get_uint_or_null(r, cfg, "meta.config", "batch_ns", &m->batch_ns)) ||
      get_uint(r, cfg, "meta.config", "timeout_ns", &m->timeout_ns) ||
      get_int(r, cfg, "meta.config", "jobs", &m->n_jobs) ||
      get_bool(r, cfg, "meta.config", "until_divergence", &m->until_divergence))
    return -1;
  return 0;
}

static int read_samples(reader *r, json_t *o, const char *where, jostle__cell *c) {
  json_t *list = get_array(r, o, where, "samples");
  if (list == NULL) return -1;
  if (json_array_size(list) > JOSTLE__MAX_SAMPLES)
    return r_fail(r, where, "samples", "expected at most %d samples, found %zu",
                  JOSTLE__MAX_SAMPLES, json_array_size(list));
  char sub[128];
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *s = json_array_get(list, i);
    jostle__sample *out = &c->samples[i];
    snprintf(sub, sizeof sub, "%s.samples[%zu]", where, i);
    if (!json_is_object(s)) return r_fail(r, sub, NULL, "expected an object");
    if (get_uint(r, s, sub, "elapsed_ns", &out->elapsed_ns) ||
        get_uint(r, s, sub, "runs", &out->n_runs) ||
        get_uint(r, s, sub, "divergent", &out->n_divergent))
      return -1;
    c->n_samples = i + 1;
  }
  return 0;
}

static int read_outcomes(reader *r, json_t *o, const char *where, jostle__cell *c) {
  json_t *list = get_array(r, o, where, "outcomes");
  if (list == NULL) return -1;
  size_t n = json_array_size(list);
  if (n == 0) return 0;
  c->outcomes = calloc(n, sizeof *c->outcomes);
  if (c->outcomes == NULL) return r_fail(r, where, "outcomes", "out of memory");
  c->n_outcomes = n;
  c->cap_outcomes = n;
  char sub[128];
  for (size_t i = 0; i < n; i++) {
    json_t *j = json_array_get(list, i);
    jostle__outcome *out = &c->outcomes[i];
    snprintf(sub, sizeof sub, "%s.outcomes[%zu]", where, i);
    if (!json_is_object(j)) return r_fail(r, sub, NULL, "expected an object");
    if (get_class(r, j, sub, "class", &out->cls) ||
        get_text(r, j, sub, "text", out->text, sizeof out->text) ||
        get_uint(r, j, sub, "count", &out->count) ||
        get_uint(r, j, sub, "first_run", &out->first_run) ||
        get_seed(r, j, sub, "first_seed", &out->first_seed) ||
        (json_object_get(j, "detail") != NULL &&
         get_text(r, j, sub, "detail", out->detail, sizeof out->detail)) ||
        (json_object_get(j, "output") != NULL &&
         get_text(r, j, sub, "output", out->output, sizeof out->output)) ||
        (json_object_get(j, "race_report") != NULL &&
         get_text(r, j, sub, "race_report", out->race_report, sizeof out->race_report)) ||
        (json_object_get(j, "check_divergent") != NULL &&
         get_uint(r, j, sub, "check_divergent", &out->n_check_divergent)))
      return -1;
    if (out->n_check_divergent > out->count)
      return r_fail(r, sub, "check_divergent", "expected at most count (%" PRIu64 "), found %" PRIu64,
                    out->count, out->n_check_divergent);
  }
  return 0;
}

/* Reads cells[index] into c, which is zeroed; on failure c may own a
 * command and outcomes already, for jostle__cell_free. */
static int read_cell(reader *r, json_t *o, size_t index, jostle__cell *c) {
  char where[96];
  snprintf(where, sizeof where, "cells[%zu]", index);
  if (!json_is_object(o)) return r_fail(r, where, NULL, "expected an object");
  if (get_text(r, o, where, "scenario", c->scenario, sizeof c->scenario) ||
      get_bool(r, o, where, "racy", &c->racy) ||
      get_text(r, o, where, "scheduler", c->scheduler, sizeof c->scheduler) ||
      get_text(r, o, where, "placement", c->placement, sizeof c->placement) ||
      get_text(r, o, where, "params", c->params, sizeof c->params) ||
      get_command(r, o, where, c) ||
      get_seed(r, o, where, "campaign_seed", &c->campaign_seed) ||
      get_bool(r, o, where, "fixed_seed", &c->fixed_seed) ||
      get_bool(r, o, where, "controlled", &c->controlled) ||
      get_uint(r, o, where, "runs", &c->n_runs) ||
      get_uint(r, o, where, "divergent", &c->n_divergent) ||
      get_uint(r, o, where, "elapsed_ns", &c->elapsed_ns) ||
      get_bool(r, o, where, "interrupted", &c->interrupted) ||
      get_uint_or_null(r, o, where, "first_divergence_ns", &c->first_divergence_ns))
    return -1;
  if (c->n_divergent > c->n_runs)
    return r_fail(r, where, "divergent", "expected at most runs (%" PRIu64 "), found %" PRIu64,
                  c->n_runs, c->n_divergent);
  /* What the hint said to try is the writer's to say: the program that
   * reads the file may run fewer schedulers, and must print the same. */
  const char *program = json_string_value(json_object_get(o, "program"));
  if (program != NULL && strlen(program) >= sizeof c->program)
    return r_fail(r, where, "program", "expected at most %zu bytes", sizeof c->program - 1);
  if (program != NULL) snprintf(c->program, sizeof c->program, "%s", program);
  const char *hint = json_string_value(json_object_get(o, "hint"));
  const char *try = hint ? strstr(hint, ": try ") : NULL;
  if (try != NULL) snprintf(c->racy_try, sizeof c->racy_try, "%s", try + 6);
  return read_members(r, o, where, c) || read_samples(r, o, where, c) ||
                 read_outcomes(r, o, where, c)
             ? -1
             : 0;
}

/* The cells of the campaign meta m describes: each stopped at its first
 * divergent run when the campaign did (the file says it once, in meta). */
static int read_cells(reader *r, json_t *root, const jostle__report_meta *m,
                      jostle__cell **cells, size_t *n) {
  json_t *list = get_array(r, root, "", "cells");
  if (list == NULL) return -1;
  jostle__cell *out = NULL;
  size_t count = 0, cap = 0;
  int rc = 0;
  /* Grown as cells are read, so memory follows what the file holds and
   * not what its array's length claims. */
  for (size_t i = 0; i < json_array_size(list) && rc == 0; i++) {
    if (count == cap) {
      size_t grown_cap = cap ? 2 * cap : 4;
      jostle__cell *grown = realloc(out, grown_cap * sizeof *grown);
      if (grown == NULL) {
        rc = r_fail(r, "", "cells", "out of memory");
        break;
      }
      out = grown;
      cap = grown_cap;
    }
    jostle__cell *c = &out[count++];
    memset(c, 0, sizeof *c);
    rc = read_cell(r, json_array_get(list, i), i, c);
    c->until_divergence = m->until_divergence;
  }
  if (rc != 0) {
    for (size_t i = 0; i < count; i++) jostle__cell_free(&out[i]);
    free(out);
    return -1;
  }
  *cells = out;
  *n = count;
  return 0;
}

/* The file parsed, or NULL (err set) when it cannot be. */
static json_t *load(reader *r) {
  FILE *f = fopen(r->path, "rb");
  if (f == NULL) {
    snprintf(r->err, r->errsize, "%s: cannot open: %s", r->path, strerror(errno));
    return NULL;
  }
  struct stat st;
  json_t *root = NULL;
  if (fstat(fileno(f), &st) != 0) {
    snprintf(r->err, r->errsize, "%s: cannot read: %s", r->path, strerror(errno));
  } else if (S_ISDIR(st.st_mode)) {
    snprintf(r->err, r->errsize, "%s: is a directory, expected a JSON results file",
             r->path);
  } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
    snprintf(r->err, r->errsize, "%s: empty file, expected JSON results", r->path);
  } else {
    json_error_t e;
    root = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
    if (root == NULL)
      snprintf(r->err, r->errsize, "%s: not valid JSON: line %d column %d: %s", r->path,
               e.line, e.column, e.text);
    else if (!json_is_object(root)) {
      snprintf(r->err, r->errsize, "%s: expected a JSON object at the top level", r->path);
      json_decref(root);
      root = NULL;
    }
  }
  fclose(f);
  return root;
}

int jostle__json_read(const char *path, jostle__report_meta *m, jostle__cell **cells,
                      size_t *n, char *err, size_t errsize) {
  reader r = {.path = path, .err = err, .errsize = errsize};
  *cells = NULL;
  *n = 0;
  json_t *root = load(&r);
  if (root == NULL) {
    jostle__one_line(err);
    return -1;
  }
  jostle__report_meta meta;
  memset(&meta, 0, sizeof meta);
  int rc = 0;
  json_t *format = json_object_get(root, "format");
  json_t *version = json_object_get(root, "version");
  if (!json_is_string(format) || strcmp(json_string_value(format), FORMAT_NAME) != 0)
    rc = r_fail(&r, "", "format", "expected \"%s\" (not a jostle results file)",
                FORMAT_NAME);
  else if (!json_is_integer(version))
    rc = r_fail(&r, "", "version", "expected an integer");
  else if (json_integer_value(version) < 1 || json_integer_value(version) > JOSTLE__JSON_VERSION)
    rc = r_fail(&r, "", "version", "expected 1 to %d, found %" JSON_INTEGER_FORMAT
                " (written by another version of jostle)", JOSTLE__JSON_VERSION,
                json_integer_value(version));
  else if (read_meta(&r, root, &meta) != 0 || read_cells(&r, root, &meta, cells, n) != 0)
    rc = -1;
  json_decref(root);
  if (rc != 0) {
    jostle__one_line(err);
    return -1;
  }
  *m = meta;
  return 0;
}

const jostle__report_format jostle__format_json = {
    .name = "json",
    .soak_file = "results.json",
    .help = "the results as JSON (docs/JSON.md), for `jostle report`\nand `jostle merge`",
    .write = jostle__json_write,
    .read = jostle__json_read,
};
