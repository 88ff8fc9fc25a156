/* scenarios_test.h: the test-only scenarios' ground truth (scenarios_test.c). */
#ifndef JOSTLE_SCENARIOS_TEST_H
#define JOSTLE_SCENARIOS_TEST_H

/* Whether a run with this seed crashes (test-crash) or hangs (test-hang). */
int jostle_test_crashes(unsigned long long seed);
int jostle_test_hangs(unsigned long long seed);
/* Whether thread 1 of test-thread-outcome calls jostle_fail in this run. */
int jostle_test_thread_fails(unsigned long long seed);

/* test-many-outcomes: the value a run with this seed observes, one of
 * JOSTLE_TEST_MANY, far more than a cell lists. */
#define JOSTLE_TEST_MANY 3000
int jostle_test_many_value(unsigned long long seed);

/* test-tickets: 3 threads take 2 tickets each, 90 orders. */
#define JOSTLE_TEST_TICKETS 6

/* test-calls: -D call=K makes call K of this table in every thread.
 * modelled: controlled runs carry the call out on jostle's model, and
 * every run passes; else a controlled run must end at it, with a limit
 * whose text is "unsupported: " followed by `call`;
 * free_ok: the body is correct C, so that under `free` every run passes;
 * tsan_blind: the body synchronises with calls ThreadSanitizer's runtime
 * does not intercept, C11 threads' or pthread_mutex_clocklock (it reports
 * their critical sections as races, and a thrd_create thread crashes in
 * it). */
typedef struct jostle_test_call {
  const char *call;
  int modelled;
  int free_ok;
  int tsan_blind;
} jostle_test_call;

extern const jostle_test_call jostle_test_calls[];
extern const int jostle_test_n_calls;

/* test-output: whether a run with this seed prints JOSTLE_TEST_PRINTED on
 * stdout (and fails); runs that do not, and jostle_test_crashes, write
 * JOSTLE_TEST_CRASH_WROTE on stderr and abort. */
int jostle_test_prints(unsigned long long seed);
#define JOSTLE_TEST_PRINTED "result test-output runs=1 divergent=0\nreproduce: forged\n"
#define JOSTLE_TEST_CRASH_WROTE "about to abort\n"

/* test-waits: -D case=K (with `threads` threads) blocks in wrapped calls
 * under `free`: every run is the deadlock `deadlock` names, or, when it is
 * NULL, every run ends (outcome "done=1") although a thread waits for
 * longer than the parent's checks. */
typedef struct jostle_test_wait {
  const char *what;
  int threads;
  const char *deadlock;
} jostle_test_wait;

extern const jostle_test_wait jostle_test_waits[];
extern const int jostle_test_n_waits;

#endif
