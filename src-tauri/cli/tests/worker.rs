//! The extraction worker, with the real `megallm` binary as the child:
//! answers match the in-process reader, and every way a child can go wrong
//! (abort, loop, balloon, nonsense, random bytes) ends in a typed error.
//! The faults come from the debug-build hook (`MEGALLM_WORKER_FAULT`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use megallm_core::documents::worker::{CPU_LIMIT_SECS, FAULT_ENV, MEMORY_LIMIT_BYTES, WORKER_ARG};
use megallm_core::documents::{DocumentError, DocumentKind, MAX_FILE_BYTES, Worker, extract};

fn worker() -> Worker {
    Worker::new(env!("CARGO_BIN_EXE_megallm"), [WORKER_ARG])
}

fn faulty(fault: &str) -> Worker {
    worker().with_env(FAULT_ENV, fault)
}

fn docx() -> Vec<u8> {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Отчёт за квартал</w:t></w:r></w:p><w:p><w:r><w:t>Revenue grew.</w:t></w:r></w:p></w:body></w:document>"#;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in [
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", body),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(120, 80, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// One page of Helvetica text, objects and cross-reference table by hand.
fn pdf() -> Vec<u8> {
    let stream = "BT /F1 12 Tf 72 720 Td (Worker PDF text) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for (n, body) in (1..).zip(&objects) {
        xref.push_str(&format!("{:010} 00000 n \n", out.len()));
        out.extend(format!("{n} 0 obj\n{body}\nendobj\n").into_bytes());
    }
    let start = out.len();
    out.extend(xref.into_bytes());
    let trailer = format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend(trailer.into_bytes());
    out
}

fn samples() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "notes.txt",
            "Съешь же ещё этих мягких булок.\nline two\n".into(),
        ),
        ("report.docx", docx()),
        ("chart.png", png()),
        ("paper.pdf", pdf()),
    ]
}

#[tokio::test]
async fn good_files_come_back_exactly_as_read_in_process() {
    let w = worker();
    for (name, bytes) in samples() {
        let expected = extract(name, &bytes);
        assert!(expected.is_ok(), "{name}: {expected:?}");
        assert_eq!(w.extract(name, bytes).await, expected, "{name}");
    }
    let doc = w.extract("chart.png", png()).await.unwrap();
    assert_eq!(doc.kind, DocumentKind::Image);
    assert_eq!(doc.image.map(|i| (i.width, i.height)), Some((120, 80)));
}

#[tokio::test]
async fn a_bad_file_is_its_typed_error_not_a_crash() {
    let err = worker()
        .extract("tool", b"\x7fELF\x02\x01\x01".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DocumentError::Unsupported { name, .. } if name == "tool"),
        "{err:?}"
    );
}

#[tokio::test]
async fn too_large_is_refused_before_any_process_is_started() {
    // A program that does not exist: any spawn would be `Crashed`.
    let w = Worker::new("/nonexistent/megallm", [WORKER_ARG]);
    let err = w
        .extract("huge.txt", vec![b'a'; MAX_FILE_BYTES as usize + 1])
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::TooLarge { .. }), "{err:?}");
    let err = w.extract("none.txt", Vec::new()).await.unwrap_err();
    assert!(matches!(err, DocumentError::Empty { .. }), "{err:?}");
    let err = w.extract("a.txt", b"a".to_vec()).await.unwrap_err();
    assert!(
        matches!(&err, DocumentError::Crashed { detail, .. } if detail.contains("could not be started")),
        "{err:?}"
    );
}

fn crash_detail(result: Result<megallm_core::documents::Document, DocumentError>) -> String {
    match result {
        Err(DocumentError::Crashed { name, detail }) => {
            assert_eq!(name, "x.txt");
            detail
        }
        other => panic!("expected Crashed, got {other:?}"),
    }
}

#[tokio::test]
async fn an_aborting_reader_is_crashed() {
    let detail = crash_detail(faulty("abort").extract("x.txt", b"hi".to_vec()).await);
    assert!(detail.contains("aborted"), "{detail}");
    let message = DocumentError::Crashed {
        name: "x.txt".into(),
        detail,
    }
    .to_app_error()
    .message;
    assert!(
        message.contains("“x.txt”") && message.contains("The app is fine"),
        "{message}"
    );
}

#[tokio::test]
async fn output_that_is_not_an_answer_is_crashed() {
    let detail = crash_detail(faulty("garbage").extract("x.txt", b"hi".to_vec()).await);
    assert!(detail.contains("unreadable"), "{detail}");
}

/// This process's resident memory, in KiB.
#[cfg(target_os = "linux")]
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_ballooning_reader_hits_the_memory_cap_and_only_it_dies() {
    let before = rss_kib();
    let started = Instant::now();
    let detail = crash_detail(faulty("balloon").extract("x.txt", b"hi".to_vec()).await);
    assert!(detail.contains("out of memory"), "{detail}");
    // The cap (2 GiB of address space) stops it at once, not the timeout.
    assert!(started.elapsed() < Duration::from_secs(20));
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "the test process grew by {grown} KiB");
}

/// Live children of this process that are workers whose environment has
/// `marker` (other tests run workers at the same time).
#[cfg(target_os = "linux")]
fn workers_with(marker: &str) -> Vec<u32> {
    let me = std::process::id().to_string();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let dir = entry.path();
        let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
        // `pid (comm) state ppid ...`; comm may hold spaces, so after ')'.
        let mut fields = stat
            .rsplit_once(')')
            .map_or("", |(_, r)| r)
            .split_whitespace();
        let (state, ppid) = (fields.next(), fields.next());
        let environ = std::fs::read(dir.join("environ")).unwrap_or_default();
        let has = |needle: &[u8]| environ.windows(needle.len()).any(|w| w == needle);
        if ppid == Some(me.as_str()) && state != Some("Z") && has(marker.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_looping_reader_times_out_and_is_gone() {
    let w = faulty("hang").with_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let task = tokio::spawn(async move { w.extract("x.txt", b"hi".to_vec()).await });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let running = workers_with("MEGALLM_WORKER_FAULT=hang");
    assert_eq!(running.len(), 1, "{running:?}");
    let pid = running[0];
    // Nothing but what it was given: no API key, no HOME, no PATH.
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    assert_eq!(environ, b"MEGALLM_WORKER_FAULT=hang\0");
    // The caps it set on itself, as the kernel holds them.
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let limit = |what: &str| {
        let line = limits.lines().find(|l| l.starts_with(what)).unwrap();
        line[what.len()..]
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        limit("Max address space"),
        format!("{MEMORY_LIMIT_BYTES} {MEMORY_LIMIT_BYTES}")
    );
    assert_eq!(
        limit("Max cpu time"),
        format!("{CPU_LIMIT_SECS} {}", CPU_LIMIT_SECS + 5)
    );
    let result = task.await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(
        result,
        Err(DocumentError::TimedOut {
            name: "x.txt".into(),
            seconds: 2
        })
    );
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(6),
        "{elapsed:?}"
    );
    // Killed and reaped: not even a zombie.
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn twenty_files_at_once_all_finish_two_workers_at_a_time() {
    let marker = "MEGALLM_TEST_TAG=concurrency";
    // Slow children: a worker lives 300 ms, so the 5 ms sampling sees the
    // ones running (a fast machine finished them between two samples).
    let w = worker()
        .with_env("MEGALLM_TEST_TAG", "concurrency")
        .with_env(FAULT_ENV, "slow");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let w = w.clone();
        tasks.spawn(async move { w.extract(&format!("{i}.docx"), docx()).await });
    }
    let mut peak = 0;
    let mut done = 0;
    while done < 20 {
        tokio::select! {
            joined = tasks.join_next() => {
                let doc = joined.unwrap().unwrap().unwrap();
                assert_eq!(doc.kind, DocumentKind::Docx);
                done += 1;
            }
            () = tokio::time::sleep(Duration::from_millis(5)) => {
                peak = peak.max(workers_with(marker).len());
            }
        }
    }
    assert!(peak <= 2, "{peak} workers ran at once");
    assert!(peak >= 1, "the sampling never saw a worker");
}

/// xorshift64*: reproducible bytes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[tokio::test]
async fn random_and_truncated_files_give_documents_or_typed_errors_never_crashes() {
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, bytes) in samples() {
        for sixteenth in 0..16 {
            let cut = bytes.len() * sixteenth / 16;
            inputs.push((name.to_owned(), bytes[..cut].to_vec()));
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let names = [
        "a.txt", "a.pdf", "a.docx", "a.png", "a.csv", "a.html", "a.bin",
    ];
    let magics: [&[u8]; 5] = [
        b"",
        b"%PDF-1.4\n",
        b"PK\x03\x04",
        b"\x89PNG\r\n\x1a\n",
        b"<html>",
    ];
    for i in 0..240 {
        let mut bytes = magics[i % magics.len()].to_vec();
        let len = (rng.next() % 4096) as usize;
        bytes.extend(rng.bytes(len));
        inputs.push((names[i % names.len()].to_owned(), bytes));
    }
    let w = worker().with_max_workers(2);
    let mut tasks = tokio::task::JoinSet::new();
    for (name, bytes) in inputs {
        let w = w.clone();
        tasks.spawn(async move { (name.clone(), w.extract(&name, bytes).await) });
    }
    let mut seen = 0;
    while let Some(joined) = tasks.join_next().await {
        let (name, result) = joined.unwrap();
        seen += 1;
        match result {
            Ok(doc) => assert_eq!(doc.name, name),
            Err(e @ (DocumentError::Crashed { .. } | DocumentError::TimedOut { .. })) => {
                panic!("{name}: the reader itself failed: {e}")
            }
            Err(e) => assert_eq!(e.file_name(), name),
        }
    }
    assert_eq!(seen, 4 * 16 + 240);
}

/// `pdf()` encrypted by qpdf (AES-256) with user password `user-pw`.
fn encrypted_pdf() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (plain, locked) = (dir.path().join("plain.pdf"), dir.path().join("locked.pdf"));
    std::fs::write(&plain, pdf()).unwrap();
    let status = std::process::Command::new("qpdf")
        .args(["--encrypt", "user-pw", "owner-pw", "256", "--"])
        .arg(&plain)
        .arg(&locked)
        .status()
        .expect("qpdf runs (scripts/test.sh installs it: deps_test)");
    assert!(status.success());
    std::fs::read(&locked).unwrap()
}

#[tokio::test]
async fn a_password_reaches_the_worker_on_its_stdin_and_a_wrong_one_is_said() {
    let w = worker();
    let locked = encrypted_pdf();
    let err = w.extract("locked.pdf", locked.clone()).await.unwrap_err();
    assert!(matches!(err, DocumentError::Encrypted { .. }), "{err:?}");
    let wrong = w
        .extract_with_password("locked.pdf", locked.clone(), "guess")
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, DocumentError::WrongPassword { .. }),
        "{wrong:?}"
    );
    let doc = w
        .extract_with_password("locked.pdf", locked, "user-pw")
        .await
        .unwrap();
    assert!(doc.text.unwrap().contains("Worker PDF text"));
}
