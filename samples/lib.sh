# Shared by the isolation samples' run.sh scripts (sourced; POSIX sh).
# Sets HERE and CBUILD, skips (exit 77) where the sample cannot run, makes a
# busybox root file system in $ROOTFS (removed at exit), and defines
# expect DESCRIPTION EXPECTED ACTUAL, which counts failures in $failures.
HERE=$(cd "$(dirname "$0")" && pwd)
CBUILD=${CBUILD:-$HERE/../../build/builder/cbuild}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; }
[ -x "$CBUILD" ] || { echo "SKIP: no cbuild at $CBUILD (build it, or set CBUILD)"; exit 77; }

ROOTFS=$(mktemp -d /tmp/cbuild-sample-XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
"$HERE/../../scripts/make-busybox-rootfs.sh" "$ROOTFS"

failures=0
expect() { # expect DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; failures=$((failures + 1)); fi
}
