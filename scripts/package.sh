#!/usr/bin/env bash
# Builds errata's package for this platform into target/packages/ with cargo-packager
# (configuration: [package.metadata.packager] in Cargo.toml): a .deb on Linux, an NSIS .exe
# on Windows, an .app and a .dmg on macOS. The release binary is built first (a no-op when the
# tests built it).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-packager >/dev/null; then
    cargo install cargo-packager --locked --version 0.11.8
fi
cargo build --release
# The release profile keeps debug symbols for benchmarks and profiling; the package does not.
mkdir -p target/dist
case "$(uname -s)" in
    Linux)
        formats=deb
        strip -o target/dist/errata target/release/errata
        ;;
    Darwin)
        formats=app,dmg
        strip -S -o target/dist/errata target/release/errata
        ;;
    MINGW* | MSYS* | CYGWIN*)
        # The symbols of a Windows build are in a separate .pdb, not packaged.
        formats=nsis
        cp target/release/errata.exe target/dist/
        ;;
    *)
        echo "no package format for $(uname -s)" >&2
        exit 2
        ;;
esac
cargo packager --release --formats "$formats"
ls -l target/packages/
