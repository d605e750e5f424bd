#!/usr/bin/env bash
# Regenerates the icon's PNGs (16-512 px) and the Windows .ico in assets/icons/ from the
# geometry of assets/icons/errata.svg (drawn by examples/make_icons.rs). The outputs are
# committed; run this after changing the mark.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example make_icons
