/*
 * capture.c: the scenario's output, captured per run (see capture.h).
 *
 * The file's mapping is zeroed between runs, so the first byte says
 * whether a run wrote anything: one load per run, no system call. Only a
 * run that wrote asks the kernel where its output ends.
 */
#include "harness/capture.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "schedulers/trace.h"

/* A sanitizer runtime's, when one is linked in. */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

int jostle__capture_open(jostle__capture *c) {
  c->fd = -1;
  c->map = NULL;
  int fd = memfd_create("jostle-output", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  void *map = MAP_FAILED;
  if (ftruncate(fd, JOSTLE__CAPTURE_BYTES) != 0 ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0 ||
      (map = mmap(NULL, JOSTLE__CAPTURE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
          MAP_FAILED) {
    close(fd);
    return -1;
  }
  c->fd = fd;
  c->map = map;
  return 0;
}

void jostle__capture_close(jostle__capture *c) {
  if (c->fd < 0) return;
  munmap(c->map, JOSTLE__CAPTURE_BYTES);
  close(c->fd);
  c->fd = -1;
  c->map = NULL;
}

void jostle__capture_attach(const jostle__capture *c) {
  if (c->fd < 0) return;
  int own_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  int own_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (own_out >= 0) jostle__trace_to(own_out);
  if (own_err >= 0 && __sanitizer_set_report_fd != NULL)
    __sanitizer_set_report_fd((void *)(long)own_err);
  fflush(stdout);
  fflush(stderr);
  dup2(c->fd, STDOUT_FILENO);
  dup2(c->fd, STDERR_FILENO);
}

size_t jostle__capture_written(const jostle__capture *c) {
  if (c->fd < 0) return 0;
  off_t end = lseek(c->fd, 0, SEEK_CUR);
  if (end <= 0) return 0;
  return end < JOSTLE__CAPTURE_BYTES ? (size_t)end : JOSTLE__CAPTURE_BYTES;
}

void jostle__capture_last_line(const char *s, size_t n, char *buf, size_t size) {
  n = strnlen(s, n); /* what was written, not the zeros after it */
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) n--;
  size_t start = n;
  while (start > 0 && s[start - 1] != '\n') start--;
  size_t len = n - start;
  if (len >= size) len = size - 1;
  if (len) memcpy(buf, s + start, len);
  buf[len] = '\0';
  for (size_t k = 0; k < len; k++)
    if ((unsigned char)buf[k] < 0x20) buf[k] = ' ';
}

size_t jostle__capture_taken(const jostle__capture *c) {
  if (c->fd < 0) return 0;
  if (__fpending(stdout) > 0) fflush(stdout);
  if (__fpending(stderr) > 0) fflush(stderr);
  return c->map[0] != 0 ? jostle__capture_written(c) : 0;
}

void jostle__capture_restart(const jostle__capture *c, size_t n) {
  if (c->fd < 0) return;
  memset(c->map, 0, n);
  lseek(c->fd, 0, SEEK_SET);
  clearerr(stdout); /* a write past the end failed: the next run may write */
  clearerr(stderr);
}
