//! Rows of cells as a Markdown table: the shape DOCX/ODT tables, sheets and
//! CSV files all reach the model in.

/// A Markdown table whose first row is the header. Rows are padded to the
/// widest; `|` and line breaks inside cells are escaped so a cell cannot
/// break the table.
pub(crate) fn markdown_table(rows: &[Vec<String>]) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        out.push('|');
        for c in 0..width {
            let cell = row.get(c).map(String::as_str).unwrap_or("");
            out.push(' ');
            out.push_str(&escape_cell(cell));
            out.push_str(" |");
        }
        out.push('\n');
        if i == 0 {
            out.push('|');
            for _ in 0..width {
                out.push_str(" --- |");
            }
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

fn escape_cell(cell: &str) -> String {
    let one_line = cell.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.replace('|', "\\|")
}
