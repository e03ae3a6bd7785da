//! Messages: branches, paging the active branch, streaming checkpoints and
//! crash recovery, attachments, usage, start-up cost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Named so that `cargo test -p megallm-core store` selects these tests.
mod store_messages {

    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use megallm_core::api::models::Pricing;
    use megallm_core::api::types::Usage;
    use megallm_core::store::{
        ConversationId, FinishMessage, MessageId, MessageStatus, NewConversation, NewMessage, Role,
        Store, StoreError,
    };
    use serde_json::json;

    const T0: i64 = 1_709_294_400_000; // 2024-03-01T12:00:00Z
    const DAY: i64 = 86_400_000;
    /// An owner that names no running process (see `store::owner`).
    const DEAD_PROCESS: &str = "dead-process";

    fn clocked() -> (Store, Arc<AtomicI64>) {
        let mut s = Store::open_in_memory().unwrap();
        let now = Arc::new(AtomicI64::new(T0));
        let c = now.clone();
        s.set_clock(move || c.fetch_add(1, Ordering::SeqCst));
        (s, now)
    }

    fn conv(s: &mut Store) -> ConversationId {
        s.create_conversation(&NewConversation {
            title: "t".into(),
            model: "claude-sonnet-4".into(),
            ..Default::default()
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
            model: (role == Role::Assistant).then(|| "claude-sonnet-4".to_owned()),
            status,
        })
        .unwrap()
    }

    fn user(s: &mut Store, c: ConversationId, parent: Option<MessageId>, text: &str) -> MessageId {
        append(s, c, parent, Role::User, text, MessageStatus::Complete)
    }

    fn reply(s: &mut Store, c: ConversationId, parent: MessageId, text: &str) -> MessageId {
        append(
            s,
            c,
            Some(parent),
            Role::Assistant,
            text,
            MessageStatus::Complete,
        )
    }

    fn texts(s: &Store, c: ConversationId) -> Vec<String> {
        s.open_page(c, None, 100)
            .unwrap()
            .0
            .into_iter()
            .map(|m| m.text)
            .collect()
    }

    fn finish(text: &str, usage: Option<Usage>) -> FinishMessage {
        FinishMessage {
            content: json!([{"type": "text", "text": text}]),
            text: text.into(),
            status: MessageStatus::Complete,
            stop_reason: Some("end_turn".into()),
            usage,
            error: None,
        }
    }

    fn usage(input: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            cache_creation_input_tokens: Some(100),
            cache_read_input_tokens: None,
        }
    }

    #[test]
    fn append_moves_the_leaf_and_bumps_activity() {
        let (mut s, now) = clocked();
        let c = conv(&mut s);
        let before = s.get_conversation(c).unwrap().updated_at;
        let u = user(&mut s, c, None, "hi");
        let conv_after = s.get_conversation(c).unwrap();
        assert_eq!(conv_after.current_leaf_id, Some(u));
        assert!(conv_after.updated_at > before);
        assert_eq!(conv_after.updated_at, now.load(Ordering::SeqCst) - 1);
        let m = s.get_message(u).unwrap();
        assert_eq!(m.role, Role::User);
        assert_eq!(m.content, json!([{"type": "text", "text": "hi"}]));
        assert_eq!(m.status, MessageStatus::Complete);
        assert!(m.finished_at.is_some());

        // A parent from another conversation or nowhere is refused.
        let other = conv(&mut s);
        let bad = NewMessage {
            conversation_id: other,
            parent_id: Some(u),
            role: Role::User,
            content: json!([]),
            text: String::new(),
            model: None,
            status: MessageStatus::Complete,
        };
        assert!(matches!(
            s.append_message(&bad),
            Err(StoreError::Invalid(_))
        ));
        let bad = NewMessage {
            parent_id: Some(9999),
            ..bad
        };
        assert!(matches!(
            s.append_message(&bad),
            Err(StoreError::NotFound("message"))
        ));
        let bad = NewMessage {
            conversation_id: 9999,
            parent_id: None,
            ..bad
        };
        assert!(matches!(
            s.append_message(&bad),
            Err(StoreError::NotFound("conversation"))
        ));
    }

    #[test]
    fn editing_makes_a_sibling_branch_and_open_page_follows_the_current_leaf() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        let u1 = user(&mut s, c, None, "u1");
        let a1 = reply(&mut s, c, u1, "a1");
        let u2 = user(&mut s, c, Some(a1), "u2");
        let a2 = reply(&mut s, c, u2, "a2");
        assert_eq!(texts(&s, c), ["u1", "a1", "u2", "a2"]);

        // Edit u2: a new user message under the same parent.
        let u2b = user(&mut s, c, Some(a1), "u2 edited");
        let a2b = reply(&mut s, c, u2b, "a2 for the edit");
        assert_eq!(texts(&s, c), ["u1", "a1", "u2 edited", "a2 for the edit"]);
        assert_eq!(s.siblings(u2b).unwrap(), vec![u2, u2b]);
        assert_eq!(s.siblings(u1).unwrap(), vec![u1]);
        // Regenerate a2b: a sibling reply.
        let a2c = reply(&mut s, c, u2b, "a2 regenerated");
        assert_eq!(s.siblings(a2b).unwrap(), vec![a2b, a2c]);
        assert_eq!(texts(&s, c).last().unwrap(), "a2 regenerated");

        // Back to the original branch: its newest leaf becomes current.
        assert_eq!(s.select_branch(u2).unwrap(), a2);
        assert_eq!(s.current_leaf(c).unwrap(), Some(a2));
        assert_eq!(texts(&s, c), ["u1", "a1", "u2", "a2"]);
        assert_eq!(s.select_branch(u2b).unwrap(), a2c);

        // The whole chain for the next request, root to leaf; old rows untouched.
        let chain: Vec<_> = s
            .branch_messages(a2b)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(chain, vec![u1, a1, u2b, a2b]);
        assert_eq!(s.get_message(u2).unwrap().text, "u2");
        let listed = s
            .list_conversations(&megallm_core::store::ListQuery {
                archived: false,
                limit: 5,
                cursor: None,
            })
            .unwrap();
        assert_eq!(
            listed
                .items
                .iter()
                .find(|x| x.id == c)
                .unwrap()
                .message_count,
            7
        );
    }

    #[test]
    fn open_page_walks_back_a_long_conversation_page_by_page() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        let n = 1_000;
        let ids = s
            .batch(|s| {
                let mut ids = Vec::new();
                let mut parent = None;
                for i in 0..n {
                    let role = if i % 2 == 0 {
                        Role::User
                    } else {
                        Role::Assistant
                    };
                    let id = append(
                        s,
                        c,
                        parent,
                        role,
                        &format!("m{i}"),
                        MessageStatus::Complete,
                    );
                    ids.push(id);
                    parent = Some(id);
                }
                Ok(ids)
            })
            .unwrap();
        // A side branch (newer, so select_branch from the root would follow it)
        // must not leak into the pages of the main one.
        let side = user(&mut s, c, Some(ids[500]), "side");
        assert_eq!(s.select_branch(ids[0]).unwrap(), side);
        s.select_branch(ids[501]).unwrap();
        assert_eq!(s.current_leaf(c).unwrap(), Some(*ids.last().unwrap()));

        let (first, more) = s.open_page(c, None, 50).unwrap();
        assert!(more);
        assert_eq!(
            first.iter().map(|m| m.id).collect::<Vec<_>>(),
            ids[n - 50..]
        );

        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let (page, more) = s.open_page(c, before, 64).unwrap();
            assert!(!page.is_empty());
            before = Some(page[0].id);
            let mut p: Vec<_> = page.iter().map(|m| m.id).collect();
            p.extend(seen);
            seen = p;
            if !more {
                break;
            }
        }
        assert_eq!(seen, ids);
        // Paging from the first message gives nothing more.
        let (none, more) = s.open_page(c, Some(ids[0]), 10).unwrap();
        assert!(none.is_empty() && !more);
        // `before` must belong to the conversation.
        let other = conv(&mut s);
        assert!(s.open_page(other, Some(ids[3]), 10).is_err());
        let (empty, more) = s.open_page(other, None, 10).unwrap();
        assert!(empty.is_empty() && !more);
    }

    #[test]
    fn a_streaming_reply_is_checkpointed_and_recovered_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let (c, u, a) = {
            let mut s = Store::open(&path).unwrap();
            // Written by a process that is gone by the time the store reopens.
            s.set_owner(DEAD_PROCESS);
            let c = conv(&mut s);
            let u = user(&mut s, c, None, "tell me a story");
            let a = append(
                &mut s,
                c,
                Some(u),
                Role::Assistant,
                "",
                MessageStatus::Streaming,
            );
            let m = s.get_message(a).unwrap();
            assert_eq!(m.status, MessageStatus::Streaming);
            assert!(m.finished_at.is_none());
            s.checkpoint_message(
                a,
                &json!([{"type": "text", "text": "Once upon"}]),
                "Once upon",
            )
            .unwrap();
            s.checkpoint_message(
                a,
                &json!([{"type": "text", "text": "Once upon a time"}]),
                "Once upon a time",
            )
            .unwrap();
            // The process dies here: no finish_message.
            (c, u, a)
        };
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.recover_interrupted().unwrap(), 1);
        assert_eq!(s.recover_interrupted().unwrap(), 0);
        let m = s.get_message(a).unwrap();
        assert_eq!(m.status, MessageStatus::Interrupted);
        assert_eq!(m.text, "Once upon a time");
        assert_eq!(
            m.content,
            json!([{"type": "text", "text": "Once upon a time"}])
        );
        assert!(m.finished_at.is_some());
        // The user's message was committed on its own.
        assert_eq!(s.get_message(u).unwrap().text, "tell me a story");
        assert_eq!(s.open_page(c, None, 10).unwrap().0.len(), 2);
        // A recovered reply is final: no more checkpoints or finishing.
        assert!(matches!(
            s.checkpoint_message(a, &json!([]), "x"),
            Err(StoreError::Invalid(_))
        ));
        assert!(s.finish_message(a, &finish("x", None)).is_err());
        let doc = s.export_conversation_json(c).unwrap();
        assert!(doc["messages"][1]["first_token_at"].is_i64(), "{doc}");
    }

    #[test]
    fn finish_writes_the_final_state_once() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        let u = user(&mut s, c, None, "q");
        let a = append(
            &mut s,
            c,
            Some(u),
            Role::Assistant,
            "",
            MessageStatus::Streaming,
        );
        assert!(matches!(
            s.checkpoint_message(9999, &json!([]), "x"),
            Err(StoreError::NotFound("message"))
        ));
        let mut bad = finish("x", None);
        bad.status = MessageStatus::Streaming;
        assert!(s.finish_message(a, &bad).is_err());

        s.finish_message(a, &finish("the answer", Some(usage(10, 20))))
            .unwrap();
        let m = s.get_message(a).unwrap();
        assert_eq!(m.status, MessageStatus::Complete);
        assert_eq!(m.text, "the answer");
        assert_eq!(m.stop_reason.as_deref(), Some("end_turn"));
        assert_eq!(m.usage, Some(usage(10, 20)));
        assert!(m.finished_at.is_some());
        assert!(matches!(
            s.finish_message(a, &finish("again", None)),
            Err(StoreError::Invalid(_))
        ));
        assert!(s.checkpoint_message(a, &json!([]), "late").is_err());
        assert_eq!(s.get_message(a).unwrap().text, "the answer");

        // An error reply keeps its message.
        let b = append(
            &mut s,
            c,
            Some(u),
            Role::Assistant,
            "",
            MessageStatus::Streaming,
        );
        s.finish_message(
            b,
            &FinishMessage {
                status: MessageStatus::Error,
                error: Some("Overloaded. Try again.".into()),
                stop_reason: None,
                ..finish("", None)
            },
        )
        .unwrap();
        let m = s.get_message(b).unwrap();
        assert_eq!(m.status, MessageStatus::Error);
        assert_eq!(m.error.as_deref(), Some("Overloaded. Try again."));
        assert_eq!(m.usage, None);
    }

    #[test]
    fn usage_is_recorded_per_model_and_day() {
        let (mut s, now) = clocked();
        s.set_pricing([(
            "claude-sonnet-4".to_owned(),
            Pricing {
                input_per_million: 3.0,
                output_per_million: 15.0,
            },
        )]);
        let c = conv(&mut s);
        let u = user(&mut s, c, None, "q");
        let stream = |s: &mut Store, model: Option<&str>, us: Usage| {
            let id = s
                .append_message(&NewMessage {
                    conversation_id: c,
                    parent_id: Some(u),
                    role: Role::Assistant,
                    content: json!([]),
                    text: String::new(),
                    model: model.map(str::to_owned),
                    status: MessageStatus::Streaming,
                })
                .unwrap();
            s.finish_message(id, &finish("a", Some(us))).unwrap();
        };
        stream(&mut s, Some("claude-sonnet-4"), usage(1_000_000, 0));
        stream(&mut s, None, usage(0, 1_000_000)); // the conversation's model
        stream(&mut s, Some("mystery-model"), usage(5, 6));
        now.fetch_add(DAY, Ordering::SeqCst);
        stream(&mut s, Some("claude-sonnet-4"), usage(7, 8));

        let day1 = s.usage_by_day(T0, T0).unwrap();
        assert_eq!(day1.len(), 2);
        let sonnet = &day1[0];
        assert_eq!(
            (sonnet.day.as_str(), sonnet.model.as_str()),
            ("2024-03-01", "claude-sonnet-4")
        );
        assert_eq!(sonnet.messages, 2);
        assert_eq!(sonnet.input_tokens, 1_000_000);
        assert_eq!(sonnet.output_tokens, 1_000_000);
        assert_eq!(sonnet.cache_creation_input_tokens, 200);
        assert_eq!(sonnet.cache_read_input_tokens, 0);
        // 3 + 15 dollars, plus 200 cache-write tokens at 1.25 x 3 $/M.
        let cost = sonnet.cost_usd.unwrap();
        assert!((cost - (18.0 + 200.0 * 3.75 / 1e6)).abs() < 1e-9, "{cost}");
        assert_eq!(sonnet.unpriced_messages, 0);
        let mystery = &day1[1];
        assert_eq!(mystery.model, "mystery-model");
        assert_eq!(mystery.cost_usd, None);
        assert_eq!(mystery.unpriced_messages, 1);

        let both = s.usage_by_day(T0, T0 + DAY).unwrap();
        assert_eq!(both.len(), 3);
        assert_eq!(both[2].day, "2024-03-02");
        assert!(
            s.usage_by_day(T0 + 2 * DAY, T0 + 3 * DAY)
                .unwrap()
                .is_empty()
        );
    }

    fn count(s: &Store, c: ConversationId) -> i64 {
        s.list_conversations(&megallm_core::store::ListQuery {
            archived: false,
            limit: 50,
            cursor: None,
        })
        .unwrap()
        .items
        .into_iter()
        .find(|x| x.id == c)
        .unwrap()
        .message_count
    }

    #[test]
    fn deleting_a_message_takes_its_replies_and_moves_to_a_remaining_version() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        let other = conv(&mut s);
        let kept = user(&mut s, other, None, "zebra elsewhere");
        let u1 = user(&mut s, c, None, "u1");
        let a1 = reply(&mut s, c, u1, "a1");
        let u2 = user(&mut s, c, Some(a1), "u2 zebra");
        let a2 = reply(&mut s, c, u2, "a2");
        let u2b = user(&mut s, c, Some(a1), "u2 edited");
        let a2b = reply(&mut s, c, u2b, "a2b zebra");
        let a2c = reply(&mut s, c, u2b, "a2c");
        s.add_attachment(
            u2b,
            "only-here.txt",
            "text/plain",
            b"unique bytes",
            Some("zebra file"),
        )
        .unwrap();
        s.add_attachment(kept, "shared.txt", "text/plain", b"shared", None)
            .unwrap();
        let shared_twin = s
            .add_attachment(u2b, "shared-copy.txt", "text/plain", b"shared", None)
            .unwrap();
        assert_eq!(count(&s, c), 7);

        // A reply version off screen: only it goes; the view stays.
        assert_eq!(s.delete_message(a2b).unwrap(), 1);
        assert_eq!(s.current_leaf(c).unwrap(), Some(a2c));
        assert_eq!(s.siblings(a2c).unwrap(), vec![a2c]);
        assert_eq!(count(&s, c), 6);

        // The shown user version with its reply and files: the conversation
        // moves to the remaining version of that message and its newest reply.
        assert_eq!(s.delete_message(u2b).unwrap(), 2);
        assert_eq!(s.current_leaf(c).unwrap(), Some(a2));
        assert_eq!(texts(&s, c), ["u1", "a1", "u2 zebra", "a2"]);
        assert_eq!(count(&s, c), 4);
        assert!(matches!(
            s.get_message(a2c),
            Err(StoreError::NotFound("message"))
        ));
        assert!(matches!(
            s.attachment_bytes(shared_twin),
            Err(StoreError::NotFound("attachment"))
        ));
        // Search forgets the deleted text and file, keeps the rest.
        let hits: Vec<MessageId> = s
            .search(&megallm_core::store::SearchQuery::text("zebra", 20))
            .unwrap()
            .into_iter()
            .map(|h| h.message_id)
            .collect();
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert!(hits.contains(&u2) && hits.contains(&kept));
        // The other conversation's copy of a shared file keeps its bytes.
        let kept_file = s.attachments_for(kept).unwrap();
        assert_eq!(s.attachment_bytes(kept_file[0].id).unwrap(), b"shared");

        // No other version: the conversation goes back to the parent.
        assert_eq!(s.delete_message(u2).unwrap(), 2);
        assert_eq!(s.current_leaf(c).unwrap(), Some(a1));
        // The first message: the conversation is empty, not gone.
        assert_eq!(s.delete_message(u1).unwrap(), 2);
        assert_eq!(s.current_leaf(c).unwrap(), None);
        assert!(texts(&s, c).is_empty());
        assert_eq!(count(&s, c), 0);
        assert!(matches!(
            s.delete_message(u1),
            Err(StoreError::NotFound("message"))
        ));
        // New messages go on as in a new conversation.
        let again = user(&mut s, c, None, "fresh start");
        assert_eq!(s.current_leaf(c).unwrap(), Some(again));
        assert_eq!(count(&s, c), 1);
    }

    #[test]
    fn a_message_with_a_reply_still_streaming_is_not_deleted() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        let u = user(&mut s, c, None, "q");
        let live = append(
            &mut s,
            c,
            Some(u),
            Role::Assistant,
            "so far",
            MessageStatus::Streaming,
        );
        let err = s.delete_message(u).unwrap_err();
        assert!(err.to_string().contains("stop it"), "{err}");
        assert_eq!(s.get_message(live).unwrap().text, "so far");
        s.finish_message(live, &finish("done", None)).unwrap();
        assert_eq!(s.delete_message(u).unwrap(), 2);
    }

    #[test]
    fn deleting_the_top_of_a_long_branch_does_not_recurse() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        // Deeper than SQLite's trigger depth (1,000): a cascade would fail.
        let first = user(&mut s, c, None, "m0");
        let mut parent = first;
        for i in 1..1_500 {
            let role = if i % 2 == 1 {
                Role::Assistant
            } else {
                Role::User
            };
            parent = append(
                &mut s,
                c,
                Some(parent),
                role,
                &format!("m{i}"),
                MessageStatus::Complete,
            );
        }
        assert_eq!(s.delete_message(first).unwrap(), 1_500);
        assert_eq!(count(&s, c), 0);
    }

    #[test]
    fn attachments_are_deduplicated_and_kept_apart_from_messages() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        let m1 = user(&mut s, c, None, "see file");
        let m2 = user(&mut s, c, Some(m1), "same file again");
        let pdf = vec![7u8; 100_000];
        let a1 = s
            .add_attachment(
                m1,
                "report.pdf",
                "application/pdf",
                &pdf,
                Some("quarterly revenue"),
            )
            .unwrap();
        let a2 = s
            .add_attachment(m1, "note.txt", "text/plain", b"hello", None)
            .unwrap();
        let a3 = s
            .add_attachment(m2, "copy.pdf", "application/pdf", &pdf, None)
            .unwrap();
        let list = s.attachments_for(m1).unwrap();
        assert_eq!(list.iter().map(|a| a.id).collect::<Vec<_>>(), vec![a1, a2]);
        assert_eq!(list[0].name, "report.pdf");
        assert_eq!(list[0].media_type, "application/pdf");
        assert_eq!(list[0].size, 100_000);
        assert_eq!(list[0].extracted_text.as_deref(), Some("quarterly revenue"));
        assert_eq!(list[0].sha256.len(), 64);
        assert_eq!(
            list[1].sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        let copy = &s.attachments_for(m2).unwrap()[0];
        assert_eq!(copy.sha256, list[0].sha256);
        assert_eq!(s.attachment_bytes(a3).unwrap(), pdf);
        assert_eq!(s.attachment_bytes(a2).unwrap(), b"hello");
        assert!(matches!(
            s.attachment_bytes(9999),
            Err(StoreError::NotFound("attachment"))
        ));
        assert!(s.add_attachment(9999, "x", "y", b"z", None).is_err());
        // Message rows stay small: the bytes are not in them.
        assert_eq!(
            s.get_message(m1).unwrap().content,
            json!([{"type": "text", "text": "see file"}])
        );
    }

    #[test]
    fn start_up_queries_never_scan_a_table() {
        let (mut s, _) = clocked();
        s.set_owner(DEAD_PROCESS);
        // Some data so the planner sees real tables.
        for _ in 0..20 {
            let c = conv(&mut s);
            let u = user(&mut s, c, None, "x");
            append(
                &mut s,
                c,
                Some(u),
                Role::Assistant,
                "",
                MessageStatus::Streaming,
            );
        }
        let plans = s.startup_query_plans().unwrap();
        assert_eq!(plans.len(), 6);
        for (name, lines) in &plans {
            assert!(!lines.is_empty(), "{name}");
            for l in lines {
                assert!(!l.starts_with("SCAN"), "{name} scans: {lines:?}");
                assert!(!l.contains("TEMP B-TREE"), "{name} sorts: {lines:?}");
            }
        }
        let recover = &plans[0].1;
        assert!(
            recover.iter().any(|l| l.contains("messages_streaming")),
            "{recover:?}"
        );
        let purge = &plans[5].1;
        assert!(
            purge.iter().any(|l| l.contains("conversations_deleted")),
            "{purge:?}"
        );
        let list = &plans[1].1;
        assert!(
            list.iter()
                .any(|l| l.contains("COVERING INDEX conversations_list")),
            "{list:?}"
        );
        let next = &plans[2].1;
        assert!(
            next.iter()
                .any(|l| l.contains("conversations_list") && l.contains('<')),
            "{next:?}"
        );
        assert_eq!(s.recover_interrupted().unwrap(), 20);
    }

    #[test]
    fn a_failed_batch_writes_nothing() {
        let (mut s, _) = clocked();
        let c = conv(&mut s);
        let r: Result<(), StoreError> = s.batch(|s| {
            user(s, c, None, "kept?");
            Err(StoreError::NotFound("test"))
        });
        assert!(r.is_err());
        assert_eq!(s.open_page(c, None, 10).unwrap().0.len(), 0);
        assert_eq!(s.current_leaf(c).unwrap(), None);
    }

    #[test]
    fn store_can_be_shared_across_threads() {
        fn send<T: Send + 'static>(_: &T) {}
        let s = Store::open_in_memory().unwrap();
        send(&s);
        let shared = Arc::new(std::sync::Mutex::new(s));
        let h = {
            let shared = shared.clone();
            std::thread::spawn(move || conv(&mut shared.lock().unwrap()))
        };
        let id = h.join().unwrap();
        assert!(shared.lock().unwrap().get_conversation(id).is_ok());
    }
}
