/*
 * junit.c: JUnit XML for CI test reporters (GitLab, Jenkins, GitHub actions
 * that read JUnit). A <testsuite> per scheduler, in the order the cells
 * first name them, carrying the report's metadata in <properties>; a
 * <testcase> per cell, named "SCENARIO [scheduler, pin]" (with the
 * parameters too when two cells of a suite would share that name), with
 * classname "jostle.SCENARIO" and its time in seconds.
 *
 * The report states facts: a cell with runs that were not allowed has a
 * <failure>, a known-racy scenario's too (its "racy" property says so); the
 * CLI decides exit codes. A cell without runs is <skipped>, with the text
 * report's words (jostle__cell_not_run) as its message. Each testcase's
 * <system-out> is the cell's text report, as the terminal showed it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "reports/formats.h"
#include "reports/output.h"
#include "reports/report.h"

/* The failure message names this many outcomes; its body names them all. */
#define MESSAGE_OUTCOMES 3

static void property(FILE *f, const char *indent, const char *name, const char *value) {
  fprintf(f, "%s<property", indent);
  jostle__put_attr(f, "name", name);
  jostle__put_attr(f, "value", value);
  fputs("/>\n", f);
}

static void property_uint(FILE *f, const char *indent, const char *name, uint64_t value) {
  char buf[24];
  snprintf(buf, sizeof buf, "%" PRIu64, value);
  property(f, indent, name, buf);
}

static double share(uint64_t count, uint64_t total) {
  return total ? 100.0 * (double)count / (double)total : 0.0;
}

static void suite_properties(FILE *f, const jostle__report_meta *m) {
  const char *in = "      ";
  char buf[128];
  fputs("    <properties>\n", f);
  property(f, in, "jostle_version", m->jostle_version);
  property(f, in, "command_line", m->command_line);
  property(f, in, "host", m->host);
  property(f, in, "compiler", m->compiler);
  property(f, in, "commit", m->commit);
  snprintf(buf, sizeof buf, "processing units %d, cores %d, packages %d, NUMA nodes %d",
           m->n_pus, m->n_cores, m->n_packages, m->n_numa);
  property(f, in, "topology", buf);
  snprintf(buf, sizeof buf, "0x%016" PRIx64, m->seed);
  property(f, in, "seed", buf);
  property_uint(f, in, "budget_runs", m->budget_runs);
  property_uint(f, in, "budget_ns", m->budget_ns);
  if (m->batch_ns) property_uint(f, in, "batch_ns", m->batch_ns);
  property_uint(f, in, "timeout_ns", m->timeout_ns);
  property_uint(f, in, "jobs", (uint64_t)m->n_jobs);
  property(f, in, "until_divergence", m->until_divergence ? "true" : "false");
  fputs("    </properties>\n", f);
}

static void case_properties(FILE *f, const jostle__cell *c) {
  const char *in = "        ";
  char buf[64];
  double lo, hi;
  fputs("      <properties>\n", f);
  property(f, in, "racy", c->racy ? "true" : "false");
  property(f, in, "scheduler", c->scheduler);
  property(f, in, "placement", c->placement);
  property(f, in, "params", c->params);
  snprintf(buf, sizeof buf, "0x%016" PRIx64, c->campaign_seed);
  property(f, in, c->fixed_seed ? "run_seed" : "campaign_seed", buf);
  property_uint(f, in, "runs", c->n_runs);
  property_uint(f, in, "divergent", c->n_divergent);
  jostle__wilson95(c->n_divergent, c->n_runs, &lo, &hi);
  snprintf(buf, sizeof buf, "%.6g", c->n_runs ? (double)c->n_divergent / (double)c->n_runs : 0);
  property(f, in, "divergence_rate", buf);
  snprintf(buf, sizeof buf, "%.6g-%.6g", lo, hi);
  property(f, in, "divergence_ci95", buf);
  property(f, in, "interrupted", c->interrupted ? "true" : "false");
  fputs("      </properties>\n", f);
}

/* The <failure> of a cell with runs that were not allowed. Returns 0, or
 * -1 when out of memory. */
static int failure(FILE *f, const jostle__cell *c) {
  char a[32], b[32];
  char *message = NULL, *body = NULL;
  size_t message_size, body_size;
  FILE *mf = open_memstream(&message, &message_size);
  FILE *bf = open_memstream(&body, &body_size);
  if (mf == NULL || bf == NULL) {
    if (mf) fclose(mf);
    if (bf) fclose(bf);
    free(message);
    free(body);
    return -1;
  }
  /* message: the total and the first outcomes; type: the classes seen;
   * body: every outcome and its reproduce command */
  int seen[JOSTLE__N_CLASSES] = {0};
  size_t n_named = 0, n_bad = 0;
  fprintf(mf, "%s of %s run%s not allowed (%.4f%%)", jostle__grouped(c->n_divergent, a, sizeof a),
          jostle__grouped(c->n_runs, b, sizeof b), jostle__s(c->n_runs),
          share(c->n_divergent, c->n_runs));
  if (c->racy) fputs("known racy: a demonstration scenario, divergence expected\n", bf);
  for (size_t i = 0; i < c->n_outcomes; i++) {
    const jostle__outcome *o = &c->outcomes[i];
    if (o->cls == JOSTLE__ALLOWED) continue;
    seen[o->cls] = 1;
    if (n_bad++ < MESSAGE_OUTCOMES) {
      fprintf(mf, "%s %s %s (%.3f%%)", n_named ? ";" : ":", o->text,
              jostle__grouped(o->count, a, sizeof a), share(o->count, c->n_runs));
      n_named++;
    }
    const jostle__member *by = jostle__found_by(c, o);
    fprintf(bf, "%s: %s of %s run%s (%.3f%%), %s, first run %" PRIu64 ", seed 0x%016" PRIx64
                "%s%s\nreproduce: ",
            o->text, jostle__grouped(o->count, a, sizeof a),
            jostle__grouped(c->n_runs, b, sizeof b), jostle__s(c->n_runs),
            share(o->count, c->n_runs),
            jostle__class_name(o->cls), o->first_run, o->first_seed,
            by ? ", found by " : "", by ? by->scheduler : "");
    jostle__reproduce_print(bf, c, o);
    fputc('\n', bf);
  }
  if (n_bad > n_named) fprintf(mf, "; and %zu more", n_bad - n_named);
  int failed = ferror(mf) | ferror(bf);
  failed |= fclose(mf) != 0;
  failed |= fclose(bf) != 0;
  if (!failed) {
    fputs("      <failure", f);
    jostle__put_attr(f, "message", message);
    fputs(" type=\"", f);
    for (int cls = 0, first = 1; cls < JOSTLE__N_CLASSES; cls++)
      if (seen[cls]) {
        fprintf(f, "%s%s", first ? "" : " ", jostle__class_name((jostle__class)cls));
        first = 0;
      }
    fputs("\">", f);
    jostle__put_markup(f, body, 0);
    fputs("</failure>\n", f);
  }
  free(message);
  free(body);
  return failed ? -1 : 0;
}

/* <system-out>: the cell's text report. Returns 0, or -1 when out of
 * memory. */
static int system_out(FILE *f, const jostle__cell *c) {
  char *text = NULL;
  size_t size;
  FILE *tf = open_memstream(&text, &size);
  if (tf == NULL) return -1;
  jostle__report_text.cell(c, tf);
  int failed = ferror(tf);
  failed |= fclose(tf) != 0;
  if (!failed) {
    fputs("      <system-out>", f);
    jostle__put_markup(f, text, 0);
    fputs("</system-out>\n", f);
  }
  free(text);
  return failed ? -1 : 0;
}

/* Two cells of one suite with the same scenario and placement are told
 * apart by their parameters. */
static int needs_params(const jostle__cell *cells, size_t n, size_t i) {
  for (size_t j = 0; j < n; j++)
    if (j != i && strcmp(cells[j].scheduler, cells[i].scheduler) == 0 &&
        strcmp(cells[j].scenario, cells[i].scenario) == 0 &&
        strcmp(cells[j].placement, cells[i].placement) == 0)
      return 1;
  return 0;
}

static int testcase(FILE *f, const jostle__cell *cells, size_t n, size_t i) {
  const jostle__cell *c = &cells[i];
  char name[512];
  snprintf(name, sizeof name, "%s [%s, %s%s%s]", c->scenario, c->scheduler, c->placement,
           needs_params(cells, n, i) ? ", " : "", needs_params(cells, n, i) ? c->params : "");
  fputs("    <testcase", f);
  jostle__put_attr(f, "name", name);
  fputs(" classname=\"jostle.", f);
  jostle__put_markup(f, c->scenario, 1);
  fprintf(f, "\" time=\"%.3f\">\n", (double)c->elapsed_ns / 1e9);
  case_properties(f, c);
  if (c->n_divergent > 0) {
    if (failure(f, c) != 0) return -1;
  } else if (c->n_runs == 0) {
    fputs("      <skipped", f);
    jostle__put_attr(f, "message", jostle__cell_not_run(c));
    fputs("/>\n", f);
  }
  if (system_out(f, c) != 0) return -1;
  fputs("    </testcase>\n", f);
  return 0;
}

typedef struct totals {
  size_t n_tests, n_failures, n_skipped;
  uint64_t elapsed_ns;
} totals;

/* The totals of the cells under `scheduler`, or of every cell when NULL. */
static totals count(const jostle__cell *cells, size_t n, const char *scheduler) {
  totals t = {0};
  for (size_t i = 0; i < n; i++) {
    if (scheduler != NULL && strcmp(cells[i].scheduler, scheduler) != 0) continue;
    t.n_tests++;
    t.n_failures += cells[i].n_divergent > 0;
    t.n_skipped += cells[i].n_runs == 0 && cells[i].n_divergent == 0;
    t.elapsed_ns += cells[i].elapsed_ns;
  }
  return t;
}

static void totals_attrs(FILE *f, totals t) {
  fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\"",
          t.n_tests, t.n_failures, t.n_skipped, (double)t.elapsed_ns / 1e9);
}

static int write_suites(FILE *f, const jostle__report_meta *m, const jostle__cell *cells,
                        size_t n) {
  char when[32];
  jostle__iso8601(m->started_unix_ns, when, sizeof when);
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"jostle\"", f);
  totals_attrs(f, count(cells, n, NULL));
  fprintf(f, " timestamp=\"%s\">\n", when);
  for (size_t i = 0; i < n; i++) {
    size_t first = 0;
    while (strcmp(cells[first].scheduler, cells[i].scheduler) != 0) first++;
    if (first < i) continue;  /* its suite is written already */
    char name[64];
    snprintf(name, sizeof name, "jostle --scheduler %s", cells[i].scheduler);
    fputs("  <testsuite", f);
    jostle__put_attr(f, "name", name);
    totals_attrs(f, count(cells, n, cells[i].scheduler));
    fprintf(f, " timestamp=\"%s\"", when);
    jostle__put_attr(f, "hostname", m->host);
    fputs(">\n", f);
    suite_properties(f, m);
    for (size_t j = i; j < n; j++)
      if (strcmp(cells[j].scheduler, cells[i].scheduler) == 0 &&
          testcase(f, cells, n, j) != 0)
        return -1;
    fputs("  </testsuite>\n", f);
  }
  fputs("</testsuites>\n", f);
  return 0;
}

int jostle__junit_write(const char *path, const jostle__report_meta *m,
                        const jostle__cell *cells, size_t n, char *err, size_t errsize) {
  return jostle__out_write_report(path, m, cells, n, write_suites, err, errsize);
}

const jostle__report_format jostle__format_junit = {
    .name = "junit",
    .soak_file = "junit.xml",
    .help = "JUnit XML: a testcase per scenario",
    .write = jostle__junit_write,
    .read = NULL,
};
