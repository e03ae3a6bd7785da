#!/usr/bin/env bash
# Does a whole-history export stall a streaming reply's checkpoints? Not a
# test: it prints checkpoint latencies and intervals idle, during an export
# on a reader, and during an export holding the writer, side by side.
#
#   scripts/bench/stream_export.sh                        # 100,000 conversations
#   scripts/bench/stream_export.sh --conversations 5000   # quick
set -euo pipefail
cd "$(dirname "$0")/../.."
exec cargo run --release -q -p megallm-core --example stream_export_bench -- "$@"
