/*
 * options.c: defaults and value parsers for the CLI. Every parser accepts
 * the whole text or nothing: "10x", " 5" and "" are errors.
 */
#include "cli/options.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void jostle__opts_default(jostle__opts *o) {
  memset(o, 0, sizeof *o);
  if (getrandom(&o->seed, sizeof o->seed, 0) != (ssize_t)sizeof o->seed)
    o->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
  o->sched = jostle__sched_first(0);
  jostle__sched_cfg_default(&o->sched_cfg, NULL);
  for (int i = 0; jostle__schedulers[i] && i < JOSTLE__MAX_SCHEDULERS; i++) {
    jostle__sched_options_default(jostle__schedulers[i]->options, o->sched_opts[i]);
    if (jostle__schedulers[i]->opts_default)
      jostle__schedulers[i]->opts_default(o->sched_opts[i]);
  }
  o->pin = JOSTLE__PIN_NONE;
  o->timeout_ns = JOSTLE__DEFAULT_TIMEOUT_NS;
  o->progress = -1;
  o->shard_count = 1;
}

/* Digits only, no sign, no space; 0 on success. */
static int parse_digits(const char *text, const char **end, uint64_t *out) {
  if (*text < '0' || *text > '9') return -1;
  uint64_t v = 0;
  for (; *text >= '0' && *text <= '9'; text++) {
    uint64_t d = (uint64_t)(*text - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
  }
  *end = text;
  *out = v;
  return 0;
}

int jostle__parse_count(const char *text, uint64_t *out) {
  const char *end;
  uint64_t v, mult = 1;
  if (parse_digits(text, &end, &v) != 0) return -1;
  if (*end == 'k' || *end == 'K') mult = 1000ULL;
  else if (*end == 'M') mult = 1000000ULL;
  else if (*end == 'G') mult = 1000000000ULL;
  if (mult != 1) end++;
  if (*end != '\0' || v == 0 || v > UINT64_MAX / mult) return -1;
  *out = v * mult;
  return 0;
}

int jostle__parse_duration(const char *text, uint64_t *ns) {
  static const struct { const char *unit; uint64_t ns; } units[] = {
      {"ms", 1000000ULL},       {"s", 1000000000ULL},
      {"m", 60000000000ULL},    {"h", 3600000000000ULL},
      {"d", 86400000000000ULL},
  };
  uint64_t total = 0;
  const char *p = text;
  if (*p == '\0') return -1;
  while (*p != '\0') {
    uint64_t v;
    const char *end;
    if (parse_digits(p, &end, &v) != 0) return -1;
    size_t i, n = sizeof units / sizeof units[0];
    for (i = 0; i < n; i++) {
      size_t len = strlen(units[i].unit);
      /* "m" must not take the "m" of "ms" */
      if (strncmp(end, units[i].unit, len) == 0 &&
          !(len == 1 && end[0] == 'm' && end[1] == 's'))
        break;
    }
    if (i == n) return -1;
    if (v > (UINT64_MAX - total) / units[i].ns) return -1;
    total += v * units[i].ns;
    p = end + strlen(units[i].unit);
  }
  if (total == 0) return -1;
  *ns = total;
  return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int jostle__parse_seed(const char *text, uint64_t *out) {
  int hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char *digits = hex ? text + 2 : text;
  /* strtoull would skip white space, take a sign and (base 16) a second
   * 0x: only digits may follow */
  for (const char *d = digits; *d; d++)
    if (!(hex ? isxdigit((unsigned char)*d) : is_digit(*d))) return -1;
  if (*digits == '\0') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
  if (errno != 0 || *end != '\0') return -1;
  *out = v;
  return 0;
}

int jostle__parse_int(const char *text, long long lo, long long hi, long long *out) {
  if (!(is_digit(text[0]) || (text[0] == '-' && is_digit(text[1])))) return -1;
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int jostle__parse_prob(const char *text, double *out) {
  if (!(is_digit(text[0]) || (text[0] == '.' && is_digit(text[1])))) return -1;
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno != 0 || *end != '\0' || !(v >= 0.0 && v <= 1.0)) return -1;
  *out = v;
  return 0;
}

int jostle__parse_mix(const char *text, unsigned weights[3]) {
  unsigned w[3];
  const char *p = text;
  for (int i = 0; i < 3; i++) {
    uint64_t v;
    const char *end;
    if (parse_digits(p, &end, &v) != 0 || v > 1000000) return -1;
    w[i] = (unsigned)v;
    if (i < 2 && *end != ':') return -1;
    p = end + (i < 2);
    if (i == 2 && *end != '\0') return -1;
  }
  if (w[0] + w[1] + w[2] == 0) return -1;
  memcpy(weights, w, sizeof w);
  return 0;
}

int jostle__parse_shard(const char *text, uint64_t *index, uint64_t *count) {
  const char *end;
  uint64_t i, n;
  if (parse_digits(text, &end, &i) != 0 || *end != '/') return -1;
  if (parse_digits(end + 1, &end, &n) != 0 || *end != '\0' || n == 0 || i >= n) return -1;
  *index = i;
  *count = n;
  return 0;
}

int jostle__parse_define(char *text, jostle__define *out) {
  char *eq = strchr(text, '=');
  if (eq == NULL || eq == text) return -1;
  for (char *k = text; k < eq; k++)
    if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
      return -1;
  long long v;
  /* any value a parameter may declare: its own range is checked when planned */
  if (jostle__parse_int(eq + 1, LLONG_MIN, LLONG_MAX, &v) != 0) return -1;
  *eq = '\0';
  out->key = text;
  out->value = v;
  return 0;
}
