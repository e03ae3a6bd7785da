"""The official `anthropic` Python SDK on the SSE benchmark transcript.

Runs exactly what an application's `client.messages.stream(...)` +
`get_final_message()` runs: the SDK builds its request and hands it to its
httpx2 client, whose transport is replaced by an in-memory one (httpx2's
MockTransport) answering 200 `text/event-stream` with the transcript as a
streamed body of 1,400-byte chunks. From there on everything is the SDK's own
code: `Stream.__stream__` over `SSEDecoder.iter_bytes(response.iter_bytes())`,
`json.loads` + `construct_type` into the `RawMessageStreamEvent` union per
event, and `MessageStream` with `accumulate_event` + `build_events` into the
final `ParsedMessage`. Nothing touches a network.

    target/bench-venv/bin/python scripts/bench/sse_python.py target/bench/transcript.sse [--reps N] [--warmup N] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import anthropic
import httpx2

CHUNK = 1_400


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(msg) -> str:
    """scripts/bench/sse_transcript.py's `digest()`, from the SDK's message."""
    parts = []
    for b in msg.content:
        if b.type == "text":
            parts.append("text\0" + b.text)
        elif b.type == "thinking":
            parts.append("thinking\0" + b.thinking + "\0" + b.signature)
        elif b.type == "tool_use":
            parts.append("tool_use\0" + b.id + "\0" + b.name + "\0" + canonical_json(b.input))
        else:
            raise ValueError(f"unexpected block {b.type}")
    parts.append(f"stop\0{msg.stop_reason}\0{msg.usage.input_tokens}\0{msg.usage.output_tokens}")
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", type=Path)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    body = a.path.read_bytes()
    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]

    def handler(request: httpx2.Request) -> httpx2.Response:
        # An iterator body is a streamed one: httpx2 passes the chunks through as they are.
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks))

    client = anthropic.Anthropic(
        api_key="bench-not-a-key",
        base_url="http://127.0.0.1:9",  # never reached: the transport answers in memory
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        max_retries=0,
    )

    def run():
        with client.messages.stream(
            model="claude-sonnet-4-6",
            max_tokens=64_000,
            messages=[{"role": "user", "content": "Benchmark."}],
        ) as stream:
            return stream.get_final_message()

    samples = []
    msg = None
    for i in range(a.warmup + a.reps):
        start = time.perf_counter()
        msg = run()
        elapsed = (time.perf_counter() - start) * 1e3
        if i >= a.warmup:
            samples.append(elapsed)
        print(f"  python rep {i + 1}/{a.warmup + a.reps}: {elapsed:.1f} ms", file=sys.stderr)

    text_bytes = sum(len(b.text.encode()) for b in msg.content if b.type == "text")
    out = {
        "contender": "anthropic (Python)",
        "version": anthropic.__version__,
        "runtime": f"CPython {sys.version.split()[0]}",
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "reps": a.reps,
        "samples_ms": samples,
        "text_bytes": text_bytes,
        "digest": digest(msg),
    }
    print(
        f"anthropic {out['version']}: median {out['median_ms']:.1f} ms, min {out['min_ms']:.1f} ms over {a.reps} reps; "
        f"text {text_bytes} bytes; digest {out['digest']}",
        file=sys.stderr,
    )
    if a.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
