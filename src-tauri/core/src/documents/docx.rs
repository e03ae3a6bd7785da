//! DOCX: `word/document.xml` read as XML events (body paragraphs, headings,
//! lists, tables), plus the header, footer, footnote and endnote parts.

use std::collections::HashMap;

use super::flow::{Sink, assemble};
use super::xml::{Ev, attr, walk};
use super::zipped::Container;
use super::{Document, DocumentError, DocumentKind};

pub fn docx(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let mut zip = Container::open(name, bytes)?;
    let body_xml = zip.read_required("word/document.xml")?;
    let mut labels = NoteLabels::default();
    let body = read_part(name, &body_xml, &mut labels)?;

    let mut names = zip.names();
    names.sort_by_key(|n| (n.len(), n.clone()));
    let mut headers = Vec::new();
    let mut footers = Vec::new();
    for part in &names {
        let Some(file) = part.strip_prefix("word/") else {
            continue;
        };
        let list = if file.starts_with("header") && file.ends_with(".xml") {
            &mut headers
        } else if file.starts_with("footer") && file.ends_with(".xml") {
            &mut footers
        } else {
            continue;
        };
        if let Some(xml) = zip.read_text(part)? {
            let text = read_part(name, &xml, &mut labels)?.main.finish();
            if !list.contains(&text) {
                list.push(text);
            }
        }
    }
    let mut notes = Vec::new();
    for part in ["word/footnotes.xml", "word/endnotes.xml"] {
        if let Some(xml) = zip.read_text(part)? {
            let mut read = read_part(name, &xml, &mut labels)?.notes;
            // In the order the body cites them, as a reader numbers them.
            read.sort_by_key(|(label, _)| labels.rank(label));
            notes.extend(read);
        }
    }
    let body_text = body.main.finish();
    let text = assemble(&headers, &body_text, &footers, &notes);
    Document::with_text(name, DocumentKind::Docx, text)
}

/// Note labels as a reader sees them: 1, 2, 3 in the order the text cites
/// them (endnotes e1, e2...), whatever ids the file uses. Word's ids start
/// at 1, LibreOffice's at 2 (after its two separator notes).
#[derive(Default)]
struct NoteLabels {
    footnotes: HashMap<String, usize>,
    endnotes: HashMap<String, usize>,
}

impl NoteLabels {
    fn label(&mut self, endnote: bool, id: &str) -> String {
        let map = if endnote {
            &mut self.endnotes
        } else {
            &mut self.footnotes
        };
        let next = map.len() + 1;
        let n = *map.entry(id.to_owned()).or_insert(next);
        if endnote {
            format!("e{n}")
        } else {
            n.to_string()
        }
    }

    /// Where a label sorts: footnotes before endnotes, each by number.
    fn rank(&self, label: &str) -> (bool, usize) {
        match label.strip_prefix('e') {
            Some(n) => (true, n.parse().unwrap_or(usize::MAX)),
            None => (false, label.parse().unwrap_or(usize::MAX)),
        }
    }
}

/// One WordprocessingML part. Only text inside `w:t` is read, so deleted
/// revisions (`w:delText`) and field codes (`w:instrText`) stay out.
fn read_part(name: &str, xml: &str, labels: &mut NoteLabels) -> Result<Sink, DocumentError> {
    let mut sink = Sink::default();
    let mut in_text = false;
    let mut skip = 0usize;
    walk(xml, |ev| match ev {
        Ev::Open(tag, e) => {
            if skip > 0 {
                skip += 1;
                return;
            }
            match tag {
                b"footnote" | b"endnote" => {
                    let id = attr(e, b"id").unwrap_or_default();
                    let special = attr(e, b"type").is_some_and(|t| t != "normal");
                    if special {
                        skip = 1;
                    } else {
                        sink.begin_note();
                        let label = labels.label(tag == b"endnote", &id);
                        sink.notes.push((label, String::new()));
                    }
                }
                b"p" => sink.flow().start_paragraph(""),
                b"pStyle" => {
                    if let Some(level) = attr(e, b"val").and_then(|v| heading_level(&v)) {
                        sink.flow().set_prefix(&format!("{} ", "#".repeat(level)));
                    }
                }
                b"numPr" => sink.flow().set_prefix("- "),
                b"t" => in_text = true,
                b"tab" | b"ptab" => sink.flow().text("\t"),
                b"br" | b"cr" => sink.flow().text("\n"),
                b"tbl" => sink.flow().start_table(),
                b"tr" => sink.flow().start_row(),
                b"footnoteReference" | b"endnoteReference" => {
                    let id = attr(e, b"id").unwrap_or_default();
                    let label = labels.label(tag == b"endnoteReference", &id);
                    sink.flow().text(&format!("[^{label}]"));
                }
                _ => {}
            }
        }
        Ev::Close(tag) => {
            if skip > 0 {
                skip -= 1;
                return;
            }
            match tag {
                b"t" => in_text = false,
                b"p" => sink.flow().end_paragraph(),
                b"tc" => sink.flow().end_cell(),
                b"tr" => sink.flow().end_row(),
                b"tbl" => sink.flow().end_table(),
                b"footnote" | b"endnote" => {
                    // The placeholder pushed at the open carries the id.
                    if let Some((id, _)) = sink.notes.pop() {
                        sink.end_note(&id);
                    }
                }
                _ => {}
            }
        }
        Ev::Text(t) => {
            if in_text && skip == 0 {
                sink.flow().text(t);
            }
        }
    })
    .map_err(|e| DocumentError::Corrupt {
        name: name.to_owned(),
        detail: format!("its XML is malformed ({e})"),
    })?;
    Ok(sink)
}

/// `Heading2` -> 2, `Title` -> 1; Word's built-in ids are English whatever
/// the user's language, LibreOffice's localized ones end with the level.
fn heading_level(style: &str) -> Option<usize> {
    let lower = style.to_lowercase();
    if lower == "title" {
        return Some(1);
    }
    if !(lower.starts_with("heading") || lower.starts_with("заголовок")) {
        return None;
    }
    let digits: String = lower.chars().filter(char::is_ascii_digit).collect();
    digits.parse::<usize>().ok().map(|n| n.clamp(1, 6))
}
