/*
 * scenarios/lock_order.c: two locks taken in opposite orders, the ABBA
 * deadlock.
 *
 * Two bank accounts, each with its own lock. A transfer locks the account
 * it takes money from, then the account it pays into, and moves the amount
 * with both held. Thread 0 transfers from A to B while thread 1 transfers
 * from B to A, so thread 0 takes A then B and thread 1 takes B then A. When
 * each has taken its first lock before the other takes its second, each
 * waits for the lock that the other holds and will not release: the run
 * deadlocks. jostle_yield() between the two acquisitions marks the window.
 *
 *   lock-order        each transfer locks its source, then its destination
 *                     (racy)
 *   lock-order-fixed  each transfer locks the two accounts in one global
 *                     order, the lower account id first, whatever the
 *                     direction. Whoever holds B took A first and holds
 *                     it still, so the holder of A never finds B taken:
 *                     the only wait left is for A, on a thread that can
 *                     always finish.
 *
 * Observation: the balances after both transfers, "a=110 b=90" (each
 * account opens with 100; thread 0 pays 10 from A to B, thread 1 pays 20
 * from B to A). Other balances fail the run: a transfer was lost although
 * both locks were held. A deadlocked run never reaches the check: under
 * the uncontrolled schedulers it blocks forever, and jostle's parent kills
 * its worker after --timeout and counts a hang; teardown does not run
 * either, and the mutexes die with the process.
 */
#include <pthread.h>

#include "common.h"

enum { ACCOUNT_A, ACCOUNT_B, N_ACCOUNTS };

#define OPENING_BALANCE 100
#define ACCOUNT_ALIGN 64

/* What thread i transfers from account i to the other one. */
static const long transfer_amount[2] = {10, 20};

/* Each account on a cache line of its own, as separately allocated objects
 * would be: with both lock words on one line, the two first acquisitions
 * would contend for that line, and whoever got it first would usually take
 * the second lock too before the other thread took its first. */
struct account {
  _Alignas(ACCOUNT_ALIGN) pthread_mutex_t lock;
  long balance; /* guarded by lock */
};

struct bank {
  struct account accounts[N_ACCOUNTS];
};

static void bank_setup(jostle_run *r) {
  struct bank *s = jostle_state(r);
  for (int i = 0; i < N_ACCOUNTS; i++) {
    pthread_mutex_init(&s->accounts[i].lock, NULL);
    s->accounts[i].balance = OPENING_BALANCE;
  }
}

/* The move itself; the caller holds both accounts' locks. */
static void move_money(struct bank *s, int from, int to, long amount) {
  s->accounts[from].balance -= amount;
  s->accounts[to].balance += amount;
}

static void bank_check(jostle_run *r) {
  struct bank *s = jostle_state(r);
  long a = s->accounts[ACCOUNT_A].balance, b = s->accounts[ACCOUNT_B].balance;

  jostle_observe(r, "a", a);
  jostle_observe(r, "b", b);
  if (a != OPENING_BALANCE - transfer_amount[0] + transfer_amount[1] ||
      b != OPENING_BALANCE + transfer_amount[0] - transfer_amount[1])
    jostle_fail(r, "lost transfer");
}

static void bank_teardown(jostle_run *r) {
  struct bank *s = jostle_state(r);
  for (int i = 0; i < N_ACCOUNTS; i++)
    pthread_mutex_destroy(&s->accounts[i].lock);
}

/* ---- lock-order: the racy original ---------------------------------------- */

/* Source first, then destination: thread 0 takes A then B, thread 1 B then A. */
static void source_first_thread(jostle_run *r, int index) {
  struct bank *s = jostle_state(r);
  int from = index, to = 1 - index;

  pthread_mutex_lock(&s->accounts[from].lock);
  jostle_yield(); /* the other thread may take its first lock here */
  pthread_mutex_lock(&s->accounts[to].lock);
  move_money(s, from, to, transfer_amount[index]);
  pthread_mutex_unlock(&s->accounts[to].lock);
  pthread_mutex_unlock(&s->accounts[from].lock);
}

JOSTLE_SCENARIO(lock_order) {
  .name = "lock-order",
  .summary = "two threads take locks A, B in opposite orders: ABBA deadlock",
  .racy = 1,
  .threads = 2,
  .min_threads = 2,
  .max_threads = 2,
  .state_size = sizeof(struct bank),
  .setup = bank_setup,
  .thread = source_first_thread,
  .check = bank_check,
  .teardown = bank_teardown,
};

/* ---- lock-order-fixed ----------------------------------------------------- */

/* Lower account id first, whatever the direction: both take A then B. */
static void ordered_thread(jostle_run *r, int index) {
  struct bank *s = jostle_state(r);
  int from = index, to = 1 - index;
  int first = from < to ? from : to, second = from < to ? to : from;

  pthread_mutex_lock(&s->accounts[first].lock);
  jostle_yield(); /* the same window: the other thread now waits for `first` */
  pthread_mutex_lock(&s->accounts[second].lock);
  move_money(s, from, to, transfer_amount[index]);
  pthread_mutex_unlock(&s->accounts[second].lock);
  pthread_mutex_unlock(&s->accounts[first].lock);
}

JOSTLE_SCENARIO(lock_order_fixed) {
  .name = "lock-order-fixed",
  .summary = "both threads take locks A, B in one global order (fix of lock-order)",
  .racy = 0,
  .threads = 2,
  .min_threads = 2,
  .max_threads = 2,
  .state_size = sizeof(struct bank),
  .setup = bank_setup,
  .thread = ordered_thread,
  .check = bank_check,
  .teardown = bank_teardown,
};
