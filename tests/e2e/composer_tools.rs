//! The composer's tools in the window: the context gauge and a message
//! that does not fit (cut only on the user's click), one-click analyses,
//! files sent without text, a conversation's system prompt and the presets.

use std::time::Duration;

use serde_json::{Value, json};

use super::documents::{attach, by_label, chips};
use megallm_mock::{MockConfig, ModelsShape};

use super::webdriver::Session;
use super::{Fixture, open_app, send, set_field, wait_until, wait_until_or};

const ANALYST_SYSTEM: &str = "You are a document analysis expert.";
const ANALYST_PROMPT: &str = "Analyze this document: main topics, key insights, summary.";

/// The input price per million tokens the local server's model list gives
/// `model`, read over HTTP as the app reads it.
fn input_price(fx: &Fixture, model: &Value) -> f64 {
    let list: Value = reqwest::blocking::Client::new()
        .get(format!("{}/v1/models", fx.mock.base_url()))
        .header("x-api-key", super::KEY)
        .header("anthropic-version", "2023-06-01")
        .send()
        .unwrap()
        .json()
        .unwrap();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| &m["id"] == model)
        .and_then(|m| m["pricing"]["input_tokens_cost_per_million"].as_f64())
        .unwrap_or_else(|| panic!("no price for {model} in {list}"))
}

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
    s.execute(
        "return document.querySelector('#send-button').disabled",
        json!([]),
    )
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

/// The first document block of the last message sent.
fn last_document_block(fx: &Fixture) -> Value {
    let (_, blocks) = fx.last_user_blocks();
    blocks
        .iter()
        .find(|b| b["type"] == "document")
        .cloned()
        .unwrap_or_else(|| panic!("a document block: {blocks:?}"))
}

/// Waits for the composer's alert and returns its text.
fn wait_alert(s: &Session) -> String {
    let mut said = None;
    wait_until("the alert", Duration::from_secs(30), || {
        said = alert(s);
        said.is_some()
    });
    said.unwrap_or_default()
}

/// Waits until the message fits again: no alert, Send enabled.
fn wait_fits(s: &Session) {
    wait_until_or(
        "the alert to go",
        Duration::from_secs(30),
        || alert(s).is_none() && !send_disabled(s),
        || format!("{:?} {:?}", gauge(s), chips(s, "#attachment-list")),
    );
}

/// Clicks the button whose visible text is `text` inside `scope`.
fn click_button(s: &Session, scope: &str, text: &str) {
    wait_until(
        &format!("the “{text}” button"),
        Duration::from_secs(10),
        || {
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
        },
    );
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

/// The request's system prompt as one string (a string, or text blocks).
fn system_of(body: &Value) -> String {
    match &body["system"] {
        Value::String(t) => t.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}

#[test]
fn the_gauge_counts_and_a_message_too_big_is_cut_only_when_asked() {
    // MegaLLM's own model list, the one with prices.
    let fx = Fixture::with(MockConfig {
        models_shape: ModelsShape::MegaLlm,
        ..MockConfig::default()
    });
    let driver = fx.driver();
    let s = open_app(&driver);

    // Typing shows the gauge: the local server counts, so no "(estimate)".
    let input = s
        .wait_for("#composer-input", Duration::from_secs(5))
        .unwrap();
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
    assert!(
        !text.contains("(estimate)"),
        "counted by the service: {text}"
    );
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
    let said = wait_alert(&s);
    assert!(said.contains("does not fit"), "{said}");
    assert!(send_disabled(&s), "Send waits while it does not fit");
    let (now, max, _) = gauge(&s).unwrap();
    assert_eq!(now, max, "the meter is full");
    // Enter does nothing either: the message and its file stay.
    s.type_text(&input, super::webdriver::ENTER).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(s.find_all(".message.user").unwrap().is_empty());
    assert_eq!(
        chips(&s, "#attachment-list")[0].1,
        "ready",
        "nothing was cut by itself"
    );
    s.screenshot("composer-does-not-fit").unwrap();

    // Cut to fit: the chip says it is cut, the alert goes, Send works.
    click_button(&s, "#budget-alert", "Cut to fit");
    wait_ready(&s, "logbook.txt", "truncated");
    wait_fits(&s);
    let (now, max, text) = gauge(&s).unwrap();
    assert!(now < max, "{text}");
    // The price of the send, from the list's price for the picked model.
    let per_million = input_price(&fx, &value_of(&s, "#model-select"));
    let cost = format!("~${:.2}", now as f64 * per_million / 1e6);
    assert!(
        text.ends_with(&format!("tokens · {cost}")),
        "{text} (want {cost})"
    );
    s.screenshot("composer-cut-to-fit").unwrap();

    s.click(&s.wait_for("#send-button", Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_reply(&s, 1);
    let doc = last_document_block(&fx);
    assert!(
        doc["context"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Only part of this file is included."),
        "{}",
        doc["context"]
    );
    let (_, blocks) = fx.last_user_blocks();
    assert!(
        blocks
            .iter()
            .any(|b| b["type"] == "text" && b["text"] == "How long is this?")
    );
}

/// Each page of the atlas opens with its own word, so what was sent shows
/// which pages went.
fn atlas_page(n: usize) -> String {
    let filler = "The survey party measured the valley, the river and the old road again. ";
    format!("Folio{n}marker opens this page. {}", filler.repeat(28))
}

#[test]
fn a_pdf_that_does_not_fit_is_sent_as_the_pages_picked() {
    // A 12,000-token window: the twenty pages do not fit, two of them do.
    let fx = Fixture::with(MockConfig {
        context_window: 12_000,
        ..MockConfig::default()
    });
    let driver = fx.driver();
    let s = open_app(&driver);
    let pages: Vec<String> = (1..=20).map(atlas_page).collect();
    let pdf = super::documents::groff_pdf(&pages.join("\n.bp\n.LP\n"));
    attach(&s, &[("atlas.pdf", pdf)]);
    wait_ready(&s, "atlas.pdf", "ready");
    let said = wait_alert(&s);
    assert!(said.contains("does not fit"), "{said}");
    assert!(send_disabled(&s));

    click_button(&s, "#budget-alert", "Pick pages…");
    wait_until("the pages dialog", Duration::from_secs(5), || {
        dialog_open(&s, "pages-dialog")
    });
    let text = |css: &str| {
        s.execute(
            "return document.querySelector(arguments[0]).textContent",
            json!([css]),
        )
        .unwrap()
    };
    assert_eq!(text("#pages-title"), json!("Pick pages of atlas.pdf"));
    assert!(text("#pages-hint").as_str().unwrap().contains("20 pages"));
    // Past the last page: refused in the dialog, which stays open.
    set_field(&s, "#pages-first", "3");
    set_field(&s, "#pages-last", "25");
    s.click(&s.wait_for("#pages-keep", Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_until("the refusal", Duration::from_secs(5), || {
        s.execute(
            "const e = document.querySelector('#pages-error'); return !e.hidden && e.textContent.length > 0",
            json!([]),
        )
        .unwrap()
            == json!(true)
    });
    assert!(dialog_open(&s, "pages-dialog"));
    assert_eq!(
        value_of(&s, "#pages-last[aria-invalid='true']"),
        json!("25"),
        "the wrong field is marked"
    );
    set_field(&s, "#pages-last", "4");
    s.screenshot("composer-pick-pages").unwrap();
    save_dialog(&s, "#pages-keep", "pages-dialog");
    wait_ready(&s, "atlas.pdf", "truncated");
    wait_fits(&s);

    send(&s, "Which folios are these?");
    wait_reply(&s, 1);
    let doc = last_document_block(&fx);
    let sent = doc["source"]["data"].as_str().unwrap_or_default();
    for n in 3..=4 {
        assert!(
            sent.contains(&format!("Folio{n}marker")),
            "page {n}: {sent}"
        );
    }
    for n in [1, 2, 5, 20] {
        assert!(
            !sent.contains(&format!("Folio{n}marker")),
            "page {n} was left out: {sent}"
        );
    }
    assert!(
        doc["context"]
            .as_str()
            .unwrap_or_default()
            .ends_with("Only pages 3\u{2013}4 of 20 are included."),
        "{}",
        doc["context"]
    );
}

#[test]
fn one_click_analysis_sets_the_system_prompt_and_files_go_alone() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);

    attach(
        &s,
        &[(
            "minutes.txt",
            b"The board met and agreed on nothing.\n".to_vec(),
        )],
    );
    wait_ready(&s, "minutes.txt", "ready");
    // Offered for any file, by the preset's name.
    let button = by_label(&s, "One-click analyses");
    assert!(s.text(&button).unwrap().contains("Document analyst"));
    assert!(
        !s.text(&button).unwrap().contains("Code reviewer"),
        "code review is for source files"
    );
    click_button(&s, "#analyses", "Document analyst");
    let value = s
        .execute(
            "return [document.querySelector('#composer-input').value, document.activeElement.id]",
            json!([]),
        )
        .unwrap();
    assert_eq!(
        value,
        json!([ANALYST_PROMPT, "composer-input"]),
        "filled in and focused"
    );
    let note = s
        .wait_for("#composer-system", Duration::from_secs(5))
        .unwrap();
    assert_eq!(
        s.text(&note).unwrap().trim(),
        "System prompt: Document analyst"
    );
    assert!(
        !s.find_all("#composer-system [aria-label='Clear system prompt']")
            .unwrap()
            .is_empty()
    );
    s.screenshot("composer-analysis").unwrap();

    s.click(&s.wait_for("#send-button", Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_reply(&s, 1);
    let (body, blocks) = fx.last_user_blocks();
    assert_eq!(system_of(&body), ANALYST_SYSTEM);
    assert!(
        blocks
            .iter()
            .any(|b| b["type"] == "text" && b["text"] == ANALYST_PROMPT),
        "{blocks:?}"
    );
    // Sent: the note is gone.
    wait_until("the note to go", Duration::from_secs(5), || {
        s.execute(
            "return document.querySelector('#composer-system').hidden",
            json!([]),
        )
        .unwrap()
            == json!(true)
    });
    // The header shows the conversation's prompt as stored.
    let summary = s
        .wait_for("#system-prompt-summary", Duration::from_secs(5))
        .unwrap();
    wait_until("the header's system prompt", Duration::from_secs(5), || {
        s.text(&summary).unwrap_or_default().trim() == ANALYST_SYSTEM
    });
    // The next message keeps it.
    send(&s, "And the date?");
    wait_reply(&s, 2);
    assert_eq!(system_of(&fx.last_messages_request()), ANALYST_SYSTEM);

    // A file with no text is a message too, titled by the file's name.
    s.click(&s.wait_for("#new-chat", Duration::from_secs(5)).unwrap())
        .unwrap();
    attach(
        &s,
        &[("agenda.txt", b"1. Coffee\n2. More coffee\n".to_vec())],
    );
    wait_ready(&s, "agenda.txt", "ready");
    s.click(&s.wait_for("#send-button", Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_reply(&s, 1);
    let title = s
        .wait_for("#conversation-title", Duration::from_secs(5))
        .unwrap();
    wait_until("the title", Duration::from_secs(10), || {
        s.text(&title).unwrap_or_default().contains("agenda.txt")
    });
    let (body, blocks) = fx.last_user_blocks();
    assert!(
        body.get("system").is_none(),
        "a new chat starts without one"
    );
    assert!(blocks.iter().all(|b| b["type"] != "text"), "{blocks:?}");
}

/// Picks `label` in the select `css` as a person would (the change event fires).
fn pick(s: &Session, css: &str, label: &str) {
    let picked = s
        .execute(
            "const select = document.querySelector(arguments[0]);
             const option = [...select.options].find((o) => o.textContent === arguments[1]);
             if (!option) return false;
             select.value = option.value;
             select.dispatchEvent(new Event('change'));
             return true;",
            json!([css, label]),
        )
        .unwrap();
    assert_eq!(picked, json!(true), "{label} in {css}");
}

fn dialog_open(s: &Session, id: &str) -> bool {
    s.execute(
        "return document.getElementById(arguments[0]).open",
        json!([id]),
    )
    .unwrap()
        == json!(true)
}

fn open_system_dialog(s: &Session) {
    let button = s
        .wait_for("#system-prompt-button", Duration::from_secs(5))
        .unwrap();
    assert_eq!(s.text(&button).unwrap().trim(), "System prompt");
    open_dialog(s, "#system-prompt-button", "system-dialog");
}

fn preset_names(s: &Session, css: &str) -> Vec<String> {
    serde_json::from_value(
        s.execute(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent)",
            json!([css]),
        )
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn a_conversation_keeps_the_system_prompt_set_in_its_dialog_and_presets_are_managed() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let summary = s
        .wait_for("#system-prompt-summary", Duration::from_secs(5))
        .unwrap();
    assert_eq!(s.text(&summary).unwrap().trim(), "No system prompt");

    // A new chat: the prompt picked from a preset goes with the first message.
    open_system_dialog(&s);
    pick(&s, "#system-preset", "Document analyst");
    let text = s.wait_for("#system-text", Duration::from_secs(5)).unwrap();
    assert_eq!(value_of(&s, "#system-text"), json!(ANALYST_SYSTEM));
    save_dialog(&s, "#system-save", "system-dialog");
    assert_eq!(s.text(&summary).unwrap().trim(), ANALYST_SYSTEM);
    send(&s, "First question");
    wait_reply(&s, 1);
    assert_eq!(system_of(&fx.last_messages_request()), ANALYST_SYSTEM);

    // The open conversation: its own prompt, saved, carried by the next message.
    open_system_dialog(&s);
    // Typed, then a second line put in as a paste would (WebDriver's keys
    // drop a newline in a textarea).
    s.execute(
        "const t = document.querySelector('#system-text'); t.value = ''; t.dispatchEvent(new Event('input'));",
        json!([]),
    )
    .unwrap();
    s.type_text(&text, "You are a pirate.").unwrap();
    s.execute(
        "const t = document.querySelector('#system-text'); t.value += '\\nAnswer in one line.'; t.dispatchEvent(new Event('input'));",
        json!([]),
    )
    .unwrap();
    // "Save as preset…" keeps it in the library too.
    s.click(
        &s.wait_for("#system-save-as-button", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    let name = s
        .wait_for("#system-preset-name", Duration::from_secs(5))
        .unwrap();
    s.type_text(&name, "Pirate").unwrap();
    s.click(
        &s.wait_for("#system-preset-add", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the new preset picked", Duration::from_secs(5), || {
        s.execute(
            "const p = document.querySelector('#system-preset'); return p.options[p.selectedIndex].textContent",
            json!([]),
        )
        .unwrap()
            == json!("Pirate")
    });
    s.screenshot("system-prompt-dialog").unwrap();
    save_dialog(&s, "#system-save", "system-dialog");
    wait_until_or(
        "the header's summary",
        Duration::from_secs(5),
        || s.text(&summary).unwrap_or_default().trim() == "You are a pirate.…",
        || {
            format!(
                "{:?} {:?}",
                s.text(&summary),
                s.execute(
                    "return document.querySelector('#system-error').textContent",
                    json!([])
                )
            )
        },
    );
    assert_eq!(
        s.attr(&summary, "title").unwrap().as_deref(),
        Some("You are a pirate.\nAnswer in one line.")
    );
    send(&s, "Second question");
    wait_reply(&s, 2);
    assert_eq!(
        system_of(&fx.last_messages_request()),
        "You are a pirate.\nAnswer in one line."
    );

    // Settings › Presets: the one saved above, the built-ins (Reset, not
    // Delete), one added and one deleted.
    s.click(
        &s.wait_for("#settings-button", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the presets in Settings", Duration::from_secs(10), || {
        preset_names(&s, "#preset-list .preset-name")
            == ["Document analyst", "Code reviewer", "Pirate"]
    });
    assert!(
        !s.find_all("[aria-label='Reset Document analyst']")
            .unwrap()
            .is_empty()
    );
    assert!(
        s.find_all("[aria-label='Delete Document analyst']")
            .unwrap()
            .is_empty()
    );
    s.click(&by_label(&s, "Delete Pirate")).unwrap();
    wait_until("Pirate deleted", Duration::from_secs(10), || {
        preset_names(&s, "#preset-list .preset-name") == ["Document analyst", "Code reviewer"]
    });
    s.click(&s.wait_for("#preset-add", Duration::from_secs(5)).unwrap())
        .unwrap();
    let name = s.wait_for("#preset-name", Duration::from_secs(5)).unwrap();
    s.type_text(&name, "Terse").unwrap();
    s.type_text(
        &s.wait_for("#preset-system", Duration::from_secs(5))
            .unwrap(),
        "Be terse.",
    )
    .unwrap();
    s.click(&s.wait_for("#preset-save", Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_until("Terse added", Duration::from_secs(10), || {
        preset_names(&s, "#preset-list .preset-name")
            == ["Document analyst", "Code reviewer", "Terse"]
    });
    assert!(
        dialog_open(&s, "settings"),
        "the preset's Save is not the panel's"
    );
    s.screenshot("settings-presets").unwrap();
    s.click(
        &s.wait_for("#settings-cancel", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();

    // The dialog's picker has it at once.
    open_system_dialog(&s);
    assert_eq!(
        preset_names(&s, "#system-preset option"),
        ["Custom", "Document analyst", "Code reviewer", "Terse"]
    );
}

fn value_of(s: &Session, css: &str) -> Value {
    s.execute(
        "return document.querySelector(arguments[0]).value",
        json!([css]),
    )
    .unwrap()
}

/// Clicks `button` and waits for the dialog `id` to open.
fn open_dialog(s: &Session, button: &str, id: &str) {
    s.click(&s.wait_for(button, Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_until(&format!("#{id} to open"), Duration::from_secs(5), || {
        dialog_open(s, id)
    });
}

/// Clicks `button` (a dialog's Save) and waits for the dialog `id` to close.
fn save_dialog(s: &Session, button: &str, id: &str) {
    s.click(&s.wait_for(button, Duration::from_secs(5)).unwrap())
        .unwrap();
    wait_until(&format!("#{id} to close"), Duration::from_secs(10), || {
        !dialog_open(s, id)
    });
}

#[test]
fn a_conversations_sampling_and_model_are_saved_and_refusals_say_why() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let button = s
        .wait_for("#sampling-button", Duration::from_secs(5))
        .unwrap();
    assert_eq!(
        s.attr(&button, "disabled").unwrap().as_deref(),
        Some("true"),
        "a new chat takes the defaults"
    );
    send(&s, "Warm up");
    wait_reply(&s, 1);
    wait_until("Sampling usable", Duration::from_secs(5), || {
        s.attr(&button, "disabled").unwrap().is_none()
    });

    // Out of range: the backend's message, in the dialog, which stays open.
    open_dialog(&s, "#sampling-button", "sampling-dialog");
    let hint = s
        .wait_for("#sampling-temperature-hint", Duration::from_secs(5))
        .unwrap();
    assert_eq!(s.text(&hint).unwrap().trim(), "0 to 1", "the limits' range");
    set_field(&s, "#sampling-temperature", "1.5");
    s.click(
        &s.wait_for("#sampling-save", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    let error = s
        .wait_for("#sampling-error", Duration::from_secs(5))
        .unwrap();
    wait_until("the backend's message", Duration::from_secs(10), || {
        s.text(&error).unwrap_or_default() == "Temperature must be between 0 and 1."
    });
    assert!(dialog_open(&s, "sampling-dialog"));
    s.screenshot("sampling-refused").unwrap();

    // In range: saved, and the next request carries it.
    set_field(&s, "#sampling-temperature", "0.3");
    set_field(&s, "#sampling-stop-sequences", "STOP-HERE");
    save_dialog(&s, "#sampling-save", "sampling-dialog");
    send(&s, "Cooler now");
    wait_reply(&s, 2);
    let body = fx.last_messages_request();
    assert_eq!(body["temperature"], json!(0.3), "{body}");
    assert_eq!(body["stop_sequences"], json!(["STOP-HERE"]), "{body}");

    // Reset to defaults fills in the Settings' (none here): saved, gone.
    open_dialog(&s, "#sampling-button", "sampling-dialog");
    assert_eq!(value_of(&s, "#sampling-temperature"), json!("0.3"));
    s.click(
        &s.wait_for("#sampling-reset", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the defaults", Duration::from_secs(5), || {
        value_of(&s, "#sampling-temperature") == json!("")
    });
    save_dialog(&s, "#sampling-save", "sampling-dialog");
    send(&s, "Defaults again");
    wait_reply(&s, 3);
    let body = fx.last_messages_request();
    assert!(body.get("temperature").is_none(), "{body}");

    // The picker saves the conversation's model: reopened, it is still picked.
    pick(&s, "#model-select", "Claude Opus 4.1");
    let model = value_of(&s, "#model-select");
    std::thread::sleep(Duration::from_millis(500));
    s.click(&s.wait_for("#new-chat", Duration::from_secs(5)).unwrap())
        .unwrap();
    s.click(
        &s.wait_for(".conversation-row", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the conversation's model", Duration::from_secs(10), || {
        value_of(&s, "#model-select") == model
    });
    let title = s
        .execute(
            "return document.querySelector('#model-select').title",
            json!([]),
        )
        .unwrap();
    assert!(
        title
            .as_str()
            .unwrap_or_default()
            .contains("Context window: 200,000 tokens"),
        "{title}"
    );
}
