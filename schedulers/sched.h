/*
 * sched.h: private to jostle. The scheduler plug-in interface and the
 * per-thread context that scheduling points act on.
 *
 * A scheduler is a static const jostle__sched_ops table in its own file,
 * listed once in registry.c; it describes itself whole (name, options,
 * state sizes, hooks), so adding one touches no other file. Uncontrolled
 * schedulers act inside each thread: begin() before the body, point() at
 * each scheduling point, with state in the thread's own context, so they
 * need no locking. Controlled ones are strategies of the control runtime
 * (control.h, strategy.h). Schedulers know nothing of the harness or the
 * CLI: they see their options in jostle__sched_cfg and one thread at a time.
 */
#ifndef JOSTLE_SCHED_H
#define JOSTLE_SCHED_H

#include <stddef.h>
#include <stdint.h>

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

/* Room for one scheduler's own options, and for one thread's state. */
#define JOSTLE__SCHED_OPTS_MAX 64
#define JOSTLE__THREAD_STATE_MAX 48

/* What a scheduler runs with: its own options (laid out by it, described
 * by its option table) and the options of the control runtime, which
 * every controlled scheduler shares. Filled by the caller; fields may be
 * added. */
typedef struct jostle__sched_cfg {
  _Alignas(16) unsigned char opts[JOSTLE__SCHED_OPTS_MAX]; /* ops->opts_size used */
  uint64_t step_limit;          /* controlled: points per run before step-limit */
  int spurious_wakeups;         /* controlled: a condition wait may end unsignalled,
                                   as one more choice of the strategy */
  int races;                    /* controlled: a data race is the run's outcome */
  const struct jostle__schedule *replay; /* controlled: the decisions to follow */
  struct jostle__schedule *record; /* controlled: each run's decisions go here */
  int trace;                    /* controlled: print every step on stdout */
  uint64_t race_steps[2];       /* controlled, traced: the steps of a race's two
                                   accesses, which the trace marks (0: none) */
  jostle__input *input;         /* controlled: choices come from these bytes */
  uint8_t *feedback;            /* controlled: interleaving coverage counters */
  size_t feedback_size;         /* (a power of two; see feedback.h) */
} jostle__sched_cfg;

/* The types of option values, which the command line parses and prints. */
typedef enum jostle__opt_type {
  JOSTLE__OPT_INT,      /* int, from min to max */
  JOSTLE__OPT_COUNT,    /* uint64_t above 0: 100000, 10k, 1M */
  JOSTLE__OPT_PROB,     /* double from 0 to 1 */
  JOSTLE__OPT_WEIGHTS,  /* unsigned[3]: Y:S:Z */
  JOSTLE__OPT_FLAG,     /* int, 1 when given */
} jostle__opt_type;

/* When a reproduce command gives an option. */
typedef enum jostle__opt_reproduce {
  JOSTLE__REPRODUCE_ALWAYS,
  JOSTLE__REPRODUCE_CHANGED,   /* only when it is not the default */
} jostle__opt_reproduce;

/* One option of a scheduler (or of the control runtime): the command line
 * makes --NAME of it, with its help line, parser, default and its part of
 * reproduce commands. */
typedef struct jostle__sched_option {
  const char *name;       /* given as --NAME */
  const char *metavar;    /* the value in help texts ("D"); NULL for a flag */
  const char *help;       /* one line */
  jostle__opt_type type;
  size_t offset;          /* of the value in the owner's options */
  long long min, max;     /* JOSTLE__OPT_INT: the accepted range */
  union {                 /* the default, by type (a flag's is 0) */
    long long i;
    uint64_t count;
    double p;
    unsigned w[3];
  } def;
  jostle__opt_reproduce reproduce;
} jostle__sched_option;

/* Sets every option of `options` (NULL-name-ended) in `block` to its
 * default. */
void jostle__sched_options_default(const jostle__sched_option *options, void *block);

typedef struct jostle__thread jostle__thread;

/* What kind of scheduling point a thread has reached. */
typedef enum jostle__point_kind {
  JOSTLE__POINT_YIELD,   /* jostle_yield(), sched_yield(), a sleep: gives way */
  JOSTLE__POINT_READ,    /* an instrumented load */
  JOSTLE__POINT_WRITE,   /* an instrumented store */
  JOSTLE__POINT_ATOMIC,  /* an instrumented atomic operation */
  JOSTLE__POINT_SYNC,    /* a wrapped synchronisation call */
} jostle__point_kind;

/* What an atomic operation does, as the code asked for it. */
typedef enum jostle__atomic_op {
  JOSTLE__OP_NONE,       /* not atomic: a plain access, or not an access */
  JOSTLE__OP_LOAD,
  JOSTLE__OP_STORE,
  JOSTLE__OP_EXCHANGE,
  JOSTLE__OP_CAS,        /* compare-exchange, strong or weak unknown (clang) */
  JOSTLE__OP_CAS_STRONG,
  JOSTLE__OP_CAS_WEAK,
  JOSTLE__OP_FETCH_ADD,
  JOSTLE__OP_FETCH_SUB,
  JOSTLE__OP_FETCH_AND,
  JOSTLE__OP_FETCH_OR,
  JOSTLE__OP_FETCH_XOR,
  JOSTLE__OP_FETCH_NAND,
} jostle__atomic_op;

/* What an instrumented access does, in one word: a hook passes it as one
 * constant (an atomic ORs in the memory orders it was given), so that
 * describing the access costs the hooks nothing. Only traces decode more
 * than the kind. Bits 0-2 the point kind, 3-7 the atomic operation, 8-11
 * its memory order and 12-15 a compare-exchange's failure order (0..5,
 * __ATOMIC_RELAXED .. __ATOMIC_SEQ_CST), 16-31 the width in bytes (a
 * range's, up to JOSTLE__WIDTH_MAX). */
typedef uint32_t jostle__point_access;
#define JOSTLE__WIDTH_MAX 0xffffu
#define JOSTLE__ACCESS(kind, op, width)                                       \
  ((jostle__point_access)(kind) | (jostle__point_access)(op) << 3 |            \
   (jostle__point_access)(width) << 16)
#define JOSTLE__ACCESS_ORDERS(order, failure_order)                          \
  ((jostle__point_access)(order) << 8 | (jostle__point_access)(failure_order) << 12)

static inline jostle__point_kind jostle__access_kind(jostle__point_access a) {
  return (jostle__point_kind)(a & 7);
}
static inline jostle__atomic_op jostle__access_op(jostle__point_access a) {
  return (jostle__atomic_op)(a >> 3 & 31);
}
static inline int jostle__access_order(jostle__point_access a) { return (int)(a >> 8 & 15); }
static inline int jostle__access_failure_order(jostle__point_access a) {
  return (int)(a >> 12 & 15);
}
static inline unsigned jostle__access_width(jostle__point_access a) { return a >> 16; }

typedef struct jostle__point {
  jostle__point_kind kind;
  jostle__point_access access; /* READ, WRITE, ATOMIC: what the access does; else 0 */
  const void *addr;      /* the memory or object concerned, or NULL */
  const void *pc;        /* the code address of the point, or NULL */
  union {
    const char *call;    /* SYNC and wrapped YIELD: the call, "pthread_mutex_lock" */
    /* ATOMIC compare-exchange: its expected value (access width bytes),
     * readable until the point returns */
    const void *expected;
  };
} jostle__point;

/* A scheduler: a static const table in its own file, listed once in
 * registry.c. Everything the rest of jostle needs to know of it is here:
 * the command line, help texts, soak defaults and reproduce commands are
 * made from these fields. */
typedef struct jostle__sched_ops {
  const char *name;     /* as given to --scheduler */
  const char *summary;  /* one line for help texts */
  /* Its options (NULL or NULL-name-ended), values in cfg->opts, which
   * hold opts_size bytes; opts_default (optional) sets what options do
   * not (values tests change), after the options' defaults. */
  const jostle__sched_option *options;
  size_t opts_size;
  void (*opts_default)(void *opts);
  /* Only `jostle replay --schedule` runs it: it follows a recorded
   * schedule (cfg->replay); campaigns and soaks never use it. */
  int follows_schedule;
  /* Checks cfg; returns NULL, or a one-line description of what is wrong. */
  const char *(*validate)(const jostle__sched_cfg *cfg);

  /* Uncontrolled schedulers: threads run in parallel. Each thread has
   * thread_size bytes of state (at most JOSTLE__THREAD_STATE_MAX, in
   * jostle__thread.state). begin (optional) runs before each run's body,
   * on the thread itself, and seeds its decisions from the run's seed;
   * point (NULL when the scheduler never acts) at each scheduling point. */
  size_t thread_size;
  void (*begin)(jostle__thread *t, uint64_t run_seed);
  void (*point)(jostle__thread *t, const jostle__point *p);

  /* Controlled schedulers (pick not NULL): one thread runs at a time, and
   * the control runtime (control.h) asks the strategy who runs next. Its
   * state is run_size bytes per run and thread_run_size bytes per thread
   * of the run (strategy.h), zeroed before run_begin.
   *   run_begin (optional): prepares a run, holding every thread;
   *   pick: the runnable thread to continue after `current` reached
   *     point p (current is -1 at the start, and may be blocked or done);
   *   spawned (optional): thread `creator` (the holder) created thread k, now
   *     runnable.
   * calibrate: run_begin needs the steps of a typical run
   * (jostle__control_calibration), which each pool measures first with
   * one run at a fixed seed.
   * profile_size, calibrated (optional, with calibrate): the strategy keeps
   *   profile_size bytes of its own across runs (jostle__control_profile),
   *   zeroed before the calibration run, filled by its hooks during that
   *   run (jostle__control_calibration is 0 then), and finished by
   *   calibrated() after it. Every pool makes its own calibration run; when
   *   that run died in another process (a crash, a hang) it makes none and
   *   the profile stays zeroed, which the strategy must accept. */
  size_t run_size, thread_run_size;
  void (*run_begin)(struct jostle__control *c);
  int (*pick)(struct jostle__control *c, int current, const jostle__point *p);
  void (*spawned)(struct jostle__control *c, int creator, int k);
  int calibrate;
  size_t profile_size;
  void (*calibrated)(struct jostle__control *c);

  /* A portfolio (no hooks of its own, pick NULL): run i of a campaign
   * runs under the (i mod K)-th of its K members
   * (jostle__portfolio_members), each with a control, options and
   * calibration of its own, so a run is a function of its seed and its
   * member and a reproduce command names the member. Controlled
   * (jostle__sched_controlled), but never a member, and `replay` refuses
   * it: a run is replayed under its member. */
  int portfolio;
} jostle__sched_ops;

/* A scenario thread as schedulers see it; owned by the thread pool (or,
 * for a thread a controlled run created, by the control). */
struct jostle__thread {
  void (*point)(jostle__thread *t, const jostle__point *p); /* ops->point */
  uintptr_t stack_lo, stack_hi;      /* the thread's own stack: no points */
  const jostle__sched_ops *ops;
  const jostle__sched_cfg *cfg;
  int index;                         /* 0 .. threads-1 within the run */
  struct jostle__control *control;   /* the run's control, when controlled */
  struct jostle__calls *calls;       /* --races: its shadow call stack's tree
                                        (calls.h), else NULL */
  struct jostle__waiter *waiter;     /* its published waits (waits.h), or NULL */
  /* The uncontrolled scheduler's state (ops->thread_size bytes). */
  _Alignas(16) unsigned char state[JOSTLE__THREAD_STATE_MAX];
};

/* The calling thread's context while it runs a scenario, else NULL. Every
 * scheduling point reads it: initial-exec, one load from the thread
 * pointer, where the shared library's default would call
 * __tls_get_addr. */
extern _Thread_local jostle__thread *jostle__self __attribute__((tls_model("initial-exec")));

/* Binds t to the calling thread (NULL unbinds) and records the thread's
 * stack bounds in it. */
void jostle__thread_attach(jostle__thread *t);

/* A scheduling point of the calling thread, for instrumentation hooks and
 * wrappers: does nothing outside a run, under a scheduler without points,
 * or for an access to the thread's own stack. access: JOSTLE__ACCESS(...),
 * or a bare point kind. */
void jostle__point_at(jostle__point_access access, const void *addr, const void *pc);

/* The same for a compare-exchange, whose expected value is at `expected`. */
void jostle__cas_point_at(jostle__point_access access, const void *addr, const void *pc,
                          const void *expected);

/* The registered schedulers, NULL-ended, in the order help lists them
 * (registry.c). */
extern const jostle__sched_ops *const jostle__schedulers[];

/* Looks a scheduler up by name; NULL when there is none. */
const jostle__sched_ops *jostle__sched_find(const char *name);

/* Its position in jostle__schedulers. */
int jostle__sched_index(const jostle__sched_ops *ops);

/* Whether runs under ops are controlled: a strategy of the control
 * runtime (pick), or a portfolio of them. */
static inline int jostle__sched_controlled(const jostle__sched_ops *ops) {
  return ops->pick != NULL || ops->portfolio;
}

/* The first registered scheduler that is controlled (`controlled` 1) or
 * not (0), among those campaigns run (not follows_schedule), a portfolio
 * never: the default of `replay` and of `stress`. */
const jostle__sched_ops *jostle__sched_first(int controlled);

/* The scheduler that follows recorded schedules, or NULL. */
const jostle__sched_ops *jostle__sched_follower(void);

/* The most members a portfolio has. */
#define JOSTLE__MAX_MEMBERS 8

/* The members of a portfolio (sched_ops.portfolio), in registry order:
 * every registered strategy of the control runtime (pick) that campaigns
 * run (not follows_schedule), so that registering a strategy adds a
 * member. Fills out[0 .. K-1] and returns K (schedulers/auto.c). */
int jostle__portfolio_members(const jostle__sched_ops *out[JOSTLE__MAX_MEMBERS]);

/* The member that runs run `run` of a portfolio of n_members. */
static inline int jostle__portfolio_member_of(uint64_t run, int n_members) {
  return n_members > 0 ? (int)(run % (uint64_t)n_members) : 0;
}

/* The configuration of `member` in a portfolio campaign configured by
 * `base`: the member's own options at their defaults, the control
 * runtime's (step limit, spurious wake-ups, races, ...) as base has them. */
void jostle__portfolio_cfg(const jostle__sched_cfg *base, const jostle__sched_ops *member,
                           jostle__sched_cfg *out);

/* The options of the control runtime, which every controlled scheduler
 * takes (--step-limit, --spurious-wakeups); values in jostle__sched_cfg
 * itself. */
extern const jostle__sched_option jostle__control_options[];

/* Fills cfg with the defaults of scheduler `ops` (its options and the
 * control runtime's). */
void jostle__sched_cfg_default(jostle__sched_cfg *cfg, const jostle__sched_ops *ops);

#endif
