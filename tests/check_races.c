/*
 * check_races.c: the happens-before detector (schedulers/races.h) on
 * hand-made sequences of accesses and synchronisation, one thread at a
 * time as a controlled run makes them.
 */
#include <stdint.h>

#include "common/seed.h"
#include "schedulers/calls.h"
#include "schedulers/races.h"
#include "tests/check_main.h"

#define READ(w) JOSTLE__ACCESS(JOSTLE__POINT_READ, JOSTLE__OP_NONE, (w))
#define WRITE(w) JOSTLE__ACCESS(JOSTLE__POINT_WRITE, JOSTLE__OP_NONE, (w))
#define ATOMIC(op, order, w) \
  (JOSTLE__ACCESS(JOSTLE__POINT_ATOMIC, (op), (w)) | JOSTLE__ACCESS_ORDERS((order), (order)))
#define LOAD(order) ATOMIC(JOSTLE__OP_LOAD, (order), 4)
#define STORE(order) ATOMIC(JOSTLE__OP_STORE, (order), 4)
#define ADD(order) ATOMIC(JOSTLE__OP_FETCH_ADD, (order), 4)

static jostle__races *r;
static int data[4], flag, lock_obj;
static const char pc_a, pc_b;

static void fresh(int n) {
  if (r == NULL) r = jostle__races_create();
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(jostle__races_begin(r, n), 0);
}

/* Each access is its own step, with stack 100 + its thread. */
static uint64_t n_steps;

static void at(int t, const void *addr, jostle__point_access a, const void *pc) {
  jostle__race_site site = {pc, 100u + (uint32_t)t, ++n_steps};
  ck_assert_int_eq(jostle__races_access(r, t, addr, a, &site), 0);
}

START_TEST(unordered_writes_race) {
  fresh(2);
  at(0, &data[0], WRITE(4), &pc_a);
  uint64_t write_step = n_steps;
  at(0, &data[1], WRITE(2), &pc_a);
  ck_assert_ptr_null(jostle__races_found(r));
  at(1, &data[0], READ(8), &pc_b);
  const jostle__race *race = jostle__races_found(r);
  ck_assert_ptr_nonnull(race);
  ck_assert_ptr_eq(race->addr, &data[0]);
  /* each access as its report tells it: thread, operation, size, code,
   * stack and step */
  ck_assert_int_eq(race->earlier.thread, 0);
  ck_assert_int_eq(race->earlier.wrote, 1);
  ck_assert_uint_eq(race->earlier.width, 4);
  ck_assert_ptr_eq(race->earlier.site.pc, &pc_a);
  ck_assert_uint_eq(race->earlier.site.stack, 100);
  ck_assert_uint_eq(race->earlier.site.step, write_step);
  ck_assert_int_eq(race->later.thread, 1);
  ck_assert_int_eq(race->later.wrote, 0);
  ck_assert_uint_eq(race->later.width, 8);
  ck_assert_ptr_eq(race->later.site.pc, &pc_b);
  ck_assert_uint_eq(race->later.site.stack, 101);
  ck_assert_uint_eq(race->later.site.step, n_steps);
  /* a read then a write race too; two reads never do */
  fresh(2);
  at(0, &data[0], READ(4), &pc_a);
  at(1, &data[0], READ(4), &pc_b);
  ck_assert_ptr_null(jostle__races_found(r));
  at(1, &data[0], WRITE(4), &pc_b);
  ck_assert_ptr_nonnull(jostle__races_found(r));
  /* a thread never races with itself, and a new run forgets the last */
  fresh(2);
  at(0, &data[0], WRITE(4), &pc_a);
  at(0, &data[0], READ(4), &pc_a);
  ck_assert_ptr_null(jostle__races_found(r));
}
END_TEST

/* Bytes are compared exactly: neighbours never race, overlaps do. */
START_TEST(bytes_are_exact) {
  fresh(2);
  char *bytes = (char *)data;
  at(0, bytes, WRITE(2), &pc_a);
  at(1, bytes + 2, WRITE(2), &pc_b);
  ck_assert_ptr_null(jostle__races_found(r));
  at(1, bytes + 1, READ(4), &pc_b);
  const jostle__race *race = jostle__races_found(r);
  ck_assert_ptr_nonnull(race);
  ck_assert_ptr_eq(race->addr, bytes + 1);
}
END_TEST

/* Words accessed whole share one state, a part splits it, and a whole
 * write joins it again; whatever the mix, the first race is the one the
 * same accesses find when made a byte at a time. Random sequences by 3
 * threads of reads and writes of 1, 2, 4 and 8 bytes at any offset in 40
 * bytes (across words too), and of a lock taken and let go. */
typedef struct op {
  int thread, kind, offset, width; /* kind 0 read, 1 write, 2 acquire, 3 release */
} op;

static const jostle__race *replay_ops(const op *ops, int n, int by_bytes) {
  static uint64_t area[6];
  fresh(3);
  for (int i = 0; i < n; i++) {
    const op *o = &ops[i];
    if (o->kind >= 2) {
      ck_assert_int_eq((o->kind == 2 ? jostle__races_acquire : jostle__races_release)(
                           r, o->thread, &lock_obj),
                       0);
      continue;
    }
    jostle__race_site site = {&pc_a, 0, (uint64_t)i + 1};
    char *at_byte = (char *)area + o->offset;
    for (int b = 0; b < (by_bytes ? o->width : 1); b++) {
      unsigned w = by_bytes ? 1u : (unsigned)o->width;
      jostle__point_access a = o->kind ? WRITE(w) : READ(w);
      ck_assert_int_eq(jostle__races_access(r, o->thread, at_byte + b, a, &site), 0);
    }
  }
  const jostle__race *race = jostle__races_found(r);
  static jostle__race kept;
  if (race == NULL) return NULL;
  kept = *race;
  kept.addr = (const void *)((const char *)race->addr - (const char *)area);
  return &kept;
}

START_TEST(words_and_bytes_agree) {
  static const int widths[] = {1, 2, 4, 8, 8, 8};
  uint64_t rng = 7;
  int raced = 0;
  for (int round = 0; round < 3000; round++) {
    op ops[24];
    int n = 4 + (int)jostle__below(&rng, 20);
    for (int i = 0; i < n; i++) {
      int w = widths[jostle__below(&rng, 6)];
      int aligned = jostle__below(&rng, 2) == 0;
      int offset = aligned ? 8 * (int)jostle__below(&rng, 4) : (int)jostle__below(&rng, 33);
      ops[i] = (op){(int)jostle__below(&rng, 3), (int)jostle__below(&rng, 6) % 4, offset, w};
    }
    const jostle__race *whole = replay_ops(ops, n, 0);
    jostle__race w = whole ? *whole : (jostle__race){0};
    const jostle__race *bytes = replay_ops(ops, n, 1);
    ck_assert_msg((whole == NULL) == (bytes == NULL), "round %d: one found a race", round);
    if (whole == NULL) continue;
    raced++;
    ck_assert_ptr_eq(w.addr, bytes->addr);
    ck_assert_int_eq(w.earlier.thread, bytes->earlier.thread);
    ck_assert_int_eq(w.earlier.wrote, bytes->earlier.wrote);
    ck_assert_uint_eq(w.earlier.site.step, bytes->earlier.site.step);
    ck_assert_int_eq(w.later.thread, bytes->later.thread);
    ck_assert_int_eq(w.later.wrote, bytes->later.wrote);
    ck_assert_uint_eq(w.later.site.step, bytes->later.site.step);
  }
  /* both kinds of sequence were made */
  ck_assert_int_gt(raced, 300);
  ck_assert_int_lt(raced, 2700);
}
END_TEST

START_TEST(a_lock_orders) {
  fresh(2);
  ck_assert_int_eq(jostle__races_acquire(r, 0, &lock_obj), 0);
  at(0, &data[0], WRITE(4), &pc_a);
  ck_assert_int_eq(jostle__races_release(r, 0, &lock_obj), 0);
  ck_assert_int_eq(jostle__races_acquire(r, 1, &lock_obj), 0);
  at(1, &data[0], WRITE(4), &pc_b);
  ck_assert_ptr_null(jostle__races_found(r));
  ck_assert_int_eq(jostle__races_release(r, 1, &lock_obj), 0);
  /* a write after the unlock is not ordered with the next holder's */
  at(1, &data[1], WRITE(4), &pc_b);
  ck_assert_int_eq(jostle__races_acquire(r, 0, &lock_obj), 0);
  at(0, &data[1], READ(4), &pc_a);
  ck_assert_ptr_nonnull(jostle__races_found(r));
}
END_TEST

START_TEST(release_acquire_orders_and_relaxed_does_not) {
  static const int orders[][2] = {{3, 2}, {5, 5}, {4, 2}, {3, 1}};
  for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
    fresh(2);
    at(0, &data[0], WRITE(4), &pc_a);
    at(0, &flag, STORE(orders[i][0]), &pc_a);
    at(1, &flag, LOAD(orders[i][1]), &pc_b);
    at(1, &data[0], READ(4), &pc_b);
    ck_assert_msg(jostle__races_found(r) == NULL, "store order %d, load order %d",
                  orders[i][0], orders[i][1]);
  }
  static const int weak[][2] = {{0, 2}, {3, 0}, {0, 0}};
  for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
    fresh(2);
    at(0, &data[0], WRITE(4), &pc_a);
    at(0, &flag, STORE(weak[i][0]), &pc_a);
    at(1, &flag, LOAD(weak[i][1]), &pc_b);
    at(1, &data[0], READ(4), &pc_b);
    const jostle__race *race = jostle__races_found(r);
    ck_assert_msg(race != NULL, "store order %d, load order %d", weak[i][0], weak[i][1]);
    ck_assert_ptr_eq(race->addr, &data[0]); /* the flag itself is atomic: no race */
  }
}
END_TEST

/* A release sequence: continued by read-modify-writes of any order, broken
 * by another thread's relaxed store. */
START_TEST(release_sequences) {
  fresh(3);
  at(0, &data[0], WRITE(4), &pc_a);
  at(0, &flag, STORE(3), &pc_a);
  at(1, &flag, ADD(0), &pc_b);
  at(2, &flag, LOAD(2), &pc_b);
  at(2, &data[0], READ(4), &pc_b);
  ck_assert_ptr_null(jostle__races_found(r));
  fresh(3);
  at(0, &data[0], WRITE(4), &pc_a);
  at(0, &flag, STORE(3), &pc_a);
  at(1, &flag, STORE(0), &pc_b);
  at(2, &flag, LOAD(2), &pc_b);
  at(2, &data[0], READ(4), &pc_b);
  ck_assert_ptr_nonnull(jostle__races_found(r));
}
END_TEST

/* Fences: a release fence before a relaxed store, read by a relaxed load
 * before an acquire fence, orders (where ThreadSanitizer reports a race). */
START_TEST(fences_order) {
  fresh(2);
  at(0, &data[0], WRITE(4), &pc_a);
  jostle__races_fence(r, 0, 3);
  at(0, &flag, STORE(0), &pc_a);
  at(1, &flag, LOAD(0), &pc_b);
  jostle__races_fence(r, 1, 2);
  at(1, &data[0], READ(4), &pc_b);
  ck_assert_ptr_null(jostle__races_found(r));
  /* without the acquire fence, the relaxed load orders nothing */
  fresh(2);
  at(0, &data[0], WRITE(4), &pc_a);
  jostle__races_fence(r, 0, 3);
  at(0, &flag, STORE(0), &pc_a);
  at(1, &flag, LOAD(0), &pc_b);
  at(1, &data[0], READ(4), &pc_b);
  ck_assert_ptr_nonnull(jostle__races_found(r));
  /* a write after the release fence is not published by it */
  fresh(2);
  jostle__races_fence(r, 0, 3);
  at(0, &data[0], WRITE(4), &pc_a);
  at(0, &flag, STORE(0), &pc_a);
  at(1, &flag, LOAD(0), &pc_b);
  jostle__races_fence(r, 1, 2);
  at(1, &data[0], READ(4), &pc_b);
  ck_assert_ptr_nonnull(jostle__races_found(r));
}
END_TEST

/* Atomics never race with atomics; with plain accesses they do. */
START_TEST(atomics_and_plain_accesses) {
  fresh(2);
  at(0, &flag, ADD(0), &pc_a);
  at(1, &flag, ADD(0), &pc_b);
  at(1, &flag, STORE(0), &pc_b);
  at(0, &flag, LOAD(0), &pc_a);
  ck_assert_ptr_null(jostle__races_found(r));
  at(1, &flag, WRITE(4), &pc_b);
  const jostle__race *race = jostle__races_found(r);
  ck_assert_ptr_nonnull(race);
  ck_assert_int_eq(race->earlier.atomic, 1);
  ck_assert_int_eq(race->later.atomic, 0);
}
END_TEST

/* Creation orders the creator's past before the child; a join orders the
 * child's whole life before what follows. */
START_TEST(threads_created_and_joined) {
  fresh(2);
  at(0, &data[0], WRITE(4), &pc_a);
  for (int k = 2; k < 40; k++) ck_assert_int_eq(jostle__races_spawn(r, 0, k), 0); /* grows */
  at(39, &data[0], READ(4), &pc_b);
  at(39, &data[1], WRITE(4), &pc_b);
  ck_assert_ptr_null(jostle__races_found(r));
  at(1, &data[1], READ(4), &pc_a); /* thread 1 knows nothing of 39 */
  ck_assert_ptr_nonnull(jostle__races_found(r));
  fresh(2);
  ck_assert_int_eq(jostle__races_spawn(r, 0, 2), 0);
  at(2, &data[2], WRITE(4), &pc_b);
  jostle__races_joined(r, 0, 2);
  at(0, &data[2], WRITE(4), &pc_a);
  ck_assert_ptr_null(jostle__races_found(r));
}
END_TEST

/* More readers than a byte keeps: one ordered before the new read makes
 * room; a write that races with a forgotten reader still races with one
 * that is kept, when they were concurrent. */
START_TEST(many_readers) {
  fresh(8);
  for (int t = 0; t < 8; t++) at(t, &data[3], READ(1), &pc_a);
  at(7, &data[3], WRITE(1), &pc_b);
  ck_assert_ptr_nonnull(jostle__races_found(r));
  jostle__races_destroy(r);
  r = NULL;
}
END_TEST

/* The shadow call stacks of race reports: a stack is the call sites that
 * reached it, innermost first; returns undo calls; threads have their own;
 * calls past the depth bound are not told apart but still returned from. */
static const char site[JOSTLE__CALLS_DEPTH + 8];

START_TEST(call_stacks) {
  jostle__calls *k = jostle__calls_create();
  ck_assert_ptr_nonnull(k);
  const void *sites[JOSTLE__CALLS_DEPTH + 8];
  jostle__calls_begin(k);
  ck_assert_uint_eq(jostle__calls_now(k, 0), JOSTLE__CALLS_ROOT);
  jostle__calls_enter(k, 0, &site[0]);
  jostle__calls_enter(k, 0, &site[1]);
  jostle__calls_enter(k, 1, &site[2]); /* another thread */
  uint32_t deep = jostle__calls_now(k, 0);
  ck_assert_int_eq(jostle__calls_sites(k, deep, sites, 8), 2);
  ck_assert_ptr_eq(sites[0], &site[1]);
  ck_assert_ptr_eq(sites[1], &site[0]);
  ck_assert_int_eq(jostle__calls_sites(k, deep, sites, 1), 1); /* cut at max */
  ck_assert_int_eq(jostle__calls_sites(k, jostle__calls_now(k, 1), sites, 8), 1);
  ck_assert_ptr_eq(sites[0], &site[2]);
  jostle__calls_exit(k, 0);
  ck_assert_int_eq(jostle__calls_sites(k, jostle__calls_now(k, 0), sites, 8), 1);
  /* the same path is the same node */
  jostle__calls_enter(k, 0, &site[1]);
  ck_assert_uint_eq(jostle__calls_now(k, 0), deep);
  jostle__calls_exit(k, 0);
  jostle__calls_exit(k, 0);
  jostle__calls_exit(k, 0); /* more returns than calls: stays at the root */
  ck_assert_uint_eq(jostle__calls_now(k, 0), JOSTLE__CALLS_ROOT);
  /* recursion past the bound: the stack stops growing, and returns from
   * the calls it did not keep come first */
  for (int i = 0; i < JOSTLE__CALLS_DEPTH + 8; i++) jostle__calls_enter(k, 0, &site[i]);
  int n = jostle__calls_sites(k, jostle__calls_now(k, 0), sites, JOSTLE__CALLS_DEPTH + 8);
  ck_assert_int_eq(n, JOSTLE__CALLS_DEPTH);
  ck_assert_ptr_eq(sites[0], &site[JOSTLE__CALLS_DEPTH - 1]);
  for (int i = 0; i < 8; i++) jostle__calls_exit(k, 0);
  ck_assert_int_eq(jostle__calls_sites(k, jostle__calls_now(k, 0), sites, 8), 8);
  ck_assert_ptr_eq(sites[0], &site[JOSTLE__CALLS_DEPTH - 1]);
  jostle__calls_exit(k, 0);
  ck_assert_ptr_eq(sites[jostle__calls_sites(k, jostle__calls_now(k, 0), sites, 1) - 1],
                   &site[JOSTLE__CALLS_DEPTH - 2]);
  /* a new run, or a created thread, starts at the root */
  jostle__calls_reset(k, 1);
  ck_assert_uint_eq(jostle__calls_now(k, 1), JOSTLE__CALLS_ROOT);
  jostle__calls_begin(k);
  ck_assert_uint_eq(jostle__calls_now(k, 0), JOSTLE__CALLS_ROOT);
  ck_assert_uint_eq(jostle__calls_now(k, 1000), JOSTLE__CALLS_ROOT); /* never seen */
  jostle__calls_destroy(k);
}
END_TEST

int main(void) {
  Suite *s = suite_create("races");
  TCase *tc = jostle_check_case(s, "races", 10, 0);
  tcase_add_test(tc, unordered_writes_race);
  tcase_add_test(tc, bytes_are_exact);
  tcase_add_test(tc, words_and_bytes_agree);
  tcase_add_test(tc, a_lock_orders);
  tcase_add_test(tc, release_acquire_orders_and_relaxed_does_not);
  tcase_add_test(tc, release_sequences);
  tcase_add_test(tc, fences_order);
  tcase_add_test(tc, atomics_and_plain_accesses);
  tcase_add_test(tc, threads_created_and_joined);
  tcase_add_test(tc, many_readers);
  tcase_add_test(tc, call_stacks);
  return jostle_check_run(s);
}
