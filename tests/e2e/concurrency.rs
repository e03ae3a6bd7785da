//! Several chats at once: two conversations stream side by side, the
//! sidebar marks both, a reply left streaming is shown live (nothing lost)
//! when its conversation is opened again, and beyond the concurrency limit
//! from Settings a reply waits in a visible queue.

use std::time::Duration;

use serde_json::json;

use super::webdriver::Session;
use super::{
    Fixture, open_app, open_settings, save_settings, send, set_field, wait_until, wait_until_or,
};

/// The sidebar rows marked with a reply in progress: (conversation id, phase).
fn marked_rows(s: &Session) -> Vec<(String, String)> {
    let v = s
        .execute(
            "return [...document.querySelectorAll('.conversation-row[data-turn]')]
               .map((r) => [r.dataset.id, r.dataset.turn + ':' + r.querySelector('.row-turn').textContent])",
            json!([]),
        )
        .unwrap();
    serde_json::from_value(v).unwrap()
}

/// The words of the text a script returns ("" when it finds none).
fn words(s: &Session, script: &str) -> Vec<String> {
    let v = s.execute(script, json!([])).unwrap();
    v.as_str()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The words of the reply being streamed in the pane (none when none is).
fn live_words(s: &Session) -> Vec<String> {
    words(
        s,
        "const m = document.querySelector(\"#messages .message.assistant[data-status='streaming'] .message-body\");
         return m ? m.textContent : '';",
    )
}

fn last_reply_words(s: &Session) -> Vec<String> {
    words(
        s,
        "const all = document.querySelectorAll('#messages .message.assistant .message-body');
         return all.length ? all[all.length - 1].textContent : '';",
    )
}

fn composer_free(s: &Session) -> bool {
    s.execute(
        "const i = document.querySelector('#composer-input');
         return !i.disabled && document.querySelector('#stop-button').hidden;",
        json!([]),
    )
    .unwrap()
        == json!(true)
}

fn click_row(s: &Session, conversation: &str) {
    let clicked = s
        .execute(
            "const b = document.querySelector(`.conversation-row[data-id='${arguments[0]}'] .row-open`);
             if (b) b.click();
             return !!b;",
            json!([conversation]),
        )
        .unwrap();
    assert_eq!(
        clicked,
        json!(true),
        "no row for conversation {conversation}"
    );
}

fn new_chat(s: &Session) {
    s.click(&s.wait_for("#new-chat", Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_until("an empty, free composer", Duration::from_secs(5), || {
        composer_free(s) && s.find_all("#messages .message").unwrap().is_empty()
    });
}

#[test]
fn two_chats_stream_at_once_and_a_reply_left_streaming_is_shown_live() {
    let f = Fixture::new(0.0);
    let driver = f.driver();
    let s = open_app(&driver);

    send(&s, "First chat [[long:700]] [[rate:60]]");
    wait_until("the first reply to stream", Duration::from_secs(20), || {
        live_words(&s).len() > 10
    });
    let first = marked_rows(&s);
    assert_eq!(first.len(), 1, "{first:?}");
    let first_id = first[0].0.clone();

    // A new chat is free to send while the first reply streams.
    new_chat(&s);
    send(&s, "Second chat [[long:120]] [[rate:60]]");
    wait_until_or(
        "both conversations marked as replying",
        Duration::from_secs(20),
        || {
            let rows = marked_rows(&s);
            rows.len() == 2 && rows.iter().all(|(_, p)| p == "streaming:Replying…")
        },
        || format!("{:?}", marked_rows(&s)),
    );
    s.screenshot("two-chats-streaming").unwrap();
    let before = {
        click_row(&s, &first_id);
        let mut words = vec![];
        wait_until(
            "the first reply shown again, streaming",
            Duration::from_secs(10),
            || {
                words = live_words(&s);
                !words.is_empty()
            },
        );
        words
    };
    // It keeps growing in place, from what it showed: no gap, no repeat.
    let mut during = vec![];
    wait_until("the live reply to grow", Duration::from_secs(20), || {
        during = live_words(&s);
        during.len() > before.len() + 5
    });
    assert_eq!(
        &during[..before.len()],
        &before[..],
        "the shown reply changed under the reader"
    );
    wait_until("the first reply to finish", Duration::from_secs(60), || {
        s.find_all("#messages .message.assistant[data-status='streaming']")
            .unwrap()
            .is_empty()
    });
    let done = last_reply_words(&s);
    assert!(
        done.len() > during.len(),
        "{} words at the end, {} while streaming",
        done.len(),
        during.len()
    );
    assert_eq!(
        &done[..during.len()],
        &during[..],
        "what streamed live is the start of the stored reply"
    );
    wait_until("no conversation marked", Duration::from_secs(30), || {
        marked_rows(&s).is_empty()
    });

    // Both conversations hold their own, complete exchange.
    let requests: Vec<_> = f
        .mock
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/messages")
        .collect();
    assert_eq!(requests.len(), 2);
    let second_row = s
        .execute(
            "return [...document.querySelectorAll('.conversation-row')].map((r) => r.dataset.id).find((id) => id !== arguments[0])",
            json!([first_id]),
        )
        .unwrap();
    click_row(&s, second_row.as_str().unwrap());
    wait_until(
        "the second chat's finished reply",
        Duration::from_secs(10),
        || {
            let words = last_reply_words(&s);
            words.len() > 100 && s.find_all("#messages .message.user").unwrap().len() == 1
        },
    );
}

#[test]
fn beyond_the_concurrency_limit_a_reply_waits_in_a_visible_queue() {
    let f = Fixture::new(0.0);
    let driver = f.driver();
    let s = open_app(&driver);

    // Settings: one reply at a time.
    open_settings(&s);
    set_field(&s, "#settings-concurrency", "1");
    save_settings(&s);

    send(&s, "Holds the slot [[long:3000]] [[rate:60]]");
    wait_until("the first reply to stream", Duration::from_secs(20), || {
        live_words(&s).len() > 5
    });
    new_chat(&s);
    send(&s, "Waits its turn");
    let note = s
        .wait_for(".message.assistant .queued-note", Duration::from_secs(20))
        .unwrap();
    let text = s.text(&note).unwrap();
    assert!(
        text.starts_with("Queued: another reply is streaming"),
        "{text}"
    );
    let rows = marked_rows(&s);
    assert!(rows.iter().any(|(_, p)| p == "queued:Queued"), "{rows:?}");
    assert!(
        rows.iter().any(|(_, p)| p == "streaming:Replying…"),
        "{rows:?}"
    );
    // The queued request has not gone out: the first reply holds the only slot.
    let sent = f
        .mock
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/messages")
        .count();
    assert_eq!(sent, 1);
    s.screenshot("queued-reply").unwrap();

    // Stopping the first reply frees the slot: the queued one is answered.
    let holder = rows
        .iter()
        .find(|(_, p)| p.starts_with("streaming"))
        .unwrap()
        .0
        .clone();
    let waiter = rows
        .iter()
        .find(|(_, p)| p.starts_with("queued"))
        .unwrap()
        .0
        .clone();
    click_row(&s, &holder);
    // The pane shows the holder's conversation once its question is on screen;
    // until then a Stop found could be the waiter's, about to be replaced.
    wait_until(
        "the first chat shown with its Stop",
        Duration::from_secs(10),
        || {
            let shown = s
            .execute(
                "return document.querySelector('#messages .message.user .message-body')?.textContent ?? ''",
                json!([]),
            )
            .unwrap();
            shown
                .as_str()
                .is_some_and(|t| t.starts_with("Holds the slot"))
                && s.find_all(".message.assistant[data-status='streaming'] .message-stop")
                    .is_ok_and(|stops| stops.first().is_some_and(|b| s.click(b).is_ok()))
        },
    );
    s.wait_for(
        ".message.assistant[data-status='interrupted']",
        Duration::from_secs(15),
    )
    .unwrap();
    click_row(&s, &waiter);
    let reply = s
        .wait_for(
            ".message.assistant[data-status='complete'] .message-body",
            Duration::from_secs(30),
        )
        .unwrap();
    assert_eq!(s.text(&reply).unwrap().trim(), "Echo: Waits its turn");
    assert!(s.find_all(".queued-note").unwrap().is_empty());
    wait_until("no conversation marked", Duration::from_secs(10), || {
        marked_rows(&s).is_empty()
    });
}
