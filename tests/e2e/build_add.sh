#!/bin/bash
# ADD from URLs (a local HTTP server on 127.0.0.1) and of local archives, and
# ONBUILD triggers. Scenarios:
#  1. ADD of a URL: the name from the URL path, mode 0600, mtime from
#     Last-Modified, --chmod, --checksum, no extraction of a URL archive;
#     archives of every compression extracted, --chown on extracted entries,
#     a compressed non-archive copied as is.
#  2. the rebuild is cached; a changed download misses and --explain says so.
#  3. bad input: checksum mismatch (nothing stored), HTTP 404, an archive
#     entry escaping the destination.
#  4. ONBUILD: triggers stored by a parent image run in the child; refused
#     triggers name their line.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
for tool in bzip2 xz zstd gzip; do
  command -v $tool >/dev/null || skip "$tool is not installed"
done
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }
make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null

# A static HTTP server on a free port; python's server sends Last-Modified.
mkdir www
echo "remote content e2e-7f3a" >www/file.txt
touch -d '2020-01-02 03:04:05 UTC' www/file.txt
python3 -u -m http.server 0 --bind 127.0.0.1 --directory www >server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' server.log | head -1)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || fail "the HTTP server did not start: $(cat server.log)"
url=http://127.0.0.1:$port
sha=sha256:$(sha256sum www/file.txt | cut -d' ' -f1)

mkdir -p ctx arc/dir
echo "inside the archive" >arc/dir/a.txt
tar -cf ctx/plain.tar -C arc dir
gzip -c ctx/plain.tar >ctx/a.tar.gz
bzip2 -c ctx/plain.tar >ctx/a.tar.bz2
xz -c ctx/plain.tar >ctx/a.tar.xz
zstd -q -c ctx/plain.tar >ctx/a.tar.zst
cp ctx/a.tar.xz ctx/misnamed.txt # detected by content, not by name
echo "just text" | gzip -c >ctx/text.gz
cp ctx/a.tar.gz www/a.tar.gz
cat >ctx/Dockerfile <<'DF'
FROM busybox:local
ARG URL
ADD $URL/file.txt /dl/
ADD --chmod=644 $URL/file.txt /dl/chmod.txt
ADD $URL/a.tar.gz /dl/url-archive/
ADD plain.tar /x/plain/
ADD a.tar.gz /x/gz/
ADD a.tar.bz2 /x/bz2/
ADD a.tar.xz /x/xz/
ADD a.tar.zst /x/zst/
ADD misnamed.txt /x/misnamed/
ADD --chown=1234:5678 a.tar.gz /x/owned/
ADD text.gz /x/
DF
sed "s|ADD --chmod|ADD --checksum=$sha $url/file.txt /dl/checked.txt\nADD --chmod|" ctx/Dockerfile >ctx/Dockerfile.tmp
mv ctx/Dockerfile.tmp ctx/Dockerfile

# 1. a cold build
cb build -t add:1 --build-arg URL=$url ctx >/dev/null 2>build1.log || { cat build1.log; fail "ADD build failed"; }
unpack add:1 fs
expect_eq "$(cat fs/dl/file.txt)" "remote content e2e-7f3a" "ADD of a URL into a directory"
expect_eq "$(stat -c '%a %Y' fs/dl/file.txt)" "600 1577934245" "URL file: mode 0600, mtime from Last-Modified"
expect_eq "$(stat -c '%a' fs/dl/chmod.txt)" "644" "URL file with --chmod"
expect_eq "$(cat fs/dl/checked.txt)" "remote content e2e-7f3a" "ADD --checksum of a URL"
[[ -f fs/dl/url-archive/a.tar.gz ]] || fail "a URL archive must not be extracted"
for kind in plain gz bz2 xz zst misnamed; do
  expect_eq "$(cat fs/x/$kind/dir/a.txt 2>&1)" "inside the archive" "ADD of a $kind archive extracts it"
done
expect_eq "$(stat -c '%u:%g' fs/x/owned/dir/a.txt fs/x/owned/dir | tr '\n' ' ')" "1234:5678 1234:5678 " \
  "ADD --chown applies to extracted entries"
expect_eq "$(gzip -dc fs/x/text.gz)" "just text" "a compressed non-archive is copied as is"

# 2. cached rebuild; a changed download misses
cb build --build-arg URL=$url ctx >/dev/null 2>build2.log
[[ $(grep -c CACHED build2.log) == 13 ]] || { cat build2.log; fail "rebuild did not hit all 13 steps"; }
echo "changed content" >www/file.txt
cb build --explain --build-arg URL=$url ctx >/dev/null 2>build3.log || true
expect_contains "$(cat build3.log)" "cache miss: a downloaded URL changed" "--explain of a changed URL"
expect_contains "$(cat build3.log)" "checksum mismatch" "the --checksum step fails after the change"

# 3. bad input
mkdir bad
printf 'FROM busybox:local\nADD --checksum=%s %s/file.txt /f\n' "$sha" "$url" >bad/Dockerfile
set +e
"$CBUILD" --root clean import rootfs busybox:local --env PATH=/bin >/dev/null
"$CBUILD" --root clean build bad >/dev/null 2>bad1.log; rc=$?
set -e
expect_eq "$rc" "2" "exit code of a checksum mismatch"
expect_contains "$(cat bad1.log)" "checksum mismatch: --checksum is $sha" "mismatch message"
[[ -z $(grep -rl "changed content" clean 2>/dev/null) ]] || fail "a mismatching download was stored"
[[ -z $(ls -A clean/snapshots/.tmp 2>/dev/null) ]] || fail "temp files left: $(ls clean/snapshots/.tmp)"
printf 'FROM busybox:local\nADD %s/missing.txt /f\n' "$url" >bad/Dockerfile
set +e
cb build bad >/dev/null 2>bad2.log; rc=$?
set -e
expect_eq "$rc" "2" "exit code of an HTTP 404"
expect_contains "$(cat bad2.log)" "answered HTTP 404" "404 message"
python3 - bad/evil.tar <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    info = tarfile.TarInfo("../../escaped.txt"); data = b"x"; info.size = len(data)
    t.addfile(info, io.BytesIO(data))
PY
printf 'FROM busybox:local\nADD evil.tar /x/\n' >bad/Dockerfile
set +e
cb build bad >/dev/null 2>bad3.log; rc=$?
set -e
expect_eq "$rc" "2" "exit code of an archive entry escaping"
expect_contains "$(cat bad3.log)" "escapes root" "escaping entry message"

# 4. ONBUILD
mkdir parent child
echo "from the child context" >child/marker.txt
cat >parent/Dockerfile <<'DF'
FROM busybox:local
ONBUILD COPY marker.txt /onbuild/
ONBUILD RUN echo "trigger ran in $(cat /onbuild/marker.txt)" > /onbuild/ran
DF
cb build -t parent:1 parent >/dev/null 2>parent.log || { cat parent.log; fail "parent build"; }
expect_contains "$(cb inspect parent:1)" '"OnBuild": [' "parent config stores the triggers"
printf 'FROM parent:1\nRUN cat /onbuild/ran\n' >child/Dockerfile
cb build -t child:1 child >/dev/null 2>child.log || { cat child.log; fail "child build"; }
expect_contains "$(cat child.log)" "ONBUILD RUN echo" "progress shows the trigger"
expect_contains "$(cat child.log)" "trigger ran in from the child context" "trigger output"
[[ $(cb inspect child:1) != *'"OnBuild": ['* ]] || fail "the child must not inherit the triggers"
for trigger in "ONBUILD RUN true" "FROM scratch" "MAINTAINER me"; do
  printf 'FROM busybox:local\nONBUILD %s\n' "$trigger" >bad/Dockerfile
  set +e
  cb build bad >/dev/null 2>onb.log; rc=$?
  set -e
  expect_eq "$rc" "2" "exit code of ONBUILD $trigger"
  expect_contains "$(cat onb.log)" "Dockerfile:2:" "ONBUILD $trigger names its line"
done
echo "ok"
