#!/bin/sh
# secret-leak: COPY a key, use it, `RUN rm` it, and find it in the image anyway.
# Usage: sh samples/secret-leak/run.sh   (as root; CBUILD=path/to/cbuild to override)
# SAVE_TO=FILE also writes the image as a docker-archive tar (e.g. for cscan).
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/cbuild-secret-leak-XXXXXX)
trap 'rm -rf "$ROOTFS" "$WORK"' EXIT
cb() { "$CBUILD" --root "$WORK/store" "$@"; }

echo "== 1. a fresh fake deploy key (made now, never committed)"
mkdir "$WORK/ctx"
cp "$HERE/Dockerfile" "$WORK/ctx/"
ssh-keygen -q -t ed25519 -N '' -C sample-deploy-key -f "$WORK/ctx/id_deploy" 2>/dev/null ||
  openssl genpkey -algorithm ed25519 -out "$WORK/ctx/id_deploy"
needle=$(sed -n 2p "$WORK/ctx/id_deploy") # a line of the key's body
cb import "$ROOTFS" busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null

echo "== 2. build: COPY the key, use it, RUN rm it"
cb build -t secret-leak "$WORK/ctx" || { echo "FAIL: build"; exit 1; }
expect "the key is gone from the final file system" gone \
  "$(cb run secret-leak sh -c 'test -e /root/.ssh/id_deploy && echo present || echo gone')"

echo "== 3. ...but every layer is still in the image"
cb save -o "$WORK/image.tar" secret-leak
mkdir "$WORK/image" && tar -xf "$WORK/image.tar" -C "$WORK/image"
found=""
for layer in $(cd "$WORK/image" && find . -type f -name '*.tar' | sort); do
  tar -xOf "$WORK/image/$layer" 2>/dev/null | grep -qF -- "$needle" && found="$found ${layer#./}"
done
echo "layers holding the key:${found:- none}"
expect "the key is readable in a layer" yes "$([ -n "$found" ] && echo yes || echo no)"
[ -n "${SAVE_TO:-}" ] && cp "$WORK/image.tar" "$SAVE_TO"

[ "$failures" = 0 ] && echo "secret-leak: the key leaked, as the workshop showed" && exit 0
exit 1
