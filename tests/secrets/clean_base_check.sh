#!/bin/sh
# A clean base must give no finding of high severity or above: scans a
# busybox root file system (busybox-static) plus this Debian host's /etc and
# dpkg database (what a debian:bookworm base image holds besides binaries).
#
# usage: tests/secrets/clean_base_check.sh BUILD_DIR
set -eu
build=${1:?usage: clean_base_check.sh BUILD_DIR}
scan="$build/analyzer/secrets/cscan-secrets-scan"
[ -x "$scan" ] || { echo "SKIP: $scan is not built"; exit 77; }
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "SKIP: busybox is not installed"; exit 77; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/busybox/bin"
cp "$busybox" "$root/busybox/bin/busybox"
"$scan" --json "$root/busybox" /etc /var/lib/dpkg >"$root/findings.json" || true
python3 - "$root/findings.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
bad = [f for f in findings if f["severity"] in ("high", "critical")]
for f in bad:
    print(f"{f['severity']} {f['rule_id']} {f['path']}:{f['line']} {f['match']}")
print(f"{len(findings)} findings, {len(bad)} of high severity or above")
sys.exit(1 if bad else 0)
PY
