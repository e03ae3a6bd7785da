//! Benchmarks in the real window, not tests: scripts/bench/frames.sh runs
//! them (`--ignored`) and docs/BENCHMARKS.md has their figures.

use std::time::Duration;

use serde_json::{Value, json};

use super::webdriver::Session;
use super::{Fixture, open_app, wait_until};

/// Starts recording every animation frame's time in the page.
const RECORD_FRAMES: &str = "
    const b = (window.__bench = { frames: [], marks: {}, running: true });
    const tick = (t) => { b.frames.push(t); if (b.running) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);";

fn mark(s: &Session, name: &str) {
    s.execute(
        "window.__bench.marks[arguments[0]] = performance.now();",
        json!([name]),
    )
    .unwrap();
}

/// The gaps between frames painted from mark `from` to mark `to`, in ms,
/// sorted.
fn frame_gaps(s: &Session, from: &str, to: &str) -> Vec<f64> {
    let v = s
        .execute(
            "const b = window.__bench;
             const [a, z] = [b.marks[arguments[0]], b.marks[arguments[1]]];
             const f = b.frames.filter((t) => t >= a && t <= z);
             return f.slice(1).map((t, i) => t - f[i]);",
            json!([from, to]),
        )
        .unwrap();
    let mut gaps: Vec<f64> = serde_json::from_value(v).unwrap();
    gaps.sort_by(f64::total_cmp);
    gaps
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn describe(gaps: &[f64]) -> String {
    format!(
        "{} frames, p50 {:.1} / p95 {:.1} / max {:.1} ms, {} over 50 ms",
        gaps.len() + 1,
        percentile(gaps, 0.5),
        percentile(gaps, 0.95),
        gaps.last().copied().unwrap_or(f64::NAN),
        gaps.iter().filter(|g| **g > 50.0).count()
    )
}

/// Builds `name` in the page (so handing it over costs nothing measured),
/// records frames for `idle`, then attaches it and records until its chip
/// is no longer being read. Prints both phases side by side.
fn frames_while_reading(s: &Session, name: &str, make_file: &str, args: Value, idle: Duration) {
    s.execute(
        &format!("window.__benchFile = (() => {{ {make_file} }})();"),
        args,
    )
    .unwrap();
    let size = s
        .execute("return window.__benchFile.size", json!([]))
        .unwrap();
    s.execute(RECORD_FRAMES, json!([])).unwrap();
    mark(s, "idle");
    std::thread::sleep(idle);
    mark(s, "attach");
    s.execute(
        "const input = document.querySelector('#attach-file');
         const dt = new DataTransfer();
         dt.items.add(window.__benchFile);
         input.files = dt.files;
         input.dispatchEvent(new Event('change'));",
        json!([]),
    )
    .unwrap();
    let mut state = Value::Null;
    wait_until(&format!("{name} read"), Duration::from_secs(120), || {
        state = s
            .execute(
                "const li = [...document.querySelectorAll('#attachment-list [role=listitem]')]
                   .find((li) => li.querySelector('.chip-name').textContent === arguments[0]);
                 return li ? li.dataset.state : null;",
                json!([name]),
            )
            .unwrap();
        !matches!(state.as_str(), None | Some("waiting" | "extracting"))
    });
    mark(s, "read");
    let took = s
        .execute(
            "const m = window.__bench.marks; window.__bench.running = false; return m.read - m.attach;",
            json!([]),
        )
        .unwrap();
    let idle = frame_gaps(s, "idle", "attach");
    let reading = frame_gaps(s, "attach", "read");
    println!("{name}: {size} bytes, chip {state} after {took:.0} ms");
    println!("  idle:    {}", describe(&idle));
    println!("  reading: {}", describe(&reading));
    println!(
        "  p95 ratio reading/idle: {:.2}",
        percentile(&reading, 0.95) / percentile(&idle, 0.95)
    );
    s.click(
        &s.wait_for(
            &format!("[aria-label='Remove {name}']"),
            Duration::from_secs(5),
        )
        .unwrap(),
    )
    .unwrap();
}

#[test]
#[ignore = "a benchmark, run by scripts/bench/frames.sh"]
fn bench_frames_while_a_big_file_is_read() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let idle = Duration::from_secs(3);

    // 400 pages of text for the worker to lay out.
    let paragraph = "The survey party measured the valley, the river and the old road \
                     again, and wrote every figure twice in the field book. ";
    let pages: Vec<String> = (0..400)
        .map(|n| format!("Page {n}. {}", paragraph.repeat(20)))
        .collect();
    let pdf = super::documents::groff_pdf(&pages.join("\n.bp\n.LP\n"));
    frames_while_reading(
        &s,
        "survey.pdf",
        "const bin = atob(arguments[0]);
         const bytes = new Uint8Array(bin.length);
         for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
         return new File([bytes], 'survey.pdf');",
        json!([base64_of(&pdf)]),
        idle,
    );

    // 90 MB of text: the bytes cross into the backend, then the worker.
    frames_while_reading(
        &s,
        "logbook.txt",
        "const line = 'The lighthouse keeper logged the weather, the ships and the gulls.\\n';
         return new File([line.repeat(Math.floor(90e6 / line.length))], 'logbook.txt');",
        json!([]),
        idle,
    );
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Messages in the long conversation (the issue's "10,000-message conversation").
const LONG_CHAT: usize = 10_000;

/// A conversation of `LONG_CHAT` messages, replies in markdown (paragraphs,
/// a list, every tenth one a code block), stored as the app stores them.
fn seed_long_chat(fx: &Fixture) {
    use megallm_core::store::types::{MessageStatus, NewMessage, Role};
    use megallm_core::store::{NewConversation, Store};
    let history = fx.path("megallm").join("history.db");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    let mut store = Store::open(&history).unwrap();
    store
        .batch(|s| {
            let c = s.create_conversation(&NewConversation {
                title: "A long chat".into(),
                model: "claude-sonnet-4".into(),
                system_prompt: None,
                sampling: Default::default(),
            })?;
            let mut parent = None;
            for n in 0..LONG_CHAT {
                let (role, text) = if n % 2 == 0 {
                    (Role::User, format!("Question {n}: how does the tide table for the harbour read?"))
                } else if n % 20 == 1 {
                    (
                        Role::Assistant,
                        format!(
                            "Answer {n}, in code:\n\n```rust\nfn tide(hour: u32) -> f64 {{\n    let phase = hour as f64 / 12.42;\n    (phase * std::f64::consts::TAU).sin() * 2.1\n}}\n```\n\nThe **amplitude** is 2.1 m."
                        ),
                    )
                } else {
                    (
                        Role::Assistant,
                        format!(
                            "Answer {n}. High water comes about **50 minutes later** each day.\n\n- springs: larger range\n- neaps: smaller range\n\nRead the *second* column for heights."
                        ),
                    )
                };
                let id = s.append_message(&NewMessage {
                    conversation_id: c,
                    parent_id: parent,
                    role,
                    content: serde_json::json!([{"type": "text", "text": text}]),
                    text,
                    model: (role == Role::Assistant).then(|| "claude-sonnet-4".into()),
                    status: MessageStatus::Complete,
                })?;
                parent = Some(id);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
#[ignore = "a benchmark, run by scripts/bench/frames.sh"]
fn bench_frames_while_scrolling_a_ten_thousand_message_chat() {
    let fx = Fixture::new(0.0);
    seed_long_chat(&fx);
    let driver = fx.driver();
    let s = open_app(&driver);
    let opened = std::time::Instant::now();
    s.click(
        &s.wait_for(".conversation-row", Duration::from_secs(20))
            .unwrap(),
    )
    .unwrap();
    s.wait_for(".message.assistant", Duration::from_secs(30))
        .unwrap();
    let open_ms = opened.elapsed().as_millis();
    let shown = |s: &Session| {
        s.execute(
            "return document.querySelectorAll('#messages .message').length",
            json!([]),
        )
        .unwrap()
        .as_u64()
        .unwrap_or(0)
    };
    let at_open = shown(&s);
    s.execute(RECORD_FRAMES, json!([])).unwrap();
    mark(&s, "idle");
    std::thread::sleep(Duration::from_secs(3));
    mark(&s, "scroll");
    // A reader flicking upwards: 60 px a frame (a fast wheel), for 15 s,
    // older pages loading as the top comes near.
    s.execute(
        "const m = document.querySelector('#messages');
         window.__scrollUntil = performance.now() + 15000;
         const step = () => { m.scrollTop -= 60; if (performance.now() < window.__scrollUntil) requestAnimationFrame(step); };
         requestAnimationFrame(step);",
        json!([]),
    )
    .unwrap();
    wait_until("15 s of scrolling", Duration::from_secs(30), || {
        s.execute("return performance.now() > window.__scrollUntil", json!([]))
            .is_ok_and(|v| v == json!(true))
    });
    mark(&s, "done");
    let after = shown(&s);
    let idle = frame_gaps(&s, "idle", "scroll");
    let scrolling = frame_gaps(&s, "scroll", "done");
    println!(
        "{LONG_CHAT}-message conversation: opened at the newest in {open_ms} ms with {at_open} messages in the DOM; {after} after scrolling up"
    );
    println!("  idle:      {}", describe(&idle));
    println!("  scrolling: {}", describe(&scrolling));
    println!(
        "  frames over one refresh interval (> 17.5 ms) while scrolling: {:.1}%",
        100.0 * scrolling.iter().filter(|g| **g > 17.5).count() as f64
            / scrolling.len().max(1) as f64
    );
}

/// Times the DOM calls the pane streams with (insertAdjacentHTML and the
/// innerHTML setter, inside #messages) and, once per task that made any (a
/// frame's flush), the style and layout they leave to do, forced right after
/// that task as the next frame would do it: the render work a reply costs
/// the main thread, summed while `on`. Paint is not included.
const MEASURE_RENDER: &str = "
    const w = (window.__render = { ms: 0, calls: 0, layouts: 0, on: false, pending: false });
    const messages = document.getElementById('messages');
    const layout = () => {
      const t = performance.now();
      void messages.offsetHeight;
      w.ms += performance.now() - t;
      w.layouts++;
      w.pending = false;
    };
    const timed = (fn) => function (...args) {
      if (!w.on || !messages.contains(this)) return fn.apply(this, args);
      const t = performance.now();
      const r = fn.apply(this, args);
      w.ms += performance.now() - t;
      w.calls++;
      if (!w.pending) { w.pending = true; queueMicrotask(layout); }
      return r;
    };
    Element.prototype.insertAdjacentHTML = timed(Element.prototype.insertAdjacentHTML);
    const d = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
    Object.defineProperty(Element.prototype, 'innerHTML', { get: d.get, set: timed(d.set), configurable: true });";

/// Notes when the page first shows each "Part k." of the reply (the local
/// server numbers the tours of `[[markdown:N]]`), in ms since the epoch.
/// Reads only what a mutation added and the small tail block.
const SEE_PARTS: &str = "
    const seen = (window.__parts = {});
    const note = (text, now) => {
      for (const m of text.matchAll(/Part (\\d+)\\./g)) if (!(m[1] in seen)) seen[m[1]] = now;
    };
    new MutationObserver((records) => {
      const now = performance.timeOrigin + performance.now();
      for (const r of records) for (const n of r.addedNodes) note(n.textContent ?? '', now);
      const tail = document.querySelector('.message.assistant[data-status=streaming] .stream-tail');
      if (tail) note(tail.textContent, now);
    }).observe(document.getElementById('messages'), { childList: true, subtree: true, characterData: true });";

#[test]
#[ignore = "a benchmark, run by scripts/bench/frames.sh"]
fn bench_render_work_of_a_long_streamed_markdown_answer() {
    // Paced like a fast model, so the window renders as it would live;
    // BENCH_RATE (tokens/s) and BENCH_TOURS change the pace and the length.
    let knob = |name: &str, default: f64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(default)
    };
    let (rate, tours) = (
        knob("BENCH_RATE", 3000.0),
        knob("BENCH_TOURS", 120.0) as u32,
    );
    let fx = Fixture::new(rate);
    let driver = fx.driver();
    let s = open_app(&driver);
    // The longest reply the models give (64,000 tokens): the default for new chats.
    super::open_settings(&s);
    super::set_field(&s, "#settings-max-tokens", "64000");
    super::save_settings(&s);
    s.execute(MEASURE_RENDER, json!([])).unwrap();
    s.execute(SEE_PARTS, json!([])).unwrap();
    s.execute(RECORD_FRAMES, json!([])).unwrap();
    s.execute("window.__render.on = true;", json!([])).unwrap();
    mark(&s, "send");
    // The markdown tour (headings, lists, a table, code blocks, math) over and over.
    super::send(&s, &format!("Everything, at length [[markdown:{tours}]]"));
    s.wait_for(".message.assistant .message-body", Duration::from_secs(20))
        .unwrap();
    wait_until("the whole reply", Duration::from_secs(300), || {
        s.execute(
            "return document.querySelector('.message.assistant')?.dataset.status",
            json!([]),
        )
        .is_ok_and(|v| v != json!("streaming") && v != json!(null))
    });
    mark(&s, "done");
    let streamed = s
        .execute(
            "window.__render.on = false; return [window.__render.ms, window.__render.calls, window.__render.layouts,
               document.querySelector('.message.assistant .message-facts')?.textContent ?? '',
               document.querySelector('.message.assistant .message-body').innerHTML.length];",
            json!([]),
        )
        .unwrap();
    // The same final HTML rendered once into the pane, the same way timed.
    let once = s
        .execute(
            "const html = document.querySelector('.message.assistant .message-body').innerHTML;
             const list = document.querySelector('#messages .message-list');
             const runs = [];
             for (let i = 0; i < 5; i++) {
               const body = document.createElement('div');
               body.className = 'message-body markdown';
               list.append(body);
               const t = performance.now();
               body.innerHTML = html;
               void document.getElementById('messages').offsetHeight;
               runs.push(performance.now() - t);
               body.remove();
             }
             return runs.sort((a, b) => a - b)[2];",
            json!([]),
        )
        .unwrap();
    let streamed_ms = streamed[0].as_f64().unwrap();
    let once_ms = once.as_f64().unwrap();
    let frames = frame_gaps(&s, "send", "done");
    println!(
        "a streamed markdown reply sent at {rate} tokens/s ({}; {} bytes of HTML): {} DOM updates in {} frames",
        streamed[3].as_str().unwrap_or(""),
        streamed[4],
        streamed[1],
        streamed[2]
    );
    println!(
        "  render work streamed: {streamed_ms:.0} ms (DOM calls, and style and layout once a frame)"
    );
    println!("  render work once:     {once_ms:.0} ms (median of 5)");
    println!(
        "  ratio streamed/once:  {:.2} (target <= 2)",
        streamed_ms / once_ms
    );
    println!("  frames while streaming: {}", describe(&frames));

    // What the client adds: from the server handing a part's text to the
    // connection to the page showing it (the same machine's clock).
    let written = fx
        .mock
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/v1/messages")
        .map(|r| r.parts_written_ms)
        .unwrap_or_default();
    let seen: std::collections::HashMap<String, f64> =
        serde_json::from_value(s.execute("return window.__parts", json!([])).unwrap()).unwrap();
    let mut latency: Vec<f64> = written
        .iter()
        .filter_map(|(k, at)| seen.get(&k.to_string()).map(|shown| shown - at))
        .collect();
    latency.sort_by(f64::total_cmp);
    println!(
        "  client-added latency, {} of {} parts: p50 {:.1} / p95 {:.1} / p99 {:.1} / max {:.1} ms (target p99 < 5 ms)",
        latency.len(),
        written.len(),
        percentile(&latency, 0.5),
        percentile(&latency, 0.95),
        percentile(&latency, 0.99),
        latency.last().copied().unwrap_or(f64::NAN)
    );
}
