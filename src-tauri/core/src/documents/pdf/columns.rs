//! Two columns of prose that pdf-inspector took for a table (its #498):
//! each line of the page became a row, column one's line in the first cell
//! and column two's in the second, so reading the rows interleaves the
//! columns. Such a table is unfolded back into its columns, one after the
//! other. A real table is left alone: its rows do not run on into each
//! other mid-sentence, and its cells are not line-long runs of words.

use std::borrow::Cow;

/// A table is prose when, among the pairs of cells one above the other,
/// this share runs on: the upper one ends without a full stop and the
/// lower one starts with a lower-case letter.
const MIN_RUN_ON: f64 = 0.5;
/// ...and its cells average this many words (a line of a column).
const MIN_WORDS_PER_CELL: f64 = 4.0;
const MIN_ROWS: usize = 3;

/// `markdown` with every prose table unfolded into its columns.
pub(super) fn unfold_prose_tables(markdown: &str) -> Cow<'_, str> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut changed = false;
    let mut i = 0;
    while i < lines.len() {
        let end = lines
            .iter()
            .skip(i)
            .position(|l| !l.trim_start().starts_with('|'))
            .map_or(lines.len(), |n| i + n);
        if end == i {
            out.push(lines[i].to_owned());
            i += 1;
            continue;
        }
        let block = &lines[i..end];
        match unfold(block) {
            Some(columns) => {
                changed = true;
                out.push(columns);
            }
            None => out.extend(block.iter().map(|l| (*l).to_owned())),
        }
        i = end;
    }
    if changed {
        Cow::Owned(out.join("\n"))
    } else {
        Cow::Borrowed(markdown)
    }
}

/// The block's columns as paragraphs, when it is prose.
fn unfold(block: &[&str]) -> Option<String> {
    let rows: Vec<Vec<String>> = block
        .iter()
        .map(|line| cells(line))
        .filter(|row| {
            !row.iter()
                .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
        })
        .collect();
    let width = rows.iter().map(Vec::len).max()?;
    if rows.len() < MIN_ROWS || width < 2 {
        return None;
    }
    let column = |c: usize| -> Vec<&str> {
        rows.iter()
            .filter_map(|row| row.get(c).map(String::as_str))
            .filter(|cell| !cell.is_empty())
            .collect()
    };
    let (mut pairs, mut run_on, mut cells_seen, mut words) = (0usize, 0usize, 0usize, 0usize);
    for c in 0..width {
        let cells = column(c);
        cells_seen += cells.len();
        words += cells
            .iter()
            .map(|cell| cell.split_whitespace().count())
            .sum::<usize>();
        for pair in cells.windows(2) {
            pairs += 1;
            let ends_open = !pair[0].ends_with(['.', '!', '?', ':']);
            let starts_low = pair[1].chars().next().is_some_and(char::is_lowercase);
            if ends_open && starts_low {
                run_on += 1;
            }
        }
    }
    let prose = pairs > 0
        && run_on as f64 >= pairs as f64 * MIN_RUN_ON
        && words as f64 >= cells_seen as f64 * MIN_WORDS_PER_CELL;
    prose.then(|| {
        (0..width)
            .map(|c| column(c).join(" "))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    })
}

/// A Markdown table row's cells, `\|` kept as a literal bar.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let (mut cells, mut cell) = (Vec::new(), String::new());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                cell.push('|');
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells.into_iter().map(|c| c.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::unfold_prose_tables;

    #[test]
    fn two_columns_taken_for_a_table_are_unfolded() {
        let page = "Intro line.\n\n\
            |The left column opens with this|rose sharply after the harbour|\n\
            |---|---|\n\
            |sentence which runs across several|closed for repairs (item 1). Our|\n\
            |lines of the narrow column before it|engineers replaced the cooling|\n\
            |finally ends here.|pumps without stopping production|\n\
            \nAfter.";
        assert_eq!(
            unfold_prose_tables(page),
            "Intro line.\n\n\
             The left column opens with this sentence which runs across several \
             lines of the narrow column before it finally ends here.\n\n\
             rose sharply after the harbour closed for repairs (item 1). Our \
             engineers replaced the cooling pumps without stopping production\n\
             \nAfter."
        );
    }

    #[test]
    fn real_tables_are_left_alone() {
        for table in [
            "|Name|Role|\n|---|---|\n|Alice|engineer|\n|Bob|designer|\n|Carol|manager|",
            // Long cells, but each row stands alone.
            "|Step|What happens|\n|---|---|\n|1|The pump starts and the valve opens slowly.|\n\
             |2|Water fills the tank until the float rises.|\n|3|The controller stops the pump again.|",
            "|a|b|\n|---|---|\n|yes|no|",
        ] {
            assert_eq!(unfold_prose_tables(table), table);
        }
    }
}
