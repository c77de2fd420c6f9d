//! Extractors for the document's identity: the council's name, when and by which minute the
//! policy was adopted, and how often it is reviewed.

use super::dates::{PolicyDate, first_date};
use super::fields::{Found, rules};
use super::numbers::months_in;
use super::text::{BlockKind, Document, Sentence, has_any, has_word};

/// Kinds of local council whose name is "<Place> <Kind> Council".
const KINDS: [&str; 6] = [
    "parish",
    "town",
    "city",
    "community",
    "village",
    "neighbourhood",
];

/// Words that cannot be (part of) a place name before "Council".
const NOT_PLACES: [&str; 98] = [
    "the",
    "this",
    "that",
    "these",
    "those",
    "our",
    "your",
    "their",
    "its",
    "his",
    "her",
    "each",
    "every",
    "any",
    "all",
    "full",
    "local",
    "parish",
    "town",
    "city",
    "county",
    "district",
    "borough",
    "community",
    "village",
    "unitary",
    "principal",
    "whole",
    "said",
    "such",
    "which",
    "other",
    "another",
    "national",
    "association",
    "member",
    "members",
    "a",
    "an",
    "of",
    "for",
    "to",
    "by",
    "with",
    "and",
    "or",
    "from",
    "at",
    "as",
    "policy",
    "it",
    "information",
    "technology",
    "ict",
    "model",
    "draft",
    "nalc",
    "new",
    "same",
    "previous",
    "relevant",
    "appropriate",
    "if",
    "where",
    "when",
    "whilst",
    "while",
    "contact",
    "inform",
    "notify",
    "ask",
    "tell",
    "clerk",
    "chair",
    "chairman",
    "mayor",
    "councillor",
    "councillors",
    "staff",
    "dear",
    "name",
    "insert",
    "example",
    "sample",
    "template",
    "approved",
    "adopted",
    "meeting",
    "minutes",
    "agenda",
    "committee",
    "email",
    "i",
    "we",
    "on",
    "in",
    "vice",
    "deputy",
];

/// Lowercase words allowed inside a place name: "Stratford upon Avon", "Kirkby in Ashfield".
const CONNECTORS: [&str; 8] = ["upon", "on", "under", "le", "en", "cum", "in", "by"];

/// "Stratford-upon-Avon" → itself; "GROBY" → "Groby"; "STRATFORD-UPON-AVON" →
/// "Stratford-upon-Avon".
fn title_case(word: &str) -> String {
    word.split('-')
        .enumerate()
        .map(|(i, part)| {
            let lower = part.to_lowercase();
            if i > 0 && (CONNECTORS.contains(&lower.as_str()) || lower == "the") {
                return lower;
            }
            if part
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
            {
                let mut chars = lower.chars();
                return chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
            }
            part.to_owned()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Council names in a piece of text: "Groby Parish Council", "ASPATRIA TOWN COUNCIL" (as
/// "Aspatria Town Council"), "Much Wenlock Council". Each with whether it names a kind of
/// local council ("Parish", "Town", …).
pub(crate) fn council_names(text: &str) -> Vec<(String, bool)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let clean = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
            .trim_matches(['\'', '-'])
            .to_owned()
    };
    let mut out = Vec::new();
    for (i, raw) in words.iter().enumerate() {
        let word = clean(raw);
        let word = word.trim_end_matches("'s").trim_end_matches("'S");
        if !(word == "Council" || word == "COUNCIL") || i == 0 {
            continue;
        }
        let mut end = i;
        let previous = clean(words[i - 1]);
        let kind = KINDS.contains(&previous.to_lowercase().as_str())
            && previous.starts_with(char::is_uppercase);
        if kind {
            end = i - 1;
        }
        let mut place: Vec<String> = Vec::new();
        let mut j = end;
        while j > 0 && place.len() < 5 {
            j -= 1;
            let candidate_raw = words[j];
            // "Clerk. Groby" — punctuation after a word ends the name before it ("St." is
            // part of a name).
            let abbreviation = ["St.", "Gt.", "Lt."].contains(&candidate_raw);
            if candidate_raw.ends_with(['.', ',', ':', ';', ')', '(']) && !abbreviation {
                break;
            }
            let candidate = if abbreviation {
                candidate_raw.to_owned()
            } else {
                clean(candidate_raw)
            };
            let lower = candidate.to_lowercase();
            let capital = candidate.starts_with(char::is_uppercase);
            let connector = CONNECTORS.contains(&lower.as_str()) && !place.is_empty();
            if connector {
                // Only between two words of the name.
                let before = j.checked_sub(1).map(|k| clean(words[k]));
                let ok = before.is_some_and(|b| {
                    b.starts_with(char::is_uppercase)
                        && !NOT_PLACES.contains(&b.to_lowercase().as_str())
                });
                if !ok {
                    break;
                }
                place.push(lower);
                continue;
            }
            if !capital || candidate.is_empty() || NOT_PLACES.contains(&lower.as_str()) {
                break;
            }
            place.push(candidate);
        }
        if place
            .last()
            .is_some_and(|w| CONNECTORS.contains(&w.as_str()))
        {
            place.pop();
        }
        if place.is_empty() {
            continue;
        }
        place.reverse();
        let mut name: Vec<String> = place.iter().map(|w| title_case(w)).collect();
        if kind {
            name.push(title_case(&previous));
        }
        name.push("Council".to_owned());
        out.push((name.join(" "), kind));
    }
    out
}

fn is_declaration(lower: &str) -> bool {
    has_any(
        lower,
        &[
            "i confirm",
            "i have read",
            "i acknowledge",
            "i agree",
            "i understand",
            "declaration",
        ],
    )
}

/// The council's name: from a heading near the top, else from a declaration ("I confirm … the
/// Aspatria Parish Council IT policy"), else the "<Place> Parish/Town Council" the text names
/// most often. A bare "the Council" or "Parish Council" is not a name.
pub(crate) fn council_name(doc: &Document) -> Option<Found<String>> {
    let top_blocks = doc.blocks.iter().take(12).count();
    let near_top = |s: &&Sentence| {
        s.block < top_blocks
            && doc.block_of(s).is_some_and(|b| {
                b.kind == BlockKind::Heading || s.text.split_whitespace().count() <= 15
            })
    };
    let first_in = |filter: &dyn Fn(&&Sentence) -> bool, kinds_only: bool| {
        doc.sentences.iter().filter(filter).find_map(|s| {
            let names = council_names(&s.text);
            let pick = names
                .iter()
                .find(|(_, kind)| *kind)
                .or_else(|| names.iter().find(|_| !kinds_only))?;
            Some(Found::at(s, pick.0.clone()))
        })
    };
    if let Some(found) = first_in(&near_top, false) {
        return Some(found);
    }
    if let Some(found) = first_in(&|s: &&Sentence| is_declaration(&s.lower), false) {
        return Some(found);
    }
    // The most frequent kind-named council in the body.
    let mut counts: Vec<(String, usize, &Sentence)> = Vec::new();
    for s in &doc.sentences {
        for (name, kind) in council_names(&s.text) {
            if !kind {
                continue;
            }
            match counts.iter_mut().find(|(n, _, _)| *n == name) {
                Some(entry) => entry.1 += 1,
                None => counts.push((name, 1, s)),
            }
        }
    }
    let best = counts.iter().map(|c| c.1).max()?;
    counts
        .into_iter()
        .find(|c| c.1 == best)
        .map(|(name, _, s)| Found::at(s, name))
}

const ADOPTION_CUES: [&str; 9] = [
    "adopted",
    "adoption",
    "approved",
    "ratified",
    "agreed by",
    "agreed at",
    "accepted by",
    "resolved",
    "date agreed",
];

/// "Adopted: 12 May 2025", "Council Adoption Date: 2 nd March 2026", "Policy approved 16th
/// March, 2026": the first date after an adoption word.
pub(crate) fn adopted_on(doc: &Document) -> Option<Found<PolicyDate>> {
    rules(doc).find_map(|s| {
        let cue = ADOPTION_CUES.iter().filter_map(|c| s.lower.find(c)).min()?;
        // "Adopted 2019, reviewed 14 March 2024": the review date is not the adoption date.
        let after = &s.lower[cue..];
        let upto_review = after.find("review").map_or(after, |r| &after[..r]);
        let date = first_date(upto_review).or_else(|| {
            (!s.lower.contains("review"))
                .then(|| first_date(&s.lower))
                .flatten()
        })?;
        Some(Found::at(s, date))
    })
}

/// "Council Minute Reference: COU/229/25-26", "(minute 45/25)", "Minute No. FC 24/112".
pub(crate) fn minute_reference(doc: &Document) -> Option<Found<String>> {
    rules(doc).find_map(|s| {
        let reference = reference_after_minute(&s.text, has_any(&s.lower, &ADOPTION_CUES))?;
        Some(Found::at(s, reference))
    })
}

fn reference_after_minute(text: &str, adoption_context: bool) -> Option<String> {
    const LABELS: [&str; 8] = ["reference", "ref", "no", "number", "num", "nos", "#", "-"];
    let ascii_lower = text.to_ascii_lowercase();
    let mut from = 0;
    let next_label = |from: usize| {
        ["minute", "resolution"]
            .iter()
            .filter_map(|w| ascii_lower[from..].find(w).map(|i| (from + i, w.len())))
            .min()
    };
    while let Some((start, len)) = next_label(from) {
        from = start + len;
        if start > 0 && ascii_lower[..start].ends_with(|c: char| c.is_ascii_alphanumeric()) {
            continue;
        }
        let after_word = ascii_lower[start..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(text.len(), |e| start + e);
        let word = &ascii_lower[start..after_word];
        if !matches!(word, "minute" | "minutes" | "resolution") {
            continue;
        }
        let mut labelled = false;
        let mut tokens = text[after_word..].split_whitespace().peekable();
        while let Some(token) = tokens.peek() {
            let bare = token
                .trim_matches(|c: char| matches!(c, ':' | '.' | '(' | ')' | ','))
                .to_ascii_lowercase();
            if bare.is_empty() || LABELS.contains(&bare.as_str()) {
                labelled = true;
                tokens.next();
            } else {
                break;
            }
        }
        let clean = |t: &str| {
            t.trim_start_matches(['(', ':'])
                .trim_end_matches(['.', ',', ';', ')', ':'])
                .to_owned()
        };
        let Some(first) = tokens.next().map(clean) else {
            continue;
        };
        let valid = |t: &str| {
            t.chars().any(|c| c.is_ascii_digit())
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '(' | ')'))
        };
        let reference = if valid(&first) {
            first
        } else if first.len() <= 5
            && first.chars().all(|c| c.is_ascii_uppercase())
            && !first.is_empty()
        {
            // "FC 24/112"
            match tokens.next().map(clean) {
                Some(second) if valid(&second) => format!("{first} {second}"),
                _ => continue,
            }
        } else {
            continue;
        };
        let structured = reference.contains(['/', '-', '.'])
            || reference.chars().any(|c| c.is_ascii_alphabetic());
        if labelled || structured || adoption_context {
            return Some(reference);
        }
    }
    None
}

/// How often the policy is reviewed: a period ("reviewed every two years", "Review Date:
/// Annually"), or the next review date counted from the adoption date.
pub(crate) fn review_interval(doc: &Document, adopted: Option<PolicyDate>) -> Option<Found<u16>> {
    const ABOUT_THE_POLICY: [&str; 9] = [
        "policy",
        "this document",
        "review date",
        "next review",
        "review period",
        "review frequency",
        "date of review",
        "to be reviewed",
        "will be reviewed",
    ];
    const OTHER_REVIEWS: [&str; 5] = [
        "password",
        "workstation",
        "assessment",
        "access rights",
        "risk",
    ];
    let reviews = |s: &&Sentence| {
        (has_word(&s.lower, "review") || has_word(&s.lower, "reviewed"))
            && (has_any(&s.lower, &ABOUT_THE_POLICY) || s.lower.starts_with("review"))
            && !has_any(&s.lower, &OTHER_REVIEWS)
    };
    let from_period = rules(doc).filter(reviews).find_map(|s| {
        let cue = s.lower.find("review")?;
        let months = months_in(&s.lower[cue..])?;
        Some(Found::at(s, u16::try_from(months).ok()?))
    });
    if from_period.is_some() {
        return from_period;
    }
    let adopted = adopted?;
    rules(doc)
        .filter(reviews)
        .filter(|s| {
            has_any(
                &s.lower,
                &[
                    "next review",
                    "review date",
                    "due for review",
                    "to be reviewed",
                ],
            )
        })
        .find_map(|s| {
            let cue = s.lower.find("review")?;
            let next = first_date(&s.lower[cue..])?;
            let months = adopted.months_until(next);
            let months = u16::try_from(months)
                .ok()
                .filter(|m| (1..=60).contains(m))?;
            Some(Found::at(s, months))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        council_names(text).into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn council_names_are_found_with_their_place() {
        assert_eq!(
            names("GROBY PARISH COUNCIL INFORMATION TECHNOLOGY POLICY"),
            vec!["Groby Parish Council"]
        );
        assert_eq!(
            names("Policy of Stratford-upon-Avon Town Council."),
            vec!["Stratford-upon-Avon Town Council"]
        );
        assert_eq!(
            names("the Kirkby in Ashfield Town Council policy"),
            vec!["Kirkby in Ashfield Town Council"]
        );
        assert_eq!(
            names("a copy to the Chair of the Council and the Parish Council"),
            Vec::<String>::new()
        );
        assert_eq!(
            names("Clerk to St. Ives Town Council"),
            vec!["St. Ives Town Council"]
        );
        assert_eq!(
            names("Bishop's Stortford Town Council's policy"),
            vec!["Bishop's Stortford Town Council"]
        );
    }

    #[test]
    fn an_abbreviated_minute_label_does_not_end_the_sentence() {
        let doc = Document::parse(
            "It was agreed at the meeting of the Council on 3rd February 2025, minute ref. FC/2025/017, and will be looked at again in twelve months.",
        );
        assert_eq!(
            minute_reference(&doc).map(|f| f.value).as_deref(),
            Some("FC/2025/017")
        );
    }

    #[test]
    fn a_review_date_is_not_taken_for_the_adoption_date() {
        let doc = Document::parse("Version 3, adopted 2019, reviewed 14 March 2024.");
        assert_eq!(adopted_on(&doc), None);
        let doc = Document::parse("Adopted 12 May 2025; next review May 2026.");
        assert_eq!(
            adopted_on(&doc).map(|f| f.value.to_string()).as_deref(),
            Some("2025-05-12")
        );
    }

    #[test]
    fn minute_references_are_read_after_their_label() {
        assert_eq!(
            reference_after_minute("Council Minute Reference: COU/229/25-26", false).as_deref(),
            Some("COU/229/25-26")
        );
        assert_eq!(
            reference_after_minute("Adopted 12 May 2025 (minute 45/25).", true).as_deref(),
            Some("45/25")
        );
        assert_eq!(
            reference_after_minute("Minute No. FC 24/112", false).as_deref(),
            Some("FC 24/112")
        );
        assert_eq!(
            reference_after_minute("lock after 5 minutes of inactivity", false),
            None
        );
        assert_eq!(
            reference_after_minute("Resolution 2025/14 of the council", false).as_deref(),
            Some("2025/14")
        );
    }
}
