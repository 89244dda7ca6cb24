#!/bin/sh
# cgroups in the sandbox: memory and CPU limits, where to see them, the OOM
# report and a pids limit.
# Usage: sh samples/cgroups/run.sh   (as root; CBUILD=path/to/cbuild to override)
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
. "$(dirname "$0")/../lib.sh"

echo "== 1. --memory 256m --cpu-period=50000 --cpu-quota=25000, seen from inside"
# cgroup v1/hybrid hosts: one directory per controller; pure v2: one file set.
inside='if [ -d /sys/fs/cgroup/memory ]; then
  cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.cfs_quota_us
else
  cat /sys/fs/cgroup/memory.max; cut -d" " -f2 /sys/fs/cgroup/cpu.max; cut -d" " -f1 /sys/fs/cgroup/cpu.max
fi'
out=$("$CBUILD" run --rootfs "$ROOTFS" --memory 256m --cpu-period=50000 --cpu-quota=25000 sh -c "$inside")
echo "$out"
expect "memory limit" 268435456 "$(echo "$out" | sed -n 1p)"
expect "cpu period" 50000 "$(echo "$out" | sed -n 2p)"
expect "cpu quota (half a CPU)" 25000 "$(echo "$out" | sed -n 3p)"

echo "== 2. the same cgroup seen from the host, while the command runs"
"$CBUILD" run --rootfs "$ROOTFS" --memory 256m --cpu-period=50000 --cpu-quota=25000 sleep 30 &
cbuild_pid=$!
dir=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  dir=$(ls -d /sys/fs/cgroup/memory/cbuild-"$cbuild_pid"-* /sys/fs/cgroup/cbuild-"$cbuild_pid"-* 2>/dev/null | head -1)
  [ -n "$dir" ] && break; sleep 0.1
done
echo "cgroup: $dir"
if [ -f "$dir/memory.limit_in_bytes" ]; then
  cpu_dir=/sys/fs/cgroup/cpu/$(basename "$dir")
  echo "memory.limit_in_bytes: $(cat "$dir/memory.limit_in_bytes")"
  echo "cpu.cfs_quota_us: $(cat "$cpu_dir/cpu.cfs_quota_us") / cpu.cfs_period_us: $(cat "$cpu_dir/cpu.cfs_period_us")"
  expect "host sees the quota" 25000 "$(cat "$cpu_dir/cpu.cfs_quota_us")"
else
  echo "memory.max: $(cat "$dir/memory.max"), cpu.max: $(cat "$dir/cpu.max")"
  expect "host sees the quota" "25000 50000" "$(cat "$dir/cpu.max")"
fi
kill -TERM "$cbuild_pid"; wait "$cbuild_pid" 2>/dev/null
expect "cgroup removed afterwards" "" "$(ls -d "$dir" 2>/dev/null)"

echo "== 3. out of memory: a 200 MB buffer under --memory 64m"
"$CBUILD" run --rootfs "$ROOTFS" --memory 64m dd if=/dev/zero of=/dev/null bs=200M count=1 2>err.$$
code=$?
cat err.$$
expect "exit code 137 (128 + SIGKILL)" 137 "$code"
expect "reported as out of memory" "cbuild: killed: out of memory (limit 64 MiB)" "$(tail -1 err.$$)"
rm -f err.$$

echo "== 4. --pids-limit 10 stops a fork bomb"
out=$("$CBUILD" run --rootfs "$ROOTFS" --pids-limit 10 sh -c \
  'i=0; while [ $i -lt 50 ]; do sleep 30 & i=$((i+1)); done; echo started $i' 2>&1)
echo "$out" | head -3
expect "fork refused" "1" "$(echo "$out" | grep -c "can't fork")"

[ "$failures" = 0 ] && echo "cgroups: all good" && exit 0
exit 1
