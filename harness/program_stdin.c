/*
 * program_stdin.c: a program's standard input, the same for every run
 * (program_stdin.h).
 */
#include "harness/program_stdin.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Copies standard input to its end into a sealed memory file, which then
 * takes its place. */
static const char *to_memory(void) {
  static char why[160];
  int mem = memfd_create("jostle-stdin", MFD_ALLOW_SEALING);
  if (mem < 0) return "cannot make a memory file for the program's standard input";
  char buf[64 * 1024];
  size_t total = 0;
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
