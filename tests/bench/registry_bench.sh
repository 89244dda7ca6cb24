#!/bin/bash
# Push and pull of a ~100 MB image against Debian's docker-registry on
# 127.0.0.1, cbuild vs skopeo copy, best of RUNS (3) each:
#   push-cold   push into an empty registry (every blob uploaded)
#   push-again  the same push again (HEAD finds every blob; manifest only)
#   pull        into an empty store (cbuild) / an empty OCI layout dir (skopeo)
# Both sides move the same gzip blobs (the image is imported once by cbuild;
# skopeo reads cbuild's store as an OCI layout, so nothing is recompressed).
# usage: CBUILD=build/builder/cbuild tests/bench/registry_bench.sh
#   TREE=DIR imports DIR instead of the random files, e.g. the ~250 MB tree of
#   `python3 tests/bench/make_bench_tree.py DIR 0.5` (about 20,000 files).
set -euo pipefail
: "${CBUILD:?set CBUILD to the cbuild binary}"
RUNS=${RUNS:-3}
WORK=$(mktemp -d /tmp/cbuild-regbench.XXXXXX)
REG_PID=
cleanup() {
  [[ -n $REG_PID ]] && { kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
R=127.0.0.1:$PORT
mkdir -p "$WORK/reg"
cat > "$WORK/reg.yml" <<EOC
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $WORK/reg}, delete: {enabled: true}}
http: {addr: $R}
EOC
docker-registry serve "$WORK/reg.yml" >"$WORK/reg.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do curl -sf "http://$R/v2/" >/dev/null && break; sleep 0.1; done

store=$WORK/store
if [[ -n ${TREE:-} ]]; then
  "$CBUILD" --root "$store" import "$TREE" bench:1 >/dev/null
else
  # ~100 MB: five 20 MB files of random bytes (incompressible, like media or binaries)
  mkdir -p "$WORK/tree"
  for i in 1 2 3 4 5; do head -c 20000000 /dev/urandom > "$WORK/tree/f$i"; done
  "$CBUILD" --root "$store" import "$WORK/tree" bench:1 >/dev/null
fi
size=$(du -sm "$store/blobs" | cut -f1)

now() { date +%s.%N; }
best() { # best NAME CMD...  (runs RUNS times after `prep`, prints the minimum)
  local name=$1; shift
  local min=
  for _ in $(seq "$RUNS"); do
    prep
    local t0 t1
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    min=$(python3 -c "import sys; a=float(sys.argv[1])-float(sys.argv[2]); b=sys.argv[3]; print(f'{min(a, float(b)) if b else a:.2f}')" "$t1" "$t0" "$min")
  done
  printf '%s\t%s\n' "$name" "$min"
}
wipe() { rm -rf "$WORK/reg/docker"; }
prep() { :; }
T=--dest-tls-verify=false
S=--src-tls-verify=false
{
  prep() { wipe; }
  best "cbuild push-cold" "$CBUILD" --root "$store" push bench:1 "$R/c/bench:1"
  best "skopeo push-cold" skopeo copy -q $T "oci:$store:bench:1" "docker://$R/s/bench:1"
  prep() { :; }
  "$CBUILD" --root "$store" push bench:1 "$R/c/bench:1" >/dev/null
  skopeo copy -q $T "oci:$store:bench:1" "docker://$R/s/bench:1" >/dev/null
  best "cbuild push-again" "$CBUILD" --root "$store" push bench:1 "$R/c/bench:1"
  best "skopeo push-again" skopeo copy -q $T "oci:$store:bench:1" "docker://$R/s/bench:1"
  prep() { rm -rf "$WORK/pulled" "$WORK/pulled.oci"; }
  best "cbuild pull" "$CBUILD" --root "$WORK/pulled" pull "$R/c/bench:1"
  best "skopeo pull" skopeo copy -q $S "docker://$R/c/bench:1" "oci:$WORK/pulled.oci:bench"
} | tee "$WORK/results.tsv"
echo "image blobs: ${size} MB; registry docker-registry $(docker-registry --version 2>/dev/null | awk '{print $NF}'); skopeo $(skopeo --version | awk '{print $NF}')"
