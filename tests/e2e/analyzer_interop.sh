#!/bin/bash
# cscan on images we did not write: buildah builds fat, slim, multistage and
# secret-leak style images from a busybox base (no network), podman/skopeo save
# them as docker-archive (podman's symlinked layer.tar), OCI archive and OCI
# layout. cscan's per-layer files/whiteouts/sizes must equal GNU tar -tv of the
# layer blobs the manifests name, and the findings must say what happened.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
DATA=$HERE/analyzer
[[ $(id -u) -eq 0 ]] || skip "needs root (buildah)"
for tool in buildah podman skopeo python3; do
  command -v $tool >/dev/null || skip "$tool is not installed"
done
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"

# A private store and config: never the host's /var/lib/containers.
cat > storage.conf <<EOS
[storage]
driver = "vfs"
graphroot = "$WORK/store"
runroot = "$WORK/run"
EOS
printf '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' > containers.conf
printf 'unqualified-search-registries = []\n' > registries.conf
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf CONTAINERS_CONF=$WORK/containers.conf \
       CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
trap 'buildah rm -a >/dev/null 2>&1; buildah rmi -a -f >/dev/null 2>&1; rm -rf "$WORK"' EXIT

make_busybox_rootfs rootfs
ctr=$(buildah from scratch)
buildah copy -q "$ctr" rootfs/ / >/dev/null
buildah config --cmd /bin/sh --created-by "busybox rootfs" "$ctr"
buildah commit -q "$ctr" localhost/cscan-base >/dev/null
buildah rm "$ctr" >/dev/null

build() { # build NAME: Dockerfile from a heredoc on stdin, context ctx-NAME
  mkdir -p "ctx-$1"; cat > "ctx-$1/Dockerfile"
  buildah bud -q --pull=never --isolation chroot --layers -t "localhost/$1" "ctx-$1" >/dev/null
}
build fat <<'DF'
FROM localhost/cscan-base
RUN dd if=/dev/urandom of=/big bs=1k count=2048 2>/dev/null
RUN rm /big
DF
build slim <<'DF'
FROM localhost/cscan-base
RUN dd if=/dev/urandom of=/big bs=1k count=2048 2>/dev/null && rm /big
USER 1000
DF
build multistage <<'DF'
FROM localhost/cscan-base AS gen
RUN mkdir /out && dd if=/dev/zero of=/out/data bs=1k count=300 2>/dev/null
FROM localhost/cscan-base
COPY --from=gen /out /app
DF
mkdir -p ctx-leak
{ echo '-----BEGIN OPENSSH PRIVATE KEY-----'; head -c 600 /dev/urandom | base64 -w 70
  echo '-----END OPENSSH PRIVATE KEY-----'; } > ctx-leak/id_rsa   # a made-up key
build leak <<'DF'
FROM localhost/cscan-base
ENV AWS_SECRET_ACCESS_KEY=FAKEfakeFAKEfakeFAKEfakeFAKEfake00000000
COPY id_rsa /root/.ssh/id_rsa
RUN chmod 600 /root/.ssh/id_rsa
RUN rm /root/.ssh/id_rsa
DF

report() { "$CSCAN" "$1" --format json --fail-on never --no-progress -o "$2"; }
layers_of() { python3 -c '
import json,sys
for l in json.load(open(sys.argv[1]))["image"]["layers"]:
    print(json.dumps({"files": l["files"], "whiteouts": l["whiteouts"], "size": l["size"]}))' "$1"; }
q() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

for name in fat slim multistage leak; do
  podman save -q --format docker-archive -o "$name.docker.tar" "localhost/$name"
  forms=("docker-archive $name.docker.tar")
  if [[ $name == fat || $name == leak ]]; then
    skopeo copy -q "containers-storage:localhost/$name" "oci-archive:$name.oci.tar"
    skopeo copy -q "containers-storage:localhost/$name" "oci:$name.oci:latest"
    forms+=("oci-archive $name.oci.tar" "oci $name.oci")
  fi
  for form in "${forms[@]}"; do
    read -r kind path <<<"$form"
    spec=$path; [[ $kind == oci ]] && spec="oci:$path:latest"
    report "$spec" "$name.$kind.json"
    expect_eq "$(layers_of "$name.$kind.json")" \
      "$(python3 "$DATA/layer_listing.py" "$kind" "$path")" "$name ($kind): layers vs tar -tv"
  done
done

# What the images are about.
expect_eq "$(q fat.docker-archive.json 'd["efficiency"]["corrected"]["deletedBytes"]')" 2097152 "fat: /big deleted"
expect_contains "$(q fat.docker-archive.json '[f["message"] for f in d["findings"]]')" \
  "(RUN rm /big) deleted 2.1 MB (1 file) written by layer 1 (RUN dd" "fat: attribution"
expect_eq "$(q slim.docker-archive.json 'd["efficiency"]["corrected"]["reclaimableBytes"]')" 0 "slim: nothing to reclaim"
expect_eq "$(q slim.docker-archive.json '"config/root-user" in [f["ruleId"] for f in d["findings"]]')" False "slim runs as 1000"
expect_eq "$(q multistage.docker-archive.json 'len(d["image"]["layers"])')" 2 "multistage: base + COPY --from"
expect_eq "$(q multistage.docker-archive.json 'd["efficiency"]["corrected"]["reclaimableBytes"]')" 0 "multistage: no waste"
leak=$(q leak.oci-archive.json '[(f["ruleId"], f["path"]) for f in d["findings"]]')
expect_contains "$leak" "('config/secret-env', 'config:Env:AWS_SECRET_ACCESS_KEY')" "leak: ENV secret"
expect_contains "$leak" "/root/.ssh/id_rsa" "leak: the deleted key still ships"
expect_contains "$(q leak.oci-archive.json '[f["message"] for f in d["findings"] if f["ruleId"] == "secret/private-key-openssh" and f["path"] == "/root/.ssh/id_rsa"]')" \
  "deleted in layer 3 by RUN rm /root/.ssh/id_rsa, still shipped in layers 1, 2" "leak: the secret scanner sees the key and the walk knows it was deleted"
[[ "$(cat leak.*.json)" != *FAKEfakeFAKE* ]] || fail "secret value in the report"
echo "analyzer interop: ok"
