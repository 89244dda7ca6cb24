#!/bin/sh
# Side-by-side check with secretlint (recommended preset) on a directory of
# fake credentials of 20+ kinds (seed_fake_secrets.py): cscan's engine must
# find, in every file, at least as many secrets as secretlint does.
#
# usage: tests/secrets/secretlint_compare.sh BUILD_DIR [WORK_DIR]
# secretlint is installed with npm into $SECRETLINT_CACHE (default
# /tmp/cscan-secretlint) on first use. Exits 77 (skip) without npm or the tool.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: secretlint_compare.sh BUILD_DIR [WORK_DIR]}
work=${2:-/tmp/cscan-secretlint-compare}
cache=${SECRETLINT_CACHE:-/tmp/cscan-secretlint}
scan="$build/analyzer/secrets/cscan-secrets-scan"

if [ ! -x "$scan" ]; then
  echo "SKIP: $scan is not built"
  exit 77
fi
if [ ! -x "$cache/node_modules/.bin/secretlint" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: npm is not installed"
    exit 77
  fi
  mkdir -p "$cache"
  if ! (cd "$cache" && npm install --no-audit --no-fund --silent \
        secretlint @secretlint/secretlint-rule-preset-recommend); then
    echo "SKIP: npm install of secretlint failed"
    exit 77
  fi
fi

rm -rf "$work"
mkdir -p "$work"
python3 "$here/seed_fake_secrets.py" "$work/seed"
echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' >"$work/secretlintrc.json"
# Both tools exit 1 when they find something.
"$cache/node_modules/.bin/secretlint" --secretlintrc "$work/secretlintrc.json" --format json \
  "$work/seed/**/*" >"$work/secretlint.json" || true
"$scan" --json "$work/seed" >"$work/cscan.json" || true
version=$(cd "$cache" && node -p "require('secretlint/package.json').version + ' / preset ' + \
  require('@secretlint/secretlint-rule-preset-recommend/package.json').version")

python3 - "$work/seed" "$work/secretlint.json" "$work/cscan.json" "$version" <<'PY'
import collections, json, os, sys
seed, secretlint_json, cscan_json, version = sys.argv[1:5]
sl = collections.defaultdict(list)
for entry in json.load(open(secretlint_json)):
    rel = os.path.relpath(entry["filePath"], seed)
    for m in entry["messages"]:
        sl[rel].append(m["ruleId"].replace("@secretlint/secretlint-rule-", ""))
cs = collections.defaultdict(list)
for f in json.load(open(cscan_json)):
    cs[f["path"]].append(f["rule_id"])
files = sorted(set(sl) | set(cs) | {os.path.relpath(os.path.join(d, n), seed)
                                    for d, _, ns in os.walk(seed) for n in ns})
missed = 0
print(f"secretlint {version}")
print("| file (kind) | secretlint | cscan | cscan rules |")
print("|---|---|---|---|")
for rel in files:
    a, b = len(sl[rel]), len(cs[rel])
    mark = "" if b >= a else " **MISSED**"
    missed += b < a
    print(f"| {rel} | {a} | {b}{mark} | {', '.join(sorted(set(cs[rel])))} |")
total_sl = sum(len(v) for v in sl.values())
total_cs = sum(len(v) for v in cs.values())
print(f"| **total ({len(files)} files)** | {total_sl} | {total_cs} | |")
print(f"{len(files)} files; secretlint {total_sl} findings, cscan {total_cs}; "
      f"files where cscan found fewer: {missed}")
sys.exit(1 if missed else 0)
PY
