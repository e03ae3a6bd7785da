#!/usr/bin/env bash
# The build steps scripts/run.sh and scripts/package.sh share, so the app they
# launch and the app they bundle are one release build. Sourced, not run.

# Where cargo puts its output (CARGO_TARGET_DIR, as cargo and `tauri build`
# read it, else target/ here).
cargo_target_dir() {
  echo "${CARGO_TARGET_DIR:-$PWD/target}"
}

# The UI, embedded into the app at compile time from ui/dist.
build_ui() {
  echo "==> building the UI"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
  npm --prefix ui run build
}

# The release build every script uses: the app, the CLI and the local
# server in one cargo run, so their shared dependencies are resolved and
# compiled once. (Built one package at a time, each run resolves features
# for its package alone and recompiles a hundred crates.) `tauri bundle`
# then packages this build without compiling anything.
build_release() {
  echo "==> building the app, the CLI and the local server (release)"
  cargo build --release -p megallm-desktop -p megallm-cli -p megallm-mock
}
