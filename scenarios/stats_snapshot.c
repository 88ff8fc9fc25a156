/*
 * scenarios/stats_snapshot.c: an error rate computed from two atomics.
 *
 * From the Go article's Stats {requestCount, errorCount atomic.Int64}:
 * RecordRequest adds to both, GetErrorRate loads the request count, then
 * the error count, and divides. Every access is atomic, so there is no data
 * race at all, yet the two loads are two different moments: requests that
 * complete between them add errors that the loaded total does not count.
 * During an outage, when every request fails, the rate comes out above
 * 100%.
 *
 * Thread 0 is the dashboard: it computes the error rate `reads` times. The
 * other threads are handlers serving `requests` requests each, all failing.
 *
 *   stats-snapshot          two sequentially consistent atomics, loaded one
 *                           after the other (racy: a race condition, though
 *                           not a data race)
 *   stats-snapshot-locked   both counts under one mutex, read together
 *
 * Observation: impossible_rate = 1 when the dashboard saw a rate above
 * 100% (errors > requests), else 0.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "common.h"

enum { P_REQUESTS, P_READS };

static const jostle_param_def params[] = {
  {"requests", 16, 1, 1000000, "requests each handler serves (all fail)"},
  {"reads", 16, 1, 1000000, "error rates the dashboard computes"},
  {.name = NULL},
};

/* Serves one request during the outage: it fails (returns -1), as every
 * request does. */
static int serve_request(void) {
  jostle_yield();
  return -1;
}

static void check_dashboard(jostle_run *r, int saw_impossible_rate) {
  jostle_observe(r, "impossible_rate", saw_impossible_rate);
  if (saw_impossible_rate)
    jostle_fail(r, "error rate above 100%");
}

/* ---- stats-snapshot: the racy original ------------------------------------- */

struct stats {
  atomic_llong n_requests;
  atomic_llong n_errors;
};

struct racy {
  struct stats stats;
  int saw_impossible_rate; /* by the dashboard */
};

static void record_request(struct stats *st, int err) {
  atomic_fetch_add(&st->n_requests, 1);
  if (err != 0)
    atomic_fetch_add(&st->n_errors, 1);
}

static double error_rate(struct stats *st) {
  long long total = atomic_load(&st->n_requests);

  if (total == 0)
    return 0;
  jostle_yield(); /* the two loads are two moments */
  return (double)atomic_load(&st->n_errors) / (double)total;
}

static void racy_setup(jostle_run *r) {
  struct racy *s = jostle_state(r);

  atomic_init(&s->stats.n_requests, 0);
  atomic_init(&s->stats.n_errors, 0);
}

static void racy_thread(jostle_run *r, int index) {
  struct racy *s = jostle_state(r);

  if (index == 0) {
    long long n_reads = jostle_param(r, P_READS);

    for (long long i = 0; i < n_reads; i++) {
      jostle_yield();
      if (error_rate(&s->stats) > 1.0)
        s->saw_impossible_rate = 1;
    }
  } else {
    long long n_requests = jostle_param(r, P_REQUESTS);

    for (long long i = 0; i < n_requests; i++)
      record_request(&s->stats, serve_request());
  }
}

static void racy_check(jostle_run *r) {
  struct racy *s = jostle_state(r);
  check_dashboard(r, s->saw_impossible_rate);
}

JOSTLE_SCENARIO(stats_snapshot) {
  .name = "stats-snapshot",
  .summary = "error rate from two separate atomic loads: above 100% with no data race",
  .racy = 1,
  .threads = 2,
  .min_threads = 2,
  .params = params,
  .state_size = sizeof(struct racy),
  .setup = racy_setup,
  .thread = racy_thread,
  .check = racy_check,
};

/* ---- stats-snapshot-locked ---------------------------------------------------- */

struct locked_stats {
  pthread_mutex_t lock;
  long long n_requests; /* guarded by lock */
  long long n_errors;   /* guarded by lock */
};

struct locked {
  struct locked_stats stats;
  int saw_impossible_rate;
};

static void record_request_locked(struct locked_stats *st, int err) {
  pthread_mutex_lock(&st->lock);
  st->n_requests++;
  if (err != 0)
    st->n_errors++;
  pthread_mutex_unlock(&st->lock);
}

/* Both counts from one moment: the same critical section. */
static double error_rate_locked(struct locked_stats *st) {
  long long total, errors;

  pthread_mutex_lock(&st->lock);
  total = st->n_requests;
  jostle_yield();
  errors = st->n_errors;
  pthread_mutex_unlock(&st->lock);
  return total == 0 ? 0 : (double)errors / (double)total;
}

static void locked_setup(jostle_run *r) {
  struct locked *s = jostle_state(r);
  pthread_mutex_init(&s->stats.lock, NULL);
}

static void locked_thread(jostle_run *r, int index) {
  struct locked *s = jostle_state(r);

  if (index == 0) {
    long long n_reads = jostle_param(r, P_READS);

    for (long long i = 0; i < n_reads; i++) {
      jostle_yield();
      if (error_rate_locked(&s->stats) > 1.0)
        s->saw_impossible_rate = 1;
    }
  } else {
    long long n_requests = jostle_param(r, P_REQUESTS);

    for (long long i = 0; i < n_requests; i++)
      record_request_locked(&s->stats, serve_request());
  }
}

static void locked_check(jostle_run *r) {
  struct locked *s = jostle_state(r);
  check_dashboard(r, s->saw_impossible_rate);
}

static void locked_teardown(jostle_run *r) {
  struct locked *s = jostle_state(r);
  pthread_mutex_destroy(&s->stats.lock);
}

JOSTLE_SCENARIO(stats_snapshot_locked) {
  .name = "stats-snapshot-locked",
  .summary = "both counts under one mutex, read together (fix of stats-snapshot)",
  .racy = 0,
  .threads = 2,
  .min_threads = 2,
  .params = params,
  .state_size = sizeof(struct locked),
  .setup = locked_setup,
  .thread = locked_thread,
  .check = locked_check,
  .teardown = locked_teardown,
};
