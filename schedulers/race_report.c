/*
 * race_report.c: a race's full report, as Go's race detector prints its
 * WARNING: DATA RACE block (see jostle__race_report in races.h). The data
 * is named as the code that made the later access names it (the exact
 * byte's member and index, not race_text.c's generalised name), each
 * access by its thread, operation, size and the step the trace numbers it
 * with, then its stack: the access's own line, and each call site that led
 * there, innermost first (calls.h). Made once per distinct race of a
 * worker, for the outcome's first run: its names cost debug-information
 * lookups.
 */
#include <stdio.h>
#include <string.h>

#include "common/text.h"
#include "schedulers/calls.h"
#include "schedulers/races.h"
#include "schedulers/trace_names.h"

/* Frames shown per stack: the innermost, where the cause is. */
#define FRAMES 8

static size_t put(char *buf, size_t size, size_t len, const char *text) {
  if (len >= size) return len;
  return len + (size_t)snprintf(buf + len, size - len, "%s", text);
}

static const char *operation(const jostle__race_access *a) {
  if (a->atomic) return a->wrote ? "atomic write" : "atomic read";
  return a->wrote ? "write" : "read";
}

static size_t describe(const jostle__calls *calls, const jostle__race_access *a,
                       const char *which, char *buf, size_t size, size_t len) {
  char line[200], step[48] = " (its own stack: no step)";
  if (a->site.step != 0)
    snprintf(step, sizeof step, " at step %llu", (unsigned long long)a->site.step);
  snprintf(line, sizeof line, "%s%s of %u byte%s by thread %d%s:\n", which, operation(a),
           a->width, a->width == 1 ? "" : "s", a->thread, step);
  len = put(buf, size, len, line);
  const void *frames[FRAMES];
  frames[0] = a->site.pc;
  int n = 1 + (calls ? jostle__calls_sites(calls, a->site.stack, frames + 1, FRAMES - 1) : 0);
  for (int i = 0; i < n; i++) {
    char where[160];
    jostle__trace_name_code(frames[i], where, sizeof where);
    snprintf(line, sizeof line, "  %s\n", where);
    len = put(buf, size, len, line);
  }
  return len;
}

void jostle__race_report(const jostle__control *c, const jostle__calls *calls,
                         const jostle__race *race, char *buf, size_t size) {
  char name[96];
  jostle__value_type type;
  jostle__trace_name_data(c, race->addr, race->later.site.pc, name, sizeof name, &type);
  /* the other access's code may name it where this one's has no name */
  if (strncmp(name, "0x", 2) == 0 || strstr(name, "+0x") != NULL)
    jostle__trace_name_data(c, race->addr, race->earlier.site.pc, name, sizeof name, &type);
  size_t len = (size_t)snprintf(buf, size, "WARNING: DATA RACE on %s\n", name);
  len = describe(calls, &race->later, "", buf, size, len);
  len = describe(calls, &race->earlier, "previous ", buf, size, len);
  if (len >= size) jostle__utf8_cut(buf);
}
