/*
 * scenarios/examples/store_buffer.c: how to write a jostle scenario, shown
 * on the store-buffering litmus test.
 *
 * This file is a whole program: built and linked with libjostle, it is the
 * jostle command line with one more scenario in it:
 *
 *   cc -std=c11 -O2 -pthread -Iinclude store_buffer.c -Lbuild -ljostle -o sb
 *   ./sb list
 *   ./sb stress store-buffer -n 1000000
 *
 * THE TEST. Two threads and two shared variables, x and y, both 0:
 *
 *   thread 0            thread 1
 *   x = 1               y = 1
 *   r0 = y              r1 = x
 *
 * If the two threads took turns in some order (sequential consistency), at
 * least one store would come before the other thread's load, so at least
 * one of r0 and r1 would be 1. Real processors buffer stores: on x86 each
 * core's store sits in its store buffer for a while, the load that follows
 * it goes ahead to memory, and both loads can read 0. "r0=0 r1=0" is the
 * signature of store buffering, and this scenario reports it as divergent.
 *
 * THE ACCESSES are C11 atomics with memory_order_relaxed, so the program
 * is well-defined C (no data race) while asking the compiler and the
 * processor for no ordering at all: both the compiler and the hardware may
 * let each load pass the store before it. With memory_order_seq_cst on all
 * four accesses "r0=0 r1=0" becomes impossible: try it.
 *
 * A scenario is four functions and a table:
 *   state   a struct of your own; jostle allocates state_size bytes and
 *           zeroes them before every run, so each run starts from scratch
 *   setup   optional, runs on thread 0 before the threads start
 *   thread  the body of every thread; `index` says which thread it is
 *   check   runs on thread 0 after every body has returned; it records
 *           observations, which together form the run's outcome
 *   teardown optional, frees what setup allocated
 */
#include <stdatomic.h>

#include <jostle.h>

/* The per-run state. Zeroed by jostle before every run, so x and y start
 * at 0 without a setup (an all-zero atomic_int is 0 on every platform
 * jostle runs on). */
struct store_buffer {
  atomic_int x;
  atomic_int y;
  int r0; /* what thread 0 loaded from y */
  int r1; /* what thread 1 loaded from x */
};

/* The thread bodies. jostle starts them together (a spinning barrier
 * releases them at the same moment), which is what gives two instructions
 * on two cores a chance to overlap at all. */
static void sb_thread(jostle_run *r, int index) {
  struct store_buffer *s = jostle_state(r);

  if (index == 0) {
    atomic_store_explicit(&s->x, 1, memory_order_relaxed);
    /* A scheduling point: under the noise scheduler jostle may yield, spin
     * or sleep here; under a controlled scheduler it may switch threads. It
     * costs a load and a branch under the free scheduler. Note that no
     * scheduler can produce r0=0 r1=0 by choosing an order of the threads:
     * only real parallel hardware does, under the free and noise schedulers. */
    jostle_yield();
    s->r0 = atomic_load_explicit(&s->y, memory_order_relaxed);
  } else {
    atomic_store_explicit(&s->y, 1, memory_order_relaxed);
    jostle_yield();
    s->r1 = atomic_load_explicit(&s->x, memory_order_relaxed);
  }
}

/* The check. Every body has returned, so plain reads of r0 and r1 are
 * safe. jostle_observe(r, "r0", 0) adds "r0=0" to the outcome; the
 * outcome of a run is its observations joined by spaces, "r0=0 r1=1". */
static void sb_check(jostle_run *r) {
  struct store_buffer *s = jostle_state(r);

  jostle_observe(r, "r0", s->r0);
  jostle_observe(r, "r1", s->r1);
  /* No jostle_fail() here: the allowed list below decides. A check that
   * tests an invariant instead calls jostle_fail(r, "reason"). */
}

/* The outcomes that sequential consistency allows; any other outcome, here
 * only "r0=0 r1=0", is divergent. Texts must match the observations
 * exactly, in the order the check makes them. */
static const char *const allowed[] = {
  "r0=0 r1=1",
  "r0=1 r1=0",
  "r0=1 r1=1",
  NULL,
};

/* Registration: JOSTLE_SCENARIO defines the table and registers it before
 * main() runs; there is no central list to edit. */
JOSTLE_SCENARIO(store_buffer) {
  .name = "store-buffer",
  .summary = "store-buffering litmus test: r0=0 r1=0 shows stores overtaken by loads",
  .racy = 1,        /* expected to diverge on x86, ARM and POWER */
  .threads = 2,     /* the default; -D threads=N would override it, */
  .min_threads = 2, /* but a litmus test has exactly its two threads */
  .max_threads = 2,
  .state_size = sizeof(struct store_buffer),
  .thread = sb_thread,
  .check = sb_check,
  .allowed = allowed,
};

/* The jostle command line, with every scenario linked into this program. */
int main(int argc, char **argv) {
  return jostle_main(argc, argv);
}
