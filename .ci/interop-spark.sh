#!/usr/bin/env bash
# lessram's DataSketches HLL sketch against Spark SQL's hll_sketch_agg, hll_union,
# hll_union_agg and hll_sketch_estimate (Apache DataSketches' Java library underneath):
# pyspark from PyPI, pinned, in the virtual environment target/spark-venv (made when absent),
# and a JDK (Debian's openjdk-17-jre-headless, installed when `java` is missing).
# tests/interop/spark_check.py starts Spark in local[2] mode on 127.0.0.1 and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYSPARK=3.5.9
VENV=target/spark-venv
if ! command -v java > /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless > /dev/null
fi
if [ "$("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)' 2> /dev/null)" != "$PYSPARK" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "pyspark==$PYSPARK"
fi
cargo build --release --quiet --example spark_hll
"$VENV/bin/python" tests/interop/spark_check.py "$@"
