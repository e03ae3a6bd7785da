//! The `megallm` binary against the local server, as a script would use it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;

use common::{Env, KEY, env, last_messages_body, stdout};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn ask_streams_and_saves_to_history() {
    let e = env().await;
    let out = e.run(&["ask", "Hello from a script"]).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim(), "Echo: Hello from a script");
    let list = e.run(&["history", "list"]).await;
    assert!(
        stdout(&list).contains("Hello from a script"),
        "{}",
        stdout(&list)
    );
    let found = e.run(&["history", "search", "script"]).await;
    assert!(
        stdout(&found).contains("[script]"),
        "highlighted: {}",
        stdout(&found)
    );
    let id = stdout(&list).split('\t').next().unwrap().trim().to_owned();
    let md = e.run(&["history", "export", &id, "--format", "md"]).await;
    assert!(stdout(&md).contains("Echo: Hello from a script"));
    let json: Value = serde_json::from_str(&stdout(
        &e.run(&["history", "export", &id, "--format", "json"]).await,
    ))
    .unwrap();
    assert_eq!(json["format"], "megallm-conversation");

    // Filters: the model and the period match, pinned-only does not (nothing
    // is pinned), and a model never used finds nothing.
    let all = search_hits(&e, &[]).await;
    assert!(all > 0);
    let narrowed = ["--model", "claude-sonnet-4", "--since-days", "1"];
    assert_eq!(search_hits(&e, &narrowed).await, all);
    assert_eq!(search_hits(&e, &["--model", "claude-3.5-sonnet"]).await, 0);
    assert_eq!(search_hits(&e, &["--pinned"]).await, 0);
}

/// How many hits `megallm history search script` prints with `filters`.
async fn search_hits(e: &Env, filters: &[&str]) -> usize {
    let mut args = vec!["history", "search", "script"];
    args.extend_from_slice(filters);
    stdout(&e.run(&args).await).lines().count()
}

#[tokio::test]
async fn ask_json_prints_the_api_message_only() {
    let e = env().await;
    let out = e
        .run(&[
            "ask",
            "--json",
            "--no-save",
            "--max-tokens",
            "100",
            "--temperature",
            "0.2",
            "hi [[tool]]",
        ])
        .await;
    assert!(out.status.success(), "{out:?}");
    let m: Value = serde_json::from_str(&stdout(&out)).unwrap();
    for field in [
        "id",
        "type",
        "role",
        "model",
        "content",
        "stop_reason",
        "stop_sequence",
        "usage",
    ] {
        assert!(m.get(field).is_some(), "{field} in {m}");
    }
    assert_eq!(m["stop_reason"], "tool_use");
    let body = last_messages_body(&e.mock);
    assert_eq!(body["max_tokens"], 100);
    assert_eq!(body["temperature"], 0.2);
    assert!(
        stdout(&e.run(&["history", "list"]).await).trim().is_empty(),
        "--no-save stored nothing"
    );
}

#[tokio::test]
async fn prompt_from_stdin_and_files() {
    let e = env().await;
    let file = e.data.path().join("notes.txt");
    std::fs::write(&file, "quarterly numbers").unwrap();
    let mut child = e
        .cmd(&["ask", "--no-save", "--file", file.to_str().unwrap(), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("summarize this".as_bytes())
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim(), "Echo: summarize this");
    let body = last_messages_body(&e.mock);
    let content = &body["messages"][0]["content"];
    assert_eq!(content[0]["type"], "document");
    assert_eq!(content[0]["source"]["data"], "quarterly numbers");
    assert_eq!(content[0]["title"], "notes.txt");
}

#[tokio::test]
async fn api_errors_exit_1_with_the_apps_code_on_stderr() {
    let e = env().await;
    let out = e.run(&["ask", "--json", "hi [[fault:401]]"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout with --json");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: auth:"), "{err}");
    assert!(!err.contains(KEY));

    // The code as the app spells it (serde's snake_case), not from Debug.
    let out = e
        .run(&["ask", "--json", "hi [[fault:429 should_retry=false]]"])
        .await;
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: rate_limit:"), "{err}");
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let e = env().await;
    assert_eq!(e.run(&["ask"]).await.status.code(), Some(2));
    assert_eq!(e.run(&["frobnicate"]).await.status.code(), Some(2));
}

#[tokio::test]
async fn the_apps_stored_key_is_used_when_no_variable_is_set() {
    let e = env().await;
    // What the app writes when no keychain is running (the CLI runs with a
    // cleared environment here, so it has no session bus either).
    std::fs::write(e.data.path().join("api-key"), KEY).unwrap();
    let out = e
        .cmd(&["ask", "--no-save", "hi"])
        .env_remove("MEGALLM_API_KEY")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim(), "Echo: hi");
}

#[tokio::test]
async fn the_apps_saved_base_url_is_read_as_the_app_reads_it() {
    // Saved by the app with a trailing /v1 and a hand-edited bad field: the
    // CLI normalizes the URL and ignores the bad field, as the app does.
    let e = env().await;
    std::fs::write(
        e.data.path().join("settings.json"),
        format!(
            r#"{{"base_url":"{}/v1/","temperature":9}}"#,
            e.mock.base_url()
        ),
    )
    .unwrap();
    let out = e
        .cmd(&["ask", "--no-save", "via the saved URL"])
        .env_remove("MEGALLM_BASE_URL")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim(), "Echo: via the saved URL");
}
