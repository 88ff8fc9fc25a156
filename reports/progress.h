/*
 * progress.h: private to jostle. The live progress line on a terminal.
 */
#ifndef JOSTLE_PROGRESS_H
#define JOSTLE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

/* Rewrites the current terminal line: scenario (a label: the caller may say
 * which of how many), runs (of the budget when there is one), divergent
 * runs and their share so far, speed and time (of the time budget). A
 * budget of 0 means none. */
void jostle__progress_show(FILE *tty, const char *scenario, uint64_t n_runs,
                           uint64_t n_divergent, uint64_t elapsed_ns,
                           uint64_t budget_runs, uint64_t budget_ns);

/* Erases the progress line. */
void jostle__progress_clear(FILE *tty);

#endif
