//! A failed reply's card in the window: each failure says what happened and
//! offers the step that fixes it, and the step works.

use std::time::Duration;

use serde_json::json;

use super::webdriver::Session;
use super::{Fixture, open_app, send, wait_until, wait_until_or};

/// The card of the last reply: (code, its text, its buttons' labels).
fn card(s: &Session) -> Option<(String, String, Vec<String>)> {
    let v = s
        .execute(
            "const all = document.querySelectorAll('.message.assistant');
             const c = all[all.length - 1]?.querySelector('.error-card[role=alert]');
             return c ? [c.dataset.code, c.textContent, [...c.querySelectorAll('button')].map((b) => b.textContent)] : null;",
            json!([]),
        )
        .unwrap();
    serde_json::from_value(v).unwrap()
}

fn wait_card(s: &Session, code: &str) -> (String, Vec<String>) {
    let mut now = None;
    wait_until_or(
        &format!("a {code} card"),
        Duration::from_secs(30),
        || {
            now = card(s);
            now.as_ref().is_some_and(|c| c.0 == code)
        },
        || {
            let last = s.execute(
                "const all = document.querySelectorAll('.message.assistant');
                 return all[all.length - 1]?.outerHTML.slice(0, 600) ?? null;",
                json!([]),
            );
            format!("(the last reply: {last:?})")
        },
    );
    let (_, text, buttons) = now.unwrap_or_default();
    (text, buttons)
}

fn click_card(s: &Session, label: &str) {
    let clicked = s
        .execute(
            "const b = [...document.querySelectorAll('.error-card button')].find((b) => b.textContent === arguments[0]);
             if (!b) return false;
             b.click();
             return true;",
            json!([label]),
        )
        .unwrap();
    assert_eq!(clicked, json!(true), "no “{label}” on the card");
}

/// Waits for the last reply to complete and returns its text.
fn wait_complete(s: &Session) -> String {
    let mut text = String::new();
    wait_until("a complete reply", Duration::from_secs(30), || {
        let v = s
            .execute(
                "const all = document.querySelectorAll('.message.assistant');
                 const m = all[all.length - 1];
                 return m && m.dataset.status === 'complete' ? m.querySelector('.message-body').textContent : null;",
                json!([]),
            )
            .unwrap();
        text = v.as_str().unwrap_or_default().to_owned();
        !v.is_null()
    });
    text
}

fn requests(fx: &Fixture) -> usize {
    fx.mock
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/messages")
        .count()
}

#[test]
fn a_rate_limit_counts_down_and_tries_again_by_itself() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    // The client's own two retries meet the limit too; the card's does not.
    send(&s, "Busy hour [[fault:429 times=3 retry_after=1]]");
    let (text, buttons) = wait_card(&s, "rate_limit");
    assert!(text.contains("Trying again in"), "{text}");
    assert_eq!(buttons, ["Retry now"]);
    s.screenshot("error-card-rate-limit").unwrap();
    assert_eq!(requests(&fx), 3);
    // Nobody clicks: the countdown ends and the reply comes.
    let reply = wait_complete(&s);
    assert!(reply.starts_with("Echo: Busy hour"), "{reply}");
    assert_eq!(requests(&fx), 4);
    assert!(card(&s).is_none(), "the card is gone with the failure");
}

#[test]
fn an_overloaded_service_offers_retry_and_a_cut_reply_continues() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "Anyone there? [[fault:529 times=3]]");
    let (text, buttons) = wait_card(&s, "overloaded");
    assert!(text.contains("Try again in a moment"), "{text}");
    assert_eq!(buttons, ["Retry"]);
    s.screenshot("error-card-overloaded").unwrap();
    assert_eq!(
        super::composer_text(&s),
        "",
        "the question is stored; the composer is free for the next one"
    );
    click_card(&s, "Retry");
    assert!(wait_complete(&s).starts_with("Echo: Anyone there?"));

    // Cut mid-stream: what arrived stays, and Retry carries it on.
    send(
        &s,
        "A long one [[long:200]] [[fault:drop after=20 times=1 scope=spec]]",
    );
    let (_, buttons) = wait_card(&s, "network");
    assert_eq!(buttons, ["Retry"]);
    let partial = s
        .execute(
            "const all = document.querySelectorAll('.message.assistant');
             return all[all.length - 1].querySelector('.message-body').textContent.length",
            json!([]),
        )
        .unwrap();
    assert!(
        partial.as_u64().unwrap_or(0) > 0,
        "the partial reply is kept"
    );
    click_card(&s, "Retry");
    wait_complete(&s);
    let body = fx.last_messages_request();
    let last = body["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["role"], "assistant", "continued as a prefill: {last}");
}

#[test]
fn a_rejected_key_sends_the_user_to_settings() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "Hello [[fault:401]]");
    let (text, buttons) = wait_card(&s, "auth");
    assert!(text.contains("API key"), "{text}");
    assert_eq!(buttons, ["Open Settings"]);
    assert!(
        s.find_all("#banner:not([hidden]) .banner-message")
            .unwrap()
            .is_empty(),
        "said once, on the reply"
    );
    click_card(&s, "Open Settings");
    wait_until("Settings to open", Duration::from_secs(5), || {
        s.execute("return document.getElementById('settings').open", json!([]))
            .unwrap()
            == json!(true)
    });
}
