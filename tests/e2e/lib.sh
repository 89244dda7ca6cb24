# Shared helpers for the e2e scripts (sourced). Each script runs under
# `set -euo pipefail` in a fresh temporary directory that is removed at exit.
set -euo pipefail
: "${CBUILD:?set CBUILD to the cbuild binary}"
: "${CSCAN:?set CSCAN to the cscan binary}"
: "${REPO:?set REPO to the source tree}"
WORK=$(mktemp -d /tmp/cbuild-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"; }
# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() { [[ "$1" == *"$2"* ]] || fail "$3: expected to contain '$2', got: $1"; }

# make_busybox_rootfs DIR: a minimal root file system from Debian's busybox-static.
make_busybox_rootfs() {
  [[ -x /bin/busybox ]] || skip "busybox-static is not installed"
  "$REPO/scripts/make-busybox-rootfs.sh" "$1"
}

# unpack IMAGE DIR: the file system of IMAGE in the store that `cb` (defined
# by the calling script) uses: its layers from `cb save` applied in order,
# whiteouts and opaque directories honoured.
unpack() {
  local image=$1 dir=$2 x=$WORK/unpack.$$
  rm -rf "$dir" "$x"; mkdir -p "$dir" "$x"
  cb save -o "$x/img.tar" "$image"
  tar -xf "$x/img.tar" -C "$x"
  for layer in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$x/manifest.json"); do
    tar -tf "$x/$layer" | { grep -E '(^|/)\.wh\.' || true; } | while read -r wh; do
      name=${wh##*/}; parent=${wh%"$name"}
      [[ $name == .wh..wh..opq ]] && { find "$dir/$parent" -mindepth 1 -delete; continue; }
      rm -rf "${dir:?}/$parent${name#.wh.}"
    done
    tar -xf "$x/$layer" -C "$dir"
    find "$dir" -name '.wh.*' -delete
  done
  rm -rf "$x"
}

# start_build_store: for build tests: skips unless root, then defines `cb`
# (cbuild on the store $WORK/store) and imports a busybox base as busybox:local.
start_build_store() {
  [[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
  store=$WORK/store
  cb() { "$CBUILD" --root "$store" "$@"; }
  make_busybox_rootfs "$WORK/rootfs"
  cb import "$WORK/rootfs" busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null
}
