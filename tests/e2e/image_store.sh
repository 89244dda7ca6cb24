#!/bin/bash
# The local image store from the command line: import, images, tag, history,
# inspect, rmi; and the store is an OCI layout that skopeo and umoci read.
source "$(dirname "$0")/lib.sh"
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }

make_busybox_rootfs rootfs

# import a directory; the printed id is the config digest
id=$(SOURCE_DATE_EPOCH=1700000000 cb import rootfs busybox:1 --env PATH=/bin --cmd /bin/sh)
[[ $id =~ ^sha256:[0-9a-f]{64}$ ]] || fail "import printed '$id'"

# the same tree imported again with the same epoch gives the same image id
id2=$(SOURCE_DATE_EPOCH=1700000000 cb import rootfs busybox:2 --env PATH=/bin --cmd /bin/sh)
expect_eq "$id2" "$id" "reproducible import"

# a tar import of the same files works too, and refuses an escaping entry
tar -C rootfs -cf rootfs.tar .
cb import rootfs.tar frombar >/dev/null
printf 'x' > payload && tar --transform 's,^,../,' -cf escape.tar payload 2>/dev/null
if out=$(cb import escape.tar bad 2>&1); then fail "escaping tar was imported"; fi
expect_contains "$out" "escapes" "escape error"

out=$(cb images)
expect_contains "$out" "busybox" "images lists busybox"
expect_contains "$out" "frombar" "images lists the tar import"
[[ $(cb images -q | wc -l) -eq 3 ]] || fail "images -q: $(cb images -q)"

cb tag busybox:1 localhost/mine:v1
out=$(cb history --no-trunc localhost/mine:v1)
expect_contains "$out" "cbuild import rootfs" "history created_by"

cmd=$(cb inspect localhost/mine:v1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"]["config"]["Cmd"])')
expect_eq "$cmd" "['/bin/sh']" "inspect Cmd"

# peers read the store as an OCI layout
if command -v skopeo >/dev/null; then
  skopeo inspect "oci:$store:busybox:1" >/dev/null || fail "skopeo cannot read the store"
fi
if command -v umoci >/dev/null; then
  umoci unpack --image "$store:busybox:1" bundle >/dev/null 2>&1 || fail "umoci unpack failed"
  [[ -x bundle/rootfs/bin/busybox ]] || fail "umoci bundle lacks busybox"
fi

# rmi removes names; the blobs of remaining images stay readable
cb rmi busybox:2 frombar >/dev/null
[[ $(cb images -q | wc -l) -eq 2 ]] || fail "after rmi: $(cb images)"
cb history busybox:1 >/dev/null
if cb rmi nothere 2>/dev/null; then fail "rmi of a missing image succeeded"; fi
if out=$(cb inspect nothere 2>&1); then fail "inspect of a missing image succeeded"; fi
expect_contains "$out" "no such image: nothere" "inspect error"
echo "ok"
