/*
 * text.h: private to jostle. Text that jostle writes into messages and
 * files: error messages kept to one line, and text checked or made valid
 * UTF-8 (JSON results and the soak journal hold only valid UTF-8).
 */
#ifndef JOSTLE_TEXT_H
#define JOSTLE_TEXT_H

#include <stddef.h>
#include <stdint.h>

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

/* The plural ending of a count's noun: "" for 1, "s" for any other count
 * ("1 run", "0 runs", "2 runs"). Nouns whose plural is not their singular
 * and an s ("1 context switch") choose by n == 1 themselves. */
static inline const char *jostle__s(uint64_t n) { return n == 1 ? "" : "s"; }

#endif
