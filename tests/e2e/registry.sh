#!/bin/bash
# Pull and push against Debian's docker-registry on 127.0.0.1, with skopeo as
# the peer we did not write: what cbuild pushes skopeo reads, what skopeo
# pushes cbuild pulls and runs; a multi-arch index resolves to amd64; a proxy
# that corrupts blobs is refused with nothing stored; 404 and refused errors.
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"
export DOCKER_CONFIG=$WORK/docker   # never touch the user's credentials
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }
cb2() { "$CBUILD" --root "$WORK/store2" "$@"; }
T=--tls-verify=false

start_registry plain
R=$REGISTRY

make_busybox_rootfs rootfs
SOURCE_DATE_EPOCH=1700000000 cb import rootfs busybox:1 --env PATH=/bin --cmd /bin/sh >/dev/null

# 1. cbuild push -> skopeo inspect and skopeo copy read it
out=$(cb push busybox:1 "$R/e2e/busybox:v1")
expect_contains "$out" "2 blobs pushed" "first push uploads config and layer"
digest=$(sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) size.*/\1/p' <<<"$out")
[[ $digest =~ ^sha256: ]] || fail "push printed no digest: $out"
expect_eq "$(skopeo inspect $T --format '{{.Digest}}' "docker://$R/e2e/busybox:v1")" "$digest" \
  "skopeo sees the pushed manifest"
skopeo copy -q --src-tls-verify=false "docker://$R/e2e/busybox:v1" "oci:$WORK/copied:v1" \
  || fail "skopeo copy of cbuild's push failed"

# a re-push uploads nothing; a push to another repository mounts the blobs
out=$(cb push busybox:1 "$R/e2e/busybox:v1")
expect_contains "$out" "0 blobs pushed" "re-push"
expect_contains "$out" "2 already there" "re-push finds the blobs"
out=$(cb push busybox:1 "$R/other/busybox:v1")
expect_contains "$out" "2 mounted" "cross-repository mount"

# chunked upload of a fresh image
printf 'chunk me %.0s' $(seq 5000) > rootfs/chunky
cb import rootfs chunky:1 >/dev/null
out=$(cb push --chunk-size 4096 chunky:1 "$R/e2e/chunky:1")
expect_contains "$out" "2 blobs pushed" "chunked push"
skopeo copy -q --src-tls-verify=false "docker://$R/e2e/chunky:1" "oci:$WORK/copied:chunky" \
  || fail "skopeo cannot read the chunked push"

# 2. skopeo pushes -> cbuild pulls into an empty store and runs it
skopeo copy -q --dest-tls-verify=false "oci:$store:busybox:1" "docker://$R/peer/bb:v2"
out=$(cb2 pull "$R/peer/bb:v2")
expect_contains "$out" "Downloaded newer image" "pull into an empty store"
expect_contains "$(cb2 images)" "peer/bb" "pulled image is tagged"
out=$(cb2 pull "$R/peer/bb:v2")
expect_contains "$out" "Image is up to date" "second pull fetches nothing"
if [[ $(id -u) == 0 ]]; then
  expect_eq "$(cb2 run "$R/peer/bb:v2" /bin/echo pulled-and-ran)" "pulled-and-ran" "run a pulled image"
fi

# 3. a multi-arch index pushed by skopeo resolves to linux/amd64 (or --platform)
python3 - "$WORK/copied" "$WORK/multi" <<'PY'
import hashlib, json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, d), "wb").write(data)
    return "sha256:" + d, len(data)
index = json.load(open(os.path.join(dst, "index.json")))
mdesc = next(m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "v1")
manifest = json.load(open(os.path.join(blobs, mdesc["digest"][7:])))
entries = []
for arch, variant in (("arm64", "v8"), ("amd64", None)):
    config = json.load(open(os.path.join(blobs, manifest["config"]["digest"][7:])))
    config["architecture"] = arch
    if variant: config["variant"] = variant
    cd, cs = put(json.dumps(config).encode())
    m = dict(manifest, config=dict(manifest["config"], digest=cd, size=cs))
    md, ms = put(json.dumps(m).encode())
    plat = {"architecture": arch, "os": "linux"}
    if variant: plat["variant"] = variant
    entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms, "platform": plat})
idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
idd, ids = put(json.dumps(idx).encode())
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": idd, "size": ids,
           "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}, open(os.path.join(dst, "index.json"), "w"))
PY
skopeo copy -q --all --dest-tls-verify=false "oci:$WORK/multi:multi" "docker://$R/e2e/multi:1"
out=$(cb2 pull "$R/e2e/multi:1")
expect_contains "$out" "Platform: linux/amd64" "index resolves to amd64"
arch=$(cb2 inspect "$R/e2e/multi:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"]["architecture"])')
expect_eq "$arch" "amd64" "pulled config architecture"
out=$(cb2 pull --platform linux/arm64 "$R/e2e/multi:1")
expect_contains "$out" "Platform: linux/arm64/v8" "--platform picks arm64"
if out=$(cb2 pull --platform linux/s390x "$R/e2e/multi:1" 2>&1); then fail "pulled a missing platform"; fi
expect_contains "$out" "offers: linux/arm64/v8, linux/amd64" "missing platform lists the offer"

# 4. a proxy that flips one byte of every blob: digest error, nothing stored
PROXY_PORT=$(free_port)
python3 - "$PROXY_PORT" "$R" <<'PY' &
import http.server, sys, urllib.request
port, upstream = int(sys.argv[1]), sys.argv[2]
class P(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        req = urllib.request.Request("http://" + upstream + self.path, headers={"Accept": self.headers.get("Accept", "")})
        try:
            r = urllib.request.urlopen(req)
            status, body, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, body, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        if "/blobs/" in self.path and body:
            body = body[:-1] + bytes([body[-1] ^ 1])
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", port), P).serve_forever()
PY
PROXY_PID=$!
for i in $(seq 50); do curl -sf "http://127.0.0.1:$PROXY_PORT/v2/" >/dev/null && break; sleep 0.1; done
if out=$("$CBUILD" --root "$WORK/store3" pull "127.0.0.1:$PROXY_PORT/e2e/busybox:v1" 2>&1); then
  fail "pull through a corrupting proxy succeeded"
fi
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true
expect_contains "$out" "digest mismatch" "corrupt blob refused"
expect_contains "$out" "nothing stored" "corrupt blob not stored"
[[ -z $(ls "$WORK/store3/blobs/sha256") ]] || fail "blobs stored after a digest error: $(ls "$WORK/store3/blobs/sha256")"
[[ -z $("$CBUILD" --root "$WORK/store3" images -q) ]] || fail "an image was tagged after a digest error"

# 5. errors: missing tag, missing repository, refused connection
if out=$(cb2 pull "$R/e2e/busybox:nope" 2>&1); then fail "pulled a missing tag"; fi
expect_contains "$out" "manifest nope not found in repository $R/e2e/busybox" "missing tag"
if out=$(cb2 pull "$R/nothing/here:v1" 2>&1); then fail "pulled a missing repository"; fi
expect_contains "$out" "not found" "missing repository"
CLOSED=$(free_port)
if out=$(cb2 pull "127.0.0.1:$CLOSED/x:1" 2>&1); then fail "pulled from a closed port"; fi
expect_contains "$out" "connection refused" "refused connection"
rc=0; cb2 pull 'Bad//Name' 2>/dev/null || rc=$?
expect_eq "$rc" "2" "a malformed reference is a usage error"

# 6b. the registry killed mid-push, then restarted: the next push completes
mkdir -p bigfs && head -c 16000000 /dev/urandom > bigfs/blob
cb import bigfs big:1 >/dev/null
PORT=${R##*:}
cb push --chunk-size 32768 big:1 "$R/e2e/big:1" > push1.log 2>&1 &
PUSH_PID=$!
for i in $(seq 300); do
  [[ -n $(find "$WORK/plain/storage" -path '*_uploads*' -name data -size +64k 2>/dev/null) ]] && break
  sleep 0.02
done
stop_registry plain
if wait "$PUSH_PID"; then echo "note: the push finished before the registry was killed" >&2
else expect_contains "$(cat push1.log)" "connection" "push to a killed registry"; fi
start_registry plain "" "$PORT"
cb push big:1 "$R/e2e/big:1" >/dev/null || fail "push after the registry restarted"
skopeo copy -q --src-tls-verify=false "docker://$R/e2e/big:1" "oci:$WORK/copied:big" \
  || fail "the registry does not hold a valid image after the interrupted push"

# 6. cscan scans straight from the registry without saving into a store
out=$("$CSCAN" --store "$WORK/empty-store" "registry://$R/e2e/busybox:v1" --format json)
expect_contains "$out" '"layers"' "cscan registry:// report"
[[ ! -e $WORK/empty-store ]] || fail "cscan registry:// created a store"

# 7. FROM pulls a missing base image; build --push; --pull notices a moved tag
if [[ $(id -u) == 0 ]]; then
  mkdir -p ctx
  printf 'FROM %s/e2e/busybox:v1\nRUN echo built > /built.txt\n' "$R" > ctx/Dockerfile
  b() { "$CBUILD" --root "$WORK/store4" build "$@"; }
  out=$(b --push -t "$R/e2e/built:1" ctx 2>&1) || fail "build with a registry FROM: $out"
  expect_contains "$out" "pulled $R/e2e/busybox:v1" "FROM pulled the base"
  expect_contains "$out" "pushed $R/e2e/built:1" "build --push"
  skopeo inspect $T "docker://$R/e2e/built:1" >/dev/null || fail "skopeo cannot read build --push"
  out=$(b ctx 2>&1)
  expect_contains "$out" "0 steps run" "rebuild from the stored base is cached"
  # move the tag to another image: only --pull sees it, and the steps rerun
  cb push chunky:1 "$R/e2e/busybox:v1" >/dev/null
  out=$(b ctx 2>&1)
  expect_contains "$out" "0 steps run" "without --pull the stored base is used"
  out=$(b --pull ctx 2>&1)
  expect_contains "$out" "pulled $R/e2e/busybox:v1" "--pull pulls again"
  expect_contains "$out" "1 steps run" "--pull notices the moved tag"

  # 8. a build cache shared through the registry: store A exports, empty store B
  # imports and hits every step, fetching only the layers of the final image
  cb push busybox:1 "$R/e2e/base:1" >/dev/null
  mkdir -p ctx2
  echo data > ctx2/a.txt
  printf 'FROM %s/e2e/base:1\nCOPY a.txt /a.txt\nRUN echo one > /one\nRUN echo two > /two\n' "$R" > ctx2/Dockerfile
  export SOURCE_DATE_EPOCH=1700000000
  idA=$("$CBUILD" --root "$WORK/storeA" build -q --cache-to "type=registry,ref=$R/e2e/cache:1,mode=max" ctx2)
  out=$("$CBUILD" --root "$WORK/storeB" build --cache-from "type=registry,ref=$R/e2e/cache:1" ctx2 2>&1)
  unset SOURCE_DATE_EPOCH
  expect_contains "$out" "0 steps run" "every step hits the registry cache"
  expect_eq "$(tail -1 <<<"$out")" "$idA" "store B builds the same image as store A"
  # B holds the base image, the cache config, the final image: no other blob
  layersB=$(cd "$WORK/storeB/blobs/sha256" && ls | wc -l)
  expect_eq "$layersB" "9" "store B holds base (3 blobs), cache config, 3 step layers, image config and manifest"
  if out=$("$CBUILD" --root "$WORK/storeC" build --cache-to "type=local,dest=x" ctx2 2>&1); then
    fail "an unsupported cache type was accepted"
  fi
  expect_contains "$out" "expected type=registry" "unsupported cache type"
fi
echo "ok"
