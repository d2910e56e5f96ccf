#!/usr/bin/env bash
# The exact count (`lessram count --sketch exact --exact`) on one and two threads, words and
# lines, against a baseline build and `runiq -f quick` (a hash set of the lines): median wall
# time, median CPU time, peak RSS, and per-round ratios.
#
#   BASE=/work/lessram-main RUNIQ=/tmp/runiq/bin/runiq benches/exact.sh
#   FILE=some.txt RUNS=9 BASE=... benches/exact.sh
#
# FILE defaults to target/exact-corpus.txt, made (once) from the two corpora of
# benches/get-corpus.sh (english.txt then linux-net.txt, from $CORPUS_DIR, default
# target/corpus-data): 206 MB, 6.6 M lines. BASE (optional) is another lessram binary, say
# a build of main; RUNIQ (optional) a runiq binary (`cargo install runiq --root /tmp/runiq`).
# Every round runs each command once, in turn, so a drift of the shared host hits them
# alike; walls and CPU times are medians over rounds, ratios medians of the per-round
# ratios, RSS the largest over rounds. "2 threads vs 1" is the same binary's one-thread wall
# over its two-thread wall (a speed-up); "RSS vs 1" its two-thread peak over its one-thread
# peak; "vs runiq" runiq's wall over the command's (above 1: faster than runiq).
# Needs GNU time (/usr/bin/time) for CPU time and peak RSS. Prints a markdown table
# (docs/performance.md, section "Exact count", holds its output).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
corpus_dir=${CORPUS_DIR:-target/corpus-data}
base=${BASE:-}
runiq=${RUNIQ:-}
file=${FILE:-target/exact-corpus.txt}
if [ ! -s "$file" ]; then
  if [ ! -s "$corpus_dir/english.txt" ] || [ ! -s "$corpus_dir/linux-net.txt" ]; then
    benches/get-corpus.sh "$corpus_dir" >&2
  fi
  cat "$corpus_dir/english.txt" "$corpus_dir/linux-net.txt" > "$file"
fi
cargo build --release --quiet --features cli --bin lessram
bin=target/release/lessram
cat "$file" > /dev/null # warm the page cache

# "wall_s cpu_s rss_kib" of one run of a command (output discarded).
measure() {
  /usr/bin/time -f "%e %U %S %M" -o /tmp/exact-bench.$$ "$@" > /dev/null
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' /tmp/exact-bench.$$
}
median_of() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
max_of() {
  printf '%s\n' "$@" | sort -g | tail -1
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $runs rounds; $(date -u +%Y-%m-%d)"
echo "input: $(basename "$file"), $(stat -c %s "$file") bytes, $(wc -l < "$file") lines"
echo
echo "| tokens | binary | threads | median wall s | median CPU s | peak RSS KiB | 2 threads vs 1 | RSS vs 1 | vs runiq |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
bins=("new:$bin")
[ -z "$base" ] || bins=("base:$base" "${bins[@]}")
for mode in words lines; do
  flag=""
  [ "$mode" = words ] || flag="--lines"
  declare -A wall=() cpu=() rss=() speedup=() rssx=() vsr=()
  keys=()
  for b in "${bins[@]}"; do keys+=("${b%%:*}:1" "${b%%:*}:2"); done
  [ -z "$runiq" ] || [ "$mode" = words ] || keys+=("runiq:1")
  for _ in $(seq "$runs"); do
    declare -A round=() roundrss=()
    for key in "${keys[@]}"; do
      name=${key%%:*} threads=${key##*:}
      if [ "$name" = runiq ]; then
        read -r w c r < <(measure "$runiq" -f quick "$file")
      else
        path=$bin
        [ "$name" = new ] || path=$base
        # shellcheck disable=SC2086
        read -r w c r < <(measure "$path" count -q --sketch exact --exact $flag --threads "$threads" "$file")
      fi
      round[$key]=$w roundrss[$key]=$r
      wall[$key]+="$w " cpu[$key]+="$c " rss[$key]+="$r "
    done
    for key in "${keys[@]}"; do
      name=${key%%:*}
      [ "$name" = runiq ] && continue
      if [ "${key##*:}" = 2 ]; then
        speedup[$key]+="$(awk -v a="${round[$name:1]}" -v b="${round[$key]}" 'BEGIN {printf "%.3f", a / b}') "
        rssx[$key]+="$(awk -v a="${roundrss[$name:1]}" -v b="${roundrss[$key]}" 'BEGIN {printf "%.3f", b / a}') "
      fi
      [ -z "${round[runiq:1]:-}" ] ||
        vsr[$key]+="$(awk -v a="${round[runiq:1]}" -v b="${round[$key]}" 'BEGIN {printf "%.3f", a / b}') "
    done
  done
  for key in "${keys[@]}"; do
    name=${key%%:*} threads=${key##*:}
    # shellcheck disable=SC2086
    w=$(median_of ${wall[$key]}) c=$(median_of ${cpu[$key]}) r=$(max_of ${rss[$key]})
    s=${speedup[$key]:-} x=${rssx[$key]:-} v=${vsr[$key]:-}
    # shellcheck disable=SC2086
    [ -z "$s" ] || s="$(median_of $s)x"
    # shellcheck disable=SC2086
    [ -z "$x" ] || x="$(median_of $x)x"
    # shellcheck disable=SC2086
    [ -z "$v" ] || v="$(median_of $v)x"
    echo "| $mode | $name | $threads | $w | $c | $r | $s | $x | $v |"
  done
  unset wall cpu rss speedup rssx vsr
done
rm -f /tmp/exact-bench.$$
