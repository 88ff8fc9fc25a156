/*
 * fail_fork.c: a test hook linked into jostle-test and the test programs,
 * never into jostle. JOSTLE_TEST_FAIL_FORK=N makes the campaign's Nth fork
 * of a worker (counting from 1) fail with EAGAIN, so the CLI tests can see
 * what a command does when the system refuses a process.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/campaign.h"

static unsigned long fail_at, n_forks;

static pid_t failing_fork(void) {
  if (++n_forks == fail_at) {
    errno = EAGAIN;
    return -1;
  }
  return fork();
}

__attribute__((constructor)) static void install(void) {
  const char *text = getenv("JOSTLE_TEST_FAIL_FORK");
  if (text == NULL || text[0] == '\0') return;
  fail_at = strtoul(text, NULL, 10);
  if (fail_at > 0) jostle__campaign_fork = failing_fork;
}
