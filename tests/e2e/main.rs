//! End-to-end: the built app in its real webview (WebKitGTK through
//! tauri-driver), against the local Anthropic-compatible server.
//!
//! Needs a display and a D-Bus session; `scripts/test.sh` runs it as
//! `dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" cargo test --test e2e`.
//! Screenshots land in `target/e2e/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actions;
mod bench;
mod composer_tools;
mod concurrency;
mod documents;
mod errors;
mod faults;
mod history_list;
mod language;
mod processes;
mod versions;
mod webdriver;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use megallm_mock::{MockConfig, MockServer};
use webdriver::{Driver, ENTER, Session};

const APP: &str = env!("CARGO_BIN_EXE_megallm-desktop");
const KEY: &str = "e2e-test-key";

struct Fixture {
    _rt: tokio::runtime::Runtime,
    mock: MockServer,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(tokens_per_sec: f64) -> Fixture {
        Self::with(MockConfig {
            tokens_per_sec,
            ..MockConfig::default()
        })
    }

    /// The same against a local server configured as `config` (the key is
    /// always the suite's).
    fn with(config: MockConfig) -> Fixture {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the e2e suite needs a display: run it through scripts/test.sh (xvfb-run)"
        );
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mock = rt
            .block_on(MockServer::start(MockConfig {
                api_key: Some(KEY.into()),
                ..config
            }))
            .unwrap();
        Fixture {
            _rt: rt,
            mock,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The body of the last `POST /v1/messages` the local server received.
    fn last_messages_request(&self) -> serde_json::Value {
        self.mock
            .requests()
            .into_iter()
            .rfind(|r| r.path == "/v1/messages")
            .and_then(|r| r.body)
            .expect("a request to /v1/messages")
    }

    /// The last request's newest user message, as content blocks (a plain
    /// string content as one text block), with the whole request body.
    fn last_user_blocks(&self) -> (serde_json::Value, Vec<serde_json::Value>) {
        let body = self.last_messages_request();
        let user = body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .rfind(|m| m["role"] == "user")
            .unwrap()
            .clone();
        let blocks = match &user["content"] {
            serde_json::Value::String(t) => vec![serde_json::json!({"type": "text", "text": t})],
            other => other.as_array().unwrap().clone(),
        };
        (body, blocks)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// tauri-driver with the app's environment: its own HOME and data dir,
    /// pointed at the local server.
    fn driver(&self) -> Driver {
        self.driver_with_key(true)
    }

    fn driver_with_key(&self, env_key: bool) -> Driver {
        Driver::start(&self.app_env(env_key)).unwrap()
    }

    /// The app's environment: its own HOME and data dir, the local server,
    /// and (with `env_key`) the key in `MEGALLM_API_KEY`.
    fn app_env(&self, env_key: bool) -> Vec<(&'static str, String)> {
        let home = self.path("home");
        for sub in ["data", "cache", "config"] {
            std::fs::create_dir_all(home.join(sub)).unwrap();
        }
        let mut env = vec![
            // WebKitGTK's DMA-BUF renderer paints nothing an X screenshot can
            // see under Xvfb (and costs ~60 MiB there).
            ("WEBKIT_DISABLE_DMABUF_RENDERER", "1".to_owned()),
            ("HOME", home.display().to_string()),
            ("XDG_DATA_HOME", home.join("data").display().to_string()),
            ("XDG_CACHE_HOME", home.join("cache").display().to_string()),
            ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
            (
                "MEGALLM_DATA_DIR",
                self.path("megallm").display().to_string(),
            ),
            ("MEGALLM_BASE_URL", self.mock.base_url()),
            // English unless a test says otherwise, whatever the machine's locale.
            ("LANGUAGE", String::new()),
            ("LC_ALL", String::new()),
            ("LC_MESSAGES", String::new()),
            ("LANG", "C.UTF-8".to_owned()),
        ];
        if env_key {
            env.push(("MEGALLM_API_KEY", KEY.to_owned()));
        }
        for var in ["DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "PATH"] {
            if let Ok(v) = std::env::var(var) {
                env.push((var, v));
            }
        }
        env
    }
}

fn open_app(driver: &Driver) -> Session {
    let s = Session::new(driver, Path::new(APP)).unwrap();
    s.wait_for("body[data-ready='1']", Duration::from_secs(30))
        .unwrap();
    s
}

/// What the composer holds.
fn composer_text(s: &Session) -> String {
    let v = s
        .execute(
            "return document.querySelector('#composer-input').value",
            serde_json::json!([]),
        )
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

fn send(s: &Session, text: &str) {
    let input = s
        .wait_for("#composer-input", Duration::from_secs(5))
        .unwrap();
    s.type_text(&input, text).unwrap();
    s.type_text(&input, ENTER).unwrap();
}

/// Presses Save in the open Settings and waits for the panel to close.
fn save_settings(s: &Session) {
    close_settings_with(s, "#settings-save");
}

/// Empties the field `css` and types `value` into it, as a user would.
fn set_field(s: &Session, css: &str, value: &str) {
    let input = s.wait_for(css, Duration::from_secs(5)).unwrap();
    s.execute(
        "const e = document.querySelector(arguments[0]); e.value = ''; e.dispatchEvent(new Event('input'));",
        serde_json::json!([css]),
    )
    .unwrap();
    s.type_text(&input, value).unwrap();
}

/// Opens Settings from the sidebar and waits for the stored values.
fn open_settings(s: &Session) {
    s.click(
        &s.wait_for("#settings-button", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the settings to load", Duration::from_secs(10), || {
        s.execute(
            "return document.querySelector('#settings').open && document.querySelector('#settings-concurrency').value !== ''",
            serde_json::json!([]),
        )
        .is_ok_and(|v| v == serde_json::json!(true))
    });
}

/// Clicks `button` (Save or Cancel) and waits for the panel to close.
fn close_settings_with(s: &Session, button: &str) {
    s.click(&s.wait_for(button, Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_until(
        "the settings panel to close",
        Duration::from_secs(30),
        || {
            s.execute(
                "return document.querySelector('#settings').open === false",
                serde_json::json!([]),
            )
            .is_ok_and(|v| v == serde_json::json!(true))
        },
    );
}

/// In the open Settings: types the key, saves, waits for the panel to
/// close, and checks that a message now gets its reply.
fn save_key_and_use_it(s: &Session) {
    let key_input = s
        .wait_for("#settings-api-key", Duration::from_secs(5))
        .unwrap();
    s.type_text(&key_input, KEY).unwrap();
    save_settings(s);
    send(s, "Key works");
    let reply = s
        .wait_for(
            ".message.assistant[data-status='complete'] .message-body",
            Duration::from_secs(30),
        )
        .unwrap();
    assert_eq!(s.text(&reply).unwrap().trim(), "Echo: Key works");
}

fn last(s: &Session, css: &str) -> Option<webdriver::Element> {
    s.find_all(css).unwrap().pop()
}

fn wait_until(what: &str, timeout: Duration, ok: impl FnMut() -> bool) {
    wait_until_or(what, timeout, ok, String::new);
}

/// [`wait_until`], saying what `why` finds when it times out.
fn wait_until_or(
    what: &str,
    timeout: Duration,
    mut ok: impl FnMut() -> bool,
    why: impl Fn() -> String,
) {
    let deadline = Instant::now() + timeout;
    while !ok() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what} {}",
            why()
        );
        std::thread::sleep(Duration::from_millis(40));
    }
}

/// Waits for the reply to show some text, presses Stop, and returns the
/// element `stopped` (a selector for the interrupted reply or a part of it).
fn stop_mid_reply(s: &Session, stopped: &str) -> webdriver::Element {
    let streaming = s
        .wait_for(
            ".message.assistant[data-status='streaming']",
            Duration::from_secs(15),
        )
        .unwrap();
    wait_until("some text", Duration::from_secs(10), || {
        s.text(&streaming).map(|t| t.len() > 20).unwrap_or(false)
    });
    s.click(&s.wait_for("#stop-button", Duration::from_secs(5)).unwrap())
        .unwrap();
    s.wait_for(stopped, Duration::from_secs(10)).unwrap()
}

#[test]
fn reply_streams_in_then_survives_a_restart() {
    let fx = Fixture::new(40.0);
    let driver = fx.driver();
    {
        let s = open_app(&driver);
        send(&s, "Tell me a story [[long:120]]");

        // The reply must grow while it is marked streaming: several distinct,
        // increasing lengths seen before it completes.
        let streaming = s
            .wait_for(
                ".message.assistant[data-status='streaming']",
                Duration::from_secs(15),
            )
            .unwrap();
        let mut lengths = vec![];
        wait_until(
            "the streaming reply to grow three times",
            Duration::from_secs(20),
            || {
                let len = s.text(&streaming).map(|t| t.len()).unwrap_or(0);
                if lengths.last().is_none_or(|l| len > *l) && len > 0 {
                    lengths.push(len);
                }
                lengths.len() >= 3
            },
        );
        assert_eq!(
            s.attr(&streaming, "data-status").unwrap().as_deref(),
            Some("streaming"),
            "still streaming after growing: {lengths:?}"
        );
        s.screenshot("streaming").unwrap();

        let done = s
            .wait_for(
                ".message.assistant[data-status='complete']",
                Duration::from_secs(30),
            )
            .unwrap();
        let final_text = s.text(&done).unwrap();
        assert!(
            final_text.len() > *lengths.last().unwrap(),
            "complete text is the longest"
        );

        // A second turn in the same conversation, checked word for word.
        send(&s, "Echo check: привет");
        wait_until("the echo reply", Duration::from_secs(20), || {
            s.find_all(".message.assistant[data-status='complete']")
                .unwrap()
                .len()
                == 2
        });
        let echo = last(&s, ".message.assistant .message-body").unwrap();
        assert_eq!(s.text(&echo).unwrap().trim(), "Echo: Echo check: привет");
        s.screenshot("complete").unwrap();
    }

    // Restart: the conversation and both replies come back from SQLite.
    let s = open_app(&driver);
    let row = s
        .wait_for(".conversation-row", Duration::from_secs(10))
        .unwrap();
    wait_until(
        "the stored title in the list",
        Duration::from_secs(10),
        || s.text(&row).unwrap_or_default().contains("Tell me a story"),
    );
    s.click(&row).unwrap();
    wait_until("the stored messages", Duration::from_secs(10), || {
        s.find_all(".message.assistant[data-status='complete']")
            .unwrap()
            .len()
            == 2
    });
    let users = s.find_all(".message.user").unwrap();
    assert_eq!(users.len(), 2);
    assert!(s.text(&users[0]).unwrap().contains("Tell me a story"));
    s.screenshot("after-restart").unwrap();
}

#[test]
fn a_long_code_block_streams_into_one_element_that_only_grows() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "Write it out [[code:600]] [[rate:1500]]");
    let code = s
        .wait_for(".stream-tail pre code", Duration::from_secs(20))
        .unwrap();
    // The same element is read again and again while the block grows: a
    // re-render of the tail would replace it (a stale reference).
    let mut seen = String::new();
    let mut grew = 0;
    while s
        .find_all(".message.assistant[data-status='streaming']")
        .unwrap()
        .len()
        == 1
    {
        let Ok(text) = s.text(&code) else {
            // Only the block's end (its closing fence) may re-render it.
            break;
        };
        assert!(text.starts_with(seen.trim_end()), "the code only grows");
        if text.len() > seen.len() {
            grew += 1;
        }
        seen = text;
    }
    assert!(grew >= 3, "watched the block grow {grew} times");
    assert!(seen.contains("let v0 = \"<0> & more\";"), "escaped as text");
    let done = s
        .wait_for(
            ".message.assistant[data-status='complete'] pre code",
            Duration::from_secs(60),
        )
        .unwrap();
    let full = s.text(&done).unwrap();
    assert!(
        full.starts_with(seen.trim_end()),
        "what streamed is what stays"
    );
    assert!(full.trim_end().ends_with("let v599 = \"<599> & more\";"));
    s.screenshot("long-code-block").unwrap();
}

#[test]
fn markdown_renders_safely() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(
        &s,
        "Show me markdown [[markdown]] <img src=x onerror=alert(1)>",
    );
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(20),
    )
    .unwrap();
    for css in [
        ".message.assistant table",
        ".message.assistant pre code",
        ".message.assistant h1, .message.assistant h2",
        ".message.assistant li",
    ] {
        assert!(!s.find_all(css).unwrap().is_empty(), "{css} rendered");
    }
    // The finished reply's code is highlighted by its language.
    assert!(
        !s.find_all(".message.assistant pre code.language-rust span[class^='hl-']")
            .unwrap()
            .is_empty(),
        "highlighted Rust"
    );
    // The user's HTML is shown as text, and nothing executable made it in.
    assert!(
        s.find_all(".message img, .message script, .message [onerror]")
            .unwrap()
            .is_empty()
    );
    let user = last(&s, ".message.user").unwrap();
    assert!(
        s.text(&user)
            .unwrap()
            .contains("<img src=x onerror=alert(1)>")
    );
    s.screenshot("markdown").unwrap();
}

#[test]
fn service_errors_are_explained_and_nothing_is_lost() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "Hello [[fault:401]]");
    let failed = s
        .wait_for(
            ".message.assistant[data-status='error']",
            Duration::from_secs(20),
        )
        .unwrap();
    wait_until("the reply's card", Duration::from_secs(5), || {
        s.text(&failed).unwrap_or_default().contains("API key")
    });
    let user = last(&s, ".message.user").unwrap();
    assert!(
        s.text(&user).unwrap().contains("Hello [[fault:401]]"),
        "the prompt is kept"
    );
    s.screenshot("error").unwrap();
}

#[test]
fn stop_keeps_what_arrived() {
    let fx = Fixture::new(20.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "A long one [[long:400]]");
    let stopped = stop_mid_reply(&s, ".message.assistant[data-status='interrupted']");
    assert!(s.text(&stopped).unwrap().len() > 20, "partial text kept");
    // The server sees the connection close (when it next writes, within a
    // token's time).
    wait_until(
        "the server to see the disconnect",
        Duration::from_secs(5),
        || {
            fx.mock
                .requests()
                .into_iter()
                .rfind(|r| r.path == "/v1/messages")
                .is_some_and(|r| r.disconnected_at_ms.is_some())
        },
    );
    s.screenshot("stopped").unwrap();
}

#[test]
fn api_key_is_added_in_settings_and_kept_out_of_plain_files() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver_with_key(false);
    {
        let s = open_app(&driver);
        // No key yet: the banner sends the user to Settings.
        let banner = s
            .wait_for("#banner .banner-action", Duration::from_secs(10))
            .unwrap();
        s.click(&banner).unwrap();
        save_key_and_use_it(&s);

        // This bus has no Secret Service: the key went to the private file,
        // and Settings says so plainly.
        s.click(
            &s.wait_for("#settings-button", Duration::from_secs(5))
                .unwrap(),
        )
        .unwrap();
        let status = s.wait_for("#key-status", Duration::from_secs(5)).unwrap();
        wait_until("the key status", Duration::from_secs(5), || {
            s.text(&status).unwrap_or_default().contains("No keychain")
        });
        s.screenshot("settings").unwrap();
    }
    let data = fx.path("megallm");
    let key_file = data.join("api-key");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), KEY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path != key_file {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
                "the key leaked into {}",
                path.display()
            );
        }
    }

    // After a restart the stored key is used again.
    let s = open_app(&driver);
    send(&s, "Still works");
    let reply = s
        .wait_for(
            ".message.assistant[data-status='complete'] .message-body",
            Duration::from_secs(20),
        )
        .unwrap();
    assert_eq!(s.text(&reply).unwrap().trim(), "Echo: Still works");
}

/// The reply the local server gives `prompt` when nothing interrupts it.
fn whole_reply(fx: &Fixture, prompt: &str) -> String {
    let reply: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/v1/messages", fx.mock.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .json(&serde_json::json!({
            "model": "claude-sonnet-4",
            "max_tokens": 4096,
            "messages": [{"role": "user", "content": prompt}],
        }))
        .send()
        .and_then(|r| r.json())
        .unwrap();
    reply["content"][0]["text"].as_str().unwrap().to_owned()
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_stopped_reply_is_continued_then_regenerated() {
    let fx = Fixture::new(20.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let prompt = "Keep going [[long:100]]";
    send(&s, prompt);
    let body = stop_mid_reply(
        &s,
        ".message.assistant[data-status='interrupted'] .message-body",
    );
    let partial = s.text(&body).unwrap();
    let whole = whole_reply(&fx, prompt);
    assert!(squash(&whole).starts_with(&squash(&partial)));
    assert!(squash(&partial).len() < squash(&whole).len());

    // Continue: the same message grows to exactly the uninterrupted reply.
    let cont = s
        .wait_for(
            ".message.assistant[data-status='interrupted'] .retry[data-mode='continue']",
            Duration::from_secs(5),
        )
        .unwrap();
    let id = s
        .execute(
            "return document.querySelector('.message.assistant').dataset.id",
            serde_json::json!([]),
        )
        .unwrap();
    s.click(&cont).unwrap();
    let body = s
        .wait_for(
            ".message.assistant[data-status='complete'] .message-body",
            Duration::from_secs(30),
        )
        .unwrap();
    assert_eq!(squash(&s.text(&body).unwrap()), squash(&whole));
    assert_eq!(s.find_all(".message.assistant").unwrap().len(), 1);
    let same_id = s
        .execute(
            "return document.querySelector('.message.assistant').dataset.id",
            serde_json::json!([]),
        )
        .unwrap();
    assert_eq!(same_id, id, "continued in place");
    let sent = fx.last_messages_request();
    assert_eq!(
        sent["messages"][1]["role"], "assistant",
        "sent as a prefill"
    );
    s.screenshot("continued").unwrap();

    // Regenerate: a new reply takes its place in the view.
    let regen = s
        .wait_for(
            ".message.assistant .retry[data-mode='regenerate']",
            Duration::from_secs(5),
        )
        .unwrap();
    s.click(&regen).unwrap();
    wait_until("the regenerated reply", Duration::from_secs(30), || {
        s.execute(
            "const m = document.querySelectorAll('.message.assistant');
             return m.length === 1 && m[0].dataset.status === 'complete' && m[0].dataset.id !== arguments[0]",
            serde_json::json!([id]),
        )
        .map(|v| v == serde_json::json!(true))
        .unwrap_or(false)
    });
    let body = last(&s, ".message.assistant .message-body").unwrap();
    assert_eq!(squash(&s.text(&body).unwrap()), squash(&whole));
    s.screenshot("regenerated").unwrap();
}

#[test]
fn conversations_are_exported_imported_and_archived() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "Remember the lighthouse");
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(20),
    )
    .unwrap();
    let toast = |s: &Session| {
        s.execute(
            "return document.querySelector('#toast .toast-text')?.textContent ?? ''",
            serde_json::json!([]),
        )
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    let saved = |s: &Session, button: &str| -> PathBuf {
        s.execute(
            "document.querySelector('#toast').replaceChildren()",
            serde_json::json!([]),
        )
        .unwrap();
        s.click(&s.wait_for(button, Duration::from_secs(5)).unwrap())
            .unwrap();
        let mut text = String::new();
        wait_until("the export's toast", Duration::from_secs(10), || {
            text = toast(s);
            text.starts_with("Saved to ")
        });
        PathBuf::from(text.trim_start_matches("Saved to "))
    };
    let md = std::fs::read_to_string(saved(&s, "#export-markdown")).unwrap();
    assert!(md.contains("Remember the lighthouse") && md.contains("Echo: Remember"));
    let json_path = saved(&s, "#export-json");
    let json = std::fs::read_to_string(&json_path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["format"], "megallm-conversation");
    assert!(!json.contains(KEY), "no key in exports");

    // Import through the settings panel's file input (the file as the
    // picker would hand it over).
    s.click(
        &s.wait_for("#settings-button", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    s.wait_for("#import-history", Duration::from_secs(5))
        .unwrap();
    s.execute(
        "const input = document.querySelector('#import-file');
         const dt = new DataTransfer();
         dt.items.add(new File([arguments[0]], 'lighthouse.json', {type: 'application/json'}));
         input.files = dt.files;
         input.dispatchEvent(new Event('change'));",
        serde_json::json!([json]),
    )
    .unwrap();
    wait_until("the import's toast", Duration::from_secs(10), || {
        toast(&s).starts_with("Imported 1 conversation from lighthouse.json")
    });
    s.click(
        &s.wait_for("#settings-cancel", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    let titles = |s: &Session| -> Vec<String> {
        s.find_all(".conversation-row .row-title")
            .unwrap()
            .iter()
            .map(|e| s.text(e).unwrap_or_default())
            .collect()
    };
    wait_until("both copies in the list", Duration::from_secs(10), || {
        titles(&s) == ["Remember the lighthouse", "Remember the lighthouse"]
    });

    // Archive one (its button shows on hover; clicked directly here).
    s.execute(
        "document.querySelector('.conversation-row [data-action=archive]').click()",
        serde_json::json!([]),
    )
    .unwrap();
    wait_until("one left in the list", Duration::from_secs(10), || {
        titles(&s).len() == 1 && toast(&s).starts_with("Archived")
    });
    s.click(
        &s.wait_for("#archived-toggle", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the archive shows it", Duration::from_secs(10), || {
        titles(&s) == ["Remember the lighthouse"]
            && s.execute(
                "return document.querySelector('#conversation-list').dataset.archived",
                serde_json::json!([]),
            )
            .unwrap()
                == "true"
    });
    s.screenshot("archived").unwrap();

    // Search finds both, the archived one too, unless told otherwise.
    let search = s.wait_for("#search-input", Duration::from_secs(5)).unwrap();
    s.type_text(&search, "lighthouse").unwrap();
    let hits = |s: &Session| s.find_all(".search-hit").unwrap().len();
    // Each copy has two matching messages: the question and its echo.
    wait_until("four hits", Duration::from_secs(10), || hits(&s) == 4);
    s.click(
        &s.wait_for("#search-archived", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the archived one left out", Duration::from_secs(10), || {
        hits(&s) == 2
    });
    // The model filter lists the service's models; another model finds
    // nothing, the conversation's own finds it again.
    let pick_model = |model: &str| {
        s.execute(
            "const select = document.querySelector('#search-model');
             if (![...select.options].some((o) => o.value === arguments[0])) return false;
             select.value = arguments[0];
             select.dispatchEvent(new Event('change'));
             return true;",
            serde_json::json!([model]),
        )
        .unwrap()
            == serde_json::json!(true)
    };
    wait_until(
        "the model list in the filter",
        Duration::from_secs(10),
        || pick_model("claude-opus-4-1-20250805"),
    );
    wait_until("no hits for another model", Duration::from_secs(10), || {
        hits(&s) == 0 && !s.find_all(".search-empty").unwrap().is_empty()
    });
    assert!(pick_model("claude-sonnet-4"));
    wait_until(
        "hits for the conversation's model",
        Duration::from_secs(10),
        || hits(&s) == 2,
    );
    s.screenshot("search-filters").unwrap();
}
