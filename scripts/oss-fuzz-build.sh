#!/bin/sh
# scripts/oss-fuzz-build.sh: builds jostle's fuzz targets the way OSS-Fuzz
# and ClusterFuzz build projects: with $CC, $CFLAGS and $LIB_FUZZING_ENGINE,
# into $OUT, each target with its seed corpus beside it
# (NAME_seed_corpus.zip, when zip is installed). Run from the repository
# root; outside OSS-Fuzz the defaults build with AddressSanitizer into
# build-oss-fuzz/.
#
# fuzz-input-NAME (jostle's own inputs) take $CFLAGS whole. fuzz-SCENARIO
# targets cannot: their code is compiled for ThreadSanitizer's entry points
# (jostle's scheduling hooks), which no compiler combines with
# AddressSanitizer or MemorySanitizer, so they are built only when
# $SANITIZER is undefined, coverage or none, with coverage flags of their
# own (no stack-depth tracking: its thread-local counter would reach the
# hooks).
set -eu
CC=${CC:-clang}
CFLAGS=${CFLAGS:--fsanitize=address,fuzzer-no-link}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
OUT=${OUT:-build-oss-fuzz}
SANITIZER=${SANITIZER:-address}
mkdir -p "$OUT/obj/input" "$OUT/obj/plain" "$OUT/obj/scenario"
OUT=$(cd "$OUT" && pwd)

common="-std=c11 -D_GNU_SOURCE -g -pthread -I. -Iinclude"
libs="$(pkg-config --libs hwloc jansson libdw) -lm -pthread"
wrap=$(make -s --no-print-directory wrap-flags)

# Compiles every library source with flags $2 into folder $1, as an archive.
library() {
  objs=""
  for f in common/*.c harness/*.c schedulers/*.c reports/*.c cli/*.c; do
    o="$1/$(echo "$f" | tr / _).o"
    $CC $common $2 -c "$f" -o "$o"
    objs="$objs $o"
  done
  rm -f "$1/libjostle.a"
  ar rcs "$1/libjostle.a" $objs
}

library "$OUT/obj/input" "$CFLAGS"
for t in tests/fuzz_*.c; do
  name=${t#tests/fuzz_}
  name=${name%.c}
  $CC $common $CFLAGS "$t" "$OUT/obj/input/libjostle.a" $LIB_FUZZING_ENGINE $libs \
    -o "$OUT/fuzz-input-$name"
  if command -v zip >/dev/null; then
    (cd "tests/corpus/$name" && zip -q -r "$OUT/fuzz-input-${name}_seed_corpus.zip" .)
  fi
done

case "$SANITIZER" in
undefined | coverage | none) ;;
*)
  echo "oss-fuzz-build: fuzz-SCENARIO targets skipped under $SANITIZER (see this script's header)"
  exit 0 ;;
esac
library "$OUT/obj/plain" "-O2"
scenario_flags="-O2 -fsanitize=thread -mllvm -tsan-instrument-read-before-write"
scenario_flags="$scenario_flags -fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp,indirect-calls"
objs=""
for f in scenarios/*.c; do
  o="$OUT/obj/scenario/$(basename "$f" .c).o"
  $CC $common $scenario_flags -c "$f" -o "$o"
  objs="$objs $o"
done
$CC $common -O2 -c tools/fuzz.c -o "$OUT/obj/plain/fuzz.o"
$CC $LIB_FUZZING_ENGINE $wrap -o "$OUT/fuzz-scenarios" "$OUT/obj/plain/fuzz.o" $objs \
  "$OUT/obj/plain/libjostle.a" $libs
for s in $(sed -n 's/^ *\.name = "\([^"]*\)".*/\1/p' scenarios/*.c); do
  cp "$OUT/fuzz-scenarios" "$OUT/fuzz-$s"
done
rm "$OUT/fuzz-scenarios"
