#!/usr/bin/env bash
# SSE parse + accumulate benchmark: megallm-core against the official Python
# and TypeScript SDKs on the same transcript, in one run. Not a test: it prints
# figures and PASS/MISS against the targets (ours >= 5x the Python SDK's
# throughput, >= 2x the TypeScript SDK's); it fails only if a contender breaks
# or their final messages differ. Method and recorded figures: docs/BENCHMARKS.md.
#
#   scripts/bench/sse.sh                     # full run (~2 minutes once set up)
#   scripts/bench/sse.sh --quick             # fewer repetitions
#   scripts/bench/sse.sh --text-deltas 5000  # a shorter reply (default 50,000)
#
# Set-up, all under target/ and from the registries only: a venv with the
# pinned `anthropic` (target/bench-venv), the pinned `@anthropic-ai/sdk`
# installed with `npm ci` from scripts/bench/package-lock.json
# (target/bench-node), the Rust example built with --release.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY_SDK=2.14.0
# Everything the venv holds, pinned, so the Python figures are reproducible
# (pydantic and jiter versions move them as much as the SDK's own code does).
PY_PINS=(
  "anthropic==$PY_SDK" annotated-types==0.8.0 anyio==4.16.0 docstring_parser==0.18.0
  h11==0.16.0 httpcore2==2.16.2 httpx2==2.16.2 idna==3.20 jiter==0.19.0
  opentelemetry-api==1.45.2 pydantic==2.14.4 pydantic_core==2.50.5 sniffio==1.3.1
  truststore==0.10.5 typing-inspection==0.4.5 typing_extensions==4.16.0
)

rust_reps=31 rust_warmup=3
node_reps=21 node_warmup=5
py_reps=5 py_warmup=1
gen_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) rust_reps=11 node_reps=5 py_reps=2 ;;
    --text-deltas) gen_args+=(--text-deltas "$2"); shift ;;
    --rust-reps) rust_reps=$2; shift ;;
    --node-reps) node_reps=$2; shift ;;
    --py-reps) py_reps=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=../lib/deps.sh
source scripts/lib/deps.sh
command -v cargo >/dev/null || deps_build
python3 -c "import venv, ensurepip" 2>/dev/null || apt_install python3 python3-venv
command -v npm >/dev/null || apt_install nodejs npm

out=target/bench
transcript=$out/transcript.sse
results=$out/sse-results
mkdir -p "$out" "$results"
rm -f "$results"/*.json

echo "==> generating $transcript"
python3 scripts/bench/sse_transcript.py "$transcript" "${gen_args[@]}"

venv=target/bench-venv
if ! "$venv/bin/python" -c "import anthropic, sys; sys.exit(anthropic.__version__ != '$PY_SDK')" 2>/dev/null; then
  echo "==> installing anthropic==$PY_SDK into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${PY_PINS[@]}"
fi

node_dir=target/bench-node
if ! cmp -s scripts/bench/package-lock.json "$node_dir/package-lock.json" \
  || [ ! -f "$node_dir/node_modules/@anthropic-ai/sdk/package.json" ]; then
  echo "==> installing @anthropic-ai/sdk into $node_dir (npm ci)"
  mkdir -p "$node_dir"
  cp scripts/bench/package.json scripts/bench/package-lock.json "$node_dir/"
  npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error
fi

echo "==> building the Rust example (release)"
cargo build --release -p megallm-core --example sse_bench
# The binary `cargo run --release -p megallm-core --example sse_bench` runs,
# started directly so the timing never waits on another build's cargo lock.
rust_bin=target/release/examples/sse_bench

echo "==> megallm-core (Rust): $rust_reps reps"
"$rust_bin" "$transcript" --reps "$rust_reps" --warmup "$rust_warmup" --stages --json >"$results/rust.json"
echo "==> @anthropic-ai/sdk (TypeScript, $(node --version)): $node_reps reps"
node scripts/bench/sse_node.mjs "$transcript" --reps "$node_reps" --warmup "$node_warmup" \
  --sdk "$node_dir/node_modules/@anthropic-ai/sdk" --json >"$results/node.json"
echo "==> anthropic (Python, $("$venv/bin/python" --version)): $py_reps reps (seconds each)"
"$venv/bin/python" scripts/bench/sse_python.py "$transcript" --reps "$py_reps" --warmup "$py_warmup" \
  --json >"$results/python.json"

python3 - "$transcript.json" "$results" <<'EOF'
import json, sys
from pathlib import Path

meta = json.loads(Path(sys.argv[1]).read_text())
res = {k: json.loads((Path(sys.argv[2]) / f"{k}.json").read_text()) for k in ("rust", "node", "python")}
deltas = meta["deltas"]
ours, ours_min = res["rust"]["median_ms"], res["rust"]["min_ms"]
print()
print(f"transcript: {meta['bytes']:,} bytes, {meta['events']:,} events, {deltas:,} deltas "
      f"({meta['text_deltas']:,} text), fed in chunks of 1,400 bytes")
print()
print(f"{'contender':<32} {'version':<8} {'median ms':>10} {'min ms':>9} {'deltas/s':>10} "
      f"{'ours/this':>10} {'(by min)':>9}")
for k in ("rust", "node", "python"):
    r = res[k]
    print(f"{r['contender']:<32} {r['version']:<8} {r['median_ms']:>10.1f} {r['min_ms']:>9.1f} "
          f"{deltas / (r['median_ms'] / 1e3):>10,.0f} {r['median_ms'] / ours:>9.1f}x "
          f"{r['min_ms'] / ours_min:>8.1f}x")
print()
for k, target in (("python", 5.0), ("node", 2.0)):
    ratio = res[k]["median_ms"] / ours
    print(f"ours / {res[k]['contender']}: {ratio:.1f}x by median time (target >= {target:g}x): "
          f"{'PASS' if ratio >= target else 'MISS'}")
stages = res["rust"].get("stages_ms") or {}
if stages:
    print()
    print("Rust, median ms of the pipeline cut short after each stage (interleaved with the full runs): "
          + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
          + f"; the client path {ours:.1f}")
print()
ok = True
for k in ("rust", "node", "python"):
    if res[k]["digest"] != meta["digest"] or res[k]["text_bytes"] != meta["text_bytes"]:
        print(f"FAIL: {res[k]['contender']} accumulated a different message "
              f"(digest {res[k]['digest']}, text {res[k]['text_bytes']} bytes; "
              f"expected {meta['digest']}, {meta['text_bytes']} bytes)")
        ok = False
if ok:
    print(f"final messages identical in all three: text {meta['text_bytes']:,} bytes, "
          f"tool input {meta['tool_input_bytes']:,} bytes, sha256 {meta['digest']}")
sys.exit(0 if ok else 1)
EOF
