//! Conversations: settings, the list's order and paging, soft delete.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Named so that `cargo test -p megallm-core store` selects these tests.
mod store_conversations {

    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use megallm_core::store::{
        ConversationId, ConversationSettings, ListQuery, MessageStatus, NewConversation,
        NewMessage, Role, SamplingSettings, SearchQuery, Store, StoreError,
        title_from_first_exchange,
    };
    use serde_json::json;

    fn clocked() -> (Store, Arc<AtomicI64>) {
        let mut s = Store::open_in_memory().unwrap();
        let now = Arc::new(AtomicI64::new(1_700_000_000_000));
        let c = now.clone();
        s.set_clock(move || c.load(Ordering::SeqCst));
        (s, now)
    }

    fn new_conv(s: &mut Store, title: &str) -> ConversationId {
        s.create_conversation(&NewConversation {
            title: title.into(),
            model: "claude-sonnet-4".into(),
            system_prompt: None,
            sampling: SamplingSettings::default(),
        })
        .unwrap()
    }

    fn say(s: &mut Store, conv: ConversationId, text: &str) {
        let parent = s.current_leaf(conv).unwrap();
        s.append_message(&NewMessage {
            conversation_id: conv,
            parent_id: parent,
            role: Role::User,
            content: json!([{"type": "text", "text": text}]),
            text: text.into(),
            model: None,
            status: MessageStatus::Complete,
        })
        .unwrap();
    }

    fn all_pages(s: &Store, archived: bool, limit: u32) -> Vec<ConversationId> {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = s
                .list_conversations(&ListQuery {
                    archived,
                    limit,
                    cursor,
                })
                .unwrap();
            assert!(page.items.len() <= limit as usize);
            out.extend(page.items.iter().map(|c| c.id));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return out,
            }
        }
    }

    #[test]
    fn create_get_and_change_settings() {
        let (mut s, now) = clocked();
        let id = s
            .create_conversation(&NewConversation {
                title: "  Trip\n planning ".into(),
                model: "claude-sonnet-4".into(),
                system_prompt: Some("You are terse.".into()),
                sampling: SamplingSettings {
                    temperature: Some(0.2),
                    max_tokens: Some(1000),
                    ..Default::default()
                },
            })
            .unwrap();
        let c = s.get_conversation(id).unwrap();
        assert_eq!(c.title, "Trip planning");
        assert_eq!(c.model, "claude-sonnet-4");
        assert_eq!(c.system_prompt.as_deref(), Some("You are terse."));
        assert_eq!(c.sampling.temperature, Some(0.2));
        assert_eq!(c.sampling.max_tokens, Some(1000));
        assert_eq!(c.created_at, now.load(Ordering::SeqCst));
        assert!(!c.pinned && !c.archived);
        assert_eq!(c.current_leaf_id, None);

        now.fetch_add(10, Ordering::SeqCst);
        s.update_conversation_settings(
            id,
            &ConversationSettings {
                model: "claude-opus-4-1-20250805".into(),
                system_prompt: None,
                sampling: SamplingSettings {
                    top_k: Some(5),
                    ..Default::default()
                },
            },
        )
        .unwrap();
        s.rename_conversation(id, "Renamed").unwrap();
        let c2 = s.get_conversation(id).unwrap();
        assert_eq!(c2.model, "claude-opus-4-1-20250805");
        assert_eq!(c2.system_prompt, None);
        assert_eq!(
            c2.sampling,
            SamplingSettings {
                top_k: Some(5),
                ..Default::default()
            }
        );
        assert_eq!(c2.title, "Renamed");
        // Settings are not activity: the list order stays.
        assert_eq!(c2.updated_at, c.updated_at);

        assert!(matches!(
            s.rename_conversation(id, " \n "),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.get_conversation(999),
            Err(StoreError::NotFound("conversation"))
        ));
        assert!(matches!(
            s.set_pinned(999, true),
            Err(StoreError::NotFound(_))
        ));
        let untitled = s
            .create_conversation(&NewConversation {
                title: " \n ".into(),
                model: "m".into(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            s.get_conversation(untitled).unwrap().title,
            "New conversation"
        );
        assert!(
            s.create_conversation(&NewConversation {
                title: "x".into(),
                model: " ".into(),
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn list_is_pinned_first_then_newest_activity() {
        let (mut s, now) = clocked();
        let a = new_conv(&mut s, "a");
        now.fetch_add(1, Ordering::SeqCst);
        let b = new_conv(&mut s, "b");
        now.fetch_add(1, Ordering::SeqCst);
        let c = new_conv(&mut s, "c");
        now.fetch_add(1, Ordering::SeqCst);
        // Activity moves `a` to the top; pinning `b` puts it above everything.
        say(&mut s, a, "hello");
        s.set_pinned(b, true).unwrap();
        assert_eq!(all_pages(&s, false, 10), vec![b, a, c]);
        let page = s
            .list_conversations(&ListQuery {
                archived: false,
                limit: 10,
                cursor: None,
            })
            .unwrap();
        assert_eq!(page.items[1].message_count, 1);
        assert!(page.items[0].pinned);
        assert!(page.next_cursor.is_none());

        s.set_archived(a, true).unwrap();
        assert_eq!(all_pages(&s, false, 10), vec![b, c]);
        assert_eq!(all_pages(&s, true, 10), vec![a]);
        s.set_archived(a, false).unwrap();
        s.set_pinned(b, false).unwrap();
        assert_eq!(all_pages(&s, false, 10), vec![a, c, b]);
    }

    #[test]
    fn keyset_paging_with_equal_timestamps_never_skips_or_repeats() {
        let (mut s, now) = clocked();
        let mut ids = Vec::new();
        // Three timestamps, many conversations sharing each; some pinned.
        for i in 0..37 {
            if i % 12 == 0 {
                now.fetch_add(1, Ordering::SeqCst);
            }
            let id = new_conv(&mut s, &format!("c{i}"));
            if i % 5 == 0 {
                s.set_pinned(id, true).unwrap();
            }
            ids.push(id);
        }
        let mut expected: Vec<_> = ids
            .iter()
            .map(|&id| {
                let c = s.get_conversation(id).unwrap();
                (c.pinned, c.updated_at, id)
            })
            .collect();
        expected.sort_by(|x, y| y.cmp(x));
        let expected: Vec<_> = expected.into_iter().map(|(_, _, id)| id).collect();
        for limit in [1, 2, 5, 7, 36, 37, 100] {
            assert_eq!(all_pages(&s, false, limit), expected, "limit {limit}");
        }
        // A page that ends exactly at the end has no next cursor.
        let page = s
            .list_conversations(&ListQuery {
                archived: false,
                limit: 37,
                cursor: None,
            })
            .unwrap();
        assert_eq!(page.items.len(), 37);
        assert!(page.next_cursor.is_none());
    }

    #[test]
    fn soft_delete_hides_everywhere_and_undo_restores() {
        let (mut s, now) = clocked();
        let keep = new_conv(&mut s, "keep");
        let gone = new_conv(&mut s, "gone");
        say(&mut s, gone, "unicorn");
        now.fetch_add(1, Ordering::SeqCst);
        say(&mut s, keep, "pegasus");
        let leaf = s.current_leaf(gone).unwrap().unwrap();

        s.delete_conversation(gone).unwrap();
        assert_eq!(all_pages(&s, false, 10), vec![keep]);
        assert!(matches!(
            s.get_conversation(gone),
            Err(StoreError::NotFound(_))
        ));
        assert!(s.open_page(gone, None, 10).is_err());
        assert!(s.get_message(leaf).is_err());
        assert!(s.export_conversation_json(gone).is_err());
        assert!(
            s.search(&SearchQuery::text("unicorn", 10))
                .unwrap()
                .is_empty()
        );
        assert!(s.rename_conversation(gone, "x").is_err());
        assert!(s.delete_conversation(gone).is_err(), "deleting twice");

        s.restore_conversation(gone).unwrap();
        assert_eq!(all_pages(&s, false, 10), vec![keep, gone]);
        assert_eq!(
            s.search(&SearchQuery::text("unicorn", 10)).unwrap().len(),
            1
        );
        assert!(
            s.restore_conversation(gone).is_err(),
            "not deleted any more"
        );

        // Purge erases only what was deleted before the cut-off.
        s.delete_conversation(gone).unwrap();
        let deleted_at = now.load(Ordering::SeqCst);
        assert_eq!(s.purge_deleted(deleted_at).unwrap(), 0);
        assert_eq!(s.purge_deleted(deleted_at + 1).unwrap(), 1);
        assert!(s.restore_conversation(gone).is_err());
        assert_eq!(all_pages(&s, false, 10), vec![keep]);
        assert!(s.integrity_check().unwrap());
    }

    #[test]
    fn purge_removes_files_only_nobody_else_uses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let mut s = Store::open(&path).unwrap();
        let a = new_conv(&mut s, "a");
        let b = new_conv(&mut s, "b");
        say(&mut s, a, "x");
        say(&mut s, b, "y");
        let ma = s.current_leaf(a).unwrap().unwrap();
        let mb = s.current_leaf(b).unwrap().unwrap();
        s.add_attachment(ma, "shared.pdf", "application/pdf", b"shared bytes", None)
            .unwrap();
        s.add_attachment(ma, "own.txt", "text/plain", b"only in a", None)
            .unwrap();
        let kept = s
            .add_attachment(mb, "copy.pdf", "application/pdf", b"shared bytes", None)
            .unwrap();
        let blobs = |p: &std::path::Path| -> i64 {
            rusqlite::Connection::open(p)
                .unwrap()
                .query_row("SELECT count(*) FROM attachment_blobs", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(blobs(&path), 2);
        s.delete_conversation(a).unwrap();
        s.purge_deleted(i64::MAX).unwrap();
        assert_eq!(blobs(&path), 1);
        assert_eq!(s.attachment_bytes(kept).unwrap(), b"shared bytes");
    }

    #[test]
    fn a_conversation_longer_than_sqlites_trigger_depth_is_purged() {
        let (mut s, _) = clocked();
        let long = new_conv(&mut s, "long");
        let kept = new_conv(&mut s, "kept");
        // One branch of 1,500 messages: a cascade from message to reply
        // would recurse past SQLite's 1,000 trigger levels.
        s.batch(|s| {
            for i in 0..1_500 {
                say(s, long, &format!("step {i} walrus"));
            }
            Ok(())
        })
        .unwrap();
        say(&mut s, kept, "walrus kept");
        s.delete_conversation(long).unwrap();
        assert_eq!(s.purge_deleted(i64::MAX).unwrap(), 1);
        assert!(matches!(
            s.get_conversation(long),
            Err(StoreError::NotFound(_))
        ));
        let hits = s.search(&SearchQuery::text("walrus", 50)).unwrap();
        assert_eq!(hits.len(), 1, "only the kept conversation's message");
        assert!(s.integrity_check().unwrap());
    }

    #[test]
    fn titles_from_the_first_exchange() {
        assert_eq!(
            title_from_first_exchange("What is FTS5? Explain.", "FTS5 is..."),
            "What is FTS5?"
        );
        assert_eq!(title_from_first_exchange("", ""), "New conversation");
        let long =
            "Расскажи пожалуйста очень подробно про историю развития языков программирования";
        let t = title_from_first_exchange(long, "");
        assert!(t.chars().count() <= 61 && t.ends_with('…'), "{t}");
        assert!(long.starts_with(t.trim_end_matches('…')));
    }
}
