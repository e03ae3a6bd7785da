//! Plain text and source code in any common encoding.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::Encoding;

use super::{Document, DocumentError, DocumentKind};

/// Bytes looked at to decide whether a file is text at all.
const SNIFF_BYTES: usize = 8 * 1024;

/// The bytes as text: a byte-order mark wins (UTF-8, UTF-16 LE/BE), then
/// valid UTF-8, then Firefox's detector (windows-1251, KOI8-R, Shift_JIS...).
/// A file with NUL bytes or many control characters is binary, not text.
pub(crate) fn decode(name: &str, bytes: &[u8]) -> Result<String, DocumentError> {
    decode_with_label(name, bytes, None)
}

/// As [`decode`], with an encoding the file declares (an HTML `charset`)
/// used when there is no byte-order mark.
pub(crate) fn decode_with_label(
    name: &str,
    bytes: &[u8],
    declared: Option<&'static Encoding>,
) -> Result<String, DocumentError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        return Ok(encoding.decode_without_bom_handling(rest).0.into_owned());
    }
    if looks_binary(bytes) {
        return Err(DocumentError::Unsupported {
            name: name.to_owned(),
            what: "a binary file of an unknown type".to_owned(),
        });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let encoding = declared.unwrap_or_else(|| {
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        detector.guess(None, Utf8Detection::Allow)
    });
    Ok(encoding.decode_without_bom_handling(bytes).0.into_owned())
}

fn looks_binary(bytes: &[u8]) -> bool {
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    control * 20 > head.len()
}

/// A text file; one whose extension names a programming language is fenced
/// as code in that language.
pub fn text(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    let content = decode(name, bytes)?;
    match language(name) {
        Some(language) => {
            let fenced = fence(&content, language);
            Document::with_text(
                name,
                DocumentKind::Code {
                    language: language.to_owned(),
                },
                if content.trim().is_empty() {
                    String::new()
                } else {
                    fenced
                },
            )
        }
        None => Document::with_text(name, DocumentKind::Text, content),
    }
}

/// A Markdown code fence longer than any run of backticks in the code.
fn fence(code: &str, language: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let ticks = "`".repeat((longest + 1).max(3));
    format!(
        "{ticks}{language}\n{}\n{ticks}",
        code.trim_end_matches(['\n', '\r'])
    )
}

/// The file's extension, lower-cased (`"a/b.TAR.gz"` -> `"gz"`).
pub(crate) fn extension(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The language a code fence is tagged with, from the extension (or the
/// name, for `Makefile` and `Dockerfile`).
pub(crate) fn language(name: &str) -> Option<&'static str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base {
        "Makefile" | "makefile" | "GNUmakefile" => return Some("make"),
        "Dockerfile" => return Some("dockerfile"),
        _ => {}
    }
    Some(match extension(name).as_str() {
        "rs" => "rust",
        "py" | "pyw" => "python",
        "js" | "mjs" | "cjs" => "javascript",
        "jsx" => "jsx",
        "ts" | "mts" | "cts" => "typescript",
        "tsx" => "tsx",
        "go" => "go",
        "c" | "h" => "c",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => "cpp",
        "cs" => "csharp",
        "java" => "java",
        "kt" | "kts" => "kotlin",
        "swift" => "swift",
        "rb" => "ruby",
        "php" => "php",
        "pl" | "pm" => "perl",
        "lua" => "lua",
        "r" => "r",
        "scala" => "scala",
        "dart" => "dart",
        "hs" => "haskell",
        "ex" | "exs" => "elixir",
        "erl" => "erlang",
        "clj" => "clojure",
        "sh" | "bash" | "zsh" => "bash",
        "ps1" => "powershell",
        "bat" | "cmd" => "batch",
        "sql" => "sql",
        "json" | "jsonl" => "json",
        "yaml" | "yml" => "yaml",
        "toml" => "toml",
        "ini" | "cfg" | "conf" => "ini",
        "xml" | "xsd" | "xsl" | "svg" => "xml",
        "css" => "css",
        "scss" => "scss",
        "vue" => "vue",
        "svelte" => "svelte",
        "proto" => "protobuf",
        "tex" => "latex",
        "diff" | "patch" => "diff",
        _ => return None,
    })
}
