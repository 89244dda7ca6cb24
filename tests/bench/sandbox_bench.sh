#!/bin/sh
# Sandbox start-to-exit of /bin/true: cbuild run vs runc run, same busybox
# rootfs, equivalent settings (new pid/ipc/uts/mount/net/cgroup namespaces,
# Docker's 14 capabilities, masked /proc paths). Median of N runs (hyperfine).
# crun 1.8 from Debian refuses this machine's hybrid cgroups, so runc is the peer.
#
# Usage: sh tests/bench/sandbox_bench.sh [RUNS]    (as root)
#   CBUILD=path/to/cbuild (default build/builder/cbuild), RUNC=runc
# Both run at nice -15 (inherited by their children; real-time priority is not
# possible: runc then cannot join a v1 cpu cgroup)
# when allowed, so that compile jobs on a shared machine do not decide the result.
set -eu
RUNS=${1:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
CBUILD=${CBUILD:-$HERE/../../build/builder/cbuild}
RUNC=${RUNC:-runc}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for tool in hyperfine jq "$RUNC" /bin/busybox "$CBUILD"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done

WORK=$(mktemp -d /tmp/cbuild-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOTFS=$WORK/bundle/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/root" "$ROOTFS/tmp" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev"
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$ROOTFS/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$ROOTFS/etc/passwd"
echo 'root:x:0:' > "$ROOTFS/etc/group"

# runc's config.json: its defaults (pid, ipc, uts, mount, network, cgroup
# namespaces; runc's masked and read-only paths) plus Docker's 14 capabilities.
caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW",
"CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT",
"CAP_KILL","CAP_AUDIT_WRITE"]'
(cd "$WORK/bundle" && "$RUNC" spec)
jq --argjson caps "$caps" '
  .process.terminal = false | .process.args = ["/bin/true"] | .root.readonly = false
  | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
  | .process.noNewPrivileges = true
  | .linux.namespaces += [{"type": "cgroup"}]' \
  "$WORK/bundle/config.json" > "$WORK/config.json"
mv "$WORK/config.json" "$WORK/bundle/config.json"

median() { jq -r '.results[0].median * 1000 | . * 10 | round / 10' "$1"; }
stats() { # min and CPU (user + system) per run, in ms
  jq -r '.results[0] | "\((.min * 10000 | round) / 10) | \(((.user + .system) * 10000 | round) / 10)"' "$1"
}
RT=""
nice -n -15 true 2>/dev/null && RT="nice -n -15"
bench() { # bench NAME COMMAND...
  name=$1; shift
  set -- $RT "$@"
  hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$WORK/$name.json" "$*" >/dev/null 2>&1 ||
    hyperfine --warmup 5 --runs "$RUNS" --export-json "$WORK/$name.json" "$*" >/dev/null
  echo "$(median "$WORK/$name.json")"
}

echo "busybox rootfs, /bin/true, median of $RUNS runs (ms); $(nproc) cores, $(uname -r), ${RT:-normal priority}"
c1=$(bench cbuild-unconfined "$CBUILD" run --rootfs "$ROOTFS" --network none --security-opt seccomp=unconfined /bin/true)
c2=$(bench cbuild-default "$CBUILD" run --rootfs "$ROOTFS" --network none /bin/true)
c3=$(bench cbuild-cgroup "$CBUILD" run --rootfs "$ROOTFS" --network none --pids-limit 1000 /bin/true)
r1=$(bench runc "$RUNC" run -b "$WORK/bundle" cbuild-bench)
row() { printf '| %-56s | %6s | %s |\n' "$1" "$2" "$3"; }
row "command" "median" "min | CPU (user+sys)"
row "---" "---" "--- | ---"
row "cbuild run --network none --security-opt seccomp=unconfined" "$c1" "$(stats "$WORK/cbuild-unconfined.json")"
row "cbuild run --network none (Docker's default seccomp)" "$c2" "$(stats "$WORK/cbuild-default.json")"
row "cbuild run --network none --pids-limit 1000 (+ cgroup)" "$c3" "$(stats "$WORK/cbuild-cgroup.json")"
row "runc run (runc's masked paths, 14 caps, cgroups always)" "$r1" "$(stats "$WORK/runc.json")"
echo "runc / cbuild (default seccomp), median: $(echo "$r1 $c2" | awk '{printf "%.2fx", $1 / $2}')"
echo "runc / cbuild (default seccomp + cgroup), median: $(echo "$r1 $c3" | awk '{printf "%.2fx", $1 / $2}')"
