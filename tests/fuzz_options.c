/*
 * fuzz_options.c: fuzz target for the value parsers of the command line
 * (cli/options.h): counts, durations, seeds, integers, probabilities,
 * noise mixes, shards and -D defines. One input is one option value: its
 * bytes up to the first NUL (argv words cannot hold one), at most
 * MAX_TEXT of them, and every parser gets it.
 *
 * The property, for each parser: it accepts exactly the texts of its
 * grammar (checked against a small independent reading of that grammar,
 * below), what it accepts lies in its range, the canonical rendering of the
 * value parses back to the same value, and a refused text leaves the
 * output untouched. Built with libFuzzer by make fuzz; in make check,
 * tests/corpus_driver.c replays tests/corpus/options/.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "tests/fuzz_target.h"

#define MAX_TEXT 256
/* What a parser leaves in an output it was told not to touch. */
#define UNTOUCHED 0x5a5a5a5a5a5a5a5aULL

/* ---- the grammars, read independently of options.c -------------------- */

static int digit(char c) { return c >= '0' && c <= '9'; }

static int hex_value(char c) {
  if (digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads one or more digits of base 10 or 16 at *p, advancing it; 0 with
 * the value, -1 when there is no digit or the value passes 2^64-1. */
static int number(const char **p, int base, uint64_t *out) {
  uint64_t v = 0;
  const char *s = *p;
  int d;
  for (; (d = base == 16 ? hex_value(*s) : digit(*s) ? *s - '0' : -1) >= 0; s++)
    if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
        __builtin_add_overflow(v, (uint64_t)d, &v))
      return -1;
  if (s == *p) return -1;
  *p = s;
  *out = v;
  return 0;
}

/* DIGITS [k K M G]: a positive count that fits in 64 bits. */
static int grammar_count(const char *t, uint64_t *out) {
  uint64_t v, mult = 1;
  if (number(&t, 10, &v) != 0) return -1;
  if (*t == 'k' || *t == 'K') mult = 1000;
  else if (*t == 'M') mult = 1000000;
  else if (*t == 'G') mult = 1000000000;
  if (mult != 1) t++;
  if (*t != '\0' || v == 0 || __builtin_mul_overflow(v, mult, out)) return -1;
  return 0;
}

/* (DIGITS UNIT)+ with UNIT one of ms s m h d: a positive total in ns. */
static int grammar_duration(const char *t, uint64_t *out) {
  uint64_t total = 0;
  if (*t == '\0') return -1;
  while (*t != '\0') {
    uint64_t v, unit, part;
    if (number(&t, 10, &v) != 0) return -1;
    if (t[0] == 'm' && t[1] == 's') unit = 1000000ULL, t += 2;
    else if (t[0] == 's') unit = 1000000000ULL, t++;
    else if (t[0] == 'm') unit = 60000000000ULL, t++;
    else if (t[0] == 'h') unit = 3600000000000ULL, t++;
    else if (t[0] == 'd') unit = 86400000000000ULL, t++;
    else return -1;
    if (__builtin_mul_overflow(v, unit, &part) || __builtin_add_overflow(total, part, &total))
      return -1;
  }
  if (total == 0) return -1;
  *out = total;
  return 0;
}

/* DIGITS, or 0x / 0X and hex digits, within 64 bits. */
static int grammar_seed(const char *t, uint64_t *out) {
  int hex = t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
  if (hex) t += 2;
  if (number(&t, hex ? 16 : 10, out) != 0 || *t != '\0') return -1;
  return 0;
}

/* [-] DIGITS within lo .. hi. */
static int grammar_int(const char *t, long long lo, long long hi, long long *out) {
  int neg = *t == '-';
  uint64_t mag;
  t += neg;
  if (number(&t, 10, &mag) != 0 || *t != '\0') return -1;
  if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) return -1;
  long long v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(long long)mag)
                    : (long long)mag;
  if (v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

/* DIGITS : DIGITS : DIGITS, each at most 1000000, not all 0. */
static int grammar_mix(const char *t, unsigned w[3]) {
  for (int i = 0; i < 3; i++) {
    uint64_t v;
    if (number(&t, 10, &v) != 0 || v > 1000000) return -1;
    w[i] = (unsigned)v;
    if (*t != (i < 2 ? ':' : '\0')) return -1;
    t++;
  }
  return w[0] + w[1] + w[2] == 0 ? -1 : 0;
}

/* DIGITS / DIGITS with index < count. */
static int grammar_shard(const char *t, uint64_t *index, uint64_t *count) {
  if (number(&t, 10, index) != 0 || *t++ != '/' || number(&t, 10, count) != 0 ||
      *t != '\0' || *index >= *count)
    return -1;
  return 0;
}

/* KEY=INTEGER with KEY of [a-z0-9_-]+ and a 64-bit integer. */
static int grammar_define(const char *t, long long *value) {
  size_t key = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_-");
  if (key == 0 || t[key] != '=') return -1;
  return grammar_int(t + key + 1, INT64_MIN, INT64_MAX, value);
}

/* ---- the properties ------------------------------------------------------ */

static void check_count(const char *t) {
  uint64_t v = UNTOUCHED, want;
  int rc = jostle__parse_count(t, &v), want_rc = grammar_count(t, &want);
  REQUIRE(rc == want_rc, "parse_count returned %d, the grammar says %d", rc, want_rc);
  if (rc != 0) {
    REQUIRE(v == UNTOUCHED, "a refused count wrote %llu", (unsigned long long)v);
    return;
  }
  REQUIRE(v == want && v > 0, "count %llu, expected %llu", (unsigned long long)v,
          (unsigned long long)want);
  char canon[32];
  uint64_t back;
  snprintf(canon, sizeof canon, "%llu", (unsigned long long)v);
  REQUIRE(jostle__parse_count(canon, &back) == 0 && back == v, "'%s' does not parse back",
          canon);
}

/* "1d2h3m4s5ms": the largest units first, zero parts left out. */
static void render_duration(uint64_t ns, char *buf, size_t size) {
  static const struct { const char *unit; uint64_t ns; } units[] = {
      {"d", 86400000000000ULL}, {"h", 3600000000000ULL}, {"m", 60000000000ULL},
      {"s", 1000000000ULL},     {"ms", 1000000ULL},
  };
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    uint64_t n = ns / units[i].ns;
    ns %= units[i].ns;
    if (n > 0 && len < size)
      len += (size_t)snprintf(buf + len, size - len, "%llu%s", (unsigned long long)n,
                              units[i].unit);
  }
}

static void check_duration(const char *t) {
  uint64_t ns = UNTOUCHED, want;
  int rc = jostle__parse_duration(t, &ns), want_rc = grammar_duration(t, &want);
  REQUIRE(rc == want_rc, "parse_duration returned %d, the grammar says %d", rc, want_rc);
  if (rc != 0) {
    REQUIRE(ns == UNTOUCHED, "a refused duration wrote %llu", (unsigned long long)ns);
    return;
  }
  REQUIRE(ns == want, "duration %llu ns, expected %llu", (unsigned long long)ns,
          (unsigned long long)want);
  /* Every unit is a whole number of milliseconds. */
  REQUIRE(ns > 0 && ns % 1000000ULL == 0, "duration %llu ns", (unsigned long long)ns);
  char canon[128];
  uint64_t back;
  render_duration(ns, canon, sizeof canon);
  REQUIRE(jostle__parse_duration(canon, &back) == 0 && back == ns,
          "'%s' (%llu ns) does not parse back", canon, (unsigned long long)ns);
}

static void check_seed(const char *t) {
  uint64_t v = UNTOUCHED, want;
  int rc = jostle__parse_seed(t, &v), want_rc = grammar_seed(t, &want);
  REQUIRE(rc == want_rc, "parse_seed returned %d, the grammar says %d", rc, want_rc);
  if (rc != 0) {
    REQUIRE(v == UNTOUCHED, "a refused seed wrote %llu", (unsigned long long)v);
    return;
  }
  REQUIRE(v == want, "seed %llu, expected %llu", (unsigned long long)v,
          (unsigned long long)want);
  /* Both the way stress prints seeds and plain decimal read back. */
  char hex[32], dec[32];
  uint64_t back_hex, back_dec;
  snprintf(hex, sizeof hex, "0x%016llx", (unsigned long long)v);
  snprintf(dec, sizeof dec, "%llu", (unsigned long long)v);
  REQUIRE(jostle__parse_seed(hex, &back_hex) == 0 && back_hex == v, "'%s' does not parse back",
          hex);
  REQUIRE(jostle__parse_seed(dec, &back_dec) == 0 && back_dec == v, "'%s' does not parse back",
          dec);
}

static void check_int(const char *t) {
  /* The ranges the CLI uses (--jobs, --depth, -D values) and the widest. */
  static const struct { long long lo, hi; } ranges[] = {
      {1, JOSTLE__MAX_JOBS}, {1, 64}, {-(1LL << 62), 1LL << 62}, {INT64_MIN, INT64_MAX},
  };
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
    long long v = (long long)UNTOUCHED, want;
    int rc = jostle__parse_int(t, ranges[i].lo, ranges[i].hi, &v);
    int want_rc = grammar_int(t, ranges[i].lo, ranges[i].hi, &want);
    REQUIRE(rc == want_rc, "parse_int(%lld..%lld) returned %d, the grammar says %d",
            ranges[i].lo, ranges[i].hi, rc, want_rc);
    if (rc != 0) {
      REQUIRE(v == (long long)UNTOUCHED, "a refused integer wrote %lld", v);
      continue;
    }
    REQUIRE(v == want && v >= ranges[i].lo && v <= ranges[i].hi, "integer %lld, expected %lld",
            v, want);
    char canon[32];
    long long back;
    snprintf(canon, sizeof canon, "%lld", v);
    REQUIRE(jostle__parse_int(canon, ranges[i].lo, ranges[i].hi, &back) == 0 && back == v,
            "'%s' does not parse back", canon);
  }
}

/* strtod's grammar is not restated here: a probability is checked by its
 * range, its first character, and its shortest exact rendering. */
static void check_prob(const char *t) {
  double p = -2.0, back;
  if (jostle__parse_prob(t, &p) != 0) {
    REQUIRE(p == -2.0, "a refused probability wrote %g", p);
    return;
  }
  REQUIRE(p >= 0.0 && p <= 1.0, "probability %.17g", p);
  REQUIRE(digit(t[0]) || (t[0] == '.' && digit(t[1])), "accepted without a leading digit");
  char canon[64];
  snprintf(canon, sizeof canon, "%.17g", p);
  REQUIRE(jostle__parse_prob(canon, &back) == 0 && back == p, "'%s' does not parse back",
          canon);
}

static void check_mix(const char *t) {
  unsigned w[3] = {7, 7, 7}, want[3], back[3];
  int rc = jostle__parse_mix(t, w), want_rc = grammar_mix(t, want);
  REQUIRE(rc == want_rc, "parse_mix returned %d, the grammar says %d", rc, want_rc);
  if (rc != 0) {
    REQUIRE(w[0] == 7 && w[1] == 7 && w[2] == 7, "a refused mix wrote %u:%u:%u", w[0], w[1],
            w[2]);
    return;
  }
  REQUIRE(memcmp(w, want, sizeof w) == 0, "mix %u:%u:%u, expected %u:%u:%u", w[0], w[1], w[2],
          want[0], want[1], want[2]);
  char canon[48];
  snprintf(canon, sizeof canon, "%u:%u:%u", w[0], w[1], w[2]);
  REQUIRE(jostle__parse_mix(canon, back) == 0 && memcmp(back, w, sizeof w) == 0,
          "'%s' does not parse back", canon);
}

static void check_shard(const char *t) {
  uint64_t i = UNTOUCHED, n = UNTOUCHED, want_i, want_n;
  int rc = jostle__parse_shard(t, &i, &n), want_rc = grammar_shard(t, &want_i, &want_n);
  REQUIRE(rc == want_rc, "parse_shard returned %d, the grammar says %d", rc, want_rc);
  if (rc != 0) {
    REQUIRE(i == UNTOUCHED && n == UNTOUCHED, "a refused shard wrote %llu/%llu",
            (unsigned long long)i, (unsigned long long)n);
    return;
  }
  REQUIRE(i == want_i && n == want_n && i < n, "shard %llu/%llu, expected %llu/%llu",
          (unsigned long long)i, (unsigned long long)n, (unsigned long long)want_i,
          (unsigned long long)want_n);
}

static void check_define(const char *t) {
  char text[MAX_TEXT + 1];
  snprintf(text, sizeof text, "%s", t);
  jostle__define d = {.key = NULL, .value = (long long)UNTOUCHED};
  long long want;
  int rc = jostle__parse_define(text, &d), want_rc = grammar_define(t, &want);
  REQUIRE(rc == want_rc, "parse_define returned %d, the grammar says %d", rc, want_rc);
  if (rc != 0) {
    REQUIRE(d.key == NULL && d.value == (long long)UNTOUCHED, "a refused define wrote its output");
    REQUIRE(strcmp(text, t) == 0, "a refused define changed its text to \"%s\"", text);
    return;
  }
  /* The key is the text itself, cut at its '='. */
  size_t key_len = strlen(d.key);
  REQUIRE(d.key == text && key_len > 0 && strchr(d.key, '=') == NULL, "key \"%s\"", d.key);
  REQUIRE(strspn(d.key, "abcdefghijklmnopqrstuvwxyz0123456789_-") == key_len,
          "key \"%s\" has a character outside [a-z0-9_-]", d.key);
  REQUIRE(strncmp(t, d.key, key_len) == 0 && t[key_len] == '=', "key \"%s\" is not the text's",
          d.key);
  REQUIRE(d.value == want, "value %lld, expected %lld", d.value, want);
}

static void property(const char *t) {
  check_count(t);
  check_duration(t);
  check_seed(t);
  check_int(t);
  check_prob(t);
  check_mix(t);
  check_shard(t);
  check_define(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[MAX_TEXT + 1];
  if (size > MAX_TEXT) size = MAX_TEXT;
  memcpy(text, data, size);
  text[size] = '\0';
  fuzz_context = text;
  property(text);
  return 0;
}
