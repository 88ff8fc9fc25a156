/*
 * environment.c: the environment a campaign runs in, probed for the
 * metadata of its report files (jostle__environment_collect): jostle's
 * version, the command line, the start time, the host, the compiler, the
 * source commit and the machine's topology (the one placement loads, read
 * once). Reports only format what is found here.
 */
#include "harness/environment.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jostle.h"
#include "schedulers/placement.h"


#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "unknown"
#endif

/* Copies src into dst; when it does not fit, keeps what fits of it up to a
 * character boundary and ends it with "...". */
static void copy_marked(char *dst, size_t size, const char *src) {
  size_t len = strlen(src);
  if (len < size) {
    memcpy(dst, src, len + 1);
    return;
  }
  size_t keep = size - sizeof "...";
  while (keep > 0 && ((unsigned char)src[keep] & 0xc0) == 0x80) keep--;
  memcpy(dst, src, keep);
  memcpy(dst + keep, "...", sizeof "...");
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

/* argv joined with spaces, each word that needs it in single quotes. */
static void join_command(char *dst, size_t size, int argc, char **argv) {
  size_t len = 0;
  for (int i = 0; i < argc; i++) len += 3 + 4 * strlen(argv[i]);
  char *line = malloc(len + 1);
  if (line == NULL) {
    copy_marked(dst, size, "(out of memory)");
    return;
  }
  char *p = line;
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
  }
  *p = '\0';
  copy_marked(dst, size, line);
  free(line);
}

void jostle__environment_collect(jostle__report_meta *m, int argc, char **argv) {
  memset(m, 0, sizeof *m);
  copy_marked(m->jostle_version, sizeof m->jostle_version, JOSTLE_VERSION);
  join_command(m->command_line, sizeof m->command_line, argc, argv);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  m->started_unix_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
  char host[256];
  if (gethostname(host, sizeof host) == 0) {
    host[sizeof host - 1] = '\0';  /* POSIX leaves a cut name unterminated */
    copy_marked(m->host, sizeof m->host, host);
  }
  copy_marked(m->compiler, sizeof m->compiler, COMPILER);
  /* clang's version string ends in a space */
  for (size_t len = strlen(m->compiler); len > 0 && m->compiler[len - 1] == ' ';)
    m->compiler[--len] = '\0';
#ifdef JOSTLE_COMMIT
  const char *commit = JOSTLE_COMMIT;
#else
  const char *commit = getenv("JOSTLE_COMMIT");
  if (commit == NULL || commit[0] == '\0') commit = getenv("GITHUB_SHA");
#endif
  if (commit != NULL) copy_marked(m->commit, sizeof m->commit, commit);
  jostle__topology_counts(&m->n_pus, &m->n_cores, &m->n_packages, &m->n_numa);
}
