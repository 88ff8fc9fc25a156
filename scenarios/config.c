/*
 * scenarios/config.c: a configuration updated while it is read.
 *
 * From the Go articles' "immutability as safety": a Config {DatabaseURL,
 * MaxConns, ...} that readers use while a writer changes it, fixed by
 * building a new config and swapping an atomic pointer, so that readers
 * always get a consistent snapshot and no lock is needed.
 *
 * Every field of a config is derived from its version number, so a reader
 * can tell a consistent config from a mix of two. Thread 0 is the writer:
 * it moves the config from version 1 to 1 + updates. The other threads
 * are readers: each copies the config field by field `reads` times and
 * checks every copy.
 *
 *   config-inplace   the writer overwrites the one shared config field by
 *                    field: a reader copying in between gets a torn
 *                    snapshot (say the new url with the old max_conns)
 *   config-swap      the writer builds each version in a new config and
 *                    publishes it with a release store of an atomic
 *                    pointer; readers acquire-load the pointer and read a
 *                    config nobody writes any more. Old versions stay
 *                    allocated until teardown, since a reader may still
 *                    hold one (what Go's collector does for free).
 *
 * Observation: torn = the number of readers that copied at least one
 * inconsistent config.
 */
#include <stdatomic.h>
#include <string.h>

#include "common.h"

enum { P_UPDATES, P_READS };

static const jostle_param_def params[] = {
  {"updates", 4, 1, 100000, "new versions the writer installs"},
  {"reads", 4, 1, 100000, "copies each reader takes"},
  {.name = NULL},
};

#define URL_SIZE 48
#define URL_PREFIX "postgres://db-"
#define URL_DIGITS 6 /* the version, zero-padded */
#define URL_SUFFIX ".internal:5432/app"

struct config {
  char url[URL_SIZE];
  int max_conns;
  int timeout_ms;
};

static int conns_for(int version) {
  return 10 + version % 90;
}

static int timeout_for(int version) {
  return 100 * (1 + version % 50);
}

/* Writes the url of `version` into url[URL_SIZE]. */
static void format_url(char *url, int version) {
  char *p = url;

  memcpy(p, URL_PREFIX, sizeof URL_PREFIX - 1);
  p += sizeof URL_PREFIX - 1;
  for (int i = URL_DIGITS - 1; i >= 0; i--) {
    p[i] = (char)('0' + version % 10);
    version /= 10;
  }
  p += URL_DIGITS;
  memcpy(p, URL_SUFFIX, sizeof URL_SUFFIX); /* with its NUL */
}

/* Whether a copy is one version's config, not a mix of several. */
static int consistent(const struct config *c) {
  const char *digits = c->url + sizeof URL_PREFIX - 1;
  int version = 0;

  for (int i = 0; i < URL_DIGITS; i++) {
    if (digits[i] < '0' || digits[i] > '9')
      return 0;
    version = version * 10 + (digits[i] - '0');
  }
  return version >= 1 && c->max_conns == conns_for(version) &&
         c->timeout_ms == timeout_for(version);
}

/* Copies c field by field, the way code that uses a config reads it. */
static int read_config(const struct config *c) {
  struct config copy;

  memcpy(copy.url, c->url, sizeof copy.url);
  copy.max_conns = c->max_conns;
  copy.timeout_ms = c->timeout_ms;
  return consistent(&copy);
}

static void check_readers(jostle_run *r, const int *n_torn) {
  long long n_torn_readers = 0;

  for (int i = 1; i < jostle_threads(r); i++)
    n_torn_readers += n_torn[i] != 0;
  jostle_observe(r, "torn", n_torn_readers);
  if (n_torn_readers != 0)
    jostle_fail(r, "reader saw a torn config");
}

/* ---- config-inplace: the racy original ------------------------------------- */

struct inplace {
  struct config config;
  int n_torn[SCENARIO_MAX_THREADS]; /* by reader i */
};

/* Applies `version` to c one field at a time. */
static void update_in_place(struct config *c, int version) {
  format_url(c->url, version);
  jostle_yield();
  c->max_conns = conns_for(version);
  jostle_yield();
  c->timeout_ms = timeout_for(version);
}

static void inplace_setup(jostle_run *r) {
  struct inplace *s = jostle_state(r);
  update_in_place(&s->config, 1);
}

static void inplace_thread(jostle_run *r, int index) {
  struct inplace *s = jostle_state(r);

  if (index == 0) {
    int last = 1 + (int)jostle_param(r, P_UPDATES);

    for (int version = 2; version <= last; version++) {
      jostle_yield();
      update_in_place(&s->config, version);
    }
  } else {
    long long n_reads = jostle_param(r, P_READS);

    for (long long i = 0; i < n_reads; i++) {
      jostle_yield();
      s->n_torn[index] += !read_config(&s->config);
    }
  }
}

static void inplace_check(jostle_run *r) {
  struct inplace *s = jostle_state(r);
  check_readers(r, s->n_torn);
}

JOSTLE_SCENARIO(config_inplace) {
  .name = "config-inplace",
  .summary = "writer updates a config in place while readers copy it: torn snapshots",
  .racy = 1,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .params = params,
  .state_size = sizeof(struct inplace),
  .setup = inplace_setup,
  .thread = inplace_thread,
  .check = inplace_check,
};

/* ---- config-swap ---------------------------------------------------------------- */

struct swap {
  _Atomic(const struct config *) current;
  struct config **versions; /* every version, written by the writer only */
  int n_versions;
  int n_torn[SCENARIO_MAX_THREADS];
};

static struct config *new_config(struct swap *s, int version) {
  struct config *c = need_memory(malloc(sizeof *c));

  format_url(c->url, version);
  c->max_conns = conns_for(version);
  c->timeout_ms = timeout_for(version);
  s->versions[s->n_versions++] = c;
  return c;
}

static void swap_setup(jostle_run *r) {
  struct swap *s = jostle_state(r);

  s->versions = need_memory(malloc(((size_t)jostle_param(r, P_UPDATES) + 1) *
                                   sizeof *s->versions));
  atomic_init(&s->current, new_config(s, 1));
}

static void swap_thread(jostle_run *r, int index) {
  struct swap *s = jostle_state(r);

  if (index == 0) {
    int last = 1 + (int)jostle_param(r, P_UPDATES);

    for (int version = 2; version <= last; version++) {
      struct config *c;

      jostle_yield();
      c = new_config(s, version);
      /* Release: a reader that loads c sees it fully built. */
      atomic_store_explicit(&s->current, c, memory_order_release);
    }
  } else {
    long long n_reads = jostle_param(r, P_READS);

    for (long long i = 0; i < n_reads; i++) {
      const struct config *c;

      jostle_yield();
      c = atomic_load_explicit(&s->current, memory_order_acquire);
      s->n_torn[index] += !read_config(c);
    }
  }
}

static void swap_check(jostle_run *r) {
  struct swap *s = jostle_state(r);
  check_readers(r, s->n_torn);
}

static void swap_teardown(jostle_run *r) {
  struct swap *s = jostle_state(r);

  for (int i = 0; i < s->n_versions; i++)
    free(s->versions[i]);
  free(s->versions);
}

JOSTLE_SCENARIO(config_swap) {
  .name = "config-swap",
  .summary = "writer publishes each new config by an atomic pointer swap (fix of config-inplace)",
  .racy = 0,
  .threads = 2,
  .max_threads = SCENARIO_MAX_THREADS,
  .min_threads = 2,
  .params = params,
  .state_size = sizeof(struct swap),
  .setup = swap_setup,
  .thread = swap_thread,
  .check = swap_check,
  .teardown = swap_teardown,
};
