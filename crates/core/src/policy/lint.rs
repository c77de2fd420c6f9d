//! Lint for an adopted IT policy: contradictions, lists that lost their items, numbering gaps
//! and duplicates, template leftovers, model topics the policy leaves out, and values weaker
//! than recommended — each tied to the clause or line it concerns, in words for a Clerk.
//!
//! Reads the parsed document and what import settled; never changes either.

use crate::policy::import::fields::Extraction;
use crate::policy::import::personal_use::contradictions as use_contradictions;
use crate::policy::import::text::{BlockKind, ClauseNumber, Document, has_any, has_word};
use crate::policy::import::{ImportError, ImportedField, ImportedPolicy, import_policy};
use crate::policy::profile::PolicyProfile;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

mod leftovers;
#[cfg(test)]
mod tests;

/// One thing in the policy a Clerk should look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LintFinding {
    /// The clause number ("2.2.8"), or a heading and line where there is none.
    pub clause: String,
    pub message: String,
}

impl LintFinding {
    fn new(clause: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            clause: clause.into(),
            message: message.into(),
        }
    }
}

/// Lints a policy's plain text. The same findings are in [`ImportedPolicy::lint`].
pub fn lint_policy(text: &str) -> Result<Vec<LintFinding>, ImportError> {
    Ok(import_policy(text)?.lint)
}

/// Every check, in document order within each kind.
pub(crate) fn lint_document(
    doc: &Document,
    extraction: &Extraction,
    imported: &ImportedPolicy,
) -> Vec<LintFinding> {
    let mut findings = Vec::new();
    findings.extend(contradictions(doc, extraction));
    findings.extend(empty_lists(doc));
    findings.extend(numbering(doc));
    findings.extend(leftovers::template_leftovers(doc, imported));
    findings.extend(missing_topics(doc, imported));
    findings.extend(vague_values(doc, imported));
    findings.extend(weaknesses(imported));
    findings
}

fn contradictions(doc: &Document, extraction: &Extraction) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for (block, only, permits) in use_contradictions(doc) {
        let Some(block) = doc.blocks.get(block) else {
            continue;
        };
        out.push(LintFinding::new(
            block.locator(),
            format!(
                "This clause contradicts itself. It says \"{}\" but also \"{}\". Decide whether personal use is allowed, and say it once.",
                shorten(&only),
                shorten(&permits)
            ),
        ));
    }
    for c in &extraction.conflicts {
        out.push(LintFinding::new(
            c.first.0.clone(),
            format!(
                "Clauses {} and {} disagree about {}: one says {}, the other {}. Make them say the same.",
                c.first.0, c.second.0, c.what, c.first.1, c.second.1
            ),
        ));
    }
    out
}

/// A sentence cut down for quoting in a message.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 90;
    if text.chars().count() <= MAX {
        return text.trim_end_matches('.').to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// A clause ending "…on a personal device:" followed straight by the next clause.
fn empty_lists(doc: &Document) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        if block.kind == BlockKind::Heading {
            continue;
        }
        let Some(last) = block.paragraphs.last() else {
            continue;
        };
        let next_kind = doc.blocks.get(i + 1).map(|b| b.kind);
        let list_ends_here = matches!(
            next_kind,
            None | Some(BlockKind::Clause | BlockKind::Heading)
        );
        if last.text.trim_end().ends_with(':') && list_ends_here {
            out.push(LintFinding::new(
                block.locator(),
                format!(
                    "This clause ends with a colon, as if a list follows, but no list does: \"{}\". Add the missing items, or end the sentence.",
                    shorten(&last.text)
                ),
            ));
        }
    }
    out
}

/// Gaps ("5.1.1" then "5.1.5"), duplicates (two "7.1.5") and numbers that go backwards.
fn numbering(doc: &Document) -> Vec<LintFinding> {
    let mut out = Vec::new();
    let mut seen: HashSet<Vec<u32>> = HashSet::new();
    let mut last_child: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut previous: Option<&ClauseNumber> = None;
    for number in doc.blocks.iter().filter_map(|b| b.number.as_ref()) {
        let parts = &number.parts;
        let Some((&own, parent)) = parts.split_last() else {
            continue;
        };
        // A plain "1." after "3." starts a new numbered list, not a duplicate clause.
        if parts.len() == 1 && own == 1 && seen.contains(parts) {
            seen.retain(|p| p.len() > 1);
            seen.insert(parts.clone());
            last_child.insert(Vec::new(), 1);
            previous = Some(number);
            continue;
        }
        if !seen.insert(parts.clone()) {
            out.push(LintFinding::new(
                number.text.clone(),
                format!(
                    "There are two clauses numbered {}. Renumber one of them so that each clause can be referred to.",
                    number.text
                ),
            ));
            previous = Some(number);
            continue;
        }
        let top_previous = previous.and_then(|p| p.parts.first().copied());
        let expected = if parent.is_empty() {
            last_child.get(parent).map_or(1, |l| l + 1)
        } else {
            last_child.get(parent).map_or(1, |l| l + 1)
        };
        let after = previous.map_or_else(
            || "the start of the policy".to_owned(),
            |p| format!("clause {}", p.text),
        );
        // Sub-clauses count from 1; plain section numbers may start anywhere. When a whole
        // section is missing, that finding (below) explains the gap.
        let section_jump = match (top_previous, parts.first()) {
            (Some(prev_top), Some(&top)) => parts.len() > 1 && top > prev_top + 1,
            _ => false,
        };
        let counted = !parent.is_empty() || last_child.contains_key(parent);
        if counted && own > expected && !section_jump {
            let name = |n: u32| {
                let mut p = parent.to_vec();
                p.push(n);
                p.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
            };
            let missing = if own - expected == 1 {
                format!("there is no clause {}", name(expected))
            } else {
                format!(
                    "clauses {} to {} are missing",
                    name(expected),
                    name(own - 1)
                )
            };
            out.push(LintFinding::new(
                number.text.clone(),
                format!(
                    "Clause {} comes after {}: {missing}. Renumber the clauses, or check that nothing was lost.",
                    number.text, after
                ),
            ));
        } else if own < expected && !parent.is_empty() {
            out.push(LintFinding::new(
                number.text.clone(),
                format!(
                    "Clause {} comes after {}: the numbering goes backwards. Renumber the clauses.",
                    number.text, after
                ),
            ));
        }
        // A new top-level section starts its own count; so does each parent.
        if let (true, Some(prev_top)) = (section_jump, top_previous) {
            out.push(LintFinding::new(
                number.text.clone(),
                format!(
                    "Clause {} comes after {}: there is no section {}. Renumber the sections, or check that nothing was lost.",
                    number.text,
                    after,
                    prev_top + 1
                ),
            ));
        }
        last_child.insert(parent.to_vec(), own);
        previous = Some(number);
    }
    out
}

/// Whether the policy tells people that use of equipment, email or the internet may be
/// monitored: any sentence with "monitor" in it ("monitored", "monitoring"). Monitoring may not
/// be switched on until an adopted policy does (`crate::monitor::may_switch_on`).
pub(crate) fn mentions_monitoring(doc: &Document) -> bool {
    doc.sentences.iter().any(|s| s.lower.contains("monitor"))
}

/// Topics of the model the policy does not cover at all.
fn missing_topics(doc: &Document, imported: &ImportedPolicy) -> Vec<LintFinding> {
    let all: String = doc
        .sentences
        .iter()
        .map(|s| s.lower.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let whole = "whole document";
    let mut out = Vec::new();
    let mut missing = |absent: bool, message: &str| {
        if absent {
            out.push(LintFinding::new(whole, message));
        }
    };
    missing(
        !all.contains("password"),
        "The policy says nothing about passwords. The model policy covers how passwords are made, shared, stored and changed (section 4).",
    );
    missing(
        all.contains("password") && imported.password_manager_required.is_none(),
        "The policy does not say how passwords are to be stored. The model asks for an encrypted password manager (4.1.3).",
    );
    missing(
        imported.mfa.is_none(),
        "The policy does not say whether multi-factor authentication (a code as well as a password) is used. The model asks for it wherever possible (4.1.1).",
    );
    missing(
        imported.emergency_credentials_holder.is_none(),
        "The policy does not say who keeps a sealed copy of the administrator passwords for emergencies. The model gives one to the Chair (4.1.2).",
    );
    missing(
        !mentions_monitoring(doc),
        "The policy does not say whether the council monitors use of its equipment, email and internet. People must be told before they are monitored (model section 5).",
    );
    missing(
        !has_word(&all, "email") && !has_word(&all, "e-mail"),
        "The policy says nothing about email. The model covers council email accounts and personal use of them (section 7).",
    );
    missing(
        !all.contains("social media") && !all.contains("social network"),
        "The policy says nothing about social media. The model covers what councillors and staff may post (section 9).",
    );
    missing(
        imported.declaration_required == Some(false)
            && imported
                .sources
                .get(ImportedField::DeclarationRequired)
                .is_some_and(|s| s.clause == whole),
        "There is no declaration for users to sign to confirm they have read the policy. Add one, so the council can show who has agreed to it.",
    );
    missing(
        imported.review_interval_months.is_none(),
        "The policy does not say how often it will be reviewed. Most councils review their policies every year.",
    );
    missing(
        imported.adopted_on.is_none(),
        "The policy does not say when the council adopted it. Add the date and the minute reference of the meeting.",
    );
    out
}

/// Topics the policy raises without settling the number the model gives.
fn vague_values(doc: &Document, imported: &ImportedPolicy) -> Vec<LintFinding> {
    let mut out = Vec::new();
    if imported.device_pin_min_digits.is_none()
        && let Some(s) = doc
            .sentences
            .iter()
            .find(|s| has_word(&s.lower, "pin") || has_word(&s.lower, "passcode"))
    {
        out.push(LintFinding::new(
            s.locator.clone(),
            "The policy asks for a PIN or passcode but does not say how many digits. Cyber Essentials asks for at least 6.",
        ));
    }
    if imported.device_lockout_attempts.is_none()
        && let Some(s) = doc.sentences.iter().find(|s| {
            has_any(
                &s.lower,
                &["several", "a number of", "repeated", "multiple"],
            ) && has_any(&s.lower, &["attempt", "tries"])
        })
    {
        out.push(LintFinding::new(
            s.locator.clone(),
            "The policy does not say after how many failed attempts a device locks or is wiped (\"several\" cannot be checked). Cyber Essentials asks for no more than 10.",
        ));
    }
    out
}

/// [`PolicyProfile::weaknesses`] of the model defaults with this policy's values put in,
/// reported only for values the policy itself settled, at the clause that settled them.
fn weaknesses(imported: &ImportedPolicy) -> Vec<LintFinding> {
    imported
        .apply_to(&PolicyProfile::model_defaults())
        .weaknesses()
        .into_iter()
        .filter_map(|w| {
            let source = imported.source_of(w.field)?;
            Some(LintFinding::new(source.clause.clone(), w.message))
        })
        .collect()
}
