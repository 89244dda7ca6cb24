#!/bin/sh
# seccomp in the sandbox: a profile in Docker's JSON format that denies chmod,
# and the built-in default profile.
# Usage: sh samples/seccomp/run.sh   (as root; CBUILD=path/to/cbuild to override)
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
. "$(dirname "$0")/../lib.sh"
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
