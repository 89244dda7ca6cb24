#!/bin/sh
# cbuild run SIGKILLed mid-run: its sandbox dies with it (no process, no
# mount), and the next cbuild run removes the writable layer and run dir it
# left in $TMPDIR.
# Usage: CBUILD=path/to/cbuild sh tests/unit/sandbox/run_killed.sh (root; exit 77 = skipped)
set -u
CBUILD=${CBUILD:?set CBUILD}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; }
command -v pgrep >/dev/null || { echo "SKIP: needs pgrep"; exit 77; }
WORK=$(mktemp -d /tmp/cbuild-run-killed-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc" "$WORK/tmp"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$WORK/rootfs/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$WORK/rootfs/etc/passwd"
echo 'root:x:0:' > "$WORK/rootfs/etc/group"
TMPDIR=$WORK/tmp
export TMPDIR

fail() { echo "FAIL: $*"; exit 1; }
running() { pgrep -fx 'sleep 31343' | grep -c .; }
count() { ls -d "$TMPDIR"/$1 2>/dev/null | grep -c .; }
wait_for() { # wait_for CONDITION: up to 10 s
  i=0
  while ! eval "$1"; do
    i=$((i + 1)); [ $i -lt 200 ] || return 1; sleep 0.05
  done
}

"$CBUILD" run --rootfs "$WORK/rootfs" sh -c 'echo data > /written; exec sleep 31343' &
pid=$!
wait_for '[ "$(running)" = 1 ]' || fail "the sandboxed sleep did not start"
[ "$(count 'cbuild-run-*')" = 1 ] || fail "no writable layer dir in TMPDIR"
[ "$(count 'cbuild-sandbox-*')" = 1 ] || fail "no run dir in TMPDIR"
kill -9 $pid
wait $pid 2>/dev/null
wait_for '[ "$(running)" = 0 ]' || fail "the sandbox outlived SIGKILL of cbuild"
[ "$(count 'cbuild-run-*')" = 1 ] || fail "expected the killed run's layer to be left until the next run"

out=$("$CBUILD" run --rootfs "$WORK/rootfs" sh -c 'cat /written 2>/dev/null; echo next') ||
  fail "the next run failed"
[ "$out" = next ] || fail "the next run saw '$out'"
# cbuild returned as soon as the command was gone; a helper removes this run's
# own directories once the kernel has torn down the sandbox's namespaces.
wait_for '[ "$(count "cbuild-run-*")" = 0 ]' || fail "writable layer left: $(ls "$TMPDIR")"
wait_for '[ "$(count "cbuild-sandbox-*")" = 0 ]' || fail "run dir left: $(ls "$TMPDIR")"
[ "$(count '.cbuild-*')" = 0 ] || fail "hidden dir left: $(ls -a "$TMPDIR")"
! grep -q "$WORK" /proc/self/mountinfo || fail "mount left: $(grep "$WORK" /proc/self/mountinfo)"
echo "run killed, next run cleans up: ok"
