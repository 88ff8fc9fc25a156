/*
 * fuzz_results.c: fuzz target for JSON results (docs/JSON.md), the files
 * `stress --json` and a soak write and `report` and `merge` read. An input
 * is a file's bytes: they are written to a scratch file in /tmp and read
 * with jostle__json_read, which must be safe on any file.
 *
 * The property:
 *  - refused: nothing is handed back (no cells, a count of 0) and the
 *    reason is one line that starts with the file's name;
 *  - accepted: every cell is within the model's bounds (samples, divergent
 *    runs at most the runs, known outcome classes, texts that end within
 *    their fields and are valid UTF-8); written back with
 *    jostle__json_write, which must succeed, and read again, the metadata
 *    and the cells are the same, field by field.
 * Everything read is freed, so LeakSanitizer finds what the reader leaks.
 * Built with libFuzzer by make fuzz; in make check, tests/corpus_driver.c
 * replays tests/corpus/results/.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "reports/formats.h"
#include "reports/result.h"
#include "tests/fuzz_target.h"

/* ---- the property ----------------------------------------------------------- */

/* Text that ends within its field of `size` bytes and is valid UTF-8. */
static int text_ok(const char *s, size_t size) {
  size_t len = strnlen(s, size);
  if (len == size) return 0;
  for (size_t i = 0, n; i < len; i += n)
    if ((n = jostle__utf8_len(s + i)) == 0) return 0;
  return 1;
}

#define TEXT_OK(obj, f) REQUIRE(text_ok((obj)->f, sizeof (obj)->f), "text " #f " is not valid")

static void check_cell(const jostle__cell *c, size_t index) {
  TEXT_OK(c, scenario);
  TEXT_OK(c, scheduler);
  TEXT_OK(c, placement);
  TEXT_OK(c, params);
  REQUIRE(c->command != NULL && text_ok(c->command, strlen(c->command) + 1),
          "text command is not valid");
  REQUIRE(c->n_divergent <= c->n_runs, "cells[%zu]: %" PRIu64 " of %" PRIu64 " runs divergent",
          index, c->n_divergent, c->n_runs);
  REQUIRE(c->n_samples <= JOSTLE__MAX_SAMPLES, "cells[%zu]: %zu samples", index, c->n_samples);
  REQUIRE((c->n_outcomes == 0) == (c->outcomes == NULL), "cells[%zu]: %zu outcomes at %p", index,
          c->n_outcomes, (void *)c->outcomes);
  int flags[] = {c->racy, c->fixed_seed, c->controlled, c->interrupted};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    REQUIRE(flags[i] == 0 || flags[i] == 1, "cells[%zu]: a boolean read as %d", index, flags[i]);
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    REQUIRE((int)o->cls >= 0 && o->cls < JOSTLE__N_CLASSES, "cells[%zu].outcomes[%zu]: class %d",
            index, i, (int)o->cls);
    TEXT_OK(o, text);
  }
}

#define SAME_TEXT(a, b, f) REQUIRE(strcmp((a)->f, (b)->f) == 0, #f ": \"%s\" became \"%s\"", \
                                   (a)->f, (b)->f)
#define SAME_NUMBER(a, b, f) REQUIRE((a)->f == (b)->f, #f ": %llu became %llu", \
                                     (unsigned long long)(a)->f, (unsigned long long)(b)->f)

static void same_meta(const jostle__report_meta *a, const jostle__report_meta *b) {
  SAME_TEXT(a, b, jostle_version);
  SAME_TEXT(a, b, command_line);
  SAME_NUMBER(a, b, started_unix_ns);
  SAME_TEXT(a, b, host);
  SAME_TEXT(a, b, compiler);
  SAME_TEXT(a, b, commit);
  SAME_NUMBER(a, b, n_pus);
  SAME_NUMBER(a, b, n_cores);
  SAME_NUMBER(a, b, n_packages);
  SAME_NUMBER(a, b, n_numa);
  SAME_NUMBER(a, b, seed);
  SAME_NUMBER(a, b, budget_runs);
  SAME_NUMBER(a, b, budget_ns);
  SAME_NUMBER(a, b, timeout_ns);
  SAME_NUMBER(a, b, n_jobs);
  SAME_NUMBER(a, b, until_divergence);
}

static void same_cell(const jostle__cell *a, const jostle__cell *b) {
  SAME_TEXT(a, b, scenario);
  SAME_NUMBER(a, b, racy);
  SAME_TEXT(a, b, scheduler);
  SAME_TEXT(a, b, placement);
  SAME_TEXT(a, b, params);
  SAME_TEXT(a, b, command);
  SAME_NUMBER(a, b, campaign_seed);
  SAME_NUMBER(a, b, fixed_seed);
  SAME_NUMBER(a, b, controlled);
  SAME_NUMBER(a, b, n_runs);
  SAME_NUMBER(a, b, n_divergent);
  SAME_NUMBER(a, b, elapsed_ns);
  SAME_NUMBER(a, b, interrupted);
  SAME_NUMBER(a, b, first_divergence_ns);
  SAME_NUMBER(a, b, n_samples);
  for (size_t i = 0; i < a->n_samples; i++) {
    SAME_NUMBER(a, b, samples[i].elapsed_ns);
    SAME_NUMBER(a, b, samples[i].n_runs);
    SAME_NUMBER(a, b, samples[i].n_divergent);
  }
  SAME_NUMBER(a, b, n_outcomes);
  for (size_t i = 0; i < a->n_outcomes; i++) {
    SAME_NUMBER(a, b, outcomes[i].cls);
    SAME_TEXT(a, b, outcomes[i].text);
    SAME_NUMBER(a, b, outcomes[i].count);
    SAME_NUMBER(a, b, outcomes[i].first_run);
    SAME_NUMBER(a, b, outcomes[i].first_seed);
  }
}

static void free_cells(jostle__cell *cells, size_t n) {
  for (size_t i = 0; i < n; i++) jostle__cell_free(&cells[i]);
  free(cells);
}

/* The file at path read with jostle__json_read: 0 with what it read, or
 * -1 with the reason in err, after checking the refusal. */
static int read_checked(const char *path, jostle__report_meta *m, jostle__cell **cells,
                        size_t *n, char *err, size_t errsize) {
  static jostle__cell not_a_result;
  *cells = &not_a_result;  /* both must be reset on failure */
  *n = 12345;
  err[0] = '\0';
  if (jostle__json_read(path, m, cells, n, err, errsize) == 0) return 0;
  REQUIRE(*cells == NULL && *n == 0, "refused, yet handed back %zu cells", *n);
  size_t len = strlen(path);
  REQUIRE(strncmp(err, path, len) == 0 && err[len] == ':' && err[len + 1] == ' ' &&
              err[len + 2] != '\0',
          "the reason does not start with the file's name: \"%s\"", err);
  for (const char *p = err; *p; p++)
    REQUIRE((unsigned char)*p >= 0x20 && *p != 0x7f, "the reason is not one line: \"%s\"", err);
  return -1;
}

static void property(const uint8_t *data, size_t size) {
  jostle__report_meta meta, meta_back;
  jostle__cell *cells, *back;
  size_t n, n_back;
  char err[1200];
  fuzz_write_scratch(data, size);
  if (read_checked(fuzz_in_path, &meta, &cells, &n, err, sizeof err) != 0) return;
  TEXT_OK(&meta, jostle_version);
  TEXT_OK(&meta, command_line);
  TEXT_OK(&meta, host);
  TEXT_OK(&meta, compiler);
  TEXT_OK(&meta, commit);
  REQUIRE((n == 0) == (cells == NULL), "%zu cells at %p", n, (void *)cells);
  for (size_t i = 0; i < n; i++) check_cell(&cells[i], i);

  /* What was read is written whole and reads back the same. */
  err[0] = '\0';
  REQUIRE(jostle__json_write(fuzz_back_path, &meta, cells, n, err, sizeof err) == 0,
          "cannot write back what was read: %s", err);
  REQUIRE(read_checked(fuzz_back_path, &meta_back, &back, &n_back, err, sizeof err) == 0,
          "what was written back is refused: %s", err);
  same_meta(&meta, &meta_back);
  REQUIRE(n_back == n, "%zu cells became %zu", n, n_back);
  for (size_t i = 0; i < n; i++) same_cell(&cells[i], &back[i]);
  free_cells(back, n_back);
  free_cells(cells, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_make_scratch("results");
  property(data, size);
  return 0;
}
