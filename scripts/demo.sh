#!/bin/sh
# README's main job: install, build, then show the tools on the built-in default.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
./build/builder/cbuild --version
./build/analyzer/cscan --version
