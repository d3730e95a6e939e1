//! Unicode-aware text matching: case folding, word splitting and locale resolution.

use crate::small_map::SmallMap;

/// Folds case for caseless matching: Unicode lowercase plus the full case-folding mappings
/// that lowercase lacks (`ß` → `ss`, final `ς` → `σ`, …). `İ` folds to plain `i` so
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
    for c in text.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            'ſ' => out.push('s'),
            'İ' => out.push('i'),
            'ϐ' => out.push('β'),
            'ϑ' => out.push('θ'),
            'ϕ' => out.push('φ'),
            'ϖ' => out.push('π'),
            'ϰ' => out.push('κ'),
            'ϱ' => out.push('ρ'),
            'ϵ' => out.push('ε'),
            'ﬀ' => out.push_str("ff"),
            'ﬁ' => out.push_str("fi"),
            'ﬂ' => out.push_str("fl"),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// Whether `c` belongs to a word: letters, digits (any script) and `_`, which joins words as
/// in Unicode's word-boundary rules.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
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
    fn words_are_unicode_words() {
        assert_eq!(
            query_words("  Crème-brûlée café "),
            ["crème", "brûlée", "café"]
        );
        assert!(query_words(" ,; ").is_empty());
    }
}
