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

# The release app, built alone, as `tauri build` builds it: built in one
# cargo run with other packages its dependencies could be given other
# features, and `tauri build` would then compile them again.
build_app_release() {
  echo "==> building the app (release)"
  cargo build --release -p megallm-desktop
}
