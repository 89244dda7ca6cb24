#!/bin/bash
# Differential suite: every case under tests/e2e/differential/ is built by
# cbuild and by buildah (1.28, chroot isolation, overlay, a private store) on
# the same busybox base, then the final file systems and configs are compared
# (compare.py). A case may give buildah an equivalent Dockerfile.buildah when
# it uses syntax buildah 1.28 lacks (heredocs, COPY --parents/--exclude/--link,
# symbolic --chmod), and list real buildah-vs-Docker differences in `known`.
# A case's prepare.sh (optional) runs in its context copy first (modes,
# symlinks and archives git does not keep). CASES="a b" runs only those.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
command -v buildah >/dev/null || skip "buildah is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
source "$REPO/tests/e2e/peers.sh"
buildah_() { buildah --root "$WORK/peer-store" --runroot "$WORK/peer-run" "$@"; }
cleanup_differential() {
  buildah_ rm -a >/dev/null 2>&1 || true
  buildah_ rmi -af >/dev/null 2>&1 || true
  cleanup_peers
  rm -rf "$WORK"
}
trap cleanup_differential EXIT
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }
suite=$REPO/tests/e2e/differential

make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null
cb save -o base.tar busybox:local
buildah_ pull -q docker-archive:base.tar >/dev/null

cases=${CASES:-$(cd "$suite" && ls -d */ | tr -d /)}
for name in $cases; do
  mkdir -p "ctx/$name" out
  cp -a "$suite/$name/." "ctx/$name/"
  if [[ -f ctx/$name/prepare.sh ]]; then (cd "ctx/$name" && sh ./prepare.sh && rm prepare.sh); fi
done

# cbuild in the background while buildah builds: the two use separate stores.
build_cbuild() {
  for name in $cases; do
    args=$(cat "ctx/$name/build-args" 2>/dev/null || true)
    # shellcheck disable=SC2086
    cb build -q $args -t "diff-$name" "ctx/$name" >"out/$name.cbuild.log" 2>&1 ||
      { echo "cbuild build of $name failed:"; cat "out/$name.cbuild.log"; return 1; }
    unpack "diff-$name" "out/$name.cbuild"
    cb inspect "diff-$name" | python3 -c 'import json,sys; json.dump(json.load(sys.stdin)[0]["Config"], sys.stdout)' >"out/$name.cbuild.json"
  done
}
build_cbuild >out/cbuild.status 2>&1 &
cbuild_pid=$!

failed=()
for name in $cases; do
  dockerfile=ctx/$name/Dockerfile
  [[ -f ctx/$name/Dockerfile.buildah ]] && dockerfile=ctx/$name/Dockerfile.buildah
  args=$(cat "ctx/$name/build-args" 2>/dev/null || true)
  # shellcheck disable=SC2086
  buildah_ bud -q --isolation chroot --pull=never --format docker $args -f "$dockerfile" \
    -t "localhost/diff-$name" "ctx/$name" >"out/$name.buildah.log" 2>&1 ||
    { echo "buildah bud of $name failed:"; cat "out/$name.buildah.log"; failed+=("$name"); }
done
wait "$cbuild_pid" || { cat out/cbuild.status; fail "cbuild builds failed"; }

for name in $cases; do
  [[ " ${failed[*]} " == *" $name "* ]] && continue
  ctr=$(buildah_ from --pull=never "localhost/diff-$name")
  mnt=$(buildah_ mount "$ctr")
  buildah_ inspect --type image "localhost/diff-$name" |
    python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["Docker"], sys.stdout)' >"out/$name.buildah.json"
  if ! python3 "$suite/compare.py" "out/$name.cbuild" "out/$name.cbuild.json" "$mnt" \
      "out/$name.buildah.json" "ctx/$name/known" >"out/$name.diff"; then
    echo "== $name differs:"; cat "out/$name.diff"; failed+=("$name")
  fi
  buildah_ umount "$ctr" >/dev/null
  buildah_ rm "$ctr" >/dev/null
done
(( ${#failed[@]} == 0 )) || fail "differences in: ${failed[*]}"
echo "ok: $(wc -w <<<"$cases") cases equal"
