#!/bin/bash
# cscan on the two secret samples, built by cbuild through their run.sh:
# samples/secret-leak (COPY a deploy key, RUN rm it) gives exactly one secret
# finding, the key, "deleted in layer N ... still shipped in layer 1";
# samples/secret-mount (the key through RUN --mount=type=secret) gives none.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "needs root (cbuild build)"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
for sample in secret-leak secret-mount; do
  [[ -f $REPO/samples/$sample/run.sh ]] || skip "samples/$sample is not there"
done
q() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

for sample in secret-leak secret-mount; do
  SAVE_TO=$WORK/$sample.tar CBUILD=$CBUILD sh "$REPO/samples/$sample/run.sh" > "$sample.log" 2>&1 ||
    { cat "$sample.log" >&2; fail "samples/$sample/run.sh"; }
  rc=0; "$CSCAN" "$sample.tar" --format json --no-progress -o "$sample.json" || rc=$?
  echo "$sample: cscan exit $rc" >&2
done

# The leaky one: exactly the deploy key, critical, deleted but still shipped.
expect_eq "$(q secret-leak.json 'sorted((f["ruleId"], f["path"], f["severity"], f["secret"]["presence"], f["secret"]["shippedIn"]) for f in d["findings"] if f["ruleId"].startswith("secret/"))')" \
  "[('secret/private-key-openssh', '/root/.ssh/id_deploy', 'critical', 'deleted', [1])]" \
  "secret-leak: the key, and nothing else"
message=$(q secret-leak.json '[f["message"] for f in d["findings"] if f["ruleId"].startswith("secret/")][0]')
[[ $message =~ deleted\ in\ layer\ [0-9]+\ by\ RUN\ rm\ /root/.ssh/id_deploy,\ still\ shipped\ in\ layer\ 1$ ]] ||
  fail "secret-leak: message says where the key is: $message"
expect_contains "$message" "added in layer 1 (COPY id_deploy /root/.ssh/id_deploy)" "secret-leak: the COPY that added it"
rc=0; "$CSCAN" secret-leak.tar --no-progress --fail-on critical >/dev/null || rc=$?
expect_eq "$rc" 1 "secret-leak fails the gate"

# The fixed one: no secret anywhere, and the gate passes on secrets.
expect_eq "$(q secret-mount.json '[f["ruleId"] for f in d["findings"] if f["ruleId"].startswith("secret/")]')" \
  "[]" "secret-mount: no secret finding"
rc=0; "$CSCAN" secret-mount.tar --no-progress --fail-on critical >/dev/null || rc=$?
expect_eq "$rc" 0 "secret-mount passes the gate"
echo "secret samples: ok"
