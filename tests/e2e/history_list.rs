//! The conversation list with 100,000 conversations: the DOM holds only the
//! rows in view however far the list is scrolled, every row shown is the
//! right one for its place, and the keyboard walks the whole list.

use std::time::Duration;

use megallm_core::store::{NewConversation, Store};
use serde_json::{Value, json};

use super::webdriver::Session;
use super::{Fixture, open_app, wait_until, wait_until_or};

const CONVERSATIONS: usize = 100_000;
/// What a 800-pixel window can show with overscan, with room to spare: the
/// bound is on the DOM, and it must not grow with the list.
const MAX_ROWS: u64 = 80;

/// "Chat 000042": ordered newest first, the title says where a row belongs.
fn title(n: usize) -> String {
    format!("Chat {n:06}")
}

fn seed(fx: &Fixture) {
    let history = fx.path("megallm").join("history.db");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    let mut store = Store::open(&history).unwrap();
    let t = std::sync::atomic::AtomicI64::new(1_700_000_000_000);
    store.set_clock(move || t.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    store
        .batch(|s| {
            for n in 1..=CONVERSATIONS {
                s.create_conversation(&NewConversation {
                    title: title(n),
                    model: "claude-sonnet-4".into(),
                    system_prompt: None,
                    sampling: Default::default(),
                })?;
            }
            Ok(())
        })
        .unwrap();
}

/// (rows in the DOM, rows loaded, the rendered rows' [position, title]).
fn window(s: &Session) -> (u64, u64, Vec<(u64, String)>) {
    let v = s
        .execute(
            "const list = document.querySelector('#conversation-list');
             const rows = [...list.querySelectorAll('.conversation-row')];
             return [rows.length, Number(list.dataset.total ?? 0),
                     rows.map((r) => [Number(r.getAttribute('aria-posinset')),
                                      r.querySelector('.row-title').textContent])];",
            json!([]),
        )
        .unwrap();
    serde_json::from_value::<(u64, u64, Vec<(u64, String)>)>(v).unwrap()
}

/// Each rendered row is the conversation its position says (newest first).
fn assert_rows_in_place(rows: &[(u64, String)]) {
    assert!(!rows.is_empty());
    for (pos, shown) in rows {
        let n = CONVERSATIONS + 1 - usize::try_from(*pos).unwrap();
        assert_eq!(shown, &title(n), "row at position {pos}");
    }
}

fn scroll_to(s: &Session, script: &str) -> Value {
    s.execute(
        &format!(
            "const scroll = document.querySelector('#conversation-scroll'); {script};
             return scroll.scrollTop;"
        ),
        json!([]),
    )
    .unwrap()
}

#[test]
fn a_hundred_thousand_conversations_scroll_with_a_bounded_dom() {
    let fx = Fixture::new(0.0);
    seed(&fx);
    let driver = fx.driver();
    let s = open_app(&driver);

    let (rows, _, shown) = window(&s);
    assert!(rows > 5 && rows <= MAX_ROWS, "{rows} rows at the top");
    assert_rows_in_place(&shown);
    assert_eq!(shown[0].1, title(CONVERSATIONS), "newest first");

    // To the end, page by page, as a user holding End would: the DOM never
    // grows with what is loaded.
    let mut most = rows;
    wait_until_or(
        "every conversation loaded",
        Duration::from_secs(240),
        || {
            scroll_to(&s, "scroll.scrollTop = scroll.scrollHeight");
            let (rows, total, _) = window(&s);
            most = most.max(rows);
            total == CONVERSATIONS as u64
        },
        || format!("({} loaded)", window(&s).1),
    );
    assert!(most <= MAX_ROWS, "{most} rows in the DOM at once");
    wait_until("the last rows rendered", Duration::from_secs(10), || {
        scroll_to(&s, "scroll.scrollTop = scroll.scrollHeight");
        let (_, _, shown) = window(&s);
        shown.iter().any(|(_, t)| t == &title(1))
    });
    let (rows, _, shown) = window(&s);
    assert!(rows <= MAX_ROWS, "{rows} rows at the end");
    assert_rows_in_place(&shown);
    s.screenshot("list-100000-end").unwrap();

    // The middle: the rows there are the middle's conversations, and one opens.
    scroll_to(&s, "scroll.scrollTop = scroll.scrollHeight / 2");
    let mut middle = vec![];
    wait_until("the middle rendered", Duration::from_secs(10), || {
        middle = window(&s).2;
        middle
            .iter()
            .any(|(pos, _)| pos.abs_diff(CONVERSATIONS as u64 / 2) < 40)
    });
    assert_rows_in_place(&middle);
    let (pos, wanted) = middle[middle.len() / 2].clone();
    s.execute(
        "document.querySelector(`.conversation-row[aria-posinset='${arguments[0]}'] .row-open`).click()",
        json!([pos]),
    )
    .unwrap();
    wait_until(
        "the middle conversation open",
        Duration::from_secs(10),
        || {
            s.execute(
                "return document.querySelector('#conversation-title').textContent",
                json!([]),
            )
            .unwrap()
                == json!(wanted)
        },
    );

    // The keyboard: End and Home reach the ends from anywhere, arrows step.
    let focused = |s: &Session| {
        s.execute(
            "return document.activeElement.closest('.conversation-row')?.querySelector('.row-title').textContent ?? null",
            json!([]),
        )
        .unwrap()
    };
    s.execute(
        "document.querySelector(`.conversation-row[aria-posinset='${arguments[0]}'] .row-open`).focus()",
        json!([pos]),
    )
    .unwrap();
    let key = |k: &str| {
        let e = s
            .wait_for(
                ".conversation-row:focus-within .row-open",
                Duration::from_secs(5),
            )
            .unwrap();
        s.type_text(&e, k).unwrap();
    };
    key("\u{E011}"); // Home
    assert_eq!(focused(&s), json!(title(CONVERSATIONS)));
    key("\u{E015}"); // ArrowDown
    assert_eq!(focused(&s), json!(title(CONVERSATIONS - 1)));
    key("\u{E010}"); // End
    assert_eq!(focused(&s), json!(title(1)));
    key("\u{E013}"); // ArrowUp
    assert_eq!(focused(&s), json!(title(2)));
    let (rows, _, shown) = window(&s);
    assert!(rows <= MAX_ROWS, "{rows} rows after the keyboard");
    assert_rows_in_place(&shown);
}
