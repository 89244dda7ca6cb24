#!/bin/bash
# The samples build and behave as their READMEs say; a built image saved
# with cbuild save loads and runs in podman.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }

samples=$REPO/samples

make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null

# hello
cb build -q -t hello "$samples/hello" >/dev/null
unpack hello fs
out=$(cb run --rootfs fs /bin/sh -c 'cat /app/greeting.txt /app/build-info')
expect_contains "$out" "Hello from an image built by cbuild!" "hello prints its greeting"
expect_contains "$out" "built by root" "hello's RUN output was kept"

# fat-vs-slim: uncompressed layers show the 50 MB that a later rm cannot remove
cb build -q --compression none -t demo:fat -f "$samples/fat-vs-slim/Dockerfile.fat" "$samples/fat-vs-slim" >/dev/null
cb build -q --compression none -t demo:slim -f "$samples/fat-vs-slim/Dockerfile.slim" "$samples/fat-vs-slim" >/dev/null
size() { cb inspect "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Size"])'; }
fat=$(size demo:fat); slim=$(size demo:slim)
(( fat - slim > 50000000 )) || fail "fat image ($fat) should be >50 MB larger than slim ($slim)"

# multistage
cb build -q -t report "$samples/multistage" >/dev/null
unpack report fs
expect_contains "$(cb run --rootfs fs /bin/busybox cat /report.txt)" "report built in the build stage" "multistage result runs"
layers=$(cb inspect report | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["Config"]["rootfs"]["diff_ids"]))')
expect_eq "$layers" "2" "the final stage has only its two COPY layers"

# current-date: stale while cached, fresh after a cache bust
built_at() { unpack when fs; cat fs/built-at; }
cb build -q -t when "$samples/current-date" >/dev/null
first=$(built_at)
sleep 1.1
cb build -q -t when "$samples/current-date" >/dev/null
expect_eq "$(built_at)" "$first" "a cached RUN keeps its old date"
cb build -q --build-arg CACHEBUST=$RANDOM -t when "$samples/current-date" >/dev/null
[[ $(built_at) != "$first" ]] || fail "CACHEBUST did not run the step again"

# interop: podman loads and runs what cbuild built
command -v podman >/dev/null || skip "podman is not installed"
source "$REPO/tests/e2e/peers.sh"
cb tag hello localhost/hello:1
cb save -o hello.tar localhost/hello:1
podman_ load -q -i hello.tar >/dev/null || fail "podman load of a built image failed"
out=$(podman_ run --rm localhost/hello:1)
expect_contains "$out" "Hello from an image built by cbuild!" "podman runs the built image"
echo "ok"
