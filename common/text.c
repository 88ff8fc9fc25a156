/*
 * text.c: one-line messages and UTF-8 (see text.h).
 */
#include "common/text.h"

#include <stdlib.h>
#include <string.h>

void jostle__one_line(char *msg) {
  for (; *msg != '\0'; msg++)
    if ((unsigned char)*msg < 0x20 || *msg == 0x7f) *msg = ' ';
}

static int cont(unsigned char b) { return (b & 0xc0) == 0x80; }

size_t jostle__utf8_len(const char *s) {
  const unsigned char *u = (const unsigned char *)s;
  if (u[0] < 0x80) return 1;
  if (u[0] >= 0xc2 && u[0] <= 0xdf) return cont(u[1]) ? 2 : 0;
  if (u[0] >= 0xe0 && u[0] <= 0xef) {
    /* E0 needs A0..BF after it (no overlong form), ED 80..9F (no surrogate) */
    unsigned char lo = u[0] == 0xe0 ? 0xa0 : 0x80, hi = u[0] == 0xed ? 0x9f : 0xbf;
    return u[1] >= lo && u[1] <= hi && cont(u[2]) ? 3 : 0;
  }
  if (u[0] >= 0xf0 && u[0] <= 0xf4) {
    /* F0 needs 90..BF (no overlong form), F4 80..8F (up to U+10FFFF) */
    unsigned char lo = u[0] == 0xf0 ? 0x90 : 0x80, hi = u[0] == 0xf4 ? 0x8f : 0xbf;
    return u[1] >= lo && u[1] <= hi && cont(u[2]) && cont(u[3]) ? 4 : 0;
  }
  return 0;
}

void jostle__utf8_clean(char *s) {
  while (*s != '\0') {
    size_t len = jostle__utf8_len(s);
    if (len == 0) *s++ = '?';
    else s += len;
  }
}

void jostle__utf8_cut(char *s) {
  size_t n = strlen(s);
  for (size_t back = 1; back <= 4 && back <= n; back++) {
    unsigned char c = (unsigned char)s[n - back];
    if ((c & 0xc0) == 0x80) continue; /* a continuation byte: its lead is further back */
    size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (want > back) s[n - back] = '\0';
    return;
  }
}

/* A word the shell reads back as itself needs no quotes. */
static int shell_plain(const char *word) {
  if (*word == '\0') return 0;
  for (; *word != '\0'; word++)
    if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
               "_-+=.,/:@%", *word) == NULL)
      return 0;
  return 1;
}

char *jostle__shell_join(int argc, char *const *argv) {
  size_t len = 1;
  for (int i = 0; i < argc; i++) len += 3 + 4 * strlen(argv[i]);
  char *line = malloc(len);
  if (line == NULL) return NULL;
  char *p = line;
  *p = '\0';
  for (int i = 0; i < argc; i++) {
    if (i > 0) *p++ = ' ';
    if (shell_plain(argv[i])) {
      p = stpcpy(p, argv[i]);
      continue;
    }
    *p++ = '\'';
    for (const char *c = argv[i]; *c != '\0'; c++) {
      if (*c == '\'') p = stpcpy(p, "'\\''");  /* end quote, \', quote again */
      else *p++ = *c;
    }
    *p++ = '\'';
    *p = '\0';
  }
  return line;
}
