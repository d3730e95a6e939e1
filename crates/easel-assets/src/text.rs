//! Unicode-aware text matching: case folding, word splitting and locale resolution.

use crate::small_map::SmallMap;

/// Folds text for caseless, canonically equivalent matching: NFC, Unicode full case
/// folding (ICU4X: `ß` → `ss`, `ﬃ` → `ffi`, `ŉ` → `ʼn`, `ᾈ` → `ἀι`), then NFC again, so
/// `é` typed as `e` + combining acute matches a precomposed `é`. `İ` folds to plain `i` so
/// `İstanbul` matches `istanbul`. Accents are kept: `café` ≠ `cafe`.
pub fn fold_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Appends the folded form of `text` to `out` (see [`fold_case`]).
pub(crate) fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
        return;
    }
    let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
    let composed = nfc.normalize(text);
    // Full folding maps `İ` to `i` + combining dot above, which no typed `i` matches.
    let dotless;
    let composed: &str = if composed.contains('İ') {
        dotless = composed.replace('İ', "I");
        &dotless
    } else {
        &composed
    };
    let folded = icu_casemap::CaseMapper::new().fold_string(composed);
    // Folding can decompose (`ǰ` → `j` + caron); compose again.
    out.push_str(&nfc.normalize(&folded));
}

/// Whether `c` belongs to a word: letters, digits (any script) and `_`, which joins words as
/// in Unicode's word-boundary rules.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

/// Combining marks left after NFC (a letter with no precomposed form, like `j` + caron)
/// belong to the word of the letter they sit on.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Splits free text into folded words: runs of letters, digits (any script) and `_`.
pub fn query_words(text: &str) -> Vec<String> {
    fold_case(text)
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Picks the value for `locale`, then `en`, then the first present.
pub(crate) fn resolve<'a, T>(map: &'a SmallMap<T>, locale: Option<&str>) -> Option<&'a T> {
    // With one locale (the common case) every rule picks it.
    if map.len() == 1 {
        return map.first().map(|(_, v)| v);
    }
    locale
        .and_then(|l| map.get(l))
        .or_else(|| map.get("en"))
        .or_else(|| map.first().map(|(_, v)| v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_handles_non_ascii() {
        assert_eq!(fold_case("Café"), "café");
        assert_eq!(fold_case("İstanbul"), "istanbul");
        assert_eq!(fold_case("STRASSE"), fold_case("straße"));
        assert_ne!(fold_case("cafe"), fold_case("café"));
    }

    #[test]
    fn folding_is_full_and_canonical() {
        // `e` + combining acute is the same text as a precomposed `é`.
        assert_eq!(fold_case("Cafe\u{301}"), fold_case("café"));
        assert_eq!(fold_case("ﬃ"), "ffi");
        assert_eq!(fold_case("ŉ"), "ʼn");
        assert_eq!(fold_case("ᾈ"), "ἀι");
        assert_eq!(fold_case("J\u{30C}"), fold_case("ǰ"));
        assert_eq!(query_words("J\u{30C}ohn"), [fold_case("ǰohn")]);
    }

    #[test]
    fn words_are_unicode_words() {
        assert_eq!(
            query_words("  Crème-brûlée café "),
            ["crème", "brûlée", "café"]
        );
        assert!(query_words(" ,; ").is_empty());
    }
}
