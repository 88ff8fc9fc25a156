/*
 * fuzz_schedule.c: fuzz target for schedule files (schedulers/schedule.h),
 * the files `jostle replay --save-schedule` writes and `--schedule` reads.
 * An input is a file's bytes: they are written to a scratch file in /tmp
 * and loaded with jostle__schedule_load.
 *
 * A mutated file almost never keeps a valid checksum, which would leave
 * everything past the checksum test unexplored; so when the input's last
 * line is a `checksum` line, the input is also loaded with that line
 * recomputed, as an editor of the file who knows the format would.
 *
 * The property:
 *  - refused: the reason is set, on one line, and names the file;
 *  - accepted: params start with threads=N (1..JOSTLE_MAX_THREADS), every
 *    decision is below N, there are at most JOSTLE__SCHEDULE_MAX, every
 *    field is printable text within its size; saving it with
 *    jostle__schedule_save and loading that gives the same decisions and
 *    fields.
 * Nothing may crash, leak or read out of bounds. Built with libFuzzer by
 * make fuzz; in make check, tests/corpus_driver.c replays
 * tests/corpus/schedule/.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "jostle.h"
#include "schedulers/schedule.h"
#include "tests/fuzz_target.h"

/* ---- the property ----------------------------------------------------------- */

#define FIELDS(X) X(scenario) X(params) X(origin) X(outcome) X(verdict)

/* Text within a field of `size` bytes, with no control character. */
static int field_ok(const char *s, size_t size) {
  size_t len = strnlen(s, size);
  if (len == size) return 0;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
  return 1;
}

/* A refusal: one line of text that names the file. */
static void check_refusal(const char *err, size_t size, const char *path) {
  REQUIRE(err[0] != '\0', "refused without a reason");
  REQUIRE(field_ok(err, size), "the reason is not one line of text: \"%s\"", err);
  REQUIRE(strstr(err, path) != NULL, "the reason does not name %s: \"%s\"", path, err);
}

/* N of a params text that starts with threads=N, or 0. */
static uint64_t threads_of(const char *params) {
  if (strncmp(params, "threads=", 8) != 0) return 0;
  char *end;
  unsigned long long n = strtoull(params + 8, &end, 10);
  return params[8] >= '0' && params[8] <= '9' ? n : 0;
}

static void check_accepted(const jostle__schedule *s, const jostle__schedule_info *info) {
#define CHECK_FIELD(f) REQUIRE(field_ok(info->f, sizeof info->f), "field " #f " is not one line");
  FIELDS(CHECK_FIELD)
#undef CHECK_FIELD
  uint64_t threads = threads_of(info->params);
  REQUIRE(threads >= 1 && threads <= JOSTLE_MAX_THREADS, "params \"%s\"", info->params);
  REQUIRE(s->n <= JOSTLE__SCHEDULE_MAX && s->n <= s->cap && !s->overflow,
          "%" PRIu64 " decisions, room for %" PRIu64 ", overflow %d", s->n, s->cap, s->overflow);
  for (uint64_t i = 0; i < s->n; i++)
    REQUIRE(s->d[i] < JOSTLE_MAX_THREADS, "decision %" PRIu64 " names thread %u", i, s->d[i]);

  /* Saved and loaded again, it is the same schedule. */
  char err[1024] = "";
  REQUIRE(jostle__schedule_save(fuzz_back_path, info, s, err, sizeof err) == 0,
          "cannot save what was loaded: %s", err);
  jostle__schedule_info back;
  memset(&back, 0, sizeof back);
  jostle__schedule *again = jostle__schedule_load(fuzz_back_path, &back, err, sizeof err);
  REQUIRE(again != NULL, "what was saved does not load: %s", err);
  REQUIRE(again->n == s->n && memcmp(again->d, s->d, s->n * sizeof *s->d) == 0,
          "saved and loaded, the decisions differ");
#define SAME_FIELD(f) REQUIRE(strcmp(back.f, info->f) == 0, "saved and loaded, " #f " differs");
  FIELDS(SAME_FIELD)
#undef SAME_FIELD
  free(again);
}

/* Loads size bytes as a schedule file and checks what comes back. */
static void property(const char *data, size_t size) {
  jostle__schedule_info info;
  char err[1024] = "";
  memset(&info, 0, sizeof info);
  fuzz_write_scratch(data, size);
  jostle__schedule *s = jostle__schedule_load(fuzz_in_path, &info, err, sizeof err);
  if (s == NULL) {
    check_refusal(err, sizeof err, fuzz_in_path);
    return;
  }
  check_accepted(s, &info);
  free(s);
}

/* The input with its last line, a `checksum` line, recomputed: a new
 * allocation of *size bytes, or NULL when the last line is not one. */
static char *with_checksum(const char *data, size_t *size) {
  size_t end = *size, start;
  if (end > 0 && data[end - 1] == '\n') end--;
  for (start = end; start > 0 && data[start - 1] != '\n'; start--) {}
  if (end - start < 9 || memcmp(data + start, "checksum ", 9) != 0) return NULL;
  char line[40];
  int len = snprintf(line, sizeof line, "checksum 0x%016" PRIx64 "\n",
                     jostle__fnv1a(data, start));
  char *fixed = malloc(start + (size_t)len);
  REQUIRE(fixed != NULL, "out of memory");
  memcpy(fixed, data, start);
  memcpy(fixed + start, line, (size_t)len);
  *size = start + (size_t)len;
  return fixed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_make_scratch("schedule");
  property((const char *)data, size);
  size_t fixed_size = size;
  char *fixed = with_checksum((const char *)data, &fixed_size);
  if (fixed != NULL && (fixed_size != size || memcmp(fixed, data, size) != 0))
    property(fixed, fixed_size);
  free(fixed);
  return 0;
}
