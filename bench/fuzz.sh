#!/bin/sh
# bench/fuzz.sh BUILD FUZZ_BUILD: the scenario fuzz targets (make bench).
#
# 1. exec/s of fuzz-counter-mutex beside jostle stress's runs/s on the same
#    scenario under the random scheduler, measured in the same run;
# 2. per racy built-in: its divergence rate under random and pct (what
#    seed-driven search finds), and the fuzzer's executions to the first
#    divergent input, median over SEEDS libFuzzer seeds, with interleaving
#    feedback and without (JOSTLE_FUZZ_FEEDBACK=0);
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

# Executions libFuzzer made up to its first divergent input (crash).
execs_to_crash() {
  (cd "$tmp" && "$fuzz/fuzz-$1" -seed="$2" -runs=1000000 -print_final_stats=1 \
    -artifact_prefix="$tmp/" 2>&1) | sed -n 's/^stat::number_of_executed_units: //p'
}

echo "racy built-ins: divergence rate over 20,000 runs under random and pct;"
echo "fuzzer executions to the first divergent input, median over $seeds seeds"
printf '%-16s %9s %9s %12s %12s\n' scenario random pct "fuzz+fb" "fuzz-no-fb"
for s in $("$build/jostle" list | awk '$3 == "racy" {print $1}'); do
  rates=""
  for sched in random pct; do
    rates="$rates $("$build/jostle" stress "$s" --scheduler "$sched" -n 20000 --seed 1 --no-progress |
      sed -n 's/^result .* runs=\([0-9]*\) divergent=\([0-9]*\) .*/\2 \1/p' |
      awk '{printf "%.4f", $1 / $2}')"
  done
  with=$(for seed in $(seq 1 "$seeds"); do execs_to_crash "$s" "$seed"; done | median)
  without=$(for seed in $(seq 1 "$seeds"); do
    JOSTLE_FUZZ_FEEDBACK=0 execs_to_crash "$s" "$seed"; done | median)
  printf '%-16s %9s %9s %12s %12s\n' "$s" $rates "$with" "$without"
done

# bench/ladder.c: races that need 2K-1 switches at exact points. The same
# measures, the fuzzer's budget raised to LADDER_RUNS executions (a seed
# that finds nothing counts as the budget).
ladder_runs=${LADDER_RUNS:-3000000}
echo
echo "bench/ladder.c: divergence rate over 1,000,000 runs under random and pct;"
echo "fuzzer executions to the first divergent input, median over $seeds seeds (budget $ladder_runs)"
printf '%-16s %9s %9s %12s %12s\n' scenario random pct "fuzz+fb" "fuzz-no-fb"
ladder_execs() {
  (cd "$tmp" && JOSTLE_FUZZ_SCENARIO=$1 "$fuzz/bench/fuzz-ladder" -seed="$2" -runs="$ladder_runs" \
    -print_final_stats=1 -artifact_prefix="$tmp/" 2>&1) |
    sed -n 's/^stat::number_of_executed_units: //p'
}
for s in ladder-4 ladder-5 ladder-6; do
  rates=""
  for sched in random pct; do
    rates="$rates $(JOSTLE_FUZZ_SCENARIO=$s "$fuzz/bench/fuzz-ladder" stress "$s" --scheduler "$sched" \
      -n 1000000 --seed 1 --no-progress | sed -n 's/^result .* runs=\([0-9]*\) divergent=\([0-9]*\) .*/\2 \1/p' |
      awk '{printf "%.6f", $1 / $2}')"
  done
  with=$(for seed in $(seq 1 "$seeds"); do ladder_execs "$s" "$seed"; done | median)
  without=$(for seed in $(seq 1 "$seeds"); do
    JOSTLE_FUZZ_FEEDBACK=0 ladder_execs "$s" "$seed"; done | median)
  printf '%-16s %9s %9s %12s %12s\n' "$s" $rates "$with" "$without"
done
