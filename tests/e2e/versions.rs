//! Versions of a message in the window: a regenerated reply and an edited
//! question each add a version, "n / m" switches between them, the branch
//! picked is what the next request carries, and it all survives a restart.

use std::time::Duration;

use serde_json::{Value, json};

use super::webdriver::{Driver, ENTER, Element, Session};
use super::{Fixture, open_app, send, wait_until};

/// Each message shown: (role, id, text, "n / m" or "").
fn shown(s: &Session) -> Vec<(String, String, String, String)> {
    let v = s
        .execute(
            "return [...document.querySelectorAll('#messages .message[data-id]')].map((m) => [
               m.classList.contains('user') ? 'user' : 'assistant',
               m.dataset.id,
               m.querySelector('.message-body').textContent.trim(),
               m.querySelector('.version-count')?.textContent ?? '',
             ])",
            json!([]),
        )
        .unwrap();
    serde_json::from_value(v).unwrap()
}

fn wait_settled(s: &Session, what: &str, ok: impl Fn(&[(String, String, String, String)]) -> bool) {
    let mut now = vec![];
    wait_until(what, Duration::from_secs(30), || {
        now = shown(s);
        let idle = s
            .find_all(".message[data-status='streaming'], .message[data-status='pending']")
            .unwrap()
            .is_empty();
        idle && ok(&now)
    });
}

/// Clicks the button labelled `label` inside message `id`.
fn click_in(s: &Session, id: &str, label: &str) {
    let clicked = s
        .execute(
            "const b = document.querySelector(`#messages .message[data-id='${arguments[0]}'] [aria-label='${arguments[1]}']`);
             if (!b || b.disabled) return false;
             b.click();
             return true;",
            json!([id, label]),
        )
        .unwrap();
    assert_eq!(clicked, json!(true), "no enabled “{label}” on message {id}");
}

/// Waits for the message editor; returns it and the text it starts with.
fn open_editor(s: &Session) -> (Element, String) {
    let editor = s
        .wait_for("[aria-label='Edit your message']", Duration::from_secs(5))
        .unwrap();
    let text = s
        .execute(
            "return document.querySelector('.edit-input').value",
            json!([]),
        )
        .unwrap();
    (editor, text.as_str().unwrap_or_default().to_owned())
}

fn user_texts(body: &Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| {
            m["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The app started again, with the conversation (of 4 messages) open.
fn reopen(driver: &Driver) -> Session {
    let s = open_app(driver);
    s.click(
        &s.wait_for(".conversation-row", Duration::from_secs(10))
            .unwrap(),
    )
    .unwrap();
    wait_settled(&s, "the conversation after a restart", |m| m.len() == 4);
    s
}

#[test]
fn regenerated_and_edited_messages_are_versions_that_switch_and_survive_a_restart() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let (first_reply, second_reply);
    {
        let s = open_app(&driver);
        send(&s, "Name a lighthouse");
        wait_settled(&s, "the first reply", |m| m.len() == 2);
        first_reply = shown(&s)[1].1.clone();
        assert_eq!(shown(&s)[1].3, "", "one version: no arrows");

        // Regenerate: the new reply is version 2 of 2.
        s.click(
            &s.wait_for(".retry[data-mode='regenerate']", Duration::from_secs(5))
                .unwrap(),
        )
        .unwrap();
        wait_settled(&s, "the regenerated reply", |m| {
            m.len() == 2 && m[1].1 != first_reply && m[1].3 == "2 / 2"
        });
        second_reply = shown(&s)[1].1.clone();
        s.screenshot("versions-regenerated").unwrap();

        // Back to the first: the arrows show it, and only it.
        click_in(&s, &second_reply, "Previous version");
        wait_settled(&s, "the first version", |m| {
            m.len() == 2 && m[1].1 == first_reply && m[1].3 == "1 / 2"
        });

        // Edit the question: a new version, answered afresh.
        let question = shown(&s)[0].1.clone();
        click_in(&s, &question, "Edit message");
        let (editor, text) = open_editor(&s);
        assert_eq!(
            text, "Name a lighthouse",
            "the editor starts from the text sent"
        );
        s.execute(
            "const e = document.querySelector('.edit-input'); e.value = '';",
            json!([]),
        )
        .unwrap();
        s.type_text(&editor, "Name a harbour").unwrap();
        s.screenshot("versions-editing").unwrap();
        s.type_text(&editor, ENTER).unwrap();
        wait_settled(&s, "the edited question's reply", |m| {
            m.len() == 2 && m[0].2 == "Name a harbour" && m[0].3 == "2 / 2"
        });
        assert_eq!(shown(&s)[1].2, "Echo: Name a harbour");
        assert_eq!(
            user_texts(&fx.last_messages_request()),
            ["Name a harbour"],
            "the old question did not go out"
        );
        s.screenshot("versions-edited").unwrap();

        // The first question again, down to the reply picked on its branch.
        let edited = shown(&s)[0].1.clone();
        click_in(&s, &edited, "Previous version");
        wait_settled(&s, "the first question's branch", |m| {
            m.len() == 2 && m[0].2 == "Name a lighthouse" && m[0].3 == "1 / 2"
        });
        assert_eq!(
            shown(&s)[1].1,
            second_reply,
            "its newest reply is the regenerated one"
        );

        // A message now follows the branch on screen.
        send(&s, "And its height?");
        wait_settled(&s, "the follow-up", |m| m.len() == 4);
        assert_eq!(
            user_texts(&fx.last_messages_request()),
            ["Name a lighthouse", "And its height?"]
        );

        // Up in the empty composer edits the last message; Esc leaves it.
        let input = s
            .wait_for("#composer-input", Duration::from_secs(5))
            .unwrap();
        s.click(&input).unwrap();
        s.type_text(&input, "\u{E013}").unwrap(); // WebDriver's ArrowUp
        let (editor, text) = open_editor(&s);
        assert_eq!(text, "And its height?");
        s.type_text(&editor, "\u{E00C}").unwrap(); // Escape
        wait_until("the editor to close", Duration::from_secs(5), || {
            s.find_all(".edit-form").unwrap().is_empty()
        });
    }

    // After a restart the same branch opens, with its versions.
    let s = reopen(&driver);
    let now = shown(&s);
    assert_eq!(now[0].2, "Name a lighthouse");
    assert_eq!(now[0].3, "1 / 2");
    assert_eq!(now[1].1, second_reply);
    assert_eq!(now[1].3, "2 / 2");
}

#[test]
fn a_deleted_message_goes_with_its_replies_and_leaves_the_requests_and_a_restart() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let first_reply;
    {
        let s = open_app(&driver);
        send(&s, "Name a lighthouse");
        wait_settled(&s, "the first reply", |m| m.len() == 2);
        first_reply = shown(&s)[1].1.clone();
        s.click(
            &s.wait_for(".retry[data-mode='regenerate']", Duration::from_secs(5))
                .unwrap(),
        )
        .unwrap();
        wait_settled(&s, "the regenerated reply", |m| {
            m.len() == 2 && m[1].3 == "2 / 2"
        });
        let regenerated = shown(&s)[1].1.clone();
        send(&s, "And its height?");
        wait_settled(&s, "the follow-up", |m| m.len() == 4);
        let follow_up = shown(&s)[2].1.clone();

        // Asked in place; Cancel keeps everything.
        click_in(&s, &follow_up, "Delete message");
        let question = s
            .wait_for(
                "[role='group'][aria-label='Confirm delete'] span",
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(
            s.text(&question).unwrap(),
            "Delete this message and the replies after it?"
        );
        s.screenshot("delete-message-confirm").unwrap();
        click_in(&s, &follow_up, "Keep the message");
        assert!(s.find_all(".delete-confirm").unwrap().is_empty());
        assert_eq!(shown(&s).len(), 4);

        // Delete: the question and its reply go.
        click_in(&s, &follow_up, "Delete message");
        click_in(&s, &follow_up, "Yes, delete");
        wait_settled(&s, "the follow-up and its reply gone", |m| {
            m.len() == 2 && m[1].1 == regenerated && m[1].3 == "2 / 2"
        });

        // The version on screen: the other version takes its place.
        click_in(&s, &regenerated, "Delete message");
        click_in(&s, &regenerated, "Yes, delete");
        wait_settled(&s, "the first version back, alone", |m| {
            m.len() == 2 && m[1].1 == first_reply && m[1].3.is_empty()
        });
        s.screenshot("delete-message-done").unwrap();

        send(&s, "A harbour instead");
        wait_settled(&s, "the next reply", |m| m.len() == 4);
        let body = fx.last_messages_request();
        assert_eq!(
            user_texts(&body),
            ["Name a lighthouse", "A harbour instead"],
            "a deleted message is never sent again"
        );
        assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    }

    let s = reopen(&driver);
    let now = shown(&s);
    assert_eq!(now[0].2, "Name a lighthouse");
    assert_eq!(now[1].1, first_reply);
    assert_eq!(now[2].2, "A harbour instead");
}
