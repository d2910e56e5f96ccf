#!/usr/bin/env bash
# `lessram count --sketch hll` side by side with wc and sort -u, on the English corpus, on C
# source (drivers/net of the kernel source Debian ships) and on the sample corpus written to
# a file: wall-clock medians, CPU time, peak RSS, thread scaling, the vector paths on and
# off, and the library example against the CLI.
#
#   benches/count.sh              # RUNS=5; the corpora in $CORPUS_DIR (default
#                                 # target/corpus-data, written by benches/get-corpus.sh when
#                                 # missing)
#   CORPUS_DIR=/work/corpus-data RUNS=7 benches/count.sh
#   BASE=/tmp/lessram-base/lessram SORT=0 RUNS=9 benches/count.sh   # against another build
#
# Every round runs each command once, in turn, so host drift hits them alike; walls are
# medians over rounds and ratios medians of the per-round ratios: "vs lessram 1 thread" is
# a command's time over lessram's on one thread, "x wc -w" is `wc -w`'s time over the
# command's (its throughput as a multiple of `wc -w`'s). `LESSRAM_NO_AVX512=1` rows take
# the paths of CPUs without AVX-512 (on a CPU without it they are the same as the default
# rows). BASE adds a row for that binary (say, a build of the previous commit) with
# `LESSRAM_NO_AVX512=1`; SORT=0 drops the slow `sort -u` row; FILES (names in CORPUS_DIR,
# or paths) replaces the list of inputs. Prints a markdown table (docs/performance.md,
# sections "lessram count" and "lessram count without AVX-512", holds its output). The
# `--hash datasketches` and `--hash redis` rows count into DataSketches' and Redis' HLL
# (issue 17: the first keeps the batch MurmurHash3, the second hashes each token with
# MurmurHash64A).
# Needs GNU time (/usr/bin/time, Debian package `time`) for peak RSS.
#
# Run it on an idle machine: with two background jobs on a 2-core host, even at nice 19,
# Linux started the second counting thread on the first one's core and left it there in
# 5 of 8 runs (`perf sched timehist`), so the two threads shared one core and the
# "2 threads" rows measured the scheduler, not lessram.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
corpus_dir=${CORPUS_DIR:-target/corpus-data}
base=${BASE:-}
sort_row=${SORT:-1}
if [ ! -s "$corpus_dir/english.txt" ] || [ ! -s "$corpus_dir/linux-net.txt" ]; then
  benches/get-corpus.sh "$corpus_dir" >&2
fi
cargo build --release --quiet --features cli --bin lessram --example sample_text --example count_file
bin=target/release/lessram
example=target/release/examples/count_file
sample=target/bench-sample.txt
[ -s "$sample" ] || target/release/examples/sample_text 10000000 > "$sample"

# Wall microseconds of one run of a shell command (output discarded). The clock is bash's
# own ($EPOCHREALTIME, no process) and the command runs by `eval` (a fork and an exec), so
# the time is the command's: the `bash -c` and the two `date` processes this timed before
# added some 3 ms to every row, a tenth of a 2-thread run on the English corpus.
wall_us() {
  local a b
  a=${EPOCHREALTIME/./}
  eval "$1" > /dev/null
  b=${EPOCHREALTIME/./}
  echo $(( b - a ))
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
files=()
for f in ${FILES:-english.txt linux-net.txt}; do
  if [ -e "$f" ]; then files+=("$f"); else files+=("$corpus_dir/$f"); fi
done
[ -n "${FILES:-}" ] || files+=("$sample")
echo "| input | command | median wall s | MB/s | CPU s | peak RSS KiB | vs lessram 1 thread | x wc -w |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for file in "${files[@]}"; do
  name=$(basename "$file")
  bytes=$(stat -c %s "$file")
  cat "$file" > /dev/null  # warm the page cache
  no=LESSRAM_NO_AVX512=1
  declare -A cmds=(
    [a]="$bin count -q --sketch hll --threads 1 $file"
    [b]="$no $bin count -q --sketch hll --threads 1 $file"
    [c]="$bin count -q --sketch hll --threads 2 $file"
    [d]="$no $bin count -q --sketch hll --threads 2 $file"
    [e]="$example --threads 1 $file"
    [f]="$no $example --threads 1 $file"
    [g]="LC_ALL=C wc -w $file"
    [h]="wc -l $file"
    [i]="tr -s ' ' '\\n' < $file | LC_ALL=C sort -u | wc -l"
    [j]="$no $base count -q --sketch hll --threads 1 $file"
    [k]="$no LESSRAM_NO_AVX2=1 $bin count -q --sketch hll --threads 1 $file"
    [l]="$bin count -q --sketch hll --hash datasketches --threads 1 $file"
    [m]="$bin count -q --sketch hll --hash redis --threads 1 $file"
  )
  keys="a b k c d l m e f g h"
  [ "$sort_row" = 0 ] || keys+=" i"
  [ -z "$base" ] || keys+=" j"
  # Rounds of every command in turn, so a drift of the shared host hits them alike; each
  # command's ratios (to lessram on one thread, and of `wc -w` to it) are the medians of
  # the per-round ratios.
  declare -A walls=() ratios=() wcx=()
  for _ in $(seq "$runs"); do
    declare -A round=()
    for key in $keys; do
      round[$key]=$(wall_us "${cmds[$key]}")
      walls[$key]+="${round[$key]} "
    done
    for key in $keys; do
      ratios[$key]+="$(awk -v u="${round[$key]}" -v b="${round[a]}" 'BEGIN {printf "%.4f", u / b}') "
      wcx[$key]+="$(awk -v u="${round[$key]}" -v w="${round[g]}" 'BEGIN {printf "%.4f", w / u}') "
    done
  done
  for key in $keys; do
    cmd=${cmds[$key]}
    # shellcheck disable=SC2086
    wall=$(awk -v u="$(median_of ${walls[$key]})" 'BEGIN {printf "%.3f", u / 1e6}')
    # shellcheck disable=SC2086
    ratio=$(awk -v r="$(median_of ${ratios[$key]})" 'BEGIN {printf "%.2fx", r}')
    # shellcheck disable=SC2086
    times_wc=$(awk -v r="$(median_of ${wcx[$key]})" 'BEGIN {printf "%.2fx", r}')
    read -r cpu rss < <(cpu_rss "$cmd")
    mbs=$(awk -v b="$bytes" -v w="$wall" 'BEGIN {printf "%.0f", b / w / 1e6}')
    shown=${cmd//$file/$name}
    shown=${shown//target\/release\//}
    [ -z "$base" ] || shown=${shown//$base/base\/lessram}
    echo "| $name | \`$shown\` | $wall | $mbs | $cpu | $rss | $ratio | $times_wc |"
  done
done
