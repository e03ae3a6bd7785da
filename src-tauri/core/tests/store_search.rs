//! Full-text search: languages, prefixes, filters, snippets, hostile input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Named so that `cargo test -p megallm-core store` selects these tests.
mod store_search {

    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use megallm_core::store::{
        ConversationId, FinishMessage, MessageId, MessageStatus, NewConversation, NewMessage, Role,
        SNIPPET_END, SNIPPET_START, SearchHit, SearchQuery, Store,
    };
    use serde_json::json;

    const T0: i64 = 1_709_294_400_000;

    struct Fixture {
        s: Store,
        now: Arc<AtomicI64>,
    }

    impl Fixture {
        fn new() -> Self {
            let mut s = Store::open_in_memory().unwrap();
            let now = Arc::new(AtomicI64::new(T0));
            let c = now.clone();
            s.set_clock(move || c.load(Ordering::SeqCst));
            Self { s, now }
        }

        fn conv(&mut self, title: &str, model: &str) -> ConversationId {
            self.s
                .create_conversation(&NewConversation {
                    title: title.into(),
                    model: model.into(),
                    ..Default::default()
                })
                .unwrap()
        }

        fn say(&mut self, c: ConversationId, role: Role, text: &str) -> MessageId {
            let parent = self.s.current_leaf(c).unwrap();
            self.s
                .append_message(&NewMessage {
                    conversation_id: c,
                    parent_id: parent,
                    role,
                    content: json!([{"type": "text", "text": text}]),
                    text: text.into(),
                    model: None,
                    status: MessageStatus::Complete,
                })
                .unwrap()
        }

        fn find(&self, text: &str) -> Vec<SearchHit> {
            self.s.search(&SearchQuery::text(text, 50)).unwrap()
        }

        fn ids(&self, text: &str) -> Vec<MessageId> {
            self.find(text).iter().map(|h| h.message_id).collect()
        }
    }

    fn fixture() -> (Fixture, Vec<MessageId>) {
        let mut f = Fixture::new();
        let c1 = f.conv("Baking", "claude-sonnet-4");
        let m0 = f.say(c1, Role::User, "How do I bake sourdough bread at home?");
        let m1 = f.say(
            c1,
            Role::Assistant,
            "Bread basics: bread needs flour, water, salt. Sourdough bread also needs a starter. Bake the bread hot.",
        );
        let c2 = f.conv("Русский", "claude-3.5-sonnet");
        let m2 = f.say(c2, Role::User, "Привет! Как дела у тебя сегодня?");
        let m3 = f.say(
            c2,
            Role::Assistant,
            "Привет, всё хорошо. Хлеб из кафе был вкусный.",
        );
        let m4 = f.say(c2, Role::User, "Let's meet at the café tomorrow");
        (f, vec![m0, m1, m2, m3, m4])
    }

    #[test]
    fn english_words_are_found_and_ranked_by_relevance() {
        let (f, m) = fixture();
        let hits = f.find("bread");
        assert_eq!(
            hits.iter().map(|h| h.message_id).collect::<Vec<_>>(),
            vec![m[1], m[0]]
        );
        assert!(hits[0].rank < hits[1].rank, "bm25: lower is better");
        assert_eq!(hits[0].conversation_title, "Baking");
        assert_eq!(hits[0].role, Role::Assistant);
        assert_eq!(hits[1].role, Role::User);
        assert_eq!(hits[0].created_at, T0);
        // All words must match, in any order.
        assert_eq!(f.ids("starter bread"), vec![m[1]]);
        assert!(f.ids("bread unicorn").is_empty());
        assert_eq!(f.ids("BREAD"), f.ids("bread"));
    }

    #[test]
    fn russian_is_case_folded() {
        let (f, m) = fixture();
        let mut upper = f.ids("ПРИВЕТ");
        upper.sort();
        assert_eq!(upper, vec![m[2], m[3]]);
        assert_eq!(f.ids("хлеб"), vec![m[3]]);
        assert_eq!(f.ids("ХЛЕБ"), vec![m[3]]);
        // Diacritics are folded both ways.
        let mut cafe = f.ids("cafe");
        cafe.sort();
        assert_eq!(cafe, vec![m[4]]);
        assert_eq!(f.ids("CAFÉ"), vec![m[4]]);
    }

    #[test]
    fn the_last_word_is_a_prefix_as_you_type() {
        let (f, m) = fixture();
        let mut sourd = f.ids("sourd");
        sourd.sort();
        assert_eq!(sourd, vec![m[0], m[1]]);
        let mut p = f.ids("прив");
        p.sort();
        assert_eq!(p, vec![m[2], m[3]]);
        assert_eq!(f.ids("хле"), vec![m[3]]);
        assert_eq!(f.ids("bread star"), vec![m[1]]);
        // Only the last word is a prefix.
        assert!(f.ids("brea starter").is_empty());
    }

    #[test]
    fn snippets_mark_matches_with_control_characters_not_html() {
        let mut f = Fixture::new();
        let c = f.conv("html", "m");
        f.say(
            c,
            Role::User,
            "<script>alert(1)</script> the keyword is here & there",
        );
        // Stored text cannot smuggle markers in.
        f.say(c, Role::User, "fake \u{2}marker\u{3} around keyword");
        let hits = f.find("keyword");
        assert_eq!(hits.len(), 2);
        let h = hits.iter().find(|h| h.snippet.contains("script")).unwrap();
        assert!(
            h.snippet.contains("<script>alert(1)</script>"),
            "{}",
            h.snippet
        );
        assert!(
            h.snippet
                .contains(&format!("{SNIPPET_START}keyword{SNIPPET_END}")),
            "{:?}",
            h.snippet
        );
        assert!(!h.snippet.contains("<mark>"));
        let fake = hits.iter().find(|h| h.snippet.contains("fake")).unwrap();
        assert_eq!(
            fake.snippet.matches(SNIPPET_START).count(),
            1,
            "{:?}",
            fake.snippet
        );
        assert_eq!(fake.snippet.matches(SNIPPET_END).count(), 1);
        assert!(fake.snippet.contains("marker"));
        // Prefix matches are marked whole.
        let p = f.find("keyw");
        assert!(
            p[0].snippet
                .contains(&format!("{SNIPPET_START}keyword{SNIPPET_END}"))
        );
    }

    #[test]
    fn hostile_input_never_errors() {
        let (f, m) = fixture();
        for q in [
            "\"",
            "\"\"",
            "*",
            "**",
            "NEAR(",
            "NEAR(bread",
            "AND",
            "OR",
            "NOT",
            "bread AND",
            "AND bread",
            "bread OR NOT",
            "(",
            ")",
            "()",
            "bread)",
            "-bread",
            "+bread",
            "bread*",
            "*bread",
            "text:bread",
            "{text}: bread",
            "^bread",
            "bread\"",
            "\"bread",
            "'",
            "\\",
            ":",
            "NEAR(bread sourdough, 2)",
            "bread NEAR starter",
            "\u{0}",
            "😀",
            "'; DROP TABLE messages; --",
            "   ",
            "",
            "²",
            "½ ²",
            "Ⅻ",
            "٣",
            "_",
            "\u{301}",
            "a\u{301}",
            "ß",
            "ﬁ",
            "x²",
        ] {
            let r = f.s.search(&SearchQuery::text(q, 10));
            assert!(r.is_ok(), "{q:?}: {r:?}");
        }
        // Operators are plain words, not syntax, and punctuation is ignored.
        assert!(f.ids("bread OR unicorn").is_empty());
        assert_eq!(f.ids("\"bread\"").len(), 2);
        assert_eq!(f.ids("bread*").len(), 2);
        // One typed term is one phrase: "near bread", which no message has.
        assert!(f.ids("NEAR(bread").is_empty());
        assert_eq!(f.ids("bread-sourdough").len(), 0);
        let mut phrase = f.ids("sourdough-bread");
        phrase.sort();
        assert_eq!(phrase, vec![m[0], m[1]]);
        assert!(f.ids("*").is_empty());
        assert_eq!(f.ids("(bread)"), vec![m[1], m[0]]);
    }

    #[test]
    fn filters_narrow_the_results() {
        let mut f = Fixture::new();
        let a = f.conv("a", "claude-sonnet-4");
        let b = f.conv("b", "claude-opus");
        let m_a = f.say(a, Role::User, "needle in a");
        f.now.fetch_add(1000, Ordering::SeqCst);
        let m_b = f.say(b, Role::User, "needle in b");
        let r_b =
            f.s.append_message(&NewMessage {
                conversation_id: b,
                parent_id: Some(m_b),
                role: Role::Assistant,
                content: json!([]),
                text: "needle reply by haiku".into(),
                model: Some("claude-haiku".into()),
                status: MessageStatus::Complete,
            })
            .unwrap();
        let q = |text: &str| SearchQuery::text(text, 10);
        let sorted = |mut v: Vec<SearchHit>| {
            let mut ids: Vec<_> = v.drain(..).map(|h| h.message_id).collect();
            ids.sort();
            ids
        };
        assert_eq!(
            sorted(f.s.search(&q("needle")).unwrap()),
            vec![m_a, m_b, r_b]
        );

        let by_model = SearchQuery {
            model: Some("claude-opus".into()),
            ..q("needle")
        };
        assert_eq!(sorted(f.s.search(&by_model).unwrap()), vec![m_b]);
        let by_model = SearchQuery {
            model: Some("claude-haiku".into()),
            ..q("needle")
        };
        assert_eq!(sorted(f.s.search(&by_model).unwrap()), vec![r_b]);

        let from = SearchQuery {
            from: Some(T0 + 1000),
            ..q("needle")
        };
        assert_eq!(sorted(f.s.search(&from).unwrap()), vec![m_b, r_b]);
        let to = SearchQuery {
            to: Some(T0 + 1000),
            ..q("needle")
        };
        assert_eq!(sorted(f.s.search(&to).unwrap()), vec![m_a]);

        f.s.set_pinned(a, true).unwrap();
        let pinned = SearchQuery {
            pinned_only: true,
            ..q("needle")
        };
        assert_eq!(sorted(f.s.search(&pinned).unwrap()), vec![m_a]);

        f.s.set_archived(b, true).unwrap();
        assert_eq!(sorted(f.s.search(&q("needle")).unwrap()), vec![m_a]);
        let archived = SearchQuery {
            include_archived: true,
            ..q("needle")
        };
        assert_eq!(sorted(f.s.search(&archived).unwrap()), vec![m_a, m_b, r_b]);

        f.s.delete_conversation(a).unwrap();
        assert!(f.s.search(&q("needle")).unwrap().is_empty());
        assert_eq!(sorted(f.s.search(&archived).unwrap()), vec![m_b, r_b]);

        let limited = SearchQuery {
            limit: 1,
            ..archived
        };
        assert_eq!(f.s.search(&limited).unwrap().len(), 1);
    }

    #[test]
    fn attachment_text_is_searchable() {
        let mut f = Fixture::new();
        let c = f.conv("files", "m");
        let m = f.say(c, Role::User, "see the attached report");
        let a =
            f.s.add_attachment(
                m,
                "q3.pdf",
                "application/pdf",
                b"%PDF",
                Some("Quarterly revenue grew in Siberia"),
            )
            .unwrap();
        let hits = f.find("siberia");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].message_id, m);
        assert_eq!(hits[0].attachment_id, Some(a));
        assert_eq!(hits[0].attachment_name.as_deref(), Some("q3.pdf"));
        assert!(
            hits[0]
                .snippet
                .contains(&format!("{SNIPPET_START}Siberia{SNIPPET_END}"))
        );
        // A message matching in both its text and a file shows once.
        f.s.add_attachment(m, "r.txt", "text/plain", b"r", Some("report details"))
            .unwrap();
        assert_eq!(f.find("report").len(), 1);
    }

    #[test]
    fn a_reply_is_indexed_once_when_it_ends_not_at_each_checkpoint() {
        let mut f = Fixture::new();
        let c = f.conv("s", "m");
        let u = f.say(c, Role::User, "question");
        let a =
            f.s.append_message(&NewMessage {
                conversation_id: c,
                parent_id: Some(u),
                role: Role::Assistant,
                content: json!([]),
                text: String::new(),
                model: None,
                status: MessageStatus::Streaming,
            })
            .unwrap();
        f.s.checkpoint_message(a, &json!([]), "quantum draft")
            .unwrap();
        // While it streams, checkpoints cost no index work: not found yet.
        assert!(f.ids("quantum").is_empty());
        f.s.finish_message(
            a,
            &FinishMessage {
                content: json!([]),
                text: "final photon answer".into(),
                status: MessageStatus::Complete,
                stop_reason: None,
                usage: None,
                error: None,
            },
        )
        .unwrap();
        assert!(f.ids("quantum").is_empty());
        assert_eq!(f.ids("photon"), vec![a]);
        // Purged messages leave the index.
        f.s.delete_conversation(c).unwrap();
        f.s.purge_deleted(i64::MAX).unwrap();
        assert!(
            f.s.search(&SearchQuery {
                include_archived: true,
                ..SearchQuery::text("photon", 5)
            })
            .unwrap()
            .is_empty()
        );
        assert!(f.s.integrity_check().unwrap());
    }

    #[test]
    fn ranking_reads_only_the_newest_window_of_matches() {
        let mut f = Fixture::new();
        let c = f.conv("many", "m");
        let n = megallm_core::store::SEARCH_WINDOW as usize + 50;
        let ids =
            f.s.batch(|s| {
                let mut ids = Vec::new();
                let mut parent = None;
                for i in 0..n {
                    // The oldest and the newest are the best matches.
                    let text = if i == 0 || i == n - 1 {
                        "common common common common".to_owned()
                    } else {
                        format!("common filler words number {i} to make it longer")
                    };
                    let id = s
                        .append_message(&NewMessage {
                            conversation_id: c,
                            parent_id: parent,
                            role: Role::User,
                            content: json!([]),
                            text,
                            model: None,
                            status: MessageStatus::Complete,
                        })
                        .unwrap();
                    parent = Some(id);
                    ids.push(id);
                }
                Ok(ids)
            })
            .unwrap();
        let hits = f.find("common");
        assert_eq!(hits.len(), 50);
        assert_eq!(hits[0].message_id, ids[n - 1]);
        assert!(
            hits.iter().all(|h| h.message_id != ids[0]),
            "outside the window"
        );
        // A rarer word is found however old.
        // The window counts matches of the query, so a rarer word is found
        // however old (message 17 is older than the window of "common").
        assert_eq!(f.ids("number 17 to"), vec![ids[17]]);

        for (name, plan) in f.s.search_query_plans().unwrap() {
            // Matches stream from the index newest first (INDEX 192: ORDER BY
            // rowid DESC consumed, no sort before the window); only the
            // filtered fallback joins (by primary key) and sorts the window.
            assert!(
                plan.iter().any(|l| l.contains("VIRTUAL TABLE INDEX 192:")),
                "{name}: {plan:?}"
            );
            let sorts = plan.iter().filter(|l| l.contains("TEMP B-TREE")).count();
            assert_eq!(
                sorts,
                usize::from(name.contains("filtered")),
                "{name}: {plan:?}"
            );
            assert!(
                plan.iter()
                    .filter(|l| l.contains("SEARCH"))
                    .all(|l| l.contains("PRIMARY KEY")),
                "{name}: {plan:?}"
            );
        }
    }

    #[test]
    fn filters_that_reject_a_full_window_still_find_older_matches() {
        let mut f = Fixture::new();
        f.s.set_search_window(10);
        let old = f.conv("old pinned", "m");
        let old_ids: Vec<_> = (0..3)
            .map(|i| f.say(old, Role::User, &format!("common {i}")))
            .collect();
        f.s.set_pinned(old, true).unwrap();
        let new = f.conv("new", "m");
        for i in 0..30 {
            f.say(new, Role::User, &format!("common newer {i}"));
        }
        // The newest 10 matches are all unpinned; the pinned ones are older.
        let q = SearchQuery {
            pinned_only: true,
            ..SearchQuery::text("common", 10)
        };
        let mut found: Vec<_> =
            f.s.search(&q)
                .unwrap()
                .into_iter()
                .map(|h| h.message_id)
                .collect();
        found.sort();
        assert_eq!(found, old_ids);
        // Unfiltered, the window holds: 10 newest only.
        assert_eq!(f.find("common").len(), 10);
    }
}
