/*
 * sanitizer.c: settings for jostle's sanitizer builds (make SANITIZER=...).
 *
 * A scenario's crash is an outcome that the campaign's parent reads from
 * the signal that killed the worker. The sanitizers would catch that signal
 * themselves, print a report and exit with a status of their own, so in
 * sanitizer builds they leave fatal signals alone, and an error they detect
 * themselves ends in abort(): a worker then dies of SIGSEGV or SIGABRT as it
 * would in a plain build. A report about jostle's own code still makes its
 * process exit with an error, which the parent reports as an internal error
 * when it happens outside a run.
 */
#ifdef JOSTLE_SANITIZER

#define DEFAULTS(name, options)                                   \
  const char *name(void) __attribute__((visibility("default"))); \
  const char *name(void) { return options; }

#define SIGNALS "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0"

DEFAULTS(__asan_default_options, SIGNALS ":abort_on_error=1")
/* atexit_sleep_ms: a program's run (program mode) exits with threads
 * still running, where ThreadSanitizer would wait a second for them. */
DEFAULTS(__tsan_default_options, SIGNALS ":atexit_sleep_ms=0")
DEFAULTS(__ubsan_default_options, "halt_on_error=1:abort_on_error=1:print_stacktrace=1")

/* ThreadSanitizer: the racy built-in scenarios race on purpose. Their code
 * is built without the sanitizer, but the libc calls in them (memcpy,
 * calloc, free) are intercepted and so reported. Each line names the thread
 * body of one racy demonstration, so a report with any other stack, that
 * is one about jostle itself or a fixed twin, still shows. */
DEFAULTS(__tsan_default_suppressions,
         "race:plain_thread\n"     /* counter: plain counter++ */
         "race:racy_thread\n"      /* cache, cancel-flag, stats-snapshot */
         "race:metrics_thread\n"   /* metrics: plain requests++ */
         "race:shared_thread\n"    /* slice-append: unlocked memcpy on growth */
         "race:address_thread\n"   /* loop-capture: reads the spawner's variable */
         "race:inplace_thread\n"   /* config-inplace: memcpy of a changing config */
         /* lock-order takes two locks in opposite orders on purpose: the
          * runtime's deadlock detector reports the inversion */
         "deadlock:source_first_thread\n"
         "deadlock:transfer\n"    /* tests/programs/lock_order.c, likewise */
         /* test-waits (a test scenario) deadlocks, relocks and unlocks
          * another thread's mutex on purpose */
         "deadlock:waits_thread\n"
         "mutex:waits_thread\n")

#endif
