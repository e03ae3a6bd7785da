//! Files attached to a message in the window: chips, errors, the preview,
//! what reaches the service, search, and the chips after a restart.

use std::time::Duration;

use serde_json::{Value, json};

use super::webdriver::{Element, Session};
use super::{Fixture, open_app, send, wait_until};

/// In the text file only: the question does not say it, so neither does
/// the echoed reply, and search can only find it through the attachment.
const WORD: &str = "quokkazebrafish";
const TEXT_NAME: &str = "field-notes.txt";
const IMAGE_NAME: &str = "swatch.png";
const SPARE_NAME: &str = "spare.txt";
const EMPTY_NAME: &str = "empty.txt";
const HOSTILE_NAME: &str = "\"><img src=x onerror=alert(1)>.pdf";
const QUESTION: &str = "What do these files say?";

/// Hands files to the composer's file input, as the picker would: each is
/// `[name, [bytes...]]`. `alert` is replaced first, so markup that ran would
/// leave a trace instead of a modal.
pub(super) fn attach(s: &Session, files: &[(&str, Vec<u8>)]) {
    let files: Vec<Value> = files
        .iter()
        .map(|(name, bytes)| json!([name, bytes]))
        .collect();
    s.execute(
        "window.__alerts = window.__alerts || [];
         window.alert = (m) => window.__alerts.push(String(m));
         const input = document.querySelector('#attach-file');
         const dt = new DataTransfer();
         for (const [name, bytes] of arguments[0]) dt.items.add(new File([new Uint8Array(bytes)], name));
         input.files = dt.files;
         input.dispatchEvent(new Event('change'));",
        json!([files]),
    )
    .unwrap();
}

/// The composer's chips: (name, state, text shown).
pub(super) fn chips(s: &Session, list: &str) -> Vec<(String, String, String)> {
    let v = s
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' [role=listitem]')].map((li) =>
               [li.querySelector('.chip-name').textContent, li.dataset.state, li.textContent])",
            json!([list]),
        )
        .unwrap();
    serde_json::from_value(v).unwrap()
}

fn chip<'a>(all: &'a [(String, String, String)], name: &str) -> &'a (String, String, String) {
    all.iter()
        .find(|c| c.0 == name)
        .unwrap_or_else(|| panic!("no chip for {name}: {all:?}"))
}

pub(super) fn by_label(s: &Session, label: &str) -> Element {
    s.wait_for(&format!("[aria-label='{label}']"), Duration::from_secs(5))
        .unwrap()
}

/// Clicks the chip of `name` in `list` and waits for its preview to show `what`
/// (`pre` or `img`); returns the dialog's text, or the image's natural width.
fn preview(s: &Session, list: &str, name: &str, what: &str) -> String {
    let opened = s
        .execute(
            "const li = [...document.querySelectorAll(arguments[0] + ' [role=listitem]')]
               .find((li) => li.querySelector('.chip-name').textContent === arguments[1]);
             const open = li && li.querySelector('.chip-open');
             if (!open) return false;
             open.click();
             return true;",
            json!([list, name]),
        )
        .unwrap();
    assert_eq!(opened, json!(true), "{name} has a chip that opens");
    let dialog = s
        .wait_for("[role=dialog][open]", Duration::from_secs(5))
        .unwrap();
    assert_eq!(
        s.attr(&dialog, "aria-label").unwrap().as_deref(),
        Some(format!("Preview of {name}").as_str())
    );
    let mut shown = String::new();
    wait_until("the preview's contents", Duration::from_secs(10), || {
        let v = s
            .execute(
                "const d = document.querySelector('#preview');
                 if (arguments[0] === 'img') {
                   const img = d.querySelector('.preview-body img');
                   return img && img.complete && img.naturalWidth > 0 ? String(img.naturalWidth) : null;
                 }
                 return d.querySelector('.preview-body pre')?.textContent ?? null;",
                json!([what]),
            )
            .unwrap();
        shown = v.as_str().unwrap_or_default().to_owned();
        !v.is_null()
    });
    shown
}

fn close_preview(s: &Session) {
    s.click(
        &s.wait_for("#preview-close", Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    wait_until("the preview to close", Duration::from_secs(5), || {
        s.find_all("[role=dialog][open]").unwrap().is_empty()
    });
}

#[test]
fn files_are_attached_previewed_sent_found_and_kept() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let (width, height) = (3, 2);
    {
        let s = open_app(&driver);
        // The button is there for the keyboard and the picker.
        let button = by_label(&s, "Attach files");
        assert_eq!(s.attr(&button, "type").unwrap().as_deref(), Some("button"));

        attach(
            &s,
            &[
                (
                    TEXT_NAME,
                    format!("Notes from the field.\nThe {WORD} was seen twice.\n").into_bytes(),
                ),
                (IMAGE_NAME, png(width, height)),
                (SPARE_NAME, b"not needed after all".to_vec()),
                (EMPTY_NAME, vec![]),
                (
                    HOSTILE_NAME,
                    vec![0x00, 0xff, 0x13, 0x37, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00],
                ),
            ],
        );
        // Every file has its chip at once; then each is read.
        assert_eq!(chips(&s, "#attachment-list").len(), 5);
        let mut now = vec![];
        wait_until("every file read", Duration::from_secs(30), || {
            now = chips(&s, "#attachment-list");
            now.iter().all(|c| c.1 != "waiting" && c.1 != "extracting")
        });
        assert_eq!(chip(&now, TEXT_NAME).1, "ready", "{now:?}");
        assert_eq!(chip(&now, IMAGE_NAME).1, "ready", "{now:?}");
        assert!(chip(&now, TEXT_NAME).2.contains("tokens"), "{now:?}");
        assert!(chip(&now, IMAGE_NAME).2.contains("Image"), "{now:?}");
        s.screenshot("documents-chips").unwrap();

        // The refused files say why, naming the file; the hostile name is
        // text, and nothing in it ran.
        for name in [EMPTY_NAME, HOSTILE_NAME] {
            let (_, state, text) = chip(&now, name);
            assert_eq!(state, "error", "{name}: {now:?}");
            assert!(
                text.contains(&format!("“{name}”")),
                "the message names {name}: {text}"
            );
        }
        assert!(chip(&now, EMPTY_NAME).2.contains("empty"), "{now:?}");
        assert!(
            s.find_all("#composer img, #composer [onerror], .attachment-chip script")
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.execute("return window.__alerts", json!([])).unwrap(),
            json!([])
        );
        s.screenshot("documents-error").unwrap();

        // The preview is what the model will read.
        let text = preview(&s, "#attachment-list", TEXT_NAME, "pre");
        assert!(text.contains(WORD), "{text}");
        s.screenshot("documents-preview").unwrap();
        close_preview(&s);
        let shown = preview(&s, "#attachment-list", IMAGE_NAME, "img");
        assert_eq!(shown, width.to_string());
        close_preview(&s);

        // A chip removed is not sent.
        s.click(&by_label(&s, &format!("Remove {SPARE_NAME}")))
            .unwrap();
        wait_until("the spare chip to go", Duration::from_secs(5), || {
            chips(&s, "#attachment-list")
                .iter()
                .all(|c| c.0 != SPARE_NAME)
        });

        send(&s, QUESTION);
        s.wait_for(
            ".message.assistant[data-status='complete']",
            Duration::from_secs(30),
        )
        .unwrap();
        wait_until(
            "the composer's chips to clear",
            Duration::from_secs(5),
            || chips(&s, "#attachment-list").is_empty(),
        );
        let sent = chips(&s, ".message.user");
        let names: Vec<&str> = sent.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, [TEXT_NAME, IMAGE_NAME], "the error chips stayed out");
        s.screenshot("documents-sent").unwrap();

        // What the service got: the files before the question, the last one
        // marked for the prompt cache.
        let (body, blocks) = fx.last_user_blocks();
        let at = |what: &dyn Fn(&Value) -> bool| blocks.iter().position(what);
        let doc = at(&|b| b["type"] == "document" && b["title"] == TEXT_NAME)
            .unwrap_or_else(|| panic!("no document block titled {TEXT_NAME}: {blocks:?}"));
        assert!(
            serde_json::to_string(&blocks[doc]["source"])
                .unwrap()
                .contains(WORD),
            "{:?}",
            blocks[doc]
        );
        let image = at(&|b| b["type"] == "image").expect("an image block");
        let question = at(&|b| b["type"] == "text" && b["text"] == QUESTION).expect("the question");
        assert!(doc < question && image < question, "{blocks:?}");
        let files: Vec<usize> = (0..blocks.len())
            .filter(|&i| blocks[i]["type"] == "document" || blocks[i]["type"] == "image")
            .collect();
        assert_eq!(
            files.len(),
            2,
            "the spare and the refused files were not sent: {blocks:?}"
        );
        let last_file = *files.last().unwrap();
        assert!(
            blocks[last_file].get("cache_control").is_some(),
            "{:?}",
            blocks[last_file]
        );
        assert!(
            !serde_json::to_string(&body)
                .unwrap()
                .contains("not needed after all")
        );

        // Search finds the conversation by the word only the file has.
        let search = s.wait_for("#search-input", Duration::from_secs(5)).unwrap();
        s.type_text(&search, WORD).unwrap();
        wait_until("a search hit", Duration::from_secs(10), || {
            !s.find_all(".search-hit").unwrap().is_empty()
        });
    }

    // After a restart the message still shows its chips, and they open.
    let s = open_app(&driver);
    let row = s
        .wait_for(".conversation-row", Duration::from_secs(10))
        .unwrap();
    s.click(&row).unwrap();
    let mut sent = vec![];
    wait_until("the stored chips", Duration::from_secs(10), || {
        sent = chips(&s, ".message.user");
        sent.len() == 2
    });
    assert_eq!(chip(&sent, TEXT_NAME).1, "ready");
    let text = preview(&s, ".message.user", TEXT_NAME, "pre");
    assert!(text.contains(WORD), "{text}");
    close_preview(&s);
    let shown = preview(&s, ".message.user", IMAGE_NAME, "img");
    assert_eq!(shown, width.to_string());
    close_preview(&s);
}

/// A `width` × `height` RGB PNG, encoded here (stored deflate blocks) so the
/// test needs no image crate.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = vec![];
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            raw.extend([(x * 80) as u8, (y * 120) as u8, 200]);
        }
    }
    let len = u16::try_from(raw.len()).unwrap();
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend(len.to_le_bytes());
    zlib.extend((!len).to_le_bytes());
    zlib.extend(&raw);
    zlib.extend(adler32(&raw).to_be_bytes());
    let mut ihdr = vec![];
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IDAT", &zlib), (b"IEND", &[])] {
        out.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        let typed: Vec<u8> = kind.iter().chain(data).copied().collect();
        out.extend(&typed);
        out.extend(crc32(&typed).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// A PDF typeset by groff (installed by scripts/test.sh: deps_test); `.bp`
/// lines in `text` start new pages.
pub(super) fn groff_pdf(text: &str) -> Vec<u8> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut groff = Command::new("groff")
        .args(["-ms", "-Tpdf"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("groff runs");
    let mut input = groff.stdin.take().unwrap();
    let source = format!(".LP\n{text}\n");
    // Written from a thread: groff writes pages while it reads, and a long
    // text would fill both pipes while we are still writing.
    let feeder = std::thread::spawn(move || input.write_all(source.as_bytes()));
    let plain = groff.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(plain.status.success());
    plain.stdout
}

/// [`groff_pdf`] encrypted by qpdf with user password `pw`.
fn encrypted_pdf(text: &str, pw: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("plain.pdf"), dir.path().join("locked.pdf"));
    std::fs::write(&src, groff_pdf(text)).unwrap();
    let ok = std::process::Command::new("qpdf")
        .args(["--encrypt", pw, "owner-of-it", "256", "--"])
        .arg(&src)
        .arg(&dst)
        .status()
        .expect("qpdf runs");
    assert!(ok.success());
    std::fs::read(&dst).unwrap()
}

#[test]
fn an_encrypted_pdf_asks_for_its_password_on_its_chip() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let name = "salary-review.pdf";
    attach(
        &s,
        &[(
            name,
            encrypted_pdf("The wallaby budget is final.", "open-sesame"),
        )],
    );
    let field = by_label(&s, &format!("Password for {name}"));
    wait_until("the locked chip", Duration::from_secs(20), || {
        chips(&s, "#attachment-list")
            .iter()
            .any(|c| c.0 == name && c.1 == "password")
    });
    s.screenshot("documents-password").unwrap();

    s.type_text(&field, "not-it").unwrap();
    s.click(&by_label(&s, &format!("Unlock {name}"))).unwrap();
    let alert = s
        .wait_for(
            "#attachment-list .chip-error[role=alert]",
            Duration::from_secs(20),
        )
        .unwrap();
    assert!(
        s.text(&alert).unwrap().contains("password given is wrong"),
        "{}",
        s.text(&alert).unwrap()
    );

    let field = by_label(&s, &format!("Password for {name}"));
    s.type_text(&field, "open-sesame").unwrap();
    s.click(&by_label(&s, &format!("Unlock {name}"))).unwrap();
    wait_until("the unlocked chip", Duration::from_secs(20), || {
        chips(&s, "#attachment-list")
            .iter()
            .any(|c| c.0 == name && c.1 == "ready")
    });
    send(&s, "What is final?");
    wait_until("the reply", Duration::from_secs(20), || {
        !s.find_all(".message.assistant[data-status='complete']")
            .unwrap()
            .is_empty()
    });
    let req = fx.last_messages_request();
    let doc = &req["messages"][0]["content"][0];
    assert_eq!(doc["title"], name);
    assert!(
        doc["source"]["data"]
            .as_str()
            .unwrap()
            .contains("wallaby budget"),
        "{doc}"
    );
}

#[test]
fn a_pdf_can_be_sent_as_itself() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let name = "brochure.pdf";
    attach(&s, &[(name, groff_pdf("Numbat tours run daily."))]);
    let original = by_label(&s, &format!("Send the original PDF of {name}"));
    wait_until("the ready chip", Duration::from_secs(20), || {
        chips(&s, "#attachment-list")
            .iter()
            .any(|c| c.0 == name && c.1 == "ready")
    });
    s.click(&original).unwrap();
    wait_until("the option applied", Duration::from_secs(10), || {
        s.execute(
            "return document.querySelector('.chip-original').checked",
            json!([]),
        )
        .unwrap()
            == json!(true)
    });
    send(&s, "When do tours run?");
    wait_until("the reply", Duration::from_secs(20), || {
        !s.find_all(".message.assistant[data-status='complete']")
            .unwrap()
            .is_empty()
    });
    let doc = &fx.last_messages_request()["messages"][0]["content"][0];
    assert_eq!(doc["source"]["type"], "base64", "{doc}");
    assert_eq!(doc["source"]["media_type"], "application/pdf");
    assert_eq!(doc["title"], name);
}

/// A PDF of one picture and no text, as a scanner makes it (img2pdf).
fn scanned_pdf(width: u32, height: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.png");
    std::fs::write(&page, png(width, height)).unwrap();
    let out = std::process::Command::new("img2pdf")
        .arg(&page)
        .output()
        .expect("img2pdf runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_scanned_pdf_says_its_pages_go_as_pictures_and_sends_them() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let name = "receipt-scan.pdf";
    attach(&s, &[(name, scanned_pdf(150, 100))]);
    let mut now = vec![];
    wait_until("the scanned chip", Duration::from_secs(30), || {
        now = chips(&s, "#attachment-list");
        now.iter().any(|c| c.0 == name && c.1 == "ready")
    });
    assert!(
        chip(&now, name).2.contains("1 page (1 as images)"),
        "{now:?}"
    );
    s.screenshot("documents-scanned").unwrap();
    send(&s, "What does the receipt say?");
    s.wait_for(
        ".message.assistant[data-status='complete']",
        Duration::from_secs(30),
    )
    .unwrap();
    let (_, blocks) = fx.last_user_blocks();
    let kinds: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["document", "image", "text"], "{blocks:?}");
    assert!(
        serde_json::to_string(&blocks[0]["source"])
            .unwrap()
            .contains("[Page 1] (scanned: sent as an image)"),
        "{:?}",
        blocks[0]
    );
    assert_eq!(blocks[1]["source"]["media_type"], "image/png");
}

/// How many chips of the composer are in each state.
fn chip_states(s: &Session) -> std::collections::BTreeMap<String, u64> {
    let v = s
        .execute(
            "const n = {};
             for (const li of document.querySelectorAll('#attachment-list [role=listitem]'))
               n[li.dataset.state] = (n[li.dataset.state] || 0) + 1;
             return n;",
            json!([]),
        )
        .unwrap();
    serde_json::from_value(v).unwrap()
}

#[test]
fn a_thousand_dropped_files_get_their_chips_at_once_and_are_read_two_at_a_time() {
    const FILES: u64 = 1000;
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    // Made in the page and dragged over the window as a file manager would.
    let overlay = s
        .execute(
            "window.__dropped = new DataTransfer();
             for (let i = 1; i <= arguments[0]; i++)
               __dropped.items.add(new File([`Note ${i}: the tide was high at dawn.\n`], `note-${i}.txt`));
             document.body.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: __dropped }));
             document.body.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: __dropped }));
             return !document.querySelector('#drop-overlay').hidden;",
            json!([FILES]),
        )
        .unwrap();
    assert_eq!(
        overlay,
        json!(true),
        "the drop overlay shows over the window"
    );
    s.screenshot("documents-drop-overlay").unwrap();
    let navigated = s
        .execute(
            "const drop = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: __dropped });
             document.body.dispatchEvent(drop);
             return drop.defaultPrevented;",
            json!([]),
        )
        .unwrap();
    assert_eq!(
        navigated,
        json!(true),
        "the window never opens a dropped file itself"
    );

    // Every file has its chip before any is read; never more than two are
    // read at once, however many wait.
    let first = chip_states(&s);
    assert_eq!(first.values().sum::<u64>(), FILES, "{first:?}");
    assert!(
        first.get("waiting").copied().unwrap_or(0) >= FILES - 2,
        "{first:?}"
    );
    s.screenshot("documents-reading").unwrap();
    assert_eq!(
        s.execute(
            "return document.querySelector('#drop-overlay').hidden",
            json!([])
        )
        .unwrap(),
        json!(true)
    );
    let mut most_at_once = 0;
    let mut now = first;
    wait_until("every dropped file read", Duration::from_secs(600), || {
        now = chip_states(&s);
        most_at_once = most_at_once.max(now.get("extracting").copied().unwrap_or(0));
        now.get("ready").copied().unwrap_or(0) == FILES
    });
    assert!(most_at_once <= 2, "{most_at_once} files were read at once");
    assert_eq!(now.values().sum::<u64>(), FILES, "{now:?}");
    s.screenshot("documents-thousand").unwrap();

    // The window still weighs the send: a thousand notes' worth of tokens.
    let input = s
        .wait_for("#composer-input", Duration::from_secs(5))
        .unwrap();
    s.type_text(&input, "Summarise the notes.").unwrap();
    wait_until("the gauge", Duration::from_secs(30), || {
        s.execute(
            "const m = document.querySelector('#context-gauge');
             return !m.hidden && Number(m.getAttribute('aria-valuenow')) > arguments[0];",
            json!([FILES * 5]),
        )
        .unwrap()
            == json!(true)
    });
}

#[test]
fn a_pasted_picture_is_attached_and_pasted_text_stays_text() {
    let fx = Fixture::new(0.0);
    let driver = fx.driver();
    let s = open_app(&driver);
    let paste = |with_text: bool| {
        s.execute(
            "const dt = new DataTransfer();
             dt.items.add(new File([new Uint8Array(arguments[0])], 'image.png', { type: 'image/png' }));
             if (arguments[1]) dt.setData('text/plain', 'Quarterly figures');
             const input = document.querySelector('#composer-input');
             input.focus();
             const e = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
             input.dispatchEvent(e);
             return e.defaultPrevented;",
            json!([png(4, 3), with_text]),
        )
        .unwrap()
    };
    // Copied from an office program: the text and a picture of it. The text
    // is what the user meant; no chip.
    assert_eq!(paste(true), json!(false), "the text is pasted as usual");
    assert!(chips(&s, "#attachment-list").is_empty());
    // A screenshot on the clipboard: attached.
    assert_eq!(paste(false), json!(true));
    wait_until("the pasted picture", Duration::from_secs(20), || {
        chips(&s, "#attachment-list")
            .iter()
            .any(|c| c.0 == "image.png" && c.1 == "ready" && c.2.contains("Image"))
    });
    s.screenshot("documents-pasted").unwrap();
}
