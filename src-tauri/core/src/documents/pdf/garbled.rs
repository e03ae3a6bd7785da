//! Text layers that are noise: a font without a Unicode map gives its
//! glyph codes, which come out as replacement or private-use characters,
//! as Latin-1 letters (Cyrillic windows-1251 codes read as Latin), or as
//! letters in no language's order. pdf-inspector flags many such pages;
//! this catches the ones it passes, so they are drawn instead.

/// Fewer non-space characters than this are too few to judge.
const MIN_CHARS: usize = 20;
/// Words of at least this many letters are judged for vowels.
const MIN_WORD: usize = 4;
const MIN_WORDS: usize = 15;

pub(super) fn is_garbled(text: &str) -> bool {
    let (mut total, mut junk, mut letters, mut latin1) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        total += 1;
        if c == '\u{FFFD}' || c.is_control() || is_private_use(c) {
            junk += 1;
        } else if c.is_alphabetic() {
            letters += 1;
            // À..ÿ without × and ÷: every Cyrillic letter of windows-1251
            // lands here when read as Latin-1; French or German text has a
            // few percent of them.
            if ('\u{C0}'..='\u{FF}').contains(&c) && c != '×' && c != '÷' {
                latin1 += 1;
            }
        }
    }
    if total < MIN_CHARS {
        return false;
    }
    junk * 10 > total * 3 || (letters >= MIN_CHARS && latin1 * 10 > letters * 4) || vowelless(text)
}

fn is_private_use(c: char) -> bool {
    matches!(u32::from(c), 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// Most longer words without a vowel: glyph codes shifted into the Latin or
/// Cyrillic alphabet ("Gdkkn vnqkc"). Real text in either script, even
/// Czech with its "prst", has few.
fn vowelless(text: &str) -> bool {
    const VOWELS: &str = "aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿаеёиоуыэюяіїє";
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= MIN_WORD)
        .collect();
    if words.len() < MIN_WORDS {
        return false;
    }
    let without = words
        .iter()
        .filter(|w| {
            !w.chars()
                .any(|c| c.to_lowercase().any(|l| VOWELS.contains(l)))
        })
        .count();
    without * 10 > words.len() * 6
}

#[cfg(test)]
mod tests {
    use super::is_garbled;

    #[test]
    fn real_text_in_several_languages_is_not_garbled() {
        for text in [
            "Revenue grew by twelve percent in the third quarter, driven by exports to Asia.",
            "Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация.",
            "Größere Änderungen würden die Übersicht über die Straßenführung erschweren, oder?",
            "Les élèves étaient déjà là où on les attendait, près de la forêt, à côté du château.",
            "Strč prst skrz krk, řekl mu a pak odešel domů přes most k nádraží v Praze.",
            "fn main() { let x = vec![1, 2, 3]; println!(\"{:?}\", x.iter().sum::<i32>()); }",
            "short",
        ] {
            assert!(!is_garbled(text), "{text}");
        }
    }

    #[test]
    fn unmapped_fonts_are_garbled() {
        for text in [
            // windows-1251 Russian read as Latin-1.
            "Ñúåøü æå åù¸ ýòèõ ìÿãêèõ ôðàíöóçñêèõ áóëîê, äà âûïåé ÷àþ.",
            "\u{FFFD}\u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} text \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}",
            "\u{E001}\u{E002}\u{E003}\u{E004} ".repeat(6).as_str(),
            "Gdkkn vnqkc sghr hr mnr qdzk sdws ats sgd bnlo ldrrzfd vgdm bnnqc rghesr "
                .repeat(2)
                .as_str(),
        ] {
            assert!(is_garbled(text), "{text}");
        }
    }
}
