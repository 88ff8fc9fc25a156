/*
 * check_journal.c: a soak's journal (harness/journal.h). What is appended
 * reads back equal; a last line cut anywhere (a soak killed while writing
 * it) is ignored and cut away, so that appending goes on cleanly; a
 * damaged line before the last one, or a damaged header, refuses the
 * journal with one line naming it; so do lines of another soak's journal
 * and a batch journaled twice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/journal.h"
#include "tests/check_main.h"

static char dir[64], path[128];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/jostle-journal-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/%s", dir, JOSTLE__JOURNAL_FILE);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* Batch i: cell i % 3, runs [1000 i, 1000 i + 1000) less a hole. */
static void make_batch(uint64_t i, jostle__batch *b) {
  memset(b, 0, sizeof *b);
  b->index = i;
  b->cell = (size_t)(i % 3);
  b->soak_ns = 1000000 * (i + 1);
  ck_assert_int_eq(jostle__runset_add(&b->done, 1000 * i, 1000 * i + 1000), 0);
  ck_assert_int_eq(jostle__runset_remove(&b->done, 1000 * i + 10, 1000 * i + 20), 0);
  jostle__cell *c = &b->result;
  snprintf(c->scenario, sizeof c->scenario, "counter");
  snprintf(c->scheduler, sizeof c->scheduler, "random");
  snprintf(c->placement, sizeof c->placement, "none");
  ck_assert_int_eq(jostle__cell_add(c, JOSTLE__ALLOWED, "counter=2", 890, 1000 * i, 7), 0);
  ck_assert_int_eq(jostle__cell_add(c, JOSTLE__DEADLOCK, "deadlock \"q\" \xc3\xa9 \\ tab\t", 90,
                                    1000 * i + 3, UINT64_MAX), 0);
  /* what is known of a first run goes into the soak's reports too */
  snprintf(c->outcomes[1].detail, sizeof c->outcomes[1].detail, "SIGSEGV at a.c:%d",
           (int)i);
  snprintf(c->outcomes[1].output, sizeof c->outcomes[1].output, "line \xc3\xa9\n\tend %d", (int)i);
  /* and what a race's check said */
  ck_assert_int_eq(jostle__cell_add(c, JOSTLE__RACE, "race on s->counter: write at c.c:5 (f) "
                                    "vs read at c.c:5 (f)", 10, 1000 * i + 5, 8), 0);
  c->outcomes[2].n_check_divergent = 3 + i;
  snprintf(c->outcomes[2].detail, sizeof c->outcomes[2].detail, "the check: counter=1, DIVERGENT");
  snprintf(c->outcomes[2].race_report, sizeof c->outcomes[2].race_report,
           "WARNING: DATA RACE on s->counter\nread of 8 bytes by thread %d at step 5:\n", (int)i);
  c->n_runs = 990;
  c->n_divergent = 100;
  c->elapsed_ns = 123456789 + i;
  c->first_divergence_ns = i ? 20000000 : 0;
}

static void free_batch(jostle__batch *b) {
  jostle__runset_free(&b->done);
  jostle__cell_free(&b->result);
}

typedef struct seen {
  uint64_t n;
  int equal;  /* every batch read equals the one written */
} seen;

static int on_batch(void *ctx, const jostle__batch *b, char *err, size_t errsize) {
  seen *s = ctx;
  jostle__batch want;
  (void)err;
  (void)errsize;
  make_batch(s->n++, &want);
  const jostle__cell *x = &want.result, *y = &b->result;
  int eq = b->index == want.index && b->cell == want.cell && b->soak_ns == want.soak_ns &&
           b->done.n == want.done.n &&
           memcmp(b->done.ranges, want.done.ranges, want.done.n * sizeof *want.done.ranges) == 0 &&
           strcmp(x->scenario, y->scenario) == 0 && strcmp(x->scheduler, y->scheduler) == 0 &&
           strcmp(x->placement, y->placement) == 0 && x->n_runs == y->n_runs &&
           x->n_divergent == y->n_divergent && x->elapsed_ns == y->elapsed_ns &&
           x->first_divergence_ns == y->first_divergence_ns && x->n_outcomes == y->n_outcomes;
  for (size_t i = 0; eq && i < x->n_outcomes; i++)
    eq = x->outcomes[i].cls == y->outcomes[i].cls &&
         strcmp(x->outcomes[i].text, y->outcomes[i].text) == 0 &&
         x->outcomes[i].count == y->outcomes[i].count &&
         x->outcomes[i].first_run == y->outcomes[i].first_run &&
         x->outcomes[i].first_seed == y->outcomes[i].first_seed &&
         strcmp(x->outcomes[i].detail, y->outcomes[i].detail) == 0 &&
         strcmp(x->outcomes[i].output, y->outcomes[i].output) == 0 &&
         x->outcomes[i].n_check_divergent == y->outcomes[i].n_check_divergent &&
         strcmp(x->outcomes[i].race_report, y->outcomes[i].race_report) == 0;
  if (!eq) s->equal = 0;
  free_batch(&want);
  return 0;
}

/* A journal of n batches in folder d, from a soak with campaign seed
 * `seed`. */
static void write_journal_in(const char *d, uint64_t n_batches, uint64_t seed) {
  char *args[] = {"counter", "-D", "threads=3", "--out", "o d"};
  jostle__journal_header h = {.n_args = 5, .args = args, .seed = seed, .started_unix_ns = 42};
  jostle__journal *j;
  char err[512];
  ck_assert_msg(jostle__journal_create(d, &h, &j, err, sizeof err) == 0, "%s", err);
  for (uint64_t i = 0; i < n_batches; i++) {
    jostle__batch b;
    make_batch(i, &b);
    ck_assert_msg(jostle__journal_append(j, &b, err, sizeof err) == 0, "%s", err);
    free_batch(&b);
  }
  jostle__journal_close(j);
}

static void write_journal(uint64_t n_batches) { write_journal_in(dir, n_batches, 0x1234); }

/* Opens the journal; returns the batches read (-1: refused, err set). */
static long open_journal(char *err, size_t errsize, int *equal) {
  seen s = {0, 1};
  jostle__journal *j;
  if (jostle__journal_open(dir, on_batch, &s, &j, err, errsize) != 0) return -1;
  jostle__journal_close(j);
  *equal = s.equal;
  return (long)s.n;
}

static long file_size(void) {
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  return (long)st.st_size;
}

START_TEST(crc32_is_ieee) {
  ck_assert_uint_eq(jostle__crc32("123456789", 9), 0xcbf43926u);
  ck_assert_uint_eq(jostle__crc32("", 0), 0);
}
END_TEST

START_TEST(batches_read_back_equal) {
  char err[512];
  int equal = 0;
  write_journal(5);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), 5);
  ck_assert(equal);
  jostle__journal_header h;
  ck_assert_int_eq(jostle__journal_read_header(dir, &h, err, sizeof err), 0);
  ck_assert_int_eq(h.n_args, 5);
  ck_assert_str_eq(h.args[2], "threads=3");
  ck_assert_str_eq(h.args[4], "o d");
  ck_assert_uint_eq(h.seed, 0x1234);
  ck_assert_uint_eq(h.started_unix_ns, 42);
  ck_assert_int_eq(h.n_program, 0);
  jostle__journal_header_free(&h);
}
END_TEST

/* A program's soak names the program, its arguments as typed. */
START_TEST(a_program_is_read_back) {
  char *args[] = {"--out", "o", "bank"};
  char *program[] = {"./bank", "an arg", "--x"};
  jostle__journal_header h = {.n_args = 3, .args = args, .seed = 7, .started_unix_ns = 1,
                              .n_program = 3, .program = program};
  jostle__journal *j;
  char err[512];
  ck_assert_msg(jostle__journal_create(dir, &h, &j, err, sizeof err) == 0, "%s", err);
  jostle__journal_close(j);
  jostle__journal_header back;
  ck_assert_int_eq(jostle__journal_read_header(dir, &back, err, sizeof err), 0);
  ck_assert_int_eq(back.n_program, 3);
  ck_assert_str_eq(back.program[0], "./bank");
  ck_assert_str_eq(back.program[1], "an arg");
  ck_assert_str_eq(back.program[2], "--x");
  ck_assert_int_eq(back.n_args, 3);
  jostle__journal_header_free(&back);
}
END_TEST

/* A kill may cut the last line at any byte: the journal reads as if that
 * batch never ran, and appending after it gives a clean journal. */
START_TEST(a_cut_last_line_is_dropped) {
  char err[512];
  int equal = 0;
  write_journal(3);
  long whole = file_size();
  write_journal(4);
  long longer = file_size();
  for (long cut = whole + 1; cut < longer; cut += 7) {
    write_journal(4);
    ck_assert_int_eq(truncate(path, cut), 0);
    ck_assert_msg(open_journal(err, sizeof err, &equal) == 3, "cut at %ld: %s", cut, err);
    ck_assert(equal);
    ck_assert_int_eq(file_size(), whole);
    /* appending again: batch 3 anew, then all four read back */
    jostle__journal *j;
    seen s = {0, 1};
    ck_assert_int_eq(jostle__journal_open(dir, on_batch, &s, &j, err, sizeof err), 0);
    jostle__batch b;
    make_batch(3, &b);
    ck_assert_int_eq(jostle__journal_append(j, &b, err, sizeof err), 0);
    free_batch(&b);
    jostle__journal_close(j);
    ck_assert_int_eq(open_journal(err, sizeof err, &equal), 4);
    ck_assert(equal);
  }
}
END_TEST

/* Only a line cut short may be dropped: a whole line that fails its
 * checksum is damage, and refused, the last one too; so is a file that is
 * no journal at all, said as such. */
START_TEST(damage_is_refused) {
  char err[512];
  int equal;
  write_journal(3);
  long size = file_size();
  FILE *f = fopen(path, "r+");
  ck_assert_int_eq(fseek(f, size - 20, SEEK_SET), 0);
  fputc('#', f);
  fclose(f);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, "line 4: damaged") && strstr(err, path), "%s", err);

  f = fopen(path, "w");
  fputs("root:x:0:0:root:/root:/bin/bash\n", f);
  fclose(f);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, "not a soak journal"), "%s", err);

  unlink(path);
  write_journal(3);
  char *text = NULL;
  size_t len = 0;
  f = fopen(path, "r");
  ck_assert_int_ne(getdelim(&text, &len, '\0', f), -1);
  fclose(f);
  char *line3 = strchr(strchr(text, '\n') + 1, '\n') + 1;  /* batch 1 */
  line3[40] ^= 1;  /* inside its JSON: the checksum no longer matches */
  f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  free(text);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, "line 3") && strstr(err, path) && !strchr(err, '\n'), "%s", err);

  f = fopen(path, "w");
  fputs("00000000 {}\n", f);
  fclose(f);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, "not a soak journal"), "%s", err);
  unlink(path);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, path) && strstr(err, strerror(ENOENT)), "%s", err);
}
END_TEST

/* The whole lines of a file, each with its newline; the caller frees
 * lines[0] (the text) and lines. */
static char **lines_of(const char *file, size_t *n) {
  FILE *f = fopen(file, "r");
  ck_assert_ptr_nonnull(f);
  char *text = NULL;
  size_t len = 0;
  ck_assert_int_ne(getdelim(&text, &len, '\0', f), -1);
  fclose(f);
  char **lines = calloc(strlen(text) + 1, sizeof *lines);
  ck_assert_ptr_nonnull(lines);
  *n = 0;
  for (char *p = text; *p; p = strchr(p, '\n') + 1) lines[(*n)++] = p;
  return lines;
}

/* Writes the journal: line a[0] of `from[0]`, then line a[i] of from[i]
 * for each i < n. */
static void splice(char **from[], const size_t *a, size_t n) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  for (size_t i = 0; i < n; i++)
    fwrite(from[i][a[i]], 1, (size_t)(strchr(from[i][a[i]], '\n') - from[i][a[i]]) + 1, f);
  fclose(f);
}

/* A journal holds the batches of one soak, in order: lines of another
 * soak's journal (another campaign: here another seed), or a batch
 * journaled twice (two processes appending to one journal), are refused
 * with one line naming the line, never read as this soak's runs. */
START_TEST(batches_of_another_soak_are_refused) {
  char other[64], other_path[128], mine_path[128], err[512];
  snprintf(other, sizeof other, "/tmp/jostle-journal-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(other));
  snprintf(other_path, sizeof other_path, "%s/%s", other, JOSTLE__JOURNAL_FILE);
  snprintf(mine_path, sizeof mine_path, "%s/mine", dir);
  write_journal(3);
  ck_assert_int_eq(rename(path, mine_path), 0);
  write_journal_in(other, 3, 0x5678);
  size_t n_mine, n_other;
  char **mine = lines_of(mine_path, &n_mine), **theirs = lines_of(other_path, &n_other);
  ck_assert_uint_eq(n_mine, 4);
  ck_assert_uint_eq(n_other, 4);
  int equal;

  /* this soak's header over the other's batches, numbered from 0 as its own */
  splice((char **[]){mine, theirs, theirs, theirs}, (size_t[]){0, 1, 2, 3}, 4);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, path) && strstr(err, "line 2:") && strstr(err, "another soak") &&
                !strchr(err, '\n'), "%s", err);

  /* the other soak's last batch after two of this one's */
  splice((char **[]){mine, mine, mine, theirs}, (size_t[]){0, 1, 2, 3}, 4);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, "line 4:") && strstr(err, "another soak"), "%s", err);

  /* one soak's batch 1 twice */
  splice((char **[]){mine, mine, mine, mine}, (size_t[]){0, 1, 2, 2}, 4);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), -1);
  ck_assert_msg(strstr(err, "line 4:") && strstr(err, "batch 1") && !strchr(err, '\n'), "%s",
                err);

  /* the same lines in their own order read back */
  splice((char **[]){mine, mine, mine, mine}, (size_t[]){0, 1, 2, 3}, 4);
  ck_assert_int_eq(open_journal(err, sizeof err, &equal), 3);
  ck_assert(equal);
  free(mine[0]);
  free(mine);
  free(theirs[0]);
  free(theirs);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", other);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("journal");
  TCase *tc = jostle_check_case(s, "journal", 60, 0);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, crc32_is_ieee);
  tcase_add_test(tc, batches_read_back_equal);
  tcase_add_test(tc, a_program_is_read_back);
  tcase_add_test(tc, a_cut_last_line_is_dropped);
  tcase_add_test(tc, damage_is_refused);
  tcase_add_test(tc, batches_of_another_soak_are_refused);
  return jostle_check_run(s);
}
