#!/usr/bin/env bash
# Builds MegaLLM Desktop (release) and launches it, installing whatever is
# missing on a Debian machine first.
#
#   bash scripts/run.sh          # against MEGALLM_BASE_URL (default https://ai.megallm.io)
#   bash scripts/run.sh --demo   # against the bundled local demo server, no key needed
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh

deps_build
echo "==> building the UI"
npm --prefix ui ci --no-audit --no-fund --loglevel=error
npm --prefix ui run build
echo "==> building the app (release)"
cargo build --release --bin megallm-desktop --bin megallm-mock

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "Built target/release/megallm-desktop, but there is no display to open it on." >&2
  echo "Run this from a desktop session (or under xvfb-run)." >&2
  exit 1
fi

if [ "${1:-}" = "--demo" ]; then
  # The local Anthropic-compatible server plays the service: scripted,
  # deterministic replies (try "[[markdown]]" or "[[long:300]]" in a prompt).
  mock_out=$(mktemp)
  target/release/megallm-mock --port 0 --tokens-per-sec 60 >"$mock_out" &
  mock_pid=$!
  trap 'kill $mock_pid 2>/dev/null || true; rm -f "$mock_out"' EXIT
  for _ in $(seq 50); do grep -q "listening on" "$mock_out" && break; sleep 0.1; done
  export MEGALLM_BASE_URL; MEGALLM_BASE_URL=$(sed -n 's/^listening on //p' "$mock_out" | head -n1)
  export MEGALLM_API_KEY="${MEGALLM_API_KEY:-demo-key}"
  export MEGALLM_DATA_DIR="${MEGALLM_DATA_DIR:-$PWD/target/demo-data}"
  echo "==> demo server at $MEGALLM_BASE_URL, history in $MEGALLM_DATA_DIR"
  target/release/megallm-desktop
else
  exec target/release/megallm-desktop
fi
