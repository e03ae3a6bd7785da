//! PDF: the text layer page by page in reading order (pdf-inspector keeps
//! columns apart and tables as rows), each page under a `[Page N]` marker.
//! Pages without a usable text layer (scans, fonts without a Unicode map)
//! are drawn by hayro and sent as images instead, up to
//! [`MAX_PAGE_IMAGES`]; blank ones and the rest are named in a note.
//!
//! An encrypted file is opened with the empty password when that works
//! (many "encrypted" PDFs only restrict printing or copying); otherwise it
//! needs the user's password, which lopdf checks and removes so the
//! engines after it see a plain file.

use std::borrow::Cow;

use pdf_inspector::{OCR_REASON_SUSPECTED_GARBLED_TEXT, PdfError, extract_pages_markdown_mem};

use super::{Document, DocumentError, DocumentKind, PageImage, guarded};

mod columns;
mod garbled;
mod owner_password;
mod render;

/// Pages sent as images at most: each is up to ~1,600 tokens, and requests
/// with more than 20 images get a lower size limit at the API.
pub const MAX_PAGE_IMAGES: usize = 20;

/// Streams lopdf inflates while decrypting are bounded as pdf-inspector
/// bounds its own loads, so a password does not open a decompression bomb
/// that the plain path would have refused.
const MAX_STREAM_DECOMPRESSED_BYTES: usize = 8 * 1024 * 1024;

pub fn pdf(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    pdf_with_password(name, bytes, "")
}

/// [`pdf`] for an encrypted file: `password` is the user or the owner
/// password. The empty password is always tried first, so it opens files
/// that need none as well.
pub fn pdf_with_password(
    name: &str,
    bytes: &[u8],
    password: &str,
) -> Result<Document, DocumentError> {
    let plain = if password.is_empty() {
        // pdf-inspector tries the empty password itself.
        Cow::Borrowed(bytes)
    } else {
        guarded(name, || decrypt(name, bytes, password))?
    };
    let extraction = guarded(name, || {
        extract_pages_markdown_mem(&plain, None).map_err(|e| pdf_error(name, e))
    })?;
    let mut doc = Document::new(name, DocumentKind::Pdf);
    doc.pages = Some(u32::try_from(extraction.pages.len()).unwrap_or(u32::MAX));
    let texts: Vec<Cow<'_, str>> = extraction
        .pages
        .iter()
        .map(|page| columns::unfold_prose_tables(page.markdown.trim()))
        .collect();
    let mut pages = Vec::with_capacity(extraction.pages.len());
    for (page, markdown) in extraction.pages.iter().zip(&texts) {
        let markdown: &str = markdown;
        // pdf-inspector empties the text of every page it flags, saying why
        // for some; the rest (no text, glyph-ID fonts, text drawn as
        // shapes) read to the user as scans.
        let read = if page.ocr_reason.as_deref() == Some(OCR_REASON_SUSPECTED_GARBLED_TEXT)
            || (!page.needs_ocr && garbled::is_garbled(markdown))
        {
            Read::Garbled
        } else if page.needs_ocr || markdown.is_empty() {
            Read::Scanned
        } else {
            Read::Text(markdown)
        };
        pages.push((page.page.saturating_add(1), read));
    }
    let shown = draw_unreadable(name, &plain, &pages, &mut doc);

    let mut sections = Vec::with_capacity(pages.len());
    for (&(number, read), outcome) in pages.iter().zip(&shown) {
        sections.push(match (outcome, read) {
            (_, Read::Text(markdown)) => format!("[Page {number}]\n\n{markdown}"),
            (Shown::Drawn, _) => format!("[Page {number}] (scanned: sent as an image)"),
            (Shown::DrawnGarbled, _) => {
                format!("[Page {number}] (unreadable text: sent as an image)")
            }
            (_, Read::Garbled) => format!("[Page {number}] (unreadable text)"),
            _ => format!("[Page {number}] (no text layer)"),
        });
    }
    let numbers = |want: Shown| -> Vec<String> {
        pages
            .iter()
            .zip(&shown)
            .filter(|(_, outcome)| **outcome == want)
            .map(|((number, _), _)| number.to_string())
            .collect()
    };
    if numbers(Shown::Text).is_empty() && doc.page_images.is_empty() {
        return Err(DocumentError::NoText {
            name: name.to_owned(),
        });
    }
    for (outcome, note) in [
        (
            Shown::Drawn,
            "No text layer on page {} (scanned): sent as images.",
        ),
        (
            Shown::DrawnGarbled,
            "Unreadable text on page {} (a font without a Unicode map): sent as images.",
        ),
        (
            Shown::Blank,
            "No readable text on page {} (scanned, or a font without a Unicode map).",
        ),
        (Shown::Failed, "Page {} could not be drawn as an image."),
    ] {
        let listed = numbers(outcome);
        if !listed.is_empty() {
            doc.notes.push(note.replace("{}", &listed.join(", ")));
        }
    }
    let over_cap = numbers(Shown::OverCap);
    if !over_cap.is_empty() {
        doc.truncated = true;
        doc.notes.push(format!(
            "Only {MAX_PAGE_IMAGES} pages are sent as images; page {} left out.",
            over_cap.join(", ")
        ));
    }
    doc.set_text(sections.join("\n\n"))?;
    Ok(doc)
}

/// How a page's text layer reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read<'a> {
    Text(&'a str),
    /// No text at all: a scan, or a blank page.
    Scanned,
    /// Text that is noise: a font without a Unicode map.
    Garbled,
}

/// What became of a page without readable text; a page with text is
/// `Text`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Text,
    Drawn,
    DrawnGarbled,
    /// Nothing on it to draw: named in the "no readable text" note.
    Blank,
    Failed,
    /// Past [`MAX_PAGE_IMAGES`].
    OverCap,
}

/// Draws the pages without readable text into `doc.page_images`, the first
/// [`MAX_PAGE_IMAGES`] of them, and says for each page what became of it.
fn draw_unreadable(
    name: &str,
    bytes: &[u8],
    pages: &[(u32, Read<'_>)],
    doc: &mut Document,
) -> Vec<Shown> {
    let mut renderer = None;
    let mut shown = Vec::with_capacity(pages.len());
    for &(number, read) in pages {
        if let Read::Text(_) = read {
            shown.push(Shown::Text);
            continue;
        }
        if doc.page_images.len() >= MAX_PAGE_IMAGES {
            shown.push(Shown::OverCap);
            continue;
        }
        // Parsed for hayro only when a page needs drawing.
        let pages = renderer.get_or_insert_with(|| render::Pages::open(name, bytes));
        let index = usize::try_from(number.saturating_sub(1)).unwrap_or(usize::MAX);
        let drawn = match pages {
            Ok(pages) => pages.draw(name, index),
            Err(e) => Err(e.clone()),
        };
        shown.push(match drawn {
            Ok(render::Drawn::Image(image)) => {
                doc.page_images.push(PageImage {
                    page: number,
                    image,
                });
                if read == Read::Garbled {
                    Shown::DrawnGarbled
                } else {
                    Shown::Drawn
                }
            }
            Ok(render::Drawn::Blank) => Shown::Blank,
            Err(_) => Shown::Failed,
        });
    }
    shown
}

/// The file decrypted with `password` and written back out in the clear
/// (pdf-inspector's per-page reader takes no password, and one decryption
/// serves every engine after it); a file that is not encrypted comes back
/// as it was.
fn decrypt<'a>(
    name: &str,
    bytes: &'a [u8],
    password: &str,
) -> Result<Cow<'a, [u8]>, DocumentError> {
    // Without a password first: lopdf opens owner-only files with the empty
    // one, and the encryption dictionary is needed to read `password` right.
    let locked = load(name, bytes, None)?;
    if !locked.is_encrypted() {
        return if locked.was_encrypted() {
            save(name, locked)
        } else {
            Ok(Cow::Borrowed(bytes))
        };
    }
    let wrong = || DocumentError::WrongPassword {
        name: name.to_owned(),
    };
    let key_password = key_password(&locked, password).ok_or_else(wrong)?;
    let doc = load(name, bytes, Some(key_password))?;
    if doc.is_encrypted() {
        return Err(wrong());
    }
    save(name, doc)
}

fn load(
    name: &str,
    bytes: &[u8],
    password: Option<String>,
) -> Result<lopdf::Document, DocumentError> {
    let options = lopdf::LoadOptions {
        password,
        max_decompressed_size: Some(MAX_STREAM_DECOMPRESSED_BYTES),
        ..lopdf::LoadOptions::default()
    };
    lopdf::Document::load_mem_with_options(bytes, options).map_err(|e| lopdf_error(name, e))
}

fn save<'a>(name: &str, mut doc: lopdf::Document) -> Result<Cow<'a, [u8]>, DocumentError> {
    let mut plain = Vec::new();
    doc.save_to(&mut plain)
        .map_err(|e| lopdf_error(name, lopdf::Error::IO(e)))?;
    Ok(Cow::Owned(plain))
}

/// The password to give lopdf for `typed`: itself when it is the user
/// password or an AES-256 owner password; for an owner password of an older
/// handler, the user password it unlocks (see [`owner_password`]). `None`
/// when it is neither password.
fn key_password(locked: &lopdf::Document, typed: &str) -> Option<String> {
    if locked.authenticate_user_password(typed).is_ok() {
        return Some(typed.to_owned());
    }
    locked.authenticate_owner_password(typed).ok()?;
    let dict = locked.get_encrypted().ok()?;
    let revision = dict.get(b"R").and_then(lopdf::Object::as_i64).ok()?;
    if revision >= 5 {
        return Some(typed.to_owned());
    }
    let o = dict.get(b"O").and_then(lopdf::Object::as_str).ok()?;
    let length = dict.get(b"Length").and_then(lopdf::Object::as_i64).ok();
    // PDFDocEncoding is Latin-1 for the characters a password is typed in;
    // one outside Latin-1 cannot have made a revision 2-4 owner password.
    let owner: Vec<u8> = typed
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<_>>()?;
    let user = owner_password::user_password(&owner, o, revision, length)?;
    let user = lopdf::decode_text_string(&lopdf::Object::string_literal(user)).ok()?;
    locked.authenticate_user_password(&user).ok()?;
    Some(user)
}

fn lopdf_error(name: &str, e: lopdf::Error) -> DocumentError {
    let name = name.to_owned();
    match e {
        lopdf::Error::InvalidPassword => DocumentError::WrongPassword { name },
        // An encryption lopdf cannot undo, even with the right password.
        lopdf::Error::Decryption(_) | lopdf::Error::UnsupportedSecurityHandler(_) => {
            DocumentError::Encrypted { name }
        }
        other => DocumentError::Corrupt {
            name,
            detail: format!("the PDF cannot be read ({other})"),
        },
    }
}

fn pdf_error(name: &str, e: PdfError) -> DocumentError {
    let name = name.to_owned();
    match e {
        PdfError::Encrypted => DocumentError::Encrypted { name },
        other => DocumentError::Corrupt {
            name,
            detail: format!("the PDF cannot be read ({other})"),
        },
    }
}
