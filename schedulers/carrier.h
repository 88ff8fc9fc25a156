/*
 * carrier.h: private to the control runtime (baton.c). The controlled
 * hand-over without the kernel: the OS thread that runs the baton's holder
 * (the carrier) takes up the next thread itself, by switching its
 * registers, stack and thread pointer, where the kernel hand-over
 * (baton.c) wakes the next thread's OS thread and sleeps.
 *
 * Every scenario thread stays a pthread of its own, with its own stack,
 * thread-local storage, errno and pthread_self; only the OS thread under
 * it changes while it runs. It leaves the run on its own OS thread (its
 * home), so that what follows the run (the pool's barrier, a created
 * thread's end and join) sees the thread it started as.
 *
 * Every function is called by a thread of the run, with the baton where
 * it says so; baton.c decides what to hand to whom, these move it.
 */
#ifndef JOSTLE_CARRIER_H
#define JOSTLE_CARRIER_H

#include "schedulers/strategy.h"

/* Whether this process can switch threads (x86-64, glibc's thread
 * descriptor understood; never in sanitizer builds, whose runtimes keep
 * state per OS thread): NULL when it can, and *tid_offset and *wrfsbase
 * are the facts the switches need; else why not, in a few words. It
 * starts and joins a thread. */
const char *jostle__carrier_probe(int *tid_offset, int *wrfsbase);

/* Per seat: its park stack, made once (0, or -1 when out of memory), and
 * freed with the seat. */
int jostle__carrier_seat_init(jostle__seat *s);
void jostle__carrier_seat_free(jostle__seat *s);

/* A pool thread at the start of its run: returns holding the baton (on
 * whichever OS thread the carrier is), or by longjmp to its escape when
 * the run is abandoned first. The last of the pool to arrive becomes the
 * carrier and takes up `turn`. */
void jostle__carrier_enter(jostle__control *c, int index);

/* A created thread at its start: parks, and returns as enter does. Its
 * creator calls jostle__carrier_wait_parked(c, k) before it goes on. */
void jostle__carrier_enter_created(jostle__control *c, int index);
void jostle__carrier_wait_parked(jostle__control *c, int k);

/* The holder `me` hands the baton to `next` and returns when it holds it
 * again (or escapes when the run is abandoned meanwhile). */
void jostle__carrier_pass(jostle__control *c, int me, int next);

/* The holder `me` is done: `next` (or nobody, -1, when every thread is
 * done) gets the baton; returns on me's home. */
void jostle__carrier_leave(jostle__control *c, int me, int next);

/* The run is being abandoned (`aborting` is set) by the holder `me`:
 * every waiting thread is taken up, to escape. */
void jostle__carrier_abandon(jostle__control *c, int me);

/* A thread that escaped an abandoned run: returns on its home. */
void jostle__carrier_go_home(jostle__control *c, int me);

#endif
