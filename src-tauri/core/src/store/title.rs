//! Conversation titles: the automatic one from the first exchange, and the
//! clean-up applied to any title before it is stored.

/// The title of a conversation nothing better could be found for.
pub const DEFAULT_TITLE: &str = "New conversation";

/// Titles longer than this (in characters) are cut at a word boundary.
const TITLE_CHARS: usize = 60;
/// Hard cap on a title the user typed.
const MAX_TITLE_CHARS: usize = 200;

/// A short title from the first exchange: the first sentence (or line) of the
/// user's text, or of the reply when the user sent only attachments, cut to
/// about 60 characters on a word boundary. Markdown decoration (headings,
/// quotes, list bullets, code fences) is skipped.
pub fn title_from_first_exchange(user_text: &str, assistant_text: &str) -> String {
    [user_text, assistant_text]
        .into_iter()
        .find_map(first_sentence)
        .map(|s| shorten(&s, TITLE_CHARS))
        .unwrap_or_else(|| DEFAULT_TITLE.to_owned())
}

/// The first line with words in it, up to its first sentence end.
fn first_sentence(text: &str) -> Option<String> {
    let mut in_code = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let line = line
            .trim_start_matches(|c: char| {
                matches!(c, '#' | '>' | '-' | '*' | '+' | '|') || c.is_whitespace()
            })
            .trim();
        if !line.chars().any(char::is_alphanumeric) {
            continue;
        }
        let sentence = cut_at_sentence_end(line);
        let sentence = collapse_whitespace(sentence);
        let sentence = sentence.trim_end_matches(['.', ',', ';', ':']).trim_end();
        if !sentence.is_empty() {
            return Some(sentence.to_owned());
        }
    }
    None
}

/// Up to and including the first `?` or `!`, or before the first `.`, that
/// ends a sentence (followed by a space); "e.g. this" and "3.5" survive.
fn cut_at_sentence_end(line: &str) -> &str {
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_space = chars.peek().is_some_and(|(_, n)| n.is_whitespace());
        if next_is_space && matches!(c, '?' | '!' | '.' | '…' | '。') {
            let word_before = line[..i].rsplit(char::is_whitespace).next().unwrap_or("");
            // An abbreviation such as "e.g." or "т.е." is not a sentence end.
            if c == '.' && word_before.contains('.') {
                continue;
            }
            return &line[..i + c.len_utf8()];
        }
    }
    line
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, cut after a whole word with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        // Keep the cut on a word boundary unless that loses over half.
        Some(i) if cut[..i].chars().count() >= max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        at_word
            .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '?' && c != '!' && c != ')')
    )
}

/// A title as stored: one line, whitespace collapsed, capped.
pub(crate) fn clean_title(title: &str) -> String {
    let one_line = collapse_whitespace(title);
    if one_line.chars().count() > MAX_TITLE_CHARS {
        shorten(&one_line, MAX_TITLE_CHARS)
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_of_the_user_text() {
        assert_eq!(
            title_from_first_exchange("How do I bake bread? I have flour and yeast.", "Sure!"),
            "How do I bake bread?"
        );
        assert_eq!(
            title_from_first_exchange("Explain e.g. this. And more", ""),
            "Explain e.g. this"
        );
        assert_eq!(
            title_from_first_exchange("Compare claude 3.5 and 3.7\nsecond line", ""),
            "Compare claude 3.5 and 3.7"
        );
    }

    #[test]
    fn skips_markdown_and_code() {
        assert_eq!(
            title_from_first_exchange("```rust\nfn main() {}\n```\n## Why does this   fail?", ""),
            "Why does this fail?"
        );
        assert_eq!(
            title_from_first_exchange("> quoted text.", ""),
            "quoted text"
        );
    }

    #[test]
    fn long_text_is_cut_on_a_word_boundary() {
        let t = title_from_first_exchange(
            "Пожалуйста объясни подробно как работает сборщик мусора в современных виртуальных машинах",
            "",
        );
        assert!(t.chars().count() <= 61, "{t}");
        assert!(t.ends_with('…'));
        assert!(t.starts_with("Пожалуйста объясни подробно"));
        let before = t.trim_end_matches('…');
        assert!(
            "Пожалуйста объясни подробно как работает сборщик мусора в современных виртуальных машинах"
                .starts_with(&format!("{before} ")),
            "cut mid-word: {t}"
        );
    }

    #[test]
    fn falls_back_to_reply_then_default() {
        assert_eq!(
            title_from_first_exchange("  \n ", "This is a cat. It sits."),
            "This is a cat"
        );
        assert_eq!(title_from_first_exchange("", ""), DEFAULT_TITLE);
        assert_eq!(title_from_first_exchange("!!! ???", "---"), DEFAULT_TITLE);
    }

    #[test]
    fn clean_title_is_one_line() {
        assert_eq!(clean_title("  a\n\tb  "), "a b");
        assert_eq!(clean_title(&"x".repeat(500)).chars().count(), 201);
    }
}
