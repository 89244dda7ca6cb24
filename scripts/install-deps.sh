#!/bin/sh
# Installs every Debian 12 package that building, testing and the samples need.
# Idempotent: safe to run again; it only installs what is missing.
set -eu

packages="
  build-essential cmake ninja-build pkg-config git ca-certificates
  libarchive-dev libssl-dev libzstd-dev zlib1g-dev libisal-dev libdeflate-dev
  nlohmann-json3-dev libre2-dev catch2 libcli11-dev libyaml-cpp-dev libtoml11-dev
  libcurl4-openssl-dev libseccomp-dev libcap-dev
  clang libclang-rt-14-dev clang-format
  busybox-static skopeo umoci buildah podman runc docker-registry apache2-utils
  tar gzip zstd jq iproute2 procps util-linux python3 hyperfine time
"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "install-deps: all packages present"
fi
