#!/usr/bin/env bash
# Frames the window paints while a big file is read, against the same window
# idle, in one run (the bench_* tests in tests/e2e/bench.rs, in the real
# webview under Xvfb). Not a test: it prints figures for docs/BENCHMARKS.md
# ("The window while a big file is read").
#
#   scripts/bench/frames.sh
#
# Needs what the e2e suite needs: run scripts/test.sh once first.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm --prefix ui run build >/dev/null
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test --test e2e -- --ignored --test-threads=1 --nocapture bench_
