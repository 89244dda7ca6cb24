#!/bin/bash
# Reproducible builds: with SOURCE_DATE_EPOCH, builds of the same Dockerfile
# and context from clean stores give bit-identical image digests, RUN layers
# included; another epoch gives another digest, also in a store that built
# the first one (the epoch is part of the cache key). --metadata-file and
# --iidfile report the digests.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
make_busybox_rootfs rootfs

# A context whose RUN makes files, directories, a symlink, a mode change and
# a deletion: all of them carry build-time mtimes that must be clamped.
mkdir runctx
cat >runctx/Dockerfile <<'DF'
FROM busybox:local
RUN mkdir -p /srv/a/b && echo data >/srv/a/b/f && ln -s b/f /srv/a/link \
 && chmod 700 /srv/a && rm /etc/group && touch /tmp/new
DF

# build_all STORE WAY EPOCH: import the base, then build each sample into
# STORE, passing EPOCH through the environment (env) or a build arg (arg);
# writes STORE.<sample>.json (--metadata-file) and STORE.<sample>.iid.
build_all() {
  local store=$1 way=$2 epoch=$3 sample dir
  SOURCE_DATE_EPOCH=1700000000 "$CBUILD" --root "$store" import rootfs busybox:local \
    --env PATH=/bin >/dev/null
  for sample in hello multistage runctx; do
    dir=$REPO/samples/$sample
    [[ $sample == runctx ]] && dir=runctx
    local flags=(-q -t "$sample:repro" --metadata-file "$store.$sample.json"
      --iidfile "$store.$sample.iid" "$dir")
    if [[ $way == env ]]; then
      SOURCE_DATE_EPOCH=$epoch "$CBUILD" --root "$store" build "${flags[@]}" >/dev/null \
        2>"$store.log" || { cat "$store.log"; fail "build of $sample in $store"; }
    else
      env -u SOURCE_DATE_EPOCH "$CBUILD" --root "$store" build --build-arg SOURCE_DATE_EPOCH=$epoch \
        "${flags[@]}" >/dev/null 2>"$store.log" || { cat "$store.log"; fail "build of $sample in $store"; }
    fi
  done
}
digest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

build_all s1 env 1700000000
build_all s2 arg 1700000000
build_all s3 env 1600000000
for sample in hello multistage runctx; do
  d1=$(digest s1.$sample.json containerimage.digest)
  [[ $d1 =~ ^sha256:[0-9a-f]{64}$ ]] || fail "metadata of $sample: '$d1'"
  expect_eq "$(digest s2.$sample.json containerimage.digest)" "$d1" \
    "$sample: image digest from two clean stores (env vs --build-arg)"
  [[ $(digest s3.$sample.json containerimage.digest) != "$d1" ]] ||
    fail "$sample: another SOURCE_DATE_EPOCH gave the same digest"
  expect_eq "$(cat s1.$sample.iid)" "$(digest s1.$sample.json containerimage.config.digest)" \
    "$sample: --iidfile holds the config digest"
  expect_eq "$(digest s1.$sample.json image.name)" "docker.io/library/$sample:repro" \
    "$sample: image.name"
done

# The store that built with one epoch builds the other one's image, not a
# cached copy of its own.
"$CBUILD" --root s1 build --build-arg SOURCE_DATE_EPOCH=1600000000 -q \
  --metadata-file again.json runctx >/dev/null 2>again.log || { cat again.log; fail "rebuild"; }
expect_eq "$(digest again.json containerimage.digest)" "$(digest s3.runctx.json containerimage.digest)" \
  "a new epoch in a warm store"
set +e
"$CBUILD" --root s1 build --build-arg SOURCE_DATE_EPOCH=yesterday runctx >/dev/null 2>bad.log
rc=$?
set -e
expect_eq "$rc" "2" "exit code of a bad SOURCE_DATE_EPOCH"
expect_contains "$(cat bad.log)" "--build-arg SOURCE_DATE_EPOCH 'yesterday'" "bad epoch message"

# A COPY that misses because one file changed links the files it copied
# last time that did not change (no data copied), and its layer is the one
# a clean store writes; a file whose mtime alone changed is copied anew.
mkdir -p copyctx/src/d
for i in $(seq 40); do echo "file $i" >copyctx/src/d/f$i; done
echo 1 >copyctx/src/VERSION
printf 'FROM busybox:local\nCOPY src /src\nRUN cat /src/VERSION\n' >copyctx/Dockerfile
diff_ids() { "$CBUILD" --root "$1" inspect "$2" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
doc = doc[0] if isinstance(doc, list) else doc
print(" ".join(doc["config"]["rootfs"]["diff_ids"]))'; }
"$CBUILD" --root warm import rootfs busybox:local --env PATH=/bin >/dev/null
"$CBUILD" --root warm build -q -t copy:1 copyctx >/dev/null 2>warm1.log || { cat warm1.log; fail "first COPY build"; }
echo 2 >copyctx/src/VERSION
touch -d '2001-01-01' copyctx/src/d/f7
"$CBUILD" --root warm build -q -t copy:2 copyctx >/dev/null 2>warm2.log || { cat warm2.log; fail "rebuild"; }
"$CBUILD" --root cold import rootfs busybox:local --env PATH=/bin >/dev/null
"$CBUILD" --root cold build -q -t copy:2 copyctx >/dev/null 2>cold.log || { cat cold.log; fail "clean build"; }
expect_eq "$(diff_ids warm copy:2)" "$(diff_ids cold copy:2)" "COPY layer after a one-file change vs a clean store"
linked=$(find warm/snapshots -path '*/src/d/f*' -type f -links +1 | wc -l)
[[ $linked -ge 39 ]] || fail "unchanged files were copied again ($linked of 40 linked)"
[[ $(find warm/snapshots -path '*/src/d/f7' -type f -links 1 | wc -l) -ge 2 ]] ||
  fail "a file whose mtime changed was linked, not copied"
echo "ok"
