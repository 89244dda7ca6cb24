#!/bin/bash
# Images cbuild builds (several layers, whiteouts, an opaque directory,
# COPY --link/--chown/--chmod, heredocs) are read by the peer tools: skopeo
# inspects and copies what `cbuild save` writes and the store itself as an
# OCI layout; umoci unpacks the store, and its rootfs equals cbuild's own.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
for tool in skopeo umoci python3; do
  command -v $tool >/dev/null || skip "$tool is not installed"
done
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }
make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null

mkdir ctx && echo data >ctx/data.txt
cat >ctx/Dockerfile <<'EOF'
FROM busybox:local
RUN mkdir -p /opt/old && echo 1 >/opt/old/a && rm /bin/vi
RUN rm -rf /opt && mkdir -p /opt/new && echo 2 >/opt/new/b
COPY --link --chown=nobody:nogroup --chmod=640 data.txt /srv/data.txt
COPY <<EOT /srv/note
written by a heredoc
EOT
ENV APP=interop
CMD ["/bin/cat", "/srv/note"]
EOF
cb build -q -t localhost/interop:1 ctx >/dev/null
id=$(cb inspect localhost/interop:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Id"])')

# the store as an OCI layout, and each form cbuild save writes
cb save -o built.docker.tar localhost/interop:1
cb save --format oci -o built.oci.tar localhost/interop:1
for ref in "oci:$store:localhost/interop:1" docker-archive:built.docker.tar oci-archive:built.oci.tar; do
  json=$(skopeo inspect --config "$ref") || fail "skopeo inspect --config $ref"
  summary=$(python3 -c 'import json,sys; c=json.load(sys.stdin); print(len(c["rootfs"]["diff_ids"]), c["config"]["Cmd"], "APP=interop" in c["config"]["Env"])' <<<"$json")
  expect_eq "$summary" "5 ['/bin/cat', '/srv/note'] True" "skopeo's view of $ref"
  digest=$(skopeo inspect --raw "$ref" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])') ||
    fail "skopeo inspect --raw $ref"
  expect_eq "$digest" "$id" "config digest skopeo reads from $ref"
done

# skopeo copies the built image to other transports without complaint
skopeo copy -q docker-archive:built.docker.tar oci:copied:latest || fail "skopeo copy docker-archive -> oci"
skopeo copy -q "oci:$store:localhost/interop:1" docker-archive:copied.tar:localhost/copied:1 ||
  fail "skopeo copy store -> docker-archive"
out=$("$CBUILD" --root store2 load -i copied.tar)
expect_contains "$out" "localhost/copied:1" "cbuild loads what skopeo copied"

# umoci unpacks the store; the rootfs is the one cbuild itself unpacks
umoci unpack --image "$store:localhost/interop:1" bundle >/dev/null 2>&1 || fail "umoci unpack of the store"
umoci unpack --image copied:latest bundle2 >/dev/null 2>&1 || fail "umoci unpack of skopeo's copy"
unpack localhost/interop:1 ours
[[ ! -e bundle/rootfs/bin/vi && ! -e bundle/rootfs/opt/old && -f bundle/rootfs/opt/new/b ]] ||
  fail "umoci's rootfs lacks a whiteout or the opaque directory"
expect_eq "$(stat -c '%u:%g %a' bundle/rootfs/srv/data.txt)" "65534:65534 640" "COPY --chown/--chmod through umoci"
expect_eq "$(cat bundle/rootfs/srv/note)" "written by a heredoc" "COPY heredoc through umoci"
cb inspect localhost/interop:1 | python3 -c 'import json,sys; json.dump(json.load(sys.stdin)[0]["Config"], sys.stdout)' >config.json
for tree in bundle/rootfs bundle2/rootfs; do
  python3 "$REPO/tests/e2e/differential/compare.py" ours config.json "$tree" config.json none ||
    fail "$tree differs from cbuild's own unpack"
done
echo ok
