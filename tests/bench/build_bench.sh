#!/bin/bash
# Build benchmark: cbuild vs buildah, side by side in one run, on the same
# context, base image and Dockerfiles. The context is ~250 MB: 20,000 small
# text files (200 B - 8 KiB) under src/, two incompressible files (96 and
# 64 MiB) and a 40 MiB text log under data/. Two Dockerfiles:
#   copy-heavy  COPY . of the whole context, two RUNs
#   multistage  two builder stages (one from src/, one from data/big.log), a
#               final stage copying from both
# and three scenarios each: cold (empty cache, base only), nothing changed,
# one small file changed (src/VERSION: misses the COPY that selects it and
# what follows). Every scenario runs RUNS times; the median is reported.
#
#   usage: sudo tests/bench/build_bench.sh [CBUILD]
#   env:   RUNS=3  SMALL_FILES=20000  DOCKERFILES="copy-heavy multistage"
#          NO_BUILDAH=1 (cbuild only)  KEEP=1 (keep $WORK; with LOOPFS_GB=0 only)
#          LOOPFS_GB=16: context and stores on a new journaled ext4 of that
#          size (a loop device), 0: in /tmp as it is
#
# Why a file system of its own by default: this machine's root ext4 has no
# journal, and without one ext4 skips, slowly, every inode deleted in the
# last 3000 s at each new inode allocation; what the other tool (or anything
# else) deleted recently then decides the times more than the tool does.
#
# Prints one TSV line per tool, Dockerfile and scenario: median, min and max
# wall seconds and the largest peak RSS (MB) of any run, then the ratios.
set -euo pipefail
CBUILD=${1:-${CBUILD:-cbuild}}
[[ $CBUILD == */* ]] && CBUILD=$(realpath "$CBUILD") || CBUILD=$(command -v "$CBUILD")
REPO=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-3}
SMALL_FILES=${SMALL_FILES:-20000}
DOCKERFILES=${DOCKERFILES:-"copy-heavy multistage"}
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root" >&2; exit 77; }
LOOPFS_GB=${LOOPFS_GB:-16}
WORK=$(mktemp -d /tmp/cbuild-bench.XXXXXX)
if [[ $LOOPFS_GB != 0 ]]; then
  truncate -s "${LOOPFS_GB}G" "$WORK.img"
  mkfs.ext4 -q -F "$WORK.img"
  mount -o loop "$WORK.img" "$WORK"
fi
cleanup() {
  local root
  for root in "$WORK"/stores/bh-*; do
    [[ -d $root && $root != *-run ]] || continue
    buildah --root "$root" --runroot "$root-run" rm -a >/dev/null 2>&1 || true
    umount -R "$root/overlay" 2>/dev/null || true
  done
  cd /
  if [[ $LOOPFS_GB != 0 ]]; then
    umount "$WORK" 2>/dev/null || umount -l "$WORK" 2>/dev/null || true
    rm -f "$WORK.img"
    rmdir "$WORK" 2>/dev/null || true
  fi
  [[ -n ${KEEP:-} || $LOOPFS_GB != 0 ]] || rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

# --- the context (same bytes on every run and machine) ----------------------
python3 - ctx "$SMALL_FILES" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(250)
vocabulary = ["".join(rng.choice("etaoinshrdlucmfwyp") for _ in range(rng.randint(1, 9)))
              for _ in range(4000)]
def text(size):
    parts, length = [], 0
    while length < size:
        line = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 12))) + "\n"
        parts.append(line)
        length += len(line)
    return "".join(parts)[:size]
for i in range(count):
    directory = os.path.join(root, "src", "p%02d" % (i // 1000), "q%02d" % (i // 100 % 10))
    os.makedirs(directory, exist_ok=True)
    size = min(8192, max(200, int(rng.expovariate(1 / 2000))))
    with open(os.path.join(directory, "file%05d.%s" % (i, rng.choice("ch"))), "w") as f:
        f.write(text(size))
os.makedirs(os.path.join(root, "data"))
for name, mib in (("blob1.bin", 96), ("blob2.bin", 64)):
    with open(os.path.join(root, "data", name), "wb") as f:
        for _ in range(mib):
            f.write(rng.randbytes(1 << 20))
block = text(1 << 20).encode()
with open(os.path.join(root, "data", "big.log"), "wb") as f:
    for _ in range(40):
        f.write(block)
with open(os.path.join(root, "src", "VERSION"), "w") as f:
    f.write("1\n")
PY
echo "context: $(find ctx -type f | wc -l) files, $(du -sm --apparent-size ctx | cut -f1) MB" >&2

cat >copy-heavy.Dockerfile <<'DF'
FROM localhost/bench-base:1
WORKDIR /ctx
COPY . /ctx
RUN find /ctx -type f | wc -l > /file-count
RUN cat /ctx/src/VERSION
ENV MODE=bench
CMD ["cat", "/file-count"]
DF
cat >multistage.Dockerfile <<'DF'
FROM localhost/bench-base:1 AS sources
COPY src /src
RUN mkdir /out && find /src -name '*.c' | wc -l > /out/c-files && tar -cf /out/src.tar /src

FROM localhost/bench-base:1 AS logs
COPY data/big.log /in/big.log
RUN mkdir /out && gzip -c /in/big.log > /out/big.log.gz

FROM localhost/bench-base:1
COPY --from=sources /out /app/sources
COPY --from=logs /out /app/logs
RUN ls -lR /app > /app/listing
WORKDIR /app
CMD ["cat", "/app/listing"]
DF

"$REPO/scripts/make-busybox-rootfs.sh" rootfs >/dev/null
"$CBUILD" --root "$WORK/base-store" import rootfs localhost/bench-base:1 --env PATH=/bin >/dev/null
"$CBUILD" --root "$WORK/base-store" save -o base.tar localhost/bench-base:1

# --- tools: reset (not timed) and build --------------------------------------
# A cold build gets a new, empty store (base image only) instead of a deleted
# and re-made one: on ext4 without a journal (this machine's root file
# system) every inode deleted in the last 3000 s is skipped, slowly, by each
# new inode allocation, so deleting the previous run's 20,000+ files first
# would time the file system more than the tool. Stores go when the script ends.
CB_STORE=$WORK/stores/cb-none
BH_ROOT=$WORK/stores/bh-none
bh() { buildah --root "$BH_ROOT" --runroot "$BH_ROOT-run" --storage-driver overlay "$@"; }
cbuild_reset() {
  CB_STORE=$WORK/stores/cb-$1
  "$CBUILD" --root "$CB_STORE" import rootfs localhost/bench-base:1 --env PATH=/bin >/dev/null
}
# TOOL_command DOCKERFILE: the build command, as words for /usr/bin/time
cbuild_command() { echo "$CBUILD --root $CB_STORE build -q -f $1.Dockerfile -t bench-$1 ctx"; }
buildah_reset() {
  BH_ROOT=$WORK/stores/bh-$1
  bh pull -q docker-archive:base.tar >/dev/null
  bh tag "$(bh images -q | head -1)" localhost/bench-base:1
}
buildah_command() {
  echo "buildah --root $BH_ROOT --runroot $BH_ROOT-run --storage-driver overlay bud" \
    "--isolation chroot --layers -q -f $1.Dockerfile -t bench-$1 ctx"
}

# once TOOL DOCKERFILE: one timed build; appends "seconds rss_kb" to times-TOOL.txt
once() {
  local start end
  # Not timed: write back what the previous build left dirty, so that no
  # build pays for the other tool's writeback (hyperfine --prepare sync).
  sync
  start=$(date +%s.%N)
  # shellcheck disable=SC2046 # the command's words (no spaces in $WORK)
  /usr/bin/time -o rss.txt -f %M $("$1_command" "$2") >/dev/null 2>run.log ||
    { cat run.log >&2; echo "$1 build of $2 failed" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $(cat rss.txt)" >>"times-$1.txt"
}
# report DOCKERFILE SCENARIO: median/min/max seconds and peak RSS of each tool
report() {
  local tool
  for tool in $TOOLS; do
    sort -n "times-$tool.txt" | awk -v t="$tool" -v d="$1" -v s="$2" '
      { secs[NR] = $1; if ($2 > rss) rss = $2 }
      END { printf "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%d\n", t, d, s,
            (NR % 2 ? secs[(NR + 1) / 2] : (secs[NR / 2] + secs[NR / 2 + 1]) / 2),
            secs[1], secs[NR], rss / 1024 }' | tee -a results.tsv
    rm -f "times-$tool.txt"
  done
}
bump() { date +%s%N >ctx/src/VERSION; }

TOOLS=cbuild
if [[ -z ${NO_BUILDAH:-} ]]; then
  if command -v buildah >/dev/null; then
    TOOLS="cbuild buildah"
  else
    echo "buildah not installed: peer side skipped" >&2
  fi
fi
echo "$(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), RUNS=$RUNS," \
  "$(if [[ $LOOPFS_GB != 0 ]]; then echo "a new ${LOOPFS_GB} GB ext4 (loop)"; else echo "$(findmnt -n -o FSTYPE -T "$WORK") at $WORK"; fi)" >&2
printf 'tool\tdockerfile\tscenario\tmedian_s\tmin_s\tmax_s\tpeak_rss_MB\n'
: >results.tsv
# The tools take turns run by run, so both see the same machine.
for df in $DOCKERFILES; do
  for i in $(seq "$RUNS"); do
    for tool in $TOOLS; do "${tool}_reset" "$df-$i"; once "$tool" "$df"; done
  done
  report "$df" cold
  for i in $(seq "$RUNS"); do
    for tool in $TOOLS; do once "$tool" "$df"; done
  done
  report "$df" nothing-changed
  for i in $(seq "$RUNS"); do
    bump
    for tool in $TOOLS; do once "$tool" "$df"; done
  done
  report "$df" one-file-changed
  echo 1 >ctx/src/VERSION
done
[[ $TOOLS == *buildah* ]] || exit 0
echo
echo "cbuild / buildah by median:"
awk -F'\t' '$1 == "cbuild" { c[$2 FS $3] = $4 } $1 == "buildah" { b[$2 FS $3] = $4 }
  END { for (k in c) if (k in b) { split(k, p, FS); printf "%-11s %-17s %.3fx\n", p[1], p[2], c[k] / b[k] } }' \
  results.tsv | sort
