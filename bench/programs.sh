#!/bin/sh
# bench/programs.sh BUILD_DIR: program mode's cost per run. One small
# program (tests/programs/bank_fixed.c: two threads, a mutex, 10 transfers
# each) run three ways, side by side in the same run:
#   exec per run   the native build (cc -O2 -pthread), started RUNS times
#                  by a shell loop: fork, exec, run, exit, wait
#   jostle run     the jostle-cc build under `jostle run -j 1`, under free
#                  and under random (controlled), both ways of starting
#                  each run from the program's initial state:
#                  shared         runs share the worker's process, which is
#                                 reset between them (the default)
#                  process/run    a process forked per run from one where
#                                 main has not run (JOSTLE_PROGRAM_RUNS=fork)
#   not rebuilt    the native build itself under `jostle run -j 1`, jostle
#                  preloaded (a process per run), under free and random
#   scenario       the same code as a built-in scenario (counter-mutex, 2
#                  threads x 10 increments), under free and random, -j 1
# Knobs: RUNS (2000), SECONDS_EACH (3, for the jostle columns).
set -eu
build=${1:-build}
runs=${RUNS:-2000}
secs=${SECONDS_EACH:-3}
jostle="$build/jostle"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -pthread tests/programs/bank_fixed.c -o "$tmp/native"

now_ns() { date +%s%N; }
rate() { sed -n 's/^result .* runs_per_sec=\([0-9]*\).*/\1/p' "$1" | head -n 1; }

start=$(now_ns)
i=0
while [ $i -lt "$runs" ]; do "$tmp/native" >/dev/null; i=$((i + 1)); done
exec_rate=$(awk -v n="$runs" -v t="$(( $(now_ns) - start ))" 'BEGIN { printf "%d", n * 1e9 / t }')

for s in free random; do
  "$jostle" run --no-progress -j 1 --scheduler $s --duration ${secs}s -n 100M \
    -- "$build/programs/bank_fixed" >"$tmp/run-$s"
  JOSTLE_PROGRAM_RUNS=fork "$jostle" run --no-progress -j 1 --scheduler $s \
    --duration ${secs}s -n 100M -- "$build/programs/bank_fixed" >"$tmp/fork-$s"
  if [ -e "$build/libjostle-preload.so" ]; then
    "$jostle" run --no-progress -j 1 --scheduler $s --duration ${secs}s -n 100M \
      -- "$tmp/native" >"$tmp/native-$s" 2>/dev/null
  fi
  "$jostle" stress --no-progress -j 1 --scheduler $s --duration ${secs}s -n 100M \
    -D threads=2 -D increments=10 counter-mutex >"$tmp/scn-$s"
done

echo "program mode: runs/s of bank_fixed (2 threads), -j 1"
printf '%-34s %12s %10s\n' "way" "runs/s" "x exec"
row() { printf '%-34s %12s %10s\n' "$1" "$2" "$(awk -v a="$2" -v b="$exec_rate" 'BEGIN { printf "%.2f", a / b }')"; }
row "exec per run (native build)" "$exec_rate"
row "jostle run, free, process/run" "$(rate "$tmp/fork-free")"
row "jostle run, free, shared" "$(rate "$tmp/run-free")"
row "jostle run, random, process/run" "$(rate "$tmp/fork-random")"
row "jostle run, random, shared" "$(rate "$tmp/run-random")"
if [ -e "$build/libjostle-preload.so" ]; then
  row "jostle run, not rebuilt, free" "$(rate "$tmp/native-free")"
  row "jostle run, not rebuilt, random" "$(rate "$tmp/native-random")"
fi
row "scenario counter-mutex, free" "$(rate "$tmp/scn-free")"
row "scenario counter-mutex, random" "$(rate "$tmp/scn-random")"
