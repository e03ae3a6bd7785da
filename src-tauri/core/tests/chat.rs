//! A whole turn against the local server and a real SQLite file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use megallm_core::chat::{
    PreparedFile, SendMode, SendOptions, StreamUpdate, TurnOutcome, conversation_view, send_message,
};
use megallm_core::documents::extract;
use megallm_core::markdown::{RenderDelta, TailModel, render};
use megallm_core::store::Store;
use megallm_core::store::types::{MessageStatus, Role};
use tokio_util::sync::CancellationToken;

mod common;
use common::{Setup, message_requests, setup};

/// The body of the last `POST /v1/messages` the server saw.
fn last_request(s: &Setup) -> serde_json::Value {
    message_requests(s).pop().unwrap()
}

async fn run(s: &Setup, conversation: Option<i64>, text: &str) -> (Vec<StreamUpdate>, TurnOutcome) {
    let mut updates = Vec::new();
    let outcome = send_message(
        &s.store,
        &s.client,
        SendOptions::new(conversation, text, "claude-sonnet-4"),
        CancellationToken::new(),
        |u| updates.push(u),
    )
    .await
    .unwrap();
    (updates, outcome)
}

#[tokio::test]
async fn a_turn_is_stored_streamed_and_finished() {
    let s = setup(0.0).await;
    let (updates, out) = run(&s, None, "Hello there").await;
    assert!(matches!(
        updates.first(),
        Some(StreamUpdate::Started { .. })
    ));
    let Some(StreamUpdate::Finished { message }) = updates.last() else {
        panic!("{updates:?}")
    };
    assert_eq!(message.text, "Echo: Hello there");
    assert_eq!(message.status, MessageStatus::Complete);

    let store = s.store.lock_writer().unwrap();
    let conv = store.get_conversation(out.conversation_id).unwrap();
    assert_eq!(conv.title, "Hello there");
    let (messages, _) = store.open_page(out.conversation_id, None, 50).unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        (messages[0].role, messages[0].text.as_str()),
        (Role::User, "Hello there")
    );
    assert_eq!(messages[1].status, MessageStatus::Complete);
    assert!(messages[1].usage.as_ref().unwrap().output_tokens > 0);
    // What the send command returns: the stored reply and the title.
    let result = out.result();
    assert_eq!(result.title, "Hello there");
    assert_eq!(result.message.id, messages[1].id);
    assert_eq!(result.message.text, messages[1].text);
    assert_eq!(
        &result.message, message,
        "the same as the channel's last word"
    );
    assert!(result.error.is_none());
}

#[tokio::test]
async fn the_next_turn_sends_the_whole_branch() {
    let s = setup(0.0).await;
    let (_, first) = run(&s, None, "one").await;
    run(&s, Some(first.conversation_id), "two").await;
    let last = last_request(&s);
    let messages = last["messages"].clone();
    let roles: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(messages[1]["content"][0]["text"], "Echo: one");
}

#[tokio::test]
async fn deltas_are_batched_and_add_up_to_the_final_render() {
    let s = setup(0.0).await;
    let (updates, out) = run(&s, None, "[[markdown]]").await;
    let deltas: Vec<_> = updates
        .iter()
        .filter(|u| matches!(u, StreamUpdate::Delta { .. }))
        .collect();
    let tokens = out.response.as_ref().unwrap().usage.output_tokens;
    assert!(!deltas.is_empty());
    assert!(
        (deltas.len() as u64) < tokens / 4,
        "{} updates for {tokens} tokens: not batched",
        deltas.len()
    );
    let mut html = String::new();
    let mut tail = TailModel::default();
    for u in &deltas {
        if let StreamUpdate::Delta {
            append_html,
            tail_html,
            tail_text,
            ..
        } = u
        {
            if !append_html.is_empty() {
                html.push_str(append_html);
                tail = TailModel::default();
            }
            tail.apply(&RenderDelta {
                append_html: append_html.clone(),
                tail_html: tail_html.clone(),
                tail_text: tail_text.clone(),
            });
        }
    }
    html.push_str(&tail.html);
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(squash(&html), squash(&render(&out.assistant.text)));
}

#[tokio::test]
async fn text_after_a_quiet_spell_goes_out_at_once_then_once_an_interval() {
    // 50 tokens/s: a reply that arrives slowly. With an interval far longer
    // than the reply, only the first text can have gone out before the end.
    let s = setup(50.0).await;
    let mut opts = SendOptions::new(None, "one two three four five six seven", "claude-sonnet-4");
    opts.flush_interval = Duration::from_secs(30);
    let mut updates = Vec::new();
    let out = send_message(&s.store, &s.client, opts, CancellationToken::new(), |u| {
        updates.push(u)
    })
    .await
    .unwrap();
    let sent: Vec<&str> = updates
        .iter()
        .filter_map(|u| match u {
            StreamUpdate::Delta { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    // The first token did not wait the interval; the rest did, and the end
    // of the reply sent it.
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        !sent[0].is_empty() && sent[0].len() < out.assistant.text.len(),
        "{sent:?}"
    );
    assert_eq!(sent.concat(), out.assistant.text);
}

#[tokio::test]
async fn the_reply_is_on_disk_while_it_streams() {
    let s = setup(200.0).await;
    let path = s.dir.path().join("history.db");
    let mut opts = SendOptions::new(None, "[[long:300]]", "claude-sonnet-4");
    opts.checkpoint_interval = Duration::from_millis(50);
    let mut seen_on_disk = 0usize;
    let mut deltas = 0;
    send_message(&s.store, &s.client, opts, CancellationToken::new(), |u| {
        if matches!(u, StreamUpdate::Delta { .. }) {
            deltas += 1;
            if deltas % 10 == 0 {
                // Another connection, as a crash-and-restart would have.
                let reader = Store::open(&path).unwrap();
                let conv = reader
                    .list_conversations(&Default::default())
                    .unwrap()
                    .items[0]
                    .id;
                let (msgs, _) = reader.open_page(conv, None, 10).unwrap();
                let reply = msgs.iter().find(|m| m.role == Role::Assistant).unwrap();
                assert_eq!(reply.status, MessageStatus::Streaming);
                seen_on_disk = seen_on_disk.max(reply.text.len());
            }
        }
    })
    .await
    .unwrap();
    assert!(seen_on_disk > 0, "partial text was checkpointed mid-stream");
}

#[tokio::test]
async fn a_failed_request_keeps_the_prompt_and_explains() {
    let s = setup(0.0).await;
    let (updates, out) = run(&s, None, "hi [[fault:401]]").await;
    let Some(StreamUpdate::Failed { error, message }) = updates.last() else {
        panic!("{updates:?}")
    };
    assert_eq!(error.code, megallm_core::ErrorCode::Auth);
    assert_eq!(message.status, MessageStatus::Error);
    let store = s.store.lock_writer().unwrap();
    let (messages, _) = store.open_page(out.conversation_id, None, 10).unwrap();
    assert_eq!(messages[0].text, "hi [[fault:401]]");
    assert_eq!(messages[1].status, MessageStatus::Error);
    assert!(messages[1].error.as_deref().unwrap().contains("API key"));
}

#[tokio::test]
async fn stopping_keeps_what_arrived_as_interrupted() {
    let s = setup(100.0).await;
    let out = stopped_reply(&s, "[[long:500]]").await;
    assert_eq!(out.assistant.status, MessageStatus::Interrupted);
    assert!(!out.assistant.text.is_empty());
    let store = s.store.lock_writer().unwrap();
    let (messages, _) = store.open_page(out.conversation_id, None, 10).unwrap();
    assert_eq!(messages[1].status, MessageStatus::Interrupted);
    assert_eq!(messages[1].text, out.assistant.text);
}

/// Stops a `[[long:N]]` reply after a few deltas; returns the outcome.
async fn stopped_reply(s: &Setup, prompt: &str) -> TurnOutcome {
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    let mut deltas = 0;
    send_message(
        &s.store,
        &s.client,
        SendOptions::new(None, prompt, "claude-sonnet-4"),
        cancel,
        |u| {
            if matches!(u, StreamUpdate::Delta { .. }) {
                deltas += 1;
                if deltas == 3 {
                    token.cancel();
                }
            }
        },
    )
    .await
    .unwrap()
}

async fn again(s: &Setup, conversation: i64, mode: SendMode) -> (Vec<StreamUpdate>, TurnOutcome) {
    let mut opts = SendOptions::new(Some(conversation), "", "claude-sonnet-4");
    opts.mode = mode;
    let mut updates = Vec::new();
    let out = send_message(&s.store, &s.client, opts, CancellationToken::new(), |u| {
        updates.push(u)
    })
    .await
    .unwrap();
    (updates, out)
}

#[tokio::test]
async fn a_stopped_reply_continues_in_place_to_the_uninterrupted_text() {
    let s = setup(100.0).await;
    let whole = {
        let plain = setup(0.0).await;
        run(&plain, None, "[[long:120]]").await.1.assistant.text
    };
    let stopped = stopped_reply(&s, "[[long:120]]").await;
    assert_eq!(stopped.assistant.status, MessageStatus::Interrupted);
    assert!(whole.starts_with(stopped.assistant.text.trim_end()));
    assert!(stopped.assistant.text.len() < whole.len());
    let id = stopped.assistant.id;

    let (updates, out) = again(&s, stopped.conversation_id, SendMode::Continue(id)).await;
    let Some(StreamUpdate::Started {
        assistant_message_id,
        replaces,
        ..
    }) = updates.first()
    else {
        panic!("{updates:?}")
    };
    assert_eq!((*assistant_message_id, *replaces), (id, Some(id)));
    assert_eq!(out.assistant.id, id);
    assert_eq!(out.assistant.status, MessageStatus::Complete);
    assert_eq!(out.assistant.text, whole);
    // The first update shows the text so far, so the view can start over.
    let Some(StreamUpdate::Delta { text, .. }) = updates.get(1) else {
        panic!("{updates:?}")
    };
    assert_eq!(text, stopped.assistant.text.trim_end());

    // The request ended with the reply so far, trimmed, as a prefill.
    let last = last_request(&s);
    let messages = last["messages"].clone();
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(
        messages[1]["content"][0]["text"],
        stopped.assistant.text.trim_end()
    );

    let store = s.store.lock_writer().unwrap();
    let (page, _) = store.open_page(stopped.conversation_id, None, 10).unwrap();
    assert_eq!(page.len(), 2, "continued in place, no new message");
    assert_eq!(page[1].text, whole);
    assert_eq!(page[1].status, MessageStatus::Complete);
}

#[tokio::test]
async fn only_a_cut_off_last_reply_can_be_continued() {
    let s = setup(0.0).await;
    let (_, done) = run(&s, None, "one").await;
    let mut opts = SendOptions::new(Some(done.conversation_id), "", "claude-sonnet-4");
    opts.mode = SendMode::Continue(done.assistant.id);
    let err = send_message(&s.store, &s.client, opts, CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert!(err.message.contains("cut off"), "{}", err.message);
    let store = s.store.lock_writer().unwrap();
    let m = store.get_message(done.assistant.id).unwrap();
    assert_eq!(m.status, MessageStatus::Complete, "untouched");
}

#[tokio::test]
async fn a_regenerated_reply_is_a_new_branch_and_the_old_one_stays() {
    let s = setup(0.0).await;
    let (_, ok) = run(&s, None, "Hello").await;
    let (updates, out) = again(
        &s,
        ok.conversation_id,
        SendMode::Regenerate(ok.assistant.id),
    )
    .await;
    let Some(StreamUpdate::Started {
        assistant_message_id,
        replaces,
        user_message,
        ..
    }) = updates.first()
    else {
        panic!("{updates:?}")
    };
    assert_ne!(*assistant_message_id, ok.assistant.id);
    assert_eq!(*replaces, Some(ok.assistant.id));
    assert_eq!(user_message.text, "Hello");
    assert_eq!(out.assistant.text, "Echo: Hello");
    assert_eq!(out.assistant.status, MessageStatus::Complete);

    {
        let store = s.store.lock_writer().unwrap();
        let (page, _) = store.open_page(ok.conversation_id, None, 10).unwrap();
        let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            [user_message.id, out.assistant.id],
            "the new reply is on the active branch"
        );
        assert_eq!(
            store.siblings(out.assistant.id).unwrap(),
            [ok.assistant.id, out.assistant.id]
        );
    }
    // Only the question went out, not the old reply.
    let last = last_request(&s);
    assert_eq!(last["messages"].as_array().unwrap().len(), 1);
    // A user message cannot be regenerated.
    let mut opts = SendOptions::new(Some(ok.conversation_id), "", "claude-sonnet-4");
    opts.mode = SendMode::Regenerate(user_message.id);
    assert!(
        send_message(&s.store, &s.client, opts, CancellationToken::new(), |_| {})
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_regenerated_reply_shows_its_versions_and_the_older_one_can_be_picked() {
    let s = setup(0.0).await;
    let (_, first) = run(&s, None, "Hello").await;
    assert!(
        first.assistant.versions.is_empty(),
        "one version: no arrows"
    );
    let id = first.conversation_id;
    let (_, second) = again(&s, id, SendMode::Regenerate(first.assistant.id)).await;
    let versions = vec![first.assistant.id, second.assistant.id];
    assert_eq!(
        second.assistant.versions, versions,
        "the finished reply knows"
    );
    let read = |before| {
        let store = s.store.lock_writer().unwrap();
        conversation_view(&store, id, before, 50).unwrap()
    };
    let view = read(None);
    assert!(view.messages[0].versions.is_empty(), "the question has one");
    assert_eq!(view.messages[1].id, second.assistant.id);
    assert_eq!(view.messages[1].versions, versions);

    // Back to the first reply: the branch through it is the active one.
    {
        let mut store = s.store.lock_writer().unwrap();
        assert_eq!(
            store.select_branch(first.assistant.id).unwrap(),
            first.assistant.id
        );
    }
    let view = read(None);
    assert_eq!(view.messages[1].id, first.assistant.id);
    assert_eq!(view.messages[1].text, "Echo: Hello");
    // The next message follows the branch picked.
    run(&s, Some(id), "And then?").await;
    let sent = last_request(&s);
    let messages = sent["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["content"][0]["text"], "Hello");
}

#[tokio::test]
async fn an_edited_message_is_a_new_version_answered_afresh_with_its_files() {
    let s = setup(0.0).await;
    let note = extract("note.txt", b"The ferry leaves at nine.").unwrap();
    let mut opts = SendOptions::new(None, "When does it leave?", "claude-sonnet-4");
    opts.attachments = vec![PreparedFile::new(
        b"The ferry leaves at nine.".to_vec(),
        note,
    )];
    let mut first_updates = Vec::new();
    let first = send_message(&s.store, &s.client, opts, CancellationToken::new(), |u| {
        first_updates.push(u)
    })
    .await
    .unwrap();
    let Some(StreamUpdate::Started {
        user_message: original,
        ..
    }) = first_updates.first()
    else {
        panic!("{first_updates:?}")
    };
    let id = first.conversation_id;
    run(&s, Some(id), "Thanks").await;

    let mut opts = SendOptions::new(Some(id), "When does it arrive?", "claude-sonnet-4");
    opts.mode = SendMode::Edit(original.id);
    let mut updates = Vec::new();
    let edited = send_message(&s.store, &s.client, opts, CancellationToken::new(), |u| {
        updates.push(u)
    })
    .await
    .unwrap();
    let Some(StreamUpdate::Started {
        user_message,
        replaces,
        ..
    }) = updates.first()
    else {
        panic!("{updates:?}")
    };
    assert_eq!(user_message.text, "When does it arrive?");
    assert_eq!(user_message.parent_id, original.parent_id, "a sibling");
    assert_eq!(user_message.versions, [original.id, user_message.id]);
    assert_eq!(*replaces, Some(original.id));
    assert_eq!(
        user_message
            .attachments
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["note.txt"],
        "the files go with the new version"
    );
    assert_eq!(edited.assistant.status, MessageStatus::Complete);

    // What went out: the file and the new text only, not the old exchange.
    let sent = last_request(&s);
    let messages = sent["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{sent}");
    let blocks = messages[0]["content"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "document");
    assert_eq!(blocks.last().unwrap()["text"], "When does it arrive?");

    // The view is the new branch; the old one is kept and can be shown.
    let read = || {
        let store = s.store.lock_writer().unwrap();
        conversation_view(&store, id, None, 50).unwrap()
    };
    let view = read();
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["When does it arrive?", edited.assistant.text.as_str()]
    );
    s.store
        .lock_writer()
        .unwrap()
        .select_branch(original.id)
        .unwrap();
    let view = read();
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts[0], "When does it leave?");
    assert_eq!(
        texts[2], "Thanks",
        "down to the old branch's newest message"
    );
    assert_eq!(view.messages[0].versions, [original.id, user_message.id]);

    // A reply is not the user's to edit.
    let mut opts = SendOptions::new(Some(id), "no", "claude-sonnet-4");
    opts.mode = SendMode::Edit(edited.assistant.id);
    assert!(
        send_message(&s.store, &s.client, opts, CancellationToken::new(), |_| {})
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_finished_reply_carries_its_cost_and_timings_for_the_footer() {
    use megallm_core::api::models::Pricing;
    let s = setup(0.0).await;
    // Unpriced: no cost is guessed.
    let (_, unpriced) = run(&s, None, "Hello").await;
    assert_eq!(unpriced.assistant.cost_usd, None);

    s.store.lock_writer().unwrap().set_pricing([(
        "claude-sonnet-4".to_owned(),
        Pricing {
            input_per_million: 3.0,
            output_per_million: 15.0,
        },
    )]);
    let (_, out) = run(&s, Some(unpriced.conversation_id), "A priced question").await;
    let m = &out.assistant;
    let usage = m.usage.as_ref().expect("usage");
    let want = usage.input_tokens as f64 * 3.0 / 1e6 + usage.output_tokens as f64 * 15.0 / 1e6;
    let cost = m.cost_usd.expect("a cost");
    assert!((cost - want).abs() < 1e-12, "{cost} vs {want}");
    let first = m.first_token_at.expect("the first token's time");
    let finished = m.finished_at.expect("the finish time");
    assert!(m.created_at <= first && first <= finished, "{m:?}");

    // The page view says the same.
    let store = s.store.lock_writer().unwrap();
    let view = conversation_view(&store, out.conversation_id, None, 50).unwrap();
    let shown = view.messages.last().unwrap();
    assert_eq!(shown.cost_usd, m.cost_usd);
    assert_eq!(shown.first_token_at, m.first_token_at);
    // Older replies are priced by the list now known, from their own usage.
    assert!(view.messages[1].cost_usd.is_some_and(|c| c > 0.0));
}

/// With every concurrency slot held, a second turn says it is queued, waits
/// for the slot and then streams; a turn with a slot free says nothing of a
/// queue. Both sinks write to one timeline: the second reply can start only
/// after the first reply's stream was drained (its last delta is before).
#[tokio::test]
async fn a_turn_beyond_the_concurrency_limit_is_queued_then_streams() {
    use std::sync::{Arc, Mutex};
    let mut s = setup(0.0).await;
    let mut cfg = megallm_core::api::ClientConfig::new(
        s.mock.base_url(),
        megallm_core::api::ApiKey::new("k").unwrap(),
    );
    cfg.retry.max_retries = 0;
    cfg.max_concurrent = 1;
    s.client = megallm_core::api::Client::new(cfg).unwrap();

    let timeline: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let (first_streaming, mut streaming) = tokio::sync::mpsc::unbounded_channel();
    let first = {
        let (store, client, timeline) = (s.store.clone(), s.client.clone(), timeline.clone());
        tokio::spawn(async move {
            let mut updates = Vec::new();
            send_message(
                &store,
                &client,
                SendOptions::new(None, "[[long:300]] [[rate:400]]", "claude-sonnet-4"),
                CancellationToken::new(),
                |u| {
                    if matches!(u, StreamUpdate::Delta { .. }) {
                        timeline.lock().unwrap().push("first delta");
                        let _ = first_streaming.send(());
                    }
                    updates.push(u);
                },
            )
            .await
            .unwrap();
            updates
        })
    };
    // The first reply holds the only slot from here on.
    streaming.recv().await.unwrap();
    assert!(s.client.is_saturated());
    let mut second = Vec::new();
    let out = send_message(
        &s.store,
        &s.client,
        SendOptions::new(None, "Second chat", "claude-sonnet-4"),
        CancellationToken::new(),
        |u| {
            match u {
                StreamUpdate::Queued { .. } => timeline.lock().unwrap().push("second queued"),
                StreamUpdate::Streaming => timeline.lock().unwrap().push("second streaming"),
                _ => {}
            }
            second.push(u);
        },
    )
    .await
    .unwrap();
    let first = first.await.unwrap();

    assert!(
        !first
            .iter()
            .any(|u| matches!(u, StreamUpdate::Queued { .. })),
        "{first:?}"
    );
    assert!(
        matches!(second.first(), Some(StreamUpdate::Started { .. })),
        "{second:?}"
    );
    assert!(
        matches!(second.get(1), Some(StreamUpdate::Queued { limit: 1 })),
        "{second:?}"
    );
    assert!(
        matches!(second.get(2), Some(StreamUpdate::Streaming)),
        "{second:?}"
    );
    assert!(
        matches!(second.last(), Some(StreamUpdate::Finished { .. })),
        "{second:?}"
    );
    assert_eq!(out.assistant.text, "Echo: Second chat");
    assert_eq!(
        first
            .iter()
            .filter(|u| matches!(u, StreamUpdate::Finished { .. }))
            .count(),
        1
    );

    let timeline = timeline.lock().unwrap();
    let queued = timeline.iter().position(|e| *e == "second queued").unwrap();
    let streamed = timeline
        .iter()
        .position(|e| *e == "second streaming")
        .unwrap();
    let last_first = timeline.iter().rposition(|e| *e == "first delta").unwrap();
    assert!(
        queued < last_first,
        "queued only after the first reply ended: {timeline:?}"
    );
    assert!(
        streamed > last_first,
        "streamed while the first held the slot: {timeline:?}"
    );
}
