#!/usr/bin/env bash
# Runs the test suite: installs the build packages when missing, checks formatting and lints
# (warnings are errors), then runs the release-mode tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
exec cargo test --release "$@"
