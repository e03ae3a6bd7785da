//! Code blocks of a finished reply, highlighted by language with syntect.
//!
//! Only finished text is highlighted (`markdown::render_highlighted`): a
//! reply that is still streaming shows its code plain, so the work per
//! delta never includes a highlighter pass over a growing block. The output
//! is `<span class="hl-…">` only (TextMate scope atoms, prefixed), coloured
//! by the app's stylesheet; the text inside is escaped by syntect, and
//! ammonia checks the whole as it checks everything else.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Blocks longer than this are left plain: a highlighter pass is a few
/// microseconds a line, but a megabyte of log is not worth colouring.
pub const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// `code` highlighted as `language` (a fence's info word: `rust`, `py`,
/// `ts`...), or `None` when the language is unknown, the block too long or
/// the grammar fails on it: the caller then shows it plain.
pub fn highlight(code: &str, language: &str) -> Option<String> {
    if language.is_empty() || code.len() > MAX_HIGHLIGHT_BYTES {
        return None;
    }
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(language)
        .or_else(|| set.find_syntax_by_token(alias(language)))?;
    let mut html = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize())
}

/// Names models write that the default grammars know by another token.
fn alias(language: &str) -> &str {
    match language {
        "ts" | "typescript" | "tsx" => "js",
        "shell" | "bash" | "zsh" | "console" => "sh",
        "yml" => "yaml",
        "c++" => "cpp",
        "csharp" | "c#" => "cs",
        "golang" => "go",
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_escaped_text() {
        let html = highlight("fn main() { let s = \"<b>\"; }\n", "rust").unwrap();
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(
            html.contains("hl-keyword") || html.contains("hl-storage"),
            "{html}"
        );
        assert!(
            html.contains("&lt;b&gt;"),
            "the code's text is escaped: {html}"
        );
        assert!(!html.contains("<b>"), "{html}");
        assert!(highlight("x = 1\n", "py").is_some());
        assert!(
            highlight("let x: number = 1;\n", "ts").is_some(),
            "an alias"
        );
    }

    #[test]
    fn unknown_or_huge_blocks_stay_plain() {
        assert_eq!(highlight("whatever\n", "no-such-language"), None);
        assert_eq!(highlight("whatever\n", ""), None);
        let huge = "let x = 1;\n".repeat(MAX_HIGHLIGHT_BYTES / 10);
        assert_eq!(highlight(&huge, "rust"), None);
    }
}
