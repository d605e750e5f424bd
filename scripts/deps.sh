#!/usr/bin/env bash
# Installs the system packages errata needs to build on Linux, when they are missing:
# a C compiler and pkg-config for the -sys crates, and the ALSA headers for audio playback.
# macOS and Windows need nothing. Safe to run again: it installs only what is missing.
set -euo pipefail
[ "$(uname -s)" = Linux ] || exit 0
pkg-config --exists alsa 2>/dev/null && command -v cc >/dev/null && exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "errata: installing build packages (C compiler, pkg-config, ALSA headers)..." >&2
if command -v apt-get >/dev/null; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        gcc pkg-config libasound2-dev >/dev/null
elif command -v dnf >/dev/null; then
    $sudo dnf install -y gcc pkgconf-pkg-config alsa-lib-devel
elif command -v pacman >/dev/null; then
    $sudo pacman -S --needed --noconfirm gcc pkgconf alsa-lib
elif command -v zypper >/dev/null; then
    $sudo zypper install -y gcc pkg-config alsa-devel
else
    echo "errata: install a C compiler, pkg-config and the ALSA development headers, then retry" >&2
    exit 1
fi
