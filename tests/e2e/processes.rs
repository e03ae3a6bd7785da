//! The window beside other processes: the CLI writing the same history, a
//! second launch, a keyring that never answers, a database another process
//! has locked. The window must stay usable in every case.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::webdriver::Driver;
use super::{Fixture, open_app, send, wait_until};

/// The `megallm` CLI built beside the app (`cargo test --workspace` builds
/// it before this suite runs).
fn cli() -> PathBuf {
    let path = std::path::Path::new(super::APP).with_file_name("megallm");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p megallm-cli`",
        path.display()
    );
    path
}

fn row_titles(s: &super::webdriver::Session) -> Vec<String> {
    s.find_all(".conversation-row")
        .unwrap()
        .iter()
        .filter_map(|r| s.text(r).ok())
        .collect()
}

#[test]
fn a_cli_conversation_appears_in_the_open_window() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    assert!(row_titles(&s).is_empty());

    let out = Command::new(cli())
        .args(["ask", "Written from the terminal"])
        .env_clear()
        .envs(fx.app_env(true))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    // No reload, no click: the window follows the history on disk.
    wait_until(
        "the CLI's conversation in the list",
        Duration::from_secs(20),
        || {
            row_titles(&s)
                .iter()
                .any(|t| t.contains("Written from the terminal"))
        },
    );
    s.screenshot("cli-conversation-listed").unwrap();
}

#[test]
fn a_second_launch_on_the_same_history_hands_over_to_the_first() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);

    let mut second = Command::new(super::APP)
        .env_clear()
        .envs(fx.app_env(true))
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch kept running beside the first");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "the second launch failed: {status}");

    // The first window still owns the history and works.
    send(&s, "still here?");
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(20),
    )
    .unwrap();
}

/// A private session bus, so a test can own well-known names on it.
struct PrivateBus {
    daemon: Child,
    address: String,
}

impl PrivateBus {
    fn start() -> Self {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (Debian package dbus)");
        let mut address = String::new();
        let stdout = daemon.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut address).unwrap();
        Self {
            daemon,
            address: address.trim().to_owned(),
        }
    }

    /// Owns `name` and never answers a call to it: what a hung keyring
    /// daemon looks like to its clients.
    fn hang(&self, name: &str) -> dbus::blocking::Connection {
        let mut channel = dbus::channel::Channel::open_private(&self.address).unwrap();
        channel.register().unwrap();
        let conn = dbus::blocking::Connection::from(channel);
        let reply = conn.request_name(name, false, true, true).unwrap();
        assert_eq!(
            reply,
            dbus::blocking::stdintf::org_freedesktop_dbus::RequestNameReply::PrimaryOwner
        );
        conn
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

#[test]
fn a_keyring_that_never_answers_does_not_freeze_the_window() {
    let fx = Fixture::new(0.0);
    let bus = PrivateBus::start();
    let _hung = bus.hang("org.freedesktop.secrets");
    let mut env = fx.app_env(false);
    env.retain(|(k, _)| *k != "DBUS_SESSION_BUS_ADDRESS");
    env.push(("DBUS_SESSION_BUS_ADDRESS", bus.address.clone()));
    let driver = Driver::start(&env).unwrap();

    let s = open_app(&driver);
    s.click(
        &s.wait_for("#settings-button", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    // The secret-service client gives up on each call after 2 s, and the
    // key cache answers after 3 s at most: the status settles either way
    // rather than waiting on D-Bus.
    let status = s.wait_for("#key-status", Duration::from_secs(5)).unwrap();
    let mut said = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(said.contains("No key set") || said.to_lowercase().contains("not answering")) {
        assert!(
            Instant::now() < deadline,
            "the key status never settled: {said:?}"
        );
        std::thread::sleep(Duration::from_millis(40));
        said = s.text(&status).unwrap_or_default();
    }
    // Saving a key works while the keyring hangs, and the window says where
    // the key went; the key is then used.
    super::save_key_and_use_it(&s);
    s.click(
        &s.wait_for("#settings-button", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the key status", Duration::from_secs(20), || {
        s.text(&status).unwrap_or_default().contains("No keychain")
    });
    s.screenshot("keyring-not-answering").unwrap();
}

#[test]
fn a_history_locked_by_another_process_leaves_the_window_usable() {
    let fx = Fixture::new(0.0);
    let history = fx.path("megallm").join("history.db");
    drop(megallm_core::store::Store::open(&history).unwrap());
    // Another process's writer: holds the write lock until dropped.
    let lock = rusqlite::Connection::open(&history).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "sent while locked");
    let banner = s.wait_for("#banner", Duration::from_secs(30)).unwrap();
    wait_until(
        "the locked-history message",
        Duration::from_secs(30),
        || {
            s.text(&banner)
                .is_ok_and(|t| t.contains("busy in another program"))
        },
    );
    // Nothing typed is lost: the text is back in the composer.
    let draft = s
        .execute(
            "return document.querySelector('#composer-input').value",
            serde_json::json!([]),
        )
        .unwrap();
    assert_eq!(draft.as_str(), Some("sent while locked"));
    s.screenshot("history-locked").unwrap();

    // The other process lets go: the same send now works, no restart.
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    let input = s
        .wait_for("#composer-input", Duration::from_secs(5))
        .unwrap();
    s.type_text(&input, super::webdriver::ENTER).unwrap();
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(30),
    )
    .unwrap();
}
