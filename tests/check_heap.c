/*
 * check_heap.c: the deterministic heap of a served program
 * (harness/heap.h). After a reset the same calls give the same addresses
 * and the marked blocks their marked contents; blocks keep libc's
 * contracts (zeroed by calloc, kept by realloc, aligned, at least as large
 * as asked); libc's pointers and everything before the start go to libc;
 * threads allocating together never get one block twice; getline grows
 * an arena buffer; and a reset gives back to the kernel what a run touched
 * beyond the bound it keeps.
 *
 * Each test runs in a child of its own (check_main.h), so each starts the
 * heap itself, and the one that checks what happens before the start
 * never sees one started.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/heap.h"
#include "tests/check_main.h"

static uint64_t next_random(uint64_t *state) {  /* xorshift64* */
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * 0x2545F4914F6CDD1DULL;
}

static void start_heap(void) { ck_assert_int_eq(jostle__heap_start(), 0); }

/* ---- replay ------------------------------------------------------------- */

#define N_SLOTS 64

/* A seeded sequence of every kind of call, sizes 0..100000; the address
 * each call returned (NULL for a free) goes to addrs[0 .. n_ops-1]. What
 * is still live at the end is left so. */
static void run_sequence(uint64_t seed, void **addrs, int n_ops) {
  void *slots[N_SLOTS] = {0};
  uint64_t r = seed;
  for (int i = 0; i < n_ops; i++) {
    int k = (int)(next_random(&r) % N_SLOTS);
    size_t n = (size_t)(next_random(&r) % 100001);
    void *p = NULL;
    if (slots[k] == NULL) {
      switch (next_random(&r) % 6) {
      case 0: p = jostle__prog_malloc(n); break;
      case 1: p = jostle__prog_calloc(1, n); break;
      case 2: p = jostle__prog_realloc(NULL, n); break;
      case 3: p = jostle__prog_aligned_alloc((size_t)1 << (4 + next_random(&r) % 13), n); break;
      case 4: p = jostle__prog_memalign(64, n); break;
      default: ck_assert_int_eq(jostle__prog_posix_memalign(&p, 4096, n), 0);
      }
      ck_assert_ptr_nonnull(p);
      memset(p, i & 0xff, n);
      slots[k] = p;
    } else if (next_random(&r) % 2) {
      p = jostle__prog_realloc(slots[k], n + 1);
      ck_assert_ptr_nonnull(p);
      slots[k] = p;
    } else {
      jostle__prog_free(slots[k]);
      slots[k] = NULL;
    }
    addrs[i] = p;
  }
}

START_TEST(the_same_calls_give_the_same_addresses_after_a_reset) {
  start_heap();
  /* What constructors would leave: live blocks, and free ones on the
   * lists at the mark. */
  void *before[40];
  for (int i = 0; i < 40; i++) ck_assert_ptr_nonnull(before[i] = jostle__prog_malloc(i * 97));
  for (int i = 0; i < 40; i += 2) jostle__prog_free(before[i]);
  jostle__heap_mark();

  int n_ops = 4000 * (int)jostle_check_soak();
  void **first = malloc(n_ops * sizeof *first), **again = malloc(n_ops * sizeof *again);
  ck_assert(first != NULL && again != NULL);
  run_sequence(1, first, n_ops);
  /* A run that ends on something else first: its own state is forgotten. */
  jostle__heap_reset();
  run_sequence(2, again, n_ops);
  jostle__heap_reset();
  run_sequence(1, again, n_ops);
  int n_reused = 0;
  for (int i = 0; i < n_ops; i++) {
    ck_assert_ptr_eq(again[i], first[i]);
    if (first[i] != NULL) ck_assert(jostle__heap_owns(first[i]));
    for (int j = 0; j < 40 && first[i] != NULL; j += 2) n_reused += first[i] == before[j];
  }
  ck_assert_int_gt(n_reused, 0);  /* the lists at the mark were used */
  free(first);
  free(again);
}
END_TEST

START_TEST(a_reset_restores_the_marked_blocks_and_forgets_the_rest) {
  start_heap();
  char *kept = jostle__prog_malloc(100), *was_free = jostle__prog_malloc(200);
  memset(kept, 'A', 100);
  jostle__prog_free(was_free);
  jostle__heap_mark();

  /* A run: scribbles on the marked block and its header, reuses the free
   * one, allocates more. */
  char *fresh = jostle__prog_malloc(5000);
  memset(kept - 16, 'X', 116);
  ck_assert_ptr_eq(jostle__prog_malloc(200), was_free);
  for (int i = 0; i < 100; i++) ck_assert_ptr_nonnull(jostle__prog_malloc(300));
  memset(fresh, 0x5a, 5000);
  jostle__heap_reset();

  for (int i = 0; i < 100; i++) ck_assert_int_eq(kept[i], 'A');
  ck_assert_ptr_eq(jostle__prog_malloc(5000), fresh);     /* the run's blocks forgotten */
  for (int i = 0; i < 5000; i++) ck_assert_int_eq(fresh[i], 0);  /* as on the first run */
  ck_assert_ptr_eq(jostle__prog_malloc(200), was_free);   /* the list at the mark */
  ck_assert_uint_ge(jostle__prog_malloc_usable_size(kept), 100);  /* its header too */
  jostle__prog_free(kept);
  ck_assert_ptr_eq(jostle__prog_malloc(100), kept);
}
END_TEST

/* ---- libc's contracts -------------------------------------------------- */

START_TEST(calloc_zeroes_a_reused_block) {
  start_heap();
  unsigned char *p = jostle__prog_malloc(1000);
  memset(p, 0xff, 1000);
  jostle__prog_free(p);
  unsigned char *q = jostle__prog_calloc(10, 100);
  ck_assert_ptr_eq(q, p);  /* reused: it held 0xff */
  for (int i = 0; i < 1000; i++) ck_assert_int_eq(q[i], 0);
  errno = 0;
  ck_assert_ptr_null(jostle__prog_calloc(SIZE_MAX / 2, 3));
  ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

START_TEST(realloc_keeps_the_content) {
  start_heap();
  unsigned char *p = jostle__prog_malloc(50);
  for (int i = 0; i < 50; i++) p[i] = (unsigned char)(i * 7);
  unsigned char *q = jostle__prog_realloc(p, 100000);
  ck_assert_ptr_ne(q, p);
  for (int i = 0; i < 50; i++) ck_assert_int_eq(q[i], (unsigned char)(i * 7));
  q = jostle__prog_reallocarray(q, 10, 3);
  for (int i = 0; i < 30; i++) ck_assert_int_eq(q[i], (unsigned char)(i * 7));
  void *aligned = jostle__prog_aligned_alloc(4096, 20);
  memset(aligned, 'z', 20);
  char *moved = jostle__prog_realloc(aligned, 10000);
  for (int i = 0; i < 20; i++) ck_assert_int_eq(moved[i], 'z');
  errno = 0;
  ck_assert_ptr_null(jostle__prog_reallocarray(moved, SIZE_MAX / 2, 3));
  ck_assert_int_eq(errno, ENOMEM);
  ck_assert_int_eq(moved[0], 'z');  /* a failed realloc leaves the block */
  ck_assert_ptr_null(jostle__prog_realloc(moved, 0));  /* glibc's: freed */
  ck_assert_ptr_eq(jostle__prog_malloc(10000), moved);
}
END_TEST

START_TEST(alignments_are_honoured) {
  start_heap();
  for (size_t n = 0; n < 300; n++) {
    void *p = jostle__prog_malloc(n);
    ck_assert_uint_eq((uintptr_t)p % 16, 0);
    if (n % 3) jostle__prog_free(p);
  }
  for (size_t align = 1; align <= ((size_t)1 << 20); align *= 2) {
    for (size_t n = 0; n < 3 * align && n < 200000; n += align / 2 + 13) {
      void *p = NULL;
      if (align >= sizeof(void *)) {
        ck_assert_int_eq(jostle__prog_posix_memalign(&p, align, n), 0);
        ck_assert_uint_eq((uintptr_t)p % align, 0);
        ck_assert_uint_ge(jostle__prog_malloc_usable_size(p), n);
        memset(p, 1, n);
      }
      void *a = jostle__prog_aligned_alloc(align, n), *m = jostle__prog_memalign(align, n);
      ck_assert_uint_eq((uintptr_t)a % align, 0);
      ck_assert_uint_eq((uintptr_t)m % align, 0);
      ck_assert_uint_ge(jostle__prog_malloc_usable_size(a), n);
      memset(a, 2, n);
      memset(m, 3, n);
      jostle__prog_free(p);
      jostle__prog_free(a);
      jostle__prog_free(m);
    }
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  void *v = jostle__prog_valloc(10), *pv = jostle__prog_pvalloc(0);
  ck_assert_uint_eq((uintptr_t)v % page, 0);
  ck_assert_uint_eq((uintptr_t)pv % page, 0);
  ck_assert_uint_ge(jostle__prog_malloc_usable_size(pv), page);
  void *p = NULL;
  ck_assert_int_eq(jostle__prog_posix_memalign(&p, 24, 10), EINVAL);
  ck_assert_int_eq(jostle__prog_posix_memalign(&p, 4, 10), EINVAL);
  ck_assert_ptr_null(p);
  errno = 0;
  ck_assert_ptr_null(jostle__prog_aligned_alloc(48, 10));
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_uint_eq((uintptr_t)jostle__prog_memalign(48, 10) % 64, 0);  /* glibc's: rounded up */
}
END_TEST

START_TEST(owns_and_usable_size) {
  start_heap();
  uint64_t r = 7;
  for (int i = 0; i < 2000; i++) {
    size_t n = (size_t)(next_random(&r) % 100001);
    char *p = jostle__prog_malloc(n);
    ck_assert(jostle__heap_owns(p));
    size_t usable = jostle__prog_malloc_usable_size(p);
    ck_assert_uint_ge(usable, n);
    ck_assert_uint_le(usable, n + n / 4 + 16);  /* the classes' waste */
    memset(p, 0xab, usable);  /* all of it is the program's */
    if (i % 2) jostle__prog_free(p);
  }
  char *libc = malloc(10);
  int on_stack;
  ck_assert(!jostle__heap_owns(libc));
  ck_assert(!jostle__heap_owns(&on_stack));
  ck_assert(!jostle__heap_owns(NULL));
  free(libc);
  ck_assert_uint_eq(jostle__prog_malloc_usable_size(NULL), 0);
  errno = 0;
  ck_assert_ptr_null(jostle__prog_malloc(SIZE_MAX / 2));
  ck_assert_int_eq(errno, ENOMEM);
  char *s = jostle__prog_strdup("twelve chars"), *t = jostle__prog_strndup("twelve chars", 6);
  ck_assert(jostle__heap_owns(s) && jostle__heap_owns(t));
  ck_assert_str_eq(s, "twelve chars");
  ck_assert_str_eq(t, "twelve");
}
END_TEST

START_TEST(libc_pointers_go_to_libc) {
  start_heap();
  char *p = malloc(100);
  memset(p, 'q', 100);
  ck_assert(!jostle__heap_owns(p));
  ck_assert_uint_ge(jostle__prog_malloc_usable_size(p), 100);
  char *q = jostle__prog_realloc(p, 100000);
  ck_assert_ptr_nonnull(q);
  ck_assert(!jostle__heap_owns(q));  /* libc's realloc: still libc's */
  for (int i = 0; i < 100; i++) ck_assert_int_eq(q[i], 'q');
  jostle__prog_free(q);
  char *s = strdup("from libc");
  jostle__prog_free(s);
  jostle__prog_free(NULL);
  /* Had any of these gone to the arena, libc (or ASan) would have aborted
   * on the frees below. */
  char *t = strdup("again");
  t = jostle__prog_realloc(t, 3);
  free(t);
}
END_TEST

START_TEST(before_the_start_everything_is_libc) {
  /* Every pointer here is freed by libc's free: one from the arena would
   * abort it ("free(): invalid pointer", or ASan's report). */
  void *ps[12];
  int n = 0;
  ps[n++] = jostle__prog_malloc(100);
  ps[n++] = jostle__prog_calloc(10, 10);
  ps[n++] = jostle__prog_realloc(NULL, 100);
  ps[n++] = jostle__prog_realloc(jostle__prog_malloc(5), 1000);
  ps[n++] = jostle__prog_reallocarray(NULL, 10, 10);
  ck_assert_int_eq(jostle__prog_posix_memalign(&ps[n++], 64, 100), 0);
  ps[n++] = jostle__prog_aligned_alloc(64, 128);
  ps[n++] = jostle__prog_memalign(64, 100);
  ps[n++] = jostle__prog_valloc(100);
  ps[n++] = jostle__prog_strdup("x");
  ps[n++] = jostle__prog_strndup("xyz", 2);
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  fputs("a line\n", f);
  rewind(f);
  char *line = NULL;
  size_t cap = 0;
  ck_assert_int_eq(jostle__prog_getline(&line, &cap, f), 7);
  fclose(f);
  ps[n++] = line;
  jostle__heap_mark();  /* no-ops before the start */
  jostle__heap_reset();
  for (int i = 0; i < n; i++) {
    ck_assert_ptr_nonnull(ps[i]);
    ck_assert(!jostle__heap_owns(ps[i]));
    ck_assert_uint_ge(jostle__prog_malloc_usable_size(ps[i]), 1);
    free(ps[i]);
  }
  jostle__prog_free(jostle__prog_pvalloc(1));
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

/* Property: blocks handed out to threads allocating at once never
 * overlap. Each thread fills every block it holds with its own byte and
 * checks it is all still there before freeing it. */

#define N_THREADS 4
#define N_HELD 32

typedef struct worker {
  int index;
  int n_ops;
  long n_bad;  /* bytes found changed */
} worker;

static void pin(int index) {
  long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(index % (n_cpus > 0 ? (int)n_cpus : 1), &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);  /* best effort */
}

static void *churn(void *arg) {
  worker *w = arg;
  pin(w->index);
  unsigned char mine = (unsigned char)(0x11 * (w->index + 1));
  unsigned char *held[N_HELD] = {0};
  size_t sizes[N_HELD] = {0};
  uint64_t r = 0x9e3779b97f4a7c15ULL * (uint64_t)(w->index + 1);
  for (int i = 0; i < w->n_ops + N_HELD; i++) {
    int k = i < w->n_ops ? (int)(next_random(&r) % N_HELD) : i - w->n_ops;  /* then drain */
    if (held[k] != NULL) {
      for (size_t j = 0; j < sizes[k]; j++) w->n_bad += held[k][j] != mine;
      jostle__prog_free(held[k]);
      held[k] = NULL;
    } else if (i < w->n_ops) {
      uint64_t x = next_random(&r);
      sizes[k] = x % 64 == 0 ? (size_t)(x >> 8) % 100001 : (size_t)(x >> 8) % 2049;
      held[k] = x % 5 == 0 ? jostle__prog_calloc(1, sizes[k]) : jostle__prog_malloc(sizes[k]);
      if (held[k] == NULL) {
        w->n_bad++;
        continue;
      }
      memset(held[k], mine, sizes[k]);
    }
  }
  return NULL;
}

START_TEST(threads_never_share_a_block) {
  start_heap();
  jostle__heap_mark();
  void *first = jostle__prog_malloc(1000);
  jostle__heap_reset();
  worker ws[N_THREADS];
  pthread_t tids[N_THREADS];
  for (int i = 0; i < N_THREADS; i++) {
    ws[i] = (worker){.index = i, .n_ops = 20000 * (int)jostle_check_soak()};
    ck_assert_int_eq(pthread_create(&tids[i], NULL, churn, &ws[i]), 0);
  }
  for (int i = 0; i < N_THREADS; i++) ck_assert_int_eq(pthread_join(tids[i], NULL), 0);
  for (int i = 0; i < N_THREADS; i++) ck_assert_int_eq(ws[i].n_bad, 0);
  /* And a reset after threads took the heap in turns forgets them all. */
  jostle__heap_reset();
  ck_assert_ptr_eq(jostle__prog_malloc(1000), first);
}
END_TEST

/* ---- getline ------------------------------------------------------------ */

START_TEST(getline_grows_an_arena_buffer) {
  start_heap();
  static const size_t lengths[] = {0, 1, 118, 119, 120, 121, 5000, 100000, 3, 70000};
  const int n_lines = (int)(sizeof lengths / sizeof lengths[0]);
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  for (int i = 0; i < n_lines; i++) {
    for (size_t j = 0; j < lengths[i]; j++) fputc('a' + (int)((i + j) % 26), f);
    if (i < n_lines - 1) fputc('\n', f);  /* the last line has none */
  }
  rewind(f);
  char *line = NULL;
  size_t cap = 0;
  for (int i = 0; i < n_lines; i++) {
    size_t want = lengths[i] + (i < n_lines - 1);
    ck_assert_int_eq(jostle__prog_getline(&line, &cap, f), (ssize_t)want);
    ck_assert(jostle__heap_owns(line));
    ck_assert_uint_ge(cap, want + 1);
    ck_assert_uint_ge(jostle__prog_malloc_usable_size(line), cap);
    ck_assert_uint_eq(strlen(line), want);
    for (size_t j = 0; j < lengths[i]; j++) ck_assert_int_eq(line[j], 'a' + (int)((i + j) % 26));
  }
  ck_assert_int_eq(jostle__prog_getline(&line, &cap, f), -1);
  jostle__prog_free(line);

  /* getdelim, from a small arena buffer of the program's. */
  rewind(f);
  ck_assert_int_eq(ftruncate(fileno(f), 0), 0);
  fputs("ab,cde,,", f);
  for (int j = 0; j < 1000; j++) fputc('f', f);
  rewind(f);
  cap = 4;
  line = jostle__prog_malloc(cap);
  ck_assert_int_eq(jostle__prog_getdelim(&line, &cap, ',', f), 3);
  ck_assert_str_eq(line, "ab,");
  ck_assert_int_eq(jostle__prog_getdelim(&line, &cap, ',', f), 4);
  ck_assert_str_eq(line, "cde,");
  ck_assert_int_eq(jostle__prog_getdelim(&line, &cap, ',', f), 1);
  ck_assert_str_eq(line, ",");
  ck_assert_int_eq(jostle__prog_getdelim(&line, &cap, ',', f), 1000);
  ck_assert(jostle__heap_owns(line));
  ck_assert_int_eq(jostle__prog_getdelim(&line, &cap, ',', f), -1);
  jostle__prog_free(line);
  fclose(f);
}
END_TEST

/* ---- resident memory ---------------------------------------------------- */

/* How many pages of [from, to) are resident (mincore: unlike
 * /proc/self/statm, blind to a sanitizer's own memory). */
static size_t resident_pages(const char *from, const char *to) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t lo = (uintptr_t)from / page * page, hi = ((uintptr_t)to + page - 1) / page * page;
  size_t n_pages = (hi - lo) / page, n = 0;
  unsigned char *vec = malloc(n_pages);
  ck_assert_ptr_nonnull(vec);
  ck_assert_int_eq(mincore((void *)lo, hi - lo, vec), 0);
  for (size_t i = 0; i < n_pages; i++) n += vec[i] & 1;
  free(vec);
  return n;
}

START_TEST(a_reset_gives_back_what_a_run_touched_beyond_the_bound) {
  start_heap();
  jostle__heap_mark();
  enum { MIB = 1 << 20, N_BLOCKS = 200 };
  char *first = NULL, *last = NULL;
  for (int i = 0; i < N_BLOCKS; i++) {
    char *p = jostle__prog_malloc(MIB - 16);
    ck_assert_ptr_nonnull(p);
    memset(p, 1, MIB - 16);
    if (first == NULL) first = p;
    last = p;
  }
  ck_assert_uint_ge((size_t)(last - first), (size_t)(N_BLOCKS - 1) * (MIB - 16));
  /* Beyond JOSTLE__HEAP_KEEP above the mark (the first block is right at
   * it), with a page of slack. */
  const char *beyond = first + JOSTLE__HEAP_KEEP + MIB, *end = last + MIB - 16;
  size_t n_touched = resident_pages(beyond, end);
  size_t n_pages = (size_t)(end - beyond) / (size_t)sysconf(_SC_PAGESIZE);
  ck_assert_uint_ge(n_touched, n_pages * 9 / 10);  /* the measure sees them */
  jostle__heap_reset();
  ck_assert_uint_eq(resident_pages(beyond, end), 0);
  /* Within the bound, memory is kept, zeroed. */
  ck_assert_uint_gt(resident_pages(first, first + MIB), 0);
  char *again = jostle__prog_malloc(MIB - 16);
  ck_assert_ptr_eq(again, first);
  for (int i = 0; i < MIB - 16; i += 4093) ck_assert_int_eq(again[i], 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("heap");
  TCase *tc = jostle_check_case(s, "heap", 30, 1);
  tcase_add_test(tc, the_same_calls_give_the_same_addresses_after_a_reset);
  tcase_add_test(tc, a_reset_restores_the_marked_blocks_and_forgets_the_rest);
  tcase_add_test(tc, calloc_zeroes_a_reused_block);
  tcase_add_test(tc, realloc_keeps_the_content);
  tcase_add_test(tc, alignments_are_honoured);
  tcase_add_test(tc, owns_and_usable_size);
  tcase_add_test(tc, libc_pointers_go_to_libc);
  tcase_add_test(tc, before_the_start_everything_is_libc);
  tcase_add_test(tc, getline_grows_an_arena_buffer);
  tcase_add_test(tc, a_reset_gives_back_what_a_run_touched_beyond_the_bound);
  TCase *threads = jostle_check_case(s, "threads", 60, 1);
  tcase_add_test(threads, threads_never_share_a_block);
  return jostle_check_run(s);
}
