/*
 * crash.c: crash details (see crash.h).
 *
 * The handler runs in the dying process, so it does only what is safe
 * there: it copies the signal's facts and glibc's backtrace() (whose
 * unwinder is loaded before the first run, as it would otherwise be on
 * its first call) into shared memory, then lets the signal kill the
 * process. The parent names the frames with libdwfl (self_debuginfo.h),
 * reading its own mappings, which are the worker's. Sanitizer builds keep their own
 * handlers, which report more.
 */
#include "harness/crash.h"

#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "schedulers/self_debuginfo.h"

#ifndef JOSTLE_SANITIZER
static jostle__crash_record *record;

static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP};

static void on_fatal(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if (atomic_exchange_explicit(&record->taken, 1, memory_order_acq_rel) == 0) {
    record->signo = sig;
    record->code = si->si_code;
    record->addr = (uint64_t)(uintptr_t)si->si_addr;
    record->n_frames = backtrace(record->frames, JOSTLE__CRASH_FRAMES);
  }
  /* Back to the default action, and the signal again: it kills here. (A
   * fault would strike again on return, but a trap has already moved past
   * its instruction, and the run would go on as if nothing had happened.) */
  signal(sig, SIG_DFL);
  raise(sig);
}

void jostle__crash_watch(jostle__crash_record *rec) {
  void *warm[1];
  (void)backtrace(warm, 1);
  record = rec;
  atomic_store_explicit(&rec->taken, 0, memory_order_relaxed);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &sa, NULL);
}
#else
void jostle__crash_watch(jostle__crash_record *rec) { (void)rec; }
#endif

/* The function of the code at `at`, or NULL. */
static const char *function_at(Dwfl *dwfl, Dwarf_Addr at, Dwfl_Module **mod) {
  *mod = dwfl ? dwfl_addrmodule(dwfl, at) : NULL;
  return *mod ? dwfl_module_addrname(*mod, at) : NULL;
}

/* "file:line (function)", "function", or the address, of the code at. */
static int name_code(Dwfl *dwfl, Dwarf_Addr at, char *buf, size_t size) {
  Dwfl_Module *mod;
  char plain[256];
  const char *fn = jostle__self_demangle(function_at(dwfl, at, &mod), plain, sizeof plain);
  int lineno = 0;
  const char *file = mod ? jostle__self_line(mod, at, &lineno) : NULL;
  if (file != NULL) return snprintf(buf, size, "%s:%d (%s)", file, lineno, fn ? fn : "?");
  if (fn != NULL) return snprintf(buf, size, "%s", fn);
  return snprintf(buf, size, "0x%llx", (unsigned long long)at);
}

/* Frames of jostle's own that say nothing of the crash: the handler and
 * the kernel's return path, before; the pool, worker and campaign after. */
static int ours(const char *fn) {
  return fn != NULL && (strcmp(fn, "on_fatal") == 0 || strcmp(fn, "__restore_rt") == 0 ||
                        strncmp(fn, "jostle__", 8) == 0 || strcmp(fn, "run_body") == 0 ||
                        strcmp(fn, "step") == 0 || strcmp(fn, "member_main") == 0 ||
                        strcmp(fn, "round_trip") == 0 || strcmp(fn, "run_claimed") == 0 ||
                        strcmp(fn, "spawned_main") == 0);
}

void jostle__crash_describe(jostle__crash_record *rec, char *buf, size_t size) {
  buf[0] = '\0';
  if (!atomic_load_explicit(&rec->taken, memory_order_acquire)) return;
  const char *abbrev = sigabbrev_np(rec->signo);
  size_t len = (size_t)snprintf(buf, size, "SIG%s", abbrev ? abbrev : "?");
  /* The address matters for a fault; a raised signal has the sender's. */
  if (rec->code > 0 && rec->signo != SIGABRT && rec->signo != SIGTRAP && len < size)
    len += (size_t)snprintf(buf + len, size - len, " (address 0x%llx)",
                            (unsigned long long)rec->addr);
  Dwfl *dwfl = jostle__self_dwfl();
  int shown = 0, seen_handler = 0;
  for (int i = 0; i < rec->n_frames && shown < 6 && len < size; i++) {
    /* Past the handler's frame, frame 0 is where the signal struck (its
     * own address); the rest are return addresses, inside the call. */
    Dwarf_Addr at = (Dwarf_Addr)(uintptr_t)rec->frames[i];
    Dwfl_Module *mod;
    const char *fn = function_at(dwfl, at, &mod);
    if (!seen_handler) {
      seen_handler = fn != NULL && strcmp(fn, "__restore_rt") == 0;
      continue;
    }
    if (ours(fn)) {
      if (shown > 0) break; /* back in jostle: the rest is the harness */
      continue;
    }
    if (shown > 0) at -= 1;
    len += (size_t)snprintf(buf + len, size - len, shown ? ", called from " : " at ");
    if (len < size) len += (size_t)name_code(dwfl, at, buf + len, size - len);
    shown++;
  }
  atomic_store_explicit(&rec->taken, 0, memory_order_relaxed);
}
