/*
 * atomic_file.c: files written whole or not at all (see atomic_file.h).
 */
#include "common/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TRIES 100 /* names tried after PATH.tmp before giving up */

/* Numbers the fallback names of this process: two threads writing the
 * same PATH never try the same one. */
static _Atomic unsigned n_fallbacks;

/* Creates a->tmp_path exclusively, PATH.tmp first. Returns the open file
 * descriptor, or -1 with errno set. */
static int create_tmp(jostle__atomic_file *a, mode_t mode) {
  size_t size = strlen(a->path) + sizeof ".tmp.18446744073709551615.4294967295";
  a->tmp_path = malloc(size);
  if (a->tmp_path == NULL) {
    errno = ENOMEM;
    return -1;
  }
  snprintf(a->tmp_path, size, "%s.tmp", a->path);
  for (int i = 0;; i++) {
    int fd = open(a->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0 || errno != EEXIST || i == MAX_TRIES) return fd;
    snprintf(a->tmp_path, size, "%s.tmp.%lu.%u", a->path, (unsigned long)getpid(),
             atomic_fetch_add_explicit(&n_fallbacks, 1, memory_order_relaxed));
  }
}

int jostle__atomic_open(jostle__atomic_file *a, const char *path, mode_t mode) {
  a->f = NULL;
  a->path = path;
  a->done = 0;
  a->text = NULL;
  a->len = 0;
  a->fd = create_tmp(a, mode);
  if (a->fd >= 0) {
    a->f = open_memstream(&a->text, &a->len);
    if (a->f != NULL) return 0;
    int saved = errno;
    close(a->fd);
    unlink(a->tmp_path);
    errno = saved;
  }
  a->fd = -1;
  a->done = 1;  /* tmp_path, if any, is not ours to remove */
  a->failed = JOSTLE__ATOMIC_CREATE;
  a->error = errno;
  return -1;
}

/* Writes all of text to fd; 0, or -1 with errno set. */
static int write_all(int fd, const char *text, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, text, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    text += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Flushes the folder that holds path to disk: the rename into it. */
static void sync_folder(const char *path) {
  const char *slash = strrchr(path, '/');
  char *dir = slash == NULL ? strdup(".")
                            : strndup(path, slash == path ? 1 : (size_t)(slash - path));
  if (dir == NULL) return;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  free(dir);
}

int jostle__atomic_commit(jostle__atomic_file *a) {
  /* The contents are in memory until here, so the kernel's refusal (a
   * full disk, a size limit) comes from one write() with its errno, and
   * fsync catches one it only reports when the data reaches the disk. */
  jostle__atomic_step step = JOSTLE__ATOMIC_WRITE;
  int failed = fclose(a->f) != 0;  /* the memory stream: out of memory */
  int saved = failed ? errno : 0;
  a->f = NULL;
  if (!failed && (write_all(a->fd, a->text, a->len) != 0 || fsync(a->fd) != 0)) {
    failed = 1;
    saved = errno;
  }
  if (close(a->fd) != 0 && !failed) {
    failed = 1;
    saved = errno;
    step = JOSTLE__ATOMIC_CLOSE;
  }
  a->fd = -1;
  if (!failed && rename(a->tmp_path, a->path) != 0) {
    failed = 1;
    saved = errno;
    step = JOSTLE__ATOMIC_RENAME;
  }
  if (failed) {
    a->failed = step;
    a->error = saved;
    unlink(a->tmp_path);
    a->done = 1;
    return -1;
  }
  a->done = 1;
  sync_folder(a->path);
  return 0;
}

void jostle__atomic_close(jostle__atomic_file *a) {
  if (a->f != NULL) {
    fclose(a->f);
    a->f = NULL;
  }
  if (a->fd >= 0) {
    close(a->fd);
    a->fd = -1;
  }
  if (!a->done) unlink(a->tmp_path);
  free(a->tmp_path);
  a->tmp_path = NULL;
  free(a->text);
  a->text = NULL;
}
