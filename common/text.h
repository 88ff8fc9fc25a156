/*
 * text.h: private to jostle. Text that jostle writes into messages and
 * files: error messages kept to one line, text checked or made valid
 * UTF-8 (JSON results and the soak journal hold only valid UTF-8), and the
 * room a cell's parameters take.
 */
#ifndef JOSTLE_TEXT_H
#define JOSTLE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "jostle.h"

/* Bytes of the longest parameters text, "threads=1024" and " NAME=VALUE"
 * for each of the most parameters a scenario has, of the longest name and
 * value, and its terminating NUL: results and schedule files hold every
 * cell's whole. */
#define JOSTLE__PARAMS_MAX                                                   \
  (sizeof "threads=1024" +                                                   \
   JOSTLE_MAX_PARAMS * (sizeof " =-9223372036854775808" - 1 + JOSTLE_MAX_NAME))
_Static_assert(JOSTLE_MAX_THREADS <= 9999, "threads=N takes at most 4 digits");

/* Replaces control characters in a message with spaces: error messages
 * hold paths and parser output, and must stay on one line. */
void jostle__one_line(char *msg);

/* The length of the valid UTF-8 sequence s starts with (1 to 4), or 0 when
 * s does not start with one (a stray byte, a cut or overlong sequence, a
 * surrogate). s[0] must not be '\0'. */
size_t jostle__utf8_len(const char *s);

/* Replaces, in place, each byte of s that is not part of a valid UTF-8
 * sequence with '?' (what JSON results do with such bytes). */
void jostle__utf8_clean(char *s);

/* Drops the last character of s when it is a multi-byte sequence cut
 * short (s was truncated inside it). */
void jostle__utf8_cut(char *s);

/* The plural ending of a count's noun: "" for 1, "s" for any other count
 * ("1 run", "0 runs", "2 runs"). Nouns whose plural is not their singular
 * and an s ("1 context switch") choose by n == 1 themselves. */
/* argv's argc words joined with spaces as the shell reads them back, each
 * word that needs it in single quotes: malloc'd, NULL when out of memory. */
char *jostle__shell_join(int argc, char *const *argv);

static inline const char *jostle__s(uint64_t n) { return n == 1 ? "" : "s"; }

#endif
