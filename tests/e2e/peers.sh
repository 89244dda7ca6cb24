# Sourced by e2e scripts that use podman/buildah/skopeo: a private store under
# $WORK and this repository's containers.conf, so the host's store is untouched.
export CONTAINERS_CONF=$REPO/tests/support/containers/containers.conf
export CONTAINERS_REGISTRIES_CONF=$REPO/tests/support/containers/registries.conf
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf
cat >"$CONTAINERS_STORAGE_CONF" <<EOS
[storage]
driver = "overlay"
graphroot = "$WORK/peer-store"
runroot = "$WORK/peer-run"
EOS
podman_() { podman --root "$WORK/peer-store" --runroot "$WORK/peer-run" "$@"; }
cleanup_peers() {
  podman_ rm -af >/dev/null 2>&1 || true
  podman_ rmi -af >/dev/null 2>&1 || true
  # overlay mounts of the peer store must go before the directory can
  umount -R "$WORK/peer-store/overlay" 2>/dev/null || true
}
trap 'cleanup_peers; rm -rf "$WORK"' EXIT
