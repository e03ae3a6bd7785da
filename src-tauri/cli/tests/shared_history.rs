//! One history, many processes: the app starting while `megallm ask`
//! streams must not cut the CLI's reply off, and the CLI continues stored
//! conversations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use megallm_core::store::types::{MessageStatus, Role};
use megallm_core::store::{ListQuery, Store};
use megallm_mock::{MockConfig, MockServer};

const KEY: &str = "shared-history-key";

fn all() -> ListQuery {
    ListQuery {
        limit: 100,
        ..ListQuery::default()
    }
}

async fn mock(tokens_per_sec: f64) -> MockServer {
    MockServer::start(MockConfig {
        api_key: Some(KEY.into()),
        tokens_per_sec,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn megallm(mock: &MockServer, data: &Path, args: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_megallm"));
    c.args(args)
        .env_clear()
        .env("MEGALLM_API_KEY", KEY)
        .env("MEGALLM_BASE_URL", mock.base_url())
        .env("MEGALLM_DATA_DIR", data)
        .stdin(Stdio::null());
    c
}

/// The CLI's reply while it is still being written, once it has text.
fn streaming_reply(history: &Path) -> Option<String> {
    let store = Store::open(history).ok()?;
    let page = store.list_conversations(&all()).ok()?;
    let c = page.items.first()?;
    let (messages, _) = store.open_page(c.id, None, 10).ok()?;
    messages
        .into_iter()
        .find(|m| m.role == Role::Assistant && m.status == MessageStatus::Streaming)
        .map(|m| m.text)
        .filter(|t| !t.is_empty())
}

/// Waits for the CLI's first checkpoint with text; returns that text.
async fn first_checkpoint(history: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(text) = streaming_reply(history) {
            return text;
        }
        assert!(Instant::now() < deadline, "the CLI never checkpointed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_starting_while_the_cli_streams_keeps_the_reply_whole() {
    // 400 words at 100 tokens/s: several seconds of streaming to start in.
    let mock = mock(100.0).await;
    let data = tempfile::tempdir().unwrap();
    let history = data.path().join("history.db");
    let child = megallm(&mock, data.path(), &["ask", "Tell it long [[long:400]]"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let seen = first_checkpoint(&history).await;

    // What the app does at start: open the history, recover interrupted
    // replies, purge. The CLI is alive, so its reply must be left alone.
    let (store, notice) = Store::open_for_app(&history).unwrap();
    assert_eq!(notice, None);
    let page = store.list_conversations(&all()).unwrap();
    let (messages, _) = store.open_page(page.items[0].id, None, 10).unwrap();
    let status = messages
        .iter()
        .find(|m| m.role == Role::Assistant)
        .unwrap()
        .status;
    // Streaming still, or complete if the CLI has just finished: never
    // interrupted by a start-up that took it for a crashed writer's.
    assert_ne!(
        status,
        MessageStatus::Interrupted,
        "start-up cut the CLI off"
    );
    drop(store);

    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the CLI failed: {stderr}");
    let printed = String::from_utf8(out.stdout).unwrap();

    let store = Store::open(&history).unwrap();
    let page = store.list_conversations(&all()).unwrap();
    let (messages, _) = store.open_page(page.items[0].id, None, 10).unwrap();
    let reply = messages.iter().find(|m| m.role == Role::Assistant).unwrap();
    assert_eq!(reply.status, MessageStatus::Complete);
    assert!(reply.text.starts_with(&seen), "the checkpoint was a prefix");
    assert_eq!(printed.trim_end(), reply.text, "stored whole, as printed");
}

#[tokio::test]
async fn a_dead_clis_reply_is_recovered_at_start() {
    // The same start-up marks a reply interrupted once its writer is gone:
    // ownership must not leave dead replies streaming forever.
    let mock = mock(100.0).await;
    let data = tempfile::tempdir().unwrap();
    let history = data.path().join("history.db");
    let mut child = megallm(&mock, data.path(), &["ask", "[[long:400]]"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let seen = first_checkpoint(&history).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();

    let (store, _) = Store::open_for_app(&history).unwrap();
    let page = store.list_conversations(&all()).unwrap();
    let (messages, _) = store.open_page(page.items[0].id, None, 10).unwrap();
    let reply = messages.iter().find(|m| m.role == Role::Assistant).unwrap();
    assert_eq!(reply.status, MessageStatus::Interrupted);
    assert!(reply.text.starts_with(&seen));
}

#[tokio::test]
async fn ask_conversation_continues_a_stored_conversation() {
    let mock = mock(0.0).await;
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| megallm(&mock, data.path(), args).output();
    let first = run(&["ask", "--model", "claude-3.7-sonnet", "first question"])
        .await
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let store = Store::open(&data.path().join("history.db")).unwrap();
    let id = store.list_conversations(&all()).unwrap().items[0].id;
    drop(store);

    let id_arg = id.to_string();
    let second = run(&["ask", "--conversation", &id_arg, "second question"])
        .await
        .unwrap();
    assert!(second.status.success(), "{second:?}");
    assert_eq!(
        String::from_utf8(second.stdout).unwrap().trim(),
        "Echo: second question"
    );

    // The service saw the whole conversation, with the conversation's model.
    let sent = mock
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/v1/messages")
        .unwrap()
        .body
        .unwrap();
    assert_eq!(sent["model"], "claude-3.7-sonnet");
    let roles: Vec<_> = sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert!(
        sent["messages"][1]["content"]
            .to_string()
            .contains("Echo: first question")
    );

    // One conversation, four messages.
    let store = Store::open(&data.path().join("history.db")).unwrap();
    let page = store.list_conversations(&all()).unwrap();
    assert_eq!(page.items.len(), 1);
    let (messages, _) = store.open_page(id, None, 10).unwrap();
    assert_eq!(messages.len(), 4);

    // An unknown conversation is a clear error, and --no-save conflicts.
    let missing = run(&["ask", "--conversation", "9999", "hello"])
        .await
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(stderr.contains("not_found"), "{stderr}");
    let conflict = run(&["ask", "--conversation", "1", "--no-save", "hi"])
        .await
        .unwrap();
    assert_eq!(conflict.status.code(), Some(2));
}

#[tokio::test]
async fn a_cli_write_changes_the_data_version_the_app_watches() {
    // The app's list follows the CLI by polling `data_version` on its own
    // connection (watch_history): a CLI commit must move it.
    let mock = mock(0.0).await;
    let data = tempfile::tempdir().unwrap();
    let history = data.path().join("history.db");
    let warm = megallm(&mock, data.path(), &["ask", "create the file"])
        .output()
        .await
        .unwrap();
    assert!(warm.status.success());
    let app = Store::open(&history).unwrap();
    let before = app.data_version().unwrap();
    let out = megallm(&mock, data.path(), &["ask", "a new conversation"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    assert_ne!(app.data_version().unwrap(), before);
    let titles: Vec<_> = app
        .list_conversations(&all())
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.title)
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
}
