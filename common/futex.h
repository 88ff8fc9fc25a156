/*
 * futex.h: private to jostle. Sleeping on a 32-bit atomic until another
 * thread of the same process changes it: the blocking half of the pool's
 * spin-then-block barrier and of the controlled runs' baton.
 *
 * The protocol around them is the caller's: a waiter announces itself
 * before it sleeps, a waker reads that announcement after its store, and
 * both use sequentially consistent operations, so no wake-up is lost.
 * errno is left as it was: a scenario thread's errno is its own, whatever
 * jostle does at its scheduling points.
 */
#ifndef JOSTLE_FUTEX_H
#define JOSTLE_FUTEX_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The futex system call itself. On x86-64 it is made here, not through
 * the C library's syscall(): a served program's syscall() is wrapped
 * (schedulers/sync_wrap.c, which refuses a raw futex call under a
 * controlled run), and jostle's own calls must not be. It leaves errno
 * alone. */
static inline void jostle__futex(_Atomic uint32_t *addr, int op, uint32_t val) {
#if defined(__x86_64__)
  long ret;
  register void *timeout __asm__("r10") = NULL;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "0"((long)SYS_futex), "D"(addr), "S"((long)op), "d"((long)val),
                     "r"(timeout)
                   : "rcx", "r11", "memory");
  (void)ret;
#else
  int saved = errno;
  syscall(SYS_futex, (uint32_t *)addr, op, val, NULL, NULL, 0);
  errno = saved;
#endif
}

/* Sleeps while *addr holds `expected`: returns at once when it does not
 * (the kernel checks atomically), else when woken, on a signal, or
 * spuriously. Callers re-check their condition in a loop. */
static inline void jostle__futex_wait(_Atomic uint32_t *addr, uint32_t expected) {
  jostle__futex(addr, FUTEX_WAIT_PRIVATE, expected);
}

static inline void jostle__futex_wake_all(_Atomic uint32_t *addr) {
  jostle__futex(addr, FUTEX_WAKE_PRIVATE, INT_MAX);
}

#endif
