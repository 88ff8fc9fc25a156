/*
 * check_waits.c: the proof of a deadlock from published waits
 * (schedulers/waits.h), on boards written by hand with the wrappers' own
 * calls. End to end, under free, in check_campaign.c.
 */
#include <stdlib.h>
#include <string.h>

#include "schedulers/waits.h"
#include "tests/check_main.h"

static jostle__waits *board(int n) {
  jostle__waits *w = malloc(jostle__waits_size(n));
  ck_assert_ptr_nonnull(w);
  jostle__waits_init(w, n);
  jostle__waits_board = w;
  return w;
}

static int mutex_a, mutex_b, lock_l, cond_c; /* objects: only their addresses matter */

/* The board's verdict: 1 and its text in `text`, or 0. */
static char text[192];
static int verdict(jostle__waits *w, int others) {
  uint64_t stamp = 0;
  text[0] = 0;
  return jostle__waits_deadlock(w, others, &stamp, text, sizeof text);
}

START_TEST(a_wake_since_the_wait_began_may_end_it) {
  jostle__waits *w = board(2);
  jostle__waits_block(&w->threads[0], &cond_c, JOSTLE__OBJ_COND, JOSTLE__WAITS_WAKE,
                      jostle__waits_wakes());
  jostle__waits_done(w, 1, 1);
  ck_assert_int_eq(verdict(w, 0), 1);
  ck_assert_str_eq(text, "deadlock (thread 0 waits for cond#0)");
  jostle__waits_woke();
  ck_assert_int_eq(verdict(w, 0), 0);
  free(w);
}
END_TEST

START_TEST(threads_the_pool_does_not_know_may_wake) {
  jostle__waits *w = board(2);
  jostle__waits_block(&w->threads[0], &cond_c, JOSTLE__OBJ_COND, JOSTLE__WAITS_WAKE, 0);
  jostle__waits_done(w, 1, 1);
  ck_assert_int_eq(verdict(w, 1), 0);
  ck_assert_int_eq(verdict(w, -1), 0);
  ck_assert_int_eq(verdict(w, 0), 1);
  free(w);
}
END_TEST

/* Thread 0 waits for a held by 1, which waits for b held by 2: stuck only
 * when 2 cannot go on. */
START_TEST(a_chain_ends_where_a_holder_runs) {
  jostle__waits *w = board(3);
  jostle__waits_hold(&w->threads[1], &mutex_a, 1);
  jostle__waits_hold(&w->threads[2], &mutex_b, 1);
  jostle__waits_block(&w->threads[0], &mutex_a, JOSTLE__OBJ_MUTEX, JOSTLE__WAITS_LOCK, 0);
  jostle__waits_block(&w->threads[1], &mutex_b, JOSTLE__OBJ_MUTEX, JOSTLE__WAITS_LOCK, 0);
  ck_assert_int_eq(verdict(w, 0), 0);
  jostle__waits_done(w, 2, 1);
  ck_assert_int_eq(verdict(w, 0), 1);
  ck_assert_str_eq(text, "deadlock (thread 0 waits for mutex#0 held by thread 1; "
                         "thread 1 waits for mutex#1 held by thread 2, which has finished)");
  free(w);
}
END_TEST

/* A reader is kept out by a writer only; a writer by any holder. */
START_TEST(readers_are_kept_out_by_writers_only) {
  jostle__waits *w = board(2);
  jostle__waits_hold(&w->threads[1], &lock_l, 0);
  jostle__waits_done(w, 1, 1);
  uint32_t was = jostle__waits_block(&w->threads[0], &lock_l, JOSTLE__OBJ_RWLOCK,
                                     JOSTLE__WAITS_READ, 0);
  ck_assert_int_eq(verdict(w, 0), 0);
  jostle__waits_unblock(&w->threads[0], was);
  jostle__waits_block(&w->threads[0], &lock_l, JOSTLE__OBJ_RWLOCK, JOSTLE__WAITS_LOCK, 0);
  ck_assert_int_eq(verdict(w, 0), 1);
  ck_assert_str_eq(text, "deadlock (thread 0 waits for rwlock#0 held by thread 1, "
                         "which has finished)");
  free(w);
}
END_TEST

/* Released locks leave the list; more than it holds are unknown holders,
 * who may let go. */
START_TEST(holdings_follow_the_calls) {
  jostle__waits *w = board(2);
  jostle__waiter *one = &w->threads[1];
  jostle__waits_hold(one, &mutex_a, 1);
  jostle__waits_hold(one, &mutex_b, 1);
  jostle__waits_release(one, &mutex_a);
  ck_assert_int_eq(jostle__waits_holds(one, &mutex_a), 0);
  ck_assert_int_eq(jostle__waits_holds(one, &mutex_b), 1);
  jostle__waits_done(w, 1, 1);
  jostle__waits_block(&w->threads[0], &mutex_a, JOSTLE__OBJ_MUTEX, JOSTLE__WAITS_LOCK, 0);
  ck_assert_int_eq(verdict(w, 0), 0); /* a is free */
  jostle__waits_init(w, 2);
  int many[JOSTLE__WAITS_HELD + 1];
  for (int i = 0; i <= JOSTLE__WAITS_HELD; i++) jostle__waits_hold(one, &many[i], 1);
  jostle__waits_done(w, 1, 1);
  jostle__waits_block(&w->threads[0], &many[JOSTLE__WAITS_HELD], JOSTLE__OBJ_MUTEX,
                      JOSTLE__WAITS_LOCK, 0);
  ck_assert_int_eq(verdict(w, 0), 0); /* held past the list: its holder is unknown */
  free(w);
}
END_TEST

/* Unlocking a lock the record does not list (another thread's, or one
 * taken in setup) leaves the holdings unknown: no proof until the next run. */
START_TEST(an_unlisted_release_proves_nothing) {
  jostle__waits *w = board(2);
  jostle__waits_hold(&w->threads[1], &mutex_a, 1);
  jostle__waits_done(w, 1, 1);
  jostle__waits_block(&w->threads[0], &mutex_a, JOSTLE__OBJ_MUTEX, JOSTLE__WAITS_LOCK, 0);
  ck_assert_int_eq(verdict(w, 0), 1);
  jostle__waits_release(&w->threads[0], &mutex_b);
  ck_assert_int_eq(verdict(w, 0), 0);
  jostle__waits_begin_run(w);
  ck_assert_int_eq(atomic_load(&w->unsure), 0);
  free(w);
}
END_TEST

/* A record read while it changes proves nothing; any change moves the
 * stamp, which the parent compares between two reads. */
START_TEST(records_are_read_whole) {
  jostle__waits *w = board(2);
  jostle__waits_block(&w->threads[0], &mutex_a, JOSTLE__OBJ_MUTEX, JOSTLE__WAITS_LOCK, 0);
  jostle__waits_block(&w->threads[1], &mutex_b, JOSTLE__OBJ_MUTEX, JOSTLE__WAITS_LOCK, 0);
  jostle__waits_hold(&w->threads[0], &mutex_b, 1);
  jostle__waits_hold(&w->threads[1], &mutex_a, 1);
  uint64_t first = 0, second = 0, third = 0;
  ck_assert_int_eq(jostle__waits_deadlock(w, 0, &first, text, sizeof text), 1);
  ck_assert_int_eq(jostle__waits_deadlock(w, 0, &second, text, sizeof text), 1);
  ck_assert_uint_eq(first, second);
  atomic_fetch_add(&w->threads[1].seq, 1); /* a write in progress */
  ck_assert_int_eq(jostle__waits_deadlock(w, 0, &third, text, sizeof text), 0);
  atomic_fetch_add(&w->threads[1].seq, 1);
  ck_assert_int_eq(jostle__waits_deadlock(w, 0, &third, text, sizeof text), 1);
  ck_assert_uint_ne(third, first);
  free(w);
}
END_TEST

int main(void) {
  Suite *s = suite_create("waits");
  TCase *tc = jostle_check_case(s, "waits", 10, 0);
  tcase_add_test(tc, a_wake_since_the_wait_began_may_end_it);
  tcase_add_test(tc, threads_the_pool_does_not_know_may_wake);
  tcase_add_test(tc, a_chain_ends_where_a_holder_runs);
  tcase_add_test(tc, readers_are_kept_out_by_writers_only);
  tcase_add_test(tc, holdings_follow_the_calls);
  tcase_add_test(tc, an_unlisted_release_proves_nothing);
  tcase_add_test(tc, records_are_read_whole);
  return jostle_check_run(s);
}
