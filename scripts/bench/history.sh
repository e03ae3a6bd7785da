#!/usr/bin/env bash
# Scale benchmark of the history store. Not a test: it prints figures to
# compare with the targets in docs/HISTORY.md.
#
#   scripts/bench/history.sh                      # 100,000 conversations, 1,000,000 messages
#   scripts/bench/history.sh --conversations 10000 --messages 100000
#   scripts/bench/history.sh --conversations 200 --messages 3000 --big 1 --big-size 1000   # quick
#
# Generation takes minutes at full size (bulk transactions, progress printed);
# the database goes to a temporary folder unless --dir is given.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$#" -eq 0 ]; then
    set -- --conversations 100000 --messages 1000000
fi
# The command line is timed too: a whole process start on each history.
cargo build --release -q -p megallm-cli
exec cargo run --release -p megallm-core --example history_bench -- --cli target/release/megallm "$@"
