#!/bin/sh
# tests/examples.sh: the example scenarios behave as their comments say,
# built the way a user builds their own: against the installed header and
# library. JOSTLE_BUILD is the build folder.
set -eu
build=${JOSTLE_BUILD:-build}
fail() { echo "examples: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Install into a scratch prefix and build the example from there, as
#    the README shows.
make --no-print-directory -s install O="$build" PREFIX="$tmp/prefix" >/dev/null
cc -std=c11 -O2 ${EXAMPLE_FLAGS:-} -I"$tmp/prefix/include" scenarios/examples/store_buffer.c \
  -L"$tmp/prefix/lib" -ljostle -Wl,-rpath,"$tmp/prefix/lib" -pthread \
  -o "$tmp/store-buffer" || fail "the example does not build against the installed library"
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --exists jostle ||
  fail "the installed jostle.pc is not found by pkg-config"

# 2. The example's program has the whole CLI and its own scenario.
"$tmp/store-buffer" list | grep -q '^store-buffer ' || fail "store-buffer is not listed"

# 3. Store buffering is observable on this machine (x86 and arm64 both
#    allow r0=0 r1=0): found, with exit 1 and a reproduce line. It needs the
#    two threads to overlap on two processors, which a loaded machine gives
#    less often: the campaign stops at the first find, and may look for a
#    minute.
set +e
"$tmp/store-buffer" stress store-buffer -n 100M --duration 60s --until-divergence \
  --no-progress >"$tmp/out"
status=$?
set -e
[ $status -eq 1 ] || { cat "$tmp/out"; fail "store-buffer: exit $status, expected 1"; }
grep -q '^  r0=0 r1=0 .*DIVERGENT' "$tmp/out" || fail "store-buffer: r0=0 r1=0 not reported divergent"
grep -q '^reproduce: .* stress store-buffer ' "$tmp/out" || fail "store-buffer: no reproduce line"

# 4. The in-tree build of the example links the shared library and runs.
"$build/examples/store_buffer" list >/dev/null || fail "$build/examples/store_buffer does not run"

# 5. jostle-cc: the README's counter, instrumented and wrapped, is found by
#    the controlled schedulers too, and its reproduce line replays exactly.
#    jostle-cc instruments with -fsanitize=thread, which no compiler combines
#    with another sanitizer: the sanitizer builds check the shared-library
#    path above only.
if [ -z "${EXAMPLE_FLAGS:-}" ]; then
  "$tmp/prefix/bin/jostle-cc" -O2 scenarios/examples/my_counter.c \
    -o "$tmp/my-counter" || fail "jostle-cc cannot build the README's example"
  set +e
  "$tmp/my-counter" stress my-counter --scheduler pct -n 2000 --no-progress >"$tmp/out"
  status=$?
  set -e
  [ $status -eq 1 ] || { cat "$tmp/out"; fail "my-counter under pct: exit $status, expected 1"; }
  replay=$(sed -n 's/^reproduce: [^ ]* \(replay .*\)$/\1/p' "$tmp/out" | head -1)
  [ -n "$replay" ] || fail "my-counter under pct: no replay command"
  set +e
  "$tmp/my-counter" $replay >"$tmp/replay"
  status=$?
  set -e
  [ $status -eq 1 ] && grep -q '^outcome: counter=1 (lost increments)$' "$tmp/replay" ||
    { cat "$tmp/replay"; fail "my-counter: the replay did not reproduce"; }
  # jostle-cc builds with -g unless told otherwise: the trace names the
  # user's own file and lines, with no -g of theirs.
  "$tmp/my-counter" $replay --trace >"$tmp/trace" || true
  grep -q 'my_counter\.c:[0-9]' "$tmp/trace" ||
    { head -20 "$tmp/trace"; fail "my-counter: the trace does not name my_counter.c's lines"; }
  # Without the wrappers (shared library), controlled schedulers are refused.
  set +e
  "$build/examples/my_counter" stress my-counter --scheduler random -n 10 2>"$tmp/err"
  status=$?
  set -e
  [ $status -eq 2 ] && grep -q "needs jostle's synchronisation wrappers" "$tmp/err" ||
    fail "a program without the wrappers must refuse controlled schedulers (exit $status)"

  # 6. jostle-cc --fuzz: the same file as a libFuzzer target (its main() is
  #    renamed away) finds the lost increment, and the saved input replays
  #    in the target, which is a jostle program too.
  CC=clang "$tmp/prefix/bin/jostle-cc" --fuzz -O2 scenarios/examples/my_counter.c \
    -o "$tmp/fuzz-my-counter" || fail "jostle-cc --fuzz cannot build the README's example"
  mkdir "$tmp/artifacts"
  set +e
  "$tmp/fuzz-my-counter" -seed=1 -runs=100000 -artifact_prefix="$tmp/artifacts/" \
    >"$tmp/fuzz" 2>&1
  status=$?
  set -e
  [ $status -ne 0 ] && grep -q 'jostle: my-counter: DIVERGENT outcome: counter=1 (lost increments)' \
    "$tmp/fuzz" || { tail -20 "$tmp/fuzz"; fail "fuzz-my-counter did not find the lost increment"; }
  crash=$(ls "$tmp/artifacts"/crash-* | head -1)
  set +e
  "$tmp/fuzz-my-counter" replay my-counter --input "$crash" >"$tmp/replay"
  status=$?
  set -e
  [ $status -eq 1 ] && grep -q '^outcome: counter=1 (lost increments)$' "$tmp/replay" ||
    { cat "$tmp/replay"; fail "my-counter: the fuzzer's input did not replay"; }
  # 7. jostle-cc on an ordinary program (its own main, no jostle in it):
  #    still the program when run on its own, and `jostle run` finds its
  #    lost update under random.
  "$tmp/prefix/bin/jostle-cc" -O2 tests/programs/bank_racy.c -o "$tmp/bank" ||
    fail "jostle-cc cannot build an ordinary program"
  "$tmp/bank" >"$tmp/own" 2>&1 || true
  grep -q '^total=' "$tmp/own" || { cat "$tmp/own"; fail "bank, run on its own, is not itself"; }
  set +e
  "$tmp/prefix/bin/jostle" run -n 1000 --seed 1 --until-divergence --no-progress \
    -- "$tmp/bank" >"$tmp/out"
  status=$?
  set -e
  [ $status -eq 1 ] && grep -q '^  crash (SIGABRT): .*Assertion' "$tmp/out" ||
    { cat "$tmp/out"; fail "jostle run did not find bank's lost update"; }
  # 8. jostle-cc on a C++ program (std::thread, std::mutex, the containers):
  #    still the program on its own; `jostle run` finds its check-then-insert
  #    under random, and the reproduce line replays it.
  "$tmp/prefix/bin/jostle-cc" -O2 -std=c++17 tests/programs/cxx_registry_racy.cpp \
    -o "$tmp/registry" || fail "jostle-cc cannot build a C++ program"
  "$tmp/registry" >"$tmp/own" 2>&1 || true
  grep -q '^fresh=' "$tmp/own" || { cat "$tmp/own"; fail "registry, run on its own, is not itself"; }
  set +e
  "$tmp/prefix/bin/jostle" run -n 1000 --seed 1 --until-divergence --no-progress \
    -- "$tmp/registry" >"$tmp/out"
  status=$?
  set -e
  [ $status -eq 1 ] && grep -q '^  crash (SIGABRT): .*cxx_registry_racy.cpp:[0-9]*: int main(): Assertion' "$tmp/out" ||
    { cat "$tmp/out"; fail "jostle run did not find registry's check-then-insert"; }
  line=$(sed -n 's/^reproduce: jostle //p' "$tmp/out" | head -n 1)
  set +e
  eval "\"$tmp/prefix/bin/jostle\" $line" >"$tmp/replay" 2>&1
  status=$?
  set -e
  [ $status -eq 1 ] && grep -q '^outcome: crash (SIGABRT): .*Assertion' "$tmp/replay" ||
    { cat "$tmp/replay"; fail "registry's crash does not replay from '$line'"; }
  # 9. A scenario written in C++ (jostle.h as C++20): jostle-cc builds it,
  #    and pct finds its lost increment.
  "$tmp/prefix/bin/jostle-cc" -O2 -std=c++20 tests/scenario_cxx.cpp -o "$tmp/cxx-counter" ||
    fail "jostle-cc cannot build a C++ scenario"
  set +e
  "$tmp/cxx-counter" stress cxx-counter --scheduler pct -n 2000 --seed 1 --no-progress \
    >"$tmp/out"
  status=$?
  set -e
  [ $status -eq 1 ] && grep -q '^  counter=1 (lost increments) .* DIVERGENT ' "$tmp/out" ||
    { cat "$tmp/out"; fail "cxx-counter under pct: the lost increment is not found"; }
  # 10. jostle-cc --fuzz on ordinary programs: each input is one controlled
  #     run of main. The lost update (an assert), a lock-order deadlock and
  #     the C++ check-then-insert are found; the saved input replays in the
  #     target and under jostle replay; the fixed twin stays clean; the
  #     program's arguments come from JOSTLE_FUZZ_ARGS.
  soak=${JOSTLE_SOAK:-1}
  fuzz_program() { # NAME SOURCE [compiler options]: builds $tmp/fuzz-NAME
    n=$1 src=$2
    shift 2
    CC=clang "$tmp/prefix/bin/jostle-cc" --fuzz -O2 "$@" "$src" -o "$tmp/fuzz-$n" ||
      fail "jostle-cc --fuzz cannot build $src"
  }
  fuzz_finds() { # NAME RUNS TEXT: the target finds TEXT and saves its input
    rm -rf "$tmp/found"
    mkdir "$tmp/found"
    set +e
    (cd "$tmp" && "$tmp/fuzz-$1" -seed=1 -runs="$2" -close_fd_mask=1 \
      -artifact_prefix="$tmp/found/" >"$tmp/fuzz" 2>&1)
    status=$?
    set -e
    crash=$(ls "$tmp/found"/crash-* 2>/dev/null | head -1)
    [ $status -ne 0 ] && [ -n "$crash" ] && grep -qF "$3" "$tmp/fuzz" ||
      { tail -20 "$tmp/fuzz"; fail "fuzz-$1 did not find '$3' in $2 runs"; }
  }
  replays_to() { # NAME TEXT: the saved input replays to an outcome holding TEXT
    set +e
    "$tmp/fuzz-$1" replay --input "$crash" >"$tmp/replay" 2>&1
    s1=$?
    "$tmp/prefix/bin/jostle" replay --input "$crash" -- "$tmp/fuzz-$1" >"$tmp/replay2" 2>&1
    s2=$?
    set -e
    [ $s1 -eq 1 ] && grep -q "^outcome: .*$2" "$tmp/replay" ||
      { cat "$tmp/replay"; fail "fuzz-$1: its input does not replay in the target"; }
    [ $s2 -eq 1 ] && [ "$(grep '^outcome' "$tmp/replay")" = "$(grep '^outcome' "$tmp/replay2")" ] ||
      { cat "$tmp/replay2"; fail "fuzz-$1: jostle replay --input does not replay its input"; }
  }
  fuzz_program bank tests/programs/bank_racy.c
  fuzz_finds bank 20000 "Assertion \`accounts[0] + accounts[1] == 200' failed"
  replays_to bank "crash (SIGABRT): .*bank_racy.c:[0-9]*: int main(void): Assertion"
  "$tmp/fuzz-bank" replay --input "$crash" --trace 2>&1 | grep -q 'bank_racy\.c:[0-9]* (main)' ||
    fail "fuzz-bank: the trace does not name bank_racy.c's lines and main"
  fuzz_program bank-fixed tests/programs/bank_fixed.c
  set +e
  (cd "$tmp" && "$tmp/fuzz-bank-fixed" -seed=1 -runs=$((20000 * soak)) -close_fd_mask=1 \
    >"$tmp/fuzz" 2>&1)
  status=$?
  set -e
  [ $status -eq 0 ] || { tail -5 "$tmp/fuzz"; fail "fuzz-bank-fixed (fixed) diverged"; }
  fuzz_program lock-order tests/programs/lock_order.c
  fuzz_finds lock-order 20000 "jostle: fuzz-lock-order: deadlock outcome: deadlock (thread"
  grep -q "^jostle: fuzz-lock-order: deadlock outcome: .* waits for account_lock\[[01]\] held by" \
    "$tmp/fuzz" || { grep '^jostle' "$tmp/fuzz"; fail "fuzz-lock-order: the deadlock's locks are not named"; }
  replays_to lock-order "deadlock (thread"
  fuzz_program registry tests/programs/cxx_registry_racy.cpp -std=c++17
  fuzz_finds registry 20000 "Assertion \`fresh == (int)registry.size()' failed"
  replays_to registry "crash (SIGABRT): .*Assertion"
  fuzz_program args tests/programs/args_echo.c
  fuzz_finds args 10 "jostle: fuzz-args: DIVERGENT outcome: exit=1"
  set +e
  (cd "$tmp" && JOSTLE_FUZZ_ARGS=ok "$tmp/fuzz-args" -runs=1000 >"$tmp/fuzz" 2>&1)
  status=$?
  set -e
  [ $status -eq 0 ] || { tail -5 "$tmp/fuzz"; fail "fuzz-args: JOSTLE_FUZZ_ARGS=ok did not reach main"; }
  # the replay line keeps the arguments, and replays with them
  JOSTLE_FUZZ_ARGS='a b' fuzz_finds args 10 "jostle: fuzz-args: DIVERGENT outcome: exit=3"
  line=$(sed -n 's/^jostle: replay the input libFuzzer saves with: \(.*\) \[--trace\]$/\1/p' "$tmp/fuzz")
  [ "$line" = "JOSTLE_FUZZ_ARGS='a b' $tmp/fuzz-args replay --input FILE" ] ||
    fail "fuzz-args: the replay line does not keep the arguments: '$line'"
  set +e
  (cd "$tmp" && eval "$(echo "$line" | sed "s|FILE|$crash|")" >"$tmp/replay" 2>&1)
  set -e
  grep -q '^outcome: exit=3$' "$tmp/replay" ||
    { cat "$tmp/replay"; fail "fuzz-args: the replay line does not replay exit=3"; }
  echo "examples: 10 passed, 0 failed"
else
  echo "examples: 4 passed, 0 failed (jostle-cc is checked in the plain build)"
fi
