/*
 * soak.c: `jostle soak`, a time-budgeted campaign over scenarios, for
 * nightly runs.
 *
 * Its cells are every scenario x scheduler (--scheduler-set) x placement
 * (--pins), each with the runs of one campaign seed: run i of a cell has
 * seed mix(seed, i), as under `stress`. The soak gives the cells batches in
 * turn, each at most --batch long and never longer than a cell's share of
 * --duration, so each gets its share; a cell with --runs-per-cell is done
 * when all its runs are. Every cell runs: a --duration too short to give
 * each cell MIN_SHARE_NS is refused up front, and when batches overran the
 * time (a hang holds its batch for --timeout) the cells still without a
 * batch get one each, past the budget, which ends after its first run.
 *
 * A batch runs a cell's missing runs: the holes an earlier batch left (a
 * batch stopped by its time ends with each worker's claimed runs undone;
 * at most one per worker, and each worker takes one as its first claim),
 * then the runs after the last one done. After each batch the soak appends
 * a line to its journal (journal.h) with the runs it completed and their
 * outcomes, on disk before the next batch starts; `--resume DIR` reads the
 * journal back, rebuilds the cells from the options it records, and runs
 * exactly the runs missing. So a soak killed outright loses at most the
 * batch in flight, and under a controlled scheduler (a run is a pure
 * function of its seed) a killed and resumed soak ends with the counts of
 * an uninterrupted one.
 *
 * One soak uses a folder at a time: it holds a lock on DIR/soak.lock from
 * before it writes there until it ends, so a second soak or a resume into
 * the folder is refused instead of mixing its batches into the journal.
 *
 * SIGINT and SIGTERM stop the batch in flight cleanly (it is journaled
 * too); the soak then writes its reports of what ran: each report format's
 * file in DIR (results.json, junit.xml, report.html: the soak_file of each
 * in reports/formats.c), and the text report on stdout.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/lock_file.h"
#include "common/text.h"
#include "harness/campaign.h"
#include "cli/cli.h"
#include "cli/errors.h"
#include "harness/environment.h"
#include "harness/journal.h"
#include "harness/program.h"
#include "reports/progress.h"
#include "reports/report.h"

static const char soak_help[] =
    "usage: %s soak [options] [SCENARIO...] --out DIR --duration TIME\n"
    "       %s soak --resume DIR [-j N] [--progress]\n"
    "\n"
    "Runs the scenarios named (names or shell patterns; default: all) under\n"
    "every scheduler and placement of the sets below, giving each cell\n"
    "batches in turn until the time budget is spent (or every cell has run\n"
    "--runs-per-cell runs). Every batch is journaled in DIR/journal.jsonl as\n"
    "it ends, so a soak that is killed loses at most the batch in flight:\n"
    "--resume DIR goes on to the budget. At the end, and on SIGINT or SIGTERM,\n"
    "it writes DIR/results.json, DIR/junit.xml and DIR/report.html and prints\n"
    "the text report (as stress does).\n"
    "\n"
    "budget (at least one; with both, whichever ends first):\n"
    "  --duration TIME         the whole soak's time (8h, 30m, 1h30m), shared by\n"
    "                          the cells: at least 100ms each; every cell runs\n"
    "  --runs-per-cell N       runs of each scenario x scheduler x placement\n"
    "  --batch TIME            longest batch (default: a quarter of a cell's\n"
    "                          share of --duration, from 5s to 60s, at most the\n"
    "                          share; 10s without)\n"
    "cells:\n"
    "  --scheduler-set LIST    schedulers in turn (default: %s;\n"
    "                          a portfolio, %s, runs only when named)\n"
    "  --pins LIST             placements in turn (default: none,spread)\n"
    "  --all                   every scenario (the default when none is named)\n"
    "  --shard I/N             run only slice I (from 0) of N of each cell's runs\n"
    "%s"
    "output:\n"
    "  --out DIR               the soak's folder (made if missing): journal and reports;\n"
    "                          one soak at a time (it holds DIR/soak.lock)\n"
    "  --resume DIR            go on with the soak journaled in DIR\n"
    "  --json FILE, --junit FILE, --html FILE   the reports, also here\n"
    "  --progress, --no-progress  live progress on stderr (default: on a terminal)\n"
    "  -h, --help              show this help\n"
    "\n"
    "exit codes: 0 no divergence, 1 divergence found, 2 bad usage or input,\n"
    "            3 internal error (out of memory, a worker that could not be forked,\n"
    "            a journal or report that could not be written), 4 interrupted by\n"
    "            SIGINT or SIGTERM with no divergence in what ran\n";

void jostle__help_soak(void) {
  char list[1024], portfolios[128], block[4096];
  jostle__campaign_scheduler_names(",", 0, list, sizeof list);
  jostle__campaign_scheduler_names(",", -1, portfolios, sizeof portfolios);
  jostle__sched_shared_options(block, sizeof block);
  printf(soak_help, jostle__prog, jostle__prog, list, portfolios, block);
}

#define SEC_NS 1000000000ULL

/* The shortest batch a time budget may give each cell: the campaign looks
 * at the clock once per 20 ms tick (harness/campaign.c) and every batch
 * starts its workers again, so a shorter batch is mostly start-up and
 * stopping. */
#define MIN_SHARE_NS (100 * 1000000ULL)

/* In the soak's folder: held by the soak that uses the folder (lock_dir). */
#define LOCK_FILE "soak.lock"

typedef struct soak_cell {
  jostle__plan plan;        /* its campaign; its runs are [first_run, end) */
  jostle__runset done;      /* the runs done so far */
  jostle__cell result;      /* what they gave: a sample per batch */
  uint64_t n_batches;       /* batches it had, journaled ones included */
} soak_cell;

typedef struct soak {
  jostle__opts o;           /* as given, or as journaled when resumed */
  const char *dir;
  soak_cell *cells;
  size_t n_cells;
  uint64_t batch_ns;        /* longest batch */
  uint64_t used_ns;         /* the soak's time so far, batches journaled */
  uint64_t n_batches;       /* batches done: the next one's index */
  size_t next_cell;         /* where the rotation goes on */
  uint64_t n_runs, n_divergent;   /* totals, for progress */
  int show;                 /* live progress */
  int interrupted;          /* stopped by SIGINT or SIGTERM */
  int out_of_memory;        /* reading the journal back ran out of memory */
  jostle__journal_header header;  /* owned: the options point into its args */
  int lock_fd;              /* holds DIR/soak.lock; -1 before it is taken */
  jostle__journal *journal;
  jostle__report_meta meta;
} soak;

/* ---- cells --------------------------------------------------------------- */

/* Plans scenario s under scheduler `sched` and placement `pin` into c. */
static int plan_cell(const jostle_scenario *s, const jostle__sched_ops *sched, jostle__pin pin,
                     const jostle__opts *o, soak_cell *c, int *known) {
  jostle__opts cell_opts = *o;
  cell_opts.sched = sched;
  cell_opts.pin = pin;
  cell_opts.pin_given = 1; /* each cell's placement is its own, from --pins */
  int rc = jostle__cli_plan(s, &cell_opts, &c->plan, known);
  if (rc == 0) rc = jostle__cli_describe(&c->plan, &c->result);
  jostle__cell_sample(&c->result, (jostle__sample){0, 0, 0});
  return rc;
}

/* The longest batch: --batch, or chosen from the budget; with a time
 * budget, never more than each cell's share of it, so that every cell has
 * its batches. Returns 0, or an exit code after refusing a time budget too
 * short to give every cell a batch of MIN_SHARE_NS. */
static int choose_batch(soak *k) {
  uint64_t share = k->o.duration_ns / k->n_cells;
  if (k->o.duration_ns && share < MIN_SHARE_NS) {
    uint64_t enough_s = ((uint64_t)k->n_cells * MIN_SHARE_NS + SEC_NS - 1) / SEC_NS;
    return jostle__usage_error("soak: --duration of %.3g s is too short for %zu cells "
                               "(scenarios x --scheduler-set x --pins): each needs %" PRIu64
                               " ms at least; give --duration %" PRIu64 "s or more, or fewer "
                               "cells", (double)k->o.duration_ns / 1e9, k->n_cells,
                               (uint64_t)(MIN_SHARE_NS / 1000000), enough_s);
  }
  if (k->o.batch_ns) {
    k->batch_ns = k->o.batch_ns;
  } else if (k->o.duration_ns) {
    /* Each batch starts its workers again: at 5 s or more, that costs
     * under 1% of the runs (docs/BENCHMARKS.md); at 60 s or less, a kill
     * loses at most a minute. */
    k->batch_ns = k->o.duration_ns / (4 * k->n_cells);
    k->batch_ns = k->batch_ns < 5 * SEC_NS    ? 5 * SEC_NS
                  : k->batch_ns > 60 * SEC_NS ? 60 * SEC_NS
                                              : k->batch_ns;
  } else {
    k->batch_ns = 10 * SEC_NS;
  }
  if (k->o.duration_ns && k->batch_ns > share) k->batch_ns = share;
  return 0;
}

/* Every scenario x scheduler x placement the options name, in that order;
 * argv[optind..argc) names the scenarios. Returns 0 or an exit code. */
static int build_cells(soak *k, int argc, char **argv) {
  const jostle_scenario **selected;
  int n_selected;
  int rc = jostle__cli_select("soak", argc, argv, k->o.all || optind == argc, &selected,
                              &n_selected);
  if (rc != 0) return rc;
  size_t n = (size_t)n_selected * (size_t)k->o.n_sched_set * (size_t)k->o.n_pin_set;
  k->cells = calloc(n, sizeof *k->cells);
  rc = k->cells ? 0 : jostle__internal_error("out of memory");
  int known[JOSTLE__MAX_DEFINES] = {0};
  for (int s = 0; rc == 0 && s < n_selected; s++)
    for (int x = 0; rc == 0 && x < k->o.n_sched_set; x++)
      for (int y = 0; rc == 0 && y < k->o.n_pin_set; y++)
        rc = plan_cell(selected[s], k->o.sched_set[x], k->o.pin_set[y], &k->o,
                       &k->cells[k->n_cells++], known);
  if (rc == 0) rc = jostle__cli_check_defines(&k->o, known, selected, n_selected);
  free(selected);
  if (rc != 0) return rc;
  return choose_batch(k);
}

static void free_cells(soak *k) {
  for (size_t i = 0; i < k->n_cells; i++) {
    jostle__runset_free(&k->cells[i].done);
    jostle__cell_free(&k->cells[i].result);
  }
  free(k->cells);
}

/* Adds a batch's runs and results to its cell. */
static int apply(soak *k, soak_cell *c, const jostle__runset *done, const jostle__cell *result) {
  c->n_batches++;
  for (size_t i = 0; i < done->n; i++)
    if (jostle__runset_add(&c->done, done->ranges[i].begin, done->ranges[i].end) != 0)
      return -1;
  k->n_runs += result->n_runs;
  k->n_divergent += result->n_divergent;
  return jostle__cell_merge(&c->result, result);
}

/* ---- starting: fresh or resumed ------------------------------------------ */

/* mkdir -p */
static int make_dir(const char *path) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -1;
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  struct stat st;
  return (mkdir(buf, 0777) == 0 || errno == EEXIST) && stat(buf, &st) == 0 &&
                 S_ISDIR(st.st_mode) ? 0 : -1;
}

/* A copy of the soak's arguments (argv after `soak`) for its journal,
 * made before parsing, which cuts -D KEY=VALUE apart. */
static int copy_args(int argc, char **argv, jostle__journal_header *h) {
  h->args = calloc((size_t)argc + 1, sizeof *h->args);
  if (h->args == NULL) return -1;
  for (int i = 1; i < argc; i++) {
    if ((h->args[i - 1] = strdup(argv[i])) == NULL) return -1;
    h->n_args = i;
  }
  return 0;
}

/* A copy of the program's command line for the journal. */
static int copy_words(int argc, char **argv, jostle__journal_header *h) {
  h->program = calloc((size_t)argc + 1, sizeof *h->program);
  if (h->program == NULL) return -1;
  for (int i = 0; i < argc; i++) {
    if ((h->program[i] = strdup(argv[i])) == NULL) return -1;
    h->n_program = i + 1;
  }
  return 0;
}

/* Makes the soak the folder's only one: two soaks writing one journal
 * would mix their batches, and their reports would overwrite each other's.
 * The lock is held until the soak's process ends (common/lock_file.h).
 * `cmd` names the command in messages, `hint` ends them. Returns 0 or an
 * exit code. */
static int lock_dir(soak *k, const char *cmd, const char *hint) {
  char path[4200], pid[32] = "";
  pid_t holder;
  snprintf(path, sizeof path, "%s/%s", k->dir, LOCK_FILE);
  int rc = jostle__lock_file(path, &k->lock_fd, &holder);
  if (rc < 0) return jostle__internal_error("%s: cannot lock %s: %s", cmd, path, strerror(errno));
  if (rc == 0) return 0;
  if (holder > 0) snprintf(pid, sizeof pid, " (pid %ld)", (long)holder);
  return jostle__usage_error("%s: %s is in use by another soak%s: wait for it to end%s", cmd,
                             k->dir, pid, hint);
}

static int start_fresh(soak *k, int argc, char **argv) {
  char err[1200], path[4200];
  if (k->o.out_dir == NULL)
    return jostle__usage_error("soak: --out DIR is required: where the journal and the "
                               "reports go (or --resume DIR)");
  if (k->o.duration_ns == 0 && k->o.n_runs == 0)
    return jostle__usage_error("soak: give a budget: --duration TIME, --runs-per-cell N or "
                               "both");
  k->dir = k->o.out_dir;
  int rc = build_cells(k, argc, argv);
  if (rc != 0) return rc;
  if (make_dir(k->dir) != 0)
    return jostle__usage_error("soak: cannot make the folder '%s': %s", k->dir,
                               strerror(errno));
  rc = lock_dir(k, "soak", ", or choose another --out");
  if (rc != 0) return rc;
  /* under the lock: no other soak can be creating a journal here now */
  snprintf(path, sizeof path, "%s/%s", k->dir, JOSTLE__JOURNAL_FILE);
  if (access(path, F_OK) == 0)
    return jostle__usage_error("soak: %s holds a soak already: go on with '%s soak --resume "
                               "%s', or choose another --out", k->dir, jostle__prog, k->dir);
  k->header.seed = k->o.seed;
  k->header.started_unix_ns = k->meta.started_unix_ns;
  /* a program's soak names it, for a resume typed without it */
  const jostle__program *program = jostle__program_served;
  if (program != NULL && copy_words(program->argc, program->argv, &k->header) != 0)
    return jostle__internal_error("out of memory");
  if (jostle__journal_create(k->dir, &k->header, &k->journal, err, sizeof err) != 0)
    return jostle__internal_error("%s", err);
  return 0;
}

/* A journaled batch, read back on resume. */
static int replay_batch(void *ctx, const jostle__batch *b, char *err, size_t errsize) {
  soak *k = ctx;
  soak_cell *c = b->cell < k->n_cells ? &k->cells[b->cell] : NULL;
  if (c == NULL || strcmp(c->result.scenario, b->result.scenario) != 0 ||
      strcmp(c->result.scheduler, b->result.scheduler) != 0 ||
      strcmp(c->result.placement, b->result.placement) != 0) {
    snprintf(err, errsize, "%s: batch %" PRIu64 " ran %s [%s, %s], not a cell of this soak "
             "(was the journal written by another program?)", k->dir, b->index,
             b->result.scenario, b->result.scheduler, b->result.placement);
    return -1;
  }
  for (size_t i = 0; i < b->done.n; i++)
    if (jostle__runset_overlaps(&c->done, b->done.ranges[i].begin, b->done.ranges[i].end)) {
      snprintf(err, errsize, "%s: batch %" PRIu64 " repeats runs of an earlier batch", k->dir,
               b->index);
      return -1;
    }
  if (apply(k, c, &b->done, &b->result) != 0) {
    snprintf(err, errsize, "%s: out of memory", k->dir);
    k->out_of_memory = 1;  /* not the journal's fault: exit 3, not 2 */
    return -1;
  }
  k->used_ns = b->soak_ns;
  k->n_batches = b->index + 1;
  k->next_cell = (b->cell + 1) % k->n_cells;
  return 0;
}

/* The journaled options, parsed again (parsing cuts -D texts apart: the
 * metadata's command line is taken first); -j and --progress from `now`. */
/* `soak --resume DIR` of a program's soak, typed without the program: the
 * same command with the program the journal names after `--`. */
static int resume_program(const jostle__journal_header *h, int argc, char **argv) {
  char **with = calloc((size_t)(argc + 1 + h->n_program + 1), sizeof *with);
  if (with == NULL) return jostle__internal_error("out of memory");
  memcpy(with, argv, (size_t)argc * sizeof *with);
  with[argc] = "--";
  memcpy(with + argc + 1, h->program, (size_t)h->n_program * sizeof *with);
  int rc = jostle__program_start("soak", "soak", argc + 1 + h->n_program, with, argc, 0);
  free(with); /* reached only when the program could not be started */
  return rc;
}

static int start_resumed(soak *k, const jostle__opts *now, int typed_argc, char **typed_argv) {
  char err[1200];
  jostle__journal_header *h = &k->header;
  k->dir = now->resume_dir;
  if (jostle__journal_read_header(k->dir, h, err, sizeof err) != 0)
    return jostle__usage_error("soak --resume: %s", err);
  if (h->n_program > 0 && jostle__program_served == NULL)
    return resume_program(h, typed_argc, typed_argv);
  /* argv as the soak was started: PROG soak ARGS */
  char **argv = calloc((size_t)h->n_args + 3, sizeof *argv);
  if (argv == NULL) return jostle__internal_error("out of memory");
  argv[0] = (char *)jostle__prog;
  argv[1] = "soak";
  memcpy(argv + 2, h->args, (size_t)h->n_args * sizeof *argv);
  jostle__environment_collect(&k->meta, h->n_args + 2, argv);
  k->meta.started_unix_ns = h->started_unix_ns;
  jostle__opts_default(&k->o);
  /* taken once DIR is known to hold a journal, so that a mistyped DIR is
   * left as it was; the journal is read again, whole, under the lock */
  int rc = lock_dir(k, "soak --resume", "");
  if (rc == 0) rc = jostle__cli_parse("soak", h->n_args + 1, argv + 1, &k->o);
  if (rc < 0) rc = jostle__usage_error("soak --resume: %s: the journal's options ask for help",
                                       k->dir);
  if (rc == 0) {
    k->o.seed = h->seed;
    if (now->n_jobs) k->o.n_jobs = now->n_jobs;
    k->o.progress = now->progress;
    k->o.out_dir = k->dir;
    rc = build_cells(k, h->n_args + 1, argv + 1);
  }
  free(argv);
  if (rc == 0 && jostle__journal_open(k->dir, replay_batch, k, &k->journal, err,
                                      sizeof err) != 0)
    rc = k->out_of_memory ? jostle__internal_error("soak --resume: %s", err)
                          : jostle__usage_error("soak --resume: %s", err);
  if (rc == 0)
    fprintf(stderr, "%s: resuming %s: %" PRIu64 " batch%s, %" PRIu64 " run%s journaled, "
            "%.1f s of the soak's time used\n", jostle__prog, k->dir, k->n_batches,
            k->n_batches == 1 ? "" : "es", k->n_runs, jostle__s(k->n_runs),
            (double)k->used_ns / 1e9);
  return rc;
}

/* ---- running ------------------------------------------------------------- */

/* Whether SIGINT or SIGTERM (blocked) came between batches; takes it. */
static int stop_requested(void) {
  sigset_t pending, stop;
  sigpending(&pending);
  if (!sigismember(&pending, SIGINT) && !sigismember(&pending, SIGTERM)) return 0;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigtimedwait(&stop, NULL, &(struct timespec){0, 0});
  return 1;
}

static int cell_missing(const soak_cell *c, jostle__range *out, size_t max) {
  return (int)jostle__runset_missing(&c->done, c->plan.first_run, jostle__plan_end(&c->plan),
                                     out, max);
}

/* Cells with runs missing that have had no batch yet. */
static size_t n_waiting(const soak *k) {
  size_t n = 0;
  for (size_t i = 0; i < k->n_cells; i++) {
    jostle__range r;
    n += k->cells[i].n_batches == 0 && cell_missing(&k->cells[i], &r, 1) > 0;
  }
  return n;
}

/* The next cell in turn with runs missing (only those that have had no
 * batch yet, when `first_only`), or NULL when there is none. */
static soak_cell *next_cell(soak *k, int first_only, size_t *index) {
  for (size_t i = 0; i < k->n_cells; i++) {
    jostle__range r;
    *index = (k->next_cell + i) % k->n_cells;
    soak_cell *c = &k->cells[*index];
    if ((!first_only || c->n_batches == 0) && cell_missing(c, &r, 1) > 0) return c;
  }
  return NULL;
}

typedef struct batch_progress {
  const soak *k;
  char label[192];
} batch_progress;

static void on_progress(void *ctx, uint64_t runs, uint64_t div, uint64_t elapsed_ns) {
  const batch_progress *bp = ctx;
  const soak *k = bp->k;
  jostle__progress_show(stderr, bp->label, k->n_runs + runs, k->n_divergent + div,
                        k->used_ns + elapsed_ns, k->o.n_runs * k->n_cells, k->o.duration_ns);
}

/* The plan of cell c's next batch: the last of its n missing ranges (the
 * others are holes, each worker's first claim), for at most batch_ns. */
static jostle__plan batch_plan(const soak *k, const soak_cell *c, const jostle__range *missing,
                               size_t n) {
  jostle__plan p = c->plan;
  p.first_run = missing[n - 1].begin;
  p.n_runs = missing[n - 1].end - missing[n - 1].begin;
  uint64_t left = !k->o.duration_ns              ? UINT64_MAX
                  : k->used_ns < k->o.duration_ns ? k->o.duration_ns - k->used_ns
                                                  : 0;
  /* Batches end a little after their time (a tick, the workers' exit), so
   * the time left is shared by this batch and the first batch of each cell
   * still without one. Past the budget, a batch ends after its first run
   * (harness/campaign.c): every cell runs, however loaded the machine. */
  uint64_t share = left / (n_waiting(k) + (c->n_batches > 0));
  p.duration_ns = share < k->batch_ns ? share : k->batch_ns;
  if (p.duration_ns == 0) p.duration_ns = 1;
  uint64_t fair = p.n_runs / ((uint64_t)p.n_jobs * 4);
  p.chunk_runs = fair >= 1024 ? 1024 : (fair ? (uint32_t)fair : 1);
  return p;
}

/* Runs a batch of cell i and journals it. Returns 0, or -1 after saying
 * why the soak cannot go on. */
static int run_batch(soak *k, size_t i) {
  soak_cell *c = &k->cells[i];
  jostle__range missing[JOSTLE__MAX_JOBS + 1];
  size_t n = (size_t)cell_missing(c, missing, (size_t)c->plan.n_jobs + 1);
  jostle__plan p = batch_plan(k, c, missing, n);
  jostle__batch b;
  memset(&b, 0, sizeof b);
  b.index = k->n_batches;
  b.cell = i;
  strcpy(b.result.scenario, c->result.scenario);
  strcpy(b.result.scheduler, c->result.scheduler);
  strcpy(b.result.placement, c->result.placement);
  batch_progress bp = {k, ""};
  snprintf(bp.label, sizeof bp.label, "soak batch %" PRIu64 ", %s [%s, %s] (cell %zu of %zu)",
           b.index, c->result.scenario, c->result.scheduler, c->result.placement, i + 1,
           k->n_cells);
  if (k->show) on_progress(&bp, 0, 0, 0);

  uint64_t start = jostle__now_ns();
  int rc = jostle__campaign_run_ranges(&p, missing, n - 1, &b.done, &b.result,
                                       k->show ? on_progress : NULL, &bp);
  k->used_ns += jostle__now_ns() - start;
  b.soak_ns = k->used_ns;
  /* what the journal can hold and give back: texts as JSON writes them, a
   * batch's last sample */
  for (size_t o = 0; o < b.result.n_outcomes; o++) jostle__utf8_clean(b.result.outcomes[o].text);
  b.result.samples[0] = b.result.samples[b.result.n_samples - 1];
  b.result.n_samples = 1;
  k->interrupted |= b.result.interrupted;
  char err[1200];
  if (rc == 0 && jostle__journal_append(k->journal, &b, err, sizeof err) != 0) {
    fprintf(stderr, "%s: %s; stopping the soak\n", jostle__prog, err);
    rc = -1;
  }
  if (apply(k, c, &b.done, &b.result) != 0) {
    jostle__internal_error("out of memory");
    rc = -1;
  }
  k->n_batches++;
  k->next_cell = (i + 1) % k->n_cells;
  jostle__runset_free(&b.done);
  jostle__cell_free(&b.result);
  return rc;
}

/* Batches until the time budget is spent and every cell has had a batch,
 * every cell is done, or a signal or an error stops the soak. Returns 0,
 * or -1 on an error. */
static int run(soak *k) {
  size_t i;
  while (!k->interrupted) {
    if (stop_requested()) {
      k->interrupted = 1;
      break;
    }
    int spent = k->o.duration_ns && k->used_ns >= k->o.duration_ns;
    if (next_cell(k, spent, &i) == NULL) break;
    if (run_batch(k, i) != 0) return -1;
  }
  return 0;
}

/* Prints the text report and writes the report files. Returns the exit
 * code. */
static int finish(soak *k, int failed) {
  if (k->show) jostle__progress_clear(stderr);
  jostle__cell *cells = calloc(k->n_cells, sizeof *cells);
  if (cells == NULL) return jostle__internal_error("out of memory");
  int n_jobs = 0;
  for (size_t i = 0; i < k->n_cells; i++) {
    jostle__range r;
    /* a stopped soak left these cells short of their budget */
    if (k->interrupted && cell_missing(&k->cells[i], &r, 1) > 0)
      k->cells[i].result.interrupted = 1;
    cells[i] = k->cells[i].result;  /* shares the outcomes and the command */
    jostle__report_text.cell(&cells[i], stdout);
    if (k->cells[i].plan.n_jobs > n_jobs) n_jobs = k->cells[i].plan.n_jobs;
  }
  jostle__report_text.end(cells, k->n_cells, stdout);
  if (k->interrupted)
    fprintf(stderr, "%s: interrupted; reported what ran (go on with '%s soak --resume %s')\n",
            jostle__prog, jostle__prog, k->dir);
  jostle__meta_config(&k->meta, &k->o, n_jobs);
  k->meta.batch_ns = k->batch_ns;
  /* DIR/<soak_file> of every format, then the files the options name */
  char in_dir[JOSTLE__MAX_FORMATS][4200];
  const char *dir_paths[JOSTLE__MAX_FORMATS] = {0};
  for (int i = 0; jostle__report_formats[i]; i++) {
    snprintf(in_dir[i], sizeof in_dir[i], "%s/%s", k->dir, jostle__report_formats[i]->soak_file);
    dir_paths[i] = in_dir[i];
  }
  int written = jostle__write_reports(&k->meta, cells, k->n_cells, dir_paths);
  written |= jostle__write_reports(&k->meta, cells, k->n_cells, k->o.report_path);
  int rc = jostle__exit_status(cells, k->n_cells, failed || written);
  free(cells);
  return rc;
}

int jostle__cmd_soak(int argc, char **argv) {
  int split = jostle__program_split(argc, argv);
  if (split >= 0) return jostle__program_start("soak", "soak", argc, argv, split, 0);
  soak k;
  memset(&k, 0, sizeof k);
  k.lock_fd = -1;
  jostle__opts_default(&k.o);
  /* before parsing, which cuts -D KEY=VALUE apart */
  jostle__environment_collect(&k.meta, jostle__argc, jostle__argv);
  int rc = copy_args(argc, argv, &k.header) == 0 ? 0 : jostle__internal_error("out of memory");
  if (rc == 0) rc = jostle__cli_parse("soak", argc, argv, &k.o);
  if (rc == 0 && k.o.resume_dir != NULL) {
    jostle__opts now = k.o;
    jostle__journal_header_free(&k.header);
    rc = start_resumed(&k, &now, argc, argv);
  } else if (rc == 0) {
    rc = start_fresh(&k, argc, argv);
  }
  if (rc == 0) {
    int pinned = 0;
    for (size_t i = 0; i < k.n_cells; i++) pinned |= k.cells[i].plan.pin != JOSTLE__PIN_NONE;
    if (pinned && jostle__topology_load() != 0)
      fprintf(stderr, "%s: hwloc cannot read the topology; going on unpinned\n", jostle__prog);
    /* SIGINT and SIGTERM stop the soak cleanly, with a report of what ran */
    jostle__cli_block_stop_signals();
    k.show = k.o.progress < 0 ? isatty(STDERR_FILENO) : k.o.progress;
    rc = finish(&k, run(&k) != 0);
  }
  jostle__journal_close(k.journal);
  jostle__unlock_file(k.lock_fd);
  free_cells(&k);
  jostle__journal_header_free(&k.header);
  return rc < 0 ? EXIT_CLEAN : rc;
}
