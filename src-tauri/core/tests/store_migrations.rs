//! Upgrading real databases: from every earlier schema version, populated,
//! to the latest; refusing a newer one; backups.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Named so that `cargo test -p megallm-core store` selects these tests.
mod store_migrations {

    use std::fs;
    use std::path::Path;

    use megallm_core::ErrorCode;
    use megallm_core::store::migrations::{self, SCHEMA_VERSION, migrate_to, user_version};
    use megallm_core::store::{MessageStatus, Role, SearchQuery, Store, StoreError, backup_path};
    use rusqlite::{Connection, params};

    const DAY: i64 = 86_400_000;
    /// 2024-03-01T12:00:00Z
    const T0: i64 = 1_709_294_400_000;

    /// id, parent, role, text, input tokens, output tokens.
    type Row = (
        i64,
        Option<i64>,
        &'static str,
        &'static str,
        Option<i64>,
        Option<i64>,
    );

    /// What an app at `version` would have written: a branched conversation in
    /// Russian and English, with token counts on the replies, plus an archived one.
    fn populate(conn: &Connection, version: usize) {
        assert!(version >= 1);
        conn.execute(
            "INSERT INTO conversations (id, title, model, system_prompt, sampling, created_at, updated_at, pinned, archived, current_leaf_id)
             VALUES (1, 'Старый разговор', 'claude-3.5-sonnet', 'Be brief.', '{\"temperature\":0.5}', ?1, ?2, 1, 0, 5)",
            params![T0, T0 + 5000],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO conversations (id, title, model, sampling, created_at, updated_at, archived)
             VALUES (2, 'Archived chat', 'claude-sonnet-4', '{}', ?1, ?1, 1)",
            params![T0 - DAY],
        )
        .unwrap();
        let rows: &[Row] = &[
            (1, None, "user", "Привет, как испечь хлеб?", None, None),
            (
                2,
                Some(1),
                "assistant",
                "Sourdough bread needs flour, water and time.",
                Some(12),
                Some(40),
            ),
            (3, Some(2), "user", "And rye?", None, None),
            (4, Some(2), "user", "А ржаной?", None, None),
            (
                5,
                Some(4),
                "assistant",
                "Ржаной хлеб печётся дольше.",
                Some(30),
                Some(20),
            ),
        ];
        for (id, parent, role, text, input, output) in rows {
            let content = serde_json::json!([{"type": "text", "text": text}]).to_string();
            conn.execute(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content, text, model, status,
                    input_tokens, output_tokens, created_at, finished_at)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, CASE WHEN ?3 = 'assistant' THEN 'claude-3.5-sonnet' END,
                    'complete', ?6, ?7, ?8, ?8)",
                params![id, parent, role, content, text, input, output, T0 + id * 1000],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO messages (id, conversation_id, role, content, text, status, created_at)
             VALUES (6, 2, 'user', '[]', 'archived words about zebras', 'complete', ?1)",
            params![T0 - DAY],
        )
        .unwrap();
        if version >= 3 {
            // From version 3 on, the app recorded each reply's usage as it
            // finished.
            conn.execute(
                "INSERT INTO usage_records (day, model, messages, input_tokens, output_tokens, unpriced_messages)
                 VALUES ('2024-03-01', 'claude-3.5-sonnet', 2, 42, 60, 2)",
                [],
            )
            .unwrap();
            // ...and could store files (nothing wrote their details yet).
            conn.execute(
                "INSERT INTO attachment_blobs (sha256, size, bytes, created_at)
                 VALUES (?1, 12, 'old jottings', ?2)",
                params![OLD_FILE_SHA, T0],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO message_attachments (message_id, sha256, name, media_type, extracted_text, created_at)
                 VALUES (1, ?1, 'old.txt', 'text/plain', 'old jottings', ?2)",
                params![OLD_FILE_SHA, T0],
            )
            .unwrap();
        }
        if version >= 4 {
            // A reply another process was still writing.
            conn.execute(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content, text, status, created_at, owner)
                 VALUES (7, 2, 6, 'assistant', '[]', '', 'streaming', ?1, '1:1:gone')",
                params![T0 - DAY],
            )
            .unwrap();
        }
    }

    const OLD_FILE_SHA: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    /// Messages `populate` writes at `version` (a streaming reply from 4 on).
    fn messages_at(version: usize) -> i64 {
        if version >= 4 { 7 } else { 6 }
    }

    fn build_at(path: &Path, version: usize) {
        let mut conn = Connection::open(path).unwrap();
        migrate_to(&mut conn, version).unwrap();
        assert_eq!(user_version(&conn).unwrap(), version);
        if version > 0 {
            populate(&conn, version);
        }
    }

    fn count(path: &Path, table: &str) -> i64 {
        let conn = Connection::open(path).unwrap();
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn there_are_at_least_three_versions() {
        let names: Vec<_> = migrations::names().collect();
        assert!(names.len() >= 3, "{names:?}");
        assert_eq!(names.len(), SCHEMA_VERSION);
    }

    #[test]
    fn upgrades_a_populated_database_from_every_earlier_version() {
        for version in 1..SCHEMA_VERSION {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("history.db");
            build_at(&path, version);

            let mut store = Store::open(&path).unwrap();

            // Backed up first, as it was.
            let backup = backup_path(&path, version);
            assert!(backup.exists(), "no backup for v{version}");
            let b = Connection::open(&backup).unwrap();
            assert_eq!(user_version(&b).unwrap(), version);
            let n: i64 = b
                .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, messages_at(version));
            drop(b);

            // The data is intact and reads through the new code.
            assert!(store.integrity_check().unwrap(), "v{version}");
            let c = store.get_conversation(1).unwrap();
            assert_eq!(c.title, "Старый разговор");
            assert_eq!(c.system_prompt.as_deref(), Some("Be brief."));
            assert_eq!(c.sampling.temperature, Some(0.5));
            assert!(c.pinned);
            assert_eq!(c.current_leaf_id, Some(5));
            let (page, more) = store.open_page(1, None, 50).unwrap();
            assert!(!more);
            let ids: Vec<_> = page.iter().map(|m| m.id).collect();
            assert_eq!(ids, vec![1, 2, 4, 5], "v{version}: active branch");
            assert_eq!(page[1].usage.as_ref().unwrap().output_tokens, 40);
            assert_eq!(page[3].role, Role::Assistant);
            assert_eq!(page[3].status, MessageStatus::Complete);
            assert_eq!(store.siblings(3).unwrap(), vec![3, 4]);
            // A file stored before its details were: its chip is described
            // from its row.
            let view = megallm_core::chat::conversation_view(&store, 1, None, 50).unwrap();
            let chips = &view.messages[0].attachments;
            if version >= 3 {
                assert_eq!(chips.len(), 1, "v{version}");
                assert_eq!(chips[0].name, "old.txt");
                assert_eq!(chips[0].kind, megallm_core::documents::DocumentKind::Text);
                assert_eq!((chips[0].bytes, chips[0].tokens), (12, 3));
            } else {
                assert!(chips.is_empty());
            }
            let list = store
                .list_conversations(&megallm_core::store::ListQuery {
                    archived: false,
                    limit: 10,
                    cursor: None,
                })
                .unwrap();
            assert_eq!(list.items.len(), 1);
            assert_eq!(list.items[0].message_count, 5);

            // Old messages are searchable, Russian case-folded.
            let hits = store.search(&SearchQuery::text("ПРИВЕТ", 10)).unwrap();
            assert_eq!(
                hits.iter().map(|h| h.message_id).collect::<Vec<_>>(),
                vec![1],
                "v{version}"
            );
            let hits = store.search(&SearchQuery::text("sourdough", 10)).unwrap();
            assert_eq!(hits.len(), 1);
            // Typed so far: prefixes of every length find the same words.
            for prefix in ["хл", "sou", "sour", "ржан", "sourd"] {
                let hits = store.search(&SearchQuery::text(prefix, 10)).unwrap();
                assert!(!hits.is_empty(), "v{version}: {prefix}");
            }
            let mut q = SearchQuery::text("zebras", 10);
            assert!(store.search(&q).unwrap().is_empty());
            q.include_archived = true;
            assert_eq!(store.search(&q).unwrap().len(), 1);

            // Replies recorded before usage records existed are counted.
            let usage = store.usage_by_day(T0 - DAY, T0 + DAY).unwrap();
            assert_eq!(usage.len(), 1);
            assert_eq!(usage[0].day, "2024-03-01");
            assert_eq!(usage[0].model, "claude-3.5-sonnet");
            assert_eq!(usage[0].messages, 2);
            assert_eq!(usage[0].input_tokens, 42);
            assert_eq!(usage[0].output_tokens, 60);
            assert_eq!(usage[0].cost_usd, None);
            assert_eq!(usage[0].unpriced_messages, 2);

            // And the upgraded database takes new data.
            let id = store
                .append_message(&megallm_core::store::NewMessage {
                    conversation_id: 1,
                    parent_id: Some(5),
                    role: Role::User,
                    content: serde_json::json!([{"type": "text", "text": "new question"}]),
                    text: "new question".into(),
                    model: None,
                    status: MessageStatus::Complete,
                })
                .unwrap();
            store
                .add_attachment(id, "a.txt", "text/plain", b"bytes", Some("attached notes"))
                .unwrap();
            assert_eq!(
                store.search(&SearchQuery::text("notes", 5)).unwrap().len(),
                1
            );
            drop(store);

            let conn = Connection::open(&path).unwrap();
            assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
            // Both search indexes keep 2-, 3- and 4-letter prefixes, and
            // hold what their tables hold.
            for fts in ["message_fts", "attachment_fts"] {
                let sql: String = conn
                    .query_row(
                        "SELECT sql FROM sqlite_master WHERE name = ?1",
                        [fts],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert!(sql.contains("prefix = '2 3 4'"), "v{version}: {sql}");
                conn.execute(
                    &format!("INSERT INTO {fts} ({fts}) VALUES ('integrity-check')"),
                    [],
                )
                .unwrap();
            }
            let fk: bool = conn
                .prepare("PRAGMA foreign_key_check")
                .unwrap()
                .exists([])
                .unwrap();
            assert!(!fk);
        }
    }

    #[test]
    fn each_intermediate_upgrade_keeps_the_data() {
        // Version k -> k+1 alone (not only straight to the latest).
        for version in 1..SCHEMA_VERSION {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("h.db");
            build_at(&path, version);
            let mut conn = Connection::open(&path).unwrap();
            migrate_to(&mut conn, version + 1).unwrap();
            assert_eq!(user_version(&conn).unwrap(), version + 1);
            let n: i64 = conn
                .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, messages_at(version));
            let ok: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(ok, "ok");
        }
    }

    #[test]
    fn a_new_or_current_database_is_not_backed_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/er/history.db");
        drop(Store::open(&path).unwrap()); // creates the folders
        drop(Store::open(&path).unwrap());
        let backups: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("backup"))
            .collect();
        assert!(backups.is_empty());
        assert_eq!(count(&path, "conversations"), 0);
    }

    #[test]
    fn a_newer_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        {
            let conn = Connection::open(&path).unwrap();
            // WAL, as the app leaves it.
            conn.execute_batch(&format!(
                "PRAGMA journal_mode = WAL; CREATE TABLE future (x); INSERT INTO future VALUES (1);
                 PRAGMA user_version = {};",
                SCHEMA_VERSION + 1
            ))
            .unwrap();
        }
        let before = fs::read(&path).unwrap();

        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::NewerSchema { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains("this history was written by a newer MegaLLM Desktop; update the app"),
            "{err}"
        );
        let app = err.to_app_error();
        assert_eq!(app.code, ErrorCode::DatabaseNewer);
        assert!(app.message.contains("update the app"));

        assert_eq!(fs::read(&path).unwrap(), before, "the file changed");
        assert!(!backup_path(&path, SCHEMA_VERSION + 1).exists());
        let entries = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(entries, 1, "something was created beside the database");
    }

    #[test]
    fn a_file_that_is_not_a_database_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        fs::write(&path, vec![b'x'; 4096]).unwrap();
        let err = Store::open(&path).unwrap_err();
        let app = err.to_app_error();
        assert_eq!(app.code, ErrorCode::Storage);
        assert!(app.message.contains("damaged"), "{}", app.message);
    }

    #[test]
    fn a_stale_backup_of_the_same_version_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        build_at(&path, 1);
        let backup = backup_path(&path, 1);
        fs::write(&backup, b"stale").unwrap();
        drop(Store::open(&path).unwrap());
        assert_eq!(count(&backup, "messages"), 6);
    }
}
