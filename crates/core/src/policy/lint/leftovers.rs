//! Template leftovers: links that point nowhere, blanks never filled in, guidance written for
//! councils drafting a policy, the model publisher's notice, and other councils' names.

use super::{LintFinding, shorten};
use crate::policy::import::ImportedPolicy;
use crate::policy::import::adoption::council_names;
use crate::policy::import::text::{Document, has_any};
use std::collections::HashSet;

pub(super) fn template_leftovers(doc: &Document, imported: &ImportedPolicy) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for (line, text) in &doc.empty_links {
        out.push(LintFinding::new(
            doc.locator_of_line(*line),
            format!(
                "The link \"{text}\" has no web address (it points to \"#\"). Put in the real address, or remove the link."
            ),
        ));
    }
    out.extend(placeholders(doc));
    out.extend(guidance_and_notices(doc));
    out.extend(other_councils(doc, imported));
    out
}

/// "[Council name]", "<insert date>", "XXXX", "Councilname", "£xx", "........".
fn placeholders(doc: &Document) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for s in &doc.sentences {
        for blank in blanks_in(&s.text) {
            out.push(LintFinding::new(
                s.locator.clone(),
                format!("\"{blank}\" looks like a blank left from the template. Fill it in."),
            ));
        }
    }
    out
}

fn blanks_in(text: &str) -> Vec<String> {
    const BRACKETED: [&str; 14] = [
        "name", "council", "insert", "date", "clerk", "address", "xx", "enter", "add ", "details",
        "number", "amount", "town", "parish",
    ];
    let mut found = Vec::new();
    for (open, close) in [('[', ']'), ('<', '>')] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + 1..];
            let Some(end) = after.find(close) else {
                break;
            };
            let inner = &after[..end];
            let lower = inner.to_lowercase();
            if (inner.trim().is_empty() && open == '[') || has_any(&lower, &BRACKETED) {
                found.push(format!("{open}{inner}{close}"));
            }
            rest = &after[end + 1..];
        }
    }
    for word in text.split_whitespace() {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '£');
        let lower = bare.to_lowercase();
        let xs = lower.trim_start_matches('£');
        let all_x = xs.len() >= 2 && xs.chars().all(|c| c == 'x');
        if (all_x && (xs.len() >= 3 || lower.starts_with('£')))
            || lower == "councilname"
            || lower == "council_name"
        {
            found.push(bare.to_owned());
        }
    }
    let lower = text.to_lowercase();
    for phrase in [
        "insert name",
        "insert date",
        "insert council",
        "insert here",
        "name of council",
    ] {
        if lower.contains(phrase) && !found.iter().any(|f| f.to_lowercase().contains(phrase)) {
            found.push(phrase.to_owned());
        }
    }
    // Dotted lines to sign or date on are meant to stay blank.
    let signing = ["sign", "date", "name", "print"]
        .iter()
        .any(|w| lower.contains(w));
    if (text.contains("....") || text.contains("\u{2026}\u{2026}")) && !signing {
        found.push("....".to_owned());
    }
    found
}

/// Guidance for councils ("Councils will also need to determine…") and the model's publishing
/// notice ("This is an example of a policy…"), once per block.
fn guidance_and_notices(doc: &Document) -> Vec<LintFinding> {
    const NOTICE: [&str; 5] = [
        "is an example of a policy",
        "does not constitute legal advice",
        "commissioned by the national association",
        "this document has been written by",
        "nalc cannot accept responsibility",
    ];
    let mut out = Vec::new();
    let mut flagged: HashSet<usize> = HashSet::new();
    let mut notice_sections: HashSet<Option<&str>> = HashSet::new();
    for s in &doc.sentences {
        if flagged.contains(&s.block) {
            continue;
        }
        if has_any(&s.lower, &NOTICE) {
            flagged.insert(s.block);
            // One finding for a notice of several paragraphs under one heading.
            let section = doc.block_of(s).and_then(|b| b.section.as_deref());
            if !notice_sections.insert(section) {
                continue;
            }
            out.push(LintFinding::new(
                s.locator.clone(),
                "This is the publisher's notice from the model policy, not part of the council's policy. Remove it.",
            ));
        } else if s.guidance {
            flagged.insert(s.block);
            out.push(LintFinding::new(
                s.locator.clone(),
                format!(
                    "This reads as advice to councils writing a policy, not as a rule: \"{}\". Remove it, or replace it with what the council has decided.",
                    shorten(&s.text)
                ),
            ));
        }
    }
    out
}

/// "Aspatria Town Council" in Balsham's policy: a name copied from another council's policy.
fn other_councils(doc: &Document, imported: &ImportedPolicy) -> Vec<LintFinding> {
    let Some(ours) = &imported.council_name else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for s in &doc.sentences {
        for (name, kind) in council_names(&s.text) {
            // A city council is usually the principal authority, rightly named in a parish's
            // policy (planning, elections).
            if !kind || name.eq_ignore_ascii_case(ours) || name.ends_with("City Council") {
                continue;
            }
            if seen.insert((s.locator.clone(), name.clone())) {
                out.push(LintFinding::new(
                    s.locator.clone(),
                    format!(
                        "This names {name}, but this is {ours}'s policy. It is probably left over from the policy it was copied from: put in the council's own name."
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_blanks_are_spotted() {
        assert_eq!(
            blanks_in("Adopted by [Council name] on XXXX."),
            vec!["[Council name]", "XXXX"]
        );
        assert_eq!(blanks_in("Councilname will review it"), vec!["Councilname"]);
        assert_eq!(blanks_in("liable for the first £xx"), vec!["£xx"]);
        assert_eq!(
            blanks_in("Minute <insert minute number>"),
            vec!["<insert minute number>"]
        );
        assert_eq!(
            blanks_in("The Clerk (see 4.1.2) will decide."),
            Vec::<String>::new()
        );
    }
}
