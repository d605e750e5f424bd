#!/usr/bin/env bash
# Installs the .deb scripts/package.sh built and checks the installed copy as a user would
# meet it: the program runs, reports on an installed sample, and its desktop entry is valid.
# Run as root (CI); it installs desktop-file-utils for the entry's check.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls target/packages/errata_*.deb)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq desktop-file-utils >/dev/null
# apt resolves the package's dependencies (libasound2, libgl1, ...) as it installs it.
apt-get install -y -qq "./$deb" >/dev/null
echo "installed $deb ($(du -h "$deb" | cut -f1))"
errata --version
samples=/usr/lib/errata/sample_data
report=$(mktemp -d)
cp -r "$samples/speech" "$report/"
errata report "$report/speech" --format json -o "$report/speech.json"
echo "errata report on the installed speech sample: $(wc -c <"$report/speech.json") bytes of JSON"
desktop-file-validate /usr/share/applications/io.github.errata.Errata.desktop
echo "desktop-file-validate: the installed entry is valid"
test -f /usr/share/icons/hicolor/256x256/apps/errata.png
test -f /usr/share/mime/packages/io.github.errata.Errata.xml
echo "icon and .errata MIME type installed"
