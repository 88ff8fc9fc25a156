/*
 * program_calls.h: private to jostle. A served program's calls that change
 * its process beyond its own data, seen by jostle.
 *
 * jostle-cc renames them in the program's objects (the Makefile's
 * PROGRAM_SYMS: `atexit` becomes `jostle__prog_atexit`, and so on); each
 * does what the C library's does. While runs share a process
 * (jostle__program_calls_sharing), they also note what a run changed, so
 * that the next run finds the process as the first did: exit handlers
 * are the run's own, and run by its exit; signal dispositions, rand's and
 * drand48's sequences and getopt's position go back to their first state;
 * descriptors opened are checked at the run's end; and a call whose effect
 * jostle does not undo (the environment, the working directory,
 * thread-specific data) is named, so that later runs get processes of
 * their own. The heap's calls are harness/heap.h's.
 */
#ifndef JOSTLE_PROGRAM_CALLS_H
#define JOSTLE_PROGRAM_CALLS_H

/* Whether the program's runs share this process (set between runs). */
extern int jostle__program_calls_sharing;

/* In a worker, before the program's first run: what jostle's own command
 * line left in getopt is put back as a fresh process has it. */
void jostle__program_calls_start(void);

/* The program's exit: calls the exit handlers the run registered, the
 * last first (as exit does). */
void jostle__program_calls_exit_handlers(int status);

/* Whether the run opened a descriptor (it may have closed it since). */
int jostle__program_calls_opened(void);

/* Puts back what the run changed (see above) and forgets its handlers.
 * Returns NULL, or the name of a call whose effect stays (one line). */
const char *jostle__program_calls_reset(void);

#endif
