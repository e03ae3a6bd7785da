//! Export to Markdown and JSON, and importing the JSON back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Named so that `cargo test -p megallm-core store` selects these tests.
mod store_export {

    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use megallm_core::api::types::Usage;
    use megallm_core::store::{
        CONVERSATION_FORMAT, ConversationId, EXPORT_VERSION, FinishMessage, HISTORY_FORMAT,
        ListQuery, MessageId, MessageStatus, NewConversation, NewMessage, Role, SamplingSettings,
        Store, StoreError,
    };
    use serde_json::{Value, json};

    const T0: i64 = 1_709_294_400_000; // 2024-03-01 12:00 UTC

    fn clocked() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        let now = Arc::new(AtomicI64::new(T0));
        s.set_clock(move || now.fetch_add(1000, Ordering::SeqCst));
        s
    }

    fn add(
        s: &mut Store,
        c: ConversationId,
        parent: Option<MessageId>,
        role: Role,
        text: &str,
    ) -> MessageId {
        s.append_message(&NewMessage {
            conversation_id: c,
            parent_id: parent,
            role,
            content: json!([{"type": "text", "text": text}, {"type": "future_block", "x": [1, 2]}]),
            text: text.into(),
            model: (role == Role::Assistant).then(|| "claude-sonnet-4".to_owned()),
            status: MessageStatus::Complete,
        })
        .unwrap()
    }

    /// A conversation with everything an export must carry: settings, two
    /// branches, files (one shared), a finished reply with usage, an error reply
    /// and an interrupted one.
    fn rich(s: &mut Store) -> ConversationId {
        // Its streaming reply was left by a process that has since died.
        s.set_owner("dead-process");
        let c = s
            .create_conversation(&NewConversation {
                title: "Хлеб & <bread>".into(),
                model: "claude-sonnet-4".into(),
                system_prompt: Some("Answer in two lines.\nBe kind.".into()),
                sampling: SamplingSettings {
                    temperature: Some(0.7),
                    stop_sequences: vec!["END".into()],
                    ..Default::default()
                },
            })
            .unwrap();
        let u1 = add(s, c, None, Role::User, "How to bake bread?");
        s.add_attachment(
            u1,
            "recipe.pdf",
            "application/pdf",
            &[0u8, 1, 2, 255],
            Some("flour water salt"),
        )
        .unwrap();
        s.add_attachment(u1, "photo.png", "image/png", b"\x89PNG same", None)
            .unwrap();
        let a1 = s
            .append_message(&NewMessage {
                conversation_id: c,
                parent_id: Some(u1),
                role: Role::Assistant,
                content: json!([]),
                text: String::new(),
                model: Some("claude-sonnet-4".into()),
                status: MessageStatus::Streaming,
            })
            .unwrap();
        s.checkpoint_message(a1, &json!([{"type": "text", "text": "Mix"}]), "Mix")
            .unwrap();
        s.finish_message(
            a1,
            &FinishMessage {
                content: json!([{"type": "text", "text": "Mix, knead, bake."}]),
                text: "Mix, knead, bake.".into(),
                status: MessageStatus::Complete,
                stop_reason: Some("end_turn".into()),
                usage: Some(Usage {
                    input_tokens: 10,
                    output_tokens: 5,
                    cache_creation_input_tokens: None,
                    cache_read_input_tokens: Some(3),
                }),
                error: None,
            },
        )
        .unwrap();
        let old_q = add(s, c, Some(a1), Role::User, "Old branch question");
        s.add_attachment(old_q, "photo-again.png", "image/png", b"\x89PNG same", None)
            .unwrap();
        let err = s
            .append_message(&NewMessage {
                conversation_id: c,
                parent_id: Some(old_q),
                role: Role::Assistant,
                content: json!([]),
                text: String::new(),
                model: Some("claude-sonnet-4".into()),
                status: MessageStatus::Streaming,
            })
            .unwrap();
        s.finish_message(
            err,
            &FinishMessage {
                content: json!([]),
                text: String::new(),
                status: MessageStatus::Error,
                stop_reason: None,
                usage: None,
                error: Some("The service is overloaded.".into()),
            },
        )
        .unwrap();
        // The edit: a sibling of old_q becomes the active branch.
        let new_q = add(s, c, Some(a1), Role::User, "Edited question");
        let a2 = s
            .append_message(&NewMessage {
                conversation_id: c,
                parent_id: Some(new_q),
                role: Role::Assistant,
                content: json!([]),
                text: String::new(),
                model: Some("claude-sonnet-4".into()),
                status: MessageStatus::Streaming,
            })
            .unwrap();
        s.checkpoint_message(
            a2,
            &json!([{"type": "text", "text": "Partial answ"}]),
            "Partial answ",
        )
        .unwrap();
        s.recover_interrupted().unwrap();
        s.set_pinned(c, true).unwrap();
        c
    }

    fn without_time(mut v: Value) -> Value {
        v.as_object_mut().unwrap().remove("exported_at");
        v
    }

    #[test]
    fn json_export_is_versioned_and_complete() {
        let mut s = clocked();
        let c = rich(&mut s);
        let doc = s.export_conversation_json(c).unwrap();
        assert_eq!(doc["format"], CONVERSATION_FORMAT);
        assert_eq!(doc["version"], EXPORT_VERSION);
        assert!(doc["exported_at"].is_i64());
        assert_eq!(doc["conversation"]["title"], "Хлеб & <bread>");
        assert_eq!(
            doc["conversation"]["sampling"]["stop_sequences"],
            json!(["END"])
        );
        assert_eq!(doc["conversation"]["pinned"], true);
        let msgs = doc["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 6, "every branch");
        assert_eq!(msgs[0]["id"], 1);
        assert_eq!(
            msgs[4]["parent_id"], 2,
            "the edit hangs off the first reply"
        );
        assert_eq!(msgs[2]["parent_id"], 2);
        assert_eq!(doc["conversation"]["current_leaf"], 6);
        assert_eq!(msgs[1]["usage"]["cache_read_input_tokens"], 3);
        assert_eq!(msgs[3]["status"], "error");
        assert_eq!(msgs[5]["status"], "interrupted");
        assert_eq!(msgs[0]["content"][1]["type"], "future_block");
        assert_eq!(msgs[0]["attachments"].as_array().unwrap().len(), 2);
        // The same picture attached twice is stored once.
        assert_eq!(doc["blobs"].as_object().unwrap().len(), 2);
        let sha = msgs[0]["attachments"][0]["sha256"].as_str().unwrap();
        assert_eq!(doc["blobs"][sha], "AAEC/w==");
    }

    #[test]
    fn json_round_trips_to_an_equal_conversation() {
        let mut s = clocked();
        let c = rich(&mut s);
        let doc = s.export_conversation_json(c).unwrap();

        let mut other = clocked();
        let filler = other
            .create_conversation(&NewConversation {
                title: "x".into(),
                model: "m".into(),
                ..Default::default()
            })
            .unwrap();
        add(&mut other, filler, None, Role::User, "shift the ids");
        let imported = other.import_conversation_json(&doc).unwrap();
        assert_ne!(imported, c);
        assert_eq!(
            without_time(other.export_conversation_json(imported).unwrap()),
            without_time(doc.clone())
        );

        // The same through the public reads, not just the exporter.
        let (a, b) = (
            s.get_conversation(c).unwrap(),
            other.get_conversation(imported).unwrap(),
        );
        assert_eq!(
            (
                a.title,
                a.model,
                a.system_prompt,
                a.sampling,
                a.pinned,
                a.archived,
                a.created_at,
                a.updated_at
            ),
            (
                b.title,
                b.model,
                b.system_prompt,
                b.sampling,
                b.pinned,
                b.archived,
                b.created_at,
                b.updated_at
            )
        );
        let strip = |(ms, more): (Vec<megallm_core::store::StoredMessage>, bool)| {
            (
                ms.into_iter()
                    .map(|m| {
                        (
                            m.role,
                            m.content,
                            m.text,
                            m.status,
                            m.usage,
                            m.error,
                            m.created_at,
                        )
                    })
                    .collect::<Vec<_>>(),
                more,
            )
        };
        assert_eq!(
            strip(s.open_page(c, None, 50).unwrap()),
            strip(other.open_page(imported, None, 50).unwrap())
        );
        let first = other.open_page(imported, None, 50).unwrap().0[0].id;
        let atts = other.attachments_for(first).unwrap();
        assert_eq!(
            other.attachment_bytes(atts[0].id).unwrap(),
            vec![0u8, 1, 2, 255]
        );
        assert_eq!(
            other
                .search(&megallm_core::store::SearchQuery::text("flour", 5))
                .unwrap()
                .len(),
            1
        );
        // Importing does not replay usage (no double counting).
        assert!(other.usage_by_day(0, i64::MAX / 2).unwrap().is_empty());
        assert!(other.integrity_check().unwrap());
    }

    #[test]
    fn markdown_shows_the_active_branch_readably() {
        let mut s = clocked();
        let c = rich(&mut s);
        let md = s.export_conversation_markdown(c).unwrap();
        assert!(md.starts_with("# Хлеб & <bread>\n"), "{md}");
        assert!(md.contains("- **Model:** claude-sonnet-4"));
        assert!(md.contains("- **Created:** 2024-03-01 12:00 UTC"), "{md}");
        assert!(md.contains("> Answer in two lines.\n> Be kind."));
        assert!(md.contains("## User · 2024-03-01"));
        assert!(md.contains("## Assistant · claude-sonnet-4 ·"));
        assert!(md.contains("How to bake bread?"));
        assert!(md.contains("Mix, knead, bake."));
        assert!(md.contains("- recipe.pdf (application/pdf, 4 B)"));
        assert!(md.contains("- photo.png (image/png, 9 B)"));
        assert!(md.contains("Edited question"));
        assert!(md.contains("Partial answ"));
        assert!(md.contains("*The reply was interrupted.*"));
        assert!(
            !md.contains("Old branch question"),
            "only the active branch"
        );
        assert!(md.contains("2 more message(s) on other branches"));
        let order = [
            "How to bake bread?",
            "Mix, knead, bake.",
            "Edited question",
            "Partial answ",
        ];
        let pos: Vec<_> = order.iter().map(|t| md.find(t).unwrap()).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn whole_history_exports_and_imports() {
        let mut s = clocked();
        let c1 = rich(&mut s);
        let c2 = s
            .create_conversation(&NewConversation {
                title: "Second".into(),
                model: "m2".into(),
                ..Default::default()
            })
            .unwrap();
        add(&mut s, c2, None, Role::User, "hello second");
        s.set_archived(c2, true).unwrap();
        let c3 = s
            .create_conversation(&NewConversation {
                title: "Deleted".into(),
                model: "m".into(),
                ..Default::default()
            })
            .unwrap();
        s.delete_conversation(c3).unwrap();

        let doc = s.export_all_json().unwrap();
        assert_eq!(doc["format"], HISTORY_FORMAT);
        assert_eq!(doc["version"], EXPORT_VERSION);
        let convs = doc["conversations"].as_array().unwrap();
        assert_eq!(convs.len(), 2, "deleted conversations are not exported");

        let mut fresh = clocked();
        let ids = fresh.import_all_json(&doc).unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(
            without_time(fresh.export_all_json().unwrap()),
            without_time(doc.clone())
        );
        let listed = fresh
            .list_conversations(&ListQuery {
                archived: false,
                limit: 10,
                cursor: None,
            })
            .unwrap();
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].message_count, 6);
        let archived = fresh
            .list_conversations(&ListQuery {
                archived: true,
                limit: 10,
                cursor: None,
            })
            .unwrap();
        assert_eq!(archived.items[0].title, "Second");

        // import_json takes either kind of file.
        let mut either = clocked();
        assert_eq!(either.import_json(&doc).unwrap().len(), 2);
        let one = s.export_conversation_json(c1).unwrap();
        let id = either.import_json(&one).unwrap();
        assert_eq!(id.len(), 1);
        assert_eq!(
            without_time(either.export_conversation_json(id[0]).unwrap()),
            without_time(one)
        );
        let mut junk = doc.clone();
        junk["format"] = json!("something-else");
        assert!(either.import_json(&junk).is_err());
    }

    #[test]
    fn bad_documents_are_refused_and_write_nothing() {
        let mut s = clocked();
        let c = rich(&mut s);
        let good = s.export_conversation_json(c).unwrap();
        let mut target = clocked();
        let empty = |t: &Store| {
            t.list_conversations(&ListQuery {
                archived: false,
                limit: 10,
                cursor: None,
            })
            .unwrap()
            .items
            .is_empty()
        };

        let mut newer = good.clone();
        newer["version"] = json!(EXPORT_VERSION + 1);
        let e = target.import_conversation_json(&newer).unwrap_err();
        assert!(e.to_string().contains("newer MegaLLM Desktop"), "{e}");

        let mut wrong = good.clone();
        wrong["format"] = json!("something-else");
        assert!(matches!(
            target.import_conversation_json(&wrong),
            Err(StoreError::Import(_))
        ));
        assert!(
            target.import_all_json(&good).is_err(),
            "a conversation is not a history"
        );
        assert!(
            target
                .import_conversation_json(&json!({"format": CONVERSATION_FORMAT}))
                .is_err()
        );
        assert!(target.import_conversation_json(&json!([1, 2])).is_err());

        let mut damaged = good.clone();
        let sha = damaged["blobs"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone();
        damaged["blobs"][&sha] = json!("AAAA");
        assert!(
            target
                .import_conversation_json(&damaged)
                .unwrap_err()
                .to_string()
                .contains("SHA-256")
        );

        let mut orphan = good.clone();
        orphan["messages"][3]["parent_id"] = json!(77);
        assert!(target.import_conversation_json(&orphan).is_err());

        let mut cycle = good.clone();
        cycle["messages"][0]["parent_id"] = json!(2);
        assert!(target.import_conversation_json(&cycle).is_err());

        let mut lost_file = good.clone();
        lost_file["blobs"] = json!({});
        assert!(target.import_conversation_json(&lost_file).is_err());

        assert!(empty(&target), "a failed import left rows behind");
        assert!(e.to_app_error().message.contains("cannot be imported"));

        // Children before parents in the file still import.
        let mut reordered = good.clone();
        reordered["messages"].as_array_mut().unwrap().reverse();
        let id = target.import_conversation_json(&reordered).unwrap();
        let again = target.export_conversation_json(id).unwrap();
        assert_eq!(again["messages"].as_array().unwrap().len(), 6);
        assert_eq!(
            target
                .branch_messages(target.current_leaf(id).unwrap().unwrap())
                .unwrap()
                .len(),
            4
        );
    }
}
