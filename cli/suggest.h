/*
 * suggest.h: private to the CLI. "Did you mean": the known name nearest
 * to a word the user typed, when it is near enough to be a typo.
 */
#ifndef JOSTLE_SUGGEST_H
#define JOSTLE_SUGGEST_H

#include <stddef.h>

#include "jostle.h"

typedef struct jostle__suggestion {
  const char *word;     /* what was typed */
  const char *best;     /* the nearest candidate so far, or NULL */
  int distance;         /* its distance */
} jostle__suggestion;

void jostle__suggest_init(jostle__suggestion *s, const char *word);

/* Offers one known name; the nearest, first among equals, is kept. */
void jostle__suggest_offer(jostle__suggestion *s, const char *candidate);

/* "did you mean 'NAME'? " (with `prefix` before NAME, as "--"), or ""
 * when no candidate is near enough: at most one edit for a word of up to
 * four characters, two up to eight, three beyond, where an edit adds,
 * drops, changes or swaps two neighbouring characters, and case does not
 * count. Written into buf, which is returned; made to open a message's
 * parenthesis: "unknown scenario 'countr' (did you mean 'counter'? see
 * 'jostle list')". */
const char *jostle__suggest_hint(const jostle__suggestion *s, const char *prefix, char *buf,
                                 size_t size);

/* The hint for a scenario name, a parameter of s, a scheduler name. */
const char *jostle__suggest_scenario(const char *word, char *buf, size_t size);
const char *jostle__suggest_param(const jostle_scenario *s, const char *word, char *buf,
                                  size_t size);
const char *jostle__suggest_scheduler(const char *word, char *buf, size_t size);

#endif
