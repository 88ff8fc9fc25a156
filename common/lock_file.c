/*
 * lock_file.c: an exclusive lock on a file, held by one process (see
 * lock_file.h).
 */
#include "common/lock_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Times a lock that was refused, and then found free, is tried again: its
 * holder ended between the two calls. */
#define MAX_TRIES 3

int jostle__lock_file(const char *path, int *fd, pid_t *holder) {
  int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (f < 0) return -1;
  *holder = 0;
  for (int i = 0; i < MAX_TRIES; i++) {
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(f, F_SETLK, &lock) == 0) {
      *fd = f;
      return 0;
    }
    if (errno != EAGAIN && errno != EACCES) {
      int saved = errno;
      close(f);
      errno = saved;
      return -1;
    }
    struct flock held = lock;
    if (fcntl(f, F_GETLK, &held) == 0 && held.l_type == F_UNLCK) continue;
    if (held.l_type != F_UNLCK && held.l_pid > 0) *holder = held.l_pid;
    break;
  }
  close(f);
  return 1;
}

void jostle__unlock_file(int fd) {
  if (fd >= 0) close(fd);  /* closing releases the process's locks on the file */
}
