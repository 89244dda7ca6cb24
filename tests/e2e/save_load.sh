#!/bin/bash
# cbuild save writes what peers read and run (podman load + run, skopeo,
# umoci); cbuild load reads what skopeo writes; a round trip keeps the image id.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/peers.sh"
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }

make_busybox_rootfs rootfs
id=$(cb import rootfs localhost/bb:1 --env PATH=/bin --cmd /bin/sh)

cb save -o bb.docker.tar localhost/bb:1
cb save --format oci -o bb.oci.tar localhost/bb:1
cb save --format oci-layout -o bb.layout localhost/bb:1

# a second store loads each form back: same image id (config digest)
for input in bb.docker.tar bb.oci.tar oci:bb.layout; do
  rm -rf store2
  out=$("$CBUILD" --root store2 load -i "$input")
  expect_contains "$out" "Loaded image: localhost/bb:1" "load $input"
  got=$("$CBUILD" --root store2 inspect localhost/bb:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Id"])')
  expect_eq "$got" "$id" "image id after loading $input"
done

command -v skopeo >/dev/null || skip "skopeo is not installed"
skopeo inspect docker-archive:bb.docker.tar >/dev/null || fail "skopeo rejects our docker-archive"
skopeo inspect oci-archive:bb.oci.tar >/dev/null || fail "skopeo rejects our OCI archive"
umoci unpack --image bb.layout:localhost/bb:1 bundle >/dev/null 2>&1 || fail "umoci rejects our layout"

# what skopeo writes, cbuild loads
skopeo copy -q oci:bb.layout:localhost/bb:1 docker-archive:sk.tar:localhost/sk:2
out=$("$CBUILD" --root store3 load -i sk.tar)
expect_contains "$out" "localhost/sk:2" "load skopeo's docker-archive"

command -v podman >/dev/null || skip "podman is not installed"
podman_ load -q -i bb.docker.tar >/dev/null || fail "podman load failed"
out=$(podman_ run --rm localhost/bb:1 /bin/sh -c 'echo hello from $(uname -s)')
expect_eq "$out" "hello from Linux" "podman run of our image"

# bad input: a clear error and exit 2, nothing loaded
echo "not a tar" > junk.tar
if out=$("$CBUILD" --root store4 load -i junk.tar 2>&1); then fail "junk loaded"; fi
expect_contains "$out" "junk.tar" "error names the file"
echo ok
