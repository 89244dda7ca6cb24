#!/bin/sh
# secret-mount: the same key used through RUN --mount=type=secret, and found nowhere.
# Usage: sh samples/secret-mount/run.sh   (as root; CBUILD=path/to/cbuild to override)
# SAVE_TO=FILE also writes the image as a docker-archive tar (e.g. for cscan).
# Exits 0 when every expectation holds, 1 otherwise, 77 when it cannot run here.
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/cbuild-secret-mount-XXXXXX)
trap 'rm -rf "$ROOTFS" "$WORK"' EXIT
cb() { "$CBUILD" --root "$WORK/store" "$@"; }
# holding DIR: the files under DIR (gzip members decompressed, so layer blobs
# count) whose bytes contain $needle.
holding() {
  find "$1" -type f | while read -r f; do
    if gzip -t "$f" 2>/dev/null; then gzip -dc "$f"; else cat "$f"; fi | grep -qF -- "$needle" && echo "$f"
  done
}

echo "== 1. a fresh fake deploy key (made now, never committed), outside the context"
ssh-keygen -q -t ed25519 -N '' -C sample-deploy-key -f "$WORK/id_deploy" 2>/dev/null ||
  openssl genpkey -algorithm ed25519 -out "$WORK/id_deploy"
needle=$(sed -n 2p "$WORK/id_deploy") # a line of the key's body
cb import "$ROOTFS" busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null

echo "== 2. build with --secret id=deploy_key,src=..."
cb build -t secret-mount --secret id=deploy_key,src="$WORK/id_deploy" "$HERE" 2>"$WORK/build.log" ||
  { cat "$WORK/build.log"; echo "FAIL: build"; exit 1; }
cat "$WORK/build.log"

echo "== 3. the key is nowhere: not in the image, not in the store, not in the log"
cb save -o "$WORK/image.tar" secret-mount
mkdir "$WORK/image" && tar -xf "$WORK/image.tar" -C "$WORK/image"
mkdir "$WORK/files"
for f in $(find "$WORK/image" -type f -name '*.tar'); do tar -xf "$f" -C "$WORK/files" 2>/dev/null; done
expect "files of the saved image holding the key (layers, config, history)" 0 "$(holding "$WORK/image" | wc -l)"
expect "files in the image's layers holding the key" 0 "$(holding "$WORK/files" | wc -l)"
expect "files of the store holding the key (blobs, snapshots, cache index)" 0 "$(holding "$WORK/store" | wc -l)"
expect "key in the build output" 0 "$(grep -cF -- "$needle" "$WORK/build.log")"
left=0 # secret dirs of a cbuild that has ended (the name holds its pid)
for d in /dev/shm/cbuild-secrets-*; do
  [ -e "$d" ] || continue; p=${d#/dev/shm/cbuild-secrets-}
  kill -0 "${p%%-*}" 2>/dev/null || left=$((left + 1))
done
expect "secret dirs left in /dev/shm" 0 "$left"

echo "== 4. a rebuild is cached: only the id is in the cache key"
cb build --secret id=deploy_key,src="$WORK/id_deploy" "$HERE" 2>"$WORK/build2.log" >/dev/null
expect "cached steps of the rebuild" 3 "$(grep -c CACHED "$WORK/build2.log")"
[ -n "${SAVE_TO:-}" ] && cp "$WORK/image.tar" "$SAVE_TO"

[ "$failures" = 0 ] && echo "secret-mount: the key was used and left no trace" && exit 0
exit 1
