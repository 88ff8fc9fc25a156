/*
 * forks.c: a scenario's forked children (see forks.h).
 */
#include "schedulers/forks.h"

#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "schedulers/sched.h"

static int forked;   /* this process is a child forked by scenario code */
static pid_t self;   /* this process, written before any thread can fork */

static void in_child(void) {
  forked = 1;
  jostle__self = NULL;
  /* A child dies with the thread that forked it (Linux signals the death
   * of the parent thread), so with the worker, and one forked from a
   * child dies with that child, and so on down. A parent that is already
   * gone would never send the signal: leave now. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != self) _exit(0);
  self = getpid();
}

void jostle__watch_forks(void) {
  self = getpid();
  pthread_atfork(NULL, NULL, in_child);
}

void jostle__forks_adopt(void) {
  forked = 0;
  self = getpid();
}

void jostle__leave_if_forked(void) {
  if (forked) _exit(0);
}
