/*
 * trace.c: step-by-step traces of controlled runs (see trace.h).
 *
 * When a line is printed. A hook's point comes before its access, and the
 * access is made when the thread next holds the baton: at once when the
 * strategy keeps it running, else when some thread hands the baton back
 * (jostle__trace_switch). One thread runs at a time, so at that moment
 * memory holds exactly what the access will read: a read's line is
 * printed then. A write's new value exists only after the write, so its
 * line waits for its thread's next step (a point, a block, its end, the
 * run being abandoned): the thread has run alone since, so the line still
 * comes before anything another thread did. Wrapped calls wait the same
 * way, so that the object they act on has its number (the model makes it
 * at first use, after the point). Yields access nothing and are printed at
 * their point, before the switch they invite.
 *
 * Each thread has at most one access pending: WAITING from its point until
 * it holds the baton again, then (writes) DONE until its next step. The
 * state lives in the control (c->trace), made at the first traced run.
 * Synchronisation objects keep the name of the first line that named
 * them, so that every line names an object the same way.
 */
#include "schedulers/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedulers/trace_names.h"
#include "schedulers/trace_values.h"

#define NAME_SIZE 96
#define CAS_BYTES 16 /* the widest compare-exchange */

typedef enum stage {
  IDLE,                  /* nothing pending */
  WAITING,               /* at its point: the access is still to be made */
  DONE,                  /* made; the line waits for the value written */
} stage;

typedef struct pending {
  stage stage;
  jostle__point p;       /* p.expected is readable only while WAITING */
  uint64_t step;
  int readable;          /* `before` could be read */
  unsigned char before[JOSTLE__TRACE_BYTES]; /* what the access found */
  unsigned char expected[CAS_BYTES];         /* a compare-exchange's */
} pending;

struct jostle__trace {
  pending *threads;      /* by thread index, n_threads of them */
  int n_threads;
  char (*names)[NAME_SIZE]; /* by object id, "" until named */
  int n_names;
  int stopped;           /* out of memory: the rest of the run is not traced */
};

/* ---- the columns ----------------------------------------------------------- */

#define LINE "%6s  %-4s %-30s %-7s  %-28s %-24s %s\n"

/* Where traces go: stdout, or the descriptor a worker keeps for jostle's
 * own output while its stdout captures the scenario's (harness/capture.h). */
static FILE *trace_file;

static FILE *out(void) { return trace_file != NULL ? trace_file : stdout; }

void jostle__trace_to(int fd) {
  FILE *f = fdopen(fd, "w");
  if (f != NULL) trace_file = f;
}

void jostle__trace_header(void) {
  fprintf(out(), "trace: one line per scheduling point, printed when its access takes effect, so the\n"
         "       lines are in the order the accesses happened. A thread switched away at a\n"
         "       point makes its access when it runs again: that line keeps the point's step\n"
         "       and follows the switch back. value: what a read read; OLD -> NEW for a write\n"
         "       or an atomic (NEW as written); a compare-exchange adds what it expected and\n"
         "       whether it succeeded. order: an atomic's memory order (a failed compare-\n"
         "       exchange's failure order). mutex#N, cond#N, ...: synchronisation objects,\n"
         "       numbered by first use in the run.\n");
  fprintf(out(), LINE, "step", "thr", "operation", "order", "address", "value", "source");
  fflush(out());
}

static const char *const atomic_ops[] = {
    [JOSTLE__OP_NONE] = "atomic",
    [JOSTLE__OP_LOAD] = "atomic_load",
    [JOSTLE__OP_STORE] = "atomic_store",
    [JOSTLE__OP_EXCHANGE] = "atomic_exchange",
    [JOSTLE__OP_CAS] = "atomic_compare_exchange",
    [JOSTLE__OP_CAS_STRONG] = "atomic_compare_exchange_strong",
    [JOSTLE__OP_CAS_WEAK] = "atomic_compare_exchange_weak",
    [JOSTLE__OP_FETCH_ADD] = "atomic_fetch_add",
    [JOSTLE__OP_FETCH_SUB] = "atomic_fetch_sub",
    [JOSTLE__OP_FETCH_AND] = "atomic_fetch_and",
    [JOSTLE__OP_FETCH_OR] = "atomic_fetch_or",
    [JOSTLE__OP_FETCH_XOR] = "atomic_fetch_xor",
    [JOSTLE__OP_FETCH_NAND] = "atomic_fetch_nand",
};

static const char *const orders[] = {"relaxed", "consume", "acquire",
                                     "release", "acq_rel", "seq_cst"};

static const char *operation(const jostle__point *p) {
  unsigned op = jostle__access_op(p->access);
  switch (p->kind) {
  case JOSTLE__POINT_READ: return "read";
  case JOSTLE__POINT_WRITE: return "write";
  case JOSTLE__POINT_ATOMIC:
    return op < sizeof atomic_ops / sizeof atomic_ops[0] ? atomic_ops[op] : "atomic";
  case JOSTLE__POINT_YIELD: return p->call != NULL ? p->call : "jostle_yield";
  case JOSTLE__POINT_SYNC: return p->call != NULL ? p->call : "sync";
  }
  return "?";
}

static const char *order_name(int order) {
  return order >= 0 && order < (int)(sizeof orders / sizeof orders[0]) ? orders[order] : "?";
}

static int is_cas(const jostle__point *p) {
  jostle__atomic_op op = jostle__access_op(p->access);
  return p->kind == JOSTLE__POINT_ATOMIC &&
         (op == JOSTLE__OP_CAS || op == JOSTLE__OP_CAS_STRONG || op == JOSTLE__OP_CAS_WEAK);
}

/* Whether the access only reads: its line needs no value written. */
static int only_reads(const jostle__point *p) {
  return p->kind == JOSTLE__POINT_READ ||
         (p->kind == JOSTLE__POINT_ATOMIC && jostle__access_op(p->access) == JOSTLE__OP_LOAD);
}

/* ---- the run's state -------------------------------------------------------- */

/* The trace of c's run, or NULL once it has stopped. */
static struct jostle__trace *trace_of(jostle__control *c) {
  struct jostle__trace *t = c->trace;
  return t != NULL && !t->stopped ? t : NULL;
}

/* Tracing needs memory the run did not: without it the trace says so and
 * stops, and the run goes on untraced. */
static void stop(struct jostle__trace *t) {
  t->stopped = 1;
  fprintf(out(), "trace: out of memory: the rest of the run is not traced\n");
  fflush(out());
}

/* `array` (of *have entries of `each` bytes) with room for n, the new
 * entries zeroed; NULL when out of memory, leaving array as it was. */
static void *grown(void *array, int *have, int n, size_t each) {
  if (n <= *have) return array;
  int cap = *have ? *have : 8;
  while (cap < n) cap *= 2;
  char *more = realloc(array, (size_t)cap * each);
  if (more == NULL) return NULL;
  memset(more + (size_t)*have * each, 0, (size_t)(cap - *have) * each);
  *have = cap;
  return more;
}

void jostle__trace_begin(jostle__control *c) {
  if (c->trace == NULL && (c->trace = calloc(1, sizeof *c->trace)) == NULL) {
    fprintf(out(), "trace: out of memory: the run is not traced\n");
    fflush(out());
    return;
  }
  struct jostle__trace *t = c->trace;
  t->stopped = 0;
  if (t->n_threads) memset(t->threads, 0, (size_t)t->n_threads * sizeof *t->threads);
  if (t->n_names) memset(t->names, 0, (size_t)t->n_names * sizeof *t->names);
}

void jostle__trace_free(jostle__control *c) {
  if (c->trace == NULL) return;
  free(c->trace->threads);
  free(c->trace->names);
  free(c->trace);
  c->trace = NULL;
}

/* The pending access of thread k, NULL when there is none to look at. */
static pending *pending_of(struct jostle__trace *t, int k) {
  return k < t->n_threads ? &t->threads[k] : NULL;
}

/* ---- names ------------------------------------------------------------------ */

/* "mutex#1 s->lock": the object's number and the name of its first line. */
static void object_name(struct jostle__trace *t, const jostle__object *o, const char *name,
                        char *buf, size_t size) {
  const char *kept = "";
  char(*names)[NAME_SIZE] = grown(t->names, &t->n_names, o->id + 1, sizeof *names);
  if (names != NULL) {
    t->names = names;
    if (t->names[o->id][0] == '\0' && name != NULL)
      snprintf(t->names[o->id], NAME_SIZE, "%s", name);
    kept = t->names[o->id];
  } else {
    stop(t);
  }
  snprintf(buf, size, "%s#%d%s%s", jostle__object_kind_name(o->kind), o->id, kept[0] ? " " : "",
           kept);
}

/* ---- lines ------------------------------------------------------------------ */

/* The line of thread k's access q; `after` holds what it wrote (NULL for
 * a line printed before anything was written). */
static void print_access(jostle__control *c, struct jostle__trace *t, int k, const pending *q,
                         const unsigned char *after) {
  const jostle__point *p = &q->p;
  char data[NAME_SIZE] = "", address[2 * NAME_SIZE] = "", code[512], value[256] = "";
  char step[24], thr[16];
  const char *order = "";
  jostle__value_type type;
  jostle__trace_name_data(c, p->addr, p->pc, data, sizeof data, &type);
  const jostle__object *o = p->addr ? jostle__control_find_object(c, p->addr) : NULL;
  unsigned width = p->kind == JOSTLE__POINT_SYNC || p->kind == JOSTLE__POINT_YIELD
                       ? 0 : jostle__access_width(p->access);
  if (o != NULL) object_name(t, o, data, address, sizeof address);
  else snprintf(address, sizeof address, "%s", width > 0 && p->addr == NULL ? "NULL" : data);
  jostle__trace_name_code(p->pc, code, sizeof code);

  if (p->kind == JOSTLE__POINT_ATOMIC) order = order_name(jostle__access_order(p->access));
  if (width > 0 && !q->readable) {
    snprintf(value, sizeof value, "(unreadable)");
  } else if (width > 0) {
    char old[96], now[96] = "(unreadable)";
    jostle__trace_format(c, p->pc, q->before, width, type, old, sizeof old);
    if (after != NULL) jostle__trace_format(c, p->pc, after, width, type, now, sizeof now);
    if (is_cas(p)) {
      char expected[96];
      unsigned n = width < CAS_BYTES ? width : CAS_BYTES;
      int succeeded = memcmp(q->before, q->expected, n) == 0;
      jostle__trace_format(c, p->pc, q->expected, width, type, expected, sizeof expected);
      if (succeeded) {
        snprintf(value, sizeof value, "%s -> %s (expected %s: succeeded)", old, now, expected);
      } else {
        snprintf(value, sizeof value, "%s (expected %s: failed)", old, expected);
        order = order_name(jostle__access_failure_order(p->access));
      }
    } else if (only_reads(p)) {
      snprintf(value, sizeof value, "%s", old);
    } else {
      snprintf(value, sizeof value, "%s -> %s", old, now);
    }
  }
  snprintf(step, sizeof step, "%llu", (unsigned long long)q->step);
  snprintf(thr, sizeof thr, "T%d", k);
  /* a race's two accesses, as its report numbers them */
  const uint64_t *marks = c->cfg->race_steps;
  const char *mark = q->step == 0                ? ""
                     : q->step == marks[0]       ? "   <- race: the earlier access"
                     : q->step == marks[1]       ? "   <- race: the later access"
                                                 : "";
  char marked[sizeof code + 40];
  snprintf(marked, sizeof marked, "%s%s", code, mark);
  fprintf(out(), LINE, step, thr, operation(p), order, address, value, marked);
  fflush(out());
}

/* Thread k holds the baton again, just before the access of its point:
 * what the access will find is in memory now. */
static void resume(jostle__control *c, struct jostle__trace *t, int k) {
  pending *q = pending_of(t, k);
  if (q == NULL || q->stage != WAITING) return;
  const jostle__point *p = &q->p;
  unsigned width = p->kind == JOSTLE__POINT_SYNC ? 0 : jostle__access_width(p->access);
  q->readable = jostle__trace_read(p->addr, width, q->before) == 0;
  if (is_cas(p) && jostle__trace_read(p->expected, width, q->expected) != 0)
    memset(q->expected, 0, sizeof q->expected);
  q->stage = DONE;
  /* A read is complete now; so is an access that will fault (its line
   * must come before the crash). */
  if (width > 0 && (only_reads(p) || !q->readable)) {
    print_access(c, t, k, q, NULL);
    q->stage = IDLE;
  }
}

/* Thread k takes its next step: its last access has been made. */
static void finish_access(jostle__control *c, struct jostle__trace *t, int k) {
  pending *q = pending_of(t, k);
  if (q == NULL || q->stage != DONE) return;
  unsigned char after[JOSTLE__TRACE_BYTES];
  unsigned width = q->p.kind == JOSTLE__POINT_SYNC ? 0 : jostle__access_width(q->p.access);
  int wrote = jostle__trace_read(q->p.addr, width, after) == 0;
  print_access(c, t, k, q, wrote ? after : NULL);
  q->stage = IDLE;
}

/* "T1 -> T0", and which step T1 leaves waiting when it stops at a point
 * before its access: that step's line comes when T1 runs again. */
static void print_switch(struct jostle__trace *t, int from, int to) {
  const pending *q = pending_of(t, from);
  if (q != NULL && q->stage == WAITING)
    fprintf(out(), "        T%d -> T%d  (T%d's step %llu waits)\n", from, to, from,
           (unsigned long long)q->step);
  else
    fprintf(out(), "        T%d -> T%d\n", from, to);
  fflush(out());
}

void jostle__trace_point(jostle__control *c, int thread, const jostle__point *p, int next) {
  struct jostle__trace *t = trace_of(c);
  if (t == NULL) return;
  finish_access(c, t, thread);
  pending *threads = grown(t->threads, &t->n_threads, thread + 1, sizeof *threads);
  if (threads == NULL) {
    stop(t);
    return;
  }
  t->threads = threads;
  pending *q = &t->threads[thread];
  *q = (pending){.stage = WAITING, .p = *p, .step = c->n_steps};
  if (p->kind == JOSTLE__POINT_YIELD) {
    q->stage = IDLE;
    print_access(c, t, thread, q, NULL);
  }
  if (next != thread) print_switch(t, thread, next);
  resume(c, t, next);
}

void jostle__trace_event(jostle__control *c, int thread, const char *what,
                         const jostle__object *o) {
  struct jostle__trace *t = trace_of(c);
  if (t == NULL) return;
  finish_access(c, t, thread);
  char step[24] = "", thr[16], event[2 * NAME_SIZE + 64], object[2 * NAME_SIZE];
  snprintf(thr, sizeof thr, "T%d", thread);
  if (o == NULL) {
    snprintf(event, sizeof event, "%s", what);
  } else if (o->kind == JOSTLE__OBJ_THREAD) {
    snprintf(step, sizeof step, "%llu", (unsigned long long)c->n_steps);
    snprintf(event, sizeof event, "%s T%d to finish", what, o->count);
  } else {
    /* a block is a step of its own */
    snprintf(step, sizeof step, "%llu", (unsigned long long)c->n_steps);
    object_name(t, o, NULL, object, sizeof object);
    int len = snprintf(event, sizeof event, "%s %s", what, object);
    if (o->owner >= 0 && len > 0 && (size_t)len < sizeof event)
      snprintf(event + len, sizeof event - (size_t)len, " (held by T%d)", o->owner);
  }
  fprintf(out(), "%6s  %-4s %s\n", step, thr, event);
  fflush(out());
}

void jostle__trace_switch(jostle__control *c, int from, int to) {
  struct jostle__trace *t = trace_of(c);
  if (t == NULL) return;
  print_switch(t, from, to);
  resume(c, t, to);
}

void jostle__trace_abandon(jostle__control *c, int thread) {
  struct jostle__trace *t = trace_of(c);
  if (t != NULL) finish_access(c, t, thread);
}
