/*
 * check_control.c: controlled schedulers (random, pct, pos) and the baton
 * runtime. A controlled run is a pure function of its seed; the random
 * scheduler loses the 2x1 counter's increment at the rate its model
 * predicts; deadlocks and livelocks become named outcomes; every wrapped
 * primitive works under every scheduler.
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/seed.h"
#include "harness/campaign.h"
#include "harness/pool.h"
#include "harness/tally.h"
#include "schedulers/control.h"
#include "tests/check_main.h"
#include "tests/scenarios_test.h"
#include "tests/test_plan.h"

static jostle__plan plan_for(const char *name, const jostle__sched_ops *sched) {
  return jostle_test_plan(name, sched);
}

static jostle__pool *pool_for(const jostle__plan *p, int spin) {
  jostle__pool *pool = jostle__pool_create(p);
  ck_assert_ptr_nonnull(pool);
  int none[JOSTLE_MAX_THREADS];
  for (int i = 0; i < JOSTLE_MAX_THREADS; i++) none[i] = -1;
  ck_assert_int_eq(jostle__pool_place(pool, none, spin), 0);
  (void)jostle__pool_calibrate(pool, 0);
  return pool;
}

/* What a run left: its schedule's hash and its outcome's hash. */
typedef struct run_print {
  uint64_t schedule, outcome;
} run_print;

/* `switching`: whether the pool's hand-overs must switch threads in user
 * space (where this build can) or go through the kernel. */
static void fingerprint(const jostle__plan *p, int spin, int switching, run_print *out, int n) {
  if (!switching) ck_assert_int_eq(setenv("JOSTLE_HANDOVER", "kernel", 1), 0);
  jostle__pool *pool = pool_for(p, spin);
  ck_assert_int_eq(jostle__pool_switches(pool), switching && jostle__control_switching() == NULL);
  for (int i = 0; i < n; i++) {
    const jostle_run *r = jostle__pool_run(pool, jostle__mix(7, (uint64_t)i));
    char text[JOSTLE__TEXT_MAX];
    jostle__outcome_text(r, text, sizeof text);
    out[i].schedule = jostle__pool_schedule_hash(pool);
    out[i].outcome = jostle__fnv1a(text, strlen(text));
  }
  jostle__pool_destroy(pool);
}

static const char *const determinism_scenarios[] = {"cancel-flag", "counter-owner",
                                                    "test-sync-all", "cache"};

/* The same seed gives the same schedule and outcome: in another process,
 * whether hand-offs spin or sleep, switch threads in user space or go
 * through the kernel. */
START_TEST(same_seed_same_schedule_everywhere) {
  const jostle__sched_ops *scheds[] = {jostle__sched_find("random"), jostle__sched_find("pct"),
                                       jostle__sched_find("pos"), jostle__sched_find("surw")};
  int n = 2000 * (int)jostle_check_soak();
  for (int k = 0; k < 4; k++) {
    jostle__plan p = plan_for(determinism_scenarios[_i], scheds[k]);
    run_print *child = mmap(NULL, (size_t)n * sizeof *child, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(child, MAP_FAILED);
    pid_t pid = fork(); /* before any pool: the parent has one thread */
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
      fingerprint(&p, 0, 0, child, n);
      _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    run_print *mine = calloc((size_t)n, sizeof *mine);
    fingerprint(&p, 1, 1, mine, n);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      ck_assert_msg(mine[i].schedule == child[i].schedule && mine[i].outcome == child[i].outcome,
                    "%s under %s: seed %d differs between processes", p.scenario->name,
                    scheds[k]->name, i);
      distinct += i > 0 && mine[i].schedule != mine[0].schedule;
    }
    ck_assert_msg(distinct > 0, "%s under %s: every seed gave one schedule", p.scenario->name,
                  scheds[k]->name);
    free(mine);
    munmap(child, (size_t)n * sizeof *child);
  }
}
END_TEST

/* The model of the random scheduler: the first thread is drawn uniformly;
 * a thread that reaches a point continues or hands over, drawn uniformly
 * among the threads that have not finished (itself included); a finished
 * thread hands over likewise. Each thread of 2x1 counter runs segments
 * between points: nothing up to each point but the last two, then the
 * load (counter -> register) and the store (register + 1 -> counter). With
 * points only before the load and before the store this gives 3/8; the
 * built-in counter also yields before its increment. Returns the
 * probability that the counter ends at 1, by exhaustive enumeration. */
enum seg { NOP, LOAD, STORE };

static double model_lost(const enum seg *prog, int len, int pos0, int pos1, int reg0,
                         int reg1, int counter, int cur) {
  int pos[2] = {pos0, pos1}, reg[2] = {reg0, reg1};
  enum seg op = prog[pos[cur]];
  if (op == LOAD) reg[cur] = counter;
  if (op == STORE) counter = reg[cur] + 1;
  pos[cur]++;
  int left[2], n_left = 0;
  for (int t = 0; t < 2; t++)
    if (pos[t] < len) left[n_left++] = t;
  if (n_left == 0) return counter == 1;
  double p = 0;
  for (int k = 0; k < n_left; k++)
    p += model_lost(prog, len, pos[0], pos[1], reg[0], reg[1], counter, left[k]) / n_left;
  return p;
}

static double model_for_points(int points) {
  enum seg prog[16];
  int len = 0;
  for (int i = 0; i < points - 1; i++) prog[len++] = NOP;
  prog[len++] = LOAD;
  prog[len++] = STORE;
  return (model_lost(prog, len, 0, 0, 0, 0, 0, 0) + model_lost(prog, len, 0, 0, 0, 0, 0, 1)) / 2;
}

START_TEST(model_gives_three_eighths) {
  ck_assert_double_eq_tol(model_for_points(2), 3.0 / 8.0, 1e-12);
  ck_assert_double_eq_tol(model_for_points(3), 5.0 / 16.0, 1e-12);
}
END_TEST

/* The random scheduler loses the 2x1 counter's increment at the rate the
 * model predicts for the points the build gives each thread. */
START_TEST(random_counter_matches_model) {
  jostle__plan p = plan_for("counter", jostle__sched_find("random"));
  jostle__pool *pool = pool_for(&p, 1);
  (void)jostle__pool_run(pool, 1);
  uint64_t points = jostle__pool_steps(pool) / 2;
  int n = 40000, lost = 0;
  for (int i = 0; i < n; i++) {
    const jostle_run *r = jostle__pool_run(pool, jostle__mix(99, (uint64_t)i));
    ck_assert_uint_eq(jostle__pool_steps(pool), 2 * points);
    lost += r->obs_values[0] == 1;
  }
  jostle__pool_destroy(pool);
  if (points < 2) {
    /* Not instrumented (the ThreadSanitizer build): one point per thread,
     * before an increment that is then never split. */
    ck_assert_int_eq(lost, 0);
    return;
  }
  double expected = model_for_points((int)points);
  double rate = (double)lost / n, sd = sqrt(expected * (1 - expected) / n);
  printf("counter under random: %llu points per thread, lost %.4f, model %.4f\n",
         (unsigned long long)points, rate, expected);
  ck_assert_msg(fabs(rate - expected) < 4.5 * sd, "lost %.4f, model %.4f", rate, expected);
}
END_TEST

static const jostle__outcome *only(const jostle__cell *c, jostle__class cls) {
  for (size_t i = 0; i < c->n_outcomes; i++)
    if (c->outcomes[i].cls == cls) return &c->outcomes[i];
  return NULL;
}

/* ABBA locking and a lost wake-up come out as deadlocks that say which
 * thread waits for what, under every strategy. Objects are numbered by
 * their place in the text, so the ABBA deadlock is one outcome whichever
 * mutex was locked first (numbered by first use, it was two). */
START_TEST(deadlocks_are_named) {
  static const char *const names[] = {"lock-order", "lost-wakeup"};
  static const char *const expect[] = {
      "deadlock (thread 0 waits for mutex#0 held by thread 1; thread 1 waits for mutex#1 held by thread 0)",
      "deadlock (thread 0 waits for cond#"};
  const jostle__sched_ops *scheds[] = {jostle__sched_find("random"), jostle__sched_find("pct"),
                                       jostle__sched_find("pos"), jostle__sched_find("surw")};
  for (int k = 0; k < 4; k++) {
    jostle__plan p = plan_for(names[_i], scheds[k]);
    p.n_runs = 2000;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    const jostle__outcome *d = only(&c, JOSTLE__DEADLOCK);
    ck_assert_msg(d != NULL, "%s under %s: no deadlock", names[_i], scheds[k]->name);
    ck_assert_msg(strncmp(d->text, expect[_i], strlen(expect[_i])) == 0, "%s: %s", names[_i],
                  d->text);
    size_t n_deadlocks = 0;
    for (size_t i = 0; i < c.n_outcomes; i++) n_deadlocks += c.outcomes[i].cls == JOSTLE__DEADLOCK;
    ck_assert_msg(n_deadlocks == 1, "%s under %s: %zu deadlock outcomes", names[_i],
                  scheds[k]->name, n_deadlocks);
    ck_assert_ptr_null(only(&c, JOSTLE__HANG));
    ck_assert_ptr_null(only(&c, JOSTLE__CRASH));
    jostle__cell_free(&c);
  }
}
END_TEST

/* Threads that wait for one lock cost a step each to take it, not one for
 * every waiter at every unlock: 64 threads x 10 increments of
 * counter-mutex are about 3,800 points (all woken at each unlock, they
 * were 31,600, and 128 threads passed the default step limit: a limit of
 * jostle's own reported as the scenario's). */
START_TEST(contended_locks_cost_linear_steps) {
  const char *sched = _i == 0 ? "random" : _i == 1 ? "pct" : _i == 2 ? "pos" : "surw";
  jostle__plan p = plan_for("counter-mutex", jostle__sched_find(sched));
  p.n_threads = 64;
  p.params[0] = 10; /* increments */
  p.sched_cfg.step_limit = 6000;
  p.n_runs = 20;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_msg(c.n_outcomes == 1 && c.outcomes[0].cls == JOSTLE__ALLOWED,
                "counter-mutex, 64 x 10, under %s: '%s'", sched, c.outcomes[0].text);
  ck_assert_str_eq(c.outcomes[0].text, "counter=640");
  jostle__cell_free(&c);
}
END_TEST

/* A thread that spins forever (yielding) ends at the step limit. */
START_TEST(livelock_hits_the_step_limit) {
  jostle__plan p = plan_for("test-spin", jostle__sched_find("pct"));
  p.sched_cfg.step_limit = 500;
  p.n_runs = 200;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_outcomes, 1);
  ck_assert_int_eq(c.outcomes[0].cls, JOSTLE__STEP_LIMIT);
  ck_assert_str_eq(c.outcomes[0].text, "step-limit (500 points)");
  ck_assert_uint_eq(c.n_divergent, 200);
  jostle__cell_free(&c);
}
END_TEST

/* Every wrapped primitive, used correctly, completes with the one right
 * outcome under every scheduler, and with 2 and 3 threads. */
START_TEST(every_primitive_under_every_scheduler) {
  for (int i = 0; jostle__schedulers[i] != NULL; i++) {
    if (jostle__schedulers[i] == jostle__sched_find("replay")) continue; /* check_schedule.c */
    for (int threads = 2; threads <= 3; threads++) {
      jostle__plan p = plan_for("test-sync-all", jostle__schedulers[i]);
      p.n_threads = threads;
      p.n_runs = 1500;
      jostle__cell c = {0};
      ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
      ck_assert_msg(c.n_outcomes == 1 && c.outcomes[0].cls == JOSTLE__ALLOWED,
                    "test-sync-all, %d threads, under %s: %zu outcomes, the rarest '%s'",
                    threads, jostle__schedulers[i]->name, c.n_outcomes,
                    c.outcomes[c.n_outcomes - 1].text);
      jostle__cell_free(&c);
    }
  }
}
END_TEST

/* A thread's TLS, errno and pthread_self are its own across scheduling
 * points, created threads' too, under every controlled scheduler and
 * either hand-over. */
START_TEST(threads_keep_their_own_state) {
  const char *const scheds[] = {"random", "pct", "pos", "surw"};
  if (_i == 1) ck_assert_int_eq(setenv("JOSTLE_HANDOVER", "kernel", 1), 0);
  for (int k = 0; k < 4; k++) {
    jostle__plan p = plan_for("test-thread-self", jostle__sched_find(scheds[k]));
    p.n_runs = 300;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_msg(c.n_outcomes == 1 && c.outcomes[0].cls == JOSTLE__ALLOWED,
                  "under %s, %s hand-over: %zu outcomes, the rarest '%s'", scheds[k],
                  _i ? "kernel" : "default", c.n_outcomes, c.outcomes[c.n_outcomes - 1].text);
    jostle__cell_free(&c);
  }
}
END_TEST

/* An abort is a crash by SIGABRT where the aborting code is, whichever OS
 * thread it runs on (the runs' threads switch), never another signal or
 * another thread's frames. */
START_TEST(aborts_are_crashes_where_they_happen) {
  jostle__plan p = plan_for("test-abort-late", jostle__sched_find("random"));
  p.n_runs = 40;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_msg(c.n_outcomes == 1 && c.outcomes[0].cls == JOSTLE__CRASH &&
                    c.outcomes[0].count == 40,
                "%zu outcomes, the first '%s'", c.n_outcomes, c.outcomes[0].text);
  ck_assert_str_eq(c.outcomes[0].text, "crash (SIGABRT)");
#ifndef JOSTLE_SANITIZER
  ck_assert_msg(strstr(c.outcomes[0].detail, "late_abort_thread") != NULL, "%s",
                c.outcomes[0].detail);
#endif
  jostle__cell_free(&c);
}
END_TEST

/* A controlled run is judged by its scheduling points, not by the clock:
 * runs that take longer than --timeout but make points all along are not
 * hangs (the same as a loaded machine that makes every run slow), under
 * every controlled scheduler. A run with no point at all still hangs, and
 * its outcome says that no scheduling point was made. */
START_TEST(slow_controlled_runs_are_not_hangs) {
  const char *controlled[] = {"random", "pct"};
  for (int k = 0; k < 2; k++) {
    jostle__plan p = plan_for("test-slow", jostle__sched_find(controlled[k]));
    p.n_runs = 2;
    p.timeout_ns = 300ULL * 1000000ULL; /* a run takes 0.8 s */
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_msg(c.n_runs == 2 && c.n_outcomes == 1 && c.outcomes[0].cls == JOSTLE__ALLOWED,
                  "test-slow under %s: %zu outcomes, the first '%s'", controlled[k],
                  c.n_outcomes, c.outcomes[0].text);
    jostle__cell_free(&c);

    /* pct measures its steps in a calibration run first, which this
     * scenario never ends: that run is killed for its hang, and measured
     * by the steps it made before */
    p = plan_for("test-pointless-hang", jostle__sched_find(controlled[k]));
    p.n_runs = 1;
    p.timeout_ns = 300ULL * 1000000ULL;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_uint_eq(c.n_outcomes, 1);
    ck_assert_int_eq(c.outcomes[0].cls, JOSTLE__HANG);
    ck_assert_str_eq(c.outcomes[0].text, "hang (no scheduling point in 0.3 s)");
    jostle__cell_free(&c);
  }
}
END_TEST

/* jostle's tables grow with the run: 200 threads, and 2,000 mutexes, run
 * under every scheduler with no crash, no limit and the right counts. */
START_TEST(many_threads_and_objects_run_everywhere) {
  static const char *const crowds[] = {"test-many-threads", "test-many-mutexes"};
  for (int i = 0; jostle__schedulers[i] != NULL; i++) {
    if (jostle__schedulers[i]->follows_schedule) continue;
    for (int k = 0; k < 2; k++) {
      jostle__plan p = plan_for(crowds[k], jostle__schedulers[i]);
      /* few runs: under the sanitizers' kernel hand-over a run of 200
       * threads takes seconds */
      p.n_runs = 5;
      jostle__cell c = {0};
      ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
      ck_assert_msg(c.n_runs == 5 && c.n_outcomes == 1 && c.outcomes[0].cls == JOSTLE__ALLOWED,
                    "%s under %s: %llu runs, %zu outcomes, the first '%s'", crowds[k],
                    jostle__schedulers[i]->name, (unsigned long long)c.n_runs, c.n_outcomes,
                    c.outcomes[0].text);
      jostle__cell_free(&c);
    }
  }
}
END_TEST

/* A run that needs more threads than a controlled run numbers ends with a
 * `limit` outcome naming the limit: never a crash blamed on the scenario. */
START_TEST(beyond_the_thread_limit_is_a_limit) {
  const char *controlled[] = {"random", "pct"};
  for (int k = 0; k < 2; k++) {
    jostle__plan p = plan_for("test-thread-limit", jostle__sched_find(controlled[k]));
    p.n_runs = 3;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_uint_eq(c.n_outcomes, 1);
    ck_assert_int_eq(c.outcomes[0].cls, JOSTLE__LIMIT);
    ck_assert_str_eq(c.outcomes[0].text, "limit (a run of more than 1024 threads)");
    ck_assert_uint_eq(c.n_divergent, 3);
    jostle__cell_free(&c);
  }
}
END_TEST

/* Threads created and joined inside a scenario: correct under every
 * scheduler; their lost updates found by the controlled ones; a join that
 * can never return is a deadlock naming the thread waited for. */
START_TEST(created_threads_join_the_schedule) {
  for (int i = 0; jostle__schedulers[i] != NULL; i++) {
    if (jostle__schedulers[i] == jostle__sched_find("replay")) continue;
    jostle__plan p = plan_for("test-spawn", jostle__schedulers[i]);
    p.n_runs = 500;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_msg(c.n_outcomes == 1 && c.outcomes[0].cls == JOSTLE__ALLOWED,
                  "test-spawn under %s: %zu outcomes, the first '%s'",
                  jostle__schedulers[i]->name, c.n_outcomes, c.outcomes[0].text);
    ck_assert_str_eq(c.outcomes[0].text, "count=4 joined=4");
    jostle__cell_free(&c);
  }
  const jostle__sched_ops *controlled[] = {jostle__sched_find("random"), jostle__sched_find("pct"),
                                           jostle__sched_find("pos"),
                                           jostle__sched_find("surw")};
  for (int k = 0; k < 4; k++) {
    jostle__plan p = plan_for("test-spawn-racy", controlled[k]);
    p.n_runs = 500;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_msg(c.n_divergent > 0, "%s finds no lost update", controlled[k]->name);
    jostle__cell_free(&c);

    p = plan_for("test-join-deadlock", controlled[k]);
    p.n_runs = 50;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_uint_eq(c.n_outcomes, 1);
    ck_assert_str_eq(c.outcomes[0].text, "deadlock (thread 0 waits for thread 1 to finish; "
                                         "thread 1 (locking_child) waits for mutex#0 held by "
                                         "thread 0)");
    jostle__cell_free(&c);
  }
}
END_TEST

/* --spurious-wakeups: a condition wait may end unsignalled, as a choice,
 * and an option that sounds more thorough never finds less. lost-wakeup's
 * bare wait is found under random, pct and pos with and without it: its
 * deadlock (the signal came first; a real condition variable need never
 * wake the waiter) in every combination, and with the option also the
 * waiter that woke before the event. A predicate loop (lost-wakeup-fixed,
 * test-sync-all) waits again: clean in every combination. */
START_TEST(spurious_wakeups_are_a_choice) {
  const jostle__sched_ops *controlled[] = {jostle__sched_find("random"), jostle__sched_find("pct"),
                                           jostle__sched_find("pos"),
                                           jostle__sched_find("surw")};
  for (int k = 0; k < 4; k++) {
    for (int spurious = 0; spurious <= 1; spurious++) {
      jostle__plan p = plan_for("lost-wakeup", controlled[k]);
      p.sched_cfg.spurious_wakeups = spurious;
      p.n_runs = 400;
      jostle__cell c = {0};
      ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
      int woke_early = 0;
      for (size_t i = 0; i < c.n_outcomes; i++)
        woke_early |= strcmp(c.outcomes[i].text, "woken=1 value=0 (woke before the event)") == 0;
      ck_assert_msg(c.n_divergent > 0, "lost-wakeup under %s, spurious %d: not found",
                    controlled[k]->name, spurious);
      ck_assert_msg(only(&c, JOSTLE__DEADLOCK) != NULL,
                    "lost-wakeup under %s, spurious %d: no deadlock", controlled[k]->name,
                    spurious);
      ck_assert_msg(woke_early == spurious, "lost-wakeup under %s, spurious %d: early wake %d",
                    controlled[k]->name, spurious, woke_early);
      ck_assert_ptr_null(only(&c, JOSTLE__HANG));
      ck_assert_ptr_null(only(&c, JOSTLE__CRASH));
      jostle__cell_free(&c);
      static const char *const fixed[] = {"lost-wakeup-fixed", "test-sync-all"};
      for (int f = 0; f < 2; f++) {
        p = plan_for(fixed[f], controlled[k]);
        p.sched_cfg.spurious_wakeups = spurious;
        p.n_runs = 1000;
        memset(&c, 0, sizeof c);
        ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
        ck_assert_msg(c.n_divergent == 0, "%s under %s, spurious %d: '%s'", fixed[f],
                      controlled[k]->name, spurious, c.outcomes[c.n_outcomes - 1].text);
        jostle__cell_free(&c);
      }
    }
  }
}
END_TEST

/* A call jostle does not model never gives a silent wrong verdict under a
 * controlled scheduler (a hang, a false deadlock, a crash of jostle's, a
 * run outside the schedule): every run ends at the call with one limit
 * outcome, `unsupported: CALL`. A modelled call (once, barriers, C11
 * mutexes, condition variables and threads, thrd_yield) keeps its promise
 * in every run, as under free. (A 2-second timeout, so that a hang shows
 * quickly.) */
START_TEST(calls_are_modelled_or_refused) {
  const jostle_test_call *call = &jostle_test_calls[_i];
  const char *controlled[] = {"random", "pct"};
  char want[128];
  snprintf(want, sizeof want, "unsupported: %s", call->call);
  for (int k = 0; k < 3; k++) {
    const char *sched = k < 2 ? controlled[k] : "free";
    if (k == 2 && !call->free_ok) continue;
#ifdef JOSTLE_UNINSTRUMENTED
    if (k == 2 && call->tsan_blind) continue; /* the real ThreadSanitizer runtime: see tsan_blind */
#endif
    jostle__plan p = plan_for("test-calls", jostle__sched_find(sched));
    p.params[0] = _i;
    p.n_runs = 20;
    p.timeout_ns = 2ULL * 1000000000ULL;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_uint_eq(c.n_runs, 20);
    ck_assert_msg(c.n_outcomes == 1, "call %d under %s: %zu outcomes, the first '%s'", _i, sched,
                  c.n_outcomes, c.n_outcomes ? c.outcomes[0].text : "");
    if (k < 2 && !call->modelled) {
      size_t n = strlen(want);
      ck_assert_msg(c.outcomes[0].cls == JOSTLE__LIMIT && strncmp(c.outcomes[0].text, want, n) == 0 &&
                        (c.outcomes[0].text[n] == '\0' || c.outcomes[0].text[n] == ' '),
                    "call %d under %s: '%s', not '%s'", _i, sched, c.outcomes[0].text, want);
      ck_assert_uint_eq(c.n_divergent, 20);
    } else {
      ck_assert_msg(c.outcomes[0].cls == JOSTLE__ALLOWED, "call %d under %s: '%s'", _i, sched,
                    c.outcomes[0].text);
      ck_assert_str_eq(c.outcomes[0].text, "bad=0");
    }
    jostle__cell_free(&c);
  }
}
END_TEST

/* --races through a barrier: its rounds order what came before them, and
 * only that. test-sync-all (every modelled call, --races) never races;
 * test-barrier-race's write and read between the same two rounds race in
 * every run, also when the reader leaves the first round after the writer
 * has arrived at the second. */
START_TEST(barrier_rounds_order_their_own) {
#ifndef JOSTLE_UNINSTRUMENTED
  const char *sched = _i == 0 ? "random" : _i == 1 ? "pct" : _i == 2 ? "pos" : "surw";
  static const char *const names[] = {"test-sync-all", "test-barrier-race"};
  for (int k = 0; k < 2; k++) {
    jostle__plan p = plan_for(names[k], jostle__sched_find(sched));
    p.sched_cfg.races = 1;
    p.n_runs = 1000;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    ck_assert_msg(c.n_outcomes == 1, "%s under %s --races: %zu outcomes, the rarest '%s'",
                  names[k], sched, c.n_outcomes, c.outcomes[c.n_outcomes - 1].text);
    ck_assert_int_eq(c.outcomes[0].cls, k == 0 ? JOSTLE__ALLOWED : JOSTLE__RACE);
    jostle__cell_free(&c);
  }
#endif
}
END_TEST

/* A divergent seed found by a campaign replays to the same outcome; under
 * auto, the seed of run i replays under member i mod K alone, with its
 * own defaults: a run of the portfolio is its member's run. */
START_TEST(found_seeds_replay) {
  static const char *const scheds[] = {"pct", "pos", "surw", "auto"};
  jostle__plan p = plan_for("cancel-flag", jostle__sched_find(scheds[_i]));
  p.n_runs = 3000;
  p.n_jobs = 2;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  const jostle__sched_ops *members[JOSTLE__MAX_MEMBERS];
  int n_members = jostle__portfolio_members(members);
  int replayed = 0;
  for (size_t i = 0; i < c.n_outcomes; i++) {
    jostle__plan one = p;
    one.n_jobs = 1;
    if (p.sched->portfolio) {
      one.sched = members[jostle__portfolio_member_of(c.outcomes[i].first_run, n_members)];
      jostle__sched_cfg_default(&one.sched_cfg, one.sched);
    }
    one.seed = c.outcomes[i].first_seed;
    one.fixed_seed = 1;
    one.n_runs = 1;
    jostle__cell again = {0};
    ck_assert_int_eq(jostle__campaign_run(&one, &again, NULL, NULL), 0);
    ck_assert_uint_eq(again.n_outcomes, 1);
    ck_assert_str_eq(again.outcomes[0].text, c.outcomes[i].text);
    ck_assert_int_eq(again.outcomes[0].cls, c.outcomes[i].cls);
    replayed++;
    jostle__cell_free(&again);
  }
  ck_assert_int_gt(replayed, 0);
  jostle__cell_free(&c);
}
END_TEST

/* pct and surw never refuse a scenario: a calibration run that dies (crash, hang)
 * is measured by the steps it made before it died, the same in every
 * process; it is never blamed on a run of the campaign, and the campaign
 * is the same whatever the number of workers. A scenario whose every run
 * crashes is run, and every run is a crash. Under auto both members'
 * calibration runs die, each counted for its own member. */
START_TEST(calibration_death_still_runs) {
  static const char *const scheds[] = {"pct", "surw", "auto"};
  jostle__plan p = plan_for("test-calibration-crash", jostle__sched_find(scheds[_i]));
  ck_assert_uint_eq(JOSTLE__CALIBRATION_SEED, 0x6b2d657374ULL); /* the scenario's copy */
  p.n_runs = 100;
  jostle__cell c = {0}, again = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, 100);
  ck_assert_uint_eq(c.n_divergent, 0);
  p.n_jobs = 3;
  ck_assert_int_eq(jostle__campaign_run(&p, &again, NULL, NULL), 0);
  ck_assert_uint_eq(again.n_runs, 100);
  ck_assert_uint_eq(again.n_outcomes, c.n_outcomes);
  ck_assert_uint_eq(again.outcomes[0].count, c.outcomes[0].count);
  jostle__cell_free(&c);
  jostle__cell_free(&again);

  p = plan_for("test-abort", jostle__sched_find(scheds[_i]));
  p.n_runs = 20;
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, 20);
  ck_assert_ptr_nonnull(only(&c, JOSTLE__CRASH));
  ck_assert_uint_eq(only(&c, JOSTLE__CRASH)->count, 20);
  jostle__cell_free(&c);

  /* uncontrolled schedulers have no calibration run: all 100 runs pass */
  p = plan_for("test-calibration-crash", jostle__sched_find("free"));
  p.n_runs = 100;
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, 100);
  ck_assert_uint_eq(c.n_divergent, 0);
  jostle__cell_free(&c);
}
END_TEST


/* Whether scenario `name`'s accesses are points in this build (not in the
 * ThreadSanitizer build, which compiles scenarios plain): a run of it
 * makes more steps than its three threads' starts. */
static int instrumented(const char *name) {
  jostle__plan p = plan_for(name, jostle__sched_find("random"));
  jostle__pool *pool = pool_for(&p, 1);
  (void)jostle__pool_run(pool, 1);
  int steps = (int)jostle__pool_steps(pool);
  jostle__pool_destroy(pool);
  return steps > 3;
}

/* Chi-square of the 90 orders of test-tickets over n runs of `sched`
 * (seeds mix(11, i)): a function of the seeds. */
static double tickets_chi_square(const char *sched, int n) {
  jostle__plan p = plan_for("test-tickets", jostle__sched_find(sched));
  jostle__pool *pool = pool_for(&p, 1);
  int count[729] = {0}, n_orders = 0;
  for (int i = 0; i < n; i++) {
    const jostle_run *r = jostle__pool_run(pool, jostle__mix(11, (uint64_t)i));
    ck_assert_int_eq(r->n_obs, 1);
    ck_assert(r->obs_values[0] >= 0 && r->obs_values[0] < 729);
    count[r->obs_values[0]]++;
  }
  jostle__pool_destroy(pool);
  double expected = n / 90.0, chi = 0;
  for (int k = 0; k < 729; k++)
    if (count[k] > 0) n_orders++;
  ck_assert_int_le(n_orders, 90);
  /* the orders never seen count too: (0 - e)^2 / e each */
  for (int k = 0; k < 729; k++)
    if (count[k] > 0) chi += (count[k] - expected) * (count[k] - expected) / expected;
  chi += (90 - n_orders) * expected;
  printf("test-tickets under %s: %d of 90 orders, chi-square %.1f (89 df)\n", sched, n_orders,
         chi);
  return chi;
}

/* surw's walk is uniform over the interleavings of the interesting events:
 * the 90 orders in which three threads take two tickets each come out
 * alike (chi-square with 89 degrees of freedom, far below 150 whose
 * chance is under 1e-4), where random's walk does not. */
START_TEST(surw_is_uniform_over_orders) {
  if (!instrumented("test-tickets")) return; /* the ThreadSanitizer build: no points */
  ck_assert_double_lt(tickets_chi_square("surw", 9000), 150);
  ck_assert_double_gt(tickets_chi_square("random", 9000), 150);
}
END_TEST

/* pct's change points lower a thread to the paper's priority j, not
 * always below every earlier drop: the ABA of test-aba, which needs the
 * thread dropped second to run on before the one dropped first, is found at
 * depth 3 (with the latest drop always lowest it was found in none of
 * 100,000 runs on 20 seeds; bench/aba.c), and at depth 2, which has one
 * change point, never. */
START_TEST(pct_change_points_in_either_order) {
  if (!instrumented("test-aba")) return; /* the ThreadSanitizer build: no points */
  jostle__plan p = plan_for("test-aba", jostle__sched_find("pct"));
  int found[2];
  for (int depth = 2; depth <= 3; depth++) {
    const jostle__sched_option *o = &p.sched->options[0];
    ck_assert_str_eq(o->name, "depth");
    memcpy(p.sched_cfg.opts + o->offset, &depth, sizeof depth);
    p.n_runs = 3000;
    jostle__cell c = {0};
    ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
    const jostle__outcome *bug = only(&c, JOSTLE__DIVERGENT);
    found[depth - 2] = bug != NULL;
    if (bug != NULL) ck_assert_str_eq(bug->text, "twice=1");
    jostle__cell_free(&c);
  }
  ck_assert_msg(!found[0], "pct depth 2 found an ABA that needs two change points");
  ck_assert_msg(found[1], "pct depth 3: no ABA in 3,000 runs");
}
END_TEST

int main(void) {
  Suite *s = suite_create("control");
  TCase *tc = jostle_check_case(s, "control", 120, 1);
  tcase_add_loop_test(tc, same_seed_same_schedule_everywhere, 0,
                      (int)(sizeof determinism_scenarios / sizeof determinism_scenarios[0]));
  tcase_add_test(tc, model_gives_three_eighths);
  tcase_add_test(tc, random_counter_matches_model);
  tcase_add_loop_test(tc, deadlocks_are_named, 0, 2);
  tcase_add_test(tc, livelock_hits_the_step_limit);
  tcase_add_loop_test(tc, contended_locks_cost_linear_steps, 0, 4);
  tcase_add_test(tc, every_primitive_under_every_scheduler);
  tcase_add_loop_test(tc, threads_keep_their_own_state, 0, 2);
  tcase_add_test(tc, aborts_are_crashes_where_they_happen);
  tcase_add_test(tc, created_threads_join_the_schedule);
  tcase_add_test(tc, many_threads_and_objects_run_everywhere);
  tcase_add_test(tc, slow_controlled_runs_are_not_hangs);
  tcase_add_test(tc, beyond_the_thread_limit_is_a_limit);
  tcase_add_test(tc, spurious_wakeups_are_a_choice);
  tcase_add_loop_test(tc, found_seeds_replay, 0, 4);
  tcase_add_loop_test(tc, calibration_death_still_runs, 0, 3);
  tcase_add_test(tc, surw_is_uniform_over_orders);
  tcase_add_test(tc, pct_change_points_in_either_order);
  tcase_add_loop_test(tc, barrier_rounds_order_their_own, 0, 4);
  /* a case of their own: CK_RUN_CASE=calls runs only these */
  tc = jostle_check_case(s, "calls", 120, 1);
  tcase_add_loop_test(tc, calls_are_modelled_or_refused, 0, jostle_test_n_calls);
  return jostle_check_run(s);
}
