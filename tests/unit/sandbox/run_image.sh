#!/bin/sh
# cbuild run IMAGE: an image imported into a throw-away store runs with its
# config (Env, WorkingDir from the image; CMD from the command line).
# Usage: CBUILD=path/to/cbuild sh tests/unit/sandbox/run_image.sh (root; exit 77 = skipped)
set -u
CBUILD=${CBUILD:?set CBUILD}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; }
WORK=$(mktemp -d /tmp/cbuild-run-image-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$WORK/rootfs/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$WORK/rootfs/etc/passwd"
echo 'root:x:0:' > "$WORK/rootfs/etc/group"
echo "from-the-image" > "$WORK/rootfs/etc/marker"

"$CBUILD" --root "$WORK/store" import "$WORK/rootfs" runtest:1 >/dev/null || exit 1
out=$("$CBUILD" --root "$WORK/store" run -w /srv runtest:1 sh -c 'cat /etc/marker; pwd; echo $PATH')
expected="from-the-image
/srv
/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
[ "$out" = "$expected" ] || { echo "FAIL: got '$out'"; exit 1; }
"$CBUILD" --root "$WORK/store" run runtest:1 sh -c 'echo changed > /etc/marker'
again=$("$CBUILD" --root "$WORK/store" run runtest:1 cat /etc/marker)
[ "$again" = "from-the-image" ] || { echo "FAIL: a run changed the image: '$again'"; exit 1; }
"$CBUILD" --root "$WORK/store" run missing:1 true 2>/dev/null
[ $? = 2 ] || { echo "FAIL: a missing image should be a usage error"; exit 1; }
echo "run IMAGE: ok"
