//! ODT: `content.xml` (headings, paragraphs, lists, tables, notes kept
//! inline by ODF) and the page headers and footers in `styles.xml`.

use super::flow::{Flow, Sink, assemble};
use super::xml::{Ev, attr, walk};
use super::zipped::Container;
use super::{Document, DocumentError, DocumentKind};

/// The most spaces one `<text:s text:c="N"/>` expands to.
const MAX_SPACE_RUN: usize = 100;

pub fn odt(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let mut zip = Container::open(name, bytes)?;
    let content = zip.read_required("content.xml")?;
    let body = read_content(name, &content)?;
    let (headers, footers) = match zip.read_text("styles.xml")? {
        Some(styles) => read_headers_footers(name, &styles)?,
        None => (Vec::new(), Vec::new()),
    };
    let text = assemble(&headers, &body.main.finish(), &footers, &body.notes);
    Document::with_text(name, DocumentKind::Odt, text)
}

fn malformed(name: &str, e: quick_xml::Error) -> DocumentError {
    DocumentError::Corrupt {
        name: name.to_owned(),
        detail: format!("its XML is malformed ({e})"),
    }
}

/// Elements whose text is not part of the document as read: deleted
/// revisions and comments.
fn skipped(tag: &[u8]) -> bool {
    matches!(tag, b"tracked-changes" | b"annotation")
}

/// What paragraphs, spaces and tables do to a flow; shared by the body and
/// the headers and footers.
fn paragraph_event(
    flow: &mut Flow,
    open: bool,
    tag: &[u8],
    e: Option<&quick_xml::events::BytesStart<'_>>,
    lists: usize,
) {
    match (open, tag) {
        (true, b"p") => {
            let prefix = if lists > 0 {
                format!("{}- ", "  ".repeat(lists - 1))
            } else {
                String::new()
            };
            flow.start_paragraph(&prefix);
        }
        (true, b"h") => {
            let level = e
                .and_then(|e| attr(e, b"outline-level"))
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 6);
            flow.start_paragraph(&format!("{} ", "#".repeat(level)));
        }
        (false, b"p" | b"h") => flow.end_paragraph(),
        (true, b"s") => {
            let n = e
                .and_then(|e| attr(e, b"c"))
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(1)
                .min(MAX_SPACE_RUN);
            flow.text(&" ".repeat(n));
        }
        (true, b"tab") => flow.text("\t"),
        (true, b"line-break") => flow.text("\n"),
        (true, b"table") => flow.start_table(),
        (true, b"table-row") => flow.start_row(),
        (false, b"table-cell" | b"covered-table-cell") => flow.end_cell(),
        (false, b"table-row") => flow.end_row(),
        (false, b"table") => flow.end_table(),
        _ => {}
    }
}

fn read_content(name: &str, xml: &str) -> Result<Sink, DocumentError> {
    let mut sink = Sink::default();
    let mut skip = 0usize;
    let mut lists = 0usize;
    let mut citation: Option<String> = None;
    let mut in_citation = false;
    walk(xml, |ev| match ev {
        Ev::Open(tag, e) => {
            if skip > 0 || skipped(tag) {
                skip += 1;
                return;
            }
            match tag {
                b"list-item" | b"list-header" => lists += 1,
                b"note" => citation = Some(String::new()),
                b"note-citation" => in_citation = true,
                b"note-body" => sink.begin_note(),
                _ => paragraph_event(sink.flow(), true, tag, Some(e), lists),
            }
        }
        Ev::Close(tag) => {
            if skip > 0 {
                skip -= 1;
                return;
            }
            match tag {
                b"list-item" | b"list-header" => lists = lists.saturating_sub(1),
                b"note-citation" => in_citation = false,
                b"note" => {
                    let label = citation.take().unwrap_or_default();
                    let label = label.trim();
                    sink.end_note(label);
                    sink.flow().text(&format!("[^{label}]"));
                }
                _ => paragraph_event(sink.flow(), false, tag, None, lists),
            }
        }
        Ev::Text(t) => {
            if skip > 0 {
                return;
            }
            match (&mut citation, in_citation) {
                (Some(c), true) => c.push_str(t),
                _ => sink.flow().text(t),
            }
        }
    })
    .map_err(|e| malformed(name, e))?;
    Ok(sink)
}

/// The text of every master page's header and footer, each once.
fn read_headers_footers(
    name: &str,
    xml: &str,
) -> Result<(Vec<String>, Vec<String>), DocumentError> {
    let mut headers = Vec::new();
    let mut footers = Vec::new();
    let mut current: Option<(bool, Flow)> = None;
    walk(xml, |ev| match ev {
        Ev::Open(tag, e) => match (tag, &mut current) {
            (b"header" | b"header-left" | b"header-first", None) => {
                current = Some((true, Flow::default()));
            }
            (b"footer" | b"footer-left" | b"footer-first", None) => {
                current = Some((false, Flow::default()));
            }
            (_, Some((_, flow))) => paragraph_event(flow, true, tag, Some(e), 0),
            _ => {}
        },
        Ev::Close(tag) => match tag {
            b"header" | b"header-left" | b"header-first" | b"footer" | b"footer-left"
            | b"footer-first" => {
                if let Some((is_header, flow)) = current.take() {
                    let list = if is_header {
                        &mut headers
                    } else {
                        &mut footers
                    };
                    let text = flow.finish();
                    if !list.contains(&text) {
                        list.push(text);
                    }
                }
            }
            _ => {
                if let Some((_, flow)) = &mut current {
                    paragraph_event(flow, false, tag, None, 0);
                }
            }
        },
        Ev::Text(t) => {
            if let Some((_, flow)) = &mut current {
                flow.text(t);
            }
        }
    })
    .map_err(|e| malformed(name, e))?;
    Ok((headers, footers))
}
