#!/bin/sh
# Builds the Dockerfile-parser fuzzer with clang + ASan/UBSan, seeds a corpus
# from BuildKit's conformance Dockerfiles and our golden files, and runs it.
# Usage: tests/fuzz/run_dockerfile_fuzzer.sh [seconds] (default 600)
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-600}
build=${BUILD_DIR:-$repo/build-fuzz}
work=${FUZZ_WORK:-$build/dockerfile-fuzz}

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCBUILD_FUZZ=ON -DCBUILD_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j2 dockerfile_fuzzer

mkdir -p "$work/corpus" "$work/artifacts"
for f in "$repo"/../shared/conformance/buildkit/parser/*/*/Dockerfile \
         "$repo"/../shared/conformance/buildkit/parser/testfile-line/Dockerfile \
         "$repo"/tests/golden/dockerfile/*/Dockerfile; do
  [ -f "$f" ] || continue
  cp "$f" "$work/corpus/seed-$(echo "$f" | md5sum | cut -c1-12)"
done

exec "$build/tests/fuzz/dockerfile_fuzzer" "$work/corpus" \
  -artifact_prefix="$work/artifacts/" -max_total_time="$seconds" -max_len=8192 \
  -dict="$repo/tests/fuzz/dockerfile.dict" -print_final_stats=1
