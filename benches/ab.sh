#!/usr/bin/env bash
# Two revisions of `lessram` on the same command, run in turn round by round, so host drift
# hits both alike: median wall per revision and the median of the per-round ratios.
#
#   benches/ab.sh REV_A REV_B -- count -q --threads 1 FILE
#   RUNS=11 benches/ab.sh 640267d HEAD -- count -q
#
# Each revision is checked out in target/ab/<sha> and built there (release, feature cli).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] && [ "$3" = "--" ] || { echo "usage: $0 REV_A REV_B -- ARGS..." >&2; exit 2; }
runs=${RUNS:-9}
rev_a=$(git rev-parse --short "$1"); rev_b=$(git rev-parse --short "$2"); shift 3
build() {
  local dir=target/ab/$1
  [ -d "$dir" ] || git worktree add --quiet --detach "$dir" "$1"
  (cd "$dir" && CARGO_TARGET_DIR=target cargo build --release --quiet --features cli --bin lessram)
  echo "$dir/target/release/lessram"
}
bin_a=$(build "$rev_a"); bin_b=$(build "$rev_b")
wall_ms() {
  local a b
  a=$(date +%s%N); "$@" > /dev/null; b=$(date +%s%N)
  echo $(( (b - a) / 1000000 ))
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
walls_a=(); walls_b=(); ratios=()
for _ in $(seq "$runs"); do
  a=$(wall_ms "$bin_a" "$@"); b=$(wall_ms "$bin_b" "$@")
  walls_a+=("$a"); walls_b+=("$b")
  ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", a / b}')")
done
echo "lessram $*  ($runs rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  $rev_a: median $(median "${walls_a[@]}") ms"
echo "  $rev_b: median $(median "${walls_b[@]}") ms"
echo "  $rev_a / $rev_b: median ratio $(median "${ratios[@]}")x"
