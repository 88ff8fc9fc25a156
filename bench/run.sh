#!/bin/sh
# bench/run.sh BUILD_DIR: the lost-increment counter (2 threads, 1 increment
# each) three ways, measured in this one run, interleaved round by round so
# that the machine's noise falls on all of them alike; prints runs/s and the
# share of runs that lost an increment, the median of ROUNDS rounds, and the
# ratios of jostle to each baseline. Knobs: SECONDS per measurement (2),
# ROUNDS (3).
set -eu
build=${1:-build}
seconds=${SECONDS_PER_RUN:-2}
rounds=${ROUNDS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One measurement: "runs_per_sec divergence_percent"
measure() {
  case $1 in
  jostle | jostle_random)
    sched=free
    [ "$1" = jostle_random ] && sched=random
    "$build/jostle" stress counter --scheduler $sched -D threads=2 -D increments=1 \
      --duration "${seconds}s" --no-progress --seed 1 >"$tmp/out" || [ $? -eq 1 ]
    awk '/^result counter /{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
         printf "%.0f %.3f\n", v["runs_per_sec"], 100*v["divergent"]/v["runs"]}' "$tmp/out" ;;
  *)
    "$build/bench/$1" "$seconds" | awk '{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
         printf "%.0f %.3f\n", v["runs"]*1e9/v["elapsed_ns"], 100*v["divergent"]/v["runs"]}' ;;
  esac
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for r in $(seq "$rounds"); do
  for what in jostle jostle_random baseline_threads baseline_fork; do
    measure "$what" >>"$tmp/$what"
  done
done

echo "lost-increment counter, 2 threads x 1 increment; median of $rounds rounds of ${seconds}s; $(nproc) processors"
printf '%-40s %14s %12s\n' "approach" "runs/s" "divergent"
for what in jostle jostle_random baseline_threads baseline_fork; do
  rate=$(cut -d' ' -f1 "$tmp/$what" | median)
  div=$(cut -d' ' -f2 "$tmp/$what" | median)
  eval "rate_$what=$rate"
  case $what in
  jostle) label="jostle stress, free, worker processes" ;;
  jostle_random) label="jostle stress, random (controlled)" ;;
  baseline_threads) label="new threads per run (create + join)" ;;
  baseline_fork) label="a new process per run (fork)" ;;
  esac
  printf '%-40s %14s %11s%%\n' "$label" "$rate" "$div"
done
awk -v j="$rate_jostle" -v r="$rate_jostle_random" -v t="$rate_baseline_threads" \
    -v f="$rate_baseline_fork" 'BEGIN {
  printf "ratio jostle free / new threads per run:    %.0fx\n", j / t
  printf "ratio jostle free / process per run:        %.0fx\n", j / f
  printf "ratio jostle random / new threads per run:  %.0fx\n", r / t }'

# Runs to the first divergence of every racy built-in under every
# scheduler: --until-divergence with a 5 s budget, for SEEDS campaign seeds
# (100); the median runs (a campaign that found nothing counts as its
# runs), the slowest time, how many seeds found it, and, for the controlled
# schedulers, how many of the divergent seeds found replay to the same
# outcome with the printed `jostle replay` command.
seeds=${SEEDS:-100}
echo
echo "racy built-ins: runs to the first divergence over $seeds campaign seeds, 5 s budget each"
printf '%-16s %-7s %12s %10s %9s %9s\n' "scenario" "sched" "median runs" "slowest s" "found" "replayed"
for s in $("$build/jostle" list | awk '$3 == "racy" {print $1}'); do
  for sched in free noise random pct; do
    : >"$tmp/first"
    replayed=0
    for seed in $(seq "$seeds"); do
      "$build/jostle" stress "$s" --scheduler "$sched" --seed "$seed" --until-divergence \
        -n 100M --duration 5s --timeout 200ms --no-progress >"$tmp/out" || true
      awk '/^result /{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
           printf "%d %.4f %d\n", v["runs"], v["runs"]/v["runs_per_sec"], (v["divergent"] > 0)}' \
        "$tmp/out" >>"$tmp/first"
      if [ "$sched" = random ] || [ "$sched" = pct ]; then
        want=$(awk '$NF ~ /^0x/ && $(NF-1) != "allowed" {sub(/^  /, ""); sub(/ +[0-9,]+ +[0-9.]+% +[a-zA-Z-]+ +0x[0-9a-f]+$/, ""); print; exit}' "$tmp/out")
        cmd=$(sed -n 's/^reproduce: [^ ]* //p' "$tmp/out" | head -1)
        if [ -n "$cmd" ] && "$build/jostle" $cmd 2>/dev/null | grep -qxF "outcome: $want"; then
          replayed=$((replayed + 1))
        fi
      fi
    done
    runs=$(cut -d' ' -f1 "$tmp/first" | median)
    slowest=$(cut -d' ' -f2 "$tmp/first" | sort -n | tail -1)
    found=$(awk '{n+=$3} END {print n}' "$tmp/first")
    case $sched in random | pct) rep="$replayed/$found" ;; *) rep="-" ;; esac
    printf '%-16s %-7s %12s %10s %6s/%s %9s\n' "$s" "$sched" "$runs" "$slowest" "$found" "$seeds" "$rep"
  done
done

# What the instrumentation hooks (schedulers/tsan_hooks.c) cost when they do
# not switch: bench/hooks_loop.c's memory-bound loops built plain and
# instrumented, run alternately ROUNDS times; the medians in ns per load and
# their ratio (the aim: instrumented within 2x of plain). Hooks: "none" no
# thread attached (outside a run), "null" attached with no point function
# (the free scheduler), "noop" a point function that returns at once.
# Knob: HOOK_LOADS, millions of loads per measurement (20).
loads=${HOOK_LOADS:-20}
: >"$tmp/hooks"
for r in $(seq "$rounds"); do
  for variant in hooks_loop hooks_loop-instrumented; do
    "$build/bench/$variant" "$loads" | sed "s/^/$variant /" >>"$tmp/hooks"
  done
done
echo
echo "instrumentation hooks that do not switch: ns per load, median of $rounds rounds of ${loads}M loads"
printf '%-8s %-6s %10s %14s %8s\n' "loop" "hooks" "plain" "instrumented" "ratio"
for loop in chase stride; do
  for hooks in none null noop; do
    plain=$(awk -v l="$loop" -v h="$hooks" '$1 == "hooks_loop" && $2 == l && $3 == h {print $4}' \
      "$tmp/hooks" | median)
    inst=$(awk -v l="$loop" -v h="$hooks" '$1 == "hooks_loop-instrumented" && $2 == l && $3 == h {print $4}' \
      "$tmp/hooks" | median)
    awk -v l="$loop" -v h="$hooks" -v p="$plain" -v i="$inst" \
      'BEGIN {printf "%-8s %-6s %10.2f %14.2f %7.2fx\n", l, h, p, i, i / p}'
  done
done
