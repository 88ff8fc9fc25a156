#!/bin/sh
# bench/run.sh BUILD_DIR: the lost-increment counter (2 threads, 1 increment
# each) under free and the controlled strategies random, pct, pos and surw,
# beside new threads and a new process per run, measured in this one run,
# interleaved round by round so that the machine's noise falls on all of
# them alike; prints runs/s and the share of runs that lost an increment,
# the median of ROUNDS rounds, the ratios of jostle to each baseline and of
# each strategy to random. Knobs: SECONDS per measurement (2),
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
  jostle | jostle_*)
    sched=free
    [ "$1" != jostle ] && sched=${1#jostle_}
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
  for what in jostle jostle_random jostle_pct jostle_pos jostle_surw baseline_threads \
    baseline_fork; do
    measure "$what" >>"$tmp/$what"
  done
done

echo "lost-increment counter, 2 threads x 1 increment; median of $rounds rounds of ${seconds}s; $(nproc) processors"
printf '%-40s %14s %12s\n' "approach" "runs/s" "divergent"
for what in jostle jostle_random jostle_pct jostle_pos jostle_surw baseline_threads \
  baseline_fork; do
  rate=$(cut -d' ' -f1 "$tmp/$what" | median)
  div=$(cut -d' ' -f2 "$tmp/$what" | median)
  eval "rate_$what=$rate"
  case $what in
  jostle) label="jostle stress, free, worker processes" ;;
  jostle_random) label="jostle stress, random (controlled)" ;;
  jostle_pct) label="jostle stress, pct (controlled)" ;;
  jostle_pos) label="jostle stress, pos (controlled)" ;;
  jostle_surw) label="jostle stress, surw (controlled)" ;;
  baseline_threads) label="new threads per run (create + join)" ;;
  baseline_fork) label="a new process per run (fork)" ;;
  esac
  printf '%-40s %14s %11s%%\n' "$label" "$rate" "$div"
done
awk -v j="$rate_jostle" -v r="$rate_jostle_random" -v t="$rate_baseline_threads" \
    -v f="$rate_baseline_fork" -v c="$rate_jostle_pct" -v p="$rate_jostle_pos" \
    -v w="$rate_jostle_surw" 'BEGIN {
  printf "ratio jostle free / new threads per run:    %.0fx\n", j / t
  printf "ratio jostle free / process per run:        %.0fx\n", j / f
  printf "ratio jostle random / new threads per run:  %.0fx\n", r / t
  printf "ratio pct / random, pos / random, surw / random: %.2f, %.2f, %.2f\n", c / r, p / r, w / r }'

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

# What journaling and report files cost: the same campaign (counter, free,
# one cell) for JOURNAL_SECONDS (10) each way, in JOURNAL_ROUNDS (9) rounds,
# each round running all of them in turn: plain `stress --duration`;
# `stress` writing --json, --junit and --html; `soak` (a journal line per
# batch, written and fdatasync'd, then its three report files) with its
# default batches (a quarter of its time, from 5 s to 60 s) and with 1 s
# batches (five times more batches than the shortest default). Two
# measures:
#  - throughput: runs per second of the command's whole wall time (start-up,
#    batches, journal and report writing included), as a ratio to the plain
#    campaign of the same round; the median of the rounds' ratios (an
#    outside load that collapses one round then costs one ratio, not the
#    result);
#  - time outside the campaign: wall time less the time the cells ran (runs /
#    runs_per_sec of their `result` lines), the median over the rounds, and
#    the same less the plain campaign's (process start-up and exit): what
#    the journal and the report files take. Each soak batch also starts its
#    worker processes again, which counts inside the cell's time: the last
#    line multiplies the start-up of a campaign (`stress -n 1`) by the
#    batches.
jsecs=${JOURNAL_SECONDS:-10}
jrounds=${JOURNAL_ROUNDS:-9}
# one_campaign NAME COMMAND...: appends "wall_ns runs cell_ns" to $tmp/NAME
one_campaign() {
  name=$1
  shift
  start=$(date +%s%N)
  "$@" >"$tmp/out" 2>/dev/null || [ $? -eq 1 ]
  end=$(date +%s%N)
  awk -v wall=$((end - start)) '/^result /{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
       runs += v["runs"]; if (v["runs_per_sec"] > 0) cell += v["runs"] * 1e9 / v["runs_per_sec"]}
       END {printf "%.0f %.0f %.0f\n", wall, runs, cell}' "$tmp/out" >>"$tmp/$name"
}
soak_batches() { echo $(($(wc -l <"$tmp/soak/journal.jsonl") - 1)); }
for r in $(seq "$jrounds"); do
  one_campaign j_plain "$build/jostle" stress counter --duration "${jsecs}s" --seed 1 --no-progress
  one_campaign j_reports "$build/jostle" stress counter --duration "${jsecs}s" --seed 1 \
    --no-progress --json "$tmp/r.json" --junit "$tmp/r.xml" --html "$tmp/r.html"
  rm -rf "$tmp/soak"
  one_campaign j_soak "$build/jostle" soak counter --scheduler-set free --pins none \
    --duration "${jsecs}s" --seed 1 --no-progress --out "$tmp/soak"
  batches=$(soak_batches)
  rm -rf "$tmp/soak"
  one_campaign j_soak1s "$build/jostle" soak counter --scheduler-set free --pins none \
    --duration "${jsecs}s" --batch 1s --seed 1 --no-progress --out "$tmp/soak"
  batches1=$(soak_batches)
  one_campaign j_startup "$build/jostle" stress counter -n 1 --seed 1 --no-progress
done
echo
echo "journaling and reports: counter, free, ${jsecs}s per campaign, $jrounds rounds; medians"
printf '%-48s %12s %12s %12s\n' "campaign" "runs/wall s" "ratio/round" "outside ms"
# per round: runs per wall second, its ratio to the round's plain one, and
# the milliseconds outside the campaign
paste -d' ' "$tmp/j_plain" "$tmp/j_plain" >"$tmp/pair_j_plain"
for what in j_reports j_soak j_soak1s; do paste -d' ' "$tmp/$what" "$tmp/j_plain" >"$tmp/pair_$what"; done
plain_out=$(awk '{print ($1 - $3) / 1e6}' "$tmp/j_plain" | median)
for what in j_plain j_reports j_soak j_soak1s; do
  case $what in
  j_plain) label="stress --duration (no files)" ;;
  j_reports) label="stress + --json --junit --html" ;;
  j_soak) label="soak, journal + 3 reports, $batches batches" ;;
  j_soak1s) label="soak, journal + 3 reports, --batch 1s ($batches1)" ;;
  esac
  rate=$(awk '{printf "%.0f\n", $2 * 1e9 / $1}' "$tmp/$what" | median)
  ratio=$(awk '{printf "%.5f\n", ($2 / $1) / ($5 / $4)}' "$tmp/pair_$what" | median)
  outside=$(awk '{printf "%.1f\n", ($1 - $3) / 1e6}' "$tmp/$what" | median)
  printf '%-48s %12s %12s %12s\n' "$label" "$rate" "$ratio" "$outside"
done
startup_ms=$(awk '{printf "%.3f\n", $3 / 1e6}' "$tmp/j_startup" | median)
soak_out=$(awk '{print ($1 - $3) / 1e6}' "$tmp/j_soak1s" | median)
awk -v s="$startup_ms" -v b="$batches1" -v so="$soak_out" -v po="$plain_out" -v t="$jsecs" 'BEGIN {
  cost = so - po + (b - 1) * s
  printf "soak with 1 s batches: %.1f ms outside the campaign beyond plain stress, + %d batch start-ups of %.2f ms = %.1f ms of %d s: %.3f%%\n", so - po, b - 1, s, cost, t, 100 * cost / (t * 1000) }'
