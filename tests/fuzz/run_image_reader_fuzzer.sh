#!/bin/sh
# Builds cscan's image-reader fuzzer with clang + ASan/UBSan, seeds a corpus
# from the crafted e2e images (archives, and single layers with a leading odd
# byte), and runs it. Usage: tests/fuzz/run_image_reader_fuzzer.sh [seconds] (default 600)
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-600}
build=${BUILD_DIR:-$repo/build-fuzz}
work=${FUZZ_WORK:-$build/image-reader-fuzz}

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCBUILD_FUZZ=ON -DCBUILD_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j2 image_reader_fuzzer

mkdir -p "$work/corpus" "$work/artifacts" "$work/seeds"
data=$repo/tests/e2e/analyzer
for spec in fat slim dangling escape; do
  python3 "$data/make_image.py" "$data/$spec.json" "$work/seeds/$spec.tar"
  python3 "$data/make_image.py" "$data/$spec.json" "$work/seeds/$spec.oci.tar" --form oci-archive
done
for f in "$work"/seeds/*.tar; do
  { printf '\000'; cat "$f"; } > "$work/corpus/archive-$(basename "$f")"
done
# Single layers: the blobs inside the OCI archive (plain, gzip, zstd).
tar -xf "$work/seeds/fat.oci.tar" -C "$work/seeds"
for f in "$work"/seeds/blobs/sha256/*; do
  { printf '\001'; cat "$f"; } > "$work/corpus/layer-$(basename "$f" | cut -c1-12)"
done

exec "$build/tests/fuzz/image_reader_fuzzer" "$work/corpus" \
  -artifact_prefix="$work/artifacts/" -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=1024 -print_final_stats=1
