#!/bin/sh
# Namespaces: what the sandbox gets of its own, inside vs host /proc/self/ns.
# Usage: sh samples/namespaces/run.sh   (as root; CBUILD=path/to/cbuild to override)
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
. "$(dirname "$0")/../lib.sh"

echo "== 1. /proc/self/ns: host vs sandbox (--network none)"
inside=$("$CBUILD" run --rootfs "$ROOTFS" --network none --hostname demo sh -c \
  'for n in mnt pid uts ipc net cgroup user; do echo "$n $(readlink /proc/self/ns/$n)"; done')
printf '%-7s %-26s %s\n' ns host sandbox
echo "$inside" | while read -r ns link; do
  printf '%-7s %-26s %s\n' "$ns" "$(readlink /proc/self/ns/"$ns")" "$link"
done
for ns in mnt pid uts ipc net cgroup; do
  host=$(readlink /proc/self/ns/$ns)
  box=$(echo "$inside" | awk -v n=$ns '$1 == n {print $2}')
  [ -n "$box" ] && [ "$host" != "$box" ] && echo "ok: own $ns namespace" || { echo "FAIL: $ns shared"; failures=$((failures + 1)); }
done
echo "(user is shared: as root the sandbox needs no user namespace; it gets one when not root)"

echo "== 2. uts: the hostname is the sandbox's"
expect "hostname" demo "$("$CBUILD" run --rootfs "$ROOTFS" --hostname demo hostname)"

echo "== 3. pid: the command sees itself and cbuild's init only"
out=$("$CBUILD" run --rootfs "$ROOTFS" sh -c 'echo $$; ps -o pid,comm | tail -n +2 | wc -l')
echo "$out"
expect "the shell is PID 2 (PID 1 reaps and forwards signals)" 2 "$(echo "$out" | head -1)"

echo "== 4. net: --network none has only lo; the default shares the host's"
expect "interfaces with --network none" lo "$("$CBUILD" run --rootfs "$ROOTFS" --network none ls /sys/class/net)"
echo "host network: $("$CBUILD" run --rootfs "$ROOTFS" ls /sys/class/net | tr '\n' ' ')"

echo "== 5. mnt: the host's files are out of reach"
echo secret > "$ROOTFS.secret"
out=$("$CBUILD" run --rootfs "$ROOTFS" sh -c "cat /../..$ROOTFS.secret /proc/1/root$ROOTFS.secret 2>&1")
echo "$out"
expect "no host file" 0 "$(echo "$out" | grep -c secret$)"
rm -f "$ROOTFS.secret"
expect "no mount left on the host" 0 "$(grep -c cbuild-sandbox- /proc/self/mountinfo)"

[ "$failures" = 0 ] && echo "namespaces: all good" && exit 0
exit 1
