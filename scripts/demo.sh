#!/bin/sh
# scripts/demo.sh JOSTLE [STRESS ARGS...]: what `make demo` runs. It stresses
# the built-in scenarios (by default `--all -n 100000 --until-divergence
# --timeout 200ms`), then says in a few lines what came out (the known-racy
# scenarios found or not, the fixed twins clean or not) and what to do
# next: one find made exact under a controlled scheduler, with the commands
# that replay it and trace it, taken from a real run so that they can be
# pasted as printed.
#
# Exits as `jostle stress` does when that is 2 or more (bad usage, an
# internal error, interrupted), else 0: a demo that found its races worked.
set -u
jostle=${1:?usage: scripts/demo.sh JOSTLE [STRESS ARGS...]}
shift
[ "$#" -gt 0 ] || set -- --all -n 100000 --until-divergence --timeout 200ms
out=$(mktemp) || exit 3
status=$(mktemp) || exit 3
trap 'rm -f "$out" "$status"' EXIT

# live on the terminal and kept for the summary; a pipe's status is its
# last command's, so jostle's own is kept aside
{ "$jostle" stress "$@"; echo $? >"$status"; } | tee "$out"
rc=$(cat "$status")
grep -q '^result ' "$out" || exit "$rc"

echo
echo "== what happened"
# The text report's header lines say which scenarios are known racy; its
# result lines, what each found. Those whose data race leaves the outcome
# right (kind "race" in `jostle list`) are found by --races alone: said
# apart, not as misses.
race_only=$("$jostle" list | awk '$3 == "race" { printf "%s ", $1 }')
awk -v race_only="$race_only" '
  function commas(n,   s, head) {
    s = sprintf("%d", n); head = ""
    while (length(s) > 3) { head = "," substr(s, length(s) - 2) head; s = substr(s, 1, length(s) - 3) }
    return s head
  }
  function runs(n) { return commas(n) " run" (n == 1 ? "" : "s") }
  BEGIN { n = split(race_only, names, " "); for (i = 1; i <= n; i++) only[names[i]] = 1 }
  / \[scheduler [^]]*\]/ { racy[$1] = ($0 ~ /\(known racy\)$/) }
  /^result / {
    name = $2; sub(/^runs=/, "", $3); sub(/^divergent=/, "", $4)
    if (name in only) {
      n_only++
      said = said (said == "" ? "" : "; ") name ", " \
             ($4 > 0 ? commas($4) " of " runs($3) " not allowed" : "every run allowed (--races finds it)")
    } else if (racy[name]) {
      n_racy++
      if ($4 > 0) {
        n_found++
        if (min == "" || $3 + 0 < min) min = $3 + 0
        if ($3 + 0 > max) max = $3 + 0
      } else missed = missed "\n  not found: " name " (" runs($3) "): its report above says what to try"
    } else {
      n_fixed++
      if ($4 > 0) bad = bad "\n  DIVERGED: " name ", a fixed twin: " commas($4) " of " runs($3) " not allowed"
      else {
        if (clean == "" || $3 + 0 < clean) clean = $3 + 0
        if ($3 + 0 > clean_max) clean_max = $3 + 0
      }
    }
  }
  END {
    if (n_racy > 0) {
      line = n_racy " known-racy scenario" (n_racy == 1 ? "" : "s") ": " n_found + 0 " found"
      if (n_found > 0) line = line (min == max ? " in " runs(min) : ", in " commas(min) " to " runs(max))
      print line missed
    }
    if (n_only > 0)
      print n_only " data race" (n_only == 1 ? "" : "s") " that the outcome need not show: " said
    if (n_fixed > 0) {
      line = n_fixed " fixed twin" (n_fixed == 1 ? "" : "s") ": "
      if (bad == "")
        line = line (n_fixed == 1 ? "clean in " runs(clean) : \
                     "all clean, " (clean == clean_max ? "" : "at least ") runs(clean) " each")
      else line = line "not all clean" bad
      print line
    }
  }' "$out"

echo
echo "== what to do next"
# One find, made exact: a controlled scheduler runs one thread at a time and
# draws every choice from the run's seed, so its reproduce command replays
# that very run. One worker, so that the same run is the first found on any
# machine.
find_cmd="$jostle stress counter --scheduler random --until-divergence -n 10000 -j 1 --seed 1"
replay=$($find_cmd --no-progress 2>/dev/null | sed -n 's/^reproduce: //p' | head -n 1)
if [ -z "$replay" ]; then
  echo "(no controlled find to show: $find_cmd found nothing)"
else
  echo "A find under free or noise reruns its seed's perturbations, not its timing. Under a"
  echo "controlled scheduler one thread runs at a time and every choice comes from the seed,"
  echo "so a find replays exactly. This one:"
  echo "  \$ $find_cmd"
  echo "printed how to replay its first divergent run, which gives the same outcome every time:"
  echo "  \$ $replay"
  $replay 2>/dev/null | sed -n 's/^outcome: /  outcome: /p'
  echo "and to watch it step by step (thread, access or call, source line):"
  echo "  \$ $replay --trace"
  echo "A data race is there even in runs whose result was right: --races reports it"
  echo "in every run, naming both accesses:"
  echo "  \$ $jostle stress counter --scheduler random --races -n 1000"
fi
[ "$rc" -le 1 ] && exit 0
exit "$rc"
