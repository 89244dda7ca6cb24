#!/bin/sh
# fake-pkg install NAME...: a package manager in miniature. Each package is
# "downloaded" (1 s and 1 MiB of random bytes) into /var/cache/x/NAME.pkg,
# unless it is already there, then "installed" as /opt/pkgs/NAME.
set -eu
cache=/var/cache/x
[ "${1:-}" = install ] || { echo "usage: fake-pkg install NAME..." >&2; exit 2; }
shift
mkdir -p "$cache" /opt/pkgs
for name in "$@"; do
  if [ -f "$cache/$name.pkg" ]; then
    echo "fake-pkg: $name: from the cache"
  else
    echo "fake-pkg: $name: downloading"
    sleep 1
    head -c 1048576 /dev/urandom >"$cache/$name.pkg.part"
    mv "$cache/$name.pkg.part" "$cache/$name.pkg"
  fi
  echo "$name $(wc -c <"$cache/$name.pkg") bytes" >"/opt/pkgs/$name"
done
