#!/usr/bin/env python3
"""Writes the SSE transcript that scripts/bench/sse.sh feeds to every contender.

One long streamed reply as Anthropic's Messages API sends it: message_start, a
thinking block (thinking_delta pieces and a signature_delta), a text block of
50,000 token-sized text_delta events (English, Russian, code, emoji), a
tool_use block whose input arrives as 200 input_json_delta pieces, a ping now
and then, an event type no SDK knows now and then, message_delta with usage,
message_stop. Deterministic (seeded), standard library only.

Beside the transcript it writes `<out>.json`: the counts, and the digest that
every contender's final message must reproduce (see `digest()` below; the Rust,
Python and Node drivers compute the same thing from what they accumulated).

    python3 scripts/bench/sse_transcript.py target/bench/transcript.sse
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ENGLISH = """\
The quick brown fox jumps over the lazy dog. When you stream a reply, every token
arrives as its own event, so the client has to be fast at three things: finding the
end of each line, parsing a small JSON object, and appending a few bytes to a string
that keeps growing. Nothing here is exotic; it just happens fifty thousand times.
Let's look at how the numbers compare, and why a 2-core laptop still shouldn't stutter.
"""

RUSSIAN = """\
Съешь же ещё этих мягких французских булок, да выпей чаю. Потоковый ответ приходит
по одному токену: клиент должен быстро находить конец строки, разбирать маленький
JSON и дописывать несколько байт к растущей строке. Ничего особенного — просто
пятьдесят тысяч раз подряд. Давайте посмотрим, как это выглядит на практике.
"""

CODE = """\
```rust
fn main() -> Result<(), Box<dyn std::error::Error>> {
\tlet path = std::env::args().nth(1).ok_or("usage: bench PATH")?;
\tlet bytes = std::fs::read(&path)?;
\tprintln!("read {} bytes from \\"{}\\"", bytes.len(), path);
\tOk(())
}
```
```python
def split(s: str) -> list[str]:
    return [p for p in re.split(r"\\s+", s) if p]  # "quoted", 'single', back\\slash
```
"""

EMOJI = """\
Готово ✅ Done 🎉 — коты 🐈‍⬛ и флаги 🇷🇺 🇬🇧 🇯🇵, семья 👨‍👩‍👧‍👦, руки 👋🏽 and math: ∑ x² ≤ ∞.
日本語のテキストも少し。Ünïcödé ñ ç ß. Kaomoji: ¯\\_(ツ)_/¯ 🚀🔥💯
"""

THINKING = """\
The user wants a summary of the benchmark design. First I should check what the
transcript contains, then how each SDK reads it. Хорошо, сначала посчитаем дельты.
The tool call should carry the edits as structured JSON so the caller can apply them.
"""

CORPUS = [(ENGLISH, 5), (RUSSIAN, 3), (CODE, 2), (EMOJI, 1)]


def tokens(text: str, rng: random.Random) -> list[str]:
    """Token-sized pieces: whitespace stays attached to the word after it, and
    long words are cut into 2..6-character pieces, roughly as a BPE tokenizer does."""
    out: list[str] = []
    for word in re.findall(r"\s*\S+|\s+", text):
        while len(word) > 7:
            n = rng.randint(2, 6)
            out.append(word[:n])
            word = word[n:]
        out.append(word)
    return out


def token_stream(rng: random.Random):
    names = [c for c, _ in CORPUS]
    weights = [w for _, w in CORPUS]
    while True:
        yield from tokens(rng.choices(names, weights)[0], rng)


def repeat_tokens(text: str, rng: random.Random):
    while True:
        yield from tokens(text, rng)


def deltas(rng: random.Random, count: int, stream) -> list[str]:
    """`count` deltas of 1..3 tokens each (the API often packs several)."""
    return ["".join(next(stream) for _ in range(rng.choices([1, 2, 3], [6, 3, 1])[0])) for _ in range(count)]


def tool_input(rng: random.Random) -> dict:
    edits = []
    for i in range(40):
        edits.append(
            {
                "line": rng.randint(1, 5000),
                "old": f'let x{i} = "value {i}";\n\tprintln!("{{x{i}}}");',
                "new": f"let x{i} = \"значение {i} ✅\"; // back\\slash",
                "weight": rng.choice([0.25, 0.5, 1.5, -2.75, 3]),
                "tags": ["rename", "i18n"] if i % 3 else [],
                "reviewed": i % 2 == 0,
                "note": None if i % 4 else "проверить 👀",
            }
        )
    return {
        "path": "src-tauri/core/src/api/sse.rs",
        "edits": edits,
        "options": {"dry_run": False, "ratio": 0.125, "max_lines": -1, "encoding": "utf-8"},
        "summary": "Rename the variables and translate the messages. Переименовать и перевести. 🌍",
    }


def split_json(text: str, pieces: int, rng: random.Random) -> list[str]:
    """The API first sends an empty partial_json, then the text in pieces."""
    cuts = sorted(rng.sample(range(1, len(text)), pieces - 2))
    bounds = [0, *cuts, len(text)]
    return [""] + [text[a:b] for a, b in zip(bounds, bounds[1:])]


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(blocks: list[dict], stop_reason: str | None, usage: dict) -> str:
    """What every driver computes from its final message and what must match.

    Blocks in order, each as `type \\0 fields...`: text -> text; thinking ->
    thinking \\0 signature; tool_use -> id \\0 name \\0 input as canonical JSON
    (sorted keys, `,` and `:` separators, non-ASCII unescaped). Then the stop
    reason and the input and output token counts. Joined with \\x1e, SHA-256
    of the UTF-8 bytes, hex."""
    parts = []
    for b in blocks:
        if b["type"] == "text":
            parts.append("text\0" + b["text"])
        elif b["type"] == "thinking":
            parts.append("thinking\0" + b["thinking"] + "\0" + b["signature"])
        elif b["type"] == "tool_use":
            parts.append("tool_use\0" + b["id"] + "\0" + b["name"] + "\0" + canonical_json(b["input"]))
        else:
            raise ValueError(b["type"])
    parts.append(f"stop\0{stop_reason}\0{usage['input_tokens']}\0{usage['output_tokens']}")
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--text-deltas", type=int, default=50_000)
    ap.add_argument("--thinking-deltas", type=int, default=400)
    ap.add_argument("--json-deltas", type=int, default=200)
    ap.add_argument("--ping-every", type=int, default=2_000, help="text deltas between pings")
    ap.add_argument("--unknown-every", type=int, default=10_000, help="text deltas between unknown events")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    chunks: list[bytes] = []
    counts = {"events": 0, "deltas": 0, "pings": 0, "unknown": 0}

    def emit(name: str, data: dict) -> None:
        chunks.append(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode())
        counts["events"] += 1
        if name == "content_block_delta":
            counts["deltas"] += 1
        elif name == "ping":
            counts["pings"] += 1
        elif name not in ("message_start", "content_block_start", "content_block_stop", "message_delta", "message_stop"):
            counts["unknown"] += 1

    def delta(index: int, d: dict) -> None:
        emit("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})

    usage_start = {
        "input_tokens": 2_417,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 18_304,
        "output_tokens": 3,
        "service_tier": "standard",
    }
    emit(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-6",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": usage_start,
            },
        },
    )

    blocks: list[dict] = []

    # Thinking.
    think_stream = repeat_tokens(THINKING, rng)
    thinking = deltas(rng, a.thinking_deltas, think_stream)
    signature = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(600)) + "=="
    emit("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}})
    emit("ping", {"type": "ping"})
    for t in thinking:
        delta(0, {"type": "thinking_delta", "thinking": t})
    delta(0, {"type": "signature_delta", "signature": signature})
    emit("content_block_stop", {"type": "content_block_stop", "index": 0})
    blocks.append({"type": "thinking", "thinking": "".join(thinking), "signature": signature})

    # Text.
    text = deltas(rng, a.text_deltas, token_stream(rng))
    emit("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}})
    for i, t in enumerate(text, 1):
        delta(1, {"type": "text_delta", "text": t})
        if i % a.ping_every == 0:
            emit("ping", {"type": "ping"})
        if i % a.unknown_every == 0:
            emit("some_future_event", {"type": "some_future_event", "payload": {"n": i, "note": "ignore me"}})
    emit("content_block_stop", {"type": "content_block_stop", "index": 1})
    blocks.append({"type": "text", "text": "".join(text)})

    # Tool use.
    tool = tool_input(rng)
    tool_text = json.dumps(tool, ensure_ascii=False)
    emit(
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 2,
            "content_block": {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "apply_edits", "input": {}},
        },
    )
    for piece in split_json(tool_text, a.json_deltas, rng):
        delta(2, {"type": "input_json_delta", "partial_json": piece})
    emit("content_block_stop", {"type": "content_block_stop", "index": 2})
    blocks.append({"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "apply_edits", "input": tool})

    usage_end = {
        "input_tokens": 2_417,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 18_304,
        "output_tokens": a.text_deltas + a.thinking_deltas + a.json_deltas,
    }
    emit("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None}, "usage": usage_end})
    emit("message_stop", {"type": "message_stop"})

    body = b"".join(chunks)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_bytes(body)
    meta = {
        **counts,
        "bytes": len(body),
        "text_deltas": a.text_deltas,
        "text_bytes": len(blocks[1]["text"].encode()),
        "tool_input_bytes": len(tool_text.encode()),
        "digest": digest(blocks, "tool_use", usage_end),
        "seed": a.seed,
    }
    Path(str(a.out) + ".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {a.out}: {len(body):,} bytes, {counts['events']:,} events, {counts['deltas']:,} deltas", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
