//! One history, many connections and processes: owners of streaming
//! replies, readers beside the writer, streamed exports, batched imports,
//! and the faults of the machine (a damaged file, a newer app's file).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Named so that `cargo test -p megallm-core store` selects these tests.
mod store_shared {

    use std::fs;
    use std::io::Write;
    use std::path::Path;
    use std::sync::mpsc;

    use megallm_core::ErrorCode;
    use megallm_core::store::migrations::SCHEMA_VERSION;
    use megallm_core::store::{
        ConversationId, FinishMessage, HistoryNotice, ImportPlan, MessageId, MessageStatus,
        NewConversation, NewMessage, Role, SamplingSettings, SearchQuery, SharedStore, Store,
    };
    use serde_json::{Value, json};

    fn conversation(s: &mut Store, title: &str) -> ConversationId {
        s.create_conversation(&NewConversation {
            title: title.into(),
            model: "claude-sonnet-4".into(),
            system_prompt: None,
            sampling: SamplingSettings::default(),
        })
        .unwrap()
    }

    fn append(
        s: &mut Store,
        c: ConversationId,
        parent: Option<MessageId>,
        role: Role,
        text: &str,
        status: MessageStatus,
    ) -> MessageId {
        s.append_message(&NewMessage {
            conversation_id: c,
            parent_id: parent,
            role,
            content: json!([{"type": "text", "text": text}]),
            text: text.into(),
            model: None,
            status,
        })
        .unwrap()
    }

    /// A question and a reply still streaming, as the given process left it.
    fn streaming(s: &mut Store, owner: &str, question: &str) -> MessageId {
        s.set_owner(owner);
        let c = conversation(s, question);
        let u = append(s, c, None, Role::User, question, MessageStatus::Complete);
        append(s, c, Some(u), Role::Assistant, "", MessageStatus::Streaming)
    }

    fn checkpoint(s: &mut Store, id: MessageId, text: &str) {
        s.checkpoint_message(id, &json!([{"type": "text", "text": text}]), text)
            .unwrap();
    }

    fn finish(s: &mut Store, id: MessageId, text: &str) {
        s.finish_message(
            id,
            &FinishMessage {
                content: json!([{"type": "text", "text": text}]),
                text: text.into(),
                status: MessageStatus::Complete,
                stop_reason: Some("end_turn".into()),
                usage: None,
                error: None,
            },
        )
        .unwrap();
    }

    fn hits(s: &Store, q: &str) -> Vec<MessageId> {
        s.search(&SearchQuery::text(q, 10))
            .unwrap()
            .into_iter()
            .map(|h| h.message_id)
            .collect()
    }

    /// FTS5's own check that the index matches the text it indexes: every
    /// row's, so it holds only while no reply is streaming.
    fn index_is_consistent(path: &Path) -> bool {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute(
            "INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .is_ok()
    }

    #[test]
    fn recovery_interrupts_only_replies_whose_writer_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let mut cli = Store::open(&path).unwrap();
        // This process plays the CLI, still streaming...
        let live = streaming(&mut cli, megallm_core::store::owner::current(), "live one");
        checkpoint(&mut cli, live, "Half of");
        // ...beside a reply left by a process that was killed.
        let dead = streaming(&mut cli, "4194305:1:gone", "dead one");
        checkpoint(&mut cli, dead, "Cut off");

        // The app starts on the same file.
        let mut app = Store::open(&path).unwrap();
        assert_eq!(app.recover_interrupted().unwrap(), 1);
        assert_eq!(
            app.get_message(dead).unwrap().status,
            MessageStatus::Interrupted
        );
        assert_eq!(
            app.get_message(live).unwrap().status,
            MessageStatus::Streaming
        );

        // The CLI carries on and finishes, untouched.
        checkpoint(&mut cli, live, "Half of the answer");
        finish(&mut cli, live, "Half of the answer, and the rest.");
        let m = app.get_message(live).unwrap();
        assert_eq!(m.status, MessageStatus::Complete);
        assert_eq!(m.text, "Half of the answer, and the rest.");
        assert_eq!(app.recover_interrupted().unwrap(), 0);
    }

    #[test]
    fn a_reply_enters_the_search_index_once_when_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let mut s = Store::open(&path).unwrap();
        let a = streaming(&mut s, megallm_core::store::owner::current(), "question");
        for n in 1..=20 {
            checkpoint(&mut s, a, &"zebra ".repeat(n));
        }
        assert!(hits(&s, "zebra").is_empty(), "indexed while streaming");
        finish(&mut s, a, "zebra crossing");
        assert_eq!(hits(&s, "zebra"), vec![a]);
        assert!(index_is_consistent(&path));

        // Another process's reply, recovered as interrupted, is indexed too.
        let b = streaming(&mut s, "gone", "other");
        checkpoint(&mut s, b, "unfinished giraffe");
        assert!(hits(&s, "giraffe").is_empty());
        s.recover_interrupted().unwrap();
        assert_eq!(hits(&s, "giraffe"), vec![b]);

        // Continuing it takes it out of the index until it ends again.
        s.resume_message(
            b,
            &json!([{"type": "text", "text": "unfinished giraffe"}]),
            "unfinished giraffe",
        )
        .unwrap();
        assert!(hits(&s, "giraffe").is_empty());
        finish(&mut s, b, "unfinished giraffe, finished");
        assert_eq!(hits(&s, "finished"), vec![b]);
        assert!(index_is_consistent(&path));
    }

    #[test]
    fn an_upgrade_takes_streaming_rows_out_of_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            megallm_core::store::migrations::migrate_to(&mut conn, 3).unwrap();
            conn.execute_batch(
                "INSERT INTO conversations (id, title, model, sampling, created_at, updated_at)
                     VALUES (1, 't', 'm', '{}', 1, 1);
                 INSERT INTO messages (id, conversation_id, role, content, text, status, created_at)
                     VALUES (1, 1, 'user', '[]', 'done walrus', 'complete', 1),
                            (2, 1, 'assistant', '[]', 'partial walrus', 'streaming', 2);",
            )
            .unwrap();
        }
        let mut s = Store::open(&path).unwrap();
        assert_eq!(hits(&s, "walrus"), vec![1]);
        // Written before owners existed: its writer is taken to be gone.
        assert_eq!(s.recover_interrupted().unwrap(), 1);
        assert_eq!(hits(&s, "walrus"), vec![2, 1]);
        assert!(index_is_consistent(&path));
    }

    /// Blocks on its first write until told to go on: an export caught in
    /// the middle.
    struct Gate {
        reached: mpsc::Sender<()>,
        go: mpsc::Receiver<()>,
        out: Vec<u8>,
        waited: bool,
    }

    impl Write for Gate {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if !self.waited {
                self.waited = true;
                let _ = self.reached.send(());
                let _ = self.go.recv();
            }
            self.out.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_export_never_holds_up_a_streaming_reply() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let mut s = Store::open(&path).unwrap();
        for i in 0..50 {
            let c = conversation(&mut s, &format!("chat {i}"));
            append(
                &mut s,
                c,
                None,
                Role::User,
                "hello",
                MessageStatus::Complete,
            );
        }
        let reply = streaming(
            &mut s,
            megallm_core::store::owner::current(),
            "streaming now",
        );
        checkpoint(&mut s, reply, "before the export");
        let store = SharedStore::new(s);

        let (reached_tx, reached) = mpsc::channel();
        let (go, go_rx) = mpsc::channel();
        let export = tokio::spawn({
            let store = store.clone();
            async move {
                store
                    .read(move |s| {
                        let mut gate = Gate {
                            reached: reached_tx,
                            go: go_rx,
                            out: Vec::new(),
                            waited: false,
                        };
                        let n = s.export_all_to(&mut gate)?;
                        Ok((n, gate.out))
                    })
                    .await
            }
        });
        // The export has read its snapshot and is stuck writing...
        tokio::task::spawn_blocking(move || reached.recv().unwrap())
            .await
            .unwrap();
        // ...and the stream's checkpoints and its end still go through.
        store
            .write(move |s| {
                s.checkpoint_message(
                    reply,
                    &json!([{"type": "text", "text": "during the export"}]),
                    "during the export",
                )?;
                Ok(())
            })
            .await
            .unwrap();
        go.send(()).unwrap();
        let (n, bytes) = export.await.unwrap().unwrap();
        assert_eq!(n, 51);

        // One consistent snapshot: as the history was when the export began.
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let texts: Vec<&str> = doc["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["messages"].as_array().unwrap())
            .filter_map(|m| m["text"].as_str())
            .collect();
        assert!(texts.contains(&"before the export"), "{texts:?}");
        assert!(!texts.contains(&"during the export"));
        let now = store.read(move |s| s.get_message(reply)).await.unwrap();
        assert_eq!(now.text, "during the export");
    }

    fn history_doc(store: &Store) -> Value {
        store.export_all_json().unwrap()
    }

    #[tokio::test]
    async fn imports_go_in_batches_and_a_bad_file_writes_nothing() {
        let mut source = Store::open_in_memory().unwrap();
        for i in 0..5 {
            let c = conversation(&mut source, &format!("imported {i}"));
            let u = append(
                &mut source,
                c,
                None,
                Role::User,
                "q",
                MessageStatus::Complete,
            );
            append(
                &mut source,
                c,
                Some(u),
                Role::Assistant,
                "a",
                MessageStatus::Complete,
            );
        }
        let doc = history_doc(&source);
        let plan = ImportPlan::new(&doc).unwrap();
        assert_eq!(plan.len(), 5);
        // Two messages each: batches of four messages hold two conversations.
        assert_eq!(plan.batches(4), vec![0..2, 2..4, 4..5]);
        assert_eq!(plan.batches(1), vec![0..1, 1..2, 2..3, 3..4, 4..5]);

        let dir = tempfile::tempdir().unwrap();
        let target = SharedStore::new(Store::open(&dir.path().join("h.db")).unwrap());
        let ids = target.import(doc.clone()).await.unwrap();
        assert_eq!(ids.len(), 5);

        // A broken last conversation: refused before anything is written.
        let mut bad = doc;
        bad["conversations"][4]["messages"][1]["parent_id"] = json!(99);
        let err = target.import(bad).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::ImportFormat);
        assert!(err.message.contains("missing parent"), "{}", err.message);
        let count = target
            .read(|s| {
                Ok(s.list_conversations(&megallm_core::store::ListQuery {
                    limit: 100,
                    ..Default::default()
                })?
                .items
                .len())
            })
            .await
            .unwrap();
        assert_eq!(count, 5);
    }

    #[tokio::test]
    async fn store_errors_carry_codes_the_ui_acts_on() {
        let store = SharedStore::new(Store::open_in_memory().unwrap());
        let missing = store.read(|s| s.get_conversation(42)).await.unwrap_err();
        assert_eq!(missing.code, ErrorCode::NotFound);
        assert_eq!(missing.code.as_str(), "not_found");
        let bad = store
            .write(|s| s.rename_conversation(1, "x").map(|_| ()))
            .await
            .unwrap_err();
        assert_eq!(bad.code, ErrorCode::NotFound);
        let wrong = store
            .import(json!({"format": "something-else", "version": 1}))
            .await
            .unwrap_err();
        assert_eq!(wrong.code, ErrorCode::ImportFormat);
        assert_eq!(ErrorCode::DatabaseLocked.as_str(), "database_locked");
        assert_eq!(ErrorCode::RateLimit.as_str(), "rate_limit");
    }

    #[test]
    fn a_damaged_history_is_moved_aside_and_a_new_one_starts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let junk = vec![b'x'; 8192];
        fs::write(&path, &junk).unwrap();
        let (mut store, notice) = Store::open_for_app(&path).unwrap();
        let Some(HistoryNotice::MovedAside { moved_to }) = notice else {
            panic!("{notice:?}")
        };
        // Kept byte for byte where the user is told.
        assert_eq!(fs::read(&moved_to).unwrap(), junk);
        assert!(moved_to.starts_with(dir.path().to_str().unwrap()));
        // And the fresh history works.
        let c = conversation(&mut store, "new start");
        assert_eq!(store.get_conversation(c).unwrap().title, "new start");
        drop(store);
        let (_, again) = Store::open_for_app(&path).unwrap();
        assert_eq!(again, None);
    }

    #[test]
    fn a_newer_apps_history_opens_read_only_and_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        {
            let mut s = Store::open(&path).unwrap();
            let c = conversation(&mut s, "from the future");
            append(
                &mut s,
                c,
                None,
                Role::User,
                "still readable",
                MessageStatus::Complete,
            );
        }
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
            conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
                .unwrap();
        }
        let before = fs::read(&path).unwrap();

        let (mut store, notice) = Store::open_for_app(&path).unwrap();
        assert_eq!(
            notice,
            Some(HistoryNotice::ReadOnly {
                found: SCHEMA_VERSION + 1,
                supported: SCHEMA_VERSION
            })
        );
        assert!(store.is_read_only());
        let page = store
            .list_conversations(&megallm_core::store::ListQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.items[0].title, "from the future");
        assert_eq!(hits(&store, "readable").len(), 1);

        let err = store
            .rename_conversation(page.items[0].id, "changed")
            .unwrap_err()
            .to_app_error();
        assert_eq!(err.code, ErrorCode::DatabaseNewer);
        assert!(err.message.contains("read-only"), "{}", err.message);
        // Nothing to recover, so nothing is attempted (a write would be refused).
        assert_eq!(store.recover_interrupted().unwrap(), 0);
        drop(store);
        assert_eq!(fs::read(&path).unwrap(), before, "the newer file changed");
    }

    #[test]
    fn processes_creating_the_history_together_all_open_it() {
        // The app and a `megallm` command started at the same moment on a
        // new machine both migrate the fresh file: neither may fail.
        for round in 0..30 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("history.db");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
            let opened: Vec<_> = (0..4)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        Store::open(&path).map(|_| ())
                    })
                })
                .collect();
            for t in opened {
                let result = t.join().unwrap();
                assert!(result.is_ok(), "round {round}: {result:?}");
            }
            let s = Store::open(&path).unwrap();
            assert!(s.integrity_check().unwrap());
        }
    }
}
