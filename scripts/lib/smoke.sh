#!/usr/bin/env bash
# The launch check shared by `scripts/run.sh --smoke` (the built app) and
# `scripts/test.sh`'s package step (the app installed from the .deb), and the
# demo server start-up `scripts/run.sh --demo` uses. Sourced, not run.

# Starts the local Anthropic-compatible server (BINARY) in the background on
# a free port: sets MOCK_PID and exports MEGALLM_BASE_URL (and a demo key
# unless one is set). Scripted, deterministic replies: try "[[markdown]]" or
# "[[long:300]]" in a prompt.
mock_start() {
  local out
  out=$(mktemp)
  "$1" --port 0 --tokens-per-sec 60 >"$out" &
  MOCK_PID=$!
  for _ in $(seq 50); do grep -q "listening on" "$out" && break; sleep 0.1; done
  MEGALLM_BASE_URL=$(sed -n 's/^listening on //p' "$out" | head -n1)
  rm -f "$out"
  if [ -z "$MEGALLM_BASE_URL" ]; then
    echo "the demo server ($1) did not start" >&2; return 1
  fi
  export MEGALLM_BASE_URL
  export MEGALLM_API_KEY="${MEGALLM_API_KEY:-demo-key}"
}

# smoke_launch APP MOCK: the window must come up and its UI reach the
# service (it asks for the model list at start-up); then it is closed. Runs
# against MOCK with a throw-away data folder and HOME (the webview keeps its
# own files there), and leaves nothing running. Needs a display: run it under
# `dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24"`.
smoke_launch() (
  app=$1
  scratch=$(mktemp -d)
  app_pid=
  MOCK_PID=
  trap 'kill $app_pid $MOCK_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$scratch"' EXIT
  mock_start "$2"
  export MEGALLM_DATA_DIR="$scratch/data" HOME="$scratch/home"
  mkdir -p "$HOME"
  "$app" &
  app_pid=$!
  for _ in $(seq 600); do
    if ! kill -0 "$app_pid" 2>/dev/null; then
      echo "smoke test: $app exited at start-up" >&2; exit 1
    fi
    if curl -fsS "$MEGALLM_BASE_URL/_mock/requests" | grep -q '"path":"/v1/models"'; then
      echo "==> smoke test passed: $app started and asked the demo server for its models"
      exit 0
    fi
    sleep 0.1
  done
  echo "smoke test: $app did not reach the demo server within 60 s" >&2
  exit 1
)
