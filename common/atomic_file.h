/*
 * atomic_file.h: private to jostle. Files written whole or not at all:
 * report files, schedule files and the soak journal's header are all
 * written this way, under one durability rule.
 *
 * The contents are kept in memory, then written to a temporary file
 * beside PATH, which is flushed to disk (fsync), closed and renamed over
 * PATH; then PATH's folder is
 * flushed, so that the rename itself survives a power loss. rename() is
 * atomic: whoever opens PATH sees the old file or the whole new one.
 *
 * The temporary file is PATH.tmp, created exclusively (O_EXCL). When that
 * name is taken, by another writer of PATH or by one that was killed
 * half-way, it is PATH.tmp.PID.N instead: two writers never share a
 * temporary file, and in the usual case messages name PATH.tmp.
 */
#ifndef JOSTLE_ATOMIC_FILE_H
#define JOSTLE_ATOMIC_FILE_H

#include <stdio.h>
#include <sys/types.h>

/* What failed. */
typedef enum jostle__atomic_step {
  JOSTLE__ATOMIC_CREATE,  /* creating the temporary file */
  JOSTLE__ATOMIC_WRITE,   /* writing it, or flushing it to disk */
  JOSTLE__ATOMIC_CLOSE,   /* closing it */
  JOSTLE__ATOMIC_RENAME   /* renaming it to PATH */
} jostle__atomic_step;

/* A file being written. */
typedef struct jostle__atomic_file {
  FILE *f;                    /* write the contents here; NULL once closed */
  const char *path;           /* the caller's; must outlive the file */
  char *tmp_path;             /* owned: the temporary file's name, NULL when
                                 there was no memory for it */
  int done;                   /* the temporary file is gone: renamed to
                                 PATH, removed, or never created */
  jostle__atomic_step failed; /* after a failure, the step that failed */
  int error;                  /* and its errno */
  /* inside: f writes to memory, which commit writes to the file at once */
  int fd;
  char *text;
  size_t len;
} jostle__atomic_file;

/* Creates the temporary file of PATH, with permissions `mode` less the
 * umask, and opens a->f on it. Returns 0, or -1 with a->failed
 * (JOSTLE__ATOMIC_CREATE) and a->error set; a->tmp_path then names the
 * file it could not create, or is NULL (error ENOMEM). Either way the
 * caller ends with jostle__atomic_close. */
int jostle__atomic_open(jostle__atomic_file *a, const char *path, mode_t mode);

/* Flushes a->f and the temporary file to disk, closes it, renames it to
 * PATH and flushes PATH's folder (best effort: a file system that cannot
 * flush a folder does not fail the write). Returns 0, or -1 with a->failed
 * and a->error set (the kernel's reason: ENOSPC for a full disk) and the
 * temporary file removed. */
int jostle__atomic_commit(jostle__atomic_file *a);

/* Ends a file opened by jostle__atomic_open, committed or not: closes and
 * removes the temporary file unless it was renamed, and frees tmp_path. */
void jostle__atomic_close(jostle__atomic_file *a);

#endif
