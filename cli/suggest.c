/*
 * suggest.c: "did you mean" (see suggest.h).
 *
 * The distance is the optimal string alignment distance (Levenshtein's
 * with transpositions), computed over three rows; names are short.
 */
#include "cli/suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "harness/run.h"

#define MAX_LEN 64 /* longer words are not suggested for */

static int min3(int a, int b, int c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }

static int distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > MAX_LEN || m > MAX_LEN) return MAX_LEN;
  int rows[3][MAX_LEN + 1];
  int *before = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= m; j++) prev[j] = (int)j;
  for (size_t i = 1; i <= n; i++) {
    cur[0] = (int)i;
    for (size_t j = 1; j <= m; j++) {
      int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
      cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + !same);
      if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
          tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
          before[j - 2] + 1 < cur[j])
        cur[j] = before[j - 2] + 1;
    }
    int *t = before;
    before = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}

void jostle__suggest_init(jostle__suggestion *s, const char *word) {
  s->word = word;
  s->best = NULL;
  s->distance = MAX_LEN;
}

void jostle__suggest_offer(jostle__suggestion *s, const char *candidate) {
  int d = distance(s->word, candidate);
  if (d < s->distance) {
    s->best = candidate;
    s->distance = d;
  }
}

const char *jostle__suggest_hint(const jostle__suggestion *s, const char *prefix, char *buf,
                                 size_t size) {
  size_t len = strlen(s->word);
  int near = len <= 4 ? 1 : len <= 8 ? 2 : 3;
  buf[0] = '\0';
  if (s->best != NULL && s->distance <= near)
    snprintf(buf, size, "did you mean '%s%s'? ", prefix, s->best);
  return buf;
}

const char *jostle__suggest_scenario(const char *word, char *buf, size_t size) {
  jostle__suggestion near;
  jostle__suggest_init(&near, word);
  for (int i = 0; i < jostle__n_scenarios(); i++)
    jostle__suggest_offer(&near, jostle__scenario_at(i)->name);
  return jostle__suggest_hint(&near, "", buf, size);
}

const char *jostle__suggest_param(const jostle_scenario *s, const char *word, char *buf,
                                  size_t size) {
  jostle__suggestion near;
  jostle__suggest_init(&near, word);
  jostle__suggest_offer(&near, "threads");
  for (const jostle_param_def *p = s->params; p && p->name; p++)
    jostle__suggest_offer(&near, p->name);
  return jostle__suggest_hint(&near, "", buf, size);
}

const char *jostle__suggest_scheduler(const char *word, char *buf, size_t size) {
  jostle__suggestion near;
  jostle__suggest_init(&near, word);
  for (int i = 0; jostle__schedulers[i]; i++) jostle__suggest_offer(&near, jostle__schedulers[i]->name);
  return jostle__suggest_hint(&near, "", buf, size);
}
