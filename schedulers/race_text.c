/*
 * race_text.c: a race as an outcome's text, naming its byte and its two
 * accesses as traces name them (trace_names.h): "race on s->counter: write
 * at scenarios/counter.c:51 (plain_thread) vs read at scenarios/counter.c:51
 * (plain_thread)". The same race reads the same whichever access came
 * first, which threads made them or which of its bytes was touched first,
 * so that it is one row of a histogram: a write is named before a read,
 * two of a kind in the order of their texts; the data is named from the
 * first access's code, with array indexes and offsets left out
 * (s->items[].key, state), and not at all when it has no name (the heap). Naming costs a debug-information lookup, so texts are kept for the
 * races a process has named (only the thread holding the baton calls).
 */
#include <stdio.h>
#include <string.h>

#include "common/seed.h"
#include "common/text.h"
#include "schedulers/races.h"
#include "schedulers/trace_names.h"

#define KEPT 32

static struct {
  uint64_t key;
  char text[JOSTLE__VERDICT_MAX];
} kept[KEPT];

static uint64_t key_of(const jostle__control *c, const jostle__race *race) {
  const jostle__race_access *a = &race->earlier, *b = &race->later;
  uint64_t k = jostle__mix((uint64_t)(uintptr_t)race->addr, (uint64_t)(uintptr_t)c->run_state);
  k = jostle__mix(k, (uint64_t)(uintptr_t)a->site.pc ^ (uint64_t)(a->wrote | a->atomic << 1));
  k = jostle__mix(k, (uint64_t)(uintptr_t)b->site.pc ^ (uint64_t)(b->wrote | b->atomic << 1));
  return k ? k : 1;
}

/* name, made the same for every byte of the object: "[3]" becomes "[]",
 * "state+0x10" "state", and a bare address nothing. */
static void generalise(char *name) {
  if (strncmp(name, "0x", 2) == 0) {
    name[0] = '\0';
    return;
  }
  char *plus = strstr(name, "+0x");
  if (plus != NULL) *plus = '\0';
  char *out = name;
  for (const char *in = name; *in; in++) {
    *out++ = *in;
    if (*in == '[') {
      const char *end = in + 1;
      while (*end >= '0' && *end <= '9') end++;
      if (*end == ']' && end > in + 1) in = end - 1;
    }
  }
  *out = '\0';
}

static void describe_access(const jostle__race_access *a, char *buf, size_t size) {
  char where[160];
  jostle__trace_name_code(a->site.pc, where, sizeof where);
  snprintf(buf, size, "%s%s at %s", a->atomic ? "atomic " : "", a->wrote ? "write" : "read",
           where);
}

void jostle__race_text(const jostle__control *c, const jostle__race *race, char *buf,
                       size_t size) {
  uint64_t key = key_of(c, race);
  size_t slot = (size_t)(key % KEPT);
  if (kept[slot].key == key) {
    snprintf(buf, size, "%s", kept[slot].text);
    return;
  }
  char name[96], one[200], other[200];
  describe_access(&race->earlier, one, sizeof one);
  describe_access(&race->later, other, sizeof other);
  int swap = race->later.wrote > race->earlier.wrote ||
             (race->later.wrote == race->earlier.wrote && strcmp(other, one) < 0);
  /* named from the first access's code, or the other's when that names it
   * better (a variable in scope where the first has none) */
  jostle__value_type type;
  const void *first = swap ? race->later.site.pc : race->earlier.site.pc;
  const void *second = swap ? race->earlier.site.pc : race->later.site.pc;
  jostle__trace_name_data(c, race->addr, first, name, sizeof name, &type);
  if (strncmp(name, "0x", 2) == 0 || strstr(name, "+0x") != NULL)
    jostle__trace_name_data(c, race->addr, second, name, sizeof name, &type);
  generalise(name);
  snprintf(buf, size, "race%s%s: %s vs %s", name[0] ? " on " : "", name, swap ? other : one,
           swap ? one : other);
  jostle__utf8_cut(buf);
  kept[slot].key = key;
  snprintf(kept[slot].text, sizeof kept[slot].text, "%s", buf);
}
