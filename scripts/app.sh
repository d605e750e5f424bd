#!/usr/bin/env bash
# Runs the desktop app (arguments as for `errata`, e.g. `open sample_data/speech`): installs the
# build packages when missing, then builds and starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
exec cargo run --release -- "$@"
