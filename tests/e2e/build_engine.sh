#!/bin/bash
# cbuild build's engine flags on real namespaces: RUN output streamed as it
# comes (--progress=plain), parallel stages (-j) in a fixed output order,
# --no-cache-filter, --network none, and -o/--output of every type.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }

make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin >/dev/null
mkdir ctx
cat >ctx/Dockerfile <<'DF'
FROM busybox:local AS a
RUN echo first; sleep 2; echo second; echo a >/a
FROM busybox:local AS b
RUN sleep 1; echo b >/b
FROM busybox:local
COPY --from=a /a /a
COPY --from=b /b /b
RUN cat /a /b >/ab
DF

# 1. the RUN output streams: "first" is on stderr before the step ends
cb build --progress=plain -j 2 -t eng:1 ctx >/dev/null 2>build1.log &
pid=$!
for _ in $(seq 1200); do grep -q " first$" build1.log 2>/dev/null && break; sleep 0.05; done
grep -q " first$" build1.log || fail "no streamed output line while the RUN ran"
grep -q " second$" build1.log && fail "the RUN had finished already (nothing to see streamed)"
wait $pid || { cat build1.log; fail "build"; }
log=$(cat build1.log)
expect_contains "$log" "#2 [a 2/2] RUN echo first" "numbered step"
[[ $log =~ \#2\ [0-9]+\.[0-9]{3}\ second ]] || fail "timed output lines: $log"
expect_contains "$log" "#2 DONE" "DONE line"
# plain output keeps the Dockerfile's order although a and b ran at once
a_done=$(grep -n "^#2 DONE" build1.log | cut -d: -f1)
b_start=$(grep -n "^#3 \[b 1/2\]" build1.log | cut -d: -f1)
(( a_done < b_start )) || fail "stage b's lines came before stage a finished: $log"

# 2. nothing changed: every step CACHED; --no-cache-filter=b runs b's RUN again
cb build --progress=plain -t eng:1 ctx >/dev/null 2>build2.log
[[ $(grep -c "CACHED" build2.log) == 5 ]] || fail "rebuild: $(cat build2.log)"
cb build --progress=plain --no-cache-filter=b -t eng:1 ctx >/dev/null 2>build3.log
# b's RUN made a new layer (new mtimes): COPY --from=b and the last RUN follow
expect_contains "$(cat build3.log)" "done: 3 steps run, 2 cached" "--no-cache-filter=b"
grep -q "^#6 CACHED" build3.log || fail "COPY --from=a should hit: $(cat build3.log)"
rc=0
cb build --no-cache-filter=nope ctx 2>bad.log >/dev/null || rc=$?
expect_eq "$rc" 2 "exit code of an unknown --no-cache-filter stage"

# 2b. parallel stages waiting on one sharing=locked cache mount take turns
mkdir locked
cat >locked/Dockerfile <<'DF'
FROM busybox:local AS a
RUN --mount=type=cache,id=shared,target=/c,sharing=locked sleep 1; echo a >>/c/log; cp /c/log /a
FROM busybox:local AS b
RUN --mount=type=cache,id=shared,target=/c,sharing=locked sleep 1; echo b >>/c/log; cp /c/log /b
FROM busybox:local
COPY --from=a /a /a
COPY --from=b /b /b
DF
timeout 120 "$CBUILD" --root "$store" build -q -j 2 locked >/dev/null 2>locked.log ||
  { cat locked.log; fail "-j 2 with a sharing=locked cache mount in two stages (deadlock?)"; }

# 3. --network none gives RUN its own network namespace with only lo
mkdir net
printf 'FROM busybox:local\nRUN ls /sys/class/net | tr "\\n" " "\n' >net/Dockerfile
cb build --progress=plain --network none --no-cache net >/dev/null 2>net.log
grep -Eq "^#2 [0-9.]+ lo $" net.log || fail "--network none: $(cat net.log)"

# 4. -o: oci, docker, local, tar, oci-layout, and archives on stdout
cb build -q -o type=oci,dest=img-oci.tar ctx >/dev/null
grep -qx index.json <(tar -tf img-oci.tar) || fail "oci archive lacks index.json"
cb build -q -o type=docker,dest=img-docker.tar,name=eng:2 ctx >/dev/null
grep -q '"eng:2"' <(tar -xOf img-docker.tar manifest.json) || fail "docker archive name"
cb build -q -o type=local,dest=out ctx >/dev/null
expect_eq "$(cat out/ab | tr '\n' ' ')" "a b " "local output's file system"
cb build -q -o type=tar,dest=fs.tar ctx >/dev/null
grep -qx ab <(tar -tf fs.tar) || fail "tar output: $(tar -tf fs.tar | head)"
cb build -o - ctx >stdout.tar 2>/dev/null
grep -qx ab <(tar -tf stdout.tar) || fail "-o - did not write a tar to stdout"
# stdout carries the archive alone: no image id after it, with or without -q
cmp -s stdout.tar fs.tar || fail "-o - wrote other bytes than -o type=tar,dest=F"
cb build -q -o type=oci,dest=- ctx >stdout-oci.tar
cmp -s stdout-oci.tar img-oci.tar || fail "-q -o type=oci,dest=- wrote other bytes than dest=F"
# oci-layout (and BuildKit's type=oci,tar=false): a layout directory; a second
# image is added to it, the first one's entry stays
cb build -q -o type=oci-layout,dest=layout,name=eng:3 ctx >/dev/null
cb build -q -o type=oci,tar=false,dest=layout,name=net:1 net >/dev/null
expect_eq "$(cat layout/oci-layout)" '{"imageLayoutVersion":"1.0.0"}' "oci-layout file"
python3 - layout eng:3 ab <<'PY' || fail "oci-layout output"
import json, os, subprocess, sys
root, name, path = sys.argv[1:]
blob = lambda d: os.path.join(root, "blobs", *d.split(":"))
index = json.load(open(os.path.join(root, "index.json")))
names = sorted(m["annotations"]["org.opencontainers.image.ref.name"] for m in index["manifests"])
assert names == ["eng:3", "net:1"], names
entry = next(m for m in index["manifests"]
             if m["annotations"]["org.opencontainers.image.ref.name"] == name)
manifest = json.load(open(blob(entry["digest"])))
for d in [manifest["config"]] + manifest["layers"]:
    assert os.path.getsize(blob(d["digest"])) == d["size"], d
listing = subprocess.run(["tar", "-tzf", blob(manifest["layers"][-1]["digest"])],
                         capture_output=True, text=True, check=True).stdout.split()
assert path in listing, listing
PY
rc=0
cb build -o type=oci-layout,dest=- ctx 2>bad.log >/dev/null || rc=$?
expect_eq "$rc" 2 "exit code of an oci-layout to stdout"
expect_contains "$(cat bad.log)" "an OCI layout is a directory" "oci-layout to stdout message"
rc=0
cb build -o type=zip,dest=x ctx 2>bad.log >/dev/null || rc=$?
expect_eq "$rc" 2 "exit code of a bad -o"
expect_contains "$(cat bad.log)" "type must be oci, oci-layout, docker, local or tar" "bad -o message"
# --platform: the host's works, also spelled as containerd's aliases; another is refused (x86_64 hosts)
if [[ $(uname -m) == x86_64 ]]; then
  for p in linux/amd64 linux/x86_64 amd64 linux linux/amd64/v1; do
    cb build -q --platform "$p" ctx >/dev/null 2>platform.log || { cat platform.log; fail "--platform $p"; }
  done
  rc=0
  cb build --platform linux/arm64 ctx 2>bad.log >/dev/null || rc=$?
  expect_eq "$rc" 2 "exit code of --platform linux/arm64"
  expect_contains "$(cat bad.log)" "--platform linux/arm64: only the host platform" "--platform message"
fi
# 5. a RUN over 70 layers: too many for mount(2)'s one page of overlay
#    options; the sandbox passes them one by one (fsconfig lowerdir+)
mkdir deep
{
  echo "FROM busybox:local"
  for i in $(seq 70); do echo "x$i" >deep/f$i; echo "COPY f$i /deep/f$i"; done
  echo 'RUN cat /deep/f1 /deep/f70 >/ends'
} >deep/Dockerfile
if cb build -q -t deep:1 deep >/dev/null 2>deep.log; then
  unpack deep:1 deepfs
  expect_eq "$(tr '\n' ' ' <deepfs/ends)" "x1 x70 " "RUN over 70 layers"
elif grep -q "Argument list too long" deep.log; then
  echo "SKIP part 5: this kernel has no overlay lowerdir+ (before 6.8)" >&2
else
  cat deep.log; fail "RUN over 70 layers"
fi
echo "build engine: OK"
