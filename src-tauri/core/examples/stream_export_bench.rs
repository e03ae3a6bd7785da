//! Does a whole-history export stall a streaming reply? (Not a test: it
//! prints figures measured side by side in one run.)
//!
//! Builds a history of `--conversations` conversations (a question and an
//! answer each), then plays a reply streaming into it the way the chat layer
//! does: a checkpoint through `SharedStore::write` every `--every-ms`. It
//! records each checkpoint's latency (asked to committed) and the interval
//! between commits in three phases, one after the other on the same store:
//!
//! * idle: nothing else running;
//! * export: `export_all_to` streaming every conversation to a file on a
//!   reader connection, as the app's Export does;
//! * export under the writer: the same export holding the writer's lock, as
//!   the app did before readers existed (the stall readers remove).
//!
//! Run it with:
//!
//!     cargo run --release -p megallm-core --example stream_export_bench -- \
//!         --conversations 100000

use std::error::Error;
use std::io::BufWriter;
use std::path::Path;
use std::time::{Duration, Instant};

use megallm_core::store::{
    MessageId, MessageStatus, NewConversation, NewMessage, Role, SamplingSettings, SharedStore,
    Store,
};
use serde_json::json;

type Res<T> = Result<T, Box<dyn Error>>;

struct Args {
    conversations: usize,
    every_ms: u64,
    idle_checkpoints: usize,
}

fn parse_args() -> Res<Args> {
    let mut a = Args {
        conversations: 100_000,
        every_ms: 50,
        idle_checkpoints: 100,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--conversations" => a.conversations = value()?.parse()?,
            "--every-ms" => a.every_ms = value()?.parse()?,
            "--idle-checkpoints" => a.idle_checkpoints = value()?.parse()?,
            "-h" | "--help" => {
                println!(
                    "stream_export_bench [--conversations N] [--every-ms N] [--idle-checkpoints N]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(a)
}

const ANSWER: &str = "Пример ответа with some English words, a list of points and a \
    closing sentence that makes the reply about as long as a short real one. ";

fn generate(path: &Path, n: usize) -> Res<()> {
    let mut store = Store::open(path)?;
    let mut made = 0;
    while made < n {
        store.batch(|s| {
            for i in made..(made + 10_000).min(n) {
                let c = s.create_conversation(&NewConversation {
                    title: format!("Conversation {i}"),
                    model: "claude-sonnet-4".into(),
                    system_prompt: None,
                    sampling: SamplingSettings::default(),
                })?;
                let text = format!("Question number {i}: what about item {}?", i * 7);
                let u = s.append_message(&message(c, None, Role::User, &text))?;
                let answer = ANSWER.repeat(1 + i % 4);
                s.append_message(&message(c, Some(u), Role::Assistant, &answer))?;
            }
            Ok(())
        })?;
        made = (made + 10_000).min(n);
    }
    Ok(())
}

fn message(c: i64, parent: Option<MessageId>, role: Role, text: &str) -> NewMessage {
    NewMessage {
        conversation_id: c,
        parent_id: parent,
        role,
        content: json!([{"type": "text", "text": text}]),
        text: text.to_owned(),
        model: None,
        status: MessageStatus::Complete,
    }
}

/// Latencies and intervals of the checkpoints of one phase.
#[derive(Default)]
struct Phase {
    latency: Vec<Duration>,
    interval: Vec<Duration>,
}

impl Phase {
    fn line(&self, name: &str) -> String {
        format!(
            "{name:<26} {:>5} checkpoints   latency p50 {} p95 {} max {}   interval p50 {} p95 {} max {}",
            self.latency.len(),
            ms(pct(&self.latency, 0.5)),
            ms(pct(&self.latency, 0.95)),
            ms(pct(&self.latency, 1.0)),
            ms(pct(&self.interval, 0.5)),
            ms(pct(&self.interval, 0.95)),
            ms(pct(&self.interval, 1.0)),
        )
    }
}

fn pct(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(((v.len().saturating_sub(1)) as f64 * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:7.2} ms", d.as_secs_f64() * 1e3)
}

/// Checkpoints a growing reply every `every` until `done` says stop (after
/// at least `min` checkpoints).
async fn stream(
    store: &SharedStore,
    reply: MessageId,
    every: Duration,
    min: usize,
    done: impl Fn() -> bool,
) -> Res<Phase> {
    let mut phase = Phase::default();
    let mut text = String::new();
    let mut tick = tokio::time::interval(every);
    tick.tick().await; // the first tick is immediate
    let mut last = Instant::now();
    while phase.latency.len() < min || !done() {
        tick.tick().await;
        text.push_str("token token token token ");
        let (t, c) = (text.clone(), json!([{"type": "text", "text": text}]));
        let asked = Instant::now();
        store
            .write(move |s| s.checkpoint_message(reply, &c, &t))
            .await?;
        let now = Instant::now();
        phase.latency.push(now - asked);
        phase.interval.push(now - last);
        last = now;
    }
    Ok(phase)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Res<()> {
    let a = parse_args()?;
    let tmp = tempfile::tempdir()?;
    let path = tmp.path().join("history.db");
    let t = Instant::now();
    generate(&path, a.conversations)?;
    println!(
        "stream_export_bench: {} conversations generated in {:.1} s, {:.0} MB",
        a.conversations,
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path)?.len() as f64 / 1e6
    );

    let store = SharedStore::new(Store::open(&path)?);
    let reply = store
        .write(|s| {
            let c = s.create_conversation(&NewConversation {
                title: "Streaming".into(),
                model: "claude-sonnet-4".into(),
                system_prompt: None,
                sampling: SamplingSettings::default(),
            })?;
            let u = s.append_message(&message(c, None, Role::User, "Tell me a lot"))?;
            let mut r = message(c, Some(u), Role::Assistant, "");
            r.status = MessageStatus::Streaming;
            s.append_message(&r)
        })
        .await?;
    let every = Duration::from_millis(a.every_ms);

    let idle = stream(&store, reply, every, a.idle_checkpoints, || true).await?;

    let mut phases = Vec::new();
    for under_writer in [false, true] {
        let out = tmp.path().join(format!("export-{under_writer}.json"));
        let file = std::fs::File::create(&out)?;
        let export = |s: &Store| {
            let mut w = BufWriter::new(file);
            s.export_all_to(&mut w)
        };
        let started = Instant::now();
        let job = if under_writer {
            tokio::spawn({
                let store = store.clone();
                async move { store.write(move |s| export(s)).await }
            })
        } else {
            tokio::spawn({
                let store = store.clone();
                async move { store.read(export).await }
            })
        };
        let phase = stream(&store, reply, every, 1, || job.is_finished()).await?;
        let exported = job.await??;
        let took = started.elapsed();
        println!(
            "exported {exported} conversations ({:.0} MB) in {:.1} s{}",
            std::fs::metadata(&out)?.len() as f64 / 1e6,
            took.as_secs_f64(),
            if under_writer {
                ", holding the writer"
            } else {
                " on a reader"
            }
        );
        std::fs::remove_file(&out)?;
        phases.push(phase);
    }

    println!("\ncheckpoint every {} ms:", a.every_ms);
    println!("  {}", idle.line("idle"));
    println!("  {}", phases[0].line("during export (reader)"));
    println!("  {}", phases[1].line("export under the writer"));
    let p95 = |p: &Phase| pct(&p.interval, 0.95).as_secs_f64();
    println!(
        "  interval p95 ratio: during export / idle {:.2}   (target <= 1.5); under the writer / idle {:.2}",
        p95(&phases[0]) / p95(&idle),
        p95(&phases[1]) / p95(&idle)
    );
    Ok(())
}
