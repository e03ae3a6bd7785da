//! Spreadsheets (XLSX, ODS via calamine) and CSV/TSV (csv crate): every
//! sheet as a Markdown table under its name, long sheets cut with a note.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, Ods, Reader, Xlsx, open_workbook_from_rs};

use super::table::markdown_table;
use super::text::decode;
use super::zipped::Container;
use super::{Document, DocumentError, DocumentKind, guarded};

/// Rows of one sheet the model gets (the first row, taken as the header,
/// included); the rest are left out with a note saying how many there were.
pub const MAX_SHEET_ROWS: usize = 500;
/// Columns of one sheet the model gets.
pub const MAX_SHEET_COLUMNS: usize = 50;

pub fn xlsx(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    // The directory is checked against the zip limits before calamine
    // unpacks anything.
    Container::open(name, bytes)?;
    guarded(name, || {
        let wb: Xlsx<_> =
            open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| corrupt(name, e))?;
        workbook(name, DocumentKind::Xlsx, wb)
    })
}

pub fn ods(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    Container::open(name, bytes)?;
    guarded(name, || {
        let wb: Ods<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| corrupt(name, e))?;
        workbook(name, DocumentKind::Ods, wb)
    })
}

/// CSV or TSV, in any encoding [`decode`] reads; the delimiter is the one
/// of tab, semicolon and comma that the first line has most of.
pub fn csv(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let text = decode(name, bytes)?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut bad: Option<::csv::Error> = None;
    let rows = reader.records().map_while(|record| match record {
        Ok(r) => Some(
            r.iter()
                .take(MAX_SHEET_COLUMNS)
                .map(str::to_owned)
                .collect(),
        ),
        Err(e) => {
            bad = Some(e);
            None
        }
    });
    let mut doc = Document::new(name, DocumentKind::Csv);
    let table = capped_table(name, rows, &mut doc);
    if let Some(e) = bad {
        return Err(DocumentError::Corrupt {
            name: name.to_owned(),
            detail: format!("it is not valid CSV ({e})"),
        });
    }
    doc.sheets = Some(1);
    doc.set_text(table)?;
    Ok(doc)
}

fn corrupt(name: &str, e: impl std::fmt::Display) -> DocumentError {
    DocumentError::Corrupt {
        name: name.to_owned(),
        detail: format!("the spreadsheet cannot be read ({e})"),
    }
}

fn workbook<RS, R>(name: &str, kind: DocumentKind, mut wb: R) -> Result<Document, DocumentError>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut doc = Document::new(name, kind);
    let sheet_names = wb.sheet_names();
    let mut sections = Vec::new();
    for sheet in &sheet_names {
        let range = wb.worksheet_range(sheet).map_err(|e| corrupt(name, e))?;
        let rows = range
            .rows()
            .map(|r| r.iter().take(MAX_SHEET_COLUMNS).map(cell_text).collect());
        let table = if range.used_cells().next().is_none() {
            "(empty sheet)".to_owned()
        } else {
            capped_table(sheet, rows, &mut doc)
        };
        sections.push(format!("## Sheet: {sheet}\n\n{table}"));
    }
    doc.sheets = Some(u32::try_from(sheet_names.len()).unwrap_or(u32::MAX));
    doc.set_text(sections.join("\n\n"))?;
    Ok(doc)
}

/// A cell as the user sees it: whole numbers without `.0`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// The table, cut at [`MAX_SHEET_ROWS`] with a visible line (and a note on
/// the document) when the sheet is longer; the rows past the cap are
/// counted, not kept.
fn capped_table(
    title: &str,
    rows: impl Iterator<Item = Vec<String>>,
    doc: &mut Document,
) -> String {
    let mut kept = Vec::new();
    let mut total = 0usize;
    for row in rows {
        total += 1;
        if kept.len() < MAX_SHEET_ROWS {
            kept.push(row);
        }
    }
    if total <= MAX_SHEET_ROWS {
        return markdown_table(&kept);
    }
    let note = format!("“{title}”: only the first {MAX_SHEET_ROWS} of {total} rows are included.");
    let table = format!("{}\n\n({note})", markdown_table(&kept));
    doc.truncated = true;
    doc.notes.push(note);
    table
}
