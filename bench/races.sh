#!/bin/sh
# bench/races.sh BUILD_DIR: data race detection, jostle's --races beside
# ThreadSanitizer, on one program (bench/race_loop.c: two threads, each
# ACCESSES loads and stores to its own heap words) built three ways and
# measured in the same run:
#   plain            cc -O2 -pthread: the floor
#   ThreadSanitizer  cc -fsanitize=thread with its runtime, real threads
#   jostle           built as jostle-cc builds a program, run by
#                    `jostle run -j 1` under random, without and with --races
# Cost per access: each build timed over RUNS runs with ACCESSES and with 0
# accesses per thread; the difference over the accesses made, so that
# start-up (exec, fork, thread creation) is left out. The two native builds
# make 100 times as many, so that their loops outlast start-up's jitter.
# Under jostle every access is a scheduling point of a controlled run: its
# figure is a point's cost, choosing and handing over included.
# Runs to the first race report, per mode of race_loop, for SEEDS campaigns
# of at most BUDGET runs each: ThreadSanitizer's campaign reruns the program
# until it reports (its exit status 66); jostle's is `jostle run --races
# --until-divergence --seed S` under random and pct. The median, and how
# many campaigns found it; "-" where none did. jostle's counts depend only
# on the seeds, ThreadSanitizer's on the machine's timing.
# Knobs: ACCESSES (100000), RUNS (20), SEEDS (20), BUDGET (200).
set -eu
build=${1:-build}
n=${ACCESSES:-100000}
runs=${RUNS:-20}
seeds=${SEEDS:-20}
budget=${BUDGET:-200}
jostle="$build/jostle"
plain="$build/bench/race_loop"
tsan="$build/bench/race_loop-tsan"
prog="$build/bench/race_loop-jostle"
limit=$((4 * n + 100000))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TSAN_OPTIONS="exitcode=66 report_bugs=1"

now_ns() { date +%s%N; }

# ns to make `runs` runs of a build ($1: plain, tsan, random, races) with
# $2 accesses per thread, clean
time_runs() {
  start=$(now_ns)
  case $1 in
  plain | tsan)
    [ "$1" = plain ] && b=$plain || b=$tsan
    i=0
    while [ $i -lt "$runs" ]; do "$b" "$2" clean; i=$((i + 1)); done
    ;;
  random | races)
    [ "$1" = races ] && extra=--races || extra=
    "$jostle" run --no-progress -j 1 --scheduler random $extra -n "$runs" --seed 1 \
      --step-limit $limit -- "$prog" "$2" clean >"$tmp/out" ||
      { cat "$tmp/out"; echo "races.sh: a clean run was not clean" >&2; exit 1; }
    ;;
  esac
  echo $(($(now_ns) - start))
}

ns_per_access() {
  case $1 in plain | tsan) m=$((n * 100)) ;; *) m=$n ;; esac
  full=$(time_runs "$1" "$m")
  none=$(time_runs "$1" 0)
  awk -v f="$full" -v z="$none" -v r="$runs" -v n="$m" \
    'BEGIN { v = (f - z) / (r * 2 * n); printf "%.2f", v < 0 ? 0 : v }'
}

plain_ns=$(ns_per_access plain)
tsan_ns=$(ns_per_access tsan)
random_ns=$(ns_per_access random)
races_ns=$(ns_per_access races)

echo "data races: bench/race_loop.c, 2 threads x $n accesses to their own heap words (native builds: x 100), $runs runs each"
printf '%-34s %12s %10s\n' "build" "ns/access" "x plain"
row() { printf '%-34s %12s %10s\n' "$1" "$2" "$(awk -v a="$2" -v b="$plain_ns" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')"; }
row "plain (cc -O2)" "$plain_ns"
row "ThreadSanitizer (real threads)" "$tsan_ns"
row "jostle run, random" "$random_ns"
row "jostle run, random --races" "$races_ns"
echo "--races against the same controlled run without it: $(awk -v a="$races_ns" -v b="$random_ns" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"

# runs to the first report: one campaign of ThreadSanitizer ($1 mode)
tsan_campaign() {
  i=1
  while [ $i -le "$budget" ]; do
    set +e
    "$tsan" 0 "$1" 2>"$tmp/tsan.log"
    status=$?
    set -e
    if [ $status -eq 66 ]; then
      grep -q "WARNING: ThreadSanitizer: data race" "$tmp/tsan.log" || { cat "$tmp/tsan.log"; exit 1; }
      echo $i
      return
    fi
    i=$((i + 1))
  done
  echo none
}

# one campaign of jostle ($1 scheduler, $2 mode, $3 seed)
jostle_campaign() {
  set +e
  "$jostle" run --no-progress -j 1 --scheduler "$1" --races --until-divergence -n "$budget" \
    --seed "$3" -- "$prog" 0 "$2" >"$tmp/run.log" 2>&1
  status=$?
  set -e
  if [ $status -eq 1 ]; then
    grep -q "race on " "$tmp/run.log" || { cat "$tmp/run.log"; exit 1; }
    sed -n 's/^result .* runs=\([0-9]*\) .*/\1/p' "$tmp/run.log" | head -n 1
  elif [ $status -eq 0 ]; then
    echo none
  else
    cat "$tmp/run.log"
    exit 1
  fi
}

# "median (found/campaigns)" of the counts on stdin ("none": a miss)
summary() {
  sort -n | awk -v s="$seeds" -v b="$budget" '
    $1 == "none" { next }
    { v[++k] = $1 }
    END {
      m = int((s + 1) / 2) # a miss counts as more than the budget
      if (k == 0) printf "- (0/%d)", s
      else if (k < m) printf "> %d (%d/%d)", b, k, s
      else printf "%d (%d/%d)", v[m], k, s
    }'
}

echo
echo "runs to the first race report: median over $seeds campaigns of at most $budget runs (found/campaigns)"
printf '%-12s %24s %24s %24s\n' "race_loop" "ThreadSanitizer" "jostle random --races" "jostle pct --races"
for mode in unordered masked; do
  s=1
  : >"$tmp/tsan" && : >"$tmp/random" && : >"$tmp/pct"
  while [ $s -le "$seeds" ]; do
    tsan_campaign $mode >>"$tmp/tsan"
    jostle_campaign random $mode $s >>"$tmp/random"
    jostle_campaign pct $mode $s >>"$tmp/pct"
    s=$((s + 1))
  done
  printf '%-12s %24s %24s %24s\n' "$mode" "$(summary <"$tmp/tsan")" "$(summary <"$tmp/random")" \
    "$(summary <"$tmp/pct")"
done
