#!/usr/bin/env bash
# Runs the official `anthropic` Python SDK against megallm-mock, so the mock
# stays something the real client accepts (tests/conformance/).
#
#   bash scripts/conformance.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/sdk-venv
if [ ! -x "$venv/bin/python" ]; then
  echo "==> creating $venv"
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/conformance/requirements.txt

echo "==> building megallm-mock and megallm"
cargo build -p megallm-mock -p megallm-cli

export MEGALLM_MOCK_BIN="$PWD/target/debug/megallm-mock"
export MEGALLM_CLI_BIN="$PWD/target/debug/megallm"
echo "==> running the SDK conformance suite"
exec "$venv/bin/python" -m pytest -q tests/conformance -p no:cacheprovider "$@"
