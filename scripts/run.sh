#!/usr/bin/env bash
# Builds MegaLLM Desktop (release) and launches it, installing whatever is
# missing on a Debian machine first.
#
#   bash scripts/run.sh          # against MEGALLM_BASE_URL (default https://ai.megallm.io)
#   bash scripts/run.sh --demo   # against the bundled local demo server, no key needed
#   bash scripts/run.sh --smoke  # for the test suite: the demo, checked and closed
#
# Every mode builds the same release binary that scripts/package.sh bundles,
# so the test suite's smoke step and its package step build it once.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh
# shellcheck source=lib/build.sh
source scripts/lib/build.sh
# shellcheck source=lib/smoke.sh
source scripts/lib/smoke.sh

mode=app
case "${1:-}" in
  "") ;;
  --demo) mode=demo ;;
  --smoke) mode=smoke ;;
  *) echo "usage: bash scripts/run.sh [--demo|--smoke]" >&2; exit 2 ;;
esac
out="$(cargo_target_dir)/release"

deps_build
build_ui
build_release

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "Built $out/megallm-desktop, but there is no display to open it on." >&2
  echo "Run this from a desktop session (or under xvfb-run)." >&2
  exit 1
fi

if [ "$mode" = app ]; then
  exec "$out/megallm-desktop"
fi

# The local Anthropic-compatible server plays the service.
if [ "$mode" = demo ]; then
  mock_start "$out/megallm-mock"
  trap 'kill $MOCK_PID 2>/dev/null || true' EXIT
  export MEGALLM_DATA_DIR="${MEGALLM_DATA_DIR:-$PWD/target/demo-data}"
  echo "==> demo server at $MEGALLM_BASE_URL, history in $MEGALLM_DATA_DIR"
  "$out/megallm-desktop"
  exit
fi

# --smoke: the window must come up and its UI reach the service; then close it.
smoke_launch "$out/megallm-desktop" "$out/megallm-mock"
