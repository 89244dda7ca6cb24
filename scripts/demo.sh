#!/bin/sh
# README's main job, on the built-in default (no registry, no network needed):
# install and build, import a busybox base image made from Debian's
# busybox-static into the local store, build samples/hello, run it, save it as
# hello.tar (docker save format) and scan it with cscan.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
cbuild=./build/builder/cbuild
cscan=./build/analyzer/cscan

echo "== import busybox:local from busybox-static"
rootfs=build/busybox-rootfs  # a fixed path: it is recorded in the image's history
./scripts/make-busybox-rootfs.sh "$rootfs"
SOURCE_DATE_EPOCH=1700000000 $cbuild import "$rootfs" busybox:local \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd /bin/sh

echo "== cbuild build -t hello samples/hello"
$cbuild build -t hello:latest samples/hello

echo "== cbuild run hello"
$cbuild run --rm hello:latest

echo "== save hello.tar"
$cbuild save -o hello.tar hello:latest
$cbuild images

echo "== cscan hello.tar"
status=0
$cscan hello.tar || status=$?
echo "cscan exit code: $status (0 pass, 1 policy failed, 2 input error)"
[ "$status" -le 1 ]
