#!/usr/bin/env bash
# Start-up and memory of the release app against an empty Tauri app built the
# same way (scripts/bench/empty-app: the same tauri, release profile and
# custom-protocol), interleaved in one run under Xvfb, on an empty history
# and on a 1,000,000-message one. Not a test: it prints figures for
# docs/BENCHMARKS.md ("Start-up and memory").
#
#   scripts/bench/startup.sh                 # 11 runs each, 1,000,000-message history
#   scripts/bench/startup.sh --runs 5 --messages 100000
#
# The big history is generated once into target/bench-startup (minutes at
# full size) and reused while its size stays the same.
# Needs what the e2e suite needs: run scripts/test.sh once first.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=11
messages=1000000
while [ "$#" -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
conversations=$((messages / 10))
target=${CARGO_TARGET_DIR:-$PWD/target}

npm --prefix ui run build >/dev/null
echo "==> building the app (release)"
cargo build --release -q -p megallm-desktop
echo "==> building the empty app (release, the app's tauri and lock file)"
cp Cargo.lock scripts/bench/empty-app/Cargo.lock
CARGO_TARGET_DIR="$target" cargo build --release -q --manifest-path scripts/bench/empty-app/Cargo.toml

history="$target/bench-startup/$messages"
if [ ! -f "$history/big/history.db" ]; then
  echo "==> generating a history of $messages messages"
  cargo run --release -q -p megallm-core --example history_bench -- \
    --conversations "$conversations" --messages "$messages" --repeats 1 --queries 1 --dir "$history"
fi

dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  python3 scripts/bench/startup.py --app "$target/release/megallm-desktop" \
    --empty "$target/release/megallm-bench-empty" --history "$history/big" --runs "$runs"
