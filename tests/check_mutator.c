/*
 * check_mutator.c: the fuzz targets' mutator (tools/fuzz.c). About half
 * its calls go to libFuzzer's own mutations; each of the others flips 1 to
 * 4 adjacent choices, inserts one or deletes one, keeping the input's size,
 * and the same seed always makes the same change; once an input's run is
 * known to have made k choices, the change starts at one of them or at the
 * next.
 */
#include <stdint.h>
#include <string.h>

#include "tests/check_main.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
void jostle__fuzz_used(const uint8_t *data, size_t size, size_t choice_bits);

/* Stands in for libFuzzer's own mutations: counts the calls. */
static unsigned n_libfuzzer;
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) {
  (void)data;
  (void)max_size;
  n_libfuzzer++;
  return size;
}

#define SIZE 8
#define BITS (SIZE * 8)

static int bit(const uint8_t *d, int i) { return (d[i / 8] >> (i % 8)) & 1; }

/* 1 when `out` is `in` with 1 to 4 adjacent bits flipped, from bit
 * `from` at most */
static int flipped(const uint8_t *in, const uint8_t *out, int from) {
  int first = -1, last = -1;
  for (int i = 0; i < BITS; i++) {
    if (bit(in, i) == bit(out, i)) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0 || first > from || last - first >= 4) return 0;
  for (int i = first; i <= last; i++)
    if (bit(in, i) == bit(out, i)) return 0;
  return 1;
}

/* 1 when `out` is `in` with a bit inserted at a position up to `from`,
 * its last bit dropped */
static int inserted(const uint8_t *in, const uint8_t *out, int from) {
  for (int at = 0; at < BITS && at <= from; at++) {
    int same = 1;
    for (int i = 0; i < BITS && same; i++)
      same = i < at ? bit(out, i) == bit(in, i) : i == at || bit(out, i) == bit(in, i - 1);
    if (same) return 1;
  }
  return 0;
}

/* 1 when `out` is `in` with a bit deleted at a position up to `from`, a 0
 * appended */
static int deleted(const uint8_t *in, const uint8_t *out, int from) {
  if (bit(out, BITS - 1) != 0) return 0;
  for (int at = 0; at < BITS && at <= from; at++) {
    int same = 1;
    for (int i = 0; i < BITS - 1 && same; i++)
      same = bit(out, i) == bit(in, i < at ? i : i + 1);
    if (same) return 1;
  }
  return 0;
}

START_TEST(mutations_move_choices_by_one) {
  enum { N = 4000 };
  unsigned n_own = 0;
  for (unsigned seed = 0; seed < N; seed++) {
    uint8_t in[SIZE], out[SIZE], again[SIZE];
    for (int i = 0; i < SIZE; i++) in[i] = (uint8_t)(seed * 131 + (unsigned)i * 71 + 5);
    memcpy(out, in, SIZE);
    unsigned before = n_libfuzzer;
    ck_assert_uint_eq(LLVMFuzzerCustomMutator(out, SIZE, 64, seed), SIZE);
    if (n_libfuzzer != before) continue;
    n_own++;
    ck_assert_msg(flipped(in, out, BITS) || inserted(in, out, BITS) || deleted(in, out, BITS),
                  "seed %u: neither a flip, an insertion nor a deletion", seed);
    memcpy(again, in, SIZE);
    ck_assert_uint_eq(LLVMFuzzerCustomMutator(again, SIZE, 64, seed), SIZE);
    ck_assert_mem_eq(again, out, SIZE);
  }
  /* half and half, within 5 standard deviations */
  ck_assert_msg(n_own > N / 2 - 160 && n_own < N / 2 + 160, "%u of %u own mutations", n_own, N);
}
END_TEST

/* An input whose run made 10 choices: every change is made at one of them
 * or at the next, where without that record changes are made all over the
 * input. */
START_TEST(mutations_start_at_a_choice_made) {
  enum { N = 256, MADE = 10 }; /* 256 distinct inputs */
  unsigned n_own = 0, n_late_unknown = 0;
  for (int known = 0; known < 2; known++)
    for (unsigned seed = 0; seed < N; seed++) {
      uint8_t in[SIZE], out[SIZE];
      for (int i = 0; i < SIZE; i++) in[i] = (uint8_t)(seed * 131 + (unsigned)i * 71 + 5);
      if (known) jostle__fuzz_used(in, SIZE, MADE);
      memcpy(out, in, SIZE);
      unsigned before = n_libfuzzer;
      LLVMFuzzerCustomMutator(out, SIZE, 64, seed);
      if (n_libfuzzer != before) continue;
      int early = flipped(in, out, MADE) || inserted(in, out, MADE) || deleted(in, out, MADE);
      if (!known) {
        n_late_unknown += !early;
        continue;
      }
      n_own++;
      ck_assert_msg(early, "seed %u: a change past the run's choices", seed);
    }
  ck_assert_uint_gt(n_own, N / 4);
  ck_assert_uint_gt(n_late_unknown, N / 4);
}
END_TEST

START_TEST(an_empty_input_goes_to_libfuzzer) {
  uint8_t none[1];
  unsigned before = n_libfuzzer;
  LLVMFuzzerCustomMutator(none, 0, 1, 7);
  ck_assert_uint_eq(n_libfuzzer, before + 1);
}
END_TEST

static Suite *mutator_suite(void) {
  Suite *s = suite_create("mutator");
  TCase *tc = jostle_check_case(s, "mutator", 30, 0);
  tcase_add_test(tc, mutations_move_choices_by_one);
  tcase_add_test(tc, mutations_start_at_a_choice_made);
  tcase_add_test(tc, an_empty_input_goes_to_libfuzzer);
  return s;
}

int main(void) { return jostle_check_run(mutator_suite()); }
