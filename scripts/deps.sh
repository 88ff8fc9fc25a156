#!/bin/sh
# scripts/deps.sh [test]: installs the Debian packages jostle needs to
# build, and with `test` also those its test suite uses (xmllint checks
# JUnit files, headless Chromium renders HTML reports). Installs only what
# is missing: safe to run again. Runs apt-get as root, or through sudo.
set -eu
packages="make gcc g++ binutils clang libclang-rt-dev pkg-config check libhwloc-dev libjansson-dev libdw-dev"
[ "${1:-}" = test ] && packages="$packages libxml2-utils chromium"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "jostle: installing$missing" >&2
as_root=""
[ "$(id -u)" -eq 0 ] || as_root=sudo
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
$as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
