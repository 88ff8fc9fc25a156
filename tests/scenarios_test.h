/* scenarios_test.h: the test-only scenarios' ground truth (scenarios_test.c). */
#ifndef JOSTLE_SCENARIOS_TEST_H
#define JOSTLE_SCENARIOS_TEST_H

/* Whether a run with this seed crashes (test-crash) or hangs (test-hang). */
int jostle_test_crashes(unsigned long long seed);
int jostle_test_hangs(unsigned long long seed);

#endif
