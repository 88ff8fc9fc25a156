#!/bin/sh
# tests/fuzz.sh BUILD FUZZ_BUILD: the scenario fuzz targets (make fuzz).
#
# Every racy built-in's target finds a divergent outcome (a deadlock
# included) and saves the input, which the target reproduces both as a
# fuzzer run on the file and as `fuzz-SCENARIO replay --input`; every fixed
# twin's target runs clean. (build/jostle, built by another compiler,
# replays an input only where both compilers put the same points: counted,
# not required.) The
# coverage counters clang hands to the hooks are not scheduling points: a
# traced 2x1 counter run has exactly its 6 points. A -fork campaign finds
# the lost increment too. JOSTLE_SOAK=N multiplies the fixed twins' runs.
set -eu
build=$(cd "$1" && pwd)
fuzz=$(cd "$2" && pwd)
soak=${JOSTLE_SOAK:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "fuzz: FAIL: $*"
  failures=$((failures + 1))
}

# Runs target $1 with libFuzzer options $2...; status in $status.
run() {
  t=$1
  shift
  set +e
  (cd "$tmp" && "$fuzz/fuzz-$t" "$@" >"$tmp/$t.log" 2>&1)
  status=$?
  set -e
}

same_elsewhere=0
racy=$("$build/jostle" list | awk '$3 == "racy" {print $1}')
fixed=$("$build/jostle" list | awk '$3 == "fixed" {print $1}')
race_only=$("$build/jostle" list | awk '$3 == "race" {print $1}')

for s in $racy; do
  rm -f "$tmp"/crash-*
  run "$s" -seed=1 -runs=200000 -artifact_prefix="$tmp/"
  crash=$(ls "$tmp"/crash-* 2>/dev/null | head -1)
  if [ $status -eq 0 ] || [ -z "$crash" ]; then
    fail "fuzz-$s found nothing in 200,000 runs"
    continue
  fi
  found=$(sed -n "s/^jostle: $s: [^ ]* outcome: //p" "$tmp/$s.log" | head -1)
  [ -n "$found" ] || { fail "fuzz-$s: no outcome line"; continue; }
  run "$s" replay "$s" --input "$crash"
  grep -qxF "outcome: $found" "$tmp/$s.log" && [ $status -eq 1 ] ||
    fail "fuzz-$s replay --input gave '$(grep '^outcome' "$tmp/$s.log")', the fuzzer '$found'"
  "$build/jostle" replay "$s" --input "$crash" 2>&1 | grep -qxF "outcome: $found" &&
    same_elsewhere=$((same_elsewhere + 1))
  run "$s" "$crash"
  [ $status -ne 0 ] && grep -qF "outcome: $found" "$tmp/$s.log" ||
    fail "fuzz-$s: running the target on its input did not reproduce '$found'"
done

for s in $fixed; do
  run "$s" -seed=1 -runs=$((50000 * soak))
  [ $status -eq 0 ] || fail "fuzz-$s (fixed) diverged: $(grep '^jostle:' "$tmp/$s.log" | head -1)"
done

# The counter trap: a 2x1 counter run is a yield, a load and a store per
# thread, whatever the coverage instrumentation adds; its accesses are named
# as the code names them.
printf '\125' >"$tmp/input"
JOSTLE_FUZZ_TRACE=1 "$fuzz/fuzz-counter" "$tmp/input" >"$tmp/trace" 2>&1 || true
points=$(grep -cE '^ +[0-9]+  T[01] ' "$tmp/trace" || true)
[ "$points" -eq 6 ] || { cat "$tmp/trace"; fail "a traced 2x1 counter run has $points points, not 6"; }
grep -E '^ +[0-9]+  T[01] +(read|write) ' "$tmp/trace" >"$tmp/accesses" || true
[ "$(wc -l <"$tmp/accesses")" -eq 4 ] && ! grep -vq ' s->counter ' "$tmp/accesses" ||
  fail "a traced 2x1 counter run accesses other than s->counter: $(cat "$tmp/accesses")"

# JOSTLE_FUZZ_RACES=1: the counter's data race aborts at once, whatever
# the interleaving, with its full report, and its input replays to the same race with --races;
# the fixed twin never races; a race-only built-in's race is found too.
rm -f "$tmp"/crash-*
export JOSTLE_FUZZ_RACES=1
run counter -seed=1 -runs=1000 -artifact_prefix="$tmp/"
crash=$(ls "$tmp"/crash-* 2>/dev/null | head -1)
race=$(sed -n 's/^jostle: counter: race outcome: //p' "$tmp/counter.log" | head -1)
if [ -z "$crash" ] || [ -z "$race" ]; then
  fail "JOSTLE_FUZZ_RACES=1 fuzz-counter found no race: $(grep '^jostle' "$tmp/counter.log" | head -1)"
else
  # named as jostle names it, whichever compiler built the target (clang
  # writes no .debug_aranges, by which libdwfl finds code)
  named=$("$build/jostle" stress counter --scheduler random --races -n 1 |
    sed -n 's/^  \(race on .*)\)  .*/\1/p')
  [ "$race" = "$named" ] || fail "fuzz-counter race: '$race', jostle names it '$named'"
  grep -q "replay counter --races --input FILE" "$tmp/counter.log" ||
    fail "fuzz-counter race: the replay hint lacks --races"
  # the full report, as stress prints it: both accesses with their frames
  awk '/^==================$/ { n++ } n == 1' "$tmp/counter.log" >"$tmp/block"
  grep -qx 'WARNING: DATA RACE on s->counter' "$tmp/block" &&
    [ "$(grep -cE '^  scenarios/counter\.c:[0-9]+ \(plain_thread\)$' "$tmp/block")" -eq 2 ] &&
    grep -qE '^previous (read|write) of [0-9]+ bytes? by thread [01] at step [0-9]+:$' "$tmp/block" &&
    grep -qE '^reproduce: .* replay counter --races --input FILE$' "$tmp/block" ||
    fail "fuzz-counter race: no full report: $(cat "$tmp/block")"
  run counter replay counter --races --input "$crash"
  grep -qxF "outcome: $race" "$tmp/counter.log" && [ $status -eq 1 ] ||
    fail "fuzz-counter replay --races gave '$(grep '^outcome' "$tmp/counter.log")', the fuzzer '$race'"
fi
run counter-mutex -seed=1 -runs=$((20000 * soak))
[ $status -eq 0 ] || fail "JOSTLE_FUZZ_RACES=1 fuzz-counter-mutex: $(grep '^jostle:' "$tmp/counter-mutex.log" | head -1)"
# A data race that leaves the outcome right (kind race: publish-relaxed),
# which no check sees, aborts the same way.
for s in $race_only; do
  rm -f "$tmp"/crash-*
  run "$s" -seed=1 -runs=1000 -artifact_prefix="$tmp/"
  ls "$tmp"/crash-* >/dev/null 2>&1 && grep -q "^jostle: $s: race outcome: race on " "$tmp/$s.log" ||
    fail "JOSTLE_FUZZ_RACES=1 fuzz-$s found no race: $(grep '^jostle' "$tmp/$s.log" | head -1)"
done
unset JOSTLE_FUZZ_RACES

# -jobs/-workers: two fuzzing processes side by side, both clean on a
# fixed twin, each with its log.
run counter-mutex -jobs=2 -workers=2 -runs=20000
[ $status -eq 0 ] && grep -q 'Done 20000 runs' "$tmp/fuzz-0.log" &&
  grep -q 'Done 20000 runs' "$tmp/fuzz-1.log" || fail "fuzz-counter-mutex -jobs=2 -workers=2"

# A -fork campaign (one job per processor) finds the lost increment.
rm -f "$tmp"/crash-*
run counter -fork=2 -seed=3 -max_total_time=60 -artifact_prefix="$tmp/"
ls "$tmp"/crash-* >/dev/null 2>&1 || fail "fuzz-counter -fork=2 found nothing"

if [ $failures -eq 0 ]; then
  echo "fuzz: $(echo $racy | wc -w) racy targets found and replayed, $(echo $fixed | wc -w) fixed targets clean, counter trap closed, races found and replayed ($(echo $race_only | wc -w) race-only targets among them), -jobs and -fork work"
  echo "fuzz: $same_elsewhere of $(echo $racy | wc -w) inputs also replay identically in $build/jostle"
else
  exit 1
fi
