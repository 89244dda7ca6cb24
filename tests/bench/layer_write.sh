#!/bin/bash
# Layer writer benchmark: core::LayerWriter (zstd, gzip, none) against shell
# pipelines over the same ~500 MB tree, interleaved, ROUNDS times.
#
#   tests/bench/layer_write.sh [BUILD_DIR] [ROUNDS]
#
# The tree is generated once under /tmp/cbuild-bench (BENCH_DIR to change;
# SCALE=0.2 for a quick run). Results: a table on stdout (median and range of
# wall time, MB/s of uncompressed tar bytes, CPU seconds).
# RT=1 runs every command under SCHED_FIFO (chrt -f 10, root only) so that
# both sides get the cores ahead of a busy machine's other jobs; the kernel's
# RT throttling still leaves those 5% of each second.
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-/tmp/cbuild-bench}
tree=$work/tree
scale=${SCALE:-1}

ninja -C "$build" layer_write_bench >/dev/null
bench=$build/tests/bench/layer_write_bench
mkdir -p "$work"
if [ ! -f "$work/tree.done.$scale" ]; then
  rm -rf "$tree" "$work"/tree.done.*
  python3 "$here/make_bench_tree.py" "$tree" "$scale"
  touch "$work/tree.done.$scale"
fi
tar -C "$tree" -cf - . | cat >/dev/null # warm the page cache
bytes=$(tar -C "$tree" -cf - . | wc -c)

# One-pass stand-in from docs (reference limits.md): tar -> sha256 (diff_id)
# -> compressor -> sha256 (digest) -> file.
pipeline() { # COMPRESSOR OUT
  local d; d=$(mktemp -d "$work/fifo.XXXXXX"); mkfifo "$d/u" "$d/c"
  openssl dgst -sha256 <"$d/u" >"$d/diffid" & local p1=$!
  openssl dgst -sha256 <"$d/c" >"$d/digest" & local p2=$!
  tar -C "$tree" -cf - . | tee "$d/u" | $1 | tee "$d/c" >"$2"
  wait $p1 $p2; rm -rf "$d"
}
export -f pipeline
export work tree

declare -A cmds=(
  [ours-zstd]="$bench $tree $work/out.zst zstd"
  [ours-gzip]="$bench $tree $work/out.gz gzip"
  [ours-none]="$bench $tree $work/out.tar none"
  [tar-zstd3-sha]="tar -C $tree -cf - . | zstd -q -3 | sha256sum"
  [tar-gzip6-sha]="tar -C $tree -cf - . | gzip -6 | sha256sum"
  [pipe-zstd3T2-2sha-file]="pipeline 'zstd -q -3 -T2' $work/pipe.zst"
  [pipe-gzip6-2sha-file]="pipeline 'gzip -6' $work/pipe.gz"
)
order=(ours-zstd tar-zstd3-sha pipe-zstd3T2-2sha-file ours-gzip tar-gzip6-sha pipe-gzip6-2sha-file ours-none)
if command -v pigz >/dev/null; then
  cmds[tar-pigz6-sha]="tar -C $tree -cf - . | pigz -6 -p 2 | sha256sum"
  order+=(tar-pigz6-sha)
fi
declare -A times cpus
for ((r = 1; r <= rounds; r++)); do
  for name in "${order[@]}"; do
    rm -f "$work"/out.* "$work"/pipe.*
    sync
    prefix=()
    [ "${RT:-0}" = 1 ] && prefix=(chrt -f 10)
    "${prefix[@]}" /usr/bin/time -f "%e %U %S" -o "$work/time.txt" bash -c "${cmds[$name]}" >/dev/null
    read -r t user sys <"$work/time.txt"
    times[$name]+="$t "
    cpus[$name]+="$(echo "$user + $sys" | bc) "
    echo "round $r $name wall ${t}s cpu $user+$sys s load $(cut -d' ' -f1 /proc/loadavg)" >&2
  done
done

echo "RT=${RT:-0}; tree: $tree, $bytes tar bytes, $(find "$tree" | wc -l) entries; $rounds rounds; $(nproc) cores"
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
printf '| %-24s | %10s | %15s | %8s | %12s |\n' what "wall s (median)" "min-max s" "MB/s" "CPU s (median)"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------" "-----------------:" "----------------:" "---------:" "---------------:"
for name in "${order[@]}"; do
  sorted=$(echo "${times[$name]}" | tr ' ' '\n' | grep . | sort -n)
  med=$(echo "${times[$name]}" | median)
  min=$(echo "$sorted" | head -1)
  max=$(echo "$sorted" | tail -1)
  cpu=$(echo "${cpus[$name]}" | median)
  mbps=$(echo "scale=1; $bytes / $med / 1000000" | bc)
  printf '| %-24s | %17.2f | %7.2f-%-7.2f | %8s | %14.2f |\n' "$name" "$med" "$min" "$max" "$mbps" "$cpu"
done
