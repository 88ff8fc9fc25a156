/*
 * scenarios/metrics.c: request metrics bumped from every handler.
 *
 * From the Go articles' "metrics counters without synchronization"
 * (`requests++` in handle(), common in custom metrics, logging counters and
 * feature flags) and its fix with atomic operations. A server's metrics
 * struct counts requests and bytes served; every thread is a handler that
 * records each request it serves. Unsynchronised, requests++ and
 * bytes += size each lose updates the way counter++ does, and the two
 * counters drift apart: the metrics "look almost correct".
 *
 *   metrics          plain requests++ and bytes += size (racy)
 *   metrics-atomic   atomic_fetch_add on both counters
 *
 * Observations: the final `requests` and `bytes` counters. Every request
 * is `request_bytes` long, so both take few distinct values; the run fails
 * unless both are exact.
 */
#include <stdatomic.h>

#include "common.h"

enum { P_REQUESTS, P_REQUEST_BYTES };

static const jostle_param_def params[] = {
  {"requests", 2, 1, 1000000, "requests served by each thread"},
  {"request_bytes", 512, 1, 1 << 20, "bytes of every request"},
  {.name = NULL},
};

static void check_metrics(jostle_run *r, long long requests, long long bytes) {
  long long expected = jostle_threads(r) * jostle_param(r, P_REQUESTS);

  jostle_observe(r, "requests", requests);
  jostle_observe(r, "bytes", bytes);
  if (requests != expected || bytes != expected * jostle_param(r, P_REQUEST_BYTES))
    jostle_fail(r, "lost metric updates");
}

/* ---- metrics: the racy original ------------------------------------------ */

struct metrics {
  long long requests;
  long long bytes;
};

/* A request handler: serves the request, then counts it. */
static void handle_request(struct metrics *m, long long size) {
  jostle_yield(); /* serving the request */
  m->requests++;
  m->bytes += size;
}

static void metrics_thread(jostle_run *r, int index) {
  struct metrics *m = jostle_state(r);
  long n_requests = jostle_param(r, P_REQUESTS);
  long long size = jostle_param(r, P_REQUEST_BYTES);

  (void)index;
  for (long i = 0; i < n_requests; i++)
    handle_request(m, size);
}

static void metrics_check(jostle_run *r) {
  struct metrics *m = jostle_state(r);
  check_metrics(r, m->requests, m->bytes);
}

JOSTLE_SCENARIO(metrics) {
  .name = "metrics",
  .summary = "plain requests++ and bytes += n in every handler: lost updates",
  .racy = 1,
  .threads = 2,
  .params = params,
  .state_size = sizeof(struct metrics),
  .thread = metrics_thread,
  .check = metrics_check,
};

/* ---- metrics-atomic -------------------------------------------------------- */

struct atomic_metrics {
  atomic_llong requests;
  atomic_llong bytes;
};

static void atomic_setup(jostle_run *r) {
  struct atomic_metrics *m = jostle_state(r);
  atomic_init(&m->requests, 0);
  atomic_init(&m->bytes, 0);
}

/* Relaxed: each counter is exact on its own, and nothing reads the two as
 * a pair while handlers run (see stats_snapshot.c for what goes wrong when
 * something does). */
static void handle_request_atomic(struct atomic_metrics *m, long long size) {
  jostle_yield(); /* serving the request */
  atomic_fetch_add_explicit(&m->requests, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->bytes, size, memory_order_relaxed);
}

static void atomic_thread(jostle_run *r, int index) {
  struct atomic_metrics *m = jostle_state(r);
  long n_requests = jostle_param(r, P_REQUESTS);
  long long size = jostle_param(r, P_REQUEST_BYTES);

  (void)index;
  for (long i = 0; i < n_requests; i++)
    handle_request_atomic(m, size);
}

static void atomic_check(jostle_run *r) {
  struct atomic_metrics *m = jostle_state(r);
  check_metrics(r, atomic_load_explicit(&m->requests, memory_order_relaxed),
                atomic_load_explicit(&m->bytes, memory_order_relaxed));
}

JOSTLE_SCENARIO(metrics_atomic) {
  .name = "metrics-atomic",
  .summary = "atomic adds on both metric counters (fix of metrics)",
  .racy = 0,
  .threads = 2,
  .params = params,
  .state_size = sizeof(struct atomic_metrics),
  .setup = atomic_setup,
  .thread = atomic_thread,
  .check = atomic_check,
};
