/*
 * check_campaign.c: the campaign's promises, end to end through forked
 * workers: every run is counted exactly once, a crash or a hang costs only
 * its own run, the same seed gives the same result, and every budget and
 * stop condition is honoured.
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/seed.h"
#include "harness/campaign.h"
#include "tests/check_main.h"
#include "tests/scenarios_test.h"
#include "tests/same_outcomes.h"
#include "tests/test_plan.h"

static jostle__plan plan_for(const char *name) {
  jostle__plan p = jostle_test_plan(name, jostle__sched_find("free"));
  p.n_jobs = 2;
  p.chunk_runs = 64;
  return p;
}

static const jostle__outcome *find(const jostle__cell *c, jostle__class cls) {
  for (size_t i = 0; i < c->n_outcomes; i++)
    if (c->outcomes[i].cls == cls) return &c->outcomes[i];
  return NULL;
}

static uint64_t total(const jostle__cell *c) {
  uint64_t n = 0;
  for (size_t i = 0; i < c->n_outcomes; i++) n += c->outcomes[i].count;
  return n;
}

/* Crashing runs are exactly those whose seed says so; the others are all
 * counted, with the right first runs and seeds. */
START_TEST(crashes_cost_only_their_run) {
  jostle__plan p = plan_for("test-crash");
  p.n_runs = 3000;
  uint64_t expected = 0, first = UINT64_MAX;
  for (uint64_t i = 0; i < p.n_runs; i++)
    if (jostle_test_crashes(jostle__run_seed(&p, i))) {
      expected++;
      if (first == UINT64_MAX) first = i;
    }
  ck_assert_uint_gt(expected, 0);
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, p.n_runs);
  ck_assert_uint_eq(total(&c), p.n_runs);
  ck_assert_uint_eq(c.n_divergent, expected);
  const jostle__outcome *crash = find(&c, JOSTLE__CRASH);
  ck_assert_ptr_nonnull(crash);
  ck_assert_str_eq(crash->text, "crash (SIGSEGV)");
  ck_assert_uint_eq(crash->count, expected);
  ck_assert_uint_eq(crash->first_run, first);
  ck_assert_uint_eq(crash->first_seed, jostle__mix(p.seed, first));
  const jostle__outcome *ok = find(&c, JOSTLE__ALLOWED);
  ck_assert_ptr_nonnull(ok);
  ck_assert_str_eq(ok->text, "hits=2");
  ck_assert_uint_eq(ok->count, p.n_runs - expected);
  jostle__cell_free(&c);
}
END_TEST

/* A run that spins forever is killed after the timeout and counted as a
 * hang; the campaign finishes every other run. */
START_TEST(hangs_cost_only_their_run) {
  jostle__plan p = plan_for("test-hang");
  p.n_runs = 200;
  p.timeout_ns = 500ULL * 1000000ULL; /* far above a run, and a worker's start, under load */
  uint64_t expected = 0;
  for (uint64_t i = 0; i < p.n_runs; i++)
    expected += jostle_test_hangs(jostle__run_seed(&p, i)) != 0;
  ck_assert_uint_gt(expected, 0);
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, p.n_runs);
  const jostle__outcome *hang = find(&c, JOSTLE__HANG);
  ck_assert_ptr_nonnull(hang);
  ck_assert_uint_eq(hang->count, expected);
  ck_assert_ptr_null(find(&c, JOSTLE__CRASH));
  ck_assert_uint_eq(find(&c, JOSTLE__ALLOWED)->count, p.n_runs - expected);
  jostle__cell_free(&c);
}
END_TEST

/* The same campaign seed gives the same histogram, first runs and seeds,
 * whatever the number of workers. */
START_TEST(same_seed_same_result) {
  jostle__cell a = {0}, b = {0};
  jostle__plan p = plan_for("test-crash");
  p.n_runs = 1500;
  p.n_jobs = 1;
  ck_assert_int_eq(jostle__campaign_run(&p, &a, NULL, NULL), 0);
  p.n_jobs = 3;
  p.chunk_runs = 7;
  ck_assert_int_eq(jostle__campaign_run(&p, &b, NULL, NULL), 0);
  ck_assert_uint_eq(a.n_outcomes, b.n_outcomes);
  for (size_t i = 0; i < a.n_outcomes; i++) {
    ck_assert_int_eq(a.outcomes[i].cls, b.outcomes[i].cls);
    ck_assert_str_eq(a.outcomes[i].text, b.outcomes[i].text);
    ck_assert_uint_eq(a.outcomes[i].count, b.outcomes[i].count);
    ck_assert_uint_eq(a.outcomes[i].first_run, b.outcomes[i].first_run);
    ck_assert_uint_eq(a.outcomes[i].first_seed, b.outcomes[i].first_seed);
  }
  jostle__cell_free(&a);
  jostle__cell_free(&b);
}
END_TEST

/* The runs of test-many-outcomes with the text `text` under plan p: what
 * a listed outcome's count must be. */
static uint64_t many_count(const jostle__plan *p, const char *text) {
  int v;
  char rest[64] = "";
  ck_assert_msg(sscanf(text, "value=%d%63[^\n]", &v, rest) >= 1, "outcome '%s'", text);
  uint64_t n = 0;
  for (uint64_t i = 0; i < p->n_runs; i++) n += jostle_test_many_value(jostle__run_seed(p, i)) == v;
  ck_assert_str_eq(rest, v % 7 == 0 ? " (a multiple of 7)" : "");
  return n;
}

static int is_other(const jostle__outcome *o) { return strncmp(o->text, "(other ", 7) == 0; }

/* With more distinct outcomes than a cell lists, which ones are listed,
 * their counts and first runs, and what the other lines hold are the same
 * whatever the number of workers and however the runs were spread over
 * them; a listed count is exact. The outcome is a function of the seed
 * alone, so this holds under free as under a controlled scheduler. */
START_TEST(many_outcomes_same_histogram) {
  jostle__plan p = jostle_test_plan("test-many-outcomes", jostle__sched_find(_i ? "random" : "free"));
  p.n_runs = 20000;
  jostle__cell cells[3];
  memset(cells, 0, sizeof cells);
  static const struct { int jobs; uint32_t chunk; } ways[] = {{1, 1024}, {3, 7}, {3, 50}};
  for (int w = 0; w < 3; w++) {
    p.n_jobs = ways[w].jobs;
    p.chunk_runs = ways[w].chunk;
    ck_assert_int_eq(jostle__campaign_run(&p, &cells[w], NULL, NULL), 0);
    ck_assert_uint_eq(cells[w].n_runs, p.n_runs);
    ck_assert_uint_eq(total(&cells[w]), p.n_runs);
  }
  const jostle__cell *a = &cells[0];
  size_t n_listed = 0, n_other = 0;
  for (size_t i = 0; i < a->n_outcomes; i++) {
    const jostle__outcome *o = &a->outcomes[i];
    if (is_other(o)) {
      n_other++;
      continue;
    }
    n_listed++;
    ck_assert_uint_eq(o->count, many_count(&p, o->text));
  }
  /* allowed and divergent outcomes were left out, and the other lines say
   * how many: with the listed ones, every value the seeds gave */
  ck_assert_uint_eq(n_other, 2);
  ck_assert_uint_eq(n_listed, JOSTLE__MAX_LISTED);
  static char seen[JOSTLE_TEST_MANY];
  uint64_t n_seen = 0, n_told = 0;
  for (uint64_t i = 0; i < p.n_runs; i++) {
    int v = jostle_test_many_value(jostle__run_seed(&p, i));
    n_seen += !seen[v];
    seen[v] = 1;
  }
  for (size_t i = 0; i < a->n_outcomes; i++) {
    uint64_t n_distinct;
    if (jostle__outcome_is_other(&a->outcomes[i], &n_distinct)) n_told += n_distinct;
  }
  ck_assert_uint_eq(n_listed + n_told, n_seen);
  for (int w = 1; w < 3; w++) jostle_same_outcomes(a, &cells[w]);
  for (int w = 0; w < 3; w++) jostle__cell_free(&cells[w]);
}
END_TEST

/* --run-seed: every run gets the one seed, so a crashing seed crashes every
 * run: a reported seed reproduces its outcome. */
START_TEST(fixed_seed_reproduces) {
  jostle__plan p = plan_for("test-crash");
  uint64_t seed = 0;
  while (!jostle_test_crashes(seed)) seed++;
  p.seed = seed;
  p.fixed_seed = 1;
  p.n_runs = 20;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, 20);
  ck_assert_uint_eq(c.n_divergent, 20);
  ck_assert_uint_eq(find(&c, JOSTLE__CRASH)->first_seed, seed);
  jostle__cell_free(&c);
}
END_TEST

START_TEST(until_divergence_stops_early) {
  jostle__plan p = plan_for("test-abort");
  p.n_runs = 1000000;
  p.until_divergence = 1;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_ge(c.n_divergent, 1);
  /* each worker may finish the run it was in, no more */
  ck_assert_uint_le(c.n_runs, (uint64_t)p.n_jobs);
  jostle__cell_free(&c);
}
END_TEST

START_TEST(duration_budget_ends_the_campaign) {
  jostle__plan p = plan_for("test-allowed");
  p.n_runs = UINT64_MAX;
  p.duration_ns = 200ULL * 1000000ULL;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_gt(c.n_runs, 0);
  ck_assert_uint_eq(total(&c), c.n_runs);
  ck_assert_uint_ge(c.elapsed_ns, p.duration_ns);
  ck_assert_uint_eq(c.n_divergent, 0);
  jostle__cell_free(&c);
}
END_TEST

/* The scenario's list of allowed outcomes judges the run. */
START_TEST(allowed_list_judges) {
  jostle__plan p = plan_for("test-allowed");
  p.n_threads = 3;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_outcomes, 1);
  ck_assert_str_eq(c.outcomes[0].text, "hits=3");
  ck_assert_int_eq(c.outcomes[0].cls, JOSTLE__DIVERGENT);
  ck_assert_uint_eq(c.n_divergent, p.n_runs);
  jostle__cell_free(&c);
}
END_TEST

/* SIGTERM stops the campaign cleanly and keeps what ran. */
START_TEST(sigterm_stops_cleanly) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, NULL);
  pid_t me = getpid(), killer = fork();
  ck_assert_int_ge(killer, 0);
  if (killer == 0) {
    usleep(200000);
    kill(me, SIGTERM);
    _exit(0);
  }
  jostle__plan p = plan_for("test-allowed");
  p.n_runs = UINT64_MAX;
  p.duration_ns = 600ULL * 1000000000ULL;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  waitpid(killer, NULL, 0);
  ck_assert_int_eq(c.interrupted, 1);
  ck_assert_uint_gt(c.n_runs, 0);
  ck_assert_uint_eq(total(&c), c.n_runs);
  jostle__cell_free(&c);
}
END_TEST

static volatile sig_atomic_t n_sigchld;

static void on_sigchld(int sig) {
  (void)sig;
  n_sigchld++;
}

/* A campaign leaves the signal mask as it found it: SIGCHLD is not left
 * blocked (a handler installed afterwards runs), and what the caller had
 * blocked (SIGTERM, as the commands do) stays blocked. */
START_TEST(campaign_restores_the_signal_mask) {
  sigset_t stop, before, after;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, NULL);
  sigprocmask(SIG_BLOCK, NULL, &before);
  ck_assert(sigismember(&before, SIGTERM) && !sigismember(&before, SIGCHLD));
  jostle__plan p = plan_for("test-crash");
  p.n_runs = 200;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  jostle__cell_free(&c);
  sigprocmask(SIG_BLOCK, NULL, &after);
  for (int sig = 1; sig < NSIG; sig++)
    ck_assert_msg(sigismember(&after, sig) == sigismember(&before, sig),
                  "signal %d: blocked %d before the campaign, %d after", sig,
                  sigismember(&before, sig), sigismember(&after, sig));

  struct sigaction sa = {.sa_handler = on_sigchld};
  sigemptyset(&sa.sa_mask);
  ck_assert_int_eq(sigaction(SIGCHLD, &sa, NULL), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) _exit(0);
  /* the signal is delivered by the time the child can be reaped, unless
   * blocked; the bounded wait only guards against a slow delivery */
  ck_assert_int_eq(waitpid(child, NULL, 0), child);
  for (int i = 0; i < 1000 && n_sigchld == 0; i++) usleep(1000);
  ck_assert_int_eq(n_sigchld, 1);
}
END_TEST

/* Placements that oversubscribe the processors still complete every run. */
START_TEST(every_placement_completes) {
  static const jostle__pin pins[] = {JOSTLE__PIN_NONE, JOSTLE__PIN_SPREAD,
                                     JOSTLE__PIN_SAME, JOSTLE__PIN_RANDOM};
  jostle__plan p = plan_for("test-allowed");
  p.pin = pins[_i];
  p.n_runs = 5000;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, p.n_runs);
  ck_assert_uint_eq(c.n_divergent, 0);
  jostle__cell_free(&c);
}
END_TEST

/* Crashing runs of test-crash among runs [begin, end) of plan p. */
static uint64_t crashes_in(const jostle__plan *p, uint64_t begin, uint64_t end) {
  uint64_t n = 0;
  for (uint64_t i = begin; i < end; i++) n += jostle_test_crashes(jostle__run_seed(p, i)) != 0;
  return n;
}

static uint64_t count_of(const jostle__cell *c, jostle__class cls) {
  const jostle__outcome *o = find(c, cls);
  return o ? o->count : 0;
}

/* A plan runs exactly the runs [first_run, first_run + n_runs), each with
 * its own seed (a shard): the crashes are those of that slice. */
START_TEST(a_plan_runs_its_slice) {
  jostle__plan p = plan_for("test-crash");
  p.first_run = 1000;
  p.n_runs = 700;
  jostle__cell c = {0};
  jostle__runset done = {0};
  ck_assert_int_eq(jostle__campaign_run_ranges(&p, NULL, 0, &done, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, 700);
  ck_assert_uint_eq(count_of(&c, JOSTLE__CRASH), crashes_in(&p, 1000, 1700));
  ck_assert_uint_gt(count_of(&c, JOSTLE__CRASH), 0);
  ck_assert_uint_ge(find(&c, JOSTLE__CRASH)->first_run, 1000);
  ck_assert_uint_eq(done.n, 1);
  ck_assert_uint_eq(done.ranges[0].begin, 1000);
  ck_assert_uint_eq(done.ranges[0].end, 1700);
  jostle__runset_free(&done);
  jostle__cell_free(&c);
}
END_TEST
/* Forks a worker that starts late, as on a machine too loaded to run it
 * before the campaign's time is up. */
static pid_t late_fork(void) {
  pid_t pid = fork();
  if (pid == 0) usleep(200000);
  return pid;
}

/* A time budget ends a campaign only after its first run: however late the
 * workers start, a cell is never left with no runs, which reports would
 * show as clean. */
START_TEST(duration_budget_waits_for_the_first_run) {
  jostle__plan p = plan_for("test-allowed");
  p.n_runs = UINT64_MAX;
  p.duration_ns = 1000000;  /* 1 ms: over before any worker starts */
  jostle__campaign_fork = late_fork;
  jostle__cell c = {0};
  int rc = jostle__campaign_run(&p, &c, NULL, NULL);
  jostle__campaign_fork = fork;
  ck_assert_int_eq(rc, 0);
  ck_assert_uint_gt(c.n_runs, 0);
  ck_assert_uint_eq(total(&c), c.n_runs);
  ck_assert_int_eq(c.interrupted, 0);
  jostle__cell_free(&c);
}
END_TEST

/* A campaign stopped by its time leaves runs undone between ones done;
 * a second campaign given exactly the missing ranges (the holes as
 * pending ranges, one per worker) completes the cell, and the two together
 * count what one campaign of every run counts: what a resumed soak relies
 * on. */
START_TEST(pending_ranges_complete_a_stopped_campaign) {
  jostle__plan p = plan_for("test-crash");
  p.n_runs = 200000;
  p.chunk_runs = 50;
  p.duration_ns = 50ULL * 1000000ULL;
  jostle__cell first = {0}, second = {0};
  jostle__runset done = {0}, done2 = {0};
  ck_assert_int_eq(jostle__campaign_run_ranges(&p, NULL, 0, &done, &first, NULL, NULL), 0);
  ck_assert_uint_eq(jostle__runset_count(&done), first.n_runs);
  ck_assert_uint_lt(first.n_runs, p.n_runs);
  uint64_t crashed = 0;
  for (size_t i = 0; i < done.n; i++) crashed += crashes_in(&p, done.ranges[i].begin, done.ranges[i].end);
  ck_assert_uint_eq(count_of(&first, JOSTLE__CRASH), crashed);

  /* the rest: at most one hole per worker, then the runs after them */
  uint64_t end = 3 * first.n_runs + 1000;
  jostle__range missing[3];
  size_t n = jostle__runset_missing(&done, 0, end, missing, 3);
  ck_assert_uint_ge(n, 1);
  ck_assert_uint_le(n, (size_t)p.n_jobs + 1);
  jostle__plan rest = p;
  rest.duration_ns = 0;
  rest.first_run = missing[n - 1].begin;
  rest.n_runs = missing[n - 1].end - missing[n - 1].begin;
  ck_assert_int_eq(jostle__campaign_run_ranges(&rest, missing, n - 1, &done2, &second, NULL,
                                               NULL), 0);
  for (size_t i = 0; i < done2.n; i++)
    ck_assert(!jostle__runset_overlaps(&done, done2.ranges[i].begin, done2.ranges[i].end));
  for (size_t i = 0; i < done2.n; i++)
    ck_assert_int_eq(jostle__runset_add(&done, done2.ranges[i].begin, done2.ranges[i].end), 0);
  ck_assert_uint_eq(done.n, 1);
  ck_assert_uint_eq(done.ranges[0].begin, 0);
  ck_assert_uint_eq(done.ranges[0].end, end);
  ck_assert_uint_eq(first.n_runs + second.n_runs, end);
  ck_assert_uint_eq(count_of(&first, JOSTLE__CRASH) + count_of(&second, JOSTLE__CRASH),
                    crashes_in(&p, 0, end));
  jostle__runset_free(&done);
  jostle__runset_free(&done2);
  jostle__cell_free(&first);
  jostle__cell_free(&second);
}
END_TEST

/* A fork that fails on its second call with EAGAIN: the first worker
 * starts, the one that should replace it does not. */
static int n_forks;

static pid_t fork_once(void) {
  if (++n_forks == 2) {
    errno = EAGAIN;
    return -1;
  }
  return fork();
}

/* When the worker that should replace a crashed one cannot be forked, the
 * campaign says so in one line, stops and returns -1, with the crash that
 * ran counted: a cell is never silently short of runs. */
START_TEST(failed_refork_stops_the_campaign) {
  jostle__plan p = plan_for("test-crash");
  uint64_t seed = 0;
  while (!jostle_test_crashes(seed)) seed++;
  p.seed = seed;
  p.fixed_seed = 1; /* every run crashes, the first one too */
  p.n_jobs = 1;
  p.n_runs = 20;
  char err_path[] = "/tmp/jostle-check-campaign-XXXXXX";
  int err = mkstemp(err_path);
  ck_assert_int_ge(err, 0);
  unlink(err_path);
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  ck_assert_int_ge(saved, 0);
  ck_assert_int_eq(dup2(err, STDERR_FILENO), STDERR_FILENO);
  jostle__campaign_fork = fork_once;
  jostle__cell c = {0};
  int rc = jostle__campaign_run(&p, &c, NULL, NULL);
  jostle__campaign_fork = fork;
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  char text[512] = {0};
  ck_assert_int_ge(pread(err, text, sizeof text - 1, 0), 0);
  close(err);

  ck_assert_int_eq(n_forks, 2);
  ck_assert_int_eq(rc, -1);
  ck_assert_uint_eq(c.n_runs, 1);
  ck_assert_uint_eq(count_of(&c, JOSTLE__CRASH), 1);
  ck_assert_uint_eq(total(&c), 1);
  char expected[128];
  snprintf(expected, sizeof expected, "jostle: cannot fork a worker: %s\n", strerror(EAGAIN));
  ck_assert_str_eq(text, expected);
  jostle__cell_free(&c);
}
END_TEST

/* A scenario's children are not part of its runs: they report none, under
 * free or a controlled scheduler, and die with their worker, so that a
 * pipe they hold open ends with the campaign. */
START_TEST(forked_children_are_not_runs) {
  static const char *const scheds[] = {"free", "random"};
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  jostle__plan p = jostle_test_plan("test-fork", jostle__sched_find(scheds[_i]));
  p.n_jobs = 2;
  p.chunk_runs = 8;
  p.n_runs = 50;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, 50);
  ck_assert_uint_eq(total(&c), 50);
  ck_assert_uint_eq(count_of(&c, JOSTLE__ALLOWED), 50);
  ck_assert_int_eq(close(fds[1]), 0);
  char byte;
  ck_assert_int_eq(read(fds[0], &byte, 1), 0); /* blocks while a child lives */
  close(fds[0]);
  jostle__cell_free(&c);
}
END_TEST

/* Threads may observe and fail from their bodies: the outcome is the same
 * whichever thread got there first, and every failing run is counted. */
START_TEST(threads_make_outcomes) {
  static const char *const scheds[] = {"free", "random"};
  jostle__plan p = jostle_test_plan("test-thread-outcome", jostle__sched_find(scheds[_i]));
  p.n_jobs = 2;
  p.chunk_runs = 64;
  p.n_runs = 2000;
  uint64_t failing = 0;
  for (uint64_t i = 0; i < p.n_runs; i++)
    failing += jostle_test_thread_fails(jostle__run_seed(&p, i)) != 0;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, p.n_runs);
  ck_assert_uint_eq(c.n_outcomes, 2);
  for (size_t i = 0; i < c.n_outcomes; i++) {
    const jostle__outcome *o = &c.outcomes[i];
    if (o->cls == JOSTLE__DIVERGENT) {
      ck_assert_str_eq(o->text, "seen=0 seen=1 checked=1 (invariant broken in a thread)");
      ck_assert_uint_eq(o->count, failing);
    } else {
      ck_assert_int_eq(o->cls, JOSTLE__ALLOWED);
      ck_assert_str_eq(o->text, "seen=0 seen=1 checked=1");
      ck_assert_uint_eq(o->count, p.n_runs - failing);
    }
  }
  jostle__cell_free(&c);
}
END_TEST

/* A parameter index the scenario does not declare is the scenario's bug:
 * every run says so in its outcome (divergent), none crashes jostle, and
 * none reads a parameter that is not there. */
START_TEST(undeclared_parameter_is_an_outcome) {
  static const long long indexes[] = {0, 1, 15, 16, -1};
  jostle__plan p = plan_for("test-bad-param");
  p.n_runs = 100;
  p.params[0] = indexes[_i];
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, 100);
  ck_assert_uint_eq(c.n_outcomes, 1);
  if (indexes[_i] == 0) {
    ck_assert_int_eq(c.outcomes[0].cls, JOSTLE__ALLOWED);
    ck_assert_str_eq(c.outcomes[0].text, "value=0");
  } else {
    ck_assert_int_eq(c.outcomes[0].cls, JOSTLE__DIVERGENT);
    ck_assert_str_eq(c.outcomes[0].text,
                     "value=0 (jostle_param was given an index the scenario does not declare)");
  }
  jostle__cell_free(&c);
}
END_TEST

/* A crash carries its signal and where the crashing thread was: the
 * scenario's function and line, once per distinct crash. */
START_TEST(crashes_say_where) {
  jostle__plan p = plan_for("test-abort");
  p.n_runs = 5;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  const jostle__outcome *crash = find(&c, JOSTLE__CRASH);
  ck_assert_ptr_nonnull(crash);
#ifdef JOSTLE_SANITIZER
  ck_assert_str_eq(crash->detail, ""); /* the sanitizer's handler reports it */
#else
  ck_assert_msg(strncmp(crash->detail, "SIGABRT at ", 11) == 0, "%s", crash->detail);
  ck_assert_msg(strstr(crash->detail, "(abort)") != NULL &&
                    strstr(crash->detail, "tests/scenarios_test.c:") != NULL &&
                    strstr(crash->detail, "abort_thread") != NULL,
                "%s", crash->detail);
  ck_assert_ptr_null(strstr(crash->detail, "run_body")); /* jostle's own frames left out */
#endif
  jostle__cell_free(&c);
}
END_TEST

/* Under free, a deadlock among wrapped calls is a `deadlock` outcome at
 * once, proved from what the threads publish, never after the timeout
 * (which would make it a hang); waits that end, however long, are never
 * called one. The timeout is far above the parent's checks and a worker's
 * start. */
START_TEST(free_deadlocks_are_proved) {
  const jostle_test_wait *k = &jostle_test_waits[_i];
#ifdef JOSTLE_UNINSTRUMENTED
  /* ThreadSanitizer's runtime has a thread of its own in every process, one
   * the pool does not know: it might wake a waiter, so a wait to be woken
   * proves nothing there (a lock's waits still do). */
  if (k->deadlock != NULL &&
      (strstr(k->deadlock, "cond#") != NULL || strstr(k->deadlock, "sem#") != NULL)) {
    printf("free_deadlocks_are_proved: %s: not under ThreadSanitizer\n", k->what);
    return;
  }
#endif
  jostle__plan p = plan_for("test-waits");
  p.n_jobs = 1;
  p.n_threads = k->threads;
  p.params[0] = _i;
  p.n_runs = k->deadlock ? 3 : 2;
  p.timeout_ns = 20ULL * 1000000000ULL;
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, p.n_runs);
  ck_assert_uint_eq(c.n_outcomes, 1);
  const jostle__outcome *o = &c.outcomes[0];
  if (k->deadlock) {
    ck_assert_msg(o->cls == JOSTLE__DEADLOCK, "%s: %s", k->what, o->text);
    ck_assert_str_eq(o->text, k->deadlock);
  } else {
    ck_assert_msg(o->cls == JOSTLE__ALLOWED, "%s: %s", k->what, o->text);
    ck_assert_str_eq(o->text, "done=1");
  }
  ck_assert_uint_eq(o->count, p.n_runs);
  jostle__cell_free(&c);
}
END_TEST

/* What a scenario writes goes into its run's outcome, the first run's for
 * each outcome, and never into jostle's own output: a crashed run's as
 * well as a run that ends. */
START_TEST(output_is_captured_per_run) {
  jostle__plan p = plan_for("test-output");
  p.n_runs = 200;
  uint64_t first_print = UINT64_MAX, first_crash = UINT64_MAX;
  for (uint64_t i = p.n_runs; i-- > 0;) {
    uint64_t seed = jostle__run_seed(&p, i);
    if (jostle_test_prints(seed)) first_print = i;
    else if (jostle_test_crashes(seed)) first_crash = i;
  }
  ck_assert_uint_ne(first_print, UINT64_MAX);
  ck_assert_uint_ne(first_crash, UINT64_MAX);
  jostle__cell c = {0};
  ck_assert_int_eq(jostle__campaign_run(&p, &c, NULL, NULL), 0);
  ck_assert_uint_eq(c.n_runs, p.n_runs);
  const jostle__outcome *printed = find(&c, JOSTLE__DIVERGENT);
  ck_assert_ptr_nonnull(printed);
  ck_assert_uint_eq(printed->first_run, first_print);
  ck_assert_str_eq(printed->output, JOSTLE_TEST_PRINTED);
  const jostle__outcome *crash = find(&c, JOSTLE__CRASH);
  ck_assert_ptr_nonnull(crash);
  ck_assert_uint_eq(crash->first_run, first_crash);
  ck_assert_str_eq(crash->output, JOSTLE_TEST_CRASH_WROTE);
  ck_assert_str_eq(find(&c, JOSTLE__ALLOWED)->output, ""); /* quiet runs wrote nothing */
  jostle__cell_free(&c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("campaign");
  TCase *tc = jostle_check_case(s, "campaign", 180, 0);
  tcase_add_test(tc, crashes_cost_only_their_run);
  tcase_add_test(tc, hangs_cost_only_their_run);
  tcase_add_test(tc, same_seed_same_result);
  tcase_add_loop_test(tc, many_outcomes_same_histogram, 0, 2);
  tcase_add_test(tc, fixed_seed_reproduces);
  tcase_add_test(tc, until_divergence_stops_early);
  tcase_add_test(tc, duration_budget_ends_the_campaign);
  tcase_add_test(tc, duration_budget_waits_for_the_first_run);
  tcase_add_test(tc, allowed_list_judges);
  tcase_add_test(tc, sigterm_stops_cleanly);
  tcase_add_test(tc, campaign_restores_the_signal_mask);
  tcase_add_loop_test(tc, every_placement_completes, 0, 4);
  tcase_add_test(tc, a_plan_runs_its_slice);
  tcase_add_test(tc, pending_ranges_complete_a_stopped_campaign);
  tcase_add_test(tc, failed_refork_stops_the_campaign);
  tcase_add_loop_test(tc, forked_children_are_not_runs, 0, 2);
  tcase_add_loop_test(tc, threads_make_outcomes, 0, 2);
  tcase_add_test(tc, crashes_say_where);
  tcase_add_loop_test(tc, undeclared_parameter_is_an_outcome, 0, 5);
  tcase_add_loop_test(tc, free_deadlocks_are_proved, 0, jostle_test_n_waits);
  tcase_add_test(tc, output_is_captured_per_run);
  return jostle_check_run(s);
}
