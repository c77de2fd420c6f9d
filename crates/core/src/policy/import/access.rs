//! Extractors for who must sign in with a second factor and how long emergency access to the
//! sealed administrative credentials waits before it is released.
//!
//! Both are read only where the policy states them plainly: a list of roles after a sentence
//! about multi-factor authentication, and a number of hours (or days) beside the emergency
//! arrangement. "The council encourages MFA" names no roles; "in an emergency" names no wait.

use super::Source;
use super::fields::{Conflict, Found, rules};
use super::numbers::number_before;
use super::passwords::MFA_WORDS;
use super::text::{Document, Sentence, has_any, has_word};
use crate::person::{Role, RoleSet};

fn about_mfa(lower: &str) -> bool {
    // Every MFA word has one of these in it; most sentences have none, and this is quicker
    // than looking for each word whole.
    has_any(
        lower,
        &[
            "factor",
            "mfa",
            "2fa",
            "step verification",
            "second form of",
        ],
    ) && (MFA_WORDS.iter().any(|w| has_word(lower, w))
        || has_any(lower, &["second factor", "two factors", "second form of"]))
}

/// A role as a policy lists it: its label ("IT provider"), in the plural ("Councillors") or
/// after "the". Anything else is not a role.
fn role_named(text: &str) -> Option<Role> {
    let text = text
        .trim()
        .trim_end_matches([';', '.', ','])
        .trim()
        .to_lowercase();
    let text = text.strip_prefix("the ").unwrap_or(&text);
    Role::ALL.into_iter().find(|role| {
        let label = role.label().to_lowercase();
        text == label || text.strip_suffix('s') == Some(label.as_str())
    })
}

/// "Clerk, Chair and IT provider": every item must be a role, or the list settles nothing.
fn roles_in_list(list: &str) -> Option<RoleSet> {
    let list = list.trim().trim_end_matches('.');
    let items: Vec<&str> = list
        .split(',')
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    if items.is_empty() {
        return None;
    }
    items.iter().try_fold(RoleSet::empty(), |set, item| {
        Some(set.with(role_named(item)?))
    })
}

/// The roles that must use multi-factor authentication, from the first place the policy names
/// them: a list after a sentence about MFA that ends "…in these roles:", the same list written
/// inline ("…by anyone in these roles: Clerk and IT provider."), or "no role is required".
/// A later place naming other roles is a conflict for lint.
pub(crate) fn mfa_required_roles(doc: &Document) -> (Option<Found<RoleSet>>, Option<Conflict>) {
    let sentences: Vec<&Sentence> = rules(doc).collect();
    let mfa: Vec<bool> = sentences.iter().map(|s| about_mfa(&s.lower)).collect();
    let mut found: Vec<Found<RoleSet>> = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        // "MFA should be used. It must always be used by anyone in these roles: …": the
        // sentence before, in the same clause, may be the one that names MFA.
        let after_mfa = i.checked_sub(1).is_some_and(|p| {
            mfa.get(p).copied().unwrap_or(false)
                && sentences.get(p).is_some_and(|p| p.block == s.block)
        });
        let lower = &s.lower;
        if !mfa.get(i).copied().unwrap_or(false) && !after_mfa {
            continue;
        }
        if has_any(lower, &["no role is", "no roles are"]) {
            found.push(Found::at(s, RoleSet::empty()));
        } else if let Some(at) = lower.find("roles:")
            && !lower[at + "roles:".len()..].trim().is_empty()
        {
            found.extend(roles_in_list(&lower[at + "roles:".len()..]).map(|set| Found::at(s, set)));
        } else if s.text.trim_end().ends_with(':') && has_word(lower, "roles") {
            found.extend(listed_roles(doc, s.block, &s.text));
        }
    }
    let Some(first) = found.first().cloned() else {
        return (None, None);
    };
    let conflict = found
        .iter()
        .find(|f| f.value != first.value)
        .map(|other| Conflict {
            what: "which roles must use multi-factor authentication",
            first: (first.source.clause.clone(), describe(first.value)),
            second: (other.source.clause.clone(), describe(other.value)),
        });
    (Some(first), conflict)
}

/// The list items after the paragraph `intro` in block `block`, when every one is a role. The
/// source quotes the introducing sentence with its items.
fn listed_roles(doc: &Document, block: usize, intro: &str) -> Option<Found<RoleSet>> {
    let b = doc.blocks.get(block)?;
    let start = b.paragraphs.iter().position(|p| p.text.ends_with(intro))?;
    let items: Vec<&str> = b.paragraphs[start + 1..]
        .iter()
        .take_while(|p| p.list_item)
        .map(|p| p.text.as_str())
        .collect();
    if items.is_empty() {
        return None;
    }
    let set = items.iter().try_fold(RoleSet::empty(), |set, item| {
        Some(set.with(role_named(item)?))
    })?;
    let line = b.paragraphs.get(start).map_or(b.line, |p| p.line);
    Some(Found {
        value: set,
        source: Source {
            clause: doc.locator_of_line(line),
            text: format!("{intro} {}", items.join("; ")),
        },
        block: Some(block),
    })
}

fn describe(roles: RoleSet) -> String {
    if roles.is_empty() {
        "no role".to_owned()
    } else {
        roles.labels()
    }
}

/// Hours between a request for the sealed emergency credentials and their release: "released
/// after a waiting period of 24 hours", "a 2-day wait". Only where the sentence is about the
/// emergency copy and says it waits.
pub(crate) fn emergency_wait_hours(doc: &Document) -> Option<Found<u16>> {
    const EMERGENCY: [&str; 4] = ["emergenc", "sealed envelope", "break glass", "break-glass"];
    const WAITS: [&str; 8] = [
        "wait",
        "delay",
        "released after",
        "opened after",
        "released only after",
        "after a period",
        "notice period",
        "cooling-off",
    ];
    rules(doc)
        .filter(|s| has_any(&s.lower, &EMERGENCY) && has_any(&s.lower, &WAITS))
        .find_map(|s| {
            let hours = number_before(&s.lower, &["hour", "hours"], 1).or_else(|| {
                number_before(&s.lower, &["day", "days"], 1).and_then(|d| d.checked_mul(24))
            })?;
            Some(Found::at(s, u16::try_from(hours).ok()?))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(text: &str) -> Option<RoleSet> {
        mfa_required_roles(&Document::parse(text))
            .0
            .map(|f| f.value)
    }

    #[test]
    fn roles_are_read_from_a_list_or_a_sentence() {
        let listed = roles(
            "4.1.7 On the council's password system, people in these roles cannot sign in without a second factor:\n\n- Clerk\n- IT provider\n\n4.1.8 Next clause.",
        );
        assert_eq!(listed, Some(RoleSet::of(&[Role::Clerk, Role::ItProvider])));
        let inline = roles(
            "2.1.5 MFA should be used. It must always be used by anyone in these roles: Clerk, Chair and Internal auditor (read-only).",
        );
        assert_eq!(
            inline,
            Some(RoleSet::of(&[Role::Clerk, Role::Chair, Role::Auditor]))
        );
        let none = roles(
            "4.1.7 MFA is recommended. On the password system no role is yet required to sign in with a second factor.",
        );
        assert_eq!(none, Some(RoleSet::empty()));
    }

    #[test]
    fn a_list_with_anything_but_roles_settles_nothing() {
        assert_eq!(
            roles(
                "MFA must be used in these roles:\n\n- Clerk\n- anyone handling payments\n\nEnd."
            ),
            None
        );
        assert_eq!(
            roles("MFA requires users to provide two or more forms of verification."),
            None
        );
    }

    #[test]
    fn the_emergency_wait_is_read_in_hours_or_days() {
        let wait = |text: &str| emergency_wait_hours(&Document::parse(text)).map(|f| f.value);
        assert_eq!(
            wait(
                "- emergency access to that copy is released after a waiting period of 24 hours, during which the Clerk is told."
            ),
            Some(24)
        );
        assert_eq!(
            wait("Emergency access waits 2 days so that the Chair can object."),
            Some(48)
        );
        assert_eq!(
            wait(
                "A copy is held by the Chair in a sealed envelope, only to be accessed in an emergency."
            ),
            None
        );
    }
}
