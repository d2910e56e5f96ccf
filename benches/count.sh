#!/usr/bin/env bash
# `lessram count --sketch hll` side by side with wc and sort -u, on the English corpus and on
# the sample corpus written to a file: wall-clock medians, CPU time, peak RSS, thread scaling.
#
#   benches/count.sh              # RUNS=5; the corpus in $CORPUS_DIR (default target/corpus-data,
#                                 # fetched with ../shared/corpus/get-corpus.sh when missing)
#   CORPUS_DIR=/work/corpus-data RUNS=7 benches/count.sh
#
# Every round runs each command once, in turn, so host drift hits them alike; walls are
# medians over rounds and ratios medians of the per-round ratios. Prints a markdown table
# (docs/performance.md, section "lessram count", holds its output).
# Needs GNU time (/usr/bin/time, Debian package `time`) for peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
corpus_dir=${CORPUS_DIR:-target/corpus-data}
if [ ! -s "$corpus_dir/english.txt" ]; then
  ../shared/corpus/get-corpus.sh "$corpus_dir" >&2
fi
cargo build --release --quiet --features cli --bin lessram --example sample_text
bin=target/release/lessram
sample=target/bench-sample.txt
[ -s "$sample" ] || target/release/examples/sample_text 10000000 > "$sample"

# Wall microseconds of one run of a shell command (output discarded).
wall_us() {
  local a b
  a=$(date +%s%N)
  bash -c "$1" > /dev/null
  b=$(date +%s%N)
  echo $(( (b - a) / 1000 ))
}
# The median of its arguments.
median_of() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
# Median CPU seconds (user + sys) and the largest peak RSS (KiB) of `runs` runs.
cpu_rss() {
  local cmd=$1 cpus=() rss=0
  for _ in $(seq "$runs"); do
    local line
    line=$( { /usr/bin/time -f "%U %S %M" bash -c "$cmd" > /dev/null; } 2>&1 | tail -1)
    cpus+=("$(echo "$line" | awk '{printf "%.2f", $1 + $2}')")
    rss=$(echo "$line $rss" | awk '{print ($3 > $4) ? $3 : $4}')
  done
  echo "$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') $rss"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each; $(date -u +%Y-%m-%d)"
echo
echo "| input | command | median wall s | MB/s | CPU s | peak RSS KiB | vs lessram 1 thread |"
echo "|---|---|---:|---:|---:|---:|---:|"
for file in "$corpus_dir/english.txt" "$sample"; do
  name=$(basename "$file")
  bytes=$(stat -c %s "$file")
  cat "$file" > /dev/null  # warm the page cache
  declare -A cmds=(
    [a]="$bin count -q --sketch hll --threads 1 $file"
    [b]="$bin count -q --sketch hll --threads 2 $file"
    [c]="LC_ALL=C wc -w $file"
    [d]="wc -l $file"
    [e]="tr -s ' ' '\\n' < $file | LC_ALL=C sort -u | wc -l"
  )
  # Rounds of every command in turn, so a drift of the shared host hits them alike; each
  # command's ratio to lessram on one thread is the median of the per-round ratios.
  declare -A walls=() ratios=()
  for _ in $(seq "$runs"); do
    base_us=""
    for key in a b c d e; do
      us=$(wall_us "${cmds[$key]}")
      [ -n "$base_us" ] || base_us=$us
      walls[$key]+="$us "
      ratios[$key]+="$(awk -v u="$us" -v b="$base_us" 'BEGIN {printf "%.4f", u / b}') "
    done
  done
  for key in a b c d e; do
    cmd=${cmds[$key]}
    # shellcheck disable=SC2086
    wall=$(awk -v u="$(median_of ${walls[$key]})" 'BEGIN {printf "%.3f", u / 1e6}')
    # shellcheck disable=SC2086
    ratio=$(awk -v r="$(median_of ${ratios[$key]})" 'BEGIN {printf "%.2fx", r}')
    read -r cpu rss < <(cpu_rss "$cmd")
    mbs=$(awk -v b="$bytes" -v w="$wall" 'BEGIN {printf "%.0f", b / w / 1e6}')
    shown=${cmd//$file/$name}
    shown=${shown//target\/release\//}
    echo "| $name | \`$shown\` | $wall | $mbs | $cpu | $rss | $ratio |"
  done
done
