/*
 * heap.c: the deterministic heap of a served program (heap.h).
 *
 * Design. Blocks come in size classes, 16 to 128 by 16, then four per
 * doubling (160, 192, 224, 256, 320, ...): at most 25% of a block is
 * waste. Each block is a 16-byte header (its class, its state, and while
 * free the next free block of its class) and then what the program gets,
 * so every block is aligned to 16. A freed block goes on its class's free
 * list, last in first out; a class whose list is empty takes a new block
 * from a bump pointer. An aligned allocation takes a block large enough
 * to hold an aligned address, and writes a second header just below that
 * address saying how far back the block's own header is.
 *
 * Determinism. Nothing depends on anything but the arena's base and the
 * sequence of calls: where a block goes is decided by the bump pointer
 * and the free-list heads alone. Those, which say what is allocated, live
 * here in statics, outside the arena: a run whose program scribbles over
 * headers corrupts that run only, because the mark copies the bytes in
 * use, [base, bump), with the heads and the bump pointer, and a reset
 * copies all of them back. A reset also zeroes what the run used above
 * the mark (or gives it back to the kernel, which zeroes it too), so a
 * new block holds on every run what it held on the first: a program that
 * reads memory it never wrote replays from its seed as well.
 *
 * Threads. One lock, a C11 atomic spun on with jostle__cpu_relax: not a
 * pthread mutex, whose calls are scheduling points of controlled runs,
 * and contention is rare (a controlled run has one thread running at a
 * time). Nothing under the lock blocks or reaches a scheduling point.
 * The lock is held across fork (pthread_atfork), so that a program that
 * forks while another of its threads allocates has a usable heap in its
 * child.
 *
 * The program's heap bugs that the headers reveal (a double free, a free
 * of a pointer that is no block, a list overwritten after a free) end the
 * process with a message, as libc's allocator does: going on would hand
 * out a block twice.
 */
#include "harness/heap.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cpu.h"
#include "harness/program.h"
#include "schedulers/control.h"

#define ALIGN 16                       /* of every block: max_align_t's */
#define N_SMALL 8                      /* classes 16, 32, ..., 128 */
#define N_CLASSES (N_SMALL + 4 * 33)   /* then 4 per doubling, up to 2^40 */
#define MAX_BLOCK ((size_t)1 << 40)
/* The first line that getdelim gives a NULL buffer, as glibc's. */
#define LINE_START 120

/* Header states: magic numbers, so that an overwritten header is seen. */
#define USED 0x55534544u               /* handed out */
#define FREE 0x46524545u               /* on its class's free list */
#define ALIGNED 0x414c474eu            /* the second header of an aligned block */

typedef struct header {
  uint64_t link;   /* FREE: the next free block's offset + 1 (0: none);
                      ALIGNED: how far below this header the block's is */
  uint32_t class_;
  uint32_t state;
} header;

_Static_assert(sizeof(header) == ALIGN, "a header keeps blocks aligned");

static char *base;                     /* the arena, once started */
static size_t arena_size;
static size_t page;
static atomic_int started;             /* base and arena_size are set */
static atomic_int lock;

/* What is allocated: under the lock. Offsets from base. */
static size_t bump;                    /* the first byte no block has used */
static size_t high;                    /* the largest bump since the mark */
static uint64_t heads[N_CLASSES];      /* each class's first free block + 1 */

/* The mark: what a reset restores. */
static int marked;
static size_t mark_bump;
static uint64_t mark_heads[N_CLASSES];
static char *mark_bytes;               /* [base, base + mark_bump), libc's */

static void lock_heap(void) {
  while (atomic_exchange_explicit(&lock, 1, memory_order_acquire))
    while (atomic_load_explicit(&lock, memory_order_relaxed)) jostle__cpu_relax();
}

static void unlock_heap(void) { atomic_store_explicit(&lock, 0, memory_order_release); }

/* Whether the arena serves the program's calls. A program started by
 * jostle gets the arena from its first call, its constructors' included:
 * a block they allocate is then part of the mark, put back with the rest,
 * where a block of libc's, freed by one run, would be freed again by the
 * next, whose data still points to it. */
static _Atomic int decided;

static int on(void) {
  if (atomic_load_explicit(&started, memory_order_acquire)) return 1;
  if (atomic_exchange_explicit(&decided, 1, memory_order_acq_rel)) return 0;
  return getenv(JOSTLE__SERVE_ENV) != NULL && jostle__heap_start() == 0;
}

static size_t class_of(size_t n) {
  if (n <= 16 * N_SMALL) return n == 0 ? 0 : (n - 1) / 16;
  int k = 63 - __builtin_clzll((unsigned long long)(n - 1));  /* 2^k < n <= 2^(k+1) */
  return N_SMALL + 4 * (size_t)(k - 7) + ((n - 1 - ((size_t)1 << k)) >> (k - 2));
}

static size_t class_size(size_t c) {
  if (c < N_SMALL) return 16 * (c + 1);
  size_t k = 7 + (c - N_SMALL) / 4;
  return ((size_t)1 << k) + ((c - N_SMALL) % 4 + 1) * ((size_t)1 << (k - 2));
}

/* The program broke its heap: libc's allocator would abort too. */
static _Noreturn void corrupt(const char *what, const void *p) {
  unlock_heap();
  fprintf(stderr, "jostle: the program's heap: %s (%p)\n", what, p);
  abort();
}

/* Whether a header at offset `at` could be one of the arena's blocks. */
static int plausible(uint64_t at) { return at < bump && at % ALIGN == 0; }

/* Under the lock: a block of class c, or NULL when the arena is full.
 * *reused says whether another owner may have had it in this run. */
static header *take(size_t c, int *reused) {
  header *h;
  if (heads[c] != 0) {
    h = (header *)(base + heads[c] - 1);
    if (h->state != FREE || h->class_ != c || (h->link != 0 && !plausible(h->link - 1)))
      corrupt("a free block was overwritten (a write after free?)", h + 1);
    heads[c] = h->link;
    *reused = 1;
  } else {
    size_t need = sizeof(header) + class_size(c);
    if (need > arena_size - bump) return NULL;
    h = (header *)(base + bump);
    bump += need;
    if (bump > high) high = bump;
    h->class_ = (uint32_t)c;
    *reused = 0;
  }
  h->state = USED;
  h->link = 0;
  return h;
}

/* Under the lock: the header of the block that p, an arena pointer the
 * program got from us, is in. */
static header *block_of(const void *p) {
  uint64_t at = (uint64_t)((const char *)p - base) - sizeof(header);
  if ((uintptr_t)p % ALIGN != 0 || (const char *)p - base < (ptrdiff_t)sizeof(header) ||
      !plausible(at))
    corrupt("not a block", p);
  header *h = (header *)(base + at);
  if (h->state == ALIGNED) {
    if (h->link > at || !plausible(at - h->link)) corrupt("not a block", p);
    h = (header *)(base + at - h->link);
  }
  if (h->state == FREE) corrupt("double free", p);
  if (h->state != USED || h->class_ >= N_CLASSES ||
      (size_t)((char *)(h + 1) - base) + class_size(h->class_) > bump)
    corrupt("not a block, or its header was overwritten", p);
  return h;
}

/* n bytes aligned to align, a power of two no less than ALIGN. */
static void *allocate(size_t n, size_t align) {
  if (n > MAX_BLOCK || align > MAX_BLOCK) {
    errno = ENOMEM;
    return NULL;
  }
  size_t need = align > ALIGN ? n + align - ALIGN : n;
  if (need > MAX_BLOCK) {
    errno = ENOMEM;
    return NULL;
  }
  int me, reused;
  jostle__control *c = jostle__control_of_self(&me);
  lock_heap();
  header *h = take(class_of(need), &reused);
  unlock_heap();
  if (h == NULL) {
    errno = ENOMEM;
    return NULL;
  }
  /* The block's last owner in this run freed it (a release at h, below):
   * for --races, its accesses happen before the new owner's. A new block
   * had no owner in this run. */
  if (c != NULL && reused) jostle__control_acquired(c, me, h);
  char *p = (char *)(h + 1);
  if (align > ALIGN && (uintptr_t)p % align != 0) {
    p = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
    header *second = (header *)p - 1;   /* inside the block: p >= h + 2 headers */
    second->link = (uint64_t)((char *)second - (char *)h);
    second->class_ = 0;
    second->state = ALIGNED;
  }
  return p;
}

static int power_of_two(size_t a) { return a != 0 && (a & (a - 1)) == 0; }

static void hold_for_fork(void) { lock_heap(); }

int jostle__heap_start(void) {
  if (atomic_load_explicit(&started, memory_order_acquire)) return 0;
  page = (size_t)sysconf(_SC_PAGESIZE);
  for (size_t size = JOSTLE__HEAP_MAX_SIZE; size >= JOSTLE__HEAP_MIN_SIZE; size /= 2) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) continue;
    base = p;
    arena_size = size;
    pthread_atfork(hold_for_fork, unlock_heap, unlock_heap);
    atomic_store_explicit(&started, 1, memory_order_release);
    return 0;
  }
  return -1;
}

void jostle__heap_mark(void) {
  if (!on()) return;
  lock_heap();
  char *copy = malloc(bump ? bump : 1);
  if (copy == NULL) {
    unlock_heap();
    fprintf(stderr, "jostle: out of memory\n");
    exit(3);
  }
  memcpy(copy, base, bump);
  free(mark_bytes);
  mark_bytes = copy;
  mark_bump = high = bump;
  memcpy(mark_heads, heads, sizeof heads);
  marked = 1;
  unlock_heap();
}

void jostle__heap_reset(void) {
  if (!on()) return;
  lock_heap();
  if (!marked) {
    unlock_heap();
    return;
  }
  memcpy(base, mark_bytes, mark_bump);
  memcpy(heads, mark_heads, sizeof heads);
  /* Above the mark: what the run used, to the end of its last page (a
   * write past the last block included), zeroed while it is within
   * JOSTLE__HEAP_KEEP of the mark (cheaper than faulting it in again next
   * run), given back to the kernel beyond. */
  size_t used = (high + page - 1) / page * page;
  size_t keep = (mark_bump + JOSTLE__HEAP_KEEP + page - 1) / page * page;
  if (used > arena_size) used = arena_size;
  if (keep > used) keep = used;
  memset(base + mark_bump, 0, keep - mark_bump);
  if (used > keep && madvise(base + keep, used - keep, MADV_DONTNEED) != 0)
    memset(base + keep, 0, used - keep);
  bump = high = mark_bump;
  unlock_heap();
}

int jostle__heap_owns(const void *p) {
  if (!on()) return 0;
  uintptr_t at = (uintptr_t)p, start = (uintptr_t)base;
  return at >= start && at - start < arena_size;
}

void *jostle__prog_malloc(size_t n) {
  if (!on()) return malloc(n);
  return allocate(n, ALIGN);
}

void *jostle__prog_calloc(size_t n, size_t size) {
  if (!on()) return calloc(n, size);
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  void *p = allocate(total, ALIGN);
  if (p != NULL) memset(p, 0, total);  /* a reused block holds its last owner's bytes */
  return p;
}

void jostle__prog_free(void *p) {
  if (p == NULL) return;
  if (!jostle__heap_owns(p)) {
    free(p);  /* libc's: asprintf's, realpath's, or from before the start */
    return;
  }
  int me;
  jostle__control *c = jostle__control_of_self(&me);
  lock_heap();
  header *h = block_of(p);
  /* Per block, not one global address: the next owner of this block
   * comes after this free, and nothing else is ordered (allocate). */
  if (c != NULL) jostle__control_released(c, me, h);
  h->state = FREE;
  h->link = heads[h->class_];
  heads[h->class_] = (uint64_t)((char *)h - base) + 1;
  unlock_heap();
}

size_t jostle__prog_malloc_usable_size(void *p) {
  if (p == NULL) return 0;
  if (!jostle__heap_owns(p)) return malloc_usable_size(p);
  lock_heap();
  header *h = block_of(p);
  size_t n = (size_t)((char *)(h + 1) + class_size(h->class_) - (char *)p);
  unlock_heap();
  return n;
}

void *jostle__prog_realloc(void *p, size_t n) {
  if (p == NULL) return jostle__prog_malloc(n);
  if (!jostle__heap_owns(p)) return realloc(p, n);
  if (n == 0) {  /* glibc's choice: free it, NULL */
    jostle__prog_free(p);
    return NULL;
  }
  size_t usable = jostle__prog_malloc_usable_size(p);
  if (n <= usable) return p;
  void *q = allocate(n, ALIGN);
  if (q == NULL) return NULL;  /* p is left as it was */
  memcpy(q, p, usable);
  jostle__prog_free(p);
  return q;
}

void *jostle__prog_reallocarray(void *p, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return jostle__prog_realloc(p, total);
}

int jostle__prog_posix_memalign(void **out, size_t align, size_t n) {
  if (!on()) return posix_memalign(out, align, n);
  if (!power_of_two(align) || align % sizeof(void *) != 0) return EINVAL;
  int saved = errno;  /* posix_memalign returns its error, errno is kept */
  void *p = allocate(n, align < ALIGN ? ALIGN : align);
  errno = saved;
  if (p == NULL) return ENOMEM;
  *out = p;
  return 0;
}

void *jostle__prog_aligned_alloc(size_t align, size_t n) {
  if (!on()) return aligned_alloc(align, n);
  if (!power_of_two(align)) {
    errno = EINVAL;
    return NULL;
  }
  return allocate(n, align < ALIGN ? ALIGN : align);
}

void *jostle__prog_memalign(size_t align, size_t n) {
  if (!on()) return memalign(align, n);
  if (align <= ALIGN) return allocate(n, ALIGN);
  if (align > MAX_BLOCK) {
    errno = EINVAL;
    return NULL;
  }
  if (!power_of_two(align))  /* glibc's choice: the next power of two */
    align = (size_t)1 << (64 - __builtin_clzll((unsigned long long)align));
  return allocate(n, align);
}

void *jostle__prog_valloc(size_t n) {
  if (!on()) return valloc(n);
  return allocate(n, page);
}

void *jostle__prog_pvalloc(size_t n) {
  if (!on()) return pvalloc(n);
  if (n > MAX_BLOCK) {
    errno = ENOMEM;
    return NULL;
  }
  return allocate(n == 0 ? page : (n + page - 1) / page * page, page);
}

char *jostle__prog_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = jostle__prog_malloc(n);
  if (p != NULL) memcpy(p, s, n);
  return p;
}

char *jostle__prog_strndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *p = jostle__prog_malloc(len + 1);
  if (p == NULL) return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

/* glibc's getdelim, but growing *line with jostle__prog_realloc: the
 * line, delimiter included, NUL-terminated; -1 at the end of the file or
 * on an error with nothing read. */
ssize_t jostle__prog_getdelim(char **line, size_t *cap, int delim, FILE *f) {
  if (!on()) return getdelim(line, cap, delim, f);
  if (line == NULL || cap == NULL || f == NULL) {
    errno = EINVAL;
    return -1;
  }
  if (*line == NULL || *cap == 0) {
    char *b = jostle__prog_realloc(*line, LINE_START);
    if (b == NULL) return -1;
    *line = b;
    *cap = LINE_START;
  }
  size_t len = 0;
  flockfile(f);
  for (int ch; (ch = getc_unlocked(f)) != EOF;) {
    if (len + 2 > *cap) {  /* room for ch and the NUL */
      size_t want = *cap * 2;
      char *b = want / 2 == *cap && want <= SSIZE_MAX ? jostle__prog_realloc(*line, want) : NULL;
      if (b == NULL) {
        funlockfile(f);
        if (want / 2 != *cap || want > SSIZE_MAX) errno = EOVERFLOW;
        return -1;
      }
      *line = b;
      *cap = want;
    }
    (*line)[len++] = (char)ch;
    if (ch == (unsigned char)delim) break;
  }
  (*line)[len] = '\0';
  funlockfile(f);
  return len == 0 ? -1 : (ssize_t)len;
}

ssize_t jostle__prog_getline(char **line, size_t *cap, FILE *f) {
  return jostle__prog_getdelim(line, cap, '\n', f);
}
