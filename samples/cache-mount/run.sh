#!/bin/sh
# cache-mount: a package cache reused across builds via RUN --mount=type=cache.
# Usage: sh samples/cache-mount/run.sh   (as root; CBUILD=path/to/cbuild to override)
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/cbuild-cache-mount-XXXXXX)
trap 'rm -rf "$ROOTFS" "$WORK"' EXIT
cb() { "$CBUILD" --root "$WORK/store" "$@"; }
seconds() { start=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - start) / 1000000)); }
cb import "$ROOTFS" busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null

echo "== 1. first build: every package is downloaded into the cache mount"
cold=$(seconds cb build -t cache-mount --build-arg VERSION=1 "$HERE")
echo "cold build: ${cold} ms"
echo "== 2. VERSION changes, the RUN runs again, the packages come from the cache"
cb build -t cache-mount --build-arg VERSION=2 "$HERE" 2>"$WORK/warm.log" >/dev/null
grep 'fake-pkg' "$WORK/warm.log"
warm=$(seconds cb build -t cache-mount --build-arg VERSION=3 "$HERE")
echo "warm build: ${warm} ms"
expect "packages served from the cache" 3 "$(grep -c 'from the cache' "$WORK/warm.log")"
expect "the warm build is faster" yes "$([ "$warm" -lt "$cold" ] && echo yes || echo no)"

echo "== 3. the cache lives in the store, outside every image"
dir=$WORK/store/cache-mounts/$(printf %s /var/cache/x | sha256sum | cut -c1-64)
ls -l "$dir"
expect "packages in <store>/cache-mounts/<sha256 of the id>" 3 "$(ls "$dir" | grep -c '\.pkg$')"
expect "installed packages in the image" 3 "$(cb run cache-mount ls /opt/pkgs | wc -l)"
expect "/var/cache/x in the image" absent \
  "$(cb run cache-mount sh -c 'test -e /var/cache/x && echo present || echo absent')"
cb save -o "$WORK/image.tar" cache-mount
size=$(wc -c <"$WORK/image.tar")
echo "image archive: $size bytes (3 MiB of packages stayed out)"
expect "image smaller than the packages" yes "$([ "$size" -lt 3000000 ] && echo yes || echo no)"

[ "$failures" = 0 ] && echo "cache-mount: all good" && exit 0
exit 1
