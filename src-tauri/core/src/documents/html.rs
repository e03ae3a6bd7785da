//! HTML as Markdown: headings, lists, links and tables kept, scripts and
//! styles dropped.

use encoding_rs::Encoding;

use super::text::decode_with_label;
use super::{Document, DocumentError, DocumentKind, guarded};

/// Elements whose content is never text for a reader.
const DROPPED: [&str; 9] = [
    "script", "style", "noscript", "template", "iframe", "object", "svg", "canvas", "head",
];

pub fn html(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let source = decode_with_label(name, bytes, declared_charset(bytes))?;
    let converter = htmd::HtmlToMarkdown::builder()
        .skip_tags(DROPPED.to_vec())
        .build();
    let markdown = guarded(name, || {
        converter
            .convert(&source)
            .map_err(|e| DocumentError::Corrupt {
                name: name.to_owned(),
                detail: format!("the HTML cannot be read ({e})"),
            })
    })?;
    Document::with_text(name, DocumentKind::Html, markdown)
}

/// `<meta charset="windows-1251">` (or the `http-equiv` form) in the first
/// kilobyte, as browsers look for it.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(bytes.get(..1024).unwrap_or(bytes)).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head
        .get(at..)?
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    Encoding::for_label(label.as_bytes())
}

/// Whether text starts like an HTML document.
pub(crate) fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(bytes.get(..512).unwrap_or(bytes)).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}
