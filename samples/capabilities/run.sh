#!/bin/sh
# Capabilities in the sandbox: Docker's default set, --cap-drop, --privileged.
# Usage: sh samples/capabilities/run.sh   (as root; CBUILD=path/to/cbuild to override)
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
. "$(dirname "$0")/../lib.sh"
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
