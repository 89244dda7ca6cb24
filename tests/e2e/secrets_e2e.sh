#!/bin/bash
# cscan's secret findings on images buildah builds here, reproducing the
# workshop mistakes: a key COPY-ed and then "removed" by RUN rm, a token in
# ENV, a password passed with --build-arg (recorded in history), credential
# files found by their path. Each image gives exactly the expected findings,
# with no secret in any report; a clean busybox base gives none of high
# severity; fingerprints survive a rebuild that moves the layers, so the
# baseline and the --fail-on gate keep working.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "needs root (buildah)"
for tool in buildah python3; do
  command -v $tool >/dev/null || skip "$tool is not installed"
done
make_busybox_rootfs rootfs
. "$REPO/tests/e2e/peers.sh" # a private store under $WORK, removed at exit

ctr=$(buildah from scratch)
buildah copy -q "$ctr" rootfs/ / >/dev/null
buildah config --cmd /bin/sh --env PATH=/bin:/usr/bin --created-by "busybox rootfs" "$ctr"
buildah commit -q "$ctr" localhost/secrets-base >/dev/null
buildah rm "$ctr" >/dev/null

# build NAME [buildah args]: Dockerfile from stdin, context ctx/, saved as NAME.tar.
build() {
  local name=$1; shift
  cat > ctx/Dockerfile
  buildah bud -q --pull=never --isolation chroot --layers "$@" -t "localhost/$name" ctx >/dev/null
  buildah push -q "localhost/$name" "oci-archive:$name.tar"
}
random() { # random N [ALPHABET]: N random characters (default: letters and digits)
  python3 -c 'import secrets, string, sys
print("".join(secrets.choice(sys.argv[2] or string.ascii_letters + string.digits) for _ in range(int(sys.argv[1]))))' "$1" "${2:-}"; }
q() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# The secret findings of a JSON report, one "ruleId path presence" line each, sorted.
secret_lines() {
  q "$1" '"\n".join(sorted(f["ruleId"] + " " + f["path"] + " " + f["secret"].get("presence", "-")
                            for f in d["findings"] if f["ruleId"].startswith("secret/")))'
}
scan() { # scan IMAGE.tar REPORT.json [flags]: exit code in $rc
  rc=0; "$CSCAN" "$1" --format json --no-progress -o "$2" "${@:3}" || rc=$?
}

# Made-up secrets, fresh each run (nothing secret-shaped is stored in git).
mkdir ctx
token=ghp_$(random 36)
password=$(random 20)
{ echo '-----BEGIN OPENSSH PRIVATE KEY-----'; head -c 600 /dev/urandom | base64 -w 70
  echo '-----END OPENSSH PRIVATE KEY-----'; } > ctx/id_rsa
key_line=$(sed -n 2p ctx/id_rsa)

# 1. A clean busybox base: nothing of high severity, no secret at all.
buildah push -q localhost/secrets-base oci-archive:base.tar
scan base.tar base.json --fail-on high
expect_eq "$rc" 0 "clean base passes --fail-on high"
expect_eq "$(secret_lines base.json)" "" "clean base: no secret finding"

# 2. The workshop mistakes, in one image.
build leak --build-arg DB_PASSWORD="$password" <<DF
FROM localhost/secrets-base
COPY id_rsa /root/.ssh/id_rsa
RUN rm /root/.ssh/id_rsa
ENV API_TOKEN=$token
ARG DB_PASSWORD
RUN echo building
DF
scan leak.tar leak.json --fail-on never
expect_eq "$(secret_lines leak.json)" "secret/build-arg-secret history:5 -
secret/github-pat config:Env:API_TOKEN -
secret/private-key-openssh /root/.ssh/id_rsa deleted
secret/ssh-private-key-file /root/.ssh/id_rsa deleted" "leak: exactly the expected secret findings"
expect_contains "$(q leak.json '[f["message"] for f in d["findings"] if f["ruleId"] == "secret/private-key-openssh"][0]')" \
  "/root/.ssh/id_rsa:1: -----BEGIN OPENSSH PRIVATE KEY-----" "leak: key path, line and match"
expect_contains "$(q leak.json '[f["message"] for f in d["findings"] if f["ruleId"] == "secret/private-key-openssh"][0]')" \
  "added in layer 1 (COPY file:" "leak: the layer that added the key"
expect_contains "$(q leak.json '[f["message"] for f in d["findings"] if f["ruleId"] == "secret/private-key-openssh"][0]')" \
  "deleted in layer 2 by RUN rm /root/.ssh/id_rsa, still shipped in layer 1" "leak: deleted, still shipped"
expect_eq "$(q leak.json '[(f["secret"]["layerDigest"] == d["image"]["layers"][1]["digest"], f["secret"]["removedInLayer"]) for f in d["findings"] if f["ruleId"] == "secret/private-key-openssh"]')" \
  "[(True, 2)]" "leak: layer digest and the deleting layer"
expect_contains "$(q leak.json '[f["message"] + " / " + f["advice"] for f in d["findings"] if f["ruleId"] == "secret/build-arg-secret"][0]')" \
  "history entry 5 (layer 3), build arg DB_PASSWORD" "leak: build arg in history"
expect_contains "$(q leak.json '[f["advice"] for f in d["findings"] if f["ruleId"] == "secret/build-arg-secret"][0]')" \
  "RUN --mount=type=secret" "leak: build-arg fix"
expect_contains "$(q leak.json '[f["advice"] for f in d["findings"] if f["ruleId"] == "secret/github-pat"][0]')" \
  "at run time" "leak: ENV fix"
expect_eq "$(q leak.json 'sorted(set(len(f["fingerprint"]) for f in d["findings"] if f["ruleId"].startswith("secret/")))')" \
  "[64]" "leak: full fingerprints"

# No report prints a secret unless asked: text, JSON, SARIF, markdown, history.
"$CSCAN" leak.tar --fail-on never --no-progress > leak.txt
"$CSCAN" leak.tar --fail-on never --format sarif -o leak.sarif
"$CSCAN" leak.tar --fail-on never --format markdown > leak.md
"$CSCAN" history leak.tar --no-progress > leak.history
"$CSCAN" inspect leak.tar --no-progress > leak.inspect
for f in leak.json leak.txt leak.sarif leak.md leak.history leak.inspect; do
  for s in "$token" "$password" "$key_line"; do
    [[ "$(cat $f)" != *"$s"* ]] || fail "$f prints a secret (${s:0:6}...)"
  done
done
expect_contains "$(cat leak.txt)" "deleted in layer 2 by RUN rm /root/.ssh/id_rsa, still shipped in layer 1" "text report"
"$CSCAN" leak.tar --fail-on never --no-progress --show-secrets > shown.txt
expect_contains "$(cat shown.txt)" "$password" "--show-secrets prints the build arg"

# SARIF: one rule per secret rule that fired, full fingerprints, schema-valid.
expect_eq "$(q leak.sarif 'sorted((r["id"], r["properties"]["security-severity"]) for r in d["runs"][0]["tool"]["driver"]["rules"] if r["id"].startswith("secret/"))')" \
  "[('secret/build-arg-secret', '8.0'), ('secret/github-pat', '8.0'), ('secret/private-key-openssh', '9.5'), ('secret/ssh-private-key-file', '8.0')]" \
  "SARIF rules of the secrets that fired"
expect_eq "$(q leak.sarif 'sorted(set(len(r["partialFingerprints"]["cscanSecret/v1"]) for r in d["runs"][0]["results"] if r["ruleId"].startswith("secret/")))')" \
  "[64]" "SARIF partialFingerprints"
if python3 -c 'import jsonschema' 2>/dev/null; then
  python3 - "$HERE/analyzer/sarif-schema-2.1.0.json" leak.sarif <<'PY' || fail "SARIF schema validation"
import json, sys, jsonschema
jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
else
  echo "NOTE: python3 jsonschema missing, SARIF schema validation skipped" >&2
fi

# 3. The gate: --fail-on by severity, --disable, the baseline by fingerprint.
scan leak.tar g.json --fail-on critical
expect_eq "$rc" 1 "--fail-on critical fails on the private key"
scan leak.tar g.json --fail-on critical --disable secret/private-key-openssh
expect_eq "$rc" 0 "the other secrets are high, not critical"
scan leak.tar g.json --disable secret/no-such-rule
expect_eq "$rc" 2 "unknown secret rule"
"$CSCAN" leak.tar --fail-on never --no-progress --write-baseline base-line.json >/dev/null
# A rebuild that moves every layer and adds one new secret: the old secrets
# keep their fingerprints (baselined), the new one fails the gate.
slack=xoxb-$(random 12 0123456789)-$(random 13 0123456789)-$(random 24)
build rebuilt --build-arg DB_PASSWORD="$password" <<DF
FROM localhost/secrets-base
RUN touch /moved
COPY id_rsa /root/.ssh/id_rsa
RUN rm /root/.ssh/id_rsa
ENV API_TOKEN=$token SLACK_BOT=$slack
ARG DB_PASSWORD
RUN echo building again
DF
scan rebuilt.tar rebuilt.json --baseline base-line.json --fail-on high
expect_eq "$rc" 1 "the new secret fails the gate"
expect_eq "$(q rebuilt.json 'sorted(f["ruleId"] + " " + f["path"] for f in d["findings"] if f["ruleId"].startswith("secret/") and not f["baselined"])')" \
  "['secret/slack-bot-token config:Env:SLACK_BOT']" "only the new secret is not baselined"
expect_eq "$(q rebuilt.json 'sorted(f["secret"]["shippedIn"] for f in d["findings"] if f["ruleId"] == "secret/private-key-openssh")')" \
  "[[2]]" "the key moved to layer 2"
scan rebuilt.tar rebuilt.json --baseline base-line.json --fail-on high --disable secret/slack-bot-token
expect_eq "$rc" 0 "baselined secrets do not fail the gate"

# 4. Sensitive files by path, binaries by their printable strings.
rm -rf ctx/*
mkdir -p ctx/files/root/.aws ctx/files/root/.docker ctx/files/root/.kube ctx/files/app/.git \
         ctx/files/etc/ssl/private ctx/files/usr/local/bin
printf '[default]\nregion = eu-west-1\n' > ctx/files/root/.aws/credentials
printf '{"auths":{"registry.example.com":{"auth":"%s"}}}\n' "$(random 32)" > ctx/files/root/.docker/config.json
printf 'apiVersion: v1\nkind: Config\n' > ctx/files/root/.kube/config
printf '//registry.npmjs.org/:_authToken=%s\n' "$(random 36)" > ctx/files/app/.npmrc
printf 'machine git.example.com login ci password %s\n' "$(random 20)" > ctx/files/root/.netrc
printf 'DEBUG=1\n' > ctx/files/app/.env
printf '[core]\n\tbare = false\n' > ctx/files/app/.git/config
printf 'not a real key\n' > ctx/files/etc/ssl/private/server.key
{ head -c 3000 /dev/zero; printf 'ghp_%s' "$(random 36)"; head -c 3000 /dev/zero; } > ctx/files/usr/local/bin/tool
build files <<'DF'
FROM localhost/secrets-base
COPY files/ /
DF
scan files.tar files.json --fail-on never
expect_eq "$(secret_lines files.json)" "secret/aws-credentials-file /root/.aws/credentials present
secret/docker-config-auth /root/.docker/config.json present
secret/dotenv-file /app/.env present
secret/git-directory /app/.git/config present
secret/github-pat /usr/local/bin/tool present
secret/kubeconfig-file /root/.kube/config present
secret/netrc-password /root/.netrc present
secret/npmrc-auth /app/.npmrc present
secret/private-key-file /etc/ssl/private/server.key present" "files: exactly the expected findings"
expect_eq "$(q files.json '[f["secret"]["inBinary"] for f in d["findings"] if f["ruleId"] == "secret/github-pat"]')" \
  "[True]" "files: the token in a binary"
echo "secrets e2e: ok"
