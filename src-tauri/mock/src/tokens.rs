//! The mock's notion of a token: deterministic, cheap, and the same for
//! usage, `count_tokens` and streaming, so tests can predict every number.

/// About four characters a token, never zero (the real API never says 0).
pub fn estimate(chars: usize) -> u64 {
    (chars as u64).div_ceil(4).max(1)
}

/// Longer words are split so no chunk is much bigger than a real token;
/// ordinary words (the `[[long]]` vocabulary included) stay whole, so
/// "N tokens" reads as "N words" in tests.
const MAX_WORD_CHARS: usize = 12;
const PIECE_CHARS: usize = 4;

/// Splits text into token-sized chunks: a word with the whitespace before
/// it, long words cut into 4-char pieces. Cuts only on char boundaries, and
/// the chunks concatenate back to exactly `text`.
pub fn chunks(text: &str) -> Vec<String> {
    let mut words: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut seen_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if seen_word {
                words.push(&text[start..i]);
                start = i;
                seen_word = false;
            }
        } else {
            seen_word = true;
        }
    }
    if start < text.len() {
        words.push(&text[start..]);
    }

    let mut out = Vec::with_capacity(words.len());
    for word in words {
        if word.trim_start().chars().count() <= MAX_WORD_CHARS {
            out.push(word.to_owned());
        } else {
            out.extend(split_chars(word, PIECE_CHARS));
        }
    }
    out
}

/// Pieces of at most `n` chars each.
pub fn split_chars(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_round_trip_and_stay_small() {
        let text = "Echo: hello  world\n\nПривет, мир! 🚀 supercalifragilistic end ";
        let c = chunks(text);
        assert_eq!(c.concat(), text);
        assert!(
            c.iter()
                .all(|p| p.trim_start().chars().count() <= MAX_WORD_CHARS),
            "{c:?}"
        );
        assert!(c.contains(&"erca".to_owned()), "long words are cut: {c:?}");
        assert_eq!(c[0], "Echo:");
        assert_eq!(c[1], " hello");
        assert_eq!(c[2], "  world");
    }

    #[test]
    fn empty_and_estimate() {
        assert!(chunks("").is_empty());
        assert_eq!(estimate(0), 1);
        assert_eq!(estimate(4), 1);
        assert_eq!(estimate(5), 2);
    }
}
