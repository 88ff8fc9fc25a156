/*
 * environment.c: the environment a campaign runs in, probed for the
 * metadata of its report files (jostle__environment_collect): jostle's
 * version, the command line, the start time, the host, the compiler, the
 * source commit and the machine's topology (the one placement loads, read
 * once). Reports only format what is found here.
 *
 * The commit, when neither the build nor the environment gives one, is
 * asked of git in the folder jostle runs in (`git rev-parse HEAD`): a
 * campaign run from a checkout then says which code it tested. Without git,
 * outside a repository, or on any answer that is not a commit id, it stays
 * unknown; the probe never fails a campaign.
 */
#include "harness/environment.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jostle.h"
#include "common/text.h"
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

/* argv joined with spaces, each word that needs it in single quotes. */
static void join_command(char *dst, size_t size, int argc, char **argv) {
  char *line = jostle__shell_join(argc, argv);
  copy_marked(dst, size, line ? line : "(out of memory)");
  free(line);
}

extern char **environ;

/* Whether s is a commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex
 * digits. */
static int commit_id(const char *s) {
  size_t len = strspn(s, "0123456789abcdef");
  return s[len] == '\0' && (len == 40 || len == 64);
}

/* `git rev-parse HEAD` in the current folder, into commit (at least 72
 * bytes): 0, or -1 with commit "" when git is missing, fails or says
 * anything but a commit id. Its stderr (not a repository, ...) is
 * nobody's business: it goes to /dev/null, as stdin comes from it. */
static int git_head(char *commit, size_t size) {
  commit[0] = '\0';
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  char *argv[] = {"git", "rev-parse", "HEAD", NULL};
  pid_t pid;
  int spawned = posix_spawnp(&pid, "git", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  char buf[128];
  size_t len = 0;
  ssize_t got;
  while (spawned == 0 && len < sizeof buf - 1 &&
         (got = read(out[0], buf + len, sizeof buf - 1 - len)) != 0) {
    if (got > 0) len += (size_t)got;
    else if (errno != EINTR) break;
  }
  close(out[0]);
  int status = -1;
  while (spawned == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  buf[len] = '\0';
  if (len > 0 && buf[len - 1] == '\n') buf[--len] = '\0';
  if (spawned != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !commit_id(buf) ||
      len >= size)
    return -1;
  memcpy(commit, buf, len + 1);
  return 0;
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
  if (commit != NULL && commit[0] != '\0') copy_marked(m->commit, sizeof m->commit, commit);
  else (void)git_head(m->commit, sizeof m->commit);
  jostle__topology_counts(&m->n_pus, &m->n_cores, &m->n_packages, &m->n_numa);
}
