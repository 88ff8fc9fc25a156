/*
 * tally.h: private to jostle. A worker's histogram of outcomes.
 *
 * A fixed-capacity open-addressing table that lives in memory shared with
 * the campaign's parent, so that the counts of a worker that crashes are
 * not lost. Exactly one process writes it at a time: its worker, or the
 * parent once that worker is gone; the parent reads it after.
 *
 * Recording a run must cost little next to a run of a microsecond, so the
 * key is the run's observations as they are (name pointers, values, reason
 * pointer), hashed without formatting; the outcome text is formatted, and
 * judged, only when a key is seen for the first time.
 */
#ifndef JOSTLE_TALLY_H
#define JOSTLE_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "harness/run.h"
#include "reports/result.h"

typedef struct jostle__tally_entry {
  uint64_t hash;                /* 0: the entry is empty */
  uint64_t count;
  uint64_t first_run;
  jostle__class cls;
  int verdict;                  /* the run was abandoned: keyed by text */
  int n_obs;
  int obs_overflow;
  const char *reason;
  const char *obs_names[JOSTLE_MAX_OBSERVATIONS];
  long long obs_values[JOSTLE_MAX_OBSERVATIONS];
  char text[JOSTLE__TEXT_MAX];
} jostle__tally_entry;

typedef struct jostle__tally {
  uint32_t capacity;            /* entries, a power of two */
  uint32_t n_used;
  /* Runs whose outcome found the table full, per class. */
  uint64_t other_count[JOSTLE__N_CLASSES];
  uint64_t other_first_run[JOSTLE__N_CLASSES];
  jostle__tally_entry entries[];
} jostle__tally;

/* Bytes a tally of `capacity` entries takes. */
size_t jostle__tally_size(uint32_t capacity);

/* Initialises zeroed memory of jostle__tally_size(capacity) bytes. */
void jostle__tally_init(jostle__tally *t, uint32_t capacity);

/* Counts run `run`, whose observations are in r; returns its class. */
jostle__class jostle__tally_record(jostle__tally *t, const jostle_run *r,
                                   uint64_t run);

/* Formats r's outcome text ("a=1 b=2 (reason)") into buf. */
void jostle__outcome_text(const jostle_run *r, char *buf, size_t size);

#endif
