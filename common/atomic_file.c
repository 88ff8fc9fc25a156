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
  int fd = create_tmp(a, mode);
  if (fd >= 0) {
    a->f = fdopen(fd, "w");
    if (a->f != NULL) return 0;
    int saved = errno;
    close(fd);
    unlink(a->tmp_path);
    errno = saved;
  }
  a->done = 1;  /* tmp_path, if any, is not ours to remove */
  a->failed = JOSTLE__ATOMIC_CREATE;
  a->error = errno;
  return -1;
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
  /* ferror catches a failed write, fflush and fsync one that the kernel
   * only refuses when the data leaves the buffer (a full disk). */
  errno = 0;
  int failed = ferror(a->f) || fflush(a->f) != 0 || fsync(fileno(a->f)) != 0;
  int saved = errno;
  jostle__atomic_step step = JOSTLE__ATOMIC_WRITE;
  if (fclose(a->f) != 0 && !failed) {
    failed = 1;
    saved = errno;
    step = JOSTLE__ATOMIC_CLOSE;
  }
  a->f = NULL;
  if (!failed && rename(a->tmp_path, a->path) != 0) {
    failed = 1;
    saved = errno;
    step = JOSTLE__ATOMIC_RENAME;
  }
  if (failed) {
    a->failed = step;
    a->error = saved ? saved : EIO;  /* a write that failed earlier left no errno */
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
  if (!a->done) unlink(a->tmp_path);
  free(a->tmp_path);
  a->tmp_path = NULL;
}
