#!/bin/sh
# Runs every fuzz target (or those named) for SECONDS each, JOBS at a time, at low
# priority, then prints the table of fuzz/README.md from their logs.
#
#   fuzz/run-all.sh [SECONDS] [JOBS] [TARGET ...]     (from the repository root)
#   fuzz/run-all.sh table                            (only the table, from fuzz/logs/)
#
# Needs a nightly toolchain and cargo-fuzz. Seeds: cargo test --test hostile -- write_fuzz_seeds
set -eu
cd "$(dirname "$0")/.."
logs=fuzz/logs
mkdir -p "$logs"

table() {
    echo "| target | seconds | executions | exec/s | result |"
    echo "|---|---|---|---|---|"
    for log in "$logs"/*.log; do
        t=$(basename "$log" .log)
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
        secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
        if grep -q "^==[0-9]*== ERROR: libFuzzer" "$log"; then
            result="finding: $(grep -m1 '^==[0-9]*== ERROR: libFuzzer' "$log" | sed 's/^==[0-9]*== ERROR: libFuzzer: //')"
        elif [ -n "$secs" ]; then
            result="no finding"
        else
            result="did not finish"
        fi
        slow=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -n 1)
        if [ "${slow:-0}" -ge 1 ]; then
            result="$result; slowest input ${slow} s"
        fi
        echo "| \`$t\` | ${secs:--} | ${runs:--} | ${rate:--} | $result |"
    done
}

if [ "${1:-}" = table ]; then
    table
    exit 0
fi
seconds=${1:-600}
jobs=${2:-2}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
targets=${*:-$(cargo +nightly fuzz list)}
cargo +nightly fuzz build
running=0
for t in $targets; do
    mkdir -p "fuzz/corpus/$t"
    nice -n 19 cargo +nightly fuzz run "$t" -- -max_total_time="$seconds" \
        -rss_limit_mb=1024 -malloc_limit_mb=64 -print_final_stats=1 >"$logs/$t.log" 2>&1 &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
table
