#!/usr/bin/env bash
# Regenerates docs/footprint.md and docs/footprint.png: heap bytes of every word store,
# sketch and baseline, measured by dhat, on the embedded sample, the English word list and
# the distinct tokens of the English corpus.
#
#   docs/footprint.sh            # from the repository root; about 10 minutes on 2 busy cores
#
# The corpus is read from $LESSRAM_CORPUS (default: ../corpus-data beside the repository);
# if words.txt or english.txt is missing there, ../shared/corpus/get-corpus.sh writes them
# (it installs Debian packages, so it needs apt-get and root or sudo).
# The chart needs a TrueType font: Debian's fonts-dejavu-core, or $LESSRAM_FONT.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${LESSRAM_CORPUS:-$root/../corpus-data}
if [ ! -s "$data/words.txt" ] || [ ! -s "$data/english.txt" ]; then
  get="$root/../shared/corpus/get-corpus.sh"
  if [ ! -x "$get" ]; then
    echo "no corpus in $data and no $get: set LESSRAM_CORPUS to a directory holding" >&2
    echo "words.txt and english.txt (see ../shared/corpus/get-corpus.sh)" >&2
    exit 1
  fi
  "$get" "$data"
fi
cd "$root"
cargo run --release --example footprint -- \
  --doc docs/footprint.md --chart docs/footprint.png --data "$data" "$@"
