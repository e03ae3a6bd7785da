#!/usr/bin/env bash
# Runs every test of MegaLLM Desktop, installing whatever is missing on a
# Debian machine first: lints, unit and integration tests, the official SDK
# conformance suite, the keychain tests against a real Secret Service, the
# end-to-end suite in the real webview under Xvfb, the run command, and the
# .deb installed and launched.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh
started=$(date +%s)
step() { echo; echo "==> $* (+$(( $(date +%s) - started ))s)"; }

deps_test

step "UI: install, type-check, unit tests, build"
npm --prefix ui ci --no-audit --no-fund --loglevel=error
npm --prefix ui run check
npm --prefix ui test
npm --prefix ui run build

step "format and lints"
cargo fmt --all -- --check
# --all-targets leaves out the e2e suite (test = false): named on its own.
cargo clippy --workspace --all-targets --test e2e -- -D warnings
# The core must build without Tauri, GTK or WebKit.
if cargo tree -p megallm-core -e normal --prefix none | grep -qE '^(tauri|gtk|webkit2gtk|wry) '; then
  echo "megallm-core depends on a GUI crate; it must not" >&2; exit 1
fi

step "unit and integration tests"
# The full-disk test mounts a small tmpfs (root or sudo): fail, never skip.
export MEGALLM_REQUIRE_TMPFS=1
cargo test --workspace

step "generated TypeScript types are committed and current"
if [ -n "$(git status --porcelain -- ui/src/bindings 2>/dev/null)" ]; then
  git status --porcelain -- ui/src/bindings >&2
  echo "ui/src/bindings is out of date: run cargo test and commit the result" >&2; exit 1
fi

step "API key in a real Secret Service (gnome-keyring in a private D-Bus session)"
bash scripts/test-keychain.sh

step "official SDK conformance"
bash scripts/conformance.sh

step "end-to-end in the real webview"
mkdir -p target/e2e
# A private D-Bus session and a 24-bit virtual screen: WebKitWebDriver needs
# both, and nothing outlives the run.
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test --test e2e -- --test-threads=1
echo "screenshots: $(ls target/e2e/*.png | tr '\n' ' ')"

step "the README's run command (scripts/run.sh --smoke: release build, launch on the demo server, check, close)"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/run.sh --smoke

step "the package (scripts/package.sh on the same release build; dpkg -i, launch the installed app, remove)"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/test-package.sh

step "all tests passed"
