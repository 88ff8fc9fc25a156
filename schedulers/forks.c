/*
 * forks.c: a scenario's forked children (see forks.h).
 */
#include "schedulers/forks.h"

#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "schedulers/sched.h"

static int forked; /* this process is a child forked by scenario code */

static void in_child(void) {
  forked = 1;
  jostle__self = NULL;
  /* A child forked from the worker dies with it; one forked from a child
   * dies with that child, and so on down. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void jostle__watch_forks(void) { pthread_atfork(NULL, NULL, in_child); }

void jostle__leave_if_forked(void) {
  if (forked) _exit(0);
}
