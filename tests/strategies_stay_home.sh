#!/bin/sh
# tests/strategies_stay_home.sh [ROOT]: every scheduler lives in its own file.
# For each schedulers/NAME.c that defines a jostle__sched_ops table, its
# symbol, its option names (--NAME as a string) and its name as a string
# literal appear nowhere in jostle's code but that file and the registry
# line: the command line, help texts, reproduce commands, soak defaults and
# errors are made from the tables. (A scheduler's name that is also a
# command or a placement, `replay` and `random`, is checked by symbol and
# options only.) Tests may name schedulers: they are not searched.
set -u
root=${1:-.}
cd "$root" || exit 2
code=$(ls harness/*.c harness/*.h schedulers/*.c schedulers/*.h reports/*.c reports/*.h \
          common/*.c common/*.h cli/*.c cli/*.h tools/*.c 2>/dev/null)
bad=0 n=0
for file in schedulers/*.c; do
  sym=$(sed -n 's/^const jostle__sched_ops \(jostle__sched_[a-z0-9_]*\) = {.*/\1/p' "$file")
  [ -n "$sym" ] || continue
  n=$((n + 1))
  name=$(sed -n 's/^ *\.name = "\([^"]*\)",.*/\1/p' "$file" | head -n 1)
  options=$(sed -n 's/^ *{\.name = "\([^"]*\)",.*/\1/p' "$file")
  others=$(echo "$code" | tr ' ' '\n' | grep -v -x -e "$file" -e schedulers/registry.c)
  pats="-e \\b$sym\\b"
  for o in $options; do pats="$pats -e \"$o\" -e --$o\\b"; done
  case $name in replay|random) ;; *) pats="$pats -e \"$name\"" ;; esac
  # shellcheck disable=SC2086
  hits=$(grep -n -H $pats $others)
  if [ -n "$hits" ]; then
    echo "$file: scheduler '$name' is named outside its file and the registry:"
    echo "$hits"
    bad=1
  fi
  grep -q "&$sym," schedulers/registry.c || { echo "$file: $sym is not in the registry"; bad=1; }
done
[ "$n" -ge 5 ] || { echo "found only $n schedulers"; bad=1; }
[ $bad -eq 0 ] || exit 1
# The check can fail: a copy of the tree where generic code names pct is refused.
if [ "$#" -eq 0 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp -r harness cli schedulers reports "$tmp"/
  [ -d common ] && cp -r common "$tmp"/
  echo 'static const char *x = "pct";' >> "$tmp/cli/stress.c"
  if sh "$0" "$tmp" > "$tmp/out" 2>&1 || ! grep -q 'cli/stress.c' "$tmp/out"; then
    echo "a mention of pct in cli/stress.c was not caught:"
    cat "$tmp/out"
    exit 1
  fi
fi
echo "strategies stay home: $n schedulers, each named only in its file and the registry"
