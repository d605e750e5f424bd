#!/usr/bin/env bash
# Runs the test suite: installs the build packages when missing, then the release-mode tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
exec cargo test --release "$@"
