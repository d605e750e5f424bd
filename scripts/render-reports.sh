#!/usr/bin/env bash
# Writes the HTML audit report of each bundled sample (with its audit spec) and renders it
# with headless Chromium to target/report-shots/<sample>.png (the whole page) and .pdf (as it
# prints). Needs Chromium (Debian: apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=target/report-shots
mkdir -p "$out"
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chromium" ] || { echo "Chromium is needed: apt-get install chromium" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --hide-scrollbars --user-data-dir="$profile")
for sample in speech phones; do
    html="$out/$sample.html"
    ./target/release/errata report "sample_data/$sample" --format html \
        --spec "sample_data/$sample-audit.toml" -o "$html"
    "$chromium" "${flags[@]}" --window-size=1200,5200 --screenshot="$out/$sample.png" \
        "file://$PWD/$html" 2>/dev/null
    "$chromium" "${flags[@]}" --print-to-pdf="$out/$sample.pdf" --no-pdf-header-footer \
        "file://$PWD/$html" 2>/dev/null
    echo "wrote $out/$sample.png and $out/$sample.pdf"
done
