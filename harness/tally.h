/*
 * tally.h: private to jostle. A worker's histogram of outcomes.
 *
 * A tally lives in memory shared with the campaign's parent, so that the
 * counts of a worker that crashes are not lost. Exactly one process writes
 * it at a time: its worker, or the next worker of its slot once that one is
 * gone; the parent reads it after.
 *
 * Which outcomes a campaign lists must not depend on which worker ran which
 * runs, nor in what order. A tally lists at most n_kept outcomes by their
 * text: the first in content order (jostle__outcome_cmp, a hash of the text
 * that is the same in every process), evicting the last listed one when an
 * outcome that comes before it arrives; the runs of every other outcome are
 * counted per class as "other", and the content hashes of the outcomes
 * folded there are kept, up to n_folded_max of them, to count them. An
 * outcome among the first n_kept of a whole campaign is among the first of
 * every worker that saw it, so it was never folded and its count is exact:
 * jostle__tally_collect lists exactly those.
 *
 * Recording a run must cost little next to a run of a microsecond, so the
 * run's observations are looked up as they are (name pointers, values,
 * reason pointer), hashed without formatting, in an index from keys to
 * listed outcomes; the outcome text is formatted, judged and placed in the
 * order only when a key is new to the index. The index remembers keys
 * folded into other too, so their runs cost no formatting either, until it
 * fills and forgets them. Keys hold pointers, which are the same in every
 * worker forked from one parent; the index is the recording process's own
 * cache, which a process taking over a tally rebuilds (jostle__tally_adopt).
 */
#ifndef JOSTLE_TALLY_H
#define JOSTLE_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "harness/run.h"
#include "reports/result.h"

/* A run's observations as the scenario handed them over. */
typedef struct jostle__tally_key {
  int verdict;                  /* the run was abandoned: keyed by its text */
  int n_obs;
  int obs_overflow;
  const char *reason;
  const char *obs_names[JOSTLE_MAX_OBSERVATIONS];
  long long obs_values[JOSTLE_MAX_OBSERVATIONS];
} jostle__tally_key;

/* A listed outcome. */
typedef struct jostle__tally_entry {
  uint64_t order;               /* jostle__outcome_order(text) */
  uint64_t count;
  uint64_t first_run;
  uint32_t generation;          /* changes when another outcome takes the entry */
  jostle__class cls;
  jostle__tally_key key;        /* a key with this text, to rebuild the index */
  char text[JOSTLE__TEXT_MAX];
  char output[JOSTLE__OUTPUT_MAX]; /* what first_run wrote (jostle__tally_output) */
  /* A race's runs are checked too (jostle__outcome.n_check_divergent and
   * its detail): those the check judged divergent, and what it said of
   * first_run. */
  uint64_t n_check_divergent;
  char check[JOSTLE__DETAIL_MAX];
  /* A race's full report of first_run, and the steps of its two accesses
   * (jostle__outcome.race_report, race_steps). */
  char race_report[JOSTLE__RACE_REPORT_MAX];
  uint64_t race_steps[2];
} jostle__tally_entry;

/* A slot of the index. */
typedef struct jostle__tally_slot {
  uint64_t hash;                /* of the key; 0: the slot is empty */
  int32_t entry;                /* the listed outcome; -1: folded into other */
  uint32_t generation;          /* the entry's when the slot was made: once the
                                   entry is another outcome's, the key is folded */
  jostle__class cls;
  jostle__tally_key key;
} jostle__tally_slot;

typedef struct jostle__tally {
  uint32_t n_kept_max;          /* outcomes it lists at most */
  uint32_t n_kept;              /* listed: entries [0, n_kept) */
  int32_t last;                 /* when n_kept_max are listed, the last in order */
  uint32_t index_capacity;      /* slots, a power of two */
  uint32_t n_index;             /* slots used */
  uint32_t folded_capacity;     /* marks, a power of two */
  uint32_t n_folded_max;        /* distinct folded outcomes it counts at most */
  uint32_t n_folded;
  int folded_overflow;          /* more than n_folded_max: not all counted */
  int32_t recorded;             /* the entry the last run went to; -1: folded */
  /* Runs of the outcomes not listed, per class. */
  uint64_t other_count[JOSTLE__N_CLASSES];
  uint64_t other_first_run[JOSTLE__N_CLASSES];
  /* Then n_kept_max entries, index_capacity slots and folded_capacity
   * marks (uint64_t, 0: none) of the folded outcomes' content and class. */
} jostle__tally;

/* Bytes a tally listing `n_kept` outcomes at most takes. */
size_t jostle__tally_size(uint32_t n_kept);

/* Initialises zeroed memory of jostle__tally_size(n_kept) bytes. */
void jostle__tally_init(jostle__tally *t, uint32_t n_kept);

/* Rebuilds the index: called by a process that takes over a tally another
 * process recorded in (and that may have died in the middle of it). */
void jostle__tally_adopt(jostle__tally *t);

/* Counts run `run`, whose observations are in r; returns its class. */
jostle__class jostle__tally_record(jostle__tally *t, const jostle_run *r,
                                   uint64_t run);

/* The output of run `run`, just recorded: kept when the run is its
 * outcome's first (jostle__outcome.output). */
void jostle__tally_output(jostle__tally *t, uint64_t run, const char *bytes, size_t n);

/* The entry run `run`, just recorded, went to when it is that entry's
 * first run, else NULL: where its race's report goes. */
jostle__tally_entry *jostle__tally_first(jostle__tally *t, uint64_t run);

/* The listed outcomes: n_kept of them. */
const jostle__tally_entry *jostle__tally_entries(const jostle__tally *t);

/* Adds to `out` (which may hold outcomes already: the parent's crashes and
 * hangs) the outcomes of the n tallies of one campaign, each listing the
 * same number at most: lists the first of them all in content order, that
 * many, with their exact counts, and counts the rest in a line per class
 * that says how many distinct outcomes it holds, when the tallies could
 * count them all. First seeds are those of plan p. Returns 0, or -1 when
 * out of memory. */
int jostle__tally_collect(jostle__tally *const *tallies, int n, const jostle__plan *p,
                          jostle__cell *out);

/* Formats r's outcome text ("a=1 b=2 (reason)") into buf. */
void jostle__outcome_text(const jostle_run *r, char *buf, size_t size);

#endif
