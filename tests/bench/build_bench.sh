#!/bin/bash
# Build benchmark: cbuild vs buildah on one copy-heavy Dockerfile, three
# scenarios: cold (empty cache), nothing changed, one small file changed.
#
#   usage: sudo tests/bench/build_bench.sh [CBUILD]   (env: FILES=20000 BIG_MB=20 NO_BUILDAH=1)
#
# Prints one TSV line per tool and scenario: wall seconds and peak RSS (MB).
# Each tool gets a private store under $WORK; the base is the same busybox tree.
set -euo pipefail
CBUILD=${1:-${CBUILD:-cbuild}}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
FILES=${FILES:-20000}
BIG_MB=${BIG_MB:-20}
WORK=$(mktemp -d /tmp/cbuild-bench.XXXXXX)
trap 'buildah --root "$WORK/bh" --runroot "$WORK/bhr" rm -a >/dev/null 2>&1 || true; umount -R "$WORK/bh/overlay" 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"

# the context: FILES small files in 100 directories, 3 big files
mkdir -p ctx/src ctx/bin
python3 - "$FILES" <<'PY'
import os, random, sys
random.seed(7)
n = int(sys.argv[1])
for i in range(n):
    d = f"ctx/src/d{i % 100:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.txt", "wb") as f:
        f.write(random.randbytes(random.randint(0, 4096)))
PY
for i in 1 2 3; do head -c $((BIG_MB << 20)) /dev/urandom >ctx/bin/big$i.bin; done
echo 1 >ctx/src/VERSION
cat >Dockerfile <<'DF'
FROM localhost/bench-base:1
WORKDIR /ctx
COPY . /ctx
RUN find /ctx -type f | wc -l > /file-count
RUN cat /ctx/src/VERSION
ENV MODE=bench
CMD ["cat", "/file-count"]
DF

"$REPO/scripts/make-busybox-rootfs.sh" rootfs
cb() { "$CBUILD" --root "$WORK/cb" "$@"; }
cb import rootfs localhost/bench-base:1 --env PATH=/bin >/dev/null

# measure TOOL SCENARIO CMD...: wall seconds and peak RSS of one run
measure() {
  local tool=$1 scenario=$2; shift 2
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -o rss.txt -f %M "$@" >/dev/null 2>run.log || { cat run.log >&2; exit 1; }
  end=$(date +%s.%N)
  printf '%s\t%s\t%.2f\t%d\n' "$tool" "$scenario" "$(echo "$end - $start" | bc)" $(( $(cat rss.txt) / 1024 ))
}

printf 'tool\tscenario\twall_s\tpeak_rss_MB\n'
measure cbuild cold "$CBUILD" --root "$WORK/cb" build -q -f Dockerfile -t bench ctx
measure cbuild nothing-changed "$CBUILD" --root "$WORK/cb" build -q -f Dockerfile -t bench ctx
echo 2 >ctx/src/VERSION
measure cbuild one-file-changed "$CBUILD" --root "$WORK/cb" build -q -f Dockerfile -t bench ctx
echo 1 >ctx/src/VERSION

[[ -n ${NO_BUILDAH:-} ]] && exit 0
command -v buildah >/dev/null || { echo "buildah not installed: peer side skipped" >&2; exit 0; }
cb save -o base.tar localhost/bench-base:1
bh() { buildah --root "$WORK/bh" --runroot "$WORK/bhr" --storage-driver overlay "$@"; }
bh pull -q docker-archive:base.tar >/dev/null
bh tag "$(bh images -q | head -1)" localhost/bench-base:1
bud=(buildah --root "$WORK/bh" --runroot "$WORK/bhr" --storage-driver overlay bud --isolation chroot
     --layers -q -f Dockerfile -t bench ctx)
measure buildah cold "${bud[@]}"
measure buildah nothing-changed "${bud[@]}"
echo 2 >ctx/src/VERSION
measure buildah one-file-changed "${bud[@]}"
