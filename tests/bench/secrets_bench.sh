#!/bin/sh
# Secret-scanning throughput: cscan's engine (cscan-secrets-scan, 1 and 2
# threads) and secretlint (recommended preset) over the same ~1 GiB of files,
# in one run. The files are real Debian content copied from /usr (sorted, so
# the set is the same on every machine of this image: ELF binaries, Python,
# headers, docs, locales) plus fake secrets of 30 kinds (seed_fake_secrets.py).
# The read floor (cat) and a gzip -d floor over a tar of the same files are
# measured too.
#
# usage: tests/bench/secrets_bench.sh BUILD_DIR [WORK_DIR]
#   BENCH_BYTES   size of the data set (default 1073741824)
#   SECRETLINT_CACHE  where secretlint is installed with npm (default /tmp/cscan-secretlint)
#   SECRETLINT_TIMEOUT  seconds before secretlint is stopped (default 3600)
#   SECRETLINT_SUBSET   a folder of the data set (e.g. usr/include/llvm-14) to
#                       run secretlint and cscan side by side on, when the whole
#                       set would take secretlint too long (default: the whole set)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: secrets_bench.sh BUILD_DIR [WORK_DIR]}
work=${2:-/tmp/cscan-secrets-bench}
bytes=${BENCH_BYTES:-1073741824}
cache=${SECRETLINT_CACHE:-/tmp/cscan-secretlint}
scan="$build/analyzer/secrets/cscan-secrets-scan"
[ -x "$scan" ] || { echo "SKIP: $scan is not built"; exit 77; }

mkdir -p "$work"
data="$work/data"
if [ ! -f "$work/data.done" ] || [ "$(cat "$work/data.done")" != "$bytes" ]; then
  rm -rf "$data"
  mkdir -p "$data"
  python3 - "$data" "$bytes" <<'PY'
import os, shutil, sys
dest, limit = sys.argv[1], int(sys.argv[2])
total = 0
for top in ("/usr/share", "/usr/include", "/usr/lib"):
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            src = os.path.join(root, name)
            if os.path.islink(src) or not os.path.isfile(src):
                continue
            size = os.path.getsize(src)
            if size > (64 << 20) or total + size > limit:
                continue
            out = os.path.join(dest, os.path.relpath(src, "/"))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            try:
                shutil.copyfile(src, out)
            except OSError:
                continue
            total += size
            if total >= limit - (1 << 20):
                print(f"copied {total} bytes")
                sys.exit(0)
print(f"copied {total} bytes")
PY
  python3 "$here/../secrets/seed_fake_secrets.py" "$data/fake-secrets"
  echo "$bytes" >"$work/data.done"
fi

files=$(find "$data" -type f | wc -l)
size=$(du -sb "$data" | cut -f1)
mb=$(echo "$size" | awk '{printf "%.0f", $1 / 1e6}')
echo "data: $files files, $mb MB in $data"

# timed LABEL CMD...: runs CMD, prints "LABEL wall user+sys".
timed() {
  label=$1
  shift
  /usr/bin/env time -f "%e %U %S" -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || true
  set -- $(tail -1 "$work/time.txt")
  cpu=$(echo "$2 $3" | awk '{printf "%.2f", $1 + $2}')
  printf '%s\t%s\t%s\n' "$label" "$1" "$cpu" | tee -a "$work/results.tsv"
}

rm -f "$work/results.tsv"
find "$data" -type f -exec cat {} + >/dev/null # warm the page cache
timed "read floor (cat)" sh -c "find '$data' -type f -exec cat {} + >/dev/null"
if [ ! -f "$work/data.tar.gz" ]; then
  tar -C "$data" -cf - . | gzip -1 >"$work/data.tar.gz"
fi
timed "gzip -d floor" sh -c "gzip -dc '$work/data.tar.gz' >/dev/null"
timed "cscan engine, 1 thread" "$scan" --summary --threads 1 "$data"
cp "$work/out.txt" "$work/cscan-findings.txt"
grep -h "scanned" "$work/err.txt" || true
timed "cscan engine, 2 threads" "$scan" --summary --threads 2 "$data"

subset="$data/${SECRETLINT_SUBSET:-}"
subset_mb=$(du -sb "$subset" | awk '{printf "%.0f", $1 / 1e6}')
if [ -n "${SECRETLINT_SUBSET:-}" ]; then
  timed "cscan engine, 1 thread, ${SECRETLINT_SUBSET}" "$scan" --summary --threads 1 "$subset"
fi
if [ -x "$cache/node_modules/.bin/secretlint" ]; then
  echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' >"$work/secretlintrc.json"
  timed "secretlint${SECRETLINT_SUBSET:+, $SECRETLINT_SUBSET}" timeout "${SECRETLINT_TIMEOUT:-3600}" \
    "$cache/node_modules/.bin/secretlint" --secretlintrc "$work/secretlintrc.json" \
    --format json "$subset/**/*"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('secretlint findings:', sum(len(f['messages']) for f in d))" "$work/out.txt" || true
else
  echo "secretlint not installed in $cache (run tests/secrets/secretlint_compare.sh first)"
fi
echo "cscan findings by rule:"
cat "$work/cscan-findings.txt"
echo
# MB/s by the data each run read: the whole set, or the subset for runs named after it.
awk -F'\t' -v mb="$mb" -v sub_mb="$subset_mb" -v sub_name="${SECRETLINT_SUBSET:-}" '
  BEGIN { print "| run | MB | wall s | CPU s | MB/s wall | MB/s CPU |"; print "|---|---|---|---|---|---|" }
  { size = (sub_name != "" && index($1, sub_name) > 0) ? sub_mb : mb
    printf "| %s | %s | %s | %s | %.0f | %.0f |\n", $1, size, $2, $3, size / $2, size / ($3 > 0 ? $3 : 0.01) }' \
  "$work/results.tsv"
