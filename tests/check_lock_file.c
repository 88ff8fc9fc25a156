/*
 * check_lock_file.c: the exclusive file lock (common/lock_file.h). One
 * process at a time holds it, and another is told who does; it is free once
 * its holder ends, however it ends, even while processes the holder forked
 * (a soak's workers) live on; closing the descriptor frees it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/lock_file.h"
#include "tests/check_main.h"

static char dir[64], path[128];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/jostle-lock-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/soak.lock", dir);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* Whether this process can take the lock now (it then lets it go). */
static int free_now(pid_t *holder) {
  int fd;
  int rc = jostle__lock_file(path, &fd, holder);
  ck_assert_int_ge(rc, 0);
  if (rc == 0) jostle__unlock_file(fd);
  return rc == 0;
}

/* A child that takes the lock, says so on `ready`, and holds it until its
 * parent writes to `go` (or dies). */
static pid_t holder_child(int ready[2], int go[2]) {
  ck_assert_int_eq(pipe(ready), 0);
  ck_assert_int_eq(pipe(go), 0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int fd;
    pid_t other;
    close(go[1]);  /* so that the parent's death ends the read below */
    char c = jostle__lock_file(path, &fd, &other) == 0 ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0) _exit(2);
    _exit(0);
  }
  close(go[0]);
  char c;
  ck_assert_int_eq(read(ready[0], &c, 1), 1);
  ck_assert_int_eq(c, 'y');
  return pid;
}

START_TEST(one_holder_at_a_time) {
  int ready[2], go[2];
  pid_t holder = 0;
  ck_assert(free_now(&holder));
  pid_t child = holder_child(ready, go);
  ck_assert(!free_now(&holder));
  ck_assert_int_eq(holder, child);
  ck_assert_int_eq(write(go[1], "x", 1), 1);
  int status;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert(free_now(&holder));

  /* killed outright, the holder frees it too */
  child = holder_child(ready, go);
  ck_assert(!free_now(&holder));
  ck_assert_int_eq(kill(child, SIGKILL), 0);
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert(free_now(&holder));

  /* the lock file is never written */
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_size, 0);
}
END_TEST

/* A holder's forked children (a soak's workers, which die of their
 * parent's death only some time after it) do not hold its lock: once the
 * holder is gone, the lock is free while they live. */
START_TEST(forked_children_do_not_hold_it) {
  int ready[2];
  ck_assert_int_eq(pipe(ready), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    int fd;
    pid_t other;
    if (jostle__lock_file(path, &fd, &other) != 0) _exit(2);
    pid_t worker = fork();
    if (worker == 0) {
      pause();  /* with the lock's descriptor open, until killed */
      _exit(0);
    }
    /* the worker's pid for the test to kill, then the holder ends */
    if (worker < 0 || write(ready[1], &worker, sizeof worker) != sizeof worker) _exit(2);
    _exit(0);
  }
  pid_t worker;
  ck_assert_int_eq(read(ready[0], &worker, sizeof worker), (ssize_t)sizeof worker);
  int status;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ck_assert_int_eq(kill(worker, 0), 0);  /* alive, the descriptor open */
  pid_t holder;
  int ok = free_now(&holder);
  kill(worker, SIGKILL);
  ck_assert(ok);
}
END_TEST

START_TEST(closing_frees_it) {
  int fd;
  pid_t holder;
  ck_assert_int_eq(jostle__lock_file(path, &fd, &holder), 0);
  jostle__unlock_file(fd);
  int ready[2], go[2];
  pid_t child = holder_child(ready, go);  /* it would fail to take a held lock */
  ck_assert_int_eq(write(go[1], "x", 1), 1);
  int status;
  ck_assert_int_eq(waitpid(child, &status, 0), child);

  /* a folder that is not there: an error with errno, not "held" */
  snprintf(path, sizeof path, "%s/nope/soak.lock", dir);
  ck_assert_int_eq(jostle__lock_file(path, &fd, &holder), -1);
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lock_file");
  TCase *tc = jostle_check_case(s, "lock_file", 30, 0);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, one_holder_at_a_time);
  tcase_add_test(tc, forked_children_do_not_hold_it);
  tcase_add_test(tc, closing_frees_it);
  return jostle_check_run(s);
}
