//! PDFs made by real tools at test time (groff, qpdf...) read by
//! `documents`. The tools come from `deps_test` in scripts/lib/deps.sh,
//! which scripts/test.sh runs, so a missing one fails the test by name
//! instead of skipping it: a skip would pass on a broken set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use megallm_core::documents::{
    Document, DocumentError, DocumentImage, MAX_IMAGE_EDGE, MAX_IMAGE_PIXELS, MAX_PAGE_IMAGES,
    extract, extract_with_password,
};

/// Runs `program` with `stdin` and returns its standard output.
fn run(program: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{program}` ({e}): the PDF fixtures need it; \
                 scripts/test.sh installs it (deps_test in scripts/lib/deps.sh)"
            )
        });
    // Fed from a thread: a tool that writes before it has read everything
    // would otherwise block on a full pipe while we block writing to it.
    let mut input = child.stdin.take().expect("stdin was piped");
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || input.write_all(&stdin));
    let out = child.wait_with_output().expect("wait for the tool");
    feeder
        .join()
        .expect("feeder thread")
        .expect("write to the tool");
    assert!(
        out.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A scratch directory for one test's files, removed when dropped.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Self {
        Self(tempfile::tempdir().expect("temp dir"))
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.path().join(file)
    }

    fn write(&self, file: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(file);
        std::fs::write(&path, bytes).expect("write fixture");
        path
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

fn text_of(doc: &Document) -> &str {
    doc.text.as_deref().expect("the document has text")
}

/// A one-page PDF typeset by groff's `-ms` macros and its PDF driver.
fn groff_pdf(source: &str) -> Vec<u8> {
    run("groff", &["-ms", "-Tpdf"], source.as_bytes())
}

const REPORT: &str = ".TL\nQuarterly report\n.PP\n\
    Revenue grew by twelve percent in the third quarter, driven by exports.\n";
const SENTENCE: &str = "Revenue grew by twelve percent in the third quarter";

/// `plain` encrypted by `qpdf --encrypt` with `args` (user password, owner
/// password, key length, options).
fn qpdf_encrypted(scratch: &Scratch, plain: &[u8], args: &[&str]) -> Vec<u8> {
    let input = scratch.write("plain.pdf", plain);
    let output = scratch.path("locked.pdf");
    // RC4 is what old files have; qpdf writes it only when allowed to.
    let mut all = vec!["--allow-weak-crypto", "--encrypt"];
    all.extend_from_slice(args);
    all.extend(["--", path_str(&input), path_str(&output)]);
    run("qpdf", &all, b"");
    std::fs::read(output).expect("qpdf wrote the file")
}

#[test]
fn a_user_password_is_asked_for_checked_and_used() {
    let scratch = Scratch::new();
    let plain = groff_pdf(REPORT);
    for (what, options) in [
        ("AES-256", &["256"][..]),
        ("AES-128", &["128", "--use-aes=y"][..]),
        ("RC4-128", &["128", "--use-aes=n"][..]),
        ("RC4-40", &["40"][..]),
    ] {
        let mut args = vec!["user-pw", "owner-pw"];
        args.extend_from_slice(options);
        let locked = qpdf_encrypted(&scratch, &plain, &args);

        let e = extract("locked.pdf", &locked).unwrap_err();
        assert_eq!(
            e,
            DocumentError::Encrypted {
                name: "locked.pdf".into()
            },
            "{what}"
        );

        let e = extract_with_password("locked.pdf", &locked, "guess").unwrap_err();
        assert_eq!(
            e,
            DocumentError::WrongPassword {
                name: "locked.pdf".into()
            },
            "{what}"
        );
        assert_eq!(
            e.to_app_error().message,
            "“locked.pdf” is encrypted and the password given is wrong. \
             Check the password and try again.",
        );

        for password in ["user-pw", "owner-pw"] {
            let doc = extract_with_password("locked.pdf", &locked, password)
                .unwrap_or_else(|e| panic!("{what} with {password}: {e}"));
            assert!(
                text_of(&doc).contains(SENTENCE),
                "{what}: {}",
                text_of(&doc)
            );
        }
    }
}

#[test]
fn an_owner_only_password_opens_without_asking() {
    let scratch = Scratch::new();
    let locked = qpdf_encrypted(&scratch, &groff_pdf(REPORT), &["", "owner-pw", "256"]);
    for doc in [
        extract("restricted.pdf", &locked).unwrap(),
        // A password typed needlessly does no harm.
        extract_with_password("restricted.pdf", &locked, "anything").unwrap(),
    ] {
        assert!(text_of(&doc).contains(SENTENCE), "{}", text_of(&doc));
    }
}

#[test]
fn a_password_given_for_a_plain_pdf_is_ignored() {
    let plain = groff_pdf(REPORT);
    let with = extract_with_password("plain.pdf", &plain, "unneeded").unwrap();
    assert_eq!(with, extract("plain.pdf", &plain).unwrap());
}

/// [`REPORT`] scanned: groff typesets it and ghostscript rasterises it in
/// grey at 100 dpi.
fn scan_png() -> Vec<u8> {
    let scratch = Scratch::new();
    let typeset = scratch.write("typeset.pdf", &groff_pdf(REPORT));
    let png = scratch.path("scan.png");
    run(
        "gs",
        &[
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pnggray",
            "-r100",
            &format!("-sOutputFile={}", path_str(&png)),
            path_str(&typeset),
        ],
        b"",
    );
    std::fs::read(png).expect("ghostscript wrote the page")
}

/// A PDF of [`scan_png`] made by img2pdf, which wraps a picture as a page:
/// what a scanner's PDF is, images and no text layer.
fn scanned_pdf(scratch: &Scratch) -> Vec<u8> {
    let png = scratch.write("scan.png", &scan_png());
    run("img2pdf", &[path_str(&png)], b"")
}

/// The pages of `parts` one after another, joined by qpdf.
fn joined(scratch: &Scratch, parts: &[&[u8]]) -> Vec<u8> {
    let files: Vec<PathBuf> = parts
        .iter()
        .enumerate()
        .map(|(i, bytes)| scratch.write(&format!("part{i}.pdf"), bytes))
        .collect();
    let output = scratch.path("joined.pdf");
    let mut args = vec!["--empty", "--pages"];
    args.extend(files.iter().map(|f| path_str(f)));
    args.extend(["--", path_str(&output)]);
    run("qpdf", &args, b"");
    std::fs::read(output).expect("qpdf wrote the file")
}

/// The share of a grey picture's pixels that are dark.
fn ink(img: &image::GrayImage) -> f64 {
    let dark = img.pixels().filter(|p| p.0[0] < 128).count();
    dark as f64 / f64::from(img.width() * img.height())
}

/// Decodes a page image and checks it is within the API's limits, shaped
/// like an A4 page (groff's default on Debian) and as inked as the scan it
/// was drawn from (the same share of dark pixels, give or take resampling).
fn check_page_image(image: &DocumentImage) {
    assert_eq!(image.media_type, "image/png");
    let decoded = image::load_from_memory(&image.data)
        .expect("a PNG")
        .to_luma8();
    let (w, h) = decoded.dimensions();
    assert_eq!((w, h), (image.width, image.height));
    assert!(w.max(h) <= MAX_IMAGE_EDGE, "{w}x{h}");
    assert!(u64::from(w) * u64::from(h) <= MAX_IMAGE_PIXELS, "{w}x{h}");
    let aspect = f64::from(h) / f64::from(w);
    assert!((aspect - 297.0 / 210.0).abs() < 0.01, "{w}x{h}");
    let scan = image::load_from_memory(&scan_png())
        .expect("a PNG")
        .to_luma8();
    let ratio = ink(&decoded) / ink(&scan);
    assert!((0.5..2.0).contains(&ratio), "ink {ratio} times the scan's");
}

#[test]
fn a_scanned_page_is_sent_as_an_image_beside_the_text_pages() {
    let scratch = Scratch::new();
    let scan = scanned_pdf(&scratch);
    let mixed = joined(&scratch, &[&groff_pdf(REPORT), &scan]);
    let doc = extract("mixed.pdf", &mixed).unwrap();
    assert_eq!(doc.pages, Some(2));
    let text = text_of(&doc);
    assert!(text.starts_with("[Page 1]\n\n"), "{text}");
    assert!(text.contains(SENTENCE), "{text}");
    assert!(
        text.ends_with("\n\n[Page 2] (scanned: sent as an image)"),
        "{text}"
    );
    assert_eq!(doc.page_images.len(), 1);
    assert_eq!(doc.page_images[0].page, 2);
    check_page_image(&doc.page_images[0].image);
    assert_eq!(
        doc.notes,
        ["No text layer on page 2 (scanned): sent as images."]
    );
    assert!(!doc.truncated);
}

#[test]
fn a_pdf_of_scans_only_has_images_instead_of_no_text() {
    let scratch = Scratch::new();
    let doc = extract("scan.pdf", &scanned_pdf(&scratch)).unwrap();
    assert_eq!(text_of(&doc), "[Page 1] (scanned: sent as an image)");
    assert_eq!(doc.page_images.len(), 1);
    check_page_image(&doc.page_images[0].image);
}

#[test]
fn encrypted_scans_are_drawn_too() {
    let scratch = Scratch::new();
    let scan = scanned_pdf(&scratch);
    // hayro reads an owner-only file itself; a user password goes through
    // lopdf's plain copy.
    let owner_only = qpdf_encrypted(&scratch, &scan, &["", "owner-pw", "256"]);
    let locked = qpdf_encrypted(
        &scratch,
        &scan,
        &["user-pw", "owner-pw", "128", "--use-aes=y"],
    );
    for doc in [
        extract("restricted.pdf", &owner_only).unwrap(),
        extract_with_password("locked.pdf", &locked, "owner-pw").unwrap(),
    ] {
        assert_eq!(doc.page_images.len(), 1, "{}", doc.name);
        check_page_image(&doc.page_images[0].image);
    }
}

#[test]
fn only_the_first_pages_without_text_are_drawn() {
    let scratch = Scratch::new();
    let scan = scanned_pdf(&scratch);
    let pages = MAX_PAGE_IMAGES + 3;
    let many = joined(&scratch, &vec![&scan[..]; pages]);
    let doc = extract("archive.pdf", &many).unwrap();
    assert_eq!(doc.page_images.len(), MAX_PAGE_IMAGES);
    let drawn: Vec<u32> = doc.page_images.iter().map(|p| p.page).collect();
    assert_eq!(drawn, (1..=20).collect::<Vec<u32>>());
    assert!(doc.truncated);
    assert!(
        text_of(&doc).ends_with("[Page 23] (no text layer)"),
        "{}",
        text_of(&doc)
    );
    assert_eq!(
        doc.notes,
        [
            "No text layer on page 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, \
             18, 19, 20 (scanned): sent as images.",
            "Only 20 pages are sent as images; page 21, 22, 23 left out."
        ]
    );
}

/// One Helvetica page showing `text` as its bytes are, with no ToUnicode
/// map: what an old Russian PDF with a windows-1251 font declared as Latin
/// looks like to every text extractor.
fn pdf_with_raw_text(text: &[u8]) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut content = b"BT /F1 14 Tf 72 700 Td (".to_vec();
    content.extend_from_slice(text);
    content.extend_from_slice(b") Tj ET");
    let contents = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the PDF");
    out
}

#[test]
fn a_text_layer_of_noise_is_drawn_instead_of_sent() {
    let (russian, _, _) = encoding_rs::WINDOWS_1251
        .encode("Съешь же ещё этих мягких французских булок, да выпей чаю.");
    let doc = extract("old.pdf", &pdf_with_raw_text(&russian)).unwrap();
    assert_eq!(
        text_of(&doc),
        "[Page 1] (unreadable text: sent as an image)"
    );
    assert_eq!(doc.page_images.len(), 1);
    assert_eq!(
        doc.notes,
        ["Unreadable text on page 1 (a font without a Unicode map): sent as images."]
    );
    // The same page in Latin text is text.
    let doc = extract(
        "new.pdf",
        &pdf_with_raw_text(b"Eat some more of these soft French rolls and drink some tea."),
    )
    .unwrap();
    assert!(doc.page_images.is_empty());
    assert!(
        text_of(&doc).contains("soft French rolls"),
        "{}",
        text_of(&doc)
    );
}
