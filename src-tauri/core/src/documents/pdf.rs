//! PDF: the text layer page by page in reading order (pdf-inspector keeps
//! columns apart and tables as rows), each page under a `[Page N]` marker;
//! pages without a usable text layer (scans, fonts without a Unicode map)
//! are named in a note.

use pdf_inspector::{PdfError, extract_pages_markdown_mem};

use super::{Document, DocumentError, DocumentKind, guarded};

pub fn pdf(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let extraction = guarded(name, || {
        extract_pages_markdown_mem(bytes, None).map_err(|e| pdf_error(name, e))
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
