/*
 * program_stdin.c: a program's standard input, the same for every run
 * (program_stdin.h).
 */
#include "harness/program_stdin.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/hash.h"

#define STDIN_MAX (64u << 20)  /* the most input a pipe may give */
#define QUIET_MS 2000          /* a pipe this long silent is named on stderr */

/* Whether the runs' input is a file each run reads again from 0. */
static int rewinds;

static const char *to_dev_null(void) {
  int fd = open("/dev/null", O_RDONLY);
  if (fd < 0) return "cannot open /dev/null for the program's standard input";
  if (fd != STDIN_FILENO) {
    int moved = dup2(fd, STDIN_FILENO);
    close(fd);
    if (moved < 0) return "cannot give the program /dev/null for its standard input";
  }
  return NULL;
}

/* Gives the program the copy in `mem` (size bytes, FNV hash `hash`) from
 * a file named by its contents in $TMPDIR (else /tmp), which a reproduce
 * line can name: the same input is one file, written once. 0, or -1 with
 * errno and the file's name in `path`. */
static int to_kept_file(int mem, size_t size, uint64_t hash, char *path, size_t path_size) {
  const char *dir = getenv("TMPDIR");
  if (dir == NULL || dir[0] != '/') dir = "/tmp";
  if ((size_t)snprintf(path, path_size, "%s/jostle-input-%016" PRIx64, dir, hash) >= path_size) {
    errno = ENAMETOOLONG;
    return -1;
  }
  struct stat st;
  /* another user's file of that name is written over, which fails in a
   * sticky folder such as /tmp: the memory file serves then */
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
      (size_t)st.st_size != size) {
    jostle__atomic_file a;
    int failed = jostle__atomic_open(&a, path, 0644);
    char buf[64 * 1024];
    for (size_t at = 0; failed == 0 && at < size;) {
      ssize_t got = pread(mem, buf, sizeof buf, (off_t)at);
      if (got <= 0 || fwrite(buf, 1, (size_t)got, a.f) != (size_t)got) failed = -1;
      at += got > 0 ? (size_t)got : 0;
    }
    int error = failed ? (a.error ? a.error : EIO) : 0;
    if (failed == 0 && jostle__atomic_commit(&a) != 0) failed = -1, error = a.error;
    jostle__atomic_close(&a);
    if (failed) {
      errno = error;
      return -1;
    }
  }
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  int moved = dup2(fd, STDIN_FILENO);
  int error = errno;
  close(fd);
  errno = error;
  return moved < 0 ? -1 : 0;
}

/* Copies standard input to its end into a sealed memory file, then gives
 * the program a kept file of it, or that memory file where no file can be
 * written (saying so: reproduce lines will not name the input). */
static const char *to_memory(void) {
  static char why[160];
  int mem = memfd_create("jostle-stdin", MFD_ALLOW_SEALING);
  if (mem < 0) return "cannot make a memory file for the program's standard input";
  char buf[64 * 1024];
  size_t total = 0;
  uint64_t hash = JOSTLE__FNV_OFFSET;
  int said = 0;
  for (;;) {
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    int ready = poll(&p, 1, said ? -1 : QUIET_MS);
    if (ready == 0) {
      fprintf(stderr, "jostle: waiting for the end of standard input, which every run of the "
                      "program reads whole (< /dev/null gives it none)\n");
      said = 1;
      continue;
    }
    if (ready < 0 && errno == EINTR) continue;
    ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
    if (got == 0) break;
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      snprintf(why, sizeof why, "cannot read standard input: %s", strerror(errno));
      close(mem);
      return why;
    }
    total += (size_t)got;
    for (ssize_t i = 0; i < got; i++) hash = jostle__fnv1a_step(hash, (unsigned char)buf[i]);
    if (total > STDIN_MAX) {
      close(mem);
      return "standard input is longer than 64 MiB: give the program its input in a file "
             "(< FILE)";
    }
    for (ssize_t at = 0; at < got;) {
      ssize_t put = write(mem, buf + at, (size_t)(got - at));
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) {
        close(mem);
        return "no room for a copy of standard input";
      }
      at += put;
    }
  }
  char path[4096];
  if (to_kept_file(mem, total, hash, path, sizeof path) == 0) {
    close(mem);
    return NULL;
  }
  fprintf(stderr, "jostle: cannot keep standard input in %s (%s): reproduce lines will not "
                  "name it\n", path, strerror(errno));
  int sealed = fcntl(mem, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  int moved = sealed == 0 && lseek(mem, 0, SEEK_SET) == 0 ? dup2(mem, STDIN_FILENO) : -1;
  close(mem);
  return moved < 0 ? "cannot give the program its copy of standard input" : NULL;
}

const char *jostle__program_stdin_take(void) {
  struct stat st;
  if (fstat(STDIN_FILENO, &st) != 0 || isatty(STDIN_FILENO)) return to_dev_null();
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return to_memory();
  if (S_ISREG(st.st_mode) && lseek(STDIN_FILENO, 0, SEEK_CUR) != 0) return to_memory();
  return NULL;
}

void jostle__program_stdin_own(void) {
  struct stat st;
  rewinds = fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);
  if (!rewinds) return;
  /* a description of its own: the offset of another worker's run is not ours */
  int fd = open("/proc/self/fd/0", O_RDONLY);
  if (fd < 0) return;
  if (fd != STDIN_FILENO) {
    dup2(fd, STDIN_FILENO);
    close(fd);
  }
}

void jostle__program_stdin_rewind(void) {
  if (!rewinds) return;
  lseek(STDIN_FILENO, 0, SEEK_SET);
  __fpurge(stdin);
  clearerr(stdin);
}

void jostle__program_stdin_file(char *buf, size_t size) {
  buf[0] = '\0';
  struct stat st;
  if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode)) return;
  ssize_t n = readlink("/proc/self/fd/0", buf, size - 1);
  if (n <= 0 || buf[0] != '/' || (size_t)n == size - 1) n = 0;
  buf[n] = '\0';
  /* a memory file's name is no file a shell can open */
  if (strstr(buf, " (deleted)") != NULL) buf[0] = '\0';
}
