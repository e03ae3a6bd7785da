//! Markdown to safe HTML.
//!
//! Model output is untrusted. Raw HTML in it is shown as text (what the model
//! wrote, not what it could do), images become links (no remote loads, no
//! tracking pixels), and the result goes through ammonia's allow-list as a
//! second line of defence. LaTeX math (`$x$`, `$$x$$`) becomes MathML, which
//! the webview draws itself; only presentation MathML's elements and
//! attributes pass the allow-list.
//!
//! [`StreamRenderer`] renders a reply while it arrives without re-rendering
//! the whole answer each time: blocks that can no longer change are rendered
//! once and appended, and only the block still being written is re-rendered.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH
}

/// Presentation MathML as pulldown-latex writes it.
const MATHML_TAGS: [&str; 27] = [
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
];
const MATHML_ATTRIBUTES: [&str; 22] = [
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "movablelimits",
    "largeop",
    "symmetric",
    "minsize",
    "maxsize",
    "linethickness",
    "columnalign",
    "rowalign",
    "displaystyle",
    "scriptlevel",
    "width",
    "notation",
    "encoding",
];

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEAN: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEAN.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .add_tags(["details", "summary", "input"])
            .add_tags(MATHML_TAGS)
            .add_generic_attributes(MATHML_ATTRIBUTES)
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_allowed_classes("code", LANGUAGE_CLASSES)
            .add_allowed_classes("div", ["tool-use", "thinking"])
            // Highlighted code: `hl-*` classes only come from syntect, and a
            // class can only pick a style of our own stylesheet.
            .add_tag_attributes("span", ["class"])
            .rm_tags(["img"]);
        b
    })
}

/// Code-block languages kept as `language-*` classes for styling.
const LANGUAGE_CLASSES: [&str; 24] = [
    "language-rust",
    "language-python",
    "language-javascript",
    "language-typescript",
    "language-json",
    "language-bash",
    "language-sh",
    "language-shell",
    "language-html",
    "language-css",
    "language-sql",
    "language-go",
    "language-java",
    "language-c",
    "language-cpp",
    "language-csharp",
    "language-ruby",
    "language-php",
    "language-swift",
    "language-kotlin",
    "language-yaml",
    "language-toml",
    "language-markdown",
    "language-text",
];

/// Renders markdown to sanitized HTML.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, options()).map(defang).map(math);
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut out, parser);
    sanitizer().clean(&out).to_string()
}

/// [`render`] with the code blocks highlighted by language: for a finished
/// message (streaming deltas stay plain, see `crate::highlight`).
pub fn render_highlighted(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).map(defang).map(math);
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, HighlightBlocks { inner: events });
    sanitizer().clean(&out).to_string()
}

/// Replaces each fenced code block whose language syntect knows by its
/// highlighted HTML; every other event passes through.
struct HighlightBlocks<I> {
    inner: I,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for HighlightBlocks<I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.inner.next()?;
        let Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(lang))) = &event
        else {
            return Some(event);
        };
        let lang = lang.to_string();
        let mut code = String::new();
        for e in self.inner.by_ref() {
            match e {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        let class = if lang.is_empty() {
            String::new()
        } else {
            format!(" class=\"language-{}\"", escape(&lang))
        };
        let body = crate::highlight::highlight(&code, &lang).unwrap_or_else(|| escape_text(&code));
        Some(Event::Html(CowStr::from(format!(
            "<pre><code{class}>{body}</code></pre>\n"
        ))))
    }
}

/// Escapes plain text for HTML (for text that is not markdown), quotes
/// included so it is safe in attribute values too.
pub fn escape(text: &str) -> String {
    escape_where(text, |c| match c {
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

/// Escapes `< > &` and what `more` names.
fn escape_where(text: &str, more: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => match more(c) {
                Some(entity) => out.push_str(entity),
                None => out.push(c),
            },
        }
    }
    out
}

/// Raw HTML becomes visible text; images become links to their source.
fn defang(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Image {
            dest_url,
            title,
            id,
            ..
        }) => Event::Start(Tag::Link {
            link_type: pulldown_cmark::LinkType::Inline,
            dest_url,
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(lang))) => {
            // Keep only the first word of the info string ("rust,ignore" -> "rust").
            let first = lang
                .split([' ', ',', '{'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(
                CowStr::from(first),
            )))
        }
        e => e,
    }
}

/// `$...$` and `$$...$$` to MathML (after [`defang`], so the markup is
/// written as it is; ammonia still checks it). LaTeX that does not parse is
/// drawn as pulldown-latex's error text, inside the formula.
fn math(event: Event<'_>) -> Event<'_> {
    let (latex, display) = match &event {
        Event::InlineMath(latex) => (latex, pulldown_latex::config::DisplayMode::Inline),
        Event::DisplayMath(latex) => (latex, pulldown_latex::config::DisplayMode::Block),
        _ => return event,
    };
    let storage = pulldown_latex::Storage::new();
    let parser = pulldown_latex::Parser::new(latex, &storage);
    let config = pulldown_latex::RenderConfig {
        display_mode: display,
        annotation: Some(latex),
        ..Default::default()
    };
    let mut mathml = String::new();
    match pulldown_latex::push_mathml(&mut mathml, parser, config) {
        Ok(()) => Event::InlineHtml(CowStr::from(mathml)),
        // Writing to a String does not fail; if it ever did, the source shows.
        Err(_) => Event::Code(CowStr::from(latex.to_string())),
    }
}

/// What changed in a streaming render.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderDelta {
    /// HTML of blocks that just became complete: append it.
    pub append_html: String,
    /// HTML of the block still being written: replace the previous tail
    /// with it. `None`: the tail's HTML stays as it is.
    pub tail_html: Option<String>,
    /// Escaped text to add at the end of the tail, after `tail_html` if
    /// both are set, inside its innermost last block (the `code` of a code
    /// block, the `p` of a paragraph): see [`StreamRenderer`].
    pub tail_text: String,
}

/// A tail up to this long is re-rendered whole on every push.
const SMALL_TAIL: usize = 4096;

/// Renders a growing markdown text incrementally.
///
/// A blank line outside a fenced code block ends the blocks before it once
/// the next non-blank line starts unindented (an indented one may continue a
/// list item). Everything before such a boundary is rendered once; later
/// pushes only re-render the text after the last boundary. Reference-style
/// link definitions that appear after their use are the one markdown feature
/// this can miss; the final render of the whole message fixes that.
#[derive(Debug, Default)]
pub struct StreamRenderer {
    source: String,
    /// Bytes of `source` already emitted as complete blocks.
    stable_end: usize,
    /// Start of the first line not yet classified.
    scan_pos: usize,
    /// The open fence's character and length.
    fence: Option<(char, usize)>,
    /// Just after a blank line that will be a boundary if the next
    /// non-blank line is unindented.
    pending_boundary: Option<usize>,
    /// How much of the tail was rendered as HTML last time; 0 after a
    /// boundary (the new tail has not been rendered).
    tail_rendered_len: usize,
    /// Whether that render was inside an open code fence.
    tail_in_code: bool,
    /// Bytes of `source` the view shows, as HTML or appended text.
    shown_end: usize,
}

impl StreamRenderer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The whole text so far.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Adds text and returns what to change in the view.
    pub fn push(&mut self, text: &str) -> RenderDelta {
        self.source.push_str(text);
        let mut boundary = self.stable_end;
        while let Some(nl) = self.source[self.scan_pos..].find('\n') {
            let line_start = self.scan_pos;
            let line_end = line_start + nl + 1;
            let line = &self.source[line_start..line_start + nl];
            let blank = line.trim().is_empty();
            if let Some(b) = self.pending_boundary
                && !blank
            {
                if !line.starts_with([' ', '\t']) {
                    boundary = b;
                }
                self.pending_boundary = None;
            }
            match self.fence {
                Some(open) => {
                    if closes_fence(line, open) {
                        self.fence = None;
                    }
                }
                None => {
                    if let Some(f) = opens_fence(line) {
                        self.fence = Some(f);
                    } else if blank {
                        self.pending_boundary = Some(line_end);
                    }
                }
            }
            self.scan_pos = line_end;
        }
        let append_html = if boundary > self.stable_end {
            let html = render(&self.source[self.stable_end..boundary]);
            self.stable_end = boundary;
            self.tail_rendered_len = 0;
            html
        } else {
            String::new()
        };
        let (tail_html, tail_text) = self.tail_update(false);
        RenderDelta {
            append_html,
            tail_html,
            tail_text,
        }
    }

    /// The tail rendered properly, for the end of a stream.
    pub fn finish(&mut self) -> RenderDelta {
        let (tail_html, tail_text) = self.tail_update(true);
        RenderDelta {
            append_html: String::new(),
            tail_html,
            tail_text,
        }
    }

    fn tail_update(&mut self, force: bool) -> (Option<String>, String) {
        let tail_len = self.source.len() - self.stable_end;
        let in_code = self.fence.is_some();
        let fresh = self.tail_rendered_len == 0 || in_code != self.tail_in_code;
        let extend = !force
            && !fresh
            && (in_code || (tail_len > SMALL_TAIL && tail_len < self.tail_rendered_len * 3 / 2));
        if extend {
            let text = escape_text(&self.source[self.shown_end..]);
            self.shown_end = self.source.len();
            return (None, text);
        }
        let tail = &self.source[self.stable_end..];
        self.tail_rendered_len = tail_len.max(1);
        self.tail_in_code = in_code;
        self.shown_end = self.source.len();
        (Some(render(tail).trim_end().to_owned()), String::new())
    }
}

/// The block elements a tail's appended text goes into: the view descends
/// through the tail's last children while they are one of these.
pub const TAIL_TEXT_CONTAINERS: [&str; 7] = ["p", "pre", "code", "ul", "ol", "li", "blockquote"];

/// The view's tail as a string, applying deltas the way the webview does
/// (`ui/src/lib/stream.ts`): the spec tests check the streamed view against.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TailModel {
    pub html: String,
}

impl TailModel {
    pub fn apply(&mut self, d: &RenderDelta) {
        if let Some(h) = &d.tail_html {
            self.html.clone_from(h);
        }
        if d.tail_text.is_empty() {
            return;
        }
        // Step back over closing tags of the containers (and the white
        // space between them) at the end: the text goes inside them.
        let mut at = self.html.len();
        loop {
            let before = self.html[..at].trim_end();
            let Some(open) = before.rfind("</") else {
                break;
            };
            let tag = &before[open + 2..];
            let closes_container = tag
                .strip_suffix('>')
                .is_some_and(|name| TAIL_TEXT_CONTAINERS.contains(&name));
            if !closes_container {
                break;
            }
            at = open;
        }
        self.html.insert_str(at, &d.tail_text);
    }
}

/// Escapes text for an HTML text node, as the sanitizer serializes one.
fn escape_text(text: &str) -> String {
    escape_where(text, |c| (c == '\u{a0}').then_some("&nbsp;"))
}

fn fence_marker(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = rest.chars().take_while(|x| *x == c).count();
    (n >= 3).then(|| (c, n, &rest[n..]))
}

fn opens_fence(line: &str) -> Option<(char, usize)> {
    let (c, n, info) = fence_marker(line)?;
    // A backtick fence's info string may not contain backticks.
    (c == '~' || !info.contains('`')).then_some((c, n))
}

fn closes_fence(line: &str, (c, n): (char, usize)) -> bool {
    matches!(fence_marker(line), Some((c2, n2, rest)) if c2 == c && n2 >= n && rest.trim().is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn latex_math_becomes_mathml() {
        let inline = render("Euler: $e^{i\\pi} + 1 = 0$, done.");
        assert!(inline.contains("<math"), "{inline}");
        assert!(inline.contains("<msup>"), "{inline}");
        assert!(inline.contains("done."), "{inline}");
        let block = render("$$\\frac{a}{b}$$");
        assert!(block.contains("display=\"block\""), "{block}");
        assert!(block.contains("<mfrac>"), "{block}");
        // Prices are not formulas.
        let prices = render("It costs $5 and $10.");
        assert!(!prices.contains("<math"), "{prices}");
        assert!(prices.contains("$5 and $10"), "{prices}");
    }

    #[test]
    fn math_cannot_smuggle_markup_or_links() {
        for hostile in [
            "$\\href{javascript:alert(1)}{x}$",
            "$\\text{<img src=x onerror=alert(1)>}$",
            "$x$<script>alert(1)</script>",
            "$$\\style{background:url(http://evil/)}{x}$$",
        ] {
            let html = render(hostile);
            // As text (an error message, the annotation) they are inert;
            // inside a tag they would not be.
            let tags = html.split('<').skip(1).filter_map(|t| t.split('>').next());
            for tag in tags {
                let name = tag.split_whitespace().next().unwrap_or("");
                assert!(
                    !["a", "img", "script", "iframe", "style"].contains(&name),
                    "{hostile} gave {html}"
                );
                for bad in ["href=", "src=", "style=", "on"] {
                    assert!(
                        !tag.split_whitespace()
                            .skip(1)
                            .any(|attr| attr.starts_with(bad)),
                        "{hostile} gave <{tag}>"
                    );
                }
            }
        }
    }

    #[test]
    fn finished_code_is_highlighted_and_stays_safe() {
        let html = render_highlighted(
            "Look:\n\n```rust\nfn main() { let s = \"</code><script>\"; }\n```\n",
        );
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("<code class=\"language-rust\">"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        // Unknown languages and plain fences render as without highlighting.
        for plain in [
            "```klingon\nqapla'\n```\n",
            "```\nplain <b>\n```\n",
            "no code at all",
        ] {
            assert_eq!(render_highlighted(plain), render(plain), "{plain}");
        }
    }

    #[test]
    fn renders_common_markdown() {
        let html = render(
            "# Title\n\n- a\n- **b**\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n",
        );
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<strong>b</strong>"));
        assert!(html.contains("<table>"));
        assert!(html.contains("<code class=\"language-rust\">"), "{html}");
    }

    #[test]
    fn hostile_output_is_inert() {
        let html = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n\
             ![pixel](https://tracker.example/p.gif)\n\n<a href=\"https://x\" onclick=\"evil()\">x</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("<p>&lt;a href="),
            "raw anchor shown as text: {html}"
        );
        assert!(!html.contains("<a href=\"https://x\""), "{html}");
        assert!(
            html.contains("&lt;script&gt;"),
            "raw HTML shown as text: {html}"
        );
        assert!(
            html.contains("href=\"https://tracker.example/p.gif\""),
            "image became a link: {html}"
        );
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }

    /// Streams `text` in pieces and checks the appended blocks plus the
    /// final tail render the same HTML as rendering it whole.
    fn stream_equals_whole(text: &str, piece: usize) {
        let mut r = StreamRenderer::new();
        let mut html = String::new();
        let chars: Vec<char> = text.chars().collect();
        let mut model = TailModel::default();
        for chunk in chars.chunks(piece) {
            let s: String = chunk.iter().collect();
            let d = r.push(&s);
            if !d.append_html.is_empty() {
                html.push_str(&d.append_html);
                model = TailModel::default();
            }
            model.apply(&d);
        }
        model.apply(&r.finish());
        html.push_str(&model.html);
        let normalize = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(normalize(&html), normalize(&render(text)), "piece {piece}");
        assert_eq!(r.source(), text);
    }

    const SAMPLE: &str = "# Heading\n\nA paragraph with `code` and **bold**.\n\n\
        ```python\ndef f():\n\n    return 1\n```\n\nAnother one, привет 👋.\n\n\
        - item one\n- item two\n\n> quote\n\n~~~\nfenced ``` inside\n\n~~~\n\nEnd.\n";

    #[test]
    fn streaming_matches_whole_render() {
        for piece in [1, 2, 3, 7, 50, 1000] {
            stream_equals_whole(SAMPLE, piece);
        }
    }

    #[test]
    fn stable_blocks_are_emitted_once_and_the_tail_stays_small() {
        let mut r = StreamRenderer::new();
        let mut appended = 0;
        let mut max_tail = 0;
        for i in 0..500 {
            let d = r.push(&format!("Paragraph {i} has some words in it.\n\n"));
            if !d.append_html.is_empty() {
                appended += 1;
            }
            max_tail = max_tail.max(d.tail_html.map_or(0, |t| t.len()));
        }
        assert!(appended >= 498, "blocks became stable: {appended}");
        assert!(max_tail < 200, "tail stays one block long: {max_tail}");
    }

    #[test]
    fn blank_line_inside_code_fence_is_not_a_boundary() {
        let mut r = StreamRenderer::new();
        let d = r.push("```\nline 1\n\nline 2\n\nmore\n");
        assert!(d.append_html.is_empty());
        assert!(d.tail_html.unwrap().contains("line 1\n\nline 2"));
    }

    /// Streams `text` in `piece`-char pushes; returns the bytes of tail HTML
    /// sent per byte of the final HTML (a re-render per push would make it
    /// grow with the length; linear work keeps it a small constant), and checks the view equals a fresh render after every push
    /// while `exact` (code blocks) and at the end always.
    fn tail_work(text: &str, piece: usize, exact: bool) -> f64 {
        let mut r = StreamRenderer::new();
        let mut model = TailModel::default();
        let mut sent = 0;
        let chars: Vec<char> = text.chars().collect();
        let mut so_far = String::new();
        for chunk in chars.chunks(piece) {
            let s: String = chunk.iter().collect();
            so_far.push_str(&s);
            let d = r.push(&s);
            assert!(d.append_html.is_empty(), "one block");
            sent += d.tail_html.as_ref().map_or(0, String::len) + d.tail_text.len();
            model.apply(&d);
            if exact {
                assert_eq!(
                    model.html,
                    render(&so_far).trim_end(),
                    "after {} chars",
                    so_far.len()
                );
            }
        }
        model.apply(&r.finish());
        let whole = render(text);
        assert_eq!(model.html, whole.trim_end());
        sent as f64 / whole.len() as f64
    }

    #[test]
    fn a_long_code_block_is_extended_not_re_rendered() {
        let mut code = String::from("Here:\n```rust\n");
        for i in 0..3000 {
            code.push_str(&format!("let x{i} = \"<&>\" ; // {i}\n"));
        }
        // Each byte of the block crosses about once, not once a push.
        let ratio = tail_work(&code, 97, true);
        assert!(ratio < 1.5, "{ratio}");
    }

    /// Work per byte stays flat when the block doubles: linear, where a
    /// re-render per push would double it.
    fn assert_linear(make: impl Fn(usize) -> String) {
        let once = tail_work(&make(4000), 64, false);
        let twice = tail_work(&make(8000), 64, false);
        assert!(twice < once * 1.25, "{once} then {twice} per byte");
        assert!(twice < 8.0, "{twice}");
    }

    #[test]
    fn a_long_paragraph_costs_linear_work() {
        assert_linear(|n| (0..n).map(|i| format!("w{i} *e* ")).collect());
    }

    #[test]
    fn a_growing_table_costs_linear_work() {
        assert_linear(|n| {
            let mut table = String::from("| a | b |\n|---|---|\n");
            for i in 0..n {
                table.push_str(&format!("| {i} | **{i}** |\n"));
            }
            table
        });
    }

    #[test]
    fn appended_text_goes_inside_the_innermost_block() {
        let mut m = TailModel {
            html: "<p>a <strong>b</strong></p>".into(),
        };
        m.apply(&RenderDelta {
            tail_text: " c".into(),
            ..RenderDelta::default()
        });
        assert_eq!(m.html, "<p>a <strong>b</strong> c</p>");
        let mut m = TailModel {
            html: "<pre><code class=\"language-rust\">x\n</code></pre>".into(),
        };
        m.apply(&RenderDelta {
            tail_text: "y".into(),
            ..RenderDelta::default()
        });
        assert_eq!(
            m.html,
            "<pre><code class=\"language-rust\">x\ny</code></pre>"
        );
    }
}
