#!/bin/sh
# tests/check_layers.sh: scripts/check-layers.sh refuses an include that
# breaks the rule between the folders, naming the file, the line and the
# header, and passes the real tree and includes the rule allows.
set -eu
script=$(cd "$(dirname "$0")/.." && pwd)/scripts/check-layers.sh
fail() { echo "check_layers: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The repository follows the rule.
out=$(sh "$script") || fail "the repository breaks the include rule: $out"
[ -z "$out" ] || fail "the repository passes but the script printed: $out"

# 2. A tree whose every include is allowed passes.
tree=$tmp/good
mkdir -p "$tree/common" "$tree/schedulers" "$tree/reports" "$tree/harness" "$tree/include" \
  "$tree/cli" "$tree/tests"
touch "$tree/include/jostle.h" "$tree/common/hash.h" "$tree/schedulers/sched.h" \
  "$tree/reports/result.h" "$tree/cli/run.h"
printf '#include "common/hash.h"\n#include "jostle.h"\n' > "$tree/common/clock.h"
printf '#include "common/hash.h"\n#include "jostle.h"\n#include "sched.h"\n#include "schedulers/sched.h"\n' \
  > "$tree/schedulers/pct.c"
printf '#include "common/hash.h"\n#include "reports/result.h"\n#include <stdio.h>\n' > "$tree/reports/json.c"
printf '#include "reports/result.h"\n#include "schedulers/sched.h"\n#include "common/hash.h"\n' \
  > "$tree/harness/campaign.c"
printf '#include "harness/campaign.c"\n#include "cli/run.h"\n' > "$tree/cli/main.c"
printf '#include "cli/run.h"\n#include "harness/pool.h"\n' > "$tree/tests/check_cli.c"
out=$(sh "$script" "$tree") || fail "allowed includes refused: $out"

# 3. Each kind of violation fails, with one line naming file, line and header.
# expect_refused FILE TEXT HEADER: FILE holding TEXT, whose last line
# includes HEADER, is refused for that line.
expect_refused() {
  bad=$tmp/bad
  rm -rf "$bad"
  cp -r "$tree" "$bad"
  mkdir -p "$(dirname "$bad/$1")"
  printf '%b' "$2" > "$bad/$1"
  set +e
  out=$(sh "$script" "$bad")
  status=$?
  set -e
  [ $status -eq 1 ] || fail "$1 including $3: exit $status, expected 1 ($out)"
  [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$1: expected one line, got: $out"
  line=$(printf '%b' "$2" | wc -l)
  case $out in
  "$1:$line: includes $3: "*) ;;
  *) fail "$1: the line does not name the file, line and header: $out" ;;
  esac
}
expect_refused schedulers/bad.c '#include "jostle.h"\n#include "harness/pool.h"\n' harness/pool.h
expect_refused schedulers/bad.h '#include "reports/result.h"\n' reports/result.h
expect_refused reports/bad.c '#include "schedulers/sched.h"\n' schedulers/sched.h
expect_refused reports/bad.c '#include "../harness/pool.h"\n' harness/pool.h
expect_refused common/bad.c '#include "reports/result.h"\n' reports/result.h
expect_refused harness/bad.c '  #  include "cli/run.h"\n' cli/run.h
expect_refused harness/bad.c '#include "harness/cli/stress.h"\n' harness/cli/stress.h
echo "check_layers: ok"
