#!/bin/bash
# Basic auth against docker-registry with an htpasswd file (apache2-utils):
# anonymous access is refused with the realm and what to do, a wrong password
# gives a 401 message, login stores the credentials in $DOCKER_CONFIG, push and
# pull use them, skopeo reads the image with them, logout removes them.
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"
command -v htpasswd >/dev/null || skip "htpasswd (apache2-utils) is not installed"
export DOCKER_CONFIG=$WORK/docker
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }

htpasswd -Bbn alice s3cret > "$WORK/htpasswd" 2>/dev/null
start_registry auth "$WORK/htpasswd"
R=$REGISTRY

make_busybox_rootfs rootfs
cb import rootfs busybox:1 --cmd /bin/sh >/dev/null

if out=$(cb push busybox:1 "$R/team/bb:1" 2>&1); then fail "anonymous push succeeded"; fi
expect_contains "$out" "requires a login" "anonymous push"
expect_contains "$out" 'realm "cbuild-test"' "anonymous push names the realm"
expect_contains "$out" "cbuild login $R" "anonymous push says what to do"

if out=$(cb login -u alice -p wrong "$R" 2>&1); then fail "login with a wrong password succeeded"; fi
expect_contains "$out" "rejected the credentials of user 'alice'" "wrong password"
expect_contains "$out" "401" "wrong password status"
[[ ! -e $DOCKER_CONFIG/config.json ]] || fail "a failed login wrote credentials"

echo s3cret | cb login -u alice --password-stdin "$R" >/dev/null
[[ $(stat -c %a "$DOCKER_CONFIG/config.json") == 600 ]] || fail "config.json is not private"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["auths"]; assert sys.argv[2] in a, a' \
  "$DOCKER_CONFIG/config.json" "$R"

cb push busybox:1 "$R/team/bb:1" >/dev/null
skopeo inspect --tls-verify=false --creds alice:s3cret "docker://$R/team/bb:1" >/dev/null \
  || fail "skopeo cannot read the authenticated push"
out=$("$CBUILD" --root "$WORK/store2" pull "$R/team/bb:1")
expect_contains "$out" "Downloaded newer image" "authenticated pull"

out=$(cb logout "$R")
expect_contains "$out" "Removing login credentials for $R" "logout"
if "$CBUILD" --root "$WORK/store3" pull "$R/team/bb:1" >/dev/null 2>&1; then
  fail "pull after logout succeeded"
fi
echo "ok"
