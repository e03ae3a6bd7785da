//! The text flow of a word-processing document, fed by the DOCX and ODT
//! readers: paragraphs (with a heading or list prefix), tables (kept as
//! rows, rendered as Markdown tables) and notes.

use super::table::markdown_table;

/// Nested tables deeper than this are read as plain cell text.
const MAX_TABLE_DEPTH: usize = 16;

#[derive(Default)]
struct TableBuild {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: Vec<String>,
}

/// Paragraphs nested deeper than this (text boxes in text boxes) are read
/// into the enclosing one.
const MAX_PARAGRAPH_DEPTH: usize = 16;

#[derive(Default)]
pub(crate) struct Flow {
    blocks: Vec<String>,
    /// Open paragraphs, innermost last: (prefix, text). A text box's
    /// paragraphs sit inside a paragraph of the body.
    paras: Vec<(String, String)>,
    skipped_paras: usize,
    tables: Vec<TableBuild>,
    /// Tables opened past [`MAX_TABLE_DEPTH`], not tracked as tables.
    skipped_tables: usize,
}

impl Flow {
    pub(crate) fn start_paragraph(&mut self, prefix: &str) {
        if self.paras.len() >= MAX_PARAGRAPH_DEPTH {
            self.skipped_paras += 1;
        } else {
            self.paras.push((prefix.to_owned(), String::new()));
        }
    }

    /// A heading or list mark learnt after the paragraph began (DOCX keeps
    /// it in the paragraph's properties).
    pub(crate) fn set_prefix(&mut self, prefix: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.0 = prefix.to_owned();
        }
    }

    /// Text outside any paragraph (whitespace between elements) is dropped.
    pub(crate) fn text(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.1.push_str(s);
        }
    }

    pub(crate) fn end_paragraph(&mut self) {
        if self.skipped_paras > 0 {
            self.skipped_paras -= 1;
            return;
        }
        let Some((prefix, text)) = self.paras.pop() else {
            return;
        };
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        match self.tables.last_mut() {
            Some(t) => t.cell.push(text.to_owned()),
            None => self.blocks.push(format!("{prefix}{text}")),
        }
    }

    fn end_all_paragraphs(&mut self) {
        while !self.paras.is_empty() {
            self.end_paragraph();
        }
    }

    pub(crate) fn start_table(&mut self) {
        self.end_all_paragraphs();
        if self.tables.len() >= MAX_TABLE_DEPTH {
            self.skipped_tables += 1;
        } else {
            self.tables.push(TableBuild::default());
        }
    }

    pub(crate) fn start_row(&mut self) {
        if self.skipped_tables == 0
            && let Some(t) = self.tables.last_mut()
        {
            t.row.clear();
        }
    }

    pub(crate) fn end_cell(&mut self) {
        self.end_all_paragraphs();
        if self.skipped_tables == 0
            && let Some(t) = self.tables.last_mut()
        {
            let cell = std::mem::take(&mut t.cell).join(" ");
            t.row.push(cell);
        }
    }

    pub(crate) fn end_row(&mut self) {
        if self.skipped_tables == 0
            && let Some(t) = self.tables.last_mut()
        {
            let row = std::mem::take(&mut t.row);
            t.rows.push(row);
        }
    }

    pub(crate) fn end_table(&mut self) {
        self.end_all_paragraphs();
        if self.skipped_tables > 0 {
            self.skipped_tables -= 1;
            return;
        }
        let Some(t) = self.tables.pop() else { return };
        if t.rows.is_empty() {
            return;
        }
        match self.tables.last_mut() {
            // A table inside a cell: its rows, flattened into the cell.
            Some(parent) => parent.cell.push(
                t.rows
                    .iter()
                    .map(|r| r.join(", "))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            None => self.blocks.push(markdown_table(&t.rows)),
        }
    }

    /// The blocks so far, separated by blank lines.
    pub(crate) fn finish(mut self) -> String {
        self.end_all_paragraphs();
        while !self.tables.is_empty() {
            self.end_table();
        }
        self.blocks.join("\n\n")
    }
}

/// Joins the parts of a document: headers first, then the body, footers
/// and notes, each part under a label that says what it is.
pub(crate) fn assemble(
    headers: &[String],
    body: &str,
    footers: &[String],
    notes: &[(String, String)],
) -> String {
    let mut parts: Vec<String> = Vec::new();
    for h in headers.iter().filter(|h| !h.is_empty()) {
        parts.push(format!("[Header] {h}"));
    }
    if !body.is_empty() {
        parts.push(body.to_owned());
    }
    for f in footers.iter().filter(|f| !f.is_empty()) {
        parts.push(format!("[Footer] {f}"));
    }
    if !notes.is_empty() {
        let lines: Vec<String> = notes
            .iter()
            .map(|(label, text)| format!("[^{label}]: {text}"))
            .collect();
        parts.push(lines.join("\n"));
    }
    parts.join("\n\n")
}

/// Where the text of a document part goes: the main flow, or the note
/// being read (ODT keeps a footnote's body inline, DOCX in its own part).
#[derive(Default)]
pub(crate) struct Sink {
    pub(crate) main: Flow,
    note: Option<Flow>,
    pub(crate) notes: Vec<(String, String)>,
}

impl Sink {
    pub(crate) fn flow(&mut self) -> &mut Flow {
        match &mut self.note {
            Some(n) => n,
            None => &mut self.main,
        }
    }

    pub(crate) fn begin_note(&mut self) {
        self.note = Some(Flow::default());
    }

    /// Closes the note being read, keeping it under `label` when it has text.
    pub(crate) fn end_note(&mut self, label: &str) {
        if let Some(n) = self.note.take() {
            let text = n.finish();
            if !text.is_empty() {
                self.notes
                    .push((label.to_owned(), text.replace("\n\n", " ")));
            }
        }
    }
}
