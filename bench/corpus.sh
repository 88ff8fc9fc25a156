#!/bin/sh
# bench/corpus.sh BUILD_DIR: the racy programs of tests/programs/ (ordinary
# programs, built by jostle-cc with no source change), how soon jostle finds
# their bug, beside how often plain reruns of a native build see it.
#   native     the program built with `cc -O2 -pthread`, run RERUNS times
#              (1,000): the runs that failed (an exit status other than 0,
#              a signal, or a hang past 5 s, which `timeout` ends)
#   random     `jostle run --scheduler random --until-divergence -j 1`
#   pct        the same under pct (depth 3)
#   surw       the same under surw (its profile from the calibration run)
#              over SEEDS campaign seeds (20), a budget of BUDGET runs each
#              (100,000): the median of the runs to the first divergent one,
#              and how many seeds found it (a function of the seed: the same
#              figures in every run of this script)
set -eu
build=${1:-build}
reruns=${RERUNS:-1000}
seeds=${SEEDS:-20}
budget=${BUDGET:-100000}
jostle="$build/jostle"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
progs="bank_racy phases_racy c11_racy exit_code philosophers_racy buffer_racy lazy_racy
  insert_racy publish_racy shutdown_racy"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }

echo "racy programs: native reruns that fail, and runs to jostle's first find (median of $seeds seeds)"
printf '%-20s %14s %14s %14s %14s\n' "program" "native fails" "random" "pct" "surw"
for prog in $progs; do
  cc -O2 -pthread tests/programs/$prog.c -o "$tmp/$prog"
  fails=0
  i=0
  while [ $i -lt "$reruns" ]; do
    timeout 5 "$tmp/$prog" >/dev/null 2>&1 || fails=$((fails + 1))
    i=$((i + 1))
  done
  row=$(printf '%-20s %14s' "$prog" "$fails/$reruns")
  for sched in random pct surw; do
    : >"$tmp/runs"
    s=1
    while [ $s -le "$seeds" ]; do
      "$jostle" run --no-progress -j 1 --scheduler $sched --until-divergence --seed $s \
        -n "$budget" -- "$build/programs/$prog" >"$tmp/out" 2>&1 || true
      sed -n 's/^  found in \([0-9,]*\) run.*/\1/p' "$tmp/out" | tr -d , >>"$tmp/runs"
      s=$((s + 1))
    done
    found=$(wc -l <"$tmp/runs")
    row="$row $(printf '%14s' "$(median <"$tmp/runs") ($found/$seeds)")"
  done
  echo "$row"
done
