/*
 * feedback.h: private to jostle. Interleaving feedback for coverage-guided
 * fuzzing: which access of one thread followed which conflicting access of
 * another thread to the same address, as a pair of code addresses, counted
 * in cfg->feedback (libFuzzer's extra counters, see tools/fuzz.c). A new
 * interleaving then shows as new coverage even when the code it runs is
 * old, the idea of RFF (Wolff et al., ASPLOS 2024), with pairs of
 * conflicting accesses standing in for reads-from pairs.
 *
 * Each pair is counted twice: as itself, and with its ordinal (the run's
 * first conflict, second, ...). The pairs alone say which conflicts a run
 * had, not in what order, so a run that follows another's first n
 * conflicts and adds one more looks old; with ordinals it is new, and the
 * fuzzer keeps the inputs that reach one step further along an
 * interleaving (measured on bench/ladder.c, docs/BENCHMARKS.md). Called
 * by the thread holding the baton.
 */
#ifndef JOSTLE_FEEDBACK_H
#define JOSTLE_FEEDBACK_H

#include "schedulers/strategy.h"

/* Forgets the previous run's accesses (jostle__control_begin). */
void jostle__feedback_begin(jostle__control *c);

/* Thread `thread` reached point p: counts the pair it makes with the last
 * access to the same address, when that was another thread's and one of
 * the two writes, alone and with its ordinal. */
void jostle__feedback_note(jostle__control *c, int thread, const jostle__point *p);

#endif
