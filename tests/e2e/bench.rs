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
