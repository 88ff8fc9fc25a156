/* cpu.h: private to jostle. A pause for spin loops. */
#ifndef JOSTLE_CPU_H
#define JOSTLE_CPU_H

#include "common/clock.h"

static inline void jostle__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* A cycle counter that is consistent across processors (the TSC on x86,
 * the virtual counter on arm64); nanoseconds elsewhere. */
static inline unsigned long long jostle__cycles(void) {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
  unsigned long long v;
  __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
  return v;
#else
  return jostle__now_ns();
#endif
}

#endif
