#!/bin/sh
# scripts/check-layers.sh [ROOT]: the include rule between jostle's folders,
# which keeps the layers of the source layout (README.md) apart: what each
# may use.
#
#   common/      common/ and include/ only
#   schedulers/  common/, include/ and schedulers/
#   reports/     common/, include/ and reports/
#   harness/     anything but a file of a cli/ folder (the commands sit on
#                top of the engine, never under it)
#
# Every #include "..." of the .c and .h files in those folders of ROOT (by
# default the repository this script is in) is resolved as the compiler
# resolves it with the Makefile's -I. -Iinclude: beside the including file,
# then ROOT, then ROOT/include. A header found nowhere is taken from ROOT
# when it names a folder, else from beside the including file.
# Prints one line per violation,
#   schedulers/x.c:12: includes harness/pool.h: schedulers/ may include only ...
# and exits 1 when there is one, 0 when there is none (2 on bad usage).
set -eu
root=${1:-$(dirname "$0")/..}
[ -d "$root" ] || { echo "check-layers: $root: not a folder" >&2; exit 2; }
cd "$root"

# normalize PATH: PATH without . and .. components (a .. that leaves ROOT
# is kept, so that such a header is outside every allowed folder).
normalize() {
  out=
  saved_ifs=$IFS
  IFS=/
  set -f
  # shellcheck disable=SC2086 # split on / on purpose
  set -- $1
  set +f
  IFS=$saved_ifs
  for part in "$@"; do
    case $part in
    '' | .) ;;
    ..) case $out in '' | .. | */..) out=${out:+$out/}.. ;; */*) out=${out%/*} ;; *) out= ;; esac ;;
    *) out=${out:+$out/}$part ;;
    esac
  done
  printf '%s\n' "$out"
}

# resolve FILE HEADER: the header FILE's #include "HEADER" names, from ROOT.
resolve() {
  dir=${1%/*}
  for candidate in "$dir/$2" "$2" "include/$2"; do
    if [ -f "$candidate" ]; then
      normalize "$candidate"
      return
    fi
  done
  case $2 in
  ./* | ../*) normalize "$dir/$2" ;;  # relative to the including file
  */*) normalize "$2" ;;
  *) normalize "$dir/$2" ;;
  esac
}

# rule FILE HEADER: nothing when FILE may include HEADER, else the rule it
# breaks.
rule() {
  case $1 in
  common/*)
    case $2 in common/* | include/*) ;; *) echo "common/ may include only common/ and include/" ;; esac ;;
  schedulers/* | reports/*)
    layer=${1%%/*}
    case $2 in
    common/* | include/* | "$layer"/*) ;;
    *) echo "$layer/ may include only common/, include/ and $layer/" ;;
    esac ;;
  harness/*)
    case /$1 in */cli/*) return ;; esac  # a cli/ folder inside harness/ is the CLI's own
    case /$2 in */cli/*) echo "harness/ may include anything but a file of a cli/ folder" ;; esac ;;
  esac
}

folders=
for f in common schedulers reports harness; do
  if [ -d "$f" ]; then folders="$folders $f"; fi
done
[ -n "$folders" ] || exit 0

status=0
tab=$(printf '\t')
# shellcheck disable=SC2086 # the folder list is split on purpose
list=$(find $folders -type f \( -name '*.c' -o -name '*.h' \) -exec awk '
  /^[ \t]*#[ \t]*include[ \t]*"/ {
    h = $0
    sub(/^[^"]*"/, "", h)
    sub(/".*$/, "", h)
    printf "%s\t%d\t%s\n", FILENAME, FNR, h
  }' {} + | sort -t "$tab" -k1,1 -k2,2n)
while IFS=$tab read -r file line header; do
  [ -n "$file" ] || continue
  file=$(normalize "$file")
  target=$(resolve "$file" "$header")
  broken=$(rule "$file" "$target")
  if [ -n "$broken" ]; then
    echo "$file:$line: includes $target: $broken"
    status=1
  fi
done <<EOF
$list
EOF
exit $status
