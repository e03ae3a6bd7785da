#!/usr/bin/env bash
# Frames the window paints, in the real webview under Xvfb, against the same
# window idle, in one run (the bench_* tests in tests/e2e/bench.rs): while a
# big file is read, and while a 10,000-message conversation is scrolled. Not
# a test: it prints figures for docs/BENCHMARKS.md ("The window while a big
# file is read", "Long chats").
#
#   scripts/bench/frames.sh              # every frames benchmark
#   scripts/bench/frames.sh scrolling    # only those whose name has "scrolling"
#
# Needs what the e2e suite needs: run scripts/test.sh once first.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm --prefix ui run build >/dev/null
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test --test e2e -- --ignored --test-threads=1 --nocapture "${1:-bench_}"
