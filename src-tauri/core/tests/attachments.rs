//! Files sent with a message, end to end: read by the documents module,
//! stored with the message, sent before its text on every turn of the
//! branch with the prompt-cache mark, shown as chips, previewed, searched,
//! exported and imported.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use megallm_core::chat::{
    AttachmentPreview, DraftShelf, PreparedFile, SendOptions, SharedStore, TurnOutcome,
    conversation_view, file_blocks, send_message,
};
use megallm_core::documents::{DocumentKind, MAX_SHEET_ROWS, extract};
use megallm_core::store::types::{Role, SearchQuery};
use serde_json::json;
use tokio_util::sync::CancellationToken;

mod common;
use common::{Setup, message_requests};

async fn setup() -> Setup {
    common::setup(0.0).await
}

fn prepared(name: &str, bytes: &[u8]) -> PreparedFile {
    PreparedFile::new(bytes.to_vec(), extract(name, bytes).unwrap())
}

/// A 2000 x 1000 PNG: over the API's 1.15 megapixels, so it is resized.
fn big_png() -> Vec<u8> {
    let img = RgbImage::from_fn(2000, 1000, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 7])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

const NOTES: &str = "Квартальный отчёт: выручка выросла благодаря zephyrine-кампании.";

async fn send(
    s: &Setup,
    conversation: Option<i64>,
    text: &str,
    files: Vec<PreparedFile>,
) -> TurnOutcome {
    let mut opts = SendOptions::new(conversation, text, "claude-sonnet-4");
    opts.attachments = files;
    send_message(&s.store, &s.client, opts, CancellationToken::new(), |_| {})
        .await
        .unwrap()
}

#[tokio::test]
async fn files_go_before_the_question_and_the_last_is_cached_on_every_turn() {
    let s = setup().await;
    let first = send(
        &s,
        None,
        "What do these say?",
        vec![
            prepared("notes.txt", NOTES.as_bytes()),
            prepared("chart.png", &big_png()),
        ],
    )
    .await;
    assert!(first.error.is_none(), "{:?}", first.error);
    let id = first.conversation_id;

    let req = message_requests(&s).pop().unwrap();
    let blocks = req["messages"][0]["content"].as_array().unwrap().clone();
    assert_eq!(blocks.len(), 3, "{blocks:#?}");
    assert_eq!(blocks[0]["type"], "document");
    assert_eq!(blocks[0]["title"], "notes.txt");
    assert_eq!(blocks[0]["source"]["type"], "text");
    assert_eq!(blocks[0]["source"]["data"], NOTES);
    assert!(blocks[0].get("cache_control").is_none());
    assert_eq!(blocks[1]["type"], "image");
    assert_eq!(blocks[1]["source"]["media_type"], "image/png");
    assert_eq!(blocks[1]["cache_control"], json!({"type": "ephemeral"}));
    assert_eq!(
        blocks[2],
        json!({"type": "text", "text": "What do these say?"})
    );

    // A follow-up sends the files again, byte for byte, still marked: the
    // cached prefix is reused.
    send(&s, Some(id), "And in one word?", Vec::new()).await;
    let again = message_requests(&s).pop().unwrap();
    assert_eq!(again["messages"][0], req["messages"][0]);
    assert_eq!(again["messages"].as_array().unwrap().len(), 3);
    let marked = again.to_string().matches("\"cache_control\"").count();
    assert_eq!(marked, 1, "one cache mark per request");
}

#[tokio::test]
async fn chips_previews_and_search_come_from_the_stored_files() {
    let s = setup().await;
    let png = big_png();
    let outcome = send(
        &s,
        None,
        "Summarise",
        vec![
            prepared("notes.txt", NOTES.as_bytes()),
            prepared("chart.png", &png),
        ],
    )
    .await;
    let id = outcome.conversation_id;
    let view = s
        .store
        .read(move |st| conversation_view(st, id, None, 50))
        .await
        .unwrap();
    let user = view.messages.iter().find(|m| m.role == Role::User).unwrap();
    assert_eq!(
        user.text, "Summarise",
        "the question stays the message's text"
    );
    let chips = &user.attachments;
    assert_eq!(chips.len(), 2);
    assert_eq!(chips[0].name, "notes.txt");
    assert_eq!(chips[0].kind, DocumentKind::Text);
    assert_eq!(chips[0].bytes, NOTES.len() as u64);
    assert_eq!(chips[0].tokens, NOTES.len().div_ceil(4) as u32);
    assert_eq!(chips[1].kind, DocumentKind::Image);
    assert_eq!(chips[1].bytes, png.len() as u64, "the original's size");
    assert!(chips[1].tokens > 1000, "{}", chips[1].tokens);
    assert!(!chips[1].notes.is_empty(), "the resize is noted");

    let (text_id, image_id) = (chips[0].id.unwrap(), chips[1].id.unwrap());
    let text = s
        .store
        .read(move |st| megallm_core::chat::stored_preview(st, text_id))
        .await
        .unwrap();
    assert_eq!(
        text,
        AttachmentPreview::Text {
            name: "notes.txt".into(),
            text: NOTES.into()
        }
    );
    let image = s
        .store
        .read(move |st| megallm_core::chat::stored_preview(st, image_id))
        .await
        .unwrap();
    let AttachmentPreview::Image { width, height, .. } = image else {
        panic!("{image:?}")
    };
    assert!(width <= 1568 && u64::from(width) * u64::from(height) <= 1_150_000);
    assert_eq!(width, 2 * height, "the aspect ratio is kept");

    // A word that is only in the document finds the conversation.
    let hits = s
        .store
        .read(|st| {
            st.search(&SearchQuery {
                text: "zephyrine".into(),
                model: None,
                from: None,
                to: None,
                pinned_only: false,
                include_archived: true,
                limit: 10,
            })
        })
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].conversation_id, id);
    assert_eq!(hits[0].attachment_id, Some(text_id));
}

/// The first message's chips, ids left out (a copy has new ones).
async fn chips_without_ids(
    store: &SharedStore,
    id: i64,
) -> Vec<megallm_core::chat::AttachmentSummary> {
    let view = store
        .read(move |st| conversation_view(st, id, None, 50))
        .await
        .unwrap();
    let mut chips = view.messages[0].attachments.clone();
    for c in &mut chips {
        c.id = None;
    }
    chips
}

#[tokio::test]
async fn export_and_import_keep_the_files_and_their_chips() {
    let s = setup().await;
    let outcome = send(
        &s,
        None,
        "Q",
        vec![
            prepared("notes.txt", NOTES.as_bytes()),
            prepared("chart.png", &big_png()),
        ],
    )
    .await;
    let id = outcome.conversation_id;
    let before = chips_without_ids(&s.store, id).await;
    let doc = s
        .store
        .read(move |st| st.export_conversation_json(id))
        .await
        .unwrap();
    let copy = s
        .store
        .write(move |st| st.import_conversation_json(&doc))
        .await
        .unwrap();
    assert_ne!(copy, id);
    assert_eq!(chips_without_ids(&s.store, copy).await, before);

    // The copy's request carries the same blocks as the original's.
    let first = message_requests(&s).pop().unwrap()["messages"][0].clone();
    send(&s, Some(copy), "Q again", Vec::new()).await;
    let from_copy = message_requests(&s).pop().unwrap();
    assert_eq!(from_copy["messages"][0], first);
}

#[tokio::test]
async fn a_cut_document_says_so_in_the_request() {
    let rows: String = (0..MAX_SHEET_ROWS + 10)
        .map(|i| format!("{i},value {i}\n"))
        .collect();
    let file = prepared("big.csv", rows.as_bytes());
    assert!(file.summary().truncated);
    let blocks = serde_json::to_value(file_blocks(&[file])).unwrap();
    let context = blocks[0]["context"].as_str().unwrap();
    assert!(
        context.starts_with("Only part of this file is included."),
        "{context}"
    );
    assert_eq!(blocks[0]["cache_control"], json!({"type": "ephemeral"}));
}

#[test]
fn drafts_are_held_until_discarded_and_capped() {
    let shelf = DraftShelf::with_limit(4096);
    let a = shelf.put(prepared("a.txt", b"alpha")).unwrap();
    let b = shelf.put(prepared("b.txt", b"beta")).unwrap();
    assert_ne!(a.draft_id, b.draft_id);
    assert_eq!(a.summary.name, "a.txt");
    assert!(a.summary.id.is_none());

    let got = shelf
        .get_all(&[b.draft_id.clone(), a.draft_id.clone()])
        .unwrap();
    assert_eq!(got[0].name(), "b.txt", "in the order asked");
    // Getting them for a send keeps them, so a refused send can retry.
    assert!(shelf.preview(&a.draft_id).is_ok());
    assert_eq!(
        shelf.preview(&a.draft_id).unwrap(),
        AttachmentPreview::Text {
            name: "a.txt".into(),
            text: "alpha".into()
        }
    );

    shelf.discard(std::slice::from_ref(&a.draft_id));
    shelf.discard(std::slice::from_ref(&a.draft_id));
    let gone = shelf
        .get_all(std::slice::from_ref(&a.draft_id))
        .unwrap_err();
    assert_eq!(gone.code.as_str(), "not_found");

    let big = vec![b'x'; 4096];
    let full = shelf.put(prepared("big.txt", &big)).unwrap_err();
    assert_eq!(full.code.as_str(), "too_large");
    assert!(full.message.contains("big.txt"), "{}", full.message);
}

mod budget {
    use super::*;
    use megallm_core::api::models::{ModelInfo, Pricing, seed_models};
    use megallm_core::chat::{draft_request, estimate_request, send_budget};
    use megallm_core::store::types::SamplingSettings;

    fn priced(window: u64) -> ModelInfo {
        let mut m = seed_models().remove(0);
        m.context_window = Some(window);
        m.pricing = Some(Pricing {
            input_per_million: 3.0,
            output_per_million: 15.0,
        });
        m
    }

    #[tokio::test]
    async fn the_service_counts_the_branch_the_files_and_the_draft() {
        let s = setup().await;
        let first = send(
            &s,
            None,
            "Hello there",
            vec![prepared("notes.txt", NOTES.as_bytes())],
        )
        .await;
        let id = first.conversation_id;
        let files = vec![prepared("more.txt", "x".repeat(4000).as_bytes())];
        let req = s
            .store
            .read(move |st| {
                draft_request(
                    st,
                    Some(id),
                    "And now?",
                    &files,
                    "claude-sonnet-4",
                    &SamplingSettings::default(),
                    None,
                )
            })
            .await
            .unwrap();
        // The branch (question with its file, reply), then the draft.
        assert_eq!(req.messages.len(), 3);
        let body = serde_json::to_value(&req).unwrap();
        assert_eq!(body["messages"][0]["content"][0]["title"], "notes.txt");
        assert_eq!(body["messages"][2]["content"][0]["title"], "more.txt");
        assert_eq!(body["messages"][2]["content"][1]["text"], "And now?");

        let budget = send_budget(&s.client, &req, Some(&priced(200_000))).await;
        assert!(budget.counted, "the local server counts");
        let counted = s
            .mock
            .requests()
            .into_iter()
            .rfind(|r| r.path == "/v1/messages/count_tokens")
            .unwrap();
        assert!(counted.body.unwrap().get("max_tokens").is_none());
        assert!(budget.input_tokens >= 1000, "{budget:?}");
        assert!(budget.fits);
        let cost = budget.input_cost_usd.unwrap();
        assert!((cost - budget.input_tokens as f64 * 3.0 / 1e6).abs() < 1e-12);

        // A system prompt the send would set is part of what is counted.
        let with_prompt = s
            .store
            .read(move |st| {
                draft_request(
                    st,
                    Some(id),
                    "And now?",
                    &[],
                    "claude-sonnet-4",
                    &SamplingSettings::default(),
                    Some("You are a document analysis expert."),
                )
            })
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&with_prompt).unwrap()["system"],
            "You are a document analysis expert."
        );

        // A window the request cannot fit in is reported, not cut.
        let small = send_budget(&s.client, &req, Some(&priced(1000))).await;
        assert!(!small.fits);
        assert_eq!(small.input_tokens, budget.input_tokens);
    }

    #[tokio::test]
    async fn without_a_count_the_stated_estimate_is_used() {
        let s = setup().await;
        let text = format!("{} [[fault:500]]", "word ".repeat(400));
        let req = s
            .store
            .read(move |st| {
                draft_request(
                    st,
                    None,
                    &text,
                    &[prepared("chart.png", &big_png())],
                    "claude-sonnet-4",
                    &SamplingSettings::default(),
                    None,
                )
            })
            .await
            .unwrap();
        let budget = send_budget(&s.client, &req, None).await;
        assert!(!budget.counted);
        assert_eq!(budget.input_tokens, estimate_request(&req));
        // The image (resized to about 1.15 MP: ~1,530 tokens) and the text.
        assert!(
            (1500..2200).contains(&budget.input_tokens),
            "{}",
            budget.input_tokens
        );
        assert_eq!(budget.context_window, 200_000);
        assert!(budget.input_cost_usd.is_none(), "no price, no cost");
    }
}

#[tokio::test]
async fn a_service_that_refuses_document_blocks_gets_the_files_as_text() {
    let s = common::setup_with(megallm_mock::MockConfig {
        no_document_blocks: true,
        ..megallm_mock::MockConfig::default()
    })
    .await;

    let first = send(
        &s,
        None,
        "Summarise",
        vec![prepared("notes.txt", NOTES.as_bytes())],
    )
    .await;
    assert!(first.error.is_none(), "{:?}", first.error);
    let sent = message_requests(&s);
    assert_eq!(sent.len(), 2, "refused once, then sent as text");
    assert_eq!(sent[0]["messages"][0]["content"][0]["type"], "document");
    let as_text = &sent[1]["messages"][0]["content"][0];
    assert_eq!(as_text["type"], "text");
    assert_eq!(
        as_text["text"],
        format!("<document title=\"notes.txt\">\n{NOTES}\n</document>")
    );
    assert_eq!(as_text["cache_control"], json!({"type": "ephemeral"}));

    // Remembered: the next turn goes as text straight away.
    send(&s, Some(first.conversation_id), "More?", Vec::new()).await;
    let sent = message_requests(&s);
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2]["messages"][0]["content"][0]["type"], "text");
}

#[test]
fn a_draft_that_does_not_fit_is_cut_by_pages_or_tokens_and_says_so() {
    use megallm_core::chat::Trim;
    use megallm_core::documents::{Document, DocumentKind};

    let doc = Document {
        name: "report.pdf".into(),
        kind: DocumentKind::Pdf,
        text: Some(
            "[Page 1]\n\nOne.\n\n[Page 2]\n\nTwo [Page 3] inline.\n\n[Page 3]\n\nThree.".into(),
        ),
        image: None,
        pages: Some(3),
        sheets: None,
        page_images: Vec::new(),
        truncated: false,
        notes: Vec::new(),
    };
    let shelf = DraftShelf::new();
    let d = shelf.put(PreparedFile::new(b"%PDF".to_vec(), doc)).unwrap();
    let cut = shelf
        .trim(&d.draft_id, Trim::Pages { first: 2, last: 2 })
        .unwrap();
    assert_eq!(cut.draft_id, d.draft_id);
    assert!(cut.summary.truncated);
    assert_eq!(
        cut.summary.notes.last().unwrap(),
        "Only pages 2\u{2013}2 of 3 are included."
    );
    let AttachmentPreview::Text { text, .. } = shelf.preview(&d.draft_id).unwrap() else {
        panic!()
    };
    assert_eq!(text, "[Page 2]\n\nTwo [Page 3] inline.");
    let bad = shelf
        .trim(&d.draft_id, Trim::Pages { first: 3, last: 4 })
        .unwrap_err();
    assert_eq!(bad.message, "Pick pages between 1 and 3.");

    let long: String = (0..400).map(|i| format!("line {i:03}\n")).collect();
    let t = shelf.put(prepared("long.txt", long.as_bytes())).unwrap();
    assert!(t.summary.tokens > 500);
    let cut = shelf.trim(&t.draft_id, Trim::Tokens { max: 100 }).unwrap();
    assert!(cut.summary.tokens <= 100, "{}", cut.summary.tokens);
    assert!(cut.summary.tokens >= 50, "cut at a line near the limit");
    let AttachmentPreview::Text { text, .. } = shelf.preview(&t.draft_id).unwrap() else {
        panic!()
    };
    assert!(long.starts_with(&text) && text.ends_with(|c: char| c.is_ascii_digit()));
    let pages = shelf
        .trim(&t.draft_id, Trim::Pages { first: 1, last: 1 })
        .unwrap_err();
    assert_eq!(pages.message, "Only a PDF can be cut by pages.");
}

#[tokio::test]
async fn a_one_click_analysis_sets_the_conversations_system_prompt() {
    let s = setup().await;
    let first = send(&s, None, "Hi", Vec::new()).await;
    assert!(message_requests(&s)[0].get("system").is_none());
    let analyst = &megallm_core::chat::builtin_presets()[0];
    let mut opts = SendOptions::new(
        Some(first.conversation_id),
        analyst.prompt.clone(),
        "claude-sonnet-4",
    );
    opts.system_prompt = Some(analyst.system_prompt.clone());
    opts.attachments = vec![prepared("notes.txt", NOTES.as_bytes())];
    send_message(&s.store, &s.client, opts, CancellationToken::new(), |_| {})
        .await
        .unwrap();
    let req = message_requests(&s).pop().unwrap();
    assert_eq!(req["system"], "You are a document analysis expert.");
    // It stays the conversation's prompt for the next questions.
    send(&s, Some(first.conversation_id), "And?", Vec::new()).await;
    let req = message_requests(&s).pop().unwrap();
    assert_eq!(req["system"], "You are a document analysis expert.");
}

#[tokio::test]
async fn files_alone_are_a_message_titled_by_their_names() {
    let s = setup().await;
    let outcome = send(
        &s,
        None,
        "  ",
        vec![prepared("notes.txt", NOTES.as_bytes())],
    )
    .await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(outcome.title, "notes.txt");
    let req = message_requests(&s).pop().unwrap();
    let blocks = req["messages"][0]["content"].as_array().unwrap();
    assert_eq!(blocks.len(), 1, "no empty text block: {blocks:?}");
    assert_eq!(blocks[0]["type"], "document");

    let mut opts = SendOptions::new(None, " ", "claude-sonnet-4");
    opts.attachments = Vec::new();
    let refused = send_message(&s.store, &s.client, opts, CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.message, "Type a message first.");
}

mod original_pdf {
    use super::*;
    use megallm_core::documents::{Document, DocumentKind};

    fn pdf_file() -> PreparedFile {
        let doc = Document {
            name: "scan.pdf".into(),
            kind: DocumentKind::Pdf,
            text: Some("[Page 1]\n\nThe text of the PDF.".into()),
            image: None,
            pages: Some(1),
            sheets: None,
            page_images: Vec::new(),
            truncated: false,
            notes: Vec::new(),
        };
        let mut f = PreparedFile::new(b"%PDF-1.7 stand-in bytes".to_vec(), doc);
        f.set_send_original(true).unwrap();
        f
    }

    use super::common::setup_with as with_mock;

    #[tokio::test]
    async fn an_opted_in_pdf_goes_as_itself_on_every_turn() {
        let s = setup().await;
        let file = pdf_file();
        assert!(file.summary().send_original);
        let first = send(&s, None, "What is in it?", vec![file]).await;
        assert!(first.error.is_none(), "{:?}", first.error);
        send(&s, Some(first.conversation_id), "More?", Vec::new()).await;
        for req in message_requests(&s) {
            let doc = &req["messages"][0]["content"][0];
            assert_eq!(doc["source"]["type"], "base64");
            assert_eq!(doc["source"]["media_type"], "application/pdf");
            assert_eq!(doc["title"], "scan.pdf");
        }
        let not_pdf = prepared("a.txt", b"x").set_send_original(true);
        assert!(not_pdf.is_err());
    }

    #[tokio::test]
    async fn a_service_without_pdf_support_gets_the_text_and_is_remembered() {
        let s = with_mock(megallm_mock::MockConfig {
            no_pdf_blocks: true,
            ..megallm_mock::MockConfig::default()
        })
        .await;
        let first = send(&s, None, "What is in it?", vec![pdf_file()]).await;
        assert!(first.error.is_none(), "{:?}", first.error);
        let sent = message_requests(&s);
        assert_eq!(sent.len(), 2);
        assert_eq!(
            sent[0]["messages"][0]["content"][0]["source"]["type"],
            "base64"
        );
        let text = &sent[1]["messages"][0]["content"][0];
        assert_eq!(text["source"]["type"], "text");
        assert_eq!(text["source"]["data"], "[Page 1]\n\nThe text of the PDF.");
        send(&s, Some(first.conversation_id), "More?", Vec::new()).await;
        let sent = message_requests(&s);
        assert_eq!(sent.len(), 3, "remembered: no second refusal");
        assert_eq!(
            sent[2]["messages"][0]["content"][0]["source"]["type"],
            "text"
        );
    }

    #[tokio::test]
    async fn a_service_without_document_blocks_gets_the_pdf_as_framed_text() {
        let s = with_mock(megallm_mock::MockConfig {
            no_document_blocks: true,
            ..megallm_mock::MockConfig::default()
        })
        .await;
        let first = send(&s, None, "What is in it?", vec![pdf_file()]).await;
        assert!(first.error.is_none(), "{:?}", first.error);
        let last = message_requests(&s).pop().unwrap();
        let block = &last["messages"][0]["content"][0];
        assert_eq!(block["type"], "text");
        assert!(
            block["text"]
                .as_str()
                .unwrap()
                .starts_with("<document title=\"scan.pdf\">")
        );
    }
}

#[tokio::test]
async fn a_pdfs_drawn_pages_go_as_images_after_its_text_and_stay_one_chip() {
    use megallm_core::documents::{Document, DocumentImage, DocumentKind, PageImage};
    let s = setup().await;
    let png = extract("p.png", &big_png()).unwrap().image.unwrap();
    let doc = Document {
        name: "scan.pdf".into(),
        kind: DocumentKind::Pdf,
        text: Some("[Page 1]\n\nTyped page.\n\n[Page 2] (scanned: sent as an image)".into()),
        image: None,
        pages: Some(2),
        sheets: None,
        page_images: vec![PageImage {
            page: 2,
            image: DocumentImage { ..png },
        }],
        truncated: false,
        notes: Vec::new(),
    };
    let file = PreparedFile::new(b"%PDF-1.7".to_vec(), doc);
    assert!(file.summary().tokens > 1000, "the drawn page is counted");
    assert_eq!(
        file.summary().page_images,
        1,
        "the chip says a page went as an image"
    );
    let first = send(&s, None, "Read it", vec![file]).await;
    send(&s, Some(first.conversation_id), "Again", Vec::new()).await;
    for req in message_requests(&s) {
        let blocks = req["messages"][0]["content"].as_array().unwrap();
        let kinds: Vec<_> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["document", "image", "text"], "{req}");
        assert_eq!(blocks[1]["cache_control"], json!({"type": "ephemeral"}));
    }
    let id = first.conversation_id;
    let view = s
        .store
        .read(move |st| conversation_view(st, id, None, 50))
        .await
        .unwrap();
    let chips = &view.messages[0].attachments;
    assert_eq!(chips.len(), 1, "the page is part of the PDF's chip");
    assert_eq!(chips[0].name, "scan.pdf");
    assert_eq!(chips[0].page_images, 1, "and says so after sending too");
}

#[test]
fn a_locked_pdf_waits_for_its_password_and_cannot_be_sent_before() {
    let shelf = DraftShelf::new();
    let d = shelf
        .put_locked("secret.pdf", b"%PDF-1.7 locked".to_vec())
        .unwrap();
    assert!(d.summary.needs_password);
    assert_eq!(d.summary.bytes, 15);
    let refused = shelf
        .get_all(std::slice::from_ref(&d.draft_id))
        .unwrap_err();
    assert_eq!(
        refused.message,
        "“secret.pdf” needs its password before it can be sent."
    );
    let (name, bytes) = shelf.locked(&d.draft_id).unwrap();
    assert_eq!((name.as_str(), bytes.len()), ("secret.pdf", 15));
    let open = shelf
        .unlocked(&d.draft_id, prepared("secret.txt", b"now readable"))
        .unwrap();
    assert_eq!(open.draft_id, d.draft_id, "the chip keeps its id");
    assert!(!open.summary.needs_password);
    assert_eq!(
        shelf
            .get_all(std::slice::from_ref(&d.draft_id))
            .unwrap()
            .len(),
        1
    );
    assert!(shelf.locked(&d.draft_id).is_err());
}
