#!/bin/sh
# scripts/deps.sh: installs the Debian packages jostle needs to build and
# test, only those missing. Safe to run again; does nothing when all are
# there. Runs apt-get as root, or through sudo.
set -eu
packages="make gcc clang pkg-config check libhwloc-dev"
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
