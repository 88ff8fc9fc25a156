/*
 * calls.h: private to the control runtime and the instrumentation hooks.
 * Shadow call stacks for --races reports.
 *
 * Instrumented code calls __tsan_func_entry(caller pc) on entering a
 * function and __tsan_func_exit on leaving it. Under --races each call
 * moves its thread to a node of a call tree that the run's threads share:
 * a node is one call site and its parent the caller's node, so a thread's
 * whole stack is one number, which the detector keeps beside each access
 * at no more cost than the number. The tree persists across runs (the same
 * paths recur) and is bounded: a call past its room, or deeper than
 * JOSTLE__CALLS_DEPTH, keeps the caller's node, and the stack it reports
 * is cut there. Without --races there is no tree and the hooks do nothing
 * but look for it.
 *
 * One thread runs at a time in a controlled run (setup and check, on
 * thread 0, while the others wait), so the tree needs no lock.
 */
#ifndef JOSTLE_CALLS_H
#define JOSTLE_CALLS_H

#include <stdint.h>

typedef struct jostle__calls jostle__calls;

/* Calls deeper than this are not told apart (recursion). */
#define JOSTLE__CALLS_DEPTH 64

/* The node of an empty stack. */
#define JOSTLE__CALLS_ROOT 0u

/* NULL when out of memory. */
jostle__calls *jostle__calls_create(void);
void jostle__calls_destroy(jostle__calls *k);

/* A run begins: every thread is at the root. */
void jostle__calls_begin(jostle__calls *k);

/* Thread t starts (created by the run): at the root. */
void jostle__calls_reset(jostle__calls *k, int t);

/* Thread t calls from caller_pc, and returns. */
void jostle__calls_enter(jostle__calls *k, int t, const void *caller_pc);
void jostle__calls_exit(jostle__calls *k, int t);

/* Thread t's stack now. */
uint32_t jostle__calls_now(const jostle__calls *k, int t);

/* The call sites of stack `node`, innermost first, at most max of them;
 * returns how many. */
int jostle__calls_sites(const jostle__calls *k, uint32_t node, const void **sites, int max);

#endif
