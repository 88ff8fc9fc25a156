/*
 * forks.h: private to jostle. A scenario's forked children.
 *
 * Scenario code may fork. The child has one thread, the one that forked,
 * and is no part of the run: the run's other threads do not exist in it,
 * so it must neither wait its turn in a controlled schedule nor, when its
 * code returns into jostle's, go on to report runs of its own. Where the
 * worker watches forks, the child is detached from scheduling (its calls
 * to wrapped primitives go straight to the real ones), exits where the
 * scenario's code returns into jostle, and is killed when the thread
 * that forked it ends, so that nothing it holds open (a pipe to jostle's
 * reader) outlives the campaign.
 */
#ifndef JOSTLE_FORKS_H
#define JOSTLE_FORKS_H

/* Called once by a worker process, before its first run. */
void jostle__watch_forks(void);

/* In a child the worker forked itself (a run of a program, which is a
 * process of its own): no scenario's child, but a worker's process. */
void jostle__forks_adopt(void);

/* Where scenario code returns into jostle: ends a forked child here. */
void jostle__leave_if_forked(void);

#endif
