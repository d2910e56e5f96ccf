#!/usr/bin/env bash
# Installs real text from Debian's packages and writes three files into DIR (default:
# target/corpus-data), for benches/count.sh:
#   words.txt     one word a line: the SCOWL "insane" American English word list (663,473 words)
#   english.txt   whitespace text: six English dictionaries (GCIDE, WordNet, FOLDOC, Jargon,
#                 Devil's, V.E.R.A.), 79 MB, 10,641,162 tokens
#   linux-net.txt C source: every *.c and *.h file under drivers/net of the kernel source
#                 Debian ships (package linux-source-6.1), in archive order: 127 MB and
#                 13,391,166 tokens for 6.1.192-3 (a later upload of the package changes
#                 them a little; the script prints what it wrote)
# Needs root (or sudo) for apt-get, and about 140 MB to download.
set -euo pipefail
dir=${1:-target/corpus-data}
mkdir -p "$dir"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
pkgs="wamerican-insane dict-gcide dict-wn dict-foldoc dict-jargon dict-devil dict-vera linux-source-6.1"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
cp "$(dpkg -L wamerican-insane | grep "american-english-insane$" | head -1)" "$dir/words.txt"
: > "$dir/english.txt"
for d in gcide wn foldoc jargon devil vera; do
  zcat "$(dpkg -L "dict-$d" | grep "/$d\.dict\.dz$" | head -1)" >> "$dir/english.txt"
done
tarball=$(dpkg -L linux-source-6.1 | grep '/linux-source-6\.1\.tar\.xz$' | head -1)
tar -xJOf "$tarball" --wildcards 'linux-source-6.1/drivers/net/*.[ch]' > "$dir/linux-net.txt"
echo "$dir/words.txt: $(wc -l < "$dir/words.txt") words"
for f in english linux-net; do
  echo "$dir/$f.txt: $(wc -c < "$dir/$f.txt") bytes, $(LC_ALL=C wc -w < "$dir/$f.txt") tokens"
done
echo "linux-source-6.1 $(dpkg-query -W -f '${Version}' linux-source-6.1)"
