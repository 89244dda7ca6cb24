#!/bin/sh
# Capabilities in the sandbox: Docker's default set, --cap-drop, --privileged.
# Usage: sh samples/capabilities/run.sh   (as root; CBUILD=path/to/cbuild to override)
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CBUILD=${CBUILD:-$HERE/../../build/builder/cbuild}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; }
[ -x "$CBUILD" ] || { echo "SKIP: no cbuild at $CBUILD (build it, or set CBUILD)"; exit 77; }

# A busybox root filesystem, as an image would give us.
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
capeff() { "$CBUILD" run --rootfs "$ROOTFS" "$@" sh -c 'grep CapEff /proc/1/status' | awk '{print $2}'; }

echo "== 1. the default set (Docker's 14), as PID 1 inside sees it"
default=$(capeff)
echo "CapEff: $default = $(capsh --decode="$default" 2>/dev/null | cut -d= -f2)"
expect "default CapEff" 00000000a80425fb "$default"

echo "== 2. getpcaps from the host, on the sandbox's PID 1"
"$CBUILD" run --rootfs "$ROOTFS" sleep 30 &
cbuild_pid=$!
init_pid=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  init_pid=$(pgrep -P "$cbuild_pid" | head -1); [ -n "$init_pid" ] && break; sleep 0.1
done
getpcaps "$init_pid"
kill -TERM "$cbuild_pid"; wait "$cbuild_pid" 2>/dev/null
expect "the sandbox stops on SIGTERM" "" "$(pgrep -P "$cbuild_pid")"

echo "== 3. --cap-drop CHOWN: chown fails, the file keeps its owner"
out=$("$CBUILD" run --rootfs "$ROOTFS" --cap-drop CHOWN sh -c \
  'touch /root/x; chown 2:2 /root/x 2>&1; stat -c %u:%g /root/x')
echo "$out"
expect "chown refused" "chown: /root/x: Operation not permitted" "$(echo "$out" | head -1)"
expect "owner unchanged" "0:0" "$(echo "$out" | tail -1)"

echo "== 4. --privileged: every capability the host has"
privileged=$(capeff --privileged)
host=$(grep CapBnd /proc/self/status | awk '{print $2}')
echo "CapEff: $privileged (host bounding set: $host)"
expect "privileged CapEff" "$host" "$privileged"

[ "$failures" = 0 ] && echo "capabilities: all good" && exit 0
exit 1
