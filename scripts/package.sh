#!/usr/bin/env bash
# Builds the installable Debian package of MegaLLM Desktop with the Tauri CLI
# (npm's @tauri-apps/cli, pinned in ui/package.json): the app in
# /usr/bin/megallm-desktop, its desktop entry and icon, and the `megallm`
# command line in /usr/bin/megallm. Prints the .deb's path and size last.
#
#   bash scripts/package.sh
#   sudo apt install ./path/printed.deb      # or: sudo dpkg -i ...
#
# The release binaries are the ones scripts/run.sh builds and launches: when
# it has run, nothing here compiles again.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh
# shellcheck source=lib/build.sh
source scripts/lib/build.sh
release="$(cargo_target_dir)/release"

deps_build
build_ui
build_release
# tauri.conf.json's bundle.linux.deb.files maps /usr/bin/megallm to this
# path (relative to the repo, as the bundler reads it), which holds wherever
# CARGO_TARGET_DIR points. Not `externalBin`: tauri-build checks and copies
# external binaries when the app itself compiles, so every `cargo build` of
# the app would need the CLI built first, named with a target-triple suffix.
mkdir -p target/package
cp "$release/megallm" target/package/megallm

echo "==> bundling the .deb"
# `tauri bundle` packages the release above as it is (`tauri build` would
# run its own cargo build of the app alone, and with other features
# resolved, compile much of it again).
rm -rf "$release/bundle/deb"
ui/node_modules/.bin/tauri bundle --bundles deb --ci
deb=$(ls "$release"/bundle/deb/*.deb)
echo "==> $deb ($(du -h "$deb" | cut -f1), $(stat -c %s "$deb") bytes)"
