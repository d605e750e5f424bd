#!/usr/bin/env bash
# Writes one tiny image per format errata shows (6x4 pixels: left half red, right half blue),
# so the tests can check each decoder. The GIF has a second, green frame: errata shows the
# first. Needs ImageMagick 6 (Debian's imagemagick).
set -euo pipefail
cd "$(dirname "$0")"
convert=/usr/bin/convert
$convert -size 3x4 xc:red -size 3x4 xc:blue +append base.png
for ext in jpg bmp tiff; do
    # Ordinary 8-bit RGB files, as cameras and tools write them (not 2-bit palettes).
    $convert base.png -type TrueColor -depth 8 -quality 100 "tiny.$ext"
done
$convert base.png -size 6x4 xc:lime -loop 0 -delay 10 tiny.gif
mv base.png tiny.png
$convert tiny.png -define webp:lossless=true tiny.webp
