#!/bin/sh
# scripts/compare-outputs.sh OLD NEW: runs the same commands with two jostle
# binaries (built with the same scenarios, e.g. jostle-test of two
# checkouts) and prints every difference in what they print, their exit
# codes and the files they write. For refactors that must not change
# behaviour: no output means nothing changed.
#
# Only deterministic commands are compared byte for byte: help texts,
# errors, controlled campaigns (a run is a pure function of its seed, one
# worker), replays, traces, schedules and reports made from saved JSON. The
# figures that depend on time (rates, elapsed times, timestamps) and the
# outcome counts of free and noise campaigns are blanked first.
set -u
old=$1 new=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=$(cd "$(dirname "$0")/../tests/corpus/results" && pwd)
status=0

# Time-dependent figures, in the text report and in JSON (a campaign's
# HTML and JUnit files are compared when made from the same JSON only:
# their charts and times are the campaign's own).
blank() {
  sed -E -e 's/[0-9,]+ runs in [0-9.]+ s, [0-9,]+ runs\/s/N runs in T s, R runs\/s/' \
         -e 's/runs_per_sec=[0-9]+/runs_per_sec=R/' \
         -e 's/"(elapsed_ns|started_unix_ns|first_divergence_ns|runs_per_sec|started)": *[0-9."TZ:-]+/"\1": T/g' \
         -e 's/(generated|started) [0-9T:Z-]+/\1 T/g' \
         -e 's/first divergent run within [0-9.]+ s/first divergent run within T s/' \
         -e 's/"(elapsed_ns|runs|divergent)": [0-9]+/"\1": T/g'
}

# A campaign's samples are taken every so often: their number is the
# campaign's time too.
json_blank() {
  python3 - "$1" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(0)
for c in doc.get("cells", []) if isinstance(doc, dict) else []:
    if isinstance(c, dict):
        c.pop("samples", None)
json.dump(doc, open(sys.argv[1], "w"), indent=1)
PY
}

# run NAME ARGS...: runs ARGS with both binaries in their own folders
# (where %d names that folder) and compares output, exit code and files.
# Both sides run as the same path in the same folder, so that the paths
# they print and record are the same too.
bin="$work/bin/jostle"
mkdir -p "$work/bin"
run() {
  name=$1
  shift
  for side in old new; do
    eval "cp \"\$$side\" \"$bin\""
    d="$work/run/$name"
    mkdir -p "$d"
    args=$(printf '%s\n' "$*" | sed "s|%d|$d|g; s|\$new|$bin|g")
    (cd "$d" && eval "\"$bin\" $args" > "$d/.stdout" 2> "$d/.stderr"; echo $? > "$d/.status")
    for f in "$d"/.stdout "$d"/.stderr "$d"/*; do
      [ -f "$f" ] || continue
      case $f in *.html|*.xml) [ "${name#report-}" = "$name" ] && rm "$f" && continue ;; esac
      case $f in *.json) json_blank "$f" ;; esac
      sed "s|$bin|jostle|g; s|$d|DIR|g" "$f" | blank > "$f.blanked" && mv "$f.blanked" "$f"
    done
    mkdir -p "$work/$side"
    mv "$d" "$work/$side/$name"
  done
  if ! diff -r "$work/old/$name" "$work/new/$name" > "$work/diff"; then
    echo "== $name: $*"
    cat "$work/diff"
    status=1
  fi
}

for h in --help help "help stress" "help soak" "help replay" "help report" "help merge" \
         "help list" "help topology" "stress --help" "replay -h" --version list "list counter" \
         "list lock-order cache"; do
  run "help-$(echo "$h" | tr ' ' _)" "$h"
done

i=0
while IFS= read -r bad; do
  i=$((i + 1))
  run "error-$i" "$bad"
done <<'EOF'
stress
stress nosuch
stress counter --scheduler bogus
stress counter --scheduler replay
stress counter --depth 0
stress counter --depth 65
stress counter --noise-p 2
stress counter --noise-mix 0:0:0
stress counter --noise-mix 1:2
stress counter --step-limit 0
stress counter --pin sideways
stress counter -D nosuch=1
stress counter -D threads=0
stress counter --out %d
stress counter --resume %d
stress counter --schedule x
stress counter --json %d/a --html %d/a
stress counter --json /nonexistent/a.json
soak counter --duration 1s
soak counter --out %d/s --duration 1s --scheduler-set free,bogus
soak counter --out %d/s --duration 1s --scheduler-set replay
soak counter --out %d/s --duration 1s --pins none,none
soak counter --out %d/s -n 10
soak counter --out %d/s --scheduler pct
soak counter --out %d/s --pin same
soak --resume %d/nothing
replay counter
replay counter --seed 1 --trace --scheduler free
replay counter --seed 1 --input x
replay counter --seed 1 --schedule x
replay counter --seed 1 --json x
replay a b
report
report %d/nothing.json
merge
nosuch
help nosuch
list nosuch
topology extra
EOF

for f in "$corpus"/*.json; do
  b=$(basename "$f" .json)
  run "report-$b" "report $f"
  case $b in bad-*) continue ;; esac
  run "report-html-$b" "report $f --html %d/r.html --junit %d/r.xml"
done
run merge "merge $corpus/stress-random-cells.json $corpus/stress-counter.json -o %d/m.json"

for sched in random pct; do
  for s in counter lock-order lost-wakeup cache; do
    run "stress-$sched-$s" "stress $s --scheduler $sched --seed 7 -n 3000 -j 1 --no-progress --json %d/r.json --junit %d/r.xml --html %d/r.html"
  done
  run "stress-$sched-spurious" "stress lost-wakeup --scheduler $sched --spurious-wakeups --step-limit 5000 --seed 3 -n 500 -j 1 --no-progress"
  run "stress-$sched-all" "stress --all --scheduler $sched --seed 11 -n 300 -j 1 --until-divergence --no-progress"
  run "stress-$sched-defines" "stress counter --scheduler $sched --depth 2 -D threads=3 -D increments=4 --seed 5 -n 1000 -j 1 --no-progress --timeout 3s"
  run "replay-$sched" "replay counter --scheduler $sched --seed 0x1234 --trace"
  run "replay-$sched-shrink" "replay lock-order --scheduler $sched --seed 0x35f6260f224f4d1e --trace --shrink --save-schedule %d/s.sched"
done
run replay-schedule "replay lock-order --scheduler pct --seed 0x35f6260f224f4d1e --save-schedule %d/a.sched && $new replay --schedule %d/a.sched --trace"
run replay-noise "replay counter --scheduler noise --seed 0x1234 --noise-p 0.5"
run replay-free "replay counter --scheduler free --seed 0x1234"
# The free and noise campaigns' counts vary: compare their reproduce lines' commands.
for sched in free noise; do
  run "stress-$sched" "stress counter --scheduler $sched --seed 7 -n 20000 -j 1 --until-divergence --no-progress --noise-p 0.25 | grep -E '^(counter|reproduce)' | sed -E 's/0x[0-9a-f]{16}/S/g'"
done
run soak "soak counter lock-order --runs-per-cell 300 --scheduler-set random,pct --pins none --seed 9 --out %d/s -j 1 --no-progress; cut -d' ' -f2- %d/s/journal.jsonl | sed -E 's/\"(elapsed_ns|first_divergence_ns|soak_ns|started_unix_ns)\":[0-9]+/T/g'; rm -r %d/s"
exit $status
