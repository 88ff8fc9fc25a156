/*
 * spares.h: private to jostle. Spare threads: the threads a served program
 * creates, kept from run to run.
 *
 * When a program's runs share one process (harness/program.c), creating
 * and joining two real threads would cost more than the rest of a run
 * (about 75 us on a virtual machine). A spare is a real thread that,
 * once its function returned and it was joined (or it was detached), waits
 * for the next pthread_create of a run instead of ending. Each start
 * gives it the program's thread-local variables as a new thread has them
 * (the image it had when it was born) and errno 0; pthread_self, its
 * stack and its own thread-local storage are a real thread's. A thread
 * that ends by pthread_exit ends for real, and is replaced.
 *
 * Off (jostle__spares_on 0), the wrappers create and join real threads.
 */
#ifndef JOSTLE_SPARES_H
#define JOSTLE_SPARES_H

#include <pthread.h>

/* Whether the program's threads are spares (set by the worker before a
 * run, left as it is during one). */
extern int jostle__spares_on;

/* The bounds of the served program's thread-local variables in the
 * calling thread, initialised [*data, *data_end) then zeroed
 * [*zero, *zero_end) (tools/program_main.c); NULL: none known. */
extern void (*jostle__spares_tls)(char **data, char **data_end, char **zero, char **zero_end);

/* The C library's calls, which jostle's own code reaches only through
 * the wrappers (schedulers/sync_wrap.c passes its __real_ ones). */
typedef struct jostle__thread_calls {
  int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  int (*join)(pthread_t, void **);
  int (*detach)(pthread_t);
} jostle__thread_calls;

/* pthread_create's contract, on a spare. Attributes that ask for a stack
 * of the caller's or one larger than a spare's get a real thread. */
int jostle__spare_create(const jostle__thread_calls *real, pthread_t *tid,
                         const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

/* pthread_join's and pthread_detach's contracts; a thread that is no spare
 * goes to the real calls. */
int jostle__spare_join(const jostle__thread_calls *real, pthread_t tid, void **result);
int jostle__spare_detach(const jostle__thread_calls *real, pthread_t tid);

/* In pthread_exit, before the real one: the result a join of the calling
 * spare returns. */
void jostle__spare_exiting(void *result);

/* Spares whose function has not returned: threads still running. */
int jostle__spares_running(void);

/* Waits until no spare runs (main's pthread_exit: the process lives until
 * its last thread ends), then takes back every spare whose function
 * returned and that nobody joined: the end of a run. */
void jostle__spares_await(void);

/* At the end of a run: takes back the spares that are done and were
 * never joined. Returns the number of spares still running. */
int jostle__spares_reap(void);

#endif
