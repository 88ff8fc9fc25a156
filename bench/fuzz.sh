#!/bin/sh
# bench/fuzz.sh BUILD FUZZ_BUILD: the scenario fuzz targets (make bench).
#
# 1. exec/s of fuzz-counter-mutex beside jostle stress's runs/s on the same
#    scenario under the random scheduler, measured in the same run;
# 2. per racy built-in: its divergence rate under random and pct (what
#    seed-driven search finds), random's runs to the first divergent run
#    (median over SEEDS campaign seeds), and the fuzzer's executions to the
#    first divergent input, median over SEEDS libFuzzer seeds, with
#    interleaving feedback and without (JOSTLE_FUZZ_FEEDBACK=0);
# 3. the same for bench/ladder.c's deep races (LADDER_RUNS executions at
#    most per seed).
set -eu
build=$(cd "$1" && pwd)
fuzz=$(cd "$2" && pwd)
seeds=${SEEDS:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "-"}'; }

echo "fuzz-counter-mutex: executions per second, median of 3 rounds of 2,000,000"
for i in 1 2 3; do
  start=$(date +%s.%N)
  "$fuzz/fuzz-counter-mutex" -runs=2000000 >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.0f\n", 2000000 / ($2 - $1)}'
done | median >"$tmp/fuzz_rate"
for i in 1 2 3; do
  "$build/jostle" stress counter-mutex --scheduler random -n 2000000 -j 1 --no-progress |
    sed -n 's/^result .* runs_per_sec=//p'
done | median >"$tmp/stress_rate"
printf '%-44s %10s\n' "fuzz-counter-mutex (libFuzzer, 1 process)" "$(cat "$tmp/fuzz_rate")"
printf '%-44s %10s\n' "jostle stress --scheduler random -j 1" "$(cat "$tmp/stress_rate")"
awk -v f="$(cat "$tmp/fuzz_rate")" -v s="$(cat "$tmp/stress_rate")" \
  'BEGIN {printf "%-44s %9.2fx\n", "ratio fuzz / stress", f / s}'
echo

header() {
  printf '%-16s %9s %9s %12s %12s %12s\n' scenario random pct "random runs" "fuzz+fb" "fuzz-no-fb"
}

# row SCENARIO JOSTLE TARGET STRESS_RUNS FUZZ_RUNS DIGITS: one line of a
# table: the divergence rate of STRESS_RUNS runs under random and under pct
# (by the JOSTLE program), random's runs to its first divergent run (at
# most FUZZ_RUNS), and the fuzz TARGET's executions to its first divergent
# input (a seed that finds nothing counts FUZZ_RUNS), medians over the
# seeds, with interleaving feedback and without.
row() {
  rates=""
  for sched in random pct; do
    rates="$rates $("$2" stress "$1" --scheduler "$sched" -n "$4" --seed 1 --no-progress |
      sed -n 's/^result .* runs=\([0-9]*\) divergent=\([0-9]*\) .*/\2 \1/p' |
      awk -v d="$6" '{printf "%.*f", d, $1 / $2}')"
  done
  for seed in $(seq 1 "$seeds"); do
    "$2" stress "$1" --scheduler random --until-divergence --seed "$seed" -n "$5" -j 1 \
      --no-progress | sed -n 's/^result .* runs=\([0-9]*\) .*/\1/p'
  done | median >"$tmp/random_runs"
  for feedback in 1 0; do
    for seed in $(seq 1 "$seeds"); do
      (cd "$tmp" && JOSTLE_FUZZ_SCENARIO=$1 JOSTLE_FUZZ_FEEDBACK=$feedback "$3" -seed="$seed" \
        -runs="$5" -print_final_stats=1 -artifact_prefix="$tmp/" 2>&1) |
        sed -n 's/^stat::number_of_executed_units: //p'
    done | median >"$tmp/fb$feedback"
  done
  printf '%-16s %9s %9s %12s %12s %12s\n' "$1" $rates "$(cat "$tmp/random_runs")" \
    "$(cat "$tmp/fb1")" "$(cat "$tmp/fb0")"
}

echo "racy built-ins: divergence rate over 20,000 runs under random and pct; runs to the"
echo "first divergent run under random and fuzzer executions to the first divergent input,"
echo "medians over $seeds seeds"
header
for s in $("$build/jostle" list | awk '$3 == "racy" {print $1}'); do
  row "$s" "$build/jostle" "$fuzz/fuzz-$s" 20000 1000000 4
done

# bench/ladder.c: races that need 2K-1 switches at exact points. The same
# measures, the fuzzer's budget raised to LADDER_RUNS executions.
ladder_runs=${LADDER_RUNS:-3000000}
echo
echo "bench/ladder.c: divergence rate over 1,000,000 runs under random and pct; runs and"
echo "executions to the first find, medians over $seeds seeds (budget $ladder_runs)"
header
for s in ladder-4 ladder-5 ladder-6; do
  row "$s" "$fuzz/bench/fuzz-ladder" "$fuzz/bench/fuzz-ladder" 1000000 "$ladder_runs" 6
done
