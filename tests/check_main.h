/*
 * check_main.h: shared by the tests/check_*.c programs. How a test program
 * runs its suite (Check, every test in a forked child under a timeout, so
 * that a crash or a deadlock fails one test and not the whole program), and
 * the JOSTLE_SOAK knob that scales the iteration counts of the concurrency
 * tests: small by default for CI, JOSTLE_SOAK=100 for a soak run.
 */
#ifndef JOSTLE_CHECK_MAIN_H
#define JOSTLE_CHECK_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* JOSTLE_SOAK, a positive integer; 1 when unset. A malformed value is a
 * mistake of whoever runs the tests: say so (once) and use 1. */
static inline unsigned long jostle_check_soak(void) {
  static int warned;
  const char *text = getenv("JOSTLE_SOAK");
  if (text == NULL || text[0] == '\0') return 1;
  char *end;
  unsigned long soak = strtoul(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || soak == 0) {
    if (!warned++)
      fprintf(stderr, "JOSTLE_SOAK=%s: expected a positive integer; using 1\n", text);
    return 1;
  }
  return soak;
}

/* A test case of suite s whose every test fails after timeout_s seconds.
 * Cases whose work grows with JOSTLE_SOAK pass scaled = 1: their timeout
 * grows with it too. */
static inline TCase *jostle_check_case(Suite *s, const char *name, double timeout_s,
                                       int scaled) {
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, scaled ? timeout_s * (double)jostle_check_soak() : timeout_s);
  suite_add_tcase(s, tc);
  return tc;
}

/* Runs every test of s, each in a forked child whatever CK_FORK says, and
 * returns main's exit status: EXIT_FAILURE when any test failed. */
static inline int jostle_check_run(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_set_fork_status(sr, CK_FORK);
  srunner_run_all(sr, CK_NORMAL);
  int n_failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
