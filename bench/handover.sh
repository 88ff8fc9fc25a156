#!/bin/sh
# bench/handover.sh BUILD_DIR: controlled runs as the threads outnumber the
# processors. For THREADS (2 3 4 8 32 128) threads under random and pct,
# on counter-mutex (a lock) and counter-atomic (lock-free), each thread
# making INCREMENTS (10) increments: runs/s and hand-overs/s with the two
# hand-overs side by side, measured alternately in this one run
# (JOSTLE_HANDOVER=kernel: wake the next thread's OS thread and sleep;
# else switch threads in user space, see schedulers/carrier.c). Then the
# 4 x 100 counter-mutex under random, the figure the switching hand-over
# was built for.
#
# Hand-overs per run are counted in the traces of SAMPLE (3) seeds
# (`replay --trace`, a line "Tn -> Tm" per hand-over) and multiplied by
# the campaign's runs/s: an estimate, from the same scenario, scheduler
# and sizes. Knobs: SECONDS_PER_RUN (1), THREADS, INCREMENTS, SAMPLE,
# SCENARIOS, SCHEDULERS.
set -eu
build=${1:-build}
seconds=${SECONDS_PER_RUN:-1}
threads_list=${THREADS:-2 3 4 8 32 128}
increments=${INCREMENTS:-10}
sample=${SAMPLE:-3}
scenarios=${SCENARIOS:-counter-mutex counter-atomic}
schedulers=${SCHEDULERS:-random pct}
jostle="$build/jostle"

# runs/s of one campaign: "runs_per_sec" (0 when no run ended in time)
rate() { # handover scenario scheduler threads increments
  JOSTLE_HANDOVER=$1 "$jostle" stress "$2" --scheduler "$3" -j 1 -D threads="$4" \
    -D increments="$5" --duration "${seconds}s" --no-progress --seed 1 2>/dev/null |
    awk '/^result /{for(i=1;i<=NF;i++){split($i,kv,"=");if(kv[1]=="runs_per_sec")print kv[2]}}'
}

# hand-overs per run, the mean over the traces of seeds 1..SAMPLE
handovers() { # scenario scheduler threads increments
  for s in $(seq "$sample"); do
    "$jostle" replay "$1" --scheduler "$2" --seed "$s" -D threads="$3" -D increments="$4" \
      --trace 2>/dev/null | grep -c ' -> ' || true
  done | awk '{n += $1} END {printf "%.0f", n / NR}'
}

row() { # scenario scheduler threads increments
  per_run=$(handovers "$1" "$2" "$3" "$4")
  kernel=$(rate kernel "$1" "$2" "$3" "$4")
  switch=$(rate switch "$1" "$2" "$3" "$4")
  awk -v sc="$1" -v sd="$2" -v t="$3" -v h="$per_run" -v k="$kernel" -v s="$switch" 'BEGIN {
    printf "%-15s %-7s %7d %10d %12.0f %12.0f %14.0f %14.0f %8s\n", sc, sd, t, h, k, s,
      k * h, s * h, (k > 0 ? sprintf("%.0fx", s / k) : "-") }'
}

echo "controlled hand-overs: kernel (wake and sleep) beside switch (user space);"
echo "each thread makes $increments increments; ${seconds}s per figure; $(nproc) processors"
printf '%-15s %-7s %7s %10s %12s %12s %14s %14s %8s\n' scenario sched threads "hand/run" \
  "kernel r/s" "switch r/s" "kernel hand/s" "switch hand/s" ratio
for sc in $scenarios; do
  for sd in $schedulers; do
    for t in $threads_list; do row "$sc" "$sd" "$t" "$increments"; done
  done
done
echo
echo "counter-mutex, 4 threads x 100 increments, random:"
row counter-mutex random 4 100
