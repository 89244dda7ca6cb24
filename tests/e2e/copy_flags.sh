#!/bin/bash
# COPY flags beyond what buildah 1.28 can cross-check: --link reuses its layer
# when the image below changes and is written as on scratch; files --exclude
# leaves out are not part of the cache key; bad --chmod/--chown values stop
# the build with exit 2 naming the line.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }
make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null
last_layer() { cb inspect "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"]["rootfs"]["diff_ids"][-1])'; }

# --link: same layer after the RUN below it changed; /l is new (0755) although
# the image below has it as 0700
mkdir link && echo linked >link/a.txt
cat >link/Dockerfile <<'EOF'
FROM busybox:local
ARG BUST
RUN mkdir -m 700 /l && echo "$BUST" >/bust
COPY --link a.txt /l/a.txt
EOF
cb build -q --build-arg BUST=1 -t link:1 link >/dev/null
cb build --build-arg BUST=2 -t link:2 link >out.txt 2>&1
expect_eq "$(grep -c CACHED out.txt || true)" "0" "a changed RUN below misses every later step"
expect_eq "$(last_layer link:2)" "$(last_layer link:1)" "the --link layer is the same after its parent changed"
unpack link:2 fs
expect_eq "$(stat -c %a fs/l)" "755" "--link writes its parent directory as on scratch"
expect_eq "$(cat fs/l/a.txt)" "linked" "--link content"

# --exclude: touching only excluded files misses nothing
mkdir ex && echo keep >ex/keep.txt && echo one >ex/debug.log
printf 'FROM busybox:local\nCOPY --exclude=*.log . /app/\n' >ex/Dockerfile
cb build -q -t ex ex >/dev/null
echo two >ex/debug.log
cb build -t ex ex >out.txt 2>&1
expect_contains "$(cat out.txt)" "CACHED" "an excluded file's change is not a cache miss"
unpack ex fs
[[ -f fs/app/keep.txt && ! -e fs/app/debug.log ]] || fail "--exclude left out the wrong files"

# bad flag values: exit 2, the line named
printf 'FROM busybox:local\nCOPY --chmod=u+q keep.txt /k\n' >ex/Dockerfile
set +e; out=$(cb build -q ex 2>&1); rc=$?; set -e
expect_eq "$rc" "2" "exit code of a bad --chmod"
expect_contains "$out" "Dockerfile:2" "a bad --chmod names its line"
expect_contains "$out" "symbolic" "a bad --chmod says which forms are accepted"
printf 'FROM busybox:local\nCOPY --chown=nosuchuser keep.txt /k\n' >ex/Dockerfile
set +e; out=$(cb build -q ex 2>&1); rc=$?; set -e
expect_eq "$rc" "2" "exit code of an unknown --chown user"
expect_contains "$out" "nosuchuser" "an unknown --chown user is named"
echo ok
