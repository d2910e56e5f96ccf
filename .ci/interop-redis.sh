#!/usr/bin/env bash
# lessram's Redis HyperLogLog against a real redis-server (Debian's package, installed when
# absent), started on 127.0.0.1 on a free port by tests/interop/redis_check.py and stopped
# when it is done.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server > /dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server > /dev/null
fi
cargo build --release --quiet --example redis_hll
python3 tests/interop/redis_check.py | grep -v '^ok  '
