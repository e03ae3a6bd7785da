#!/usr/bin/env bash
# Runs the key-store test against a real Secret Service: a private D-Bus
# session with gnome-keyring unlocked by a throw-away password, torn down after.
set -euo pipefail
cd "$(dirname "$0")/.."
export MEGALLM_EXPECT_KEYCHAIN=1
# The private HOME below must not hide the Rust toolchain.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME="$home" XDG_RUNTIME_DIR="$home" dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(echo -n throwaway | gnome-keyring-daemon --unlock --components=secrets)"
  pid=${GNOME_KEYRING_PID:-$(pgrep -n gnome-keyring-d || true)}
  trap "[ -n \"$pid\" ] && kill $pid 2>/dev/null || true" EXIT
  # --workspace, not -p megallm-core: the same feature set as the test
  # step before it, so nothing is built again.
  cargo test --workspace --test keychain
'
