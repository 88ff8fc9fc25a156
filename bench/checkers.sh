#!/bin/sh
# bench/checkers.sh BUILD_DIR: runs to the first bug of one scenario of the
# strategies' bench family (build/bench/jostle-family) under the
# controlled strategies. SCENARIO (checkers by default) picks it:
#   checkers   bench/checkers.c, one checker among N setters
#   pipeline   bench/pipeline.c, a consumer among N producers that
#              announce an item before they fill it
#   aba        bench/aba.c, a lock-free stack's ABA, three threads (N = 2:
#              the two beside the one whose swap goes wrong)
# For each N (`-D threads=N+1`), the median over SEEDS campaign seeds (20)
# of the runs up to and including the first divergent one (`stress
# --until-divergence`, at most BUDGET runs, 100000; a seed that finds
# nothing counts as BUDGET, and a median of BUDGET is printed as >BUDGET),
# and how many seeds found it.
# Knobs: SIZES (the Ns, "2 3 5 10 20 50 100"; aba: "2"), SEEDS, BUDGET,
# STRATEGIES (labels of the columns to run, all by default), PARALLEL
# (campaigns at once, 2; each is one worker, -j 1, so that its count is the
# first divergent run's and not a race between workers).
#
# These counts are functions of the seeds (controlled runs), so they are
# the same on a loaded machine; only the time to get them is not. A
# campaign's runs grow slower with N, so the large Ns take long: see
# docs/BENCHMARKS.md.
set -eu
build=${1:-build}
scenario=${SCENARIO:-checkers}
case $scenario in
checkers) what="one checker among N setters" default_sizes="2 3 5 10 20 50 100" ;;
pipeline) what="a consumer among N producers" default_sizes="2 3 5 10 20 50 100" ;;
aba) what="a lock-free stack's ABA, 3 threads" default_sizes="2" ;;
*) echo "checkers.sh: no scenario '$scenario' (checkers, pipeline, aba)" >&2; exit 2 ;;
esac
sizes=${SIZES:-$default_sizes}
seeds=${SEEDS:-20}
budget=${BUDGET:-100000}
parallel=${PARALLEL:-2}
prog="$build/bench/jostle-family"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "-"}'; }

# The strategies compared: a label and its options.
all="random:--scheduler=random pct-d2:--scheduler=pct,--depth=2 \
pct-d3:--scheduler=pct,--depth=3 pct-d5:--scheduler=pct,--depth=5 pos:--scheduler=pos \
surw:--scheduler=surw auto:--scheduler=auto"
strategies=""
for s in $all; do
  case " ${STRATEGIES:-${s%%:*}} " in *" ${s%%:*} "*) strategies="$strategies $s" ;; esac
done

echo "bench/$scenario.c, $what: runs to the first bug,"
echo "median over $seeds campaign seeds (budget $budget runs; found: seeds that found it)"
printf '%-5s' "N"
for s in $strategies; do printf ' %16s' "${s%%:*}"; done
echo
for n in $sizes; do
  printf '%-5s' "$n"
  for s in $strategies; do
    opts=${s#*:}
    seq "$seeds" | xargs -P "$parallel" -I{} sh -c \
      "\"$prog\" stress $scenario $(echo "$opts" | tr ',=' '  ') -D threads=$((n + 1)) --seed {} \
        --until-divergence -n $budget -j 1 --pin none --no-progress 2>/dev/null |
       sed -n 's/^result .* runs=\([0-9]*\) divergent=\([0-9]*\) .*/\1 \2/p'" >"$tmp/runs"
    [ "$(wc -l <"$tmp/runs")" -eq "$seeds" ] || { echo "checkers.sh: a $scenario campaign gave no result" >&2; exit 1; }
    med=$(awk -v b="$budget" '{print ($2 > 0 ? $1 : b)}' "$tmp/runs" | median)
    found=$(awk '$2 > 0 {n++} END {print n + 0}' "$tmp/runs")
    [ "$med" = "$budget" ] && med=">$budget"
    printf ' %16s' "$med ($found/$seeds)"
  done
  echo
done
