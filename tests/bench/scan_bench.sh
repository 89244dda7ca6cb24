#!/bin/bash
# cscan benchmark: a ~1 GB (uncompressed) gzip image made of real files from
# this machine's /usr (binaries, headers, docs), 4 layers + one waste layer, as
# an OCI layout. In the same run it measures the decompression floor
# (`tar -xzOf LAYER > /dev/null` for every layer, one after another) and cscan's
# full analysis (tree + efficiency + audit, JSON to /dev/null) with 1 thread
# and with one thread per core; peak memory from /usr/bin/time.
# Usage: tests/bench/scan_bench.sh [CSCAN]   (env BENCH_DIR, default /tmp/cscan-bench)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cscan=${1:-$repo/build-analyzer/analyzer/cscan}
dir=${BENCH_DIR:-/tmp/cscan-bench}
mkdir -p "$dir"
cd "$dir"

make_image() {
  rm -rf image lists && mkdir -p lists image/blobs/sha256
  # Files from /usr until ~1 GB, split into 4 layer lists of ~250 MB.
  find /usr/bin /usr/include /usr/share /usr/lib/x86_64-linux-gnu -xdev -type f -printf '%s %p\n' \
    2>/dev/null | sort -k2 | awk -v cap=$((1000 * 1000 * 1000)) '
      { total += $1; if (total > cap) exit; layer = int(total / (cap / 4)); if (layer > 3) layer = 3;
        sub(/^[0-9]+ \//, ""); print > ("lists/layer" layer) }'
  for i in 0 1 2 3; do
    (tar -C / --numeric-owner -cf - --files-from "lists/layer$i" | gzip -6 > "layer$i.tar.gz") &
  done
  wait
  # A waste layer: re-add 20 MB of layer 0 with other modes (a chmod -R).
  mkdir -p waste && tar -C / -cf - --files-from <(head -n 400 lists/layer0) | tar -C waste -xf -
  chmod -R go-rwx waste && tar -C waste --numeric-owner -cf - . | gzip -6 > layer4.tar.gz
  rm -rf waste
  python3 - <<'PY'
import hashlib, json, os, gzip, shutil
def sha_file(path, opener=open):
    h = hashlib.sha256()
    with opener(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
layers, diff_ids, history = [], [], []
for i in range(5):
    path = f"layer{i}.tar.gz"
    digest = sha_file(path)
    diff_ids.append("sha256:" + sha_file(path, gzip.open))
    shutil.copy(path, f"image/blobs/sha256/{digest}")
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": "sha256:" + digest, "size": os.path.getsize(path)})
    history.append({"created_by": f"/bin/sh -c #(nop) COPY usr-part-{i} /" if i < 4 else "/bin/sh -c chmod -R go-rwx /usr"})
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}).encode()
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(f"image/blobs/sha256/{d}", "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
c = put(config)
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **c),
                "layers": layers}).encode()
md = put(m)
open("image/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [
    dict(mediaType="application/vnd.oci.image.manifest.v1+json", **md,
         annotations={"org.opencontainers.image.ref.name": "bench"})]}))
open("image/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
}

[[ -f image/index.json ]] || make_image
compressed=$(cat layer*.tar.gz | wc -c)
echo "image: $dir/image ($(ls layer*.tar.gz | wc -l) gzip layers, $((compressed / 1000000)) MB compressed)"

measure() { # measure LABEL CMD...: prints "LABEL wall_s user_s sys_s max_rss_kb"
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o time.out "$@" >/dev/null
  echo "$label | $(cat time.out)"
}
echo "what | wall s | user s | sys s | max RSS kB"
for round in 1 2 3; do
  measure "floor: tar -xzOf every layer (sequential)" \
    bash -c 'for f in layer*.tar.gz; do tar -xzOf "$f" > /dev/null; done'
  measure "cscan -j1 --no-secrets" "$cscan" oci:image:bench -f json --fail-on never -j 1 --no-secrets -o /dev/null
  measure "cscan -j$(nproc) --no-secrets" "$cscan" oci:image:bench -f json --fail-on never --no-secrets -o /dev/null
  measure "cscan -j$(nproc) (with secret scan)" "$cscan" oci:image:bench -f json --fail-on never -o /dev/null
done
