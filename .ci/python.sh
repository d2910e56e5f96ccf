#!/usr/bin/env bash
# The Python package: built and installed from ./python into a fresh virtual environment
# (as a user would, `pip install ./python`), then its tests, with the release CLI for the
# cross-language ones. Any failure stops the script with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never CARGO_INCREMENTAL=0
step() { printf '\n==> %s\n' "$*"; }

python=${PYTHON:-python3}
venv=target/python-ci-venv

step "cargo clippy of the PyO3 crate (warnings denied; the root's clippy covers only the root)"
cargo clippy -p lessram-python --all-targets -- -D warnings

step "the CLI the cross-language tests run (cargo build --release --features cli)"
cargo build --release --features cli

step "a fresh virtual environment ($venv, $("$python" --version))"
"$python" -m venv --clear "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip

step "pip install ./python pytest numpy"
"$venv/bin/python" -m pip install ./python pytest numpy

step "pytest python/tests"
# Run from target/, away from python/, so that `import lessram` can only find the installed
# package. Exit code 5 (no test collected) fails the script like any other.
cd target
LESSRAM_CLI="$PWD/release/lessram" "../$venv/bin/python" -m pytest -ra ../python/tests
