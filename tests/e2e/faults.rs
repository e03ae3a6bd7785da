//! The faults of the machine as the window shows them: a damaged history
//! file and a history from a newer version of the app.

use std::time::Duration;

use super::{Fixture, open_app, send, wait_until};

fn banner_text(s: &super::webdriver::Session) -> String {
    s.find_all("#banner .banner-message")
        .unwrap()
        .first()
        .and_then(|b| s.text(b).ok())
        .unwrap_or_default()
}

#[test]
fn a_damaged_history_is_moved_aside_and_a_fresh_one_starts() {
    let fx = Fixture::new(0.0);
    let data = fx.path("megallm");
    std::fs::create_dir_all(&data).unwrap();
    let garbage = b"this is not a database, it was damaged by a disk fault".repeat(200);
    std::fs::write(data.join("history.db"), &garbage).unwrap();

    let driver = fx.driver();
    let s = open_app(&driver);
    let mut said = String::new();
    wait_until("the moved-aside notice", Duration::from_secs(20), || {
        said = banner_text(&s);
        said.contains("damaged")
    });
    // The old file is kept byte for byte where the notice says.
    let moved: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains("history.db.damaged-"))
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(said.contains(&*moved[0].to_string_lossy()), "{said}");
    assert_eq!(std::fs::read(&moved[0]).unwrap(), garbage);
    s.screenshot("history-moved-aside").unwrap();

    // And the fresh history works.
    send(&s, "a new start");
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(20),
    )
    .unwrap();
}

#[test]
fn a_newer_apps_history_opens_read_only() {
    let fx = Fixture::new(0.0);
    let history = fx.path("megallm").join("history.db");
    {
        let mut store = megallm_core::store::Store::open(&history).unwrap();
        let c = store
            .create_conversation(&megallm_core::store::NewConversation {
                title: "Written by a newer app".into(),
                model: "claude-sonnet-4".into(),
                system_prompt: None,
                sampling: Default::default(),
            })
            .unwrap();
        assert!(c > 0);
    }
    let newer = megallm_core::store::SCHEMA_VERSION + 1;
    let conn = rusqlite::Connection::open(&history).unwrap();
    conn.pragma_update(None, "user_version", newer).unwrap();
    drop(conn);
    let before = std::fs::read(&history).unwrap();

    let driver = fx.driver();
    let s = open_app(&driver);
    wait_until("the read-only notice", Duration::from_secs(20), || {
        banner_text(&s).contains("read-only")
    });
    // Readable: its conversation is listed.
    wait_until(
        "the conversation in the list",
        Duration::from_secs(20),
        || {
            s.find_all(".conversation-row").unwrap().iter().any(|r| {
                s.text(r)
                    .is_ok_and(|t| t.contains("Written by a newer app"))
            })
        },
    );
    s.screenshot("history-read-only").unwrap();
    drop(s);
    drop(driver);
    assert_eq!(
        std::fs::read(&history).unwrap(),
        before,
        "a newer app's history must stay as it was"
    );
}
