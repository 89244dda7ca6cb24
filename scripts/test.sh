#!/bin/sh
# Installs what is needed, builds, and runs the whole test suite twice: a normal
# build and an address+undefined sanitizer build. Warnings are errors when CI is set.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

werror=OFF
if [ -n "${CI:-}" ]; then werror=ON; fi
jobs=$(nproc)

echo "== normal build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCBUILD_WERROR=$werror
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== sanitizer build (build-asan/, address+undefined)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCBUILD_WERROR=$werror \
  -DCBUILD_SANITIZE=address,undefined
cmake --build build-asan -j "$jobs"
# Tests labelled no-sanitize (benchmark-sized or peer-tool interop) run once above.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE no-sanitize
