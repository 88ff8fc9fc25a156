/*
 * feedback.h: private to jostle. Interleaving feedback for coverage-guided
 * fuzzing, counted in cfg->feedback (libFuzzer's extra counters, see
 * tools/fuzz.c), so that a new interleaving shows as new coverage even when
 * the code it runs is old. Accesses count in the order they take effect
 * (when their thread goes on past its point), three ways:
 *
 * - a conflict: an access that follows another thread's access to the
 *   same address, one of the two a write, as the pair of their code
 *   addresses;
 * - a reads-from pair: a read of the value another thread wrote, as the
 *   pair of the write's and the read's code addresses (RFF's abstraction:
 *   Wolff et al., ASPLOS 2024);
 * - a reads-from chain: the same pair hashed onto everything the reading
 *   thread read from other threads before it in this run. Pairs alone say
 *   which values a run read, not what came with them, so a run that reads
 *   as another did and one step further looks old; its chain is new, and
 *   the fuzzer keeps the inputs that get one step further along an
 *   interleaving (measured on bench/ladder.c, docs/BENCHMARKS.md).
 *
 * Called by the thread holding the baton.
 */
#ifndef JOSTLE_FEEDBACK_H
#define JOSTLE_FEEDBACK_H

#include "schedulers/strategy.h"

/* Forgets the previous run's accesses (jostle__control_begin). */
void jostle__feedback_begin(jostle__control *c);

/* Thread `thread` goes on past point p (its access takes effect): counts
 * the conflict, reads-from pair and chain it makes. */
void jostle__feedback_note(jostle__control *c, int thread, const jostle__point *p);

#endif
