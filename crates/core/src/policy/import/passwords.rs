//! Extractors for the password and authentication section: who holds the sealed emergency
//! credentials, whether a password manager is required, how passwords are made, and MFA.

use super::fields::{Conflict, Found, rules};
use super::text::{Document, Sentence, has_any, has_word};
use crate::policy::profile::{EmergencyHolder, MfaRule, PasswordStyle};

/// Where each role is mentioned in a sentence (byte offsets), Vice-Chair before Chair so that
/// "Vice-Chairman" is not read as the Chair.
fn roles_in(lower: &str) -> Vec<(usize, usize, EmergencyHolder)> {
    const VICE: [&str; 7] = [
        "vice-chairman",
        "vice chairman",
        "vice-chairperson",
        "vice-chair",
        "vice chair",
        "deputy mayor",
        "deputy chair",
    ];
    const CHAIR: [&str; 6] = [
        "chairman",
        "chairperson",
        "chairwoman",
        "chair",
        "mayor",
        "town mayor",
    ];
    const CLERK: [&str; 5] = [
        "clerk",
        "proper officer",
        "rfo",
        "responsible financial officer",
        "town clerk",
    ];
    const PROVIDER: [&str; 8] = [
        "it provider",
        "it support",
        "it contractor",
        "it company",
        "it consultant",
        "it security provider",
        "it supplier",
        "managed service provider",
    ];
    let mut found = Vec::new();
    let mut rest = lower.to_owned();
    let mut mark = |words: &[&str], role, text: &mut String| {
        for w in words {
            while let Some(pos) = find_word(text, w) {
                found.push((pos, pos + w.len(), role));
                // Blank the match so "chair" does not find it again inside "vice-chair".
                text.replace_range(pos..pos + w.len(), &" ".repeat(w.len()));
            }
        }
    };
    mark(&VICE, EmergencyHolder::ViceChair, &mut rest);
    mark(&CHAIR, EmergencyHolder::Chair, &mut rest);
    mark(&CLERK, EmergencyHolder::Clerk, &mut rest);
    mark(&PROVIDER, EmergencyHolder::ItProvider, &mut rest);
    found.sort_by_key(|(pos, _, _)| *pos);
    found
}

fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let ok = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if ok(text[..start].chars().next_back()) && ok(text[end..].chars().next()) {
            return Some(start);
        }
        from = end;
    }
    None
}

/// "a copy provided to the Chair of the Council in a sealed envelope". The holder is the one
/// role the sentence names; or the first named after "provided to", "held by" and the like;
/// or the one that "keeps" or "holds" it ("The Clerk keeps … in a sealed envelope; the Chairman
/// may open it in an emergency").
pub(crate) fn emergency_holder(doc: &Document) -> Option<Found<EmergencyHolder>> {
    const CUES: [&str; 12] = [
        "provided to",
        "given to",
        "held by",
        "lodged with",
        "kept by",
        "deposited with",
        "copy to",
        "retained by",
        "passed to",
        "handed to",
        "kept with",
        "held with",
    ];
    let qualifies = |s: &&Sentence| {
        let l = &s.lower;
        l.contains("sealed envelope")
            || l.contains("break glass")
            || (l.contains("emergenc")
                && has_any(l, &["credential", "password", "login", "log-in"]))
    };
    const KEEPS: [&str; 10] = [
        " keeps",
        " holds",
        " will keep",
        " will hold",
        " retains",
        " will retain",
        " receives",
        " will receive",
        " is given",
        " will be given",
    ];
    rules(doc).filter(qualifies).find_map(|s| {
        let roles = roles_in(&s.lower);
        let first = roles.first()?.2;
        if roles.iter().all(|(_, _, r)| *r == first) {
            return Some(Found::at(s, first));
        }
        let find_min = |cues: &[&str]| cues.iter().filter_map(|c| s.lower.find(c)).min();
        let cue = find_min(&CUES).or_else(|| find_min(&[" to the ", " with the ", " by the "]));
        if let Some(cue) = cue
            && let Some((_, _, role)) = roles.iter().find(|(pos, _, _)| *pos > cue)
        {
            return Some(Found::at(s, *role));
        }
        roles
            .iter()
            .find(|(_, end, _)| KEEPS.iter().any(|k| s.lower[*end..].starts_with(k)))
            .map(|(_, _, role)| Found::at(s, *role))
    })
}

const MANAGER: [&str; 9] = [
    "password manager",
    "password management software",
    "password management tool",
    "password management system",
    "password vault",
    "password safe",
    "bitwarden",
    "keepass",
    "lastpass",
];

/// "Passwords must be stored using a council-approved, encrypted password manager" → true.
/// "Should" counts as required (the model uses "should" for its rules); "may", "recommended"
/// or "where possible" → false; not mentioned at all → `None`, since a password manager may
/// be the subject of a separate password policy.
pub(crate) fn password_manager(doc: &Document) -> Option<Found<bool>> {
    const NOT_REQUIRED: [&str; 4] = ["not required", "need not", "not necessary", "optional"];
    const SOFT: [&str; 9] = [
        " may ",
        "recommend",
        "encourage",
        "consider",
        "where possible",
        "wherever possible",
        "advised",
        " could ",
        "if available",
    ];
    const REQUIRED: [&str; 10] = [
        "must",
        "shall",
        "required",
        "will be stored",
        "are to be",
        "should",
        "will use",
        "is used",
        "are stored",
        "will be used",
    ];
    rules(doc)
        .filter(|s| has_any(&s.lower, &MANAGER))
        .find_map(|s| {
            let padded = format!(" {} ", s.lower);
            if has_any(&padded, &NOT_REQUIRED) || has_any(&padded, &SOFT) {
                Some(Found::at(s, false))
            } else if REQUIRED.iter().any(|w| has_word(&s.lower, w)) {
                Some(Found::at(s, true))
            } else {
                None
            }
        })
}

/// "three random words" (even "should move towards adopting" them: the policy names it as the
/// council's method) or random characters / complex passwords with symbols. Text after
/// "rather than" or "instead of" is what the council does not do.
pub(crate) fn password_style(doc: &Document) -> Option<Found<PasswordStyle>> {
    const WORDS: [&str; 4] = [
        "three random words",
        "3 random words",
        "random words",
        "three-random-words",
    ];
    const CHARACTERS: [&str; 10] = [
        "random characters",
        "random string",
        "randomly generated characters",
        "mix of upper",
        "upper and lower case",
        "upper and lowercase",
        "uppercase and lowercase",
        "special character",
        "symbols",
        "complex password",
    ];
    rules(doc).find_map(|s| {
        let lower = s.lower.as_str();
        let affirmed = ["rather than", "instead of"]
            .iter()
            .filter_map(|w| lower.find(w))
            .min()
            .map_or(lower, |cut| &lower[..cut]);
        if has_any(affirmed, &WORDS) {
            Some(Found::at(s, PasswordStyle::ThreeRandomWords))
        } else if has_any(affirmed, &CHARACTERS)
            && has_any(lower, &["password", "passphrase", "passcode"])
        {
            Some(Found::at(s, PasswordStyle::RandomCharacters))
        } else {
            None
        }
    })
}

pub(crate) const MFA_WORDS: [&str; 9] = [
    "multi-factor",
    "multi factor",
    "multifactor",
    "mfa",
    "two-factor",
    "two factor",
    "2fa",
    "two-step verification",
    "2-step verification",
];

/// The verdict of one sentence about MFA, if it gives one. A softener ("where possible",
/// "recommends", "best practice") wins over "must" or "should" in the same sentence; a sentence
/// that only explains what MFA is gives none.
fn mfa_verdict(lower: &str) -> Option<MfaRule> {
    const SOFT: [&str; 17] = [
        "where possible",
        "wherever possible",
        "where available",
        "where supported",
        "if available",
        "when available",
        "where practical",
        "where practicable",
        "recommend",
        "best practice",
        "good practice",
        "encourage",
        "consider",
        "advised",
        "advisable",
        "ideally",
        "optional",
    ];
    const REQUIRED: [&str; 8] = [
        "must",
        "mandatory",
        "compulsory",
        "required",
        "shall",
        "enforced",
        "should",
        "will be enabled",
    ];
    if !MFA_WORDS.iter().any(|w| has_word(lower, w)) {
        return None;
    }
    if has_any(lower, &SOFT) {
        Some(MfaRule::WherePossible)
    } else if REQUIRED.iter().any(|w| has_word(lower, w)) || lower.contains("will be used") {
        Some(MfaRule::Required)
    } else {
        None
    }
}

/// MFA across the document. When sentences disagree, the password and authentication
/// section decides; failing that, the weaker rule (the document does not clearly require it).
pub(crate) fn mfa(doc: &Document) -> (Option<Found<MfaRule>>, Option<Conflict>) {
    let verdicts: Vec<Found<MfaRule>> = rules(doc)
        .filter_map(|s| mfa_verdict(&s.lower).map(|v| Found::at(s, v)))
        .collect();
    let Some(first) = verdicts.first() else {
        return (None, None);
    };
    let Some(other) = verdicts.iter().find(|v| v.value != first.value) else {
        return (Some(first.clone()), None);
    };
    let conflict = Conflict {
        what: "whether multi-factor authentication is required",
        first: (first.source.clause.clone(), describe(first.value)),
        second: (other.source.clause.clone(), describe(other.value)),
    };
    let in_password_section = |f: &&Found<MfaRule>| {
        f.block
            .and_then(|b| doc.blocks.get(b))
            .is_some_and(|b| b.under_heading(&["password", "authentication"]))
    };
    let section_values: Vec<&Found<MfaRule>> =
        verdicts.iter().filter(in_password_section).collect();
    let chosen = match section_values.first() {
        Some(f) if section_values.iter().all(|g| g.value == f.value) => (*f).clone(),
        _ => verdicts
            .iter()
            .find(|v| v.value == MfaRule::WherePossible)
            .unwrap_or(first)
            .clone(),
    };
    (Some(chosen), Some(conflict))
}

fn describe(rule: MfaRule) -> String {
    match rule {
        MfaRule::Required => "required".to_owned(),
        MfaRule::WherePossible => "only where possible".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::parse(text)
    }

    #[test]
    fn chair_chairman_and_chair_of_council_are_all_the_chair() {
        for name in [
            "Chair",
            "Chairman",
            "Chair of Council",
            "Chair of the Council",
        ] {
            let d = doc(&format!(
                "- Administrative credentials must be stored securely with a copy provided to the {name} in a sealed envelope."
            ));
            assert_eq!(
                emergency_holder(&d).map(|f| f.value),
                Some(EmergencyHolder::Chair),
                "{name}"
            );
        }
        let keeper = doc(
            "The Clerk keeps the administrator passwords in a sealed envelope in the safe; the Chairman may open it in an emergency.",
        );
        assert_eq!(
            emergency_holder(&keeper).map(|f| f.value),
            Some(EmergencyHolder::Clerk)
        );
        let vice = doc(
            "The IT provider gives the admin password in a sealed envelope to the Vice-Chairman.",
        );
        assert_eq!(
            emergency_holder(&vice).map(|f| f.value),
            Some(EmergencyHolder::ViceChair)
        );
    }

    #[test]
    fn mfa_that_is_explained_but_not_asked_for_settles_nothing() {
        assert_eq!(
            mfa_verdict("mfa requires users to provide two or more forms of verification."),
            None
        );
        assert_eq!(
            mfa_verdict("nalc recommends implementing mfa as a best practice."),
            Some(MfaRule::WherePossible)
        );
        assert_eq!(
            mfa_verdict("all councillors must use mfa."),
            Some(MfaRule::Required)
        );
        assert_eq!(
            mfa_verdict("mfa is mandatory for email."),
            Some(MfaRule::Required)
        );
    }

    #[test]
    fn a_password_manager_that_is_only_recommended_is_not_required() {
        let d = doc("Councillors may use a password manager.");
        assert_eq!(password_manager(&d).map(|f| f.value), Some(false));
        let d = doc("Any stored passwords must be stored using an encrypted password manager.");
        assert_eq!(password_manager(&d).map(|f| f.value), Some(true));
        let d = doc("Passwords must not be written down.");
        assert_eq!(password_manager(&d), None);
    }

    #[test]
    fn complex_passwords_are_random_characters_unless_rejected() {
        let d = doc(
            "Passwords must be at least 12 characters with upper and lower case letters and symbols.",
        );
        assert_eq!(
            password_style(&d).map(|f| f.value),
            Some(PasswordStyle::RandomCharacters)
        );
        let d = doc("Use three random words rather than complex passwords full of symbols.");
        assert_eq!(
            password_style(&d).map(|f| f.value),
            Some(PasswordStyle::ThreeRandomWords)
        );
    }
}
