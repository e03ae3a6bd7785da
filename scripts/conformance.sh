#!/usr/bin/env bash
# Runs the official `anthropic` Python SDK against megallm-mock, so the mock
# stays something the real client accepts (tests/conformance/).
#
#   bash scripts/conformance.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/build.sh
source scripts/lib/build.sh

venv=target/sdk-venv
if [ ! -x "$venv/bin/python" ]; then
  echo "==> creating $venv"
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/conformance/requirements.txt

echo "==> building megallm-mock and megallm"
# The build `cargo test --workspace` makes (its integration tests need both
# binaries): after that step it is a no-op, where `cargo build -p ...`
# would resolve features for two packages alone and rebuild a dozen crates.
cargo test --workspace --no-run --quiet

export MEGALLM_MOCK_BIN="$(cargo_target_dir)/debug/megallm-mock"
export MEGALLM_CLI_BIN="$(cargo_target_dir)/debug/megallm"
echo "==> running the SDK conformance suite"
exec "$venv/bin/python" -m pytest -q tests/conformance -p no:cacheprovider "$@"
