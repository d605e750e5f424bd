#!/usr/bin/env bash
# Starts the real errata window under Xvfb on each bundled sample and writes screenshots to
# target/screenshots/. Needs (Debian): xvfb imagemagick libgl1-mesa-dri libegl1
# libxkbcommon-x11-0. The samples are copied to a temporary folder first, so the projects the
# app creates do not land in sample_data/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=target/screenshots
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"; kill "${xvfb:-0}" 2>/dev/null || true' EXIT
cp -r sample_data/speech sample_data/phones "$work"/
display=:97
Xvfb "$display" -screen 0 1700x1100x24 >/dev/null 2>&1 &
xvfb=$!
sleep 1
# Runs the app with the given arguments for a few seconds and saves a screenshot.
shot() {
    local name=$1
    shift
    DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 ./target/release/errata "$@" >/dev/null 2>&1 &
    local app=$!
    sleep 6
    DISPLAY=$display import -window root "$out/$name.png"
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    echo "wrote $out/$name.png"
}
# Like shot, with the window resized to WIDTHxHEIGHT and only the window captured.
sized() {
    local name=$1 width=$2 height=$3
    shift 3
    DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 ./target/release/errata "$@" >/dev/null 2>&1 &
    local app=$!
    sleep 4
    local window
    window=$(DISPLAY=$display xdotool search --name errata | tail -1)
    DISPLAY=$display xdotool windowmove "$window" 0 0 windowsize "$window" "$width" "$height"
    sleep 3
    DISPLAY=$display import -window "$window" "$out/$name.png"
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    echo "wrote $out/$name.png"
}
shot welcome
for sample in speech phones; do
    # A dataset opened for the first time shows the column-mapping dialog...
    shot "$sample-mapping" open "$work/$sample"
    # ...which creates the project; opening the project shows the review view.
    ./target/release/errata init "$work/$sample" >/dev/null
    ./target/release/errata import-audit "$work/$sample.errata" "sample_data/$sample-audit.toml" 2>/dev/null
    shot "$sample" open "$work/$sample.errata"
    sized "$sample-900x600" 900 600 open "$work/$sample.errata"
    sized "$sample-1600x1000" 1600 1000 open "$work/$sample.errata"
    for section in overview priorities slices classes confidence comparison audit; do
        shot "$sample-dashboard-$section" open "$work/$sample.errata" --dashboard "$section"
    done
done
