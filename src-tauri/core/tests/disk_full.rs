//! A full disk during a stream, on a real (small) tmpfs: the user is told,
//! what was committed is kept, and the reply is saved whole once space
//! returns, without a restart.
//!
//! Mounting needs root (or sudo); `scripts/test.sh` sets `MEGALLM_REQUIRE_TMPFS=1` so
//! that CI fails instead of skipping when it cannot mount.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use megallm_core::ErrorCode;
use megallm_core::api::{ApiKey, Client, ClientConfig};
use megallm_core::chat::{SendOptions, SharedStore, StreamUpdate, send_message};
use megallm_core::store::types::{MessageStatus, Role};
use megallm_core::store::{ListQuery, Store};
use megallm_mock::{MockConfig, MockServer};
use tokio_util::sync::CancellationToken;

/// A tmpfs of `size` mounted on a fresh folder, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let opts = format!("size={size},mode=1777");
        let target = dir.path().to_string_lossy().into_owned();
        if as_root(&["mount", "-t", "tmpfs", "-o", &opts, "tmpfs", &target]) {
            return Some(Self { dir });
        }
        assert!(
            std::env::var_os("MEGALLM_REQUIRE_TMPFS").is_none(),
            "could not mount a tmpfs (needs root)"
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        None
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        as_root(&["umount", &self.dir.path().to_string_lossy()]);
    }
}

/// Runs a command directly, else through `sudo -n` (as scripts/test.sh
/// installs packages).
fn as_root(args: &[&str]) -> bool {
    let run = |cmd: &mut Command| cmd.status().is_ok_and(|s| s.success());
    run(Command::new(args[0]).args(&args[1..])) || run(Command::new("sudo").arg("-n").args(args))
}

/// Writes a file until the disk refuses; returns it, to free the space.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 16 * 1024];
    loop {
        if let Err(e) = f.write_all(&chunk).and_then(|()| f.sync_all()) {
            assert_eq!(e.kind(), std::io::ErrorKind::StorageFull, "{e}");
            break;
        }
    }
    // Leave not even the odd block free.
    let small = [0u8; 512];
    while f.write_all(&small).and_then(|()| f.sync_all()).is_ok() {}
    path
}

#[tokio::test]
async fn a_full_disk_mid_stream_is_reported_and_recovered_from() {
    let Some(fs) = Tmpfs::mount("4m") else { return };
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let mut cfg = ClientConfig::new(mock.base_url(), ApiKey::new("k").unwrap());
    cfg.retry.max_retries = 0;
    let client = Client::new(cfg).unwrap();
    let history = fs.path().join("history.db");
    let store = SharedStore::new(Store::open(&history).unwrap());
    let prompt = "Tell it long [[long:1500]]";
    let full = client
        .create_message(&megallm_core::api::types::MessagesRequest::new(
            "claude-sonnet-4",
            8192,
            vec![megallm_core::api::types::Message::user(prompt)],
        ))
        .await
        .unwrap()
        .text();

    // Checkpoints every 256 bytes; the disk fills once 2,000 bytes streamed,
    // so the first checkpoints are on disk and every later write fails.
    let mut opts = SendOptions::new(None, prompt, "claude-sonnet-4");
    opts.checkpoint_bytes = 256;
    let mut streamed = 0usize;
    let mut filler = None;
    let mut updates = Vec::new();
    let result = send_message(&store, &client, opts, CancellationToken::new(), |u| {
        if let StreamUpdate::Delta { text, .. } = &u {
            streamed += text.len();
            if streamed >= 2000 && filler.is_none() {
                filler = Some(fill(fs.path()));
            }
        }
        updates.push(u);
    })
    .await;

    // The user is told, with the code the UI turns into "free some space".
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::DiskFull, "{err:?}");
    let Some(StreamUpdate::Failed { error, message }) = updates.last() else {
        panic!("{updates:?}")
    };
    assert_eq!(error.code, ErrorCode::DiskFull);
    assert_eq!(message.text, full, "the whole reply stays on screen");
    assert_eq!(store.deferred_finishes(), 1);

    // What was committed is kept: the prompt and a checkpointed prefix.
    let reader = Store::open(&history).unwrap();
    let c = reader
        .list_conversations(&ListQuery::default())
        .unwrap()
        .items[0]
        .id;
    let (messages, _) = reader.open_page(c, None, 10).unwrap();
    assert_eq!(messages[0].role, Role::User);
    assert_eq!(messages[0].text, prompt);
    let partial = &messages[1];
    assert_eq!(partial.status, MessageStatus::Streaming);
    assert!(
        !partial.text.is_empty(),
        "checkpoints before the disk filled"
    );
    assert!(full.starts_with(&partial.text));
    assert!(partial.text.len() < full.len());
    drop(reader);

    // Space returns: the next write saves the reply whole, no restart.
    std::fs::remove_file(filler.unwrap()).unwrap();
    store.write(|_| Ok(())).await.unwrap();
    assert_eq!(store.deferred_finishes(), 0);
    let id = partial.id;
    let saved = store.read(move |s| s.get_message(id)).await.unwrap();
    assert_eq!(saved.status, MessageStatus::Complete);
    assert_eq!(saved.text, full);

    // And the history goes on working.
    let mut updates = Vec::new();
    let next = send_message(
        &store,
        &client,
        SendOptions::new(Some(c), "and now?", "claude-sonnet-4"),
        CancellationToken::new(),
        |u| updates.push(u),
    )
    .await
    .unwrap();
    assert!(next.error.is_none());
    assert_eq!(next.assistant.text, "Echo: and now?");
}
