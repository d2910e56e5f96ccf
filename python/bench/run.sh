#!/usr/bin/env bash
# python/bench/run.sh [--slice MB] [--items N] [--runs N] [--out FILE]: lessram's Python package against the
# Python peers (python/bench/compare.py) and the book's table (python/bench/book_table.py), on
# a real corpus. Makes a venv under target/ (target/python-bench-venv), pip installs the peers
# one by one (a peer that fails to install is written to target/python-bench-peers.txt and the
# script reports it, the run goes on), installs lessram from ./python (a release build), and
# writes markdown to FILE (default target/python-bench.md).
#
# Corpus: $CORPUS, else target/corpus-data/english.txt, else /work/corpus-data/english.txt;
# `benches/get-corpus.sh DIR` writes it. --slice MB reads only the first MB megabytes.
# Run it on a quiet machine (it measures time); `nice -n 5 python/bench/run.sh` on a shared one.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
venv=target/python-bench-venv
out=target/python-bench.md
args=()
items=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --slice|--runs) args+=("$1" "$2"); shift 2 ;;
    --items) items=("$1" "$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
corpus=${CORPUS:-}
if [ -z "$corpus" ]; then
  for c in target/corpus-data/english.txt /work/corpus-data/english.txt; do
    [ -f "$c" ] && { corpus=$c; break; }
  done
fi
[ -n "$corpus" ] && [ -f "$corpus" ] || {
  echo "no corpus: run benches/get-corpus.sh target/corpus-data, or set CORPUS=FILE" >&2; exit 1; }

echo "==> venv $venv ($("$python" --version))" >&2
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet numpy psutil

# The peers, each on its own so that one that does not build does not stop the others. DAWG
# (the original, last released in 2020) has no wheel for recent Pythons; when it fails, its
# maintained fork DAWG2 (the same `dawg` module, the same dawgdic C++) is tried.
peers=target/python-bench-peers.txt
: > "$peers"
try_install() { # NAME PIP-SPEC...
  local name=$1; shift
  if "$venv/bin/python" -m pip install --quiet "$@" >target/python-bench-pip.log 2>&1; then
    echo "$name installed $*" >> "$peers"
  else
    echo "$name failed $* ($( (grep -m1 -E 'fatal error|No matching distribution' target/python-bench-pip.log \
      || grep -m1 -i error target/python-bench-pip.log) | sed 's/^ *//' | cut -c1-160))" >> "$peers"
    return 1
  fi
}
for p in datasketches datasketch hyperloglog rbloom pyprobables marisa-trie; do
  try_install "$p" "$p" || true
done
try_install DAWG DAWG || try_install DAWG DAWG2 || true
cat "$peers" >&2

echo "==> pip install ./python (release build)" >&2
"$venv/bin/python" -m pip install --quiet ./python

# The CLI, for count_file's comparison with `lessram count` (compare.py says so when absent).
echo "==> cargo build --release --features cli" >&2
cargo build --quiet --release --features cli || echo "CLI build failed; count_file is not compared" >&2

echo "==> compare.py and book_table.py on $corpus" >&2
{
  "$venv/bin/python" python/bench/compare.py --corpus "$corpus" --peers "$peers" "${args[@]}" "${items[@]}"
  echo
  "$venv/bin/python" python/bench/book_table.py --corpus "$corpus" "${args[@]}"
} > "$out"
echo "wrote $out" >&2
