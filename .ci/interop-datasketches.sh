#!/usr/bin/env bash
# lessram's DataSketches HLL sketch and Theta Kmv against Apache DataSketches itself: the `datasketches`
# Python package (its C++ library), installed from PyPI into a virtual environment,
# target/ds-venv, made when absent. tests/interop/datasketches_check.py (HLL) and
# tests/interop/datasketches_theta_check.py (Theta) run the checks.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/ds-venv
if ! "$VENV/bin/python" -c "import datasketches" 2> /dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check datasketches
fi
cargo build --release --quiet --example datasketches_hll --example datasketches_theta
"$VENV/bin/python" tests/interop/datasketches_check.py
"$VENV/bin/python" tests/interop/datasketches_theta_check.py
