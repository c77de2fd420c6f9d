//! Matching words in lowercased policy text, splitting paragraphs into sentences, and spotting
//! template guidance that is advice to councils rather than a rule.

/// The lowercased matching form of a piece of text.
pub(crate) fn lower_form(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{2013}' | '\u{2014}' | '\u{2012}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// True when `lower` contains `word` with no letter or digit either side.
pub(crate) fn has_word(lower: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(found) = lower[from..].find(word) {
        let start = from + found;
        let end = start + word.len();
        let before = lower[..start].chars().next_back();
        let after = lower[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        from = start + word.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Template guidance for councils writing their policy, not a rule for its users: "Councils
/// will also need to determine and clearly state whether…". Extractors skip it; lint flags it.
pub(crate) fn is_guidance(lower: &str) -> bool {
    // Not "your council" alone: a policy addressed to its users says "your council phone".
    const GUIDANCE: [&str; 22] = [
        "councils will",
        "councils should",
        "councils that",
        "councils may",
        "councils need",
        "councils must",
        "each council",
        "your council should",
        "your council will need",
        "your council may wish",
        "if your council",
        "smaller parish councils",
        "need to determine",
        "clearly state whether",
        "these guidelines",
        "this template",
        "this model policy",
        "delete as appropriate",
        "delete as applicable",
        "amend as appropriate",
        "is an example of a policy",
        "insert your",
    ];
    // Whole words: "each council" must not match "each councillor".
    GUIDANCE.iter().any(|g| has_word(lower, g))
}

/// True when `lower` contains any of `phrases` (plain substring match).
pub(crate) fn has_any(lower: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| lower.contains(p))
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: [&str; 16] = [
    "e.g", "i.e", "eg", "ie", "etc", "mr", "mrs", "ms", "dr", "no", "st", "vs", "cf", "approx",
    "ref", "cllr",
];

/// Splits a paragraph at full stops, question and exclamation marks that are followed by a
/// space and a capital, digit or bracket — not after "e.g." or inside "£100.00".
pub(crate) fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if !matches!(c, '.' | '?' | '!') {
            continue;
        }
        let after = &text[i + 1..];
        if !after.starts_with(' ') {
            continue;
        }
        let next = after.trim_start().chars().next();
        if !next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || n == '(' || n == '"') {
            continue;
        }
        if c == '.' {
            let word_start = text[..i]
                .rfind(|ch: char| ch.is_whitespace() || ch == '(')
                .map_or(0, |p| p + 1);
            let word = text[word_start..i].to_lowercase();
            // An initial ("J. Smith") does not end a sentence either.
            let initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
            if ABBREVIATIONS.contains(&word.as_str()) || initial {
                continue;
            }
        }
        out.push(&text[start..=i]);
        start = i + 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out.into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_full_stops_but_not_after_abbreviations_or_in_sums() {
        let s = split_sentences(
            "Use three random words (e.g. PurpleCandleRiver). It costs £ 100.00 in total. Done",
        );
        assert_eq!(
            s,
            vec![
                "Use three random words (e.g. PurpleCandleRiver).",
                "It costs £ 100.00 in total.",
                "Done"
            ]
        );
    }

    #[test]
    fn words_match_only_whole() {
        assert!(has_word("protected with a pin code", "pin"));
        assert!(!has_word("in my opinion", "pin"));
        assert!(has_word("the chair.", "chair"));
        assert!(!has_word("the chairman", "chair"));
    }
}
