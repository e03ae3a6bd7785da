//! PDF: the text layer page by page in reading order (pdf-inspector keeps
//! columns apart and tables as rows), each page under a `[Page N]` marker;
//! pages without a usable text layer (scans, fonts without a Unicode map)
//! are named in a note.
//!
//! An encrypted file is opened with the empty password when that works
//! (many "encrypted" PDFs only restrict printing or copying); otherwise it
//! needs the user's password, which lopdf checks and removes so the
//! engines after it see a plain file.

use std::borrow::Cow;

use pdf_inspector::{PdfError, extract_pages_markdown_mem};

use super::{Document, DocumentError, DocumentKind, guarded};

mod owner_password;

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
    let mut sections = Vec::new();
    let mut without_text = Vec::new();
    let mut with_text = 0usize;
    for page in &extraction.pages {
        let number = page.page + 1;
        let markdown = page.markdown.trim();
        if page.needs_ocr || markdown.is_empty() {
            without_text.push(number.to_string());
            sections.push(format!("[Page {number}] (no text layer)"));
        } else {
            with_text += 1;
            sections.push(format!("[Page {number}]\n\n{markdown}"));
        }
    }
    if with_text == 0 {
        return Err(DocumentError::NoText {
            name: name.to_owned(),
        });
    }
    if !without_text.is_empty() {
        doc.notes.push(format!(
            "No readable text on page {} (scanned, or a font without a Unicode map).",
            without_text.join(", ")
        ));
    }
    doc.set_text(sections.join("\n\n"))?;
    Ok(doc)
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
