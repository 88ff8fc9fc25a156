/*
 * carrier.c: the controlled hand-over without the kernel (see carrier.h).
 *
 * A waiting thread's registers are saved on its own stack, and its stack
 * pointer in its seat; a hand-over saves the holder's and loads the next
 * thread's, with its thread pointer (the FS base, which locates its TLS,
 * errno and pthread_self): tens of nanoseconds, where waking another OS
 * thread and sleeping costs microseconds, tens of them when the threads
 * outnumber the processors.
 *
 * The rules, which keep one carrier at a time:
 * - at a run's start every pool thread parks: saves itself and leaves its
 *   OS thread (its home) asleep on a park stack of its own; the last to
 *   park becomes the carrier and takes up the first thread to run;
 * - a hand-over is a switch on the carrier;
 * - a thread that is done leaves on its home: away from home, it switches
 *   to the next thread, which then wakes the thread's home to take it up;
 *   at home, it wakes the next thread's home, which becomes the carrier;
 * - a thread created in a run parks before its creator goes on;
 * - an abandoned run wakes every home to take up its thread, which
 *   escapes there.
 * So a home is only ever woken to take up its own thread, and the carrier
 * never wants a home that is not asleep: the carrier's own thread is never
 * done while it carries (it would have left on it, and the carrier with
 * it). A run costs a wake-up per thread, not one per hand-over.
 *
 * What stays per OS thread goes with the carrier: signal masks and the
 * kernel's thread id. glibc keeps the id in the thread's descriptor, where
 * raise and abort read it: the carrier writes its own id into the
 * descriptor of the thread it runs, and gives each thread its home's back
 * when it leaves, so an abort signals the OS thread that aborts. The
 * field's offset is found by its value, and checked on a second thread.
 *
 * A home asleep on its park stack has the thread pointer of a thread that
 * may be running elsewhere: the park code touches no thread-local storage
 * (its futex calls leave errno alone: common/futex.h).
 */
#include "schedulers/carrier.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/cpu.h"
#include "common/futex.h"

#define PARK_STACK (64 * 1024)
#define PARK_SPIN (1u << 14)      /* most pauses before a home sleeps */
#define TID_SCAN 2048             /* bytes of a descriptor searched for the id */

#if defined(__x86_64__) && !defined(JOSTLE_SANITIZER)

/* The registers a call must keep (System V x86-64: rbx, rbp, r12-r15, the
 * x87 and SSE control words), pushed on the thread's own stack. */
void jostle__ctx_switch(void **save, void *to, void *tcb, int wrfsbase);
_Noreturn void jostle__ctx_jump(void *to, void *tcb, int wrfsbase);
void jostle__ctx_park(void **save, void *stack_top, void (*fn)(void *), void *arg);

__asm__(".text\n"
        /* jostle__ctx_switch(save, to, tcb, wrfsbase): saves the caller, takes up `to` */
        ".globl jostle__ctx_switch\n"
        ".hidden jostle__ctx_switch\n"
        ".type jostle__ctx_switch,@function\n"
        "jostle__ctx_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  subq $8, %rsp\n  stmxcsr (%rsp)\n  fnstcw 4(%rsp)\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rdi\n  movq %rdx, %rsi\n  movl %ecx, %edx\n"
        "  jmp jostle__ctx_jump\n"
        ".size jostle__ctx_switch, .-jostle__ctx_switch\n"
        /* jostle__ctx_jump(to, tcb, wrfsbase): takes up `to`, its thread pointer tcb */
        ".globl jostle__ctx_jump\n"
        ".hidden jostle__ctx_jump\n"
        ".type jostle__ctx_jump,@function\n"
        "jostle__ctx_jump:\n"
        "  testl %edx, %edx\n  jz 1f\n"
        "  wrfsbase %rsi\n  jmp 2f\n"
        "1:\n  movq %rdi, %r8\n  movl $0x1002, %edi\n  movl $158, %eax\n  syscall\n"
        "  movq %r8, %rdi\n"                            /* arch_prctl(ARCH_SET_FS, tcb) */
        "2:\n  movq %rdi, %rsp\n"
        "  ldmxcsr (%rsp)\n  fldcw 4(%rsp)\n  addq $8, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size jostle__ctx_jump, .-jostle__ctx_jump\n"
        /* jostle__ctx_park(save, stack_top, fn, arg): saves the caller, runs
         * fn(arg) on another stack; fn never returns */
        ".globl jostle__ctx_park\n"
        ".hidden jostle__ctx_park\n"
        ".type jostle__ctx_park,@function\n"
        "jostle__ctx_park:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  subq $8, %rsp\n  stmxcsr (%rsp)\n  fnstcw 4(%rsp)\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n  movq %rcx, %rdi\n  callq *%rdx\n  ud2\n"
        ".size jostle__ctx_park, .-jostle__ctx_park\n");

/* ---- finding the thread id in glibc's descriptor ------------------------- */

/* The first offset in the calling thread's descriptor holding its id, or -1. */
static int tid_offset_here(void) {
  const pid_t *d = (const pid_t *)(const void *)pthread_self();
  pid_t me = gettid();
  for (int i = 0; i < TID_SCAN / (int)sizeof *d; i++)
    if (d[i] == me) return i * (int)sizeof *d;
  return -1;
}

static void *tid_offset_there(void *arg) {
  *(int *)arg = tid_offset_here();
  return NULL;
}

static const char *find_tid_offset(int *offset) {
  *offset = tid_offset_here();
  if (*offset < 0) return "glibc's thread descriptor does not hold the thread id";
  int there = -1;
  pthread_t t;
  if (pthread_create(&t, NULL, tid_offset_there, &there) != 0) return "no second thread";
  pthread_join(t, NULL);
  /* the main thread's id is the process's, which may be held elsewhere too */
  return there == *offset ? NULL : "glibc's thread descriptor is not understood";
}

/* The probe's answer, found once per process: every control of a process
 * hands over alike, and a probe that failed for a passing reason (no
 * second thread: the system out of threads) does not leave some controls
 * switching and others not. Two first callers may both probe: they find
 * the same. */
static _Atomic int probed;            /* 1 once probed_offset and probed_why hold it */
static _Atomic int probed_offset;
static const char *_Atomic probed_why;

const char *jostle__carrier_probe(int *tid_offset, int *wrfsbase) {
  *wrfsbase = (getauxval(AT_HWCAP2) & 2) != 0; /* HWCAP2_FSGSBASE: else arch_prctl */
  if (!atomic_load_explicit(&probed, memory_order_acquire)) {
    int offset = -1;
    const char *why = find_tid_offset(&offset);
    atomic_store_explicit(&probed_offset, offset, memory_order_relaxed);
    atomic_store_explicit(&probed_why, why, memory_order_relaxed);
    atomic_store_explicit(&probed, 1, memory_order_release);
  }
  *tid_offset = atomic_load_explicit(&probed_offset, memory_order_relaxed);
  return atomic_load_explicit(&probed_why, memory_order_relaxed);
}

static pid_t *tid_of(const jostle__control *c, void *tcb) {
  return (pid_t *)(void *)((char *)tcb + c->tid_offset);
}

/* ---- seats --------------------------------------------------------------- */

int jostle__carrier_seat_init(jostle__seat *s) {
  void *stack = mmap(NULL, PARK_STACK, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -1;
  s->park_stack = stack;
  return 0;
}

void jostle__carrier_seat_free(jostle__seat *s) {
  if (s->park_stack != NULL) munmap(s->park_stack, PARK_STACK);
}

/* ---- moving threads ------------------------------------------------------ */

/* The carrier takes up `to`, leaving `from` saved, and has `to` wake the
 * home of thread `then` (-1: none) once `from` is saved; returns when
 * `from` is taken up again, by a carrier or its home. */
static void switch_to(jostle__control *c, jostle__seat *from, jostle__seat *to, int then) {
  pid_t carrier = *tid_of(c, from->tcb);
  *tid_of(c, from->tcb) = from->home;
  *tid_of(c, to->tcb) = carrier;
  to->wake_after = then;
  jostle__ctx_switch(&from->sp, to->sp, to->tcb, c->wrfsbase);
}

/* Wakes the home of s to take s up. */
static void wake_home(jostle__seat *s) {
  atomic_store_explicit(&s->wake, 1, memory_order_seq_cst);
  if (atomic_load_explicit(&s->sleeping, memory_order_seq_cst))
    jostle__futex(&s->wake, FUTEX_WAKE_PRIVATE, 1);
}

/* What a thread does first when taken up: the wake-up that the thread it
 * replaced could not make itself (its home, when it left; only a carrier's
 * switch asks it, and only of the thread it switches to), and its escape
 * from an abandoned run. */
static void resumed(jostle__control *c, jostle__seat *s) {
  int w = s->wake_after;
  if (w >= 0) {
    s->wake_after = -1;
    wake_home(c->seats[w]);
  }
  if (atomic_load_explicit(&c->aborting, memory_order_acquire)) longjmp(*s->escape, 1);
}

/* The seat whose home is the carrier, which runs `me`. */
static jostle__seat *carrier_home(jostle__control *c, int me) {
  pid_t carrier = *tid_of(c, c->seats[me]->tcb);
  for (int i = 0; i < c->n_threads; i++)
    if (c->seats[i]->home == carrier) return c->seats[i];
  JOSTLE_ASSERT(!"a carrier is the home of a thread of the run");
  return NULL;
}

/* A home on its park stack, its thread saved: tells whoever waits for it,
 * then sleeps until woken to take its thread up. */
static _Noreturn void park_main(void *arg) {
  jostle__seat *s = arg;
  jostle__control *c = s->owner;
  int spin = c->spin;
  if (s->created) {
    atomic_store_explicit(&s->parked, 1, memory_order_seq_cst);
    jostle__futex(&s->parked, FUTEX_WAKE_PRIVATE, 1);
  } else if (atomic_fetch_add_explicit(&c->arrived, 1, memory_order_acq_rel) + 1 == c->n_pool) {
    /* the last of the pool: every seat is saved; this OS thread carries */
    jostle__seat *first = c->seats[atomic_load_explicit(&c->turn, memory_order_relaxed)];
    *tid_of(c, first->tcb) = s->home;
    jostle__ctx_jump(first->sp, first->tcb, c->wrfsbase);
  }
  for (uint32_t i = 0; spin && i < PARK_SPIN; i++) {
    if (atomic_load_explicit(&s->wake, memory_order_acquire)) break;
    jostle__cpu_relax();
  }
  while (!atomic_load_explicit(&s->wake, memory_order_acquire)) {
    atomic_store_explicit(&s->sleeping, 1, memory_order_seq_cst);
    if (!atomic_load_explicit(&s->wake, memory_order_seq_cst))
      jostle__futex(&s->wake, FUTEX_WAIT_PRIVATE, 0);
    atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
  }
  atomic_store_explicit(&s->wake, 0, memory_order_relaxed);
  jostle__ctx_jump(s->sp, s->tcb, c->wrfsbase); /* its descriptor names its home already */
}

static void park(jostle__control *c, int index, int created) {
  jostle__seat *s = c->seats[index];
  s->owner = c;
  s->created = created;
  s->tcb = (void *)pthread_self();
  s->home = *tid_of(c, s->tcb);
  jostle__ctx_park(&s->sp, (char *)s->park_stack + PARK_STACK, park_main, s);
  resumed(c, s);
}

void jostle__carrier_enter(jostle__control *c, int index) { park(c, index, 0); }

void jostle__carrier_enter_created(jostle__control *c, int index) { park(c, index, 1); }

void jostle__carrier_wait_parked(jostle__control *c, int k) {
  jostle__seat *s = c->seats[k];
  while (!atomic_load_explicit(&s->parked, memory_order_acquire))
    jostle__futex(&s->parked, FUTEX_WAIT_PRIVATE, 0);
}

void jostle__carrier_pass(jostle__control *c, int me, int next) {
  jostle__seat *s = c->seats[me];
  switch_to(c, s, c->seats[next], -1);
  resumed(c, s);
}

void jostle__carrier_leave(jostle__control *c, int me, int next) {
  jostle__seat *s = c->seats[me];
  if (*tid_of(c, s->tcb) == s->home) {
    if (next >= 0) wake_home(c->seats[next]);
    return;
  }
  JOSTLE_ASSERT(next >= 0); /* the carrier's own thread is not done */
  switch_to(c, s, c->seats[next], me); /* back on its home */
}

void jostle__carrier_abandon(jostle__control *c, int me) {
  pid_t carrier = *tid_of(c, c->seats[me]->tcb);
  for (int i = 0; i < c->n_threads; i++) {
    jostle__seat *s = c->seats[i];
    if (i != me && c->state[i] != JOSTLE__DONE && s->home != carrier) wake_home(s);
  }
}

void jostle__carrier_go_home(jostle__control *c, int me) {
  jostle__seat *s = c->seats[me];
  if (*tid_of(c, s->tcb) == s->home) return;
  switch_to(c, s, carrier_home(c, me), me); /* it escapes, and wakes our home */
}

#else /* the kernel hand-over only */

const char *jostle__carrier_probe(int *tid_offset, int *wrfsbase) {
  *tid_offset = *wrfsbase = 0;
#ifdef JOSTLE_SANITIZER
  return "jostle was built with a sanitizer";
#else
  return "not x86-64";
#endif
}
int jostle__carrier_seat_init(jostle__seat *s) { (void)s; return 0; }
void jostle__carrier_seat_free(jostle__seat *s) { (void)s; }
void jostle__carrier_enter(jostle__control *c, int index) { (void)c, (void)index; }
void jostle__carrier_enter_created(jostle__control *c, int index) { (void)c, (void)index; }
void jostle__carrier_wait_parked(jostle__control *c, int k) { (void)c, (void)k; }
void jostle__carrier_pass(jostle__control *c, int me, int next) { (void)c, (void)me, (void)next; }
void jostle__carrier_leave(jostle__control *c, int me, int next) { (void)c, (void)me, (void)next; }
void jostle__carrier_abandon(jostle__control *c, int me) { (void)c, (void)me; }
void jostle__carrier_go_home(jostle__control *c, int me) { (void)c, (void)me; }

#endif
