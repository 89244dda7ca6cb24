#!/bin/sh
# seccomp in the sandbox: a profile in Docker's JSON format that denies chmod,
# and the built-in default profile.
# Usage: sh samples/seccomp/run.sh   (as root; CBUILD=path/to/cbuild to override)
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CBUILD=${CBUILD:-$HERE/../../build/builder/cbuild}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; }
[ -x "$CBUILD" ] || { echo "SKIP: no cbuild at $CBUILD (build it, or set CBUILD)"; exit 77; }

ROOTFS=$(mktemp -d /tmp/cbuild-sample-XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/root" "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$ROOTFS/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$ROOTFS/etc/passwd"
echo 'root:x:0:' > "$ROOTFS/etc/group"

failures=0
expect() { # expect DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; failures=$((failures + 1)); fi
}
script='touch /tmp/f; chmod 600 /tmp/f 2>&1; stat -c %a /tmp/f'

echo "== 1. --security-opt seccomp=profile.json denies chmod"
out=$("$CBUILD" run --rootfs "$ROOTFS" --security-opt "seccomp=$HERE/profile.json" sh -c "$script")
echo "$out"
expect "chmod refused" "chmod: /tmp/f: Operation not permitted" "$(echo "$out" | head -1)"
expect "mode unchanged" "644" "$(echo "$out" | tail -1)"

echo "== 2. the same command under the default profile"
out=$("$CBUILD" run --rootfs "$ROOTFS" sh -c "$script")
echo "$out"
expect "chmod allowed" "600" "$out"

echo "== 3. the default profile refuses unshare and mount, runs ordinary tools"
out=$("$CBUILD" run --rootfs "$ROOTFS" sh -c \
  'unshare -m true 2>&1; mount -t tmpfs none /mnt 2>&1; ls / | wc -l; grep Seccomp: /proc/self/status')
echo "$out"
expect "unshare refused" "unshare: unshare(0x20000): Operation not permitted" "$(echo "$out" | sed -n 1p)"
expect "mount refused" "mount: permission denied (are you root?)" "$(echo "$out" | sed -n 2p)"
expect "filter active (mode 2)" "Seccomp:	2" "$(echo "$out" | tail -1)"

echo "== 4. seccomp=unconfined: no filter"
out=$("$CBUILD" run --rootfs "$ROOTFS" --security-opt seccomp=unconfined grep Seccomp: /proc/self/status)
expect "no filter (mode 0)" "Seccomp:	0" "$out"

[ "$failures" = 0 ] && echo "seccomp: all good" && exit 0
exit 1
