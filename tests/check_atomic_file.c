/*
 * check_atomic_file.c: files written whole or not at all
 * (common/atomic_file.h). A committed file holds exactly what was written,
 * with the permissions asked for; until then, and after any failure, PATH
 * is what it was and no temporary file is left; a temporary name that is
 * taken is never reused or removed; and two writers of one PATH never mix
 * their contents: a reader sees one writer's whole file or the other's.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "tests/check_main.h"

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/jostle-atomic-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  umask(022);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static const char *in_dir(const char *name) {
  static char paths[4][256];
  static int next;
  char *p = paths[next++ % 4];
  snprintf(p, sizeof paths[0], "%s/%s", dir, name);
  return p;
}

/* The file's whole contents, malloc'd, or NULL when there is none. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char *text = calloc(1, 1 << 20);
  ck_assert_ptr_nonnull(text);
  size_t n = fread(text, 1, (1 << 20) - 1, f);
  text[n] = '\0';
  fclose(f);
  return text;
}

/* How many entries the test's folder holds. */
static int n_entries(void) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static mode_t mode_of(const char *path) {
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  return st.st_mode & 07777;
}

START_TEST(a_committed_file_is_whole) {
  const char *path = in_dir("r.json");
  jostle__atomic_file a;
  ck_assert_int_eq(jostle__atomic_open(&a, path, 0666), 0);
  ck_assert_str_eq(a.tmp_path, in_dir("r.json.tmp"));
  fputs("first line\n", a.f);
  ck_assert_int_eq(access(path, F_OK), -1);  /* nothing at PATH until committed */
  fputs("second line\n", a.f);
  ck_assert_int_eq(jostle__atomic_commit(&a), 0);
  jostle__atomic_close(&a);
  char *text = slurp(path);
  ck_assert_str_eq(text, "first line\nsecond line\n");
  free(text);
  ck_assert_int_eq(mode_of(path), 0644);  /* 0666 less the umask */
  ck_assert_int_eq(n_entries(), 1);       /* no temporary file left */

  /* Replacing it, with a mode of its own. */
  ck_assert_int_eq(jostle__atomic_open(&a, path, 0600), 0);
  fputs("new", a.f);
  ck_assert_int_eq(jostle__atomic_commit(&a), 0);
  jostle__atomic_close(&a);
  text = slurp(path);
  ck_assert_str_eq(text, "new");
  free(text);
  ck_assert_int_eq(mode_of(path), 0600);
  ck_assert_int_eq(n_entries(), 1);
}
END_TEST

START_TEST(a_discarded_file_leaves_nothing) {
  const char *path = in_dir("r.json");
  FILE *f = fopen(path, "w");
  fputs("old", f);
  fclose(f);
  jostle__atomic_file a;
  ck_assert_int_eq(jostle__atomic_open(&a, path, 0666), 0);
  fputs("half of it", a.f);
  jostle__atomic_close(&a);
  char *text = slurp(path);
  ck_assert_str_eq(text, "old");
  free(text);
  ck_assert_int_eq(n_entries(), 1);
}
END_TEST

/* PATH.tmp of a writer that was killed, or of one still writing: left as
 * it is, and the writer uses a name of its own. */
START_TEST(a_taken_name_is_left_alone) {
  const char *path = in_dir("r.json"), *stale = in_dir("r.json.tmp");
  FILE *f = fopen(stale, "w");
  fputs("someone else's", f);
  fclose(f);
  jostle__atomic_file a, b;
  ck_assert_int_eq(jostle__atomic_open(&a, path, 0666), 0);
  ck_assert_int_eq(jostle__atomic_open(&b, path, 0666), 0);
  ck_assert_str_ne(a.tmp_path, stale);
  ck_assert_str_ne(b.tmp_path, stale);
  ck_assert_str_ne(a.tmp_path, b.tmp_path);
  ck_assert_int_eq(strncmp(a.tmp_path, stale, strlen(stale)), 0);  /* beside it */
  fputs("a", a.f);
  fputs("b", b.f);
  ck_assert_int_eq(jostle__atomic_commit(&a), 0);
  jostle__atomic_close(&a);
  jostle__atomic_close(&b);  /* discarded */
  char *text = slurp(path);
  ck_assert_str_eq(text, "a");
  free(text);
  text = slurp(stale);
  ck_assert_str_eq(text, "someone else's");
  free(text);
  ck_assert_int_eq(n_entries(), 2);
}
END_TEST

START_TEST(failures_say_which_step) {
  /* no folder to create the temporary file in */
  const char *missing = in_dir("nope/r.json");
  jostle__atomic_file a;
  ck_assert_int_eq(jostle__atomic_open(&a, missing, 0666), -1);
  ck_assert_int_eq(a.failed, JOSTLE__ATOMIC_CREATE);
  ck_assert_int_eq(a.error, ENOENT);
  ck_assert_str_eq(a.tmp_path, in_dir("nope/r.json.tmp"));
  jostle__atomic_close(&a);

  /* PATH is a folder: the rename fails, and PATH and the folder stay */
  const char *folder = in_dir("a-folder");
  ck_assert_int_eq(mkdir(folder, 0700), 0);
  ck_assert_int_eq(jostle__atomic_open(&a, folder, 0666), 0);
  fputs("text", a.f);
  ck_assert_int_eq(jostle__atomic_commit(&a), -1);
  ck_assert_int_eq(a.failed, JOSTLE__ATOMIC_RENAME);
  ck_assert_int_eq(a.error, EISDIR);
  ck_assert_str_eq(a.tmp_path, in_dir("a-folder.tmp"));  /* for the message */
  jostle__atomic_close(&a);
  ck_assert_int_eq(n_entries(), 1);
  ck_assert_int_eq(access(in_dir("a-folder.tmp"), F_OK), -1);

  /* a file written in the working folder (a PATH with no folder part) */
  char cwd[4096];
  ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
  ck_assert_int_eq(chdir(dir), 0);
  ck_assert_int_eq(jostle__atomic_open(&a, "here", 0666), 0);
  ck_assert_str_eq(a.tmp_path, "here.tmp");
  ck_assert_int_eq(jostle__atomic_commit(&a), 0);
  jostle__atomic_close(&a);
  ck_assert_int_eq(chdir(cwd), 0);
  ck_assert_int_eq(access(in_dir("here"), F_OK), 0);
}
END_TEST

/* A write the kernel refuses (a full disk, a file-size limit) is reported
 * with the kernel's reason, not a generic I/O error, even when the data
 * was refused long before the commit. */
START_TEST(a_refused_write_says_why) {
  struct rlimit small = {4096, 4096};
  signal(SIGXFSZ, SIG_IGN); /* the refusal is an EFBIG, not a signal */
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
  static char text[65536];
  memset(text, 'x', sizeof text);
  jostle__atomic_file a;
  ck_assert_int_eq(jostle__atomic_open(&a, in_dir("big"), 0666), 0);
  fwrite(text, 1, sizeof text, a.f);
  fputs("the end\n", a.f);
  ck_assert_int_eq(jostle__atomic_commit(&a), -1);
  ck_assert_int_eq(a.failed, JOSTLE__ATOMIC_WRITE);
  ck_assert_msg(a.error == EFBIG, "error %d (%s), expected EFBIG", a.error, strerror(a.error));
  jostle__atomic_close(&a);
  ck_assert_int_eq(n_entries(), 0);
}
END_TEST

/* --- two writers, one reader ------------------------------------------ */

#define FILE_BYTES 65536

static _Atomic int n_writers_done;

typedef struct writer {
  const char *path;
  char fill;       /* every byte this writer writes */
  int n_writes;
  int n_failed;
} writer;

static void *write_often(void *arg) {
  writer *w = arg;
  char *text = malloc(FILE_BYTES);
  memset(text, w->fill, FILE_BYTES);
  for (int i = 0; i < w->n_writes; i++) {
    jostle__atomic_file a;
    if (jostle__atomic_open(&a, w->path, 0666) != 0) {
      w->n_failed++;
    } else {
      fwrite(text, 1, FILE_BYTES, a.f);
      w->n_failed += jostle__atomic_commit(&a) != 0;
    }
    jostle__atomic_close(&a);
  }
  free(text);
  atomic_fetch_add(&n_writers_done, 1);
  return NULL;
}

/* Whether PATH, when there is one, is one writer's whole file. */
static int whole_or_absent(const char *path, char *buf, int *n_seen) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 1;
  size_t got = fread(buf, 1, FILE_BYTES + 1, f);
  fclose(f);
  ++*n_seen;
  int whole = got == FILE_BYTES && (buf[0] == 'a' || buf[0] == 'b');
  for (size_t i = 1; whole && i < got; i++) whole = buf[i] == buf[0];
  return whole;
}

START_TEST(two_writers_never_mix) {
  const char *path = in_dir("shared.json");
  int n = 30 * (int)jostle_check_soak();
  writer ws[2] = {{path, 'a', n, 0}, {path, 'b', n, 0}};
  pthread_t tids[2];
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(pthread_create(&tids[i], NULL, write_often, &ws[i]), 0);
  /* Read while they write: every file seen is one writer's, whole. */
  int n_seen = 0, n_torn = 0;
  char *buf = malloc(FILE_BYTES + 1);
  ck_assert_ptr_nonnull(buf);
  while (atomic_load(&n_writers_done) < 2) n_torn += !whole_or_absent(path, buf, &n_seen);
  for (int i = 0; i < 2; i++) ck_assert_int_eq(pthread_join(tids[i], NULL), 0);
  n_torn += !whole_or_absent(path, buf, &n_seen);
  free(buf);
  ck_assert_int_eq(ws[0].n_failed + ws[1].n_failed, 0);
  ck_assert_int_eq(n_torn, 0);
  ck_assert_int_gt(n_seen, 0);
  ck_assert_int_eq(n_entries(), 1);  /* neither left a temporary file */
}
END_TEST

int main(void) {
  Suite *s = suite_create("atomic_file");
  TCase *tc = jostle_check_case(s, "atomic_file", 30, 0);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, a_committed_file_is_whole);
  tcase_add_test(tc, a_discarded_file_leaves_nothing);
  tcase_add_test(tc, a_taken_name_is_left_alone);
  tcase_add_test(tc, failures_say_which_step);
  tcase_add_test(tc, a_refused_write_says_why);
  TCase *writers = jostle_check_case(s, "writers", 60, 1);
  tcase_add_checked_fixture(writers, setup, teardown);
  tcase_add_test(writers, two_writers_never_mix);
  return jostle_check_run(s);
}
