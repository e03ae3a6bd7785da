//! `megallm extract` and `ask --file`: files go through the worker, and a
//! bad one stops the command with one line naming it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, env, last_messages_body, stderr, stdout};
use serde_json::Value;

fn write(e: &Env, name: &str, bytes: &[u8]) -> String {
    let path = e.data.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn extract_prints_the_text_the_model_would_read() {
    let e = env().await;
    let file = write(&e, "notes.txt", "Квартальный отчёт\nline two\n".as_bytes());
    let out = e.run(&["extract", &file]).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "Квартальный отчёт\nline two\n");
    assert_eq!(stderr(&out), "");
}

#[tokio::test]
async fn extract_json_is_an_array_of_documents_in_order() {
    let e = env().await;
    let a = write(&e, "a.txt", b"first file");
    let b = write(&e, "b.csv", b"x,y\n1,2\n");
    let out = e.run(&["extract", "--json", &a, &b]).await;
    assert!(out.status.success(), "{out:?}");
    let docs: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(docs[0]["name"], "a.txt");
    assert_eq!(docs[0]["kind"]["type"], "text");
    assert_eq!(docs[0]["text"], "first file");
    assert_eq!(docs[1]["name"], "b.csv");
    assert_eq!(docs[1]["kind"]["type"], "csv");
    assert_eq!(docs.as_array().unwrap().len(), 2);

    let one = e.run(&["extract", "--json", &a]).await;
    let docs: Value = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(docs.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn several_files_are_headed_by_their_names() {
    let e = env().await;
    let a = write(&e, "a.txt", b"alpha");
    let b = write(&e, "b.txt", b"beta");
    let out = e.run(&["extract", &a, &b]).await;
    assert_eq!(
        stdout(&out),
        "==> a.txt <==\nalpha\n\n==> b.txt <==\nbeta\n"
    );
}

/// Exit 1, nothing on stdout, one stderr line with the code and the name.
fn assert_refused(out: &std::process::Output, name: &str, code: &str) {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(stdout(out), "");
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("error: {code}: ")), "{err}");
    assert!(err.contains(&format!("“{name}”")), "{err}");
}

#[tokio::test]
async fn bad_files_exit_1_with_one_line_naming_them() {
    let e = env().await;
    let good = write(&e, "good.txt", b"fine");
    let empty = write(&e, "empty.txt", b"");
    assert_refused(
        &e.run(&["extract", &good, &empty]).await,
        "empty.txt",
        "invalid_input",
    );
    let program = write(&e, "tool.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    assert_refused(
        &e.run(&["extract", &program]).await,
        "tool.bin",
        "invalid_input",
    );
    let html_name = "\"><img src=x onerror=alert(1)>.pdf";
    let pdf = write(&e, html_name, b"%PDF-1.7\nnot really a PDF\n");
    let out = e.run(&["extract", "--json", &pdf]).await;
    assert_refused(&out, html_name, "invalid_input");
}

#[tokio::test]
async fn a_missing_file_names_its_path() {
    let e = env().await;
    let missing = e.data.path().join("gone.txt");
    let out = e.run(&["extract", missing.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("gone.txt"), "{}", stderr(&out));
}

#[tokio::test]
async fn ask_with_a_bad_file_fails_before_any_request() {
    let e = env().await;
    let bad = write(&e, "bad.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    for extra in [&["--no-save"][..], &[]] {
        let mut args = vec!["ask", "--file", bad.as_str()];
        args.extend_from_slice(extra);
        args.push("q");
        let out = e.run(&args).await;
        assert_refused(&out, "bad.bin", "invalid_input");
    }
    assert!(
        e.mock.requests().iter().all(|r| r.path != "/v1/messages"),
        "a request was made"
    );
}

#[tokio::test]
async fn ask_sends_a_file_as_extract_prints_it() {
    let e = env().await;
    let text = write(&e, "notes.md", b"# Title\n\nbody");
    let out = e.run(&["ask", "--no-save", "--file", &text, "q"]).await;
    assert!(out.status.success(), "{out:?}");
    let body = last_messages_body(&e.mock);
    let content = &body["messages"][0]["content"];
    assert_eq!(content[0]["type"], "document");
    assert_eq!(content[0]["title"], "notes.md");
    let printed = e.run(&["extract", &text]).await;
    assert_eq!(
        content[0]["source"]["data"].as_str().unwrap().trim_end(),
        stdout(&printed).trim_end()
    );
}

#[tokio::test]
async fn an_image_is_one_line_with_its_type_size_and_weight() {
    let e = env().await;
    let img = image::RgbImage::from_fn(120, 80, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    let file = write(&e, "chart.png", &png);
    let out = e.run(&["extract", &file]).await;
    assert!(out.status.success(), "{out:?}");
    // Within every limit and upright, so sent byte for byte.
    let kb = png.len().div_ceil(1024);
    assert_eq!(stdout(&out), format!("image/png 120x80, {kb} KB\n"));
}

#[tokio::test]
async fn a_saved_ask_sends_the_file_as_a_cached_document() {
    let e = env().await;
    let file = write(&e, "notes.txt", "отчёт за квартал".as_bytes());
    let out = e.run(&["ask", "--file", &file, "summarize"]).await;
    assert!(out.status.success(), "{out:?}");
    let body = last_messages_body(&e.mock);
    let content = &body["messages"][0]["content"];
    assert_eq!(content[0]["type"], "document");
    assert_eq!(content[0]["title"], "notes.txt");
    assert_eq!(content[0]["source"]["data"], "отчёт за квартал");
    assert_eq!(content[0]["cache_control"]["type"], "ephemeral");
    assert_eq!(content[1]["text"], "summarize");
}
