#!/usr/bin/env bash
# Builds MegaLLM Desktop (release) and launches it, installing whatever is
# missing on a Debian machine first.
#
#   bash scripts/run.sh          # against MEGALLM_BASE_URL (default https://ai.megallm.io)
#   bash scripts/run.sh --demo   # against the bundled local demo server, no key needed
#   bash scripts/run.sh --smoke  # for the test suite: the demo, checked and closed
#                                # (debug build, reusing the tests' one)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh

mode=app
case "${1:-}" in
  "") ;;
  --demo) mode=demo ;;
  --smoke) mode=smoke ;;
  *) echo "usage: bash scripts/run.sh [--demo]" >&2; exit 2 ;;
esac
profile=(--release); out=target/release
if [ "$mode" = smoke ]; then profile=(); out=target/debug; fi

deps_build
echo "==> building the UI"
npm --prefix ui ci --no-audit --no-fund --loglevel=error
npm --prefix ui run build
echo "==> building the app (${out#target/})"
cargo build "${profile[@]}" -p megallm-desktop
if [ "$mode" != app ]; then cargo build "${profile[@]}" -p megallm-mock; fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "Built $out/megallm-desktop, but there is no display to open it on." >&2
  echo "Run this from a desktop session (or under xvfb-run)." >&2
  exit 1
fi

if [ "$mode" = app ]; then
  exec "$out/megallm-desktop"
fi

# The local Anthropic-compatible server plays the service: scripted,
# deterministic replies (try "[[markdown]]" or "[[long:300]]" in a prompt).
mock_out=$(mktemp)
"$out/megallm-mock" --port 0 --tokens-per-sec 60 >"$mock_out" &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null || true; rm -f "$mock_out"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$mock_out" && break; sleep 0.1; done
export MEGALLM_BASE_URL; MEGALLM_BASE_URL=$(sed -n 's/^listening on //p' "$mock_out" | head -n1)
export MEGALLM_API_KEY="${MEGALLM_API_KEY:-demo-key}"
if [ "$mode" = demo ]; then
  export MEGALLM_DATA_DIR="${MEGALLM_DATA_DIR:-$PWD/target/demo-data}"
  echo "==> demo server at $MEGALLM_BASE_URL, history in $MEGALLM_DATA_DIR"
  "$out/megallm-desktop"
  exit
fi

# --smoke: the window must come up and its UI reach the service (it asks for
# the model list at start-up); then close it.
MEGALLM_DATA_DIR=$(mktemp -d); export MEGALLM_DATA_DIR
"$out/megallm-desktop" &
app_pid=$!
trap 'kill $app_pid $mock_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$mock_out" "$MEGALLM_DATA_DIR"' EXIT
for _ in $(seq 600); do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "smoke test: the app exited at start-up" >&2; exit 1
  fi
  if curl -fsS "$MEGALLM_BASE_URL/_mock/requests" | grep -q '"path":"/v1/models"'; then
    echo "==> smoke test passed: the app started and asked the demo server for its models"
    exit 0
  fi
  sleep 0.1
done
echo "smoke test: the app did not reach the demo server within 60 s" >&2
exit 1
