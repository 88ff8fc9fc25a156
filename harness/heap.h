/*
 * heap.h: private to jostle. The deterministic heap of a served program
 * (program mode, harness/program.h).
 *
 * A program built with jostle-cc has its calls to malloc & co. renamed to
 * the jostle__prog_* functions below. Once jostle__heap_start has run they
 * allocate from an arena jostle reserved, whose state at jostle__heap_mark
 * every run starts from again (jostle__heap_reset): the same sequence of
 * calls after a reset returns the same addresses and the same contents,
 * so that a bug whose effect depends on addresses (a use after free, an
 * overflow into a neighbour) replays from its seed. Before
 * jostle__heap_start every entry point is libc's.
 *
 * Pointers the arena does not own (from libc's asprintf, realpath, ...,
 * or allocated before the start) may be passed to jostle__prog_free and
 * jostle__prog_realloc: they go to libc. The jostle__prog_* functions are
 * thread-safe; start, mark and reset are called by jostle while no thread
 * of the program allocates.
 */
#ifndef JOSTLE_HEAP_H
#define JOSTLE_HEAP_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The arena's size is the largest of 64 GiB, 32 GiB, ... 1 GiB that could
 * be reserved (reserved, not committed: MAP_NORESERVE). */
#define JOSTLE__HEAP_MAX_SIZE ((size_t)64 << 30)
#define JOSTLE__HEAP_MIN_SIZE ((size_t)1 << 30)
/* What a reset leaves resident above the mark, at most; the rest of what
 * the run touched is given back to the kernel. */
#define JOSTLE__HEAP_KEEP ((size_t)64 << 20)

/* Reserves the arena; from then on the jostle__prog_* functions allocate
 * from it. Returns 0 (also when already started), or -1 when nothing
 * could be reserved: they keep passing to libc. */
int jostle__heap_start(void);

/* Records the arena's state (the blocks allocated so far, say by the
 * program's constructors, their contents, which are free) as the one
 * every run starts from. Exits with status 3 when out of memory for the
 * copy. No-op before jostle__heap_start. */
void jostle__heap_mark(void);

/* Back to the mark: the marked blocks' contents restored, everything
 * allocated since forgotten, memory above the mark zero again as on the
 * first run (what a run touched beyond JOSTLE__HEAP_KEEP above the mark
 * given back to the kernel, so resident memory stays bounded over millions
 * of runs). Every pointer into the arena handed out since the mark is
 * dangling. No-op before jostle__heap_mark. */
void jostle__heap_reset(void);

/* Whether p is inside the arena (whether jostle__prog_free takes it). */
int jostle__heap_owns(const void *p);

/* The program's entry points, with libc's (glibc's) contracts. Blocks are
 * aligned to 16 (max_align_t); the aligned variants take any power of two
 * (EINVAL otherwise; memalign, as glibc's, rounds other alignments up).
 * realloc(p, 0) frees p and returns NULL. Out of arena: NULL with errno
 * ENOMEM. A block's memory is the program's until it is freed or the heap
 * reset; pointers the arena does not own go to libc (see above). */
void *jostle__prog_malloc(size_t n);
void *jostle__prog_calloc(size_t n, size_t size);
void *jostle__prog_realloc(void *p, size_t n);
void *jostle__prog_reallocarray(void *p, size_t n, size_t size);
void jostle__prog_free(void *p);
int jostle__prog_posix_memalign(void **out, size_t align, size_t n);
void *jostle__prog_aligned_alloc(size_t align, size_t n);
void *jostle__prog_memalign(size_t align, size_t n);
void *jostle__prog_valloc(size_t n);
void *jostle__prog_pvalloc(size_t n);
size_t jostle__prog_malloc_usable_size(void *p);
char *jostle__prog_strdup(const char *s);
char *jostle__prog_strndup(const char *s, size_t n);
/* Like libc's, but *line is grown with jostle__prog_realloc (a NULL *line
 * gets a block of the arena): libc's would hand an arena block to libc's
 * realloc. */
ssize_t jostle__prog_getline(char **line, size_t *cap, FILE *f);
ssize_t jostle__prog_getdelim(char **line, size_t *cap, int delim, FILE *f);

#endif
