/*
 * check_schedule.c: schedules. A run recorded under random, pct or pos replays
 * under the replay scheduler to the same schedule and outcome; schedule
 * files survive a round trip and every damaged one (each truncation, each
 * changed byte) is refused with one line; shrinking keeps the outcome and
 * never adds context switches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/seed.h"
#include "harness/pool.h"
#include "harness/shrink.h"
#include "harness/tally.h"
#include "schedulers/control.h"
#include "schedulers/schedule.h"
#include "tests/check_main.h"
#include "tests/test_plan.h"

static jostle__pool *pool_for(const jostle__plan *p) {
  jostle__pool *pool = jostle__pool_create(p);
  ck_assert_ptr_nonnull(pool);
  int none[JOSTLE_MAX_THREADS];
  for (int i = 0; i < JOSTLE_MAX_THREADS; i++) none[i] = -1;
  ck_assert_int_eq(jostle__pool_place(pool, none, 0), 0);
  (void)jostle__pool_calibrate(pool, 0);
  return pool;
}

static const char *const recorded_scenarios[] = {
    "loop-capture", "cache", "lock-order", "lost-wakeup", "test-sync-all", "counter-owner",
    "test-spawn-racy",
#ifndef JOSTLE_UNINSTRUMENTED
    "counter", "stats-snapshot",
#endif
};

/* Every run of random, pct, pos and surw, recorded and replayed by the replay
 * scheduler, makes the same decisions (schedule hash) to the same outcome,
 * with --spurious-wakeups and without.
 * (One pool at a time: the calling thread is thread 0 of the last pool
 * made.) */
START_TEST(recorded_runs_replay_exactly) {
  const jostle__sched_ops *scheds[] = {jostle__sched_find("random"), jostle__sched_find("pct"),
                                       jostle__sched_find("pos"), jostle__sched_find("surw")};
  int n = 300 * (int)jostle_check_soak();
  jostle__schedule **schedules = calloc((size_t)n, sizeof *schedules);
  char (*outcomes)[JOSTLE__TEXT_MAX] = calloc((size_t)n, sizeof *outcomes);
  uint64_t *hashes = calloc((size_t)n, sizeof *hashes);
  ck_assert(schedules && outcomes && hashes);
  for (int k = 0; k < 8; k++) {
    int spurious = k / 4;
    jostle__plan rec_plan = jostle_test_plan(recorded_scenarios[_i], scheds[k % 4]);
    rec_plan.sched_cfg.spurious_wakeups = spurious;
    jostle__schedule *rec = jostle__schedule_shared(2 * rec_plan.sched_cfg.step_limit);
    ck_assert_ptr_nonnull(rec);
    rec_plan.sched_cfg.record = rec;
    jostle__pool *pool = pool_for(&rec_plan);
    for (int i = 0; i < n; i++) {
      jostle__outcome_text(jostle__pool_run(pool, jostle__mix(11, (uint64_t)i)), outcomes[i],
                           sizeof outcomes[i]);
      hashes[i] = jostle__pool_schedule_hash(pool);
      ck_assert(!rec->overflow);
      schedules[i] = jostle__schedule_copy(rec);
      ck_assert_ptr_nonnull(schedules[i]);
    }
    jostle__pool_destroy(pool);
    jostle__schedule_unshare(rec);

    jostle__plan replay_plan = jostle_test_plan(recorded_scenarios[_i], jostle__sched_find("replay"));
    replay_plan.sched_cfg.replay = schedules[0];
    replay_plan.sched_cfg.spurious_wakeups = spurious;
    pool = pool_for(&replay_plan);
    for (int i = 0; i < n; i++) {
      char got[JOSTLE__TEXT_MAX];
      replay_plan.sched_cfg.replay = schedules[i];
      jostle__outcome_text(jostle__pool_run(pool, (uint64_t)i), got, sizeof got);
      ck_assert_msg(strcmp(outcomes[i], got) == 0,
                    "%s under %s (spurious %d), run %d: recorded '%s', replayed '%s'",
                    recorded_scenarios[_i], scheds[k % 4]->name, spurious, i, outcomes[i], got);
      ck_assert_uint_eq(jostle__pool_schedule_hash(pool), hashes[i]);
      free(schedules[i]);
    }
    jostle__pool_destroy(pool);
  }
  free(hashes);
  free(outcomes);
  free(schedules);
}
END_TEST

static char dir[] = "/tmp/jostle-schedule-XXXXXX";

static void make_dir(void) { ck_assert_ptr_nonnull(mkdtemp(dir)); }

static void remove_dir(void) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static jostle__schedule *sample_schedule(uint64_t n) {
  jostle__schedule *s = malloc(sizeof *s + n * sizeof *s->d);
  ck_assert_ptr_nonnull(s);
  *s = (jostle__schedule){n, n, 0};
  uint64_t rng = 5;
  for (uint64_t i = 0; i < n; i++) s->d[i] = (jostle__decision)jostle__below(&rng, 3);
  return s;
}

static const jostle__schedule_info sample_info = {
    "counter", "threads=3 increments=1", "random seed 0x000000000000002a",
    "counter=2 (lost increments)", "DIVERGENT", 1};

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  static char buf[1 << 16];
  *len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return buf;
}

static void write_all(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

/* The load must fail with one line that names the file. */
static void refused(const char *path, const char *why) {
  jostle__schedule_info info;
  char err[512] = "";
  jostle__schedule *s = jostle__schedule_load(path, &info, err, sizeof err);
  ck_assert_msg(s == NULL, "%s: accepted", why);
  ck_assert_msg(err[0] != '\0' && strchr(err, '\n') == NULL, "%s: error '%s'", why, err);
  ck_assert_msg(strstr(err, path) != NULL, "%s: error '%s' names the file", why, err);
}

START_TEST(schedule_files_round_trip) {
  make_dir();
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/s.sched", dir);
  for (uint64_t n = 0; n < 100; n += 33) {
    jostle__schedule *s = sample_schedule(n);
    ck_assert_int_eq(jostle__schedule_save(path, &sample_info, s, err, sizeof err), 0);
    jostle__schedule_info info;
    jostle__schedule *back = jostle__schedule_load(path, &info, err, sizeof err);
    ck_assert_msg(back != NULL, "%s", err);
    ck_assert_uint_eq(back->n, n);
    ck_assert(memcmp(back->d, s->d, n * sizeof *s->d) == 0);
    ck_assert_str_eq(info.scenario, sample_info.scenario);
    ck_assert_str_eq(info.params, sample_info.params);
    ck_assert_str_eq(info.origin, sample_info.origin);
    ck_assert_str_eq(info.outcome, sample_info.outcome);
    ck_assert_str_eq(info.verdict, sample_info.verdict);
    ck_assert_int_eq(info.spurious_wakeups, 1);
    ck_assert_uint_eq(jostle__schedule_switches(back), jostle__schedule_switches(s));
    free(back);
    free(s);
  }
  remove_dir();
}
END_TEST

/* Every truncation and every single changed byte of a valid file is
 * refused, as are files of other kinds and versions. */
START_TEST(damaged_schedule_files_are_refused) {
  make_dir();
  char path[256], bad[256], err[512];
  snprintf(path, sizeof path, "%s/s.sched", dir);
  snprintf(bad, sizeof bad, "%s/bad.sched", dir);
  jostle__schedule *s = sample_schedule(70);
  ck_assert_int_eq(jostle__schedule_save(path, &sample_info, s, err, sizeof err), 0);
  size_t len;
  char *good = read_all(path, &len);
  char *copy = malloc(len);
  ck_assert_ptr_nonnull(copy);
  for (size_t cut = 0; cut < len; cut++) {
    write_all(bad, good, cut);
    refused(bad, "truncated");
  }
  for (size_t at = 0; at < len; at++) {
    static const unsigned char flips[] = {0x01, 0x20, 0x80};
    for (size_t f = 0; f < sizeof flips; f++) {
      memcpy(copy, good, len);
      copy[at] = (char)(copy[at] ^ flips[f]);
      write_all(bad, copy, len);
      refused(bad, "one byte changed");
    }
  }
  free(copy);
  static const char *const foreign[] = {
      "",
      "hello\n",
      "{\"format\": \"jostle-results\"}\n",
      "jostle-schedule 2\nscenario counter\n",
      "jostle-schedule 1\nscenario counter\nparams increments=1\n",
      "jostle-schedule 1\nscenario counter\nparams threads=99\n",
      "jostle-schedule 1\nscenario counter\nparams threads=2\norigin x\noutcome y\nverdict z\nspurious-wakeups 0\n"
      "decisions 99999999999\n",
      "jostle-schedule 1\nscenario counter\nparams threads=2\norigin x\noutcome y\nverdict z\nspurious-wakeups 0\n"
      "decisions 2\n0 2\nchecksum 0x0\n",
      "jostle-schedule 1\nscenario counter\nparams threads=2\norigin x\noutcome y\nverdict z\nspurious-wakeups 0\n"
      "decisions 2\n0 -1\nchecksum 0x0\n",
  };
  for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
    write_all(bad, foreign[i], strlen(foreign[i]));
    refused(bad, foreign[i]);
  }
  /* a count of one is said in the singular */
  static const char one[] = "jostle-schedule 1\nscenario counter\nparams threads=2\norigin x\n"
                            "outcome y\nverdict z\nspurious-wakeups 0\ndecisions 1\n\n"
                            "checksum 0x0\n";
  write_all(bad, one, strlen(one));
  jostle__schedule_info info;
  char why[512] = "";
  ck_assert_ptr_null(jostle__schedule_load(bad, &info, why, sizeof why));
  ck_assert_msg(strstr(why, ": expected 1 decision") != NULL && strstr(why, "1 decisions") == NULL,
                "%s", why);
  write_all(bad, "jostle-schedule 1\n\0\0\n", 21);
  refused(bad, "binary");
  refused(dir, "a directory");
  snprintf(bad, sizeof bad, "%s/missing.sched", dir);
  refused(bad, "missing");
  free(s);
  remove_dir();
}
END_TEST

/* The first seed under random whose run is not allowed, its schedule and
 * outcome. */
static jostle__schedule *failing_run(jostle__plan *p, jostle__schedule *rec,
                                     jostle__class *cls, char *text) {
  p->sched_cfg.record = rec;
  for (uint64_t i = 0; i < 10000; i++) {
    p->seed = jostle__mix(3, i);
    jostle__cell cell;
    memset(&cell, 0, sizeof cell);
    ck_assert_int_eq(jostle__replay_once(p, &cell), 0);
    *cls = cell.outcomes[0].cls;
    snprintf(text, JOSTLE__TEXT_MAX, "%s", cell.outcomes[0].text);
    jostle__cell_free(&cell);
    if (*cls != JOSTLE__ALLOWED) return jostle__schedule_copy(rec);
  }
  ck_abort_msg("no failing run in 10,000 seeds");
  return NULL;
}

static const char *const shrunk_scenarios[] = {
    "lock-order", "loop-capture", "cache",
#ifndef JOSTLE_UNINSTRUMENTED
    "counter",
#endif
};

/* Shrinking keeps the outcome and never adds context switches; the shrunk
 * schedule replays to that outcome. */
START_TEST(shrinking_keeps_the_outcome) {
  jostle__plan p = jostle_test_plan(shrunk_scenarios[_i], jostle__sched_find("random"));
  p.n_runs = 1;
  p.fixed_seed = 1;
  jostle__schedule *rec = jostle__schedule_shared(2 * p.sched_cfg.step_limit);
  ck_assert_ptr_nonnull(rec);
  jostle__class cls;
  char text[JOSTLE__TEXT_MAX];
  jostle__schedule *start = failing_run(&p, rec, &cls, text);
  unsigned n_replays;
  jostle__schedule *shrunk = jostle__shrink(&p, start, cls, text, rec, 500, &n_replays);
  ck_assert_ptr_nonnull(shrunk);
  ck_assert_uint_le(jostle__schedule_switches(shrunk), jostle__schedule_switches(start));
  ck_assert_uint_ge(n_replays, 1);

  jostle__plan again = p;
  again.sched = jostle__sched_find("replay");
  again.sched_cfg.replay = shrunk;
  jostle__cell cell;
  memset(&cell, 0, sizeof cell);
  ck_assert_int_eq(jostle__replay_once(&again, &cell), 0);
  ck_assert_int_eq(cell.outcomes[0].cls, cls);
  ck_assert_str_eq(cell.outcomes[0].text, text);
  ck_assert_uint_eq(rec->n, shrunk->n);
  ck_assert(memcmp(rec->d, shrunk->d, shrunk->n * sizeof *rec->d) == 0);
  jostle__cell_free(&cell);
  free(shrunk);
  free(start);
  jostle__schedule_unshare(rec);
}
END_TEST

int main(void) {
  Suite *s = suite_create("schedule");
  TCase *tc = jostle_check_case(s, "schedule", 120, 1);
  tcase_add_loop_test(tc, recorded_runs_replay_exactly, 0,
                      (int)(sizeof recorded_scenarios / sizeof *recorded_scenarios));
  tcase_add_test(tc, schedule_files_round_trip);
  tcase_add_test(tc, damaged_schedule_files_are_refused);
  tcase_add_loop_test(tc, shrinking_keeps_the_outcome, 0,
                      (int)(sizeof shrunk_scenarios / sizeof *shrunk_scenarios));
  return jostle_check_run(s);
}
