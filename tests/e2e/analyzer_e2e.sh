#!/bin/bash
# cscan end to end on small crafted images (tests/e2e/analyzer/*.json, built by
# make_image.py) in the three transport forms, with gzip and zstd layers:
# figures computed by hand, exit codes, policy, baseline, bad input.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
DATA=$HERE/analyzer
command -v zstd >/dev/null || skip "zstd is not installed"
mk() { python3 "$DATA/make_image.py" "$DATA/$1" "$2" "${@:3}"; }
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

mk fat.json fat.tar
mk fat.json fat-oci.tar --form oci-archive
mk fat.json fat-dir --form oci-dir
mk slim.json slim.tar

# 1. The same image in three forms gives the same figures (hand-computed, see
#    docs/cscan.md "How the figures are computed").
for src in fat.tar oci-archive:fat-oci.tar oci:fat-dir:latest fat-dir; do
  rc=0; "$CSCAN" "$src" --format json --fail-on never -o r.json || rc=$?
  expect_eq "$rc" 0 "exit code of $src with --fail-on never"
  expect_eq "$(field r.json 'd["image"]["size"]')" 614110 "$src image size"
  expect_eq "$(field r.json 'round(d["efficiency"]["dive"]["efficiency"], 6)')" 0.515433 "$src dive efficiency"
  expect_eq "$(field r.json 'd["efficiency"]["dive"]["wastedBytes"]')" 600000 "$src dive wasted"
  expect_eq "$(field r.json 'round(d["efficiency"]["dive"]["userWastedPercent"], 6)')" 0.980376 "$src dive user wasted"
  expect_eq "$(field r.json 'd["efficiency"]["corrected"]["reclaimableBytes"]')" 305000 "$src reclaimable"
  expect_eq "$(field r.json 'd["efficiency"]["corrected"]["rewrittenBytes"]')" 300000 "$src rewritten"
  expect_eq "$(field r.json 'd["efficiency"]["corrected"]["deletedBytes"]')" 5000 "$src deleted"
  expect_eq "$(field r.json '[l["files"] for l in d["image"]["layers"]]')" "[5, 6, 3]" "$src files per layer"
  expect_eq "$(field r.json '[l["removed"]["files"] for l in d["image"]["layers"]]')" "[0, 0, 2]" "$src removed per layer"
  expect_eq "$(field r.json 'sorted(set(f["ruleId"] for f in d["findings"]))')" \
    "['config/no-healthcheck', 'config/root-user', 'config/secret-env', 'efficiency/deleted-files', 'efficiency/duplicate-content', 'efficiency/package-cache', 'efficiency/rewritten-files', 'files/capabilities', 'files/setuid', 'secret/env-secret-assignment']" \
    "$src rules"
done
expect_contains "$(cat r.json)" '"DB_PASSWORD=<redacted>"' "env redacted"
[[ "$(cat r.json)" != *hunter2* ]] || fail "secret value leaked into the JSON report"

# 2. The text report: findings first, the chown attributed to the COPY.
out=$("$CSCAN" fat.tar --no-progress || true)
expect_contains "$out" "layer 2 (RUN chown -R 1000 /srv) rewrote identical copies of 300.0 kB (1 file) written by layer 1 (COPY dir:abc in /srv )" "attribution"
expect_contains "$out" "use COPY --chown in layer 1" "advice"

# 3. Exit codes: 1 when the policy fails, 0 when it passes, 2 for bad input.
rc=0; "$CSCAN" fat.tar >/dev/null || rc=$?; expect_eq "$rc" 1 "default gate (failOn high, secret ENV)"
rc=0; "$CSCAN" slim.tar >/dev/null || rc=$?; expect_eq "$rc" 0 "slim image passes"
printf 'rules:\n  lowestEfficiency: 0.9\n  highestWastedBytes: disabled\nfailOn: never\n' > .cscan.yaml
rc=0; "$CSCAN" fat.tar >/dev/null || rc=$?; expect_eq "$rc" 1 ".cscan.yaml dive efficiency gate"
rc=0; "$CSCAN" slim.tar >/dev/null || rc=$?; expect_eq "$rc" 0 ".cscan.yaml on slim"
rm .cscan.yaml
rc=0; "$CSCAN" fat.tar --fail-on never --max-image-size 600kB >/dev/null || rc=$?; expect_eq "$rc" 1 "max image size"
rc=0; "$CSCAN" fat.tar --bogus-flag >/dev/null 2>&1 || rc=$?; expect_eq "$rc" 2 "unknown flag"

# 4. Baseline: accept today's findings, then the gate passes.
"$CSCAN" fat.tar --write-baseline base.json >/dev/null || true
rc=0; "$CSCAN" fat.tar --baseline base.json >/dev/null || rc=$?; expect_eq "$rc" 0 "baselined findings"

# 5. Bad input: one clear message naming what is wrong, exit 2.
bad() { # bad FILE EXPECTED-SUBSTRING
  local rc=0 err
  err=$("$CSCAN" "$1" 2>&1 >/dev/null) || rc=$?
  expect_eq "$rc" 2 "exit code for $1"
  expect_contains "$err" "$2" "message for $1"
  [[ $(grep -c . <<<"$err") -eq 1 ]] || fail "one line expected for $1, got: $err"
}
head -c 5000 /dev/urandom > noise.bin; bad noise.bin "noise.bin"
head -c 9000 fat.tar > truncated.tar; bad truncated.tar "truncated"
mk fat.json digest.tar --corrupt digest; bad digest.tar "digest"
mk fat.json diffid.tar --corrupt diff_id; bad diffid.tar "diff_id mismatch"
mk escape.json escape.tar; bad escape.tar "escapes"
tar -cf nomanifest.tar -C "$DATA" fat.json; bad nomanifest.tar "nomanifest.tar"
bad missing.tar "missing.tar"

# 6. Dangling whiteouts are tolerated and reported.
mk dangling.json dangling.tar
rc=0; "$CSCAN" dangling.tar --format json --fail-on never -o d.json || rc=$?
expect_eq "$rc" 0 "dangling whiteout image"
expect_eq "$(field d.json 'd["efficiency"]["dive"]["abortedLayers"]')" "['layer 1: /b']" "dive aborts"
expect_eq "$(field d.json 'd["efficiency"]["corrected"]["danglingWhiteouts"][0]["path"]')" "/b" "reported"

# 7. The other commands.
expect_contains "$("$CSCAN" layers fat.tar)" "RUN chown -R 1000 /srv" "layers"
expect_contains "$("$CSCAN" tree fat.tar --layer 2 /srv)" "- -rw-r--r--     0:0         5.0 kB  /srv/old/a" "tree --layer"
expect_contains "$("$CSCAN" history fat.tar)" "/bin/sh -c chown -R 1000 /srv" "history"
expect_contains "$("$CSCAN" inspect fat.tar)" "DB_PASSWORD=<redacted>" "inspect"
out=$("$CSCAN" diff fat.tar slim.tar)
expect_contains "$out" "shared base layers: 1" "diff shared layers"
expect_contains "$out" "-     7.0 kB  /var/lib/apt/lists/main" "diff lists the file only in A"

# 8. An image in cbuild's local store, by name.
mkdir -p rootfs/etc && echo hi > rootfs/etc/motd
"$CBUILD" --root store import rootfs localhost/mini:1 >/dev/null
expect_contains "$("$CSCAN" layers localhost/mini:1 --store store)" "cbuild import rootfs" "store image by name"
rc=0; "$CSCAN" layers localhost/none:1 --store store 2>/dev/null || rc=$?; expect_eq "$rc" 2 "unknown store name"

# 9. SARIF validates against the OASIS schema (when python3-jsonschema is there).
"$CSCAN" fat.tar --format sarif --fail-on never -o r.sarif
printf 'FROM scratch\nCOPY . /srv\nRUN chown -R 1000 /srv\n' > Dockerfile
"$CSCAN" fat.tar --format sarif --fail-on never --dockerfile Dockerfile -o d.sarif
expect_eq "$(field d.sarif '[r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in d["runs"][0]["results"] if r["ruleId"]=="efficiency/rewritten-files"]')" "[3]" "SARIF Dockerfile line"
if python3 -c 'import jsonschema' 2>/dev/null; then
  for f in r.sarif d.sarif; do
    python3 - "$DATA/sarif-schema-2.1.0.json" "$f" <<'PY' || fail "SARIF schema validation of $f"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft4Validator(schema).validate(json.load(open(sys.argv[2])))
PY
  done
else
  echo "NOTE: python3 jsonschema missing, SARIF schema validation skipped" >&2
fi
echo "analyzer e2e: ok"
