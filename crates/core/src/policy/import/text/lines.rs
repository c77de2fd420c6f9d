//! Classifies each line of a policy: table-of-contents entry (dropped), clause number,
//! heading, bullet or body text; and turns Word's tab-separated table cells into "Label: value".

use std::collections::HashSet;

/// A clause number as written ("2.1.6") and as numbers ([2, 1, 6]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ClauseNumber {
    pub parts: Vec<u32>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A clause number alone on its line; the next paragraph is its text.
    NumberOnly {
        number: ClauseNumber,
        line: usize,
    },
    Heading {
        text: String,
        line: usize,
    },
    Numbered {
        number: ClauseNumber,
        title: Option<String>,
        body: Option<String>,
        line: usize,
    },
    Body {
        text: String,
        line: usize,
        list_item: bool,
    },
}

/// Section headings of the model policy. A short line after a colon is a list item unless it is
/// one of these (or appears in the document's own table of contents).
const MODEL_SECTION_HEADINGS: [&str; 24] = [
    "introduction",
    "purpose of the it policy",
    "monitoring of it use",
    "scope of this policy",
    "computer use",
    "hardware",
    "equipment",
    "portable equipment",
    "use of own devices",
    "health and safety",
    "password and authentication policy",
    "monitoring",
    "remote working",
    "email",
    "use of the internet",
    "copyright",
    "trademarks, links and data protection",
    "accuracy of information",
    "use of social media",
    "social media",
    "misuse",
    "declaration",
    "important notice",
    "passwords",
];

pub(crate) fn is_known_section_heading(text: &str) -> bool {
    let lower = text.trim().trim_end_matches(':').to_lowercase();
    MODEL_SECTION_HEADINGS.contains(&lower.as_str())
}

/// Labels that look like contents entries ("Review Date\t12") but carry a value.
const VALUE_LABELS: [&str; 9] = [
    "review", "adopt", "minute", "date", "version", "period", "month", "year", "tel",
];

pub(crate) fn classify_lines(text: &str) -> Vec<Line> {
    let raw: Vec<&str> = text.lines().collect();
    let all_lines: HashSet<String> = raw
        .iter()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect();
    let mut contents: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    // After a line ending in a colon, short lines are list items, not headings.
    let mut after_colon = false;
    for (index, raw_line) in raw.iter().enumerate() {
        let line_no = index + 1;
        let line = strip_markdown(raw_line.trim());
        if line.is_empty() {
            continue;
        }
        if let Some(label) = contents_entry(line, &all_lines) {
            contents.insert(label);
            continue;
        }
        if ["contents", "table of contents", "contents page"]
            .contains(&line.to_lowercase().as_str())
        {
            continue;
        }
        if let Some(item) = strip_bullet(line) {
            let item = item.replace('\t', " ");
            after_colon |= item.ends_with(':');
            out.push(Line::Body {
                text: item,
                line: line_no,
                list_item: true,
            });
            continue;
        }
        let line = join_cells(line);
        if line.is_empty() {
            continue;
        }
        let known_heading =
            |t: &str| is_known_section_heading(t) || contents.contains(&t.trim().to_lowercase());
        if let Some((number, rest)) = parse_clause_number(&line) {
            let rest = rest.trim();
            after_colon = rest.ends_with(':');
            out.push(if rest.is_empty() {
                Line::NumberOnly {
                    number,
                    line: line_no,
                }
            } else if heading_like(rest) {
                Line::Numbered {
                    number,
                    title: Some(rest.to_owned()),
                    body: None,
                    line: line_no,
                }
            } else {
                Line::Numbered {
                    number,
                    title: None,
                    body: Some(rest.to_owned()),
                    line: line_no,
                }
            });
            continue;
        }
        let shouting =
            line.chars().any(char::is_alphabetic) && !line.chars().any(char::is_lowercase);
        if heading_like(&line) && (!after_colon || known_heading(&line) || shouting) {
            after_colon = false;
            out.push(Line::Heading {
                text: line,
                line: line_no,
            });
            continue;
        }
        // Unbulleted list items are short, or start in lower case, or end with ";".
        let looks_like_item = after_colon
            && (line.starts_with(char::is_lowercase)
                || line.ends_with([';', ','])
                || !line.ends_with('.')
                || line.split_whitespace().count() <= 12);
        let list_item = looks_like_item && !line.ends_with(':');
        after_colon = line.ends_with(':') || looks_like_item;
        out.push(Line::Body {
            text: line,
            line: line_no,
            list_item,
        });
    }
    out
}

/// "# Email", "**Email**" → "Email".
fn strip_markdown(line: &str) -> &str {
    let line = line.trim_start_matches('#').trim();
    let line = line
        .strip_prefix("**")
        .and_then(|l| l.strip_suffix("**"))
        .unwrap_or(line);
    line.strip_prefix("__")
        .and_then(|l| l.strip_suffix("__"))
        .unwrap_or(line)
        .trim()
}

/// A table-of-contents line ("Email\t9", "Email ....... 9", or "Email 9" when "Email" is also a
/// line of its own): returns its label, lowercased.
fn contents_entry(line: &str, all_lines: &HashSet<String>) -> Option<String> {
    let trimmed = line.trim_end();
    let without_number = trimmed.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = trimmed.len() - without_number.len();
    if digits == 0 || digits > 3 {
        return None;
    }
    let separator_len = without_number.len()
        - without_number
            .trim_end_matches(['\t', ' ', '.', '\u{2026}'])
            .len();
    let separator = &without_number[without_number.len() - separator_len..];
    let label = without_number[..without_number.len() - separator_len].trim();
    let lower = label.to_lowercase();
    if label.is_empty()
        || !label.chars().any(char::is_alphabetic)
        || label.split_whitespace().count() > 12
        || VALUE_LABELS.iter().any(|v| lower.contains(v))
    {
        return None;
    }
    let leader =
        separator.contains('\t') || separator.contains("..") || separator.contains('\u{2026}');
    let listed_elsewhere = separator.contains(' ') && all_lines.contains(&lower);
    (leader || listed_elsewhere).then_some(lower)
}

/// Word tables arrive as tab-separated cells: "Council Minute Reference\tCOU/229/25-26" becomes
/// "Council Minute Reference: COU/229/25-26"; other tabs become spaces.
fn join_cells(line: &str) -> String {
    let piped = line.starts_with('|') || line.contains(" | ");
    if !line.contains('\t') && !piped {
        return line.to_owned();
    }
    // A Markdown table's ruling ("|---|:--|") carries nothing.
    if piped
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '+' | '='))
    {
        return String::new();
    }
    let separator = if piped { '|' } else { '\t' };
    let cells: Vec<&str> = line
        .split(separator)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    match cells.as_slice() {
        [label, value]
            if parse_clause_number(label).is_none()
                && strip_bullet(label).is_none()
                && label.split_whitespace().count() <= 6
                && !label.ends_with(['.', ';', ',']) =>
        {
            if label.ends_with(':') {
                format!("{label} {value}")
            } else {
                format!("{label}: {value}")
            }
        }
        _ => cells.join(" "),
    }
}

const BULLETS: [char; 19] = [
    '-', '\u{2013}', '\u{2014}', '\u{2022}', '\u{b7}', '\u{25cf}', '\u{25aa}', '\u{25e6}',
    '\u{25cb}', '\u{25a0}', '\u{25a1}', '\u{f0b7}', '\u{f0a7}', '\u{f076}', '*', '\u{27a2}',
    '\u{2713}', '\u{2043}', '+',
];

/// The text of a bullet or lettered list item ("- x", "• x", "a) x", "(ii) x"), if it is one.
pub(crate) fn strip_bullet(line: &str) -> Option<&str> {
    let mut chars = line.chars();
    let first = chars.next()?;
    if BULLETS.contains(&first) {
        let rest = chars.as_str();
        // "-5 degrees" or "--" are not bullets; symbol bullets may touch their text.
        let spaced = rest.starts_with([' ', '\t']);
        if spaced || (!first.is_ascii() && !rest.is_empty()) {
            return Some(rest.trim());
        }
        return None;
    }
    if first == 'o' && line.starts_with("o\t") {
        return Some(line[2..].trim());
    }
    // "a) ", "(a) ", "iv) ", "1) ", "(1) "
    let inner_end = line.find(')')?;
    if inner_end > 5 || !line[inner_end + 1..].starts_with(' ') {
        return None;
    }
    let marker = line[..inner_end].trim_start_matches('(');
    let roman = !marker.is_empty() && marker.chars().all(|c| "ivx".contains(c));
    let letter = marker.len() == 1 && marker.chars().all(|c| c.is_ascii_lowercase());
    let digits =
        !marker.is_empty() && marker.len() <= 2 && marker.bytes().all(|b| b.is_ascii_digit());
    (roman || letter || digits).then(|| line[inner_end + 1..].trim())
}

/// A clause number at the start of a line: "2.1.6 ", "2.1.6. ", "7.1.5" alone, "3. " — and the
/// rest of the line. A bare "2025 " or "100.00" is not a clause number.
pub(crate) fn parse_clause_number(line: &str) -> Option<(ClauseNumber, &str)> {
    let end = line
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(line.len());
    let candidate = &line[..end];
    let rest = &line[end..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let trailing_dot = candidate.ends_with('.');
    let groups: Vec<&str> = candidate.trim_end_matches('.').split('.').collect();
    if groups.iter().any(|g| g.is_empty() || g.len() > 3) || groups.len() > 5 {
        return None;
    }
    let parts: Vec<u32> = groups.iter().filter_map(|g| g.parse().ok()).collect();
    let first = *parts.first()?;
    if parts.len() != groups.len() || first == 0 || first > 99 {
        return None;
    }
    if parts.len() == 1 && (!trailing_dot || rest.trim().is_empty()) {
        return None;
    }
    let text = groups.join(".");
    Some((ClauseNumber { parts, text }, rest))
}

/// A short line that names a section rather than saying something: no full stop at the end, no
/// "must" or "should", not a "Label: value" line.
pub(crate) fn heading_like(text: &str) -> bool {
    let text = text.trim();
    let words = text.split_whitespace().count();
    let lower = format!(" {} ", text.to_lowercase());
    let starts_upper = text.chars().next().is_some_and(char::is_uppercase);
    starts_upper
        && (1..=10).contains(&words)
        && text.len() <= 90
        && !text.ends_with(['.', ',', ';', ':', '!', '?'])
        && !text.contains(": ")
        && ![
            " must ", " should ", " will ", " shall ", " may ", " is ", " are ",
        ]
        .iter()
        .any(|v| lower.contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_numbers_are_recognised_and_sums_and_years_are_not() {
        let n = |l: &str| parse_clause_number(l).map(|(n, _)| n.text);
        assert_eq!(n("2.1.6 If an item").as_deref(), Some("2.1.6"));
        assert_eq!(n("2.1.6.\tIf an item").as_deref(), Some("2.1.6"));
        assert_eq!(n("7.1.5").as_deref(), Some("7.1.5"));
        assert_eq!(n("3. Passwords").as_deref(), Some("3"));
        assert_eq!(n("2025 was a year"), None);
        assert_eq!(n("100.00 pounds"), None);
        assert_eq!(n("12.30pm"), None);
    }

    #[test]
    fn contents_lines_are_recognised_but_value_lines_are_kept() {
        let none = HashSet::new();
        assert_eq!(contents_entry("Email\t9", &none).as_deref(), Some("email"));
        assert_eq!(
            contents_entry("Use of the internet ..... 10", &none).as_deref(),
            Some("use of the internet")
        );
        assert_eq!(contents_entry("Review Date\t12", &none), None);
        let listed: HashSet<String> = ["computer use".to_owned()].into();
        assert_eq!(
            contents_entry("Computer use 2", &listed).as_deref(),
            Some("computer use")
        );
        assert_eq!(contents_entry("Computer use 2", &none), None);
    }

    #[test]
    fn table_cells_become_label_and_value() {
        assert_eq!(
            join_cells("Council Minute Reference\tCOU/229/25-26"),
            "Council Minute Reference: COU/229/25-26"
        );
        assert_eq!(join_cells("DETAILS OF POLICY\t"), "DETAILS OF POLICY");
        assert_eq!(
            join_cells("2.1.6\tIf an item is lost"),
            "2.1.6 If an item is lost"
        );
        assert_eq!(
            join_cells("| Date adopted | 14/05/2025 |"),
            "Date adopted: 14/05/2025"
        );
        assert_eq!(join_cells("|---|---|"), "");
    }

    #[test]
    fn bullets_of_every_kind_are_list_items() {
        assert_eq!(
            strip_bullet("- ensure secure WiFi"),
            Some("ensure secure WiFi")
        );
        assert_eq!(
            strip_bullet("\u{b7}\tensure secure WiFi"),
            Some("ensure secure WiFi")
        );
        assert_eq!(
            strip_bullet("\u{2022}ensure secure WiFi"),
            Some("ensure secure WiFi")
        );
        assert_eq!(strip_bullet("(ii) ensure"), Some("ensure"));
        assert_eq!(strip_bullet("-5 degrees"), None);
        assert_eq!(strip_bullet("Email (see below) is"), None);
    }
}
