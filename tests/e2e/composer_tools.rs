//! The composer's tools in the window: the context gauge and a message
//! that does not fit (cut only on the user's click).

use std::time::Duration;

use serde_json::json;

use super::documents::chips;
use super::webdriver::Session;
use super::{Fixture, open_app, wait_until};

/// The gauge as a screen reader has it: (valuenow, valuemax, text), once shown.
fn gauge(s: &Session) -> Option<(u64, u64, String)> {
    let v = s
        .execute(
            "const m = document.querySelector('[role=meter][aria-label=\"Context used\"]');
             if (!m || m.hidden) return null;
             return [Number(m.getAttribute('aria-valuenow')), Number(m.getAttribute('aria-valuemax')), m.textContent.trim()];",
            json!([]),
        )
        .unwrap();
    serde_json::from_value(v).unwrap()
}

fn send_disabled(s: &Session) -> bool {
    s.execute("return document.querySelector('#send-button').disabled", json!([]))
        .unwrap()
        == json!(true)
}

/// The visible alert's text, or None.
fn alert(s: &Session) -> Option<String> {
    let v = s
        .execute(
            "const a = document.querySelector('#composer [role=alert]');
             return a && !a.hidden ? a.textContent : null;",
            json!([]),
        )
        .unwrap();
    v.as_str().map(str::to_owned)
}

/// Clicks the button whose visible text is `text` inside `scope`.
fn click_button(s: &Session, scope: &str, text: &str) {
    wait_until(&format!("the “{text}” button"), Duration::from_secs(10), || {
        s.execute(
            "const b = [...document.querySelectorAll(arguments[0] + ' button')]
               .find((b) => b.textContent.trim() === arguments[1] && !b.disabled && b.offsetParent !== null);
             if (!b) return false;
             b.click();
             return true;",
            json!([scope, text]),
        )
        .unwrap()
            == json!(true)
    });
}

fn wait_until_or(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool, why: impl Fn() -> String) {
    let deadline = std::time::Instant::now() + timeout;
    while !ok() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}: {}", why());
        std::thread::sleep(Duration::from_millis(40));
    }
}

fn wait_ready(s: &Session, name: &str, state: &str) {
    wait_until(&format!("{name} {state}"), Duration::from_secs(60), || {
        chips(s, "#attachment-list")
            .iter()
            .any(|c| c.0 == name && c.1 == state)
    });
}

fn wait_reply(s: &Session, count: usize) {
    wait_until("the reply", Duration::from_secs(60), || {
        s.find_all(".message.assistant[data-status='complete']")
            .unwrap()
            .len()
            == count
    });
}

#[test]
fn the_gauge_counts_and_a_message_too_big_is_cut_only_when_asked() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);

    // Typing shows the gauge: the local server counts, so no "(estimate)".
    let input = s.wait_for("#composer-input", Duration::from_secs(5)).unwrap();
    s.type_text(&input, "How long is this?").unwrap();
    let mut shown = None;
    wait_until("the gauge", Duration::from_secs(15), || {
        shown = gauge(&s);
        shown.as_ref().is_some_and(|g| g.0 > 0)
    });
    let (now, max, text) = shown.unwrap();
    assert_eq!(max, 200_000, "{text}");
    assert!(now < max, "{text}");
    assert!(text.contains("/ 200,000 tokens"), "{text}");
    assert!(!text.contains("(estimate)"), "counted by the service: {text}");
    assert!(alert(&s).is_none());
    s.screenshot("composer-gauge").unwrap();

    // A text of about 240K tokens does not fit a 200K window.
    let line = "The lighthouse keeper logged the weather, the ships and the gulls.\n";
    let big = line.repeat(960_000 / line.len());
    s.execute(
        "const input = document.querySelector('#attach-file');
         const dt = new DataTransfer();
         dt.items.add(new File([arguments[0]], 'logbook.txt'));
         input.files = dt.files;
         input.dispatchEvent(new Event('change'));",
        json!([big]),
    )
    .unwrap();
    wait_ready(&s, "logbook.txt", "ready");
    let mut said = None;
    wait_until("the alert", Duration::from_secs(30), || {
        said = alert(&s);
        said.is_some()
    });
    let said = said.unwrap();
    assert!(said.contains("does not fit"), "{said}");
    assert!(send_disabled(&s), "Send waits while it does not fit");
    let (now, max, _) = gauge(&s).unwrap();
    assert_eq!(now, max, "the meter is full");
    // Enter does nothing either: the message and its file stay.
    s.type_text(&input, super::webdriver::ENTER).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(s.find_all(".message.user").unwrap().is_empty());
    assert_eq!(chips(&s, "#attachment-list")[0].1, "ready", "nothing was cut by itself");
    s.screenshot("composer-does-not-fit").unwrap();

    // Cut to fit: the chip says it is cut, the alert goes, Send works.
    click_button(&s, "#budget-alert", "Cut to fit");
    wait_ready(&s, "logbook.txt", "truncated");
    wait_until_or(
        "the alert to go",
        Duration::from_secs(30),
        || alert(&s).is_none() && !send_disabled(&s),
        || format!("{:?} {:?}", gauge(&s), chips(&s, "#attachment-list")),
    );
    let (now, max, text) = gauge(&s).unwrap();
    assert!(now < max, "{text}");
    s.screenshot("composer-cut-to-fit").unwrap();

    s.click(&s.wait_for("#send-button", Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_reply(&s, 1);
    let (_, blocks) = fx.last_user_blocks();
    let doc = blocks
        .iter()
        .find(|b| b["type"] == "document")
        .unwrap_or_else(|| panic!("a document block: {blocks:?}"));
    assert!(
        doc["context"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Only part of this file is included."),
        "{}",
        doc["context"]
    );
    assert!(
        blocks
            .iter()
            .any(|b| b["type"] == "text" && b["text"] == "How long is this?")
    );
}
