#!/usr/bin/env bash
# Installs what building, running and testing MegaLLM Desktop needs on Debian 12,
# and only what is missing, so the two README commands work on a fresh machine
# and cost nothing on a prepared one. Sourced by scripts/run.sh and scripts/test.sh.
set -euo pipefail

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What compiling the Tauri app needs (WebKitGTK 4.1 and friends) plus the UI toolchain.
deps_build() {
  apt_install build-essential pkg-config curl file libwebkit2gtk-4.1-dev libxdo-dev \
    libssl-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  if ! command -v cargo >/dev/null 2>&1; then
    echo "==> Rust is missing: installing it with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
}

# What the test suite needs on top: a virtual display, the WebDriver pieces, a
# private D-Bus session with a real Secret Service, Python for the SDK tests.
deps_test() {
  deps_build
  apt_install xvfb xauth webkit2gtk-driver dbus-x11 gnome-keyring libsecret-1-dev \
    python3 python3-venv imagemagick \
    qpdf groff ghostscript img2pdf poppler-utils exiv2 \
    libreoffice-writer-nogui libreoffice-calc-nogui
  if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "==> installing tauri-driver"
    cargo install tauri-driver --locked --quiet
  fi
}
