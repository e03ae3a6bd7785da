//! SSE parse + accumulate benchmark (not a test: it prints figures).
//!
//! Reads a transcript written by `scripts/bench/sse_transcript.py` into
//! memory, cuts it into 1,400-byte chunks (like TCP segments), and times N
//! replays of `MessageStream::final_message` over those chunks: the client's
//! own stream (`MessageStream::from_body`), with only the socket replaced by
//! an in-memory stream of `reqwest::Result<Bytes>`, as `resp.bytes_stream()`
//! yields. scripts/bench/sse.sh compares the figures with
//! the official Python and TypeScript SDKs; see docs/BENCHMARKS.md.
//!
//!     cargo run --release -p megallm-core --example sse_bench -- target/bench/transcript.sse
//!
//! With `--stages` it also times the pipeline cut short after each stage (SSE
//! only; + JSON; + accumulate, synchronously), to show where the time goes.
//! `--json` prints one machine-readable line on stdout for sse.sh.

use std::error::Error;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use megallm_core::api::MessageStream;
use megallm_core::api::decoder::StreamDecoder;
use megallm_core::api::sse::SseParser;
use megallm_core::api::types::{ContentBlock, KnownBlock, MessageResponse, StreamEvent};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

type Res<T> = Result<T, Box<dyn Error>>;

const CHUNK: usize = 1_400;

struct Args {
    path: String,
    reps: usize,
    warmup: usize,
    json: bool,
    stages: bool,
}

fn parse_args() -> Res<Args> {
    let mut a = Args {
        path: String::new(),
        reps: 31,
        warmup: 3,
        json: false,
        stages: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--reps" => a.reps = value()?.parse()?,
            "--warmup" => a.warmup = value()?.parse()?,
            "--json" => a.json = true,
            "--stages" => a.stages = true,
            "-h" | "--help" => {
                println!("sse_bench PATH [--reps N] [--warmup N] [--stages] [--json]");
                std::process::exit(0);
            }
            other if !other.starts_with('-') && a.path.is_empty() => a.path = other.to_owned(),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if a.path.is_empty() || a.reps == 0 {
        return Err("usage: sse_bench PATH [--reps N] [--warmup N] [--stages] [--json]".into());
    }
    Ok(a)
}

fn canonical_json(v: &Value, out: &mut String) -> Res<()> {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k)?);
                out.push(':');
                canonical_json(&map[k.as_str()], out)?;
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out)?;
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other)?),
    }
    Ok(())
}

/// The generator's `digest()`: SHA-256 over the blocks, stop reason and usage.
fn digest(msg: &MessageResponse) -> Res<String> {
    let mut parts = Vec::new();
    for block in &msg.content {
        parts.push(match block {
            ContentBlock::Known(KnownBlock::Text(t)) => format!("text\0{}", t.text),
            ContentBlock::Known(KnownBlock::Thinking(t)) => {
                format!("thinking\0{}\0{}", t.thinking, t.signature)
            }
            ContentBlock::Known(KnownBlock::ToolUse(t)) => {
                let mut input = String::new();
                canonical_json(&t.input, &mut input)?;
                format!("tool_use\0{}\0{}\0{input}", t.id, t.name)
            }
            other => return Err(format!("unexpected block {other:?}").into()),
        });
    }
    parts.push(format!(
        "stop\0{}\0{}\0{}",
        msg.stop_reason.as_deref().unwrap_or("None"),
        msg.usage.input_tokens,
        msg.usage.output_tokens
    ));
    let hash = Sha256::digest(parts.join("\x1e").as_bytes());
    let mut hex = String::with_capacity(64);
    for b in hash {
        write!(hex, "{b:02x}")?;
    }
    Ok(hex)
}

fn median(xs: &[f64]) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

struct Timed<'a> {
    name: &'static str,
    run: Box<dyn FnMut() -> Res<()> + 'a>,
    wall_ms: Vec<f64>,
}

impl<'a> Timed<'a> {
    fn new(name: &'static str, run: impl FnMut() -> Res<()> + 'a) -> Self {
        Self {
            name,
            run: Box::new(run),
            wall_ms: Vec::new(),
        }
    }
}

/// The client's path: `final_message` over the chunks. The body hands out
/// `Bytes` views of the one buffer (a reference count each), as hyper hands
/// the client its `Bytes`; building it is timed, as the SDKs' bodies are.
fn client_path(rt: &tokio::runtime::Runtime, chunks: &[Bytes]) -> Res<MessageResponse> {
    let body = futures_util::stream::iter(chunks.to_vec()).map(Ok);
    let stream = MessageStream::from_body(body, CancellationToken::new(), Duration::from_secs(60));
    Ok(rt.block_on(stream.final_message())?)
}

fn main() -> Res<()> {
    let a = parse_args()?;
    let bytes = Bytes::from(std::fs::read(&a.path)?);
    let chunks: Vec<Bytes> = (0..bytes.len())
        .step_by(CHUNK)
        .map(|i| bytes.slice(i..(i + CHUNK).min(bytes.len())))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;

    let mut runs = vec![Timed::new("client path", || {
        client_path(&rt, &chunks).map(drop)
    })];
    if a.stages {
        // The pipeline cut short after each stage, synchronously, no tokio:
        // what each stage adds. Interleaved with the client path, one of
        // each per repetition, so a noisy neighbour hits them all alike.
        runs.push(Timed::new("sse", || {
            let mut p = SseParser::new();
            for c in &chunks {
                let mut events = Vec::new();
                p.feed(c, &mut events)?;
                std::hint::black_box(&events);
            }
            Ok(())
        }));
        runs.push(Timed::new("sse+json", || {
            let mut p = SseParser::new();
            for c in &chunks {
                let mut events = Vec::new();
                p.feed(c, &mut events)?;
                for e in &events {
                    std::hint::black_box(serde_json::from_str::<StreamEvent>(&e.data).ok());
                }
            }
            Ok(())
        }));
        // The client's per-event work without its async loop.
        runs.push(Timed::new("sse+json+accumulate", || {
            let mut d = StreamDecoder::new();
            for c in &chunks {
                d.feed(c)?;
                while let Some(ev) = d.next_event() {
                    std::hint::black_box(ev?);
                }
            }
            std::hint::black_box(d.into_message());
            Ok(())
        }));
    }
    for i in 0..a.warmup + a.reps {
        for r in &mut runs {
            let start = Instant::now();
            (r.run)()?;
            let wall = start.elapsed().as_secs_f64() * 1e3;
            if i >= a.warmup {
                r.wall_ms.push(wall);
            }
        }
    }

    // The message of one more run, untimed, for the cross-check.
    let msg = client_path(&rt, &chunks)?;
    let text_bytes: usize = msg
        .content
        .iter()
        .filter_map(ContentBlock::as_text)
        .map(str::len)
        .sum();
    let digest = digest(&msg)?;
    let full = &runs[0];
    let med = median(&full.wall_ms);
    let min = full.wall_ms.iter().copied().fold(f64::INFINITY, f64::min);

    eprintln!(
        "megallm-core: median {med:.2} ms, min {min:.2} ms over {} reps ({} warm-up), {} chunks of {CHUNK} bytes; text {text_bytes} bytes; digest {digest}",
        a.reps,
        a.warmup,
        chunks.len(),
    );
    for r in &runs[1..] {
        eprintln!("  stage {:<22} median {:.2} ms", r.name, median(&r.wall_ms));
    }
    if a.json {
        let stages: serde_json::Map<_, _> = runs[1..]
            .iter()
            .map(|r| (r.name.to_owned(), Value::from(median(&r.wall_ms))))
            .collect();
        let out = serde_json::json!({
            "contender": "megallm-core (Rust)",
            "version": env!("CARGO_PKG_VERSION"),
            "runtime": "rustc --release, tokio current-thread",
            "median_ms": med,
            "min_ms": min,
            "reps": a.reps,
            "samples_ms": full.wall_ms,
            "text_bytes": text_bytes,
            "digest": digest,
            "stages_ms": stages,
        });
        println!("{out}");
    }
    Ok(())
}
