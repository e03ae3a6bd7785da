//! A finished reply's footer (model, tokens, cost, time to first token,
//! pace) and its Copy actions, in the window.

use std::time::Duration;

use megallm_mock::{MockConfig, ModelsShape};
use serde_json::json;

use super::webdriver::Session;
use super::{Fixture, open_app, send, wait_until};

/// Makes the page's clipboard writes land in `window.__copied`, where the
/// test reads them (the real clipboard is the desktop's, not the page's).
fn capture_clipboard(s: &Session) {
    s.execute(
        "window.__copied = [];
         Object.defineProperty(navigator, 'clipboard', {
           configurable: true,
           value: { writeText: async (t) => { window.__copied.push(t); } },
         });",
        json!([]),
    )
    .unwrap();
}

/// Waits until `n` texts were copied and returns them.
fn copied(s: &Session, n: usize) -> Vec<String> {
    let mut copied: Vec<String> = vec![];
    wait_until("the copies", Duration::from_secs(5), || {
        copied = serde_json::from_value(s.execute("return window.__copied", json!([])).unwrap())
            .unwrap();
        copied.len() >= n
    });
    copied
}

#[test]
fn a_reply_shows_its_facts_and_copies_as_markdown_or_text() {
    // MegaLLM's list carries prices, so the footer has a cost; a paced
    // stream, so it has a pace.
    let fx = Fixture::with(MockConfig {
        models_shape: ModelsShape::MegaLlm,
        tokens_per_sec: 800.0,
        ..MockConfig::default()
    });
    let driver = fx.driver();
    let s = open_app(&driver);
    // The clipboard as the page sees it, kept where the test can read it.
    capture_clipboard(&s);
    send(&s, "Show me markdown [[markdown]]");
    let facts = s
        .wait_for(
            ".message.assistant[data-status='complete'] .message-facts",
            Duration::from_secs(30),
        )
        .unwrap();
    let text = s.text(&facts).unwrap();
    let model = fx.last_messages_request()["model"].clone();
    for part in [
        model.as_str().unwrap(),
        " in · ",
        " out",
        "s to first token",
        "tokens/s",
    ] {
        assert!(text.contains(part), "no {part:?} in {text:?}");
    }
    assert!(
        text.contains('$'),
        "a priced model shows its cost: {text:?}"
    );
    s.screenshot("reply-footer").unwrap();

    let copy = |label: &str| {
        s.click(
            &s.wait_for(&format!("[aria-label='{label}']"), Duration::from_secs(5))
                .unwrap(),
        )
        .unwrap();
    };
    copy("Copy reply as Markdown");
    copy("Copy reply as plain text");
    let copied = copied(&s, 2);
    let (markdown, plain) = (&copied[0], &copied[1]);
    assert!(markdown.starts_with("# A tour of Markdown"), "{markdown}");
    assert!(
        markdown.contains("**everything**"),
        "the Markdown as written"
    );
    assert!(plain.starts_with("A tour of Markdown"), "{plain}");
    assert!(
        plain.contains("exercises everything") && !plain.contains("**"),
        "the text as shown: {plain}"
    );
}

#[test]
fn ctrl_shift_c_copies_the_last_reply() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    capture_clipboard(&s);
    for question in ["First, please", "Then this"] {
        send(&s, question);
        wait_until("the reply", Duration::from_secs(30), || {
            s.find_all(".message.assistant[data-status='complete']")
                .unwrap()
                .len()
                == usize::from(question == "Then this") + 1
        });
    }
    let input = s
        .wait_for("#composer-input", Duration::from_secs(5))
        .unwrap();
    // WebDriver's Control and Shift, held for the "c".
    s.type_text(&input, "\u{E009}\u{E008}c\u{E000}").unwrap();
    assert_eq!(copied(&s, 1), ["Echo: Then this"]);
    let toast = s.wait_for("#toast", Duration::from_secs(5)).unwrap();
    assert!(s.text(&toast).unwrap().contains("Copied the last reply"));
    assert_eq!(super::composer_text(&s), "", "the shortcut typed nothing");
}

#[test]
fn latex_math_is_drawn_as_mathml() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    // The local server echoes the question, formulas included.
    send(
        &s,
        "Euler wrote $e^{i\\pi} + 1 = 0$ and $$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$",
    );
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(30),
    )
    .unwrap();
    let drawn = s
        .execute(
            "const maths = [...document.querySelectorAll('.message.assistant math')];
             return maths.map((m) => [m.getAttribute('display'), m.namespaceURI, m.getBoundingClientRect().width, !!m.querySelector('mfrac')]);",
            json!([]),
        )
        .unwrap();
    let drawn: Vec<(String, String, f64, bool)> = serde_json::from_value(drawn).unwrap();
    assert_eq!(drawn.len(), 2, "{drawn:?}");
    assert_eq!(drawn[0].0, "inline");
    assert_eq!(drawn[1].0, "block");
    assert!(drawn[1].3, "the fraction is a fraction");
    for (_, namespace, width, _) in &drawn {
        assert_eq!(namespace, "http://www.w3.org/1998/Math/MathML");
        assert!(*width > 10.0, "drawn by the webview: {drawn:?}");
    }
    s.screenshot("markdown-math").unwrap();
}

#[test]
fn hostile_markdown_renders_inert_and_loads_nothing() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let base = fx.mock.base_url();
    // Each line tries one way out; the local server's log shows any load.
    let payload = [
        "<script>window.__pwned = 'script'</script>".to_owned(),
        format!("<img src=\"{base}/pixel.png\" onerror=\"window.__pwned = 'img'\">"),
        "[click me](javascript:window.__pwned='link')".to_owned(),
        format!("<iframe src=\"{base}/frame\"></iframe>"),
        "<svg><script>window.__pwned = 'svg script'</script></svg>".to_owned(),
        "<svg onload=\"window.__pwned = 'svg onload'\"></svg>".to_owned(),
        format!("<form action=\"{base}/form\"><input name=q><button>Go</button></form>"),
        format!("<meta http-equiv=\"refresh\" content=\"0;url={base}/refresh\">"),
        format!("<link rel=\"stylesheet\" href=\"{base}/style.css\">"),
        format!("<style>@import url({base}/import.css); body {{ display: none }}</style>"),
        format!("![pixel]({base}/md-image.png)"),
        "<a href=\"#\" onclick=\"window.__TAURI_INTERNALS__.invoke('delete_conversation', {id: 1})\">x</a>".to_owned(),
    ]
    .join("\n\n");
    // Set as the composer's value: typed, each newline would be an Enter.
    s.execute(
        "const i = document.querySelector('#composer-input');
         i.value = arguments[0];
         i.dispatchEvent(new Event('input'));",
        json!([payload]),
    )
    .unwrap();
    s.click(&s.wait_for("#send-button", Duration::from_secs(5)).unwrap())
        .unwrap();
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(30),
    )
    .unwrap();
    let reply = ".message.assistant";
    let active = s
        .find_all(
            &[
                "script",
                "img",
                "iframe",
                "svg",
                "form",
                "input:not([type=checkbox])",
                "meta",
                "link",
                "style",
                "[onerror]",
                "[onload]",
                "[onclick]",
                "a[href^='javascript']",
            ]
            .map(|tag| format!("{reply} {tag}"))
            .join(", "),
        )
        .unwrap();
    assert!(active.is_empty(), "{} live elements", active.len());
    let (_, sent) = fx.last_user_blocks();
    assert!(
        sent[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("\n\n<iframe"),
        "the payload went as blocks, one a line"
    );
    // Click what looks like a script's link: nothing runs. (Web links go
    // to the system browser, which this machine does not have.)
    s.execute(
        "for (const a of document.querySelectorAll('.message.assistant a:not([href^=\"http\"])')) a.click();",
        json!([]),
    )
    .unwrap();
    assert_eq!(
        s.execute("return window.__pwned ?? null", json!([]))
            .unwrap(),
        json!(null)
    );
    // The page is still whole (no stylesheet hid it) and the conversation is
    // still there (no command was reached).
    assert!(
        s.execute("return getComputedStyle(document.body).display", json!([]))
            .unwrap()
            != json!("none")
    );
    assert_eq!(s.find_all(".conversation-row").unwrap().len(), 1);
    let loads: Vec<String> = fx
        .mock
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| !p.starts_with("/v1/"))
        .collect();
    assert!(loads.is_empty(), "the page loaded {loads:?}");
    s.screenshot("markdown-hostile").unwrap();
}

#[test]
fn scrolling_up_stops_following_and_jump_to_latest_comes_back() {
    let fx = Fixture::new(40.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    send(&s, "A long one [[long:600]]");
    let metrics = || -> (f64, f64, f64, bool) {
        let v = s
            .execute(
                "const m = document.querySelector('#messages');
                 const j = document.querySelector('[aria-label=\"Jump to latest\"]');
                 return [m.scrollTop, m.scrollHeight, m.clientHeight, !j.hidden];",
                json!([]),
            )
            .unwrap();
        serde_json::from_value(v).unwrap()
    };
    // Followed while it streams, until the reply is taller than the pane.
    wait_until(
        "a reply taller than the pane",
        Duration::from_secs(30),
        || {
            let (_, height, client, _) = metrics();
            height > client * 2.0
        },
    );
    let (top, height, client, jump) = metrics();
    assert!(
        top + client >= height - 40.0,
        "following: {top} {height} {client}"
    );
    assert!(!jump, "no jump while at the newest");
    // The reader scrolls up: the view stays put and offers the way back.
    s.execute(
        "const m = document.querySelector('#messages'); m.scrollTop = 0; m.dispatchEvent(new Event('scroll'));",
        json!([]),
    )
    .unwrap();
    let grown = metrics().1;
    wait_until("more text below", Duration::from_secs(30), || {
        metrics().1 > grown + 100.0
    });
    let (top, _, _, jump) = metrics();
    assert!(top < 1.0, "the reader's place is kept: {top}");
    assert!(jump, "Jump to latest is offered");
    s.screenshot("jump-to-latest").unwrap();
    s.click(
        &s.wait_for("[aria-label='Jump to latest']", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    let (top, height, client, jump) = metrics();
    assert!(
        top + client >= height - 40.0,
        "at the newest: {top} {height} {client}"
    );
    assert!(!jump);
    // And following again as the reply grows.
    let grown = metrics().1;
    wait_until("following again", Duration::from_secs(30), || {
        let (top, height, client, _) = metrics();
        height > grown + 100.0 && top + client >= height - 40.0
    });
}

#[test]
fn the_usage_view_sums_what_was_sent_and_shows_the_limits() {
    // MegaLLM's list carries prices, so the table has a cost.
    let fx = Fixture::with(MockConfig {
        models_shape: ModelsShape::MegaLlm,
        ..MockConfig::default()
    });
    let driver = fx.driver();
    let s = open_app(&driver);
    for question in ["How many lighthouses are there?", "And harbours?"] {
        send(&s, question);
    }
    wait_until("both replies", Duration::from_secs(30), || {
        s.find_all(".message.assistant[data-status='complete']")
            .unwrap()
            .len()
            == 2
    });
    // What the service said it used, from the footers.
    let used: Vec<(u64, u64)> = serde_json::from_value(
        s.execute(
            "return [...document.querySelectorAll('.message.assistant .message-facts')].map((f) => {
               const m = /([\\d,]+) in · ([\\d,]+) out/.exec(f.textContent);
               return [Number(m[1].replace(/,/g, '')), Number(m[2].replace(/,/g, ''))];
             })",
            json!([]),
        )
        .unwrap(),
    )
    .unwrap();
    let (input, output) = used.iter().fold((0, 0), |(i, o), (a, b)| (i + a, o + b));

    s.click(&s.wait_for("#usage-button", Duration::from_secs(5)).unwrap())
        .unwrap();
    let mut row: Vec<String> = vec![];
    wait_until("the usage table", Duration::from_secs(10), || {
        row = serde_json::from_value(
            s.execute(
                "const r = document.querySelector('#usage-table tbody tr[data-model]');
                 return r ? [...r.children].map((c) => c.textContent) : [];",
                json!([]),
            )
            .unwrap(),
        )
        .unwrap();
        !row.is_empty()
    });
    let model = fx.last_messages_request()["model"]
        .as_str()
        .unwrap()
        .to_owned();
    let n = |v: u64| {
        let s = v.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert_eq!(row[0], model);
    assert_eq!(row[1], "2", "two replies: {row:?}");
    assert_eq!(row[2], n(input), "{row:?}");
    assert_eq!(row[3], n(output), "{row:?}");
    assert!(row[5].contains('$'), "priced: {row:?}");
    // Today has the one bar that is not empty.
    let bars: Vec<u64> = serde_json::from_value(
        s.execute(
            "return [...document.querySelectorAll('#usage-chart .usage-bar')].map((b) => Number(b.dataset.tokens))",
            json!([]),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(bars.len(), 30, "the default period");
    assert_eq!(*bars.last().unwrap(), input + output);
    assert!(bars[..29].iter().all(|b| *b == 0));
    let limits = s
        .text(&s.wait_for("#usage-limits", Duration::from_secs(5)).unwrap())
        .unwrap();
    assert!(limits.contains("Requests: 49 of 50 left"), "{limits}");
    s.screenshot("usage").unwrap();
}
