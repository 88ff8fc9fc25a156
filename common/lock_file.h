/*
 * lock_file.h: private to jostle. An exclusive lock on a file, held by one
 * process at a time: what keeps a second soak out of a soak's folder.
 *
 * The lock is a POSIX record lock (fcntl F_SETLK) on the whole file, not a
 * flock(): record locks belong to the process, so the workers a soak forks
 * do not hold its lock. A soak killed outright releases it at once, even
 * while its workers are still on their way out (they die of their parent's
 * death, asynchronously: harness/campaign.c), and a resume right after the
 * kill is not refused. The kernel releases the lock whenever the process
 * ends, so a lock is never stale. Record locks are also released when the
 * process closes any descriptor of the file: nothing else in the process
 * may open it.
 */
#ifndef JOSTLE_LOCK_FILE_H
#define JOSTLE_LOCK_FILE_H

#include <sys/types.h>

/* Opens PATH (created, empty, when missing; never written) and locks it
 * without waiting. Returns 0 with *fd the descriptor that holds the lock;
 * 1 when another process holds it, with *holder its pid (0 when the
 * kernel cannot say); or -1 with errno set when PATH cannot be opened or
 * locked. */
int jostle__lock_file(const char *path, int *fd, pid_t *holder);

/* Releases a lock taken by jostle__lock_file and closes fd; fd < 0 is
 * ignored. */
void jostle__unlock_file(int fd);

#endif
