//! Files turned into what the model reads: text (Markdown-ish) or an image
//! within the API's limits.
//!
//! [`extract`] looks at the bytes, not the name: magic bytes tell PDF,
//! images, zip containers and OLE files apart, a zip container's entries
//! tell DOCX, XLSX, ODT and ODS apart, and the extension only decides
//! between text, code, CSV and HTML. Every reader is pure (bytes in,
//! [`Document`] or [`DocumentError`] out) and bounded: files over
//! [`MAX_FILE_BYTES`], zip containers over the limits in [`zipped`], text
//! over [`MAX_TEXT_BYTES`] and images over the decode limits are refused or
//! cut, with a note. Third-party parsers run under `catch_unwind`; aborts
//! and loops are contained by [`worker`], which runs this in a child process
//! with a time limit and a memory cap.

mod detect;
mod docx;
mod error;
mod flow;
mod html;
mod image;
mod odt;
mod pdf;
mod sheets;
mod table;
mod text;
pub mod worker;
mod xml;
pub mod zipped;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use self::docx::docx;
pub use self::error::DocumentError;
pub use self::html::html;
pub use self::image::{
    MAX_DECODE_BYTES, MAX_DECODE_EDGE, MAX_IMAGE_BYTES, MAX_IMAGE_EDGE, MAX_IMAGE_PIXELS, fit,
    image,
};
pub use self::odt::odt;
pub use self::pdf::{MAX_PAGE_IMAGES, pdf, pdf_with_password};
pub use self::sheets::{MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, csv, ods, xlsx};
pub use self::text::text;
pub use self::worker::Worker;

use self::detect::{OfficeKind, Sniffed};

/// Larger files are refused before anything is parsed.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Extracted text is cut here (about 2 million tokens, beyond any context
/// window), with a note.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;

/// What kind of file a document was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum DocumentKind {
    Pdf,
    Docx,
    Odt,
    Xlsx,
    Ods,
    Csv,
    Html,
    Text,
    /// Source code, fenced with its language (from the extension).
    Code {
        language: String,
    },
    Image,
}

/// An image as it will be sent: within [`MAX_IMAGE_EDGE`],
/// [`MAX_IMAGE_PIXELS`] and [`MAX_IMAGE_BYTES`], upright.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentImage {
    /// The encoded image (base64 in JSON).
    #[serde(with = "base64_bytes")]
    #[ts(type = "string")]
    pub data: Vec<u8>,
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    pub media_type: String,
    pub width: u32,
    pub height: u32,
}

/// A PDF page sent as a picture because its text cannot be read (a scan,
/// or a font without a Unicode map).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageImage {
    /// From 1, as in the text's `[Page N]` markers.
    pub page: u32,
    pub image: DocumentImage,
}

/// A file as the model will read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Document {
    /// The file name as the user gave it (plain text, never HTML).
    pub name: String,
    pub kind: DocumentKind,
    /// The extracted text; `None` for an image.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<DocumentImage>,
    /// Pages, for a PDF.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Sheets, for a spreadsheet (1 for CSV).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheets: Option<u32>,
    /// PDF pages drawn because their text is unreadable, in page order; the
    /// text has `[Page N] (… sent as an image)` where each belongs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_images: Vec<PageImage>,
    /// Part of the file was left out; `notes` says what.
    pub truncated: bool,
    /// Plain sentences for the user: rows left out, resizing done...
    pub notes: Vec<String>,
}

impl Document {
    pub(crate) fn new(name: &str, kind: DocumentKind) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            text: None,
            image: None,
            pages: None,
            sheets: None,
            page_images: Vec::new(),
            truncated: false,
            notes: Vec::new(),
        }
    }

    pub(crate) fn with_text(
        name: &str,
        kind: DocumentKind,
        text: String,
    ) -> Result<Self, DocumentError> {
        let mut doc = Self::new(name, kind);
        doc.set_text(text)?;
        Ok(doc)
    }

    /// Sets the text, cut at [`MAX_TEXT_BYTES`]; text with nothing but
    /// white space is [`DocumentError::NoText`].
    pub(crate) fn set_text(&mut self, mut text: String) -> Result<(), DocumentError> {
        if text.trim().is_empty() {
            return Err(DocumentError::NoText {
                name: self.name.clone(),
            });
        }
        if text.len() > MAX_TEXT_BYTES {
            let mut cut = MAX_TEXT_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            self.truncated = true;
            self.notes.push(format!(
                "Only the first {} MB of text are included.",
                MAX_TEXT_BYTES / (1024 * 1024)
            ));
        }
        self.text = Some(text);
        Ok(())
    }
}

/// Reads any supported file. `name` only breaks ties between text formats
/// (code, CSV, HTML) and names the file in errors.
pub fn extract(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    extract_inner(name, bytes, "")
}

/// [`extract`] for a file the user gave a password for. Only PDFs take one
/// (any other file is read as [`extract`] reads it); a wrong password is
/// [`DocumentError::WrongPassword`], not `Corrupt`.
pub fn extract_with_password(
    name: &str,
    bytes: &[u8],
    password: &str,
) -> Result<Document, DocumentError> {
    extract_inner(name, bytes, password)
}

fn extract_inner(name: &str, bytes: &[u8], password: &str) -> Result<Document, DocumentError> {
    check_size(name, bytes.len() as u64)?;
    match detect::sniff(bytes) {
        Sniffed::Image => image(name, bytes),
        Sniffed::Pdf => pdf_with_password(name, bytes, password),
        Sniffed::Zip => match detect::zip_kind(name, bytes)? {
            OfficeKind::Docx => docx(name, bytes),
            OfficeKind::Xlsx => xlsx(name, bytes),
            OfficeKind::Odt => odt(name, bytes),
            OfficeKind::Ods => ods(name, bytes),
        },
        Sniffed::Compound => Err(detect::compound(name, bytes)),
        Sniffed::Other(what) => Err(DocumentError::Unsupported {
            name: name.to_owned(),
            what: what.to_owned(),
        }),
        Sniffed::Text => match text::extension(name).as_str() {
            "html" | "htm" | "xhtml" => html(name, bytes),
            "csv" | "tsv" => csv(name, bytes),
            _ if html::looks_like_html(bytes) => html(name, bytes),
            _ => text(name, bytes),
        },
    }
}

/// Refuses a file by its size alone ([`extract`]'s first check), so a
/// caller can do it before reading the file or spawning a [`Worker`].
pub fn check_size(name: &str, size: u64) -> Result<(), DocumentError> {
    if size > MAX_FILE_BYTES {
        return Err(DocumentError::TooLarge {
            name: name.to_owned(),
            what: format!(
                "{} MB (the limit is {} MB)",
                tenths_of_mb_up(size),
                MAX_FILE_BYTES / MB
            ),
        });
    }
    if size == 0 {
        return Err(DocumentError::Empty {
            name: name.to_owned(),
        });
    }
    Ok(())
}

const MB: u64 = 1024 * 1024;

/// `104857601` -> `"100.1"`: rounded up, so a file just over the cap never
/// reads as being at it.
fn tenths_of_mb_up(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10).div_ceil(MB);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Runs a third-party parser, turning a panic into [`DocumentError::Corrupt`]
/// so one bad file cannot take the caller down.
pub(crate) fn guarded<T>(
    name: &str,
    f: impl FnOnce() -> Result<T, DocumentError>,
) -> Result<T, DocumentError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(DocumentError::Corrupt {
            name: name.to_owned(),
            detail: "the reader for its format failed on it".to_owned(),
        })
    })
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
