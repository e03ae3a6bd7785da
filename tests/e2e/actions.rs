//! A finished reply's footer (model, tokens, cost, time to first token,
//! pace) and its Copy actions, in the window.

use std::time::Duration;

use megallm_mock::{MockConfig, ModelsShape};
use serde_json::json;

use super::{Fixture, open_app, send, wait_until};

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
    s.execute(
        "window.__copied = [];
         Object.defineProperty(navigator, 'clipboard', {
           configurable: true,
           value: { writeText: async (t) => { window.__copied.push(t); } },
         });",
        json!([]),
    )
    .unwrap();
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
    let mut copied = vec![];
    wait_until("both copies", Duration::from_secs(5), || {
        copied = serde_json::from_value(s.execute("return window.__copied", json!([])).unwrap())
            .unwrap();
        copied.len() == 2
    });
    let (markdown, plain): (&String, &String) = (&copied[0], &copied[1]);
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
