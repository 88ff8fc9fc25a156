/*
 * sched.h: private to jostle. The scheduler plug-in interface and the
 * per-thread context that scheduling points act on.
 *
 * A scheduler is a static const jostle__sched_ops table listed once in
 * registry.c. For every run each scenario thread calls begin() with its own
 * context before its body, then point() at each scheduling point of that
 * body: the context is the thread's alone, so a scheduler that keeps its
 * state there needs no locking. Schedulers know nothing of the harness or
 * the CLI: they see the options in jostle__sched_cfg and one thread at a time.
 */
#ifndef JOSTLE_SCHED_H
#define JOSTLE_SCHED_H

#include <stddef.h>
#include <stdint.h>

/* Options of every scheduler, filled by the caller; fields may be added. */
struct jostle__control;
struct jostle__schedule;

/* A fuzzer's input: its bits drive a controlled run's choices from the
 * front (a choice among n takes ceil(log2 n) bits, so one byte makes eight
 * choices between two threads) and its bytes the scenario's
 * jostle_input_int() from the back. The cursors are reset before each run. */
typedef struct jostle__input {
  const uint8_t *data;
  size_t size;
  size_t front_bit;       /* bits used from the front */
  size_t back;            /* bytes left before the back */
} jostle__input;

typedef struct jostle__sched_cfg {
  double noise_p;               /* noise: chance of acting at a yield or sync point */
  double noise_access_p;        /* noise: chance at a load, store or atomic */
  unsigned noise_weights[3];    /* noise: relative weights of yield, spin, sleep */
  unsigned noise_spin_max;      /* noise: longest spin, in pause iterations */
  unsigned noise_sleep_max_us;  /* noise: longest sleep, in microseconds */
  int pct_depth;                /* pct: bug depth d, d-1 priority changes */
  uint64_t step_limit;          /* controlled: points per run before step-limit */
  int spurious_wakeups;         /* controlled: a condition wait may end unsignalled,
                                   as one more choice of the strategy */
  const struct jostle__schedule *replay; /* replay: the decisions to follow */
  struct jostle__schedule *record; /* controlled: each run's decisions go here */
  int trace;                    /* controlled: print every step on stdout */
  jostle__input *input;         /* controlled: choices come from these bytes */
  uint8_t *feedback;            /* controlled: interleaving coverage counters */
  size_t feedback_size;         /* (a power of two; see feedback.h) */
} jostle__sched_cfg;

/* Fills cfg with the defaults. */
void jostle__sched_cfg_default(jostle__sched_cfg *cfg);

typedef struct jostle__thread jostle__thread;

/* What kind of scheduling point a thread has reached. */
typedef enum jostle__point_kind {
  JOSTLE__POINT_YIELD,   /* jostle_yield(), sched_yield(), a sleep: gives way */
  JOSTLE__POINT_READ,    /* an instrumented load */
  JOSTLE__POINT_WRITE,   /* an instrumented store */
  JOSTLE__POINT_ATOMIC,  /* an instrumented atomic operation */
  JOSTLE__POINT_SYNC,    /* a wrapped synchronisation call */
} jostle__point_kind;

typedef struct jostle__point {
  jostle__point_kind kind;
  const void *addr;      /* the memory or object concerned, or NULL */
  const void *pc;        /* the code address of the point, or NULL */
  const char *call;      /* SYNC and wrapped YIELD: the call, "pthread_mutex_lock" */
} jostle__point;

typedef struct jostle__sched_ops {
  const char *name;     /* as given to --scheduler */
  const char *summary;  /* one line for help texts */
  /* Checks cfg; returns NULL, or a one-line description of what is wrong. */
  const char *(*validate)(const jostle__sched_cfg *cfg);
  /* Before each run's body, on the thread itself: seeds its decisions from
   * the run's seed. */
  void (*begin)(jostle__thread *t, uint64_t run_seed);
  /* At each scheduling point; NULL when the scheduler never acts. */
  void (*point)(jostle__thread *t, const jostle__point *p);
  /* Controlled schedulers only (NULL otherwise): one thread runs at a time.
   * run_begin prepares the strategy for a run, holding every thread;
   * pick returns the runnable thread to continue after `current` reached
   * point p (current is -1 at the start, and may be blocked or done). */
  void (*run_begin)(struct jostle__control *c);
  int (*pick)(struct jostle__control *c, int current, const jostle__point *p);
  /* Controlled: run_begin needs the steps of a typical run (k_estimate),
   * which each pool measures first with one run at a fixed seed. */
  int needs_k;
} jostle__sched_ops;

/* A scenario thread as schedulers see it; owned by the thread pool. */
struct jostle__thread {
  void (*point)(jostle__thread *t, const jostle__point *p); /* ops->point */
  uintptr_t stack_lo, stack_hi;      /* the thread's own stack: no points */
  const jostle__sched_ops *ops;
  const jostle__sched_cfg *cfg;
  int index;                         /* 0 .. threads-1 within the run */
  struct jostle__control *control;   /* the run's control, when controlled */
  uint64_t rng;                      /* the scheduler's per-run state */
  uint64_t noise_threshold;          /* noise_p scaled to 2^32 (p=1: 2^32) */
  uint64_t noise_access_threshold;   /* noise_access_p, likewise */
  uint32_t noise_cut[2];             /* cumulative weights: yield | spin | sleep */
  uint32_t noise_total;
};

/* The calling thread's context while it runs a scenario, else NULL. */
extern _Thread_local jostle__thread *jostle__self;

/* Binds t to the calling thread (NULL unbinds) and records the thread's
 * stack bounds in it. */
void jostle__thread_attach(jostle__thread *t);

/* A scheduling point of the calling thread, for instrumentation hooks and
 * wrappers: does nothing outside a run, under a scheduler without points,
 * or for an access to the thread's own stack. */
void jostle__point_at(jostle__point_kind kind, const void *addr, const void *pc);

/* Looks a scheduler up by name; NULL when there is none. */
const jostle__sched_ops *jostle__sched_find(const char *name);

/* The registered schedulers, NULL-ended, in the order help lists them. */
extern const jostle__sched_ops *const jostle__schedulers[];

extern const jostle__sched_ops jostle__sched_free;
extern const jostle__sched_ops jostle__sched_noise;

#endif
