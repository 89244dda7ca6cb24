#!/bin/bash
# The builder's side of the store: the global build lock (builds share it,
# prune waits for them), cleanup after a SIGKILLed build, rmi keeping the
# build cache's layers, `cbuild du` and `cbuild prune` with its flags.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }
# wait_for_run: until a RUN step's scratch dir exists (the sandbox started)
wait_for_run() {
  for _ in $(seq 100); do
    compgen -G "$store/snapshots/.tmp/run-*" >/dev/null && return 0
    sleep 0.1
  done
  fail "the RUN step never started"
}
# steps_run LOG: the "N steps run" count of a build's summary line
steps_run() { sed -n 's/.*done: \([0-9]*\) steps run.*/\1/p' "$1"; }

make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin >/dev/null
mkdir ctx slow
echo hello >ctx/hello.txt
printf 'FROM busybox:local\nCOPY hello.txt /\nRUN cat /hello.txt >/copy.txt\n' >ctx/Dockerfile
printf 'FROM busybox:local\nARG N\nRUN sleep 3; echo $N >/n\n' >slow/Dockerfile

# 1. rmi deletes no layer the build cache still uses: the rebuild is all hits
cb build -t app:1 ctx >/dev/null 2>build1.log || { cat build1.log; fail "first build"; }
cb rmi app:1 >/dev/null
cb build -t app:1 ctx >/dev/null 2>build2.log || { cat build2.log; fail "build after rmi"; }
expect_eq "$(steps_run build2.log)" 0 "steps run again after rmi (cache layers deleted?)"

# 2. a SIGKILLed build leaves its RUN scratch dir; the next build removes it
"$CBUILD" --root "$store" build --build-arg N=1 slow >/dev/null 2>killed.log & # $! is cbuild
pid=$!
wait_for_run
kill -KILL $pid
wait $pid 2>/dev/null || true
compgen -G "$store/snapshots/.tmp/run-*" >/dev/null || fail "SIGKILL left nothing to clean up"
kill -0 $pid 2>/dev/null && fail "cbuild survived SIGKILL"
cb build ctx >/dev/null 2>build3.log || { cat build3.log; fail "build after the kill"; }
leftover=$(ls -A "$store/snapshots/.tmp")
expect_eq "$leftover" "" "snapshots/.tmp after the next build"

# 3. builds share the lock: a second build leaves the first one's scratch
#    alone; a prune waits for the running build, then runs
cb build --build-arg N=2 slow >/dev/null 2>slow.log &
pid=$!
wait_for_run
echo changed >ctx/hello.txt
cb build ctx >/dev/null 2>build4.log || { cat build4.log; fail "concurrent build"; }
cb prune -f >prune1.out 2>prune1.err
wait $pid || { cat slow.log; fail "the slow build failed while another build and a prune ran"; }
expect_contains "$(cat prune1.err)" "waiting for running builds" "prune waited for the build"
expect_contains "$(cat prune1.out)" "Total reclaimed space" "prune summary"

# 4. after prune the tagged image is intact and its steps run again
cb save -o app.tar app:1 || fail "app:1 unreadable after prune"
cb build -t app:1 ctx >/dev/null 2>build5.log || { cat build5.log; fail "build after prune"; }
expect_eq "$(steps_run build5.log)" 2 "steps run after prune"

# 5. --filter until= keeps records used recently
cb prune -f --filter until=1h >/dev/null
cb build -t app:1 ctx >/dev/null 2>build6.log
expect_eq "$(steps_run build6.log)" 0 "steps run after prune --filter until=1h"
rc=0
cb prune -f --filter label=x 2>bad.err || rc=$?
expect_eq "$rc" 2 "exit code of a bad --filter"
expect_contains "$(cat bad.err)" "only until=DURATION" "bad filter message"

# 6. du lists each part; --cache-mounts empties <root>/cache-mounts/*
mkdir -p "$store/cache-mounts/$(printf id | sha256sum | cut -c1-64)"
head -c 100000 /dev/urandom >"$store/cache-mounts/$(printf id | sha256sum | cut -c1-64)/data"
du_out=$(cb du)
for part in blobs snapshots "cache records" "cache mounts" "run cache" total; do
  expect_contains "$du_out" "$part" "du row"
done
[[ $(awk '/^cache mounts/ {print $3}' <<<"$du_out") == 1 ]] || fail "du cache mounts: $du_out"
cb prune -f >/dev/null
[[ -n $(ls -A "$store/cache-mounts") ]] || fail "prune without --cache-mounts emptied them"
cb prune -f --all --cache-mounts >/dev/null
expect_eq "$(ls -A "$store/cache-mounts")" "" "cache mounts after --cache-mounts"
expect_eq "$(ls -A "$store/snapshots" | grep -v '^.tmp$' || true)" "" "snapshots after --all"
cb save -o app2.tar app:1 || fail "app:1 unreadable after prune --all"
# without -f, anything but "y" keeps everything
cb build ctx >/dev/null 2>&1
echo n | cb prune >/dev/null 2>&1
[[ -n $(ls -A "$store/cache/steps") ]] || fail "prune without confirmation deleted records"
# 7. cbuild run IMAGE unpacks it once into run-cache: what a run killed while
#    unpacking left (run-cache/unpacking-*) goes at the next unpack, and two
#    first runs of an image at once both work
mkdir -p "$store/run-cache/unpacking-Kil1ed/bin"
echo half >"$store/run-cache/unpacking-Kil1ed/bin/file"
cb run app:1 cat /copy.txt >run1.out 2>run1.err & p1=$!
cb run app:1 cat /copy.txt >run2.out 2>run2.err || { cat run2.err; fail "a first run of app:1"; }
wait $p1 || { cat run1.err; fail "a concurrent first run of app:1"; }
expect_eq "$(cat run1.out run2.out)" "$(printf 'changed\nchanged')" "both runs see the image"
expect_eq "$(ls -A "$store/run-cache" | grep -c '^unpacking-' || true)" 0 "unpacking dirs left in run-cache"
expect_eq "$(ls -A "$store/run-cache" | grep -vc '^\.unpack\.lock$' || true)" 1 "one unpacked image in run-cache"

# 8. prune and the run cache: a tagged image's entry stays, an untagged
#    image's goes, but not while a run is using it
run_entries() { ls -A "$store/run-cache" | grep -vc '^\.unpack\.lock$' || true; }
cb prune -f >/dev/null
expect_eq "$(run_entries)" 1 "run cache of a tagged image after prune"
entry=$store/run-cache/$(ls -A "$store/run-cache" | grep -v '^\.unpack\.lock$')
cb run app:1 sleep 5 >/dev/null 2>&1 &
runner=$!
for _ in $(seq 100); do # until the run holds its entry (flock -n then fails)
  flock -n -x "$entry" true 2>/dev/null || break
  sleep 0.1
done
cb rmi app:1 >/dev/null
cb prune -f >/dev/null
expect_eq "$(run_entries)" 1 "run cache entry kept while a run uses it"
wait $runner || fail "the run whose image was pruned failed"
cb prune -f >/dev/null
expect_eq "$(run_entries)" 0 "run cache of an untagged image after prune"
echo "build store: OK"
