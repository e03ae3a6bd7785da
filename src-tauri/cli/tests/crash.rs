//! Kill -9 at any moment loses nothing: a real process streams a reply into
//! the history and is SIGKILLed at a different point each round; after every
//! kill the database must be intact, the prompt stored, and the partial reply
//! a true prefix of the full one, marked interrupted once recovered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use megallm_core::api::types::{Message, MessagesRequest};
use megallm_core::api::{ApiKey, Client, ClientConfig};
use megallm_core::store::types::{MessageStatus, Role};
use megallm_core::store::{ListQuery, Store};
use megallm_mock::{MockConfig, MockServer};
use tokio::io::AsyncReadExt;

const ROUNDS: u64 = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_never_loses_or_corrupts_history() {
    let mock = MockServer::start(MockConfig {
        tokens_per_sec: 400.0,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let prompt = "Tell it long [[long:400]]";
    let client = Client::new(ClientConfig::new(
        mock.base_url(),
        ApiKey::new("k").unwrap(),
    ))
    .unwrap();
    let full = client
        .create_message(&MessagesRequest::new(
            "claude-sonnet-4",
            4096,
            vec![Message::user(prompt)],
        ))
        .await
        .unwrap()
        .text();

    for round in 0..ROUNDS {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_megallm"))
            .args(["ask", prompt])
            .env_clear()
            .env("MEGALLM_API_KEY", "k")
            .env("MEGALLM_BASE_URL", mock.base_url())
            .env("MEGALLM_DATA_DIR", data.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill points spread from "before any reply" to "deep into it": wait
        // for a round-dependent number of streamed bytes, then SIGKILL.
        let want = (round * 97) % 1600;
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = 0u64;
        let mut buf = [0u8; 256];
        while seen < want {
            match tokio::time::timeout(Duration::from_secs(10), stdout.read(&mut buf)).await {
                Ok(Ok(0)) | Err(_) => break,
                Ok(Ok(n)) => seen += n as u64,
                Ok(Err(e)) => panic!("{e}"),
            }
        }
        child.start_kill().unwrap();
        child.wait().await.unwrap();

        let mut store = Store::open(&data.path().join("history.db")).unwrap();
        assert!(
            store.integrity_check().unwrap(),
            "round {round}: integrity_check failed"
        );
        store.recover_interrupted().unwrap();
        let page = store
            .list_conversations(&ListQuery {
                limit: 200,
                ..ListQuery::default()
            })
            .unwrap();
        for c in &page.items {
            let (messages, _) = store.open_page(c.id, None, 10).unwrap();
            let user = messages
                .iter()
                .find(|m| m.role == Role::User)
                .expect("the prompt is stored");
            assert_eq!(user.text, prompt, "round {round}");
            if let Some(reply) = messages.iter().find(|m| m.role == Role::Assistant) {
                assert!(
                    matches!(
                        reply.status,
                        MessageStatus::Complete | MessageStatus::Interrupted
                    ),
                    "round {round}: {:?} after recovery",
                    reply.status
                );
                assert!(
                    full.starts_with(&reply.text),
                    "round {round}: stored text is not a prefix of the reply"
                );
            }
        }
    }
    // Enough rounds must have died mid-reply with text checkpointed, or the
    // test is not testing what it claims.
    let store = Store::open(&data.path().join("history.db")).unwrap();
    let page = store
        .list_conversations(&ListQuery {
            limit: 200,
            ..ListQuery::default()
        })
        .unwrap();
    let partial = page
        .items
        .iter()
        .filter(|c| {
            let (messages, _) = store.open_page(c.id, None, 10).unwrap();
            messages.iter().any(|m| {
                m.role == Role::Assistant
                    && m.status == MessageStatus::Interrupted
                    && !m.text.is_empty()
            })
        })
        .count();
    assert!(
        partial as u64 >= ROUNDS / 4,
        "only {partial} of {ROUNDS} rounds died mid-reply with text on disk"
    );
}
