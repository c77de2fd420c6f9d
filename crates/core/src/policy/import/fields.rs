//! The field extractors: one small function per policy value, each reading the document's
//! sentences for the words that settle it and recording the sentence it came from.
//!
//! An extractor that finds no sentence settling its value returns `None`: it never guesses.
//! When two sentences settle a value differently the first wins and the disagreement is kept
//! for lint.

use super::dates::PolicyDate;
use super::numbers::{minutes_in, money_in, months_in, number_before};
use super::text::{Document, Sentence, has_any, has_word};
use super::{Source, access, adoption, approvals, dse, passwords, personal_use};
use crate::person::RoleSet;
use crate::policy::profile::{
    ApprovalKind, Approver, DseAssessment, EmergencyHolder, MfaRule, NegligenceLiability,
    PasswordStyle, PersonalUse,
};

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found<T> {
    pub value: T,
    pub source: Source,
    /// The block it was read from (none for a value settled by what the document leaves out).
    pub block: Option<usize>,
}

impl<T> Found<T> {
    pub fn at(sentence: &Sentence, value: T) -> Self {
        Found {
            value,
            source: Source {
                clause: sentence.locator.clone(),
                text: sentence.text.clone(),
            },
            block: Some(sentence.block),
        }
    }
}

/// Two places in the document that settle the same value differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// What the value is, in words: "how many failed attempts lock a device".
    pub what: &'static str,
    pub first: (String, String),
    pub second: (String, String),
}

/// Everything the extractors found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Extraction {
    pub council_name: Option<Found<String>>,
    pub adopted_on: Option<Found<PolicyDate>>,
    pub minute_reference: Option<Found<String>>,
    pub review_interval_months: Option<Found<u16>>,
    pub equipment_personal_use: Option<Found<PersonalUse>>,
    pub email_personal_use: Option<Found<PersonalUse>>,
    pub negligence_liability: Option<Found<NegligenceLiability>>,
    pub device_pin_min_digits: Option<Found<u8>>,
    pub device_lockout_attempts: Option<Found<u8>>,
    pub device_idle_lock_minutes: Option<Found<u16>>,
    pub internet_log_retention_months: Option<Found<u16>>,
    pub emergency_credentials_holder: Option<Found<EmergencyHolder>>,
    pub password_manager_required: Option<Found<bool>>,
    pub declaration_required: Option<Found<bool>>,
    pub password_style: Option<Found<PasswordStyle>>,
    pub mfa: Option<Found<MfaRule>>,
    pub dse_assessment: Option<Found<DseAssessment>>,
    // Beyond the JSON contract: values a profile holds that a policy may also state.
    pub approvers: Vec<(ApprovalKind, Found<Approver>)>,
    pub mfa_required_roles: Option<Found<RoleSet>>,
    pub emergency_access_wait_hours: Option<Found<u16>>,
    pub dse_interval_months: Option<Found<u16>>,
    pub conflicts: Vec<Conflict>,
}

impl Extraction {
    /// The blocks some extractor read a value from.
    pub fn used_blocks(&self) -> Vec<usize> {
        let mut blocks = vec![
            self.council_name.as_ref().and_then(|f| f.block),
            self.adopted_on.as_ref().and_then(|f| f.block),
            self.minute_reference.as_ref().and_then(|f| f.block),
            self.review_interval_months.as_ref().and_then(|f| f.block),
            self.equipment_personal_use.as_ref().and_then(|f| f.block),
            self.email_personal_use.as_ref().and_then(|f| f.block),
            self.negligence_liability.as_ref().and_then(|f| f.block),
            self.device_pin_min_digits.as_ref().and_then(|f| f.block),
            self.device_lockout_attempts.as_ref().and_then(|f| f.block),
            self.device_idle_lock_minutes.as_ref().and_then(|f| f.block),
            self.internet_log_retention_months
                .as_ref()
                .and_then(|f| f.block),
            self.emergency_credentials_holder
                .as_ref()
                .and_then(|f| f.block),
            self.password_manager_required
                .as_ref()
                .and_then(|f| f.block),
            self.declaration_required.as_ref().and_then(|f| f.block),
            self.password_style.as_ref().and_then(|f| f.block),
            self.mfa.as_ref().and_then(|f| f.block),
            self.dse_assessment.as_ref().and_then(|f| f.block),
            self.mfa_required_roles.as_ref().and_then(|f| f.block),
            self.emergency_access_wait_hours
                .as_ref()
                .and_then(|f| f.block),
            self.dse_interval_months.as_ref().and_then(|f| f.block),
        ];
        blocks.extend(self.approvers.iter().map(|(_, f)| f.block));
        blocks.sort_unstable();
        blocks.dedup();
        blocks.into_iter().flatten().collect()
    }
}

/// Runs every extractor over the document.
pub(crate) fn extract(doc: &Document) -> Extraction {
    let mut conflicts = Vec::new();
    let adopted_on = adoption::adopted_on(doc);
    let review_interval_months =
        adoption::review_interval(doc, adopted_on.as_ref().map(|f| f.value));
    let (mfa, mfa_conflict) = passwords::mfa(doc);
    conflicts.extend(mfa_conflict);
    let (mfa_required_roles, roles_conflict) = access::mfa_required_roles(doc);
    conflicts.extend(roles_conflict);
    let (approvers, approval_conflicts) = approvals::approvers(doc);
    conflicts.extend(approval_conflicts);
    let (dse_assessment, dse_interval_months) = dse::dse(doc);
    Extraction {
        council_name: adoption::council_name(doc),
        adopted_on,
        minute_reference: adoption::minute_reference(doc),
        review_interval_months,
        equipment_personal_use: personal_use::equipment(doc),
        email_personal_use: personal_use::email(doc),
        negligence_liability: settle_liability(negligence(doc), &mut conflicts),
        device_pin_min_digits: first_agreeing(
            "the shortest device PIN",
            pin_digits(doc),
            &mut conflicts,
        ),
        device_lockout_attempts: first_agreeing(
            "how many failed attempts lock a device",
            lockout_attempts(doc),
            &mut conflicts,
        ),
        device_idle_lock_minutes: first_agreeing(
            "how many idle minutes lock a device",
            idle_lock_minutes(doc),
            &mut conflicts,
        ),
        internet_log_retention_months: first_agreeing(
            "how many months internet-use records are kept",
            log_retention_months(doc),
            &mut conflicts,
        ),
        emergency_credentials_holder: passwords::emergency_holder(doc),
        password_manager_required: passwords::password_manager(doc),
        declaration_required: Some(declaration(doc)),
        password_style: passwords::password_style(doc),
        mfa,
        dse_assessment,
        approvers,
        mfa_required_roles,
        emergency_access_wait_hours: access::emergency_wait_hours(doc),
        dse_interval_months,
        conflicts,
    }
}

/// The first candidate, noting the first later one that disagrees with it.
fn first_agreeing<T: PartialEq + std::fmt::Display>(
    what: &'static str,
    candidates: Vec<Found<T>>,
    conflicts: &mut Vec<Conflict>,
) -> Option<Found<T>> {
    let mut candidates = candidates.into_iter();
    let first = candidates.next()?;
    if let Some(other) = candidates.find(|c| c.value != first.value) {
        conflicts.push(Conflict {
            what,
            first: (first.source.clause.clone(), first.value.to_string()),
            second: (other.source.clause, other.value.to_string()),
        });
    }
    Some(first)
}

fn settle_liability(
    candidates: Vec<Found<NegligenceLiability>>,
    conflicts: &mut Vec<Conflict>,
) -> Option<Found<NegligenceLiability>> {
    let mut candidates = candidates.into_iter();
    let first = candidates.next()?;
    if let Some(other) = candidates.find(|c| c.value != first.value) {
        conflicts.push(Conflict {
            what: "what a person pays for negligent loss or damage",
            first: (first.source.clause.clone(), first.value.describe()),
            second: (other.source.clause, other.value.describe()),
        });
    }
    Some(first)
}

/// Sentences the extractors may read: everything except template guidance.
pub(crate) fn rules(doc: &Document) -> impl Iterator<Item = &Sentence> {
    doc.sentences.iter().filter(|s| !s.guidance)
}

const PIN_WORDS: [&str; 4] = ["pin", "passcode", "pass code", "pin code"];

fn mentions_pin(lower: &str) -> bool {
    PIN_WORDS.iter().any(|w| has_word(lower, w))
}

/// "a 6-digit pin", "a PIN of at least six digits", "a passcode of six characters" (when no
/// password is in the same sentence). A PIN without a length settles nothing.
fn pin_digits(doc: &Document) -> Vec<Found<u8>> {
    rules(doc)
        .filter(|s| mentions_pin(&s.lower))
        .filter_map(|s| {
            let n = number_before(&s.lower, &["digit", "digits", "numbers"], 1).or_else(|| {
                (!s.lower.contains("password"))
                    .then(|| number_before(&s.lower, &["characters"], 1))
                    .flatten()
            })?;
            Some(Found::at(s, u8::try_from(n).ok()?))
        })
        .collect()
}

/// "lock the device after three failed login attempts". "After several unsuccessful
/// attempts" settles nothing.
fn lockout_attempts(doc: &Document) -> Vec<Found<u8>> {
    // "after 10 wrong PINs" counts the PINs tried.
    const TRIES: [&str; 9] = [
        "attempt",
        "attempts",
        "tries",
        "guesses",
        "entries",
        "logins",
        "pins",
        "passcodes",
        "passwords",
    ];
    const LOCKS: [&str; 7] = [
        "lock", "wipe", "erase", "disable", "block", "wiped", "erased",
    ];
    rules(doc)
        .filter(|s| TRIES.iter().any(|t| has_word(&s.lower, t)) && has_any(&s.lower, &LOCKS))
        .filter_map(|s| {
            let n = number_before(&s.lower, &TRIES, 4)?;
            Some(Found::at(s, u8::try_from(n).ok()?))
        })
        .collect()
}

/// "prompt for a password after a period of inactivity of more than 30 minutes".
fn idle_lock_minutes(doc: &Document) -> Vec<Found<u16>> {
    const IDLE: [&str; 18] = [
        "inactiv",
        "idle",
        "unattended",
        "not in use",
        "not used",
        "not been used",
        "without use",
        "screen saver",
        "screensaver",
        "screen lock",
        "lock automatically",
        "locks automatically",
        "automatically lock",
        "auto-lock",
        "autolock",
        "time out",
        "timeout",
        "time-out",
    ];
    // "Set the screen to lock after 2 minutes" names no inactivity, but a screen that locks
    // after a number of minutes can only mean minutes left alone.
    let screen_lock = |lower: &str| lower.contains("screen") && lower.contains("lock");
    rules(doc)
        .filter(|s| has_any(&s.lower, &IDLE) || screen_lock(&s.lower))
        .filter_map(|s| Some(Found::at(s, u16::try_from(minutes_in(&s.lower)?).ok()?)))
        .collect()
}

/// "Records of internet use and sites visited will normally be retained for a period of 6
/// months." "Retained only long enough for any breach to come to light" settles nothing.
fn log_retention_months(doc: &Document) -> Vec<Found<u16>> {
    const KEEP: [&str; 7] = [
        "retain",
        "kept",
        "keep",
        "retention",
        "stored",
        "held",
        "deleted after",
    ];
    const WHAT: [&str; 9] = [
        "internet",
        "browsing",
        "sites visited",
        "websites visited",
        "web history",
        "web usage",
        "monitoring records",
        "monitoring data",
        "usage records",
    ];
    let about_logs = |l: &str| has_any(l, &WHAT) || has_word(l, "log") || has_word(l, "logs");
    rules(doc)
        .filter(|s| has_any(&s.lower, &KEEP) && about_logs(&s.lower))
        .filter_map(|s| Some(Found::at(s, u16::try_from(months_in(&s.lower)?).ok()?)))
        .collect()
}

/// "liable to meet the first £100 of the loss", "liable up to the replacement value".
fn negligence(doc: &Document) -> Vec<Found<NegligenceLiability>> {
    const CAUSE: [&str; 5] = [
        "negligen",
        "careless",
        "lost or damaged",
        "loss or damage",
        "damage",
    ];
    const PAY: [&str; 8] = [
        "liable",
        "liability",
        "pay",
        "meet the",
        "contribute",
        "charged",
        "recover",
        "cost",
    ];
    const REPLACE: [&str; 4] = ["replacement", "replacing", "cost of replace", "full cost"];
    rules(doc)
        .filter(|s| has_any(&s.lower, &CAUSE) && has_any(&s.lower, &PAY))
        .filter_map(|s| {
            if let Some(&pence) = money_in(&s.lower).first() {
                return (pence > 0).then(|| {
                    Found::at(
                        s,
                        NegligenceLiability::Fixed {
                            amount_pence: pence,
                        },
                    )
                });
            }
            has_any(&s.lower, &REPLACE).then(|| Found::at(s, NegligenceLiability::ReplacementValue))
        })
        .collect()
}

/// True when the document has a declaration to sign or says users must sign; false when it
/// says none is needed, and false when it has no declaration at all — whether a document asks
/// for a signature is visible in the document itself, so its silence settles the question.
fn declaration(doc: &Document) -> Found<bool> {
    const NOT_NEEDED: [&str; 6] = [
        "no declaration",
        "not required to sign",
        "need not sign",
        "not need to sign",
        "declaration is not required",
        "no need to sign",
    ];
    const DECLARATION: [&str; 18] = [
        "i confirm",
        "i have read",
        "i acknowledge",
        "i agree to",
        "i understand and",
        "i will comply",
        "declaration",
        "must sign",
        "required to sign",
        "asked to sign",
        "will sign",
        "sign and return",
        "signed copy",
        "sign a copy",
        "sign to confirm",
        "acknowledgement form",
        "signature:",
        "signed:",
    ];
    // "Sign in" is not signing, and a declaration of interests is another matter.
    let plain = |s: &Sentence| {
        let mut l = s.lower.clone();
        for not_signing in [
            "sign in",
            "sign-in",
            "sign out",
            "sign up",
            "sign on",
            "sign into",
        ] {
            l = l.replace(not_signing, " ");
        }
        l.replace("declaration of interest", " ")
            .replace("declarations of interest", " ")
    };
    if let Some(s) = rules(doc).find(|s| has_any(&plain(s), &NOT_NEEDED)) {
        return Found::at(s, false);
    }
    // "I have read…" is better evidence than the bare heading "Declaration".
    let asks = |s: &&Sentence| has_any(&plain(s), &DECLARATION);
    let confirming = rules(doc)
        .filter(asks)
        .find(|s| !s.lower.starts_with("declaration"));
    if let Some(s) = confirming.or_else(|| rules(doc).find(asks)) {
        return Found::at(s, true);
    }
    Found {
        value: false,
        source: Source {
            clause: "whole document".to_owned(),
            text: "No declaration or signature is asked for anywhere in the policy.".to_owned(),
        },
        block: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::parse(text)
    }

    #[test]
    fn a_pin_without_a_length_settles_nothing() {
        let d = doc(
            "2.1.4 All smartphones must be protected with a pin code. Where possible, these devices should also be programmed to erase all content after several unsuccessful attempts to break in.",
        );
        assert_eq!(pin_digits(&d), vec![]);
        assert_eq!(lockout_attempts(&d), vec![]);
    }

    #[test]
    fn device_numbers_are_read_from_digits_or_words() {
        let d = doc(
            "- use a PIN of at least six digits. Phones should lock after ten failed attempts;\n- lock the screen after fifteen minutes of inactivity;",
        );
        assert_eq!(pin_digits(&d).first().map(|f| f.value), Some(6));
        assert_eq!(lockout_attempts(&d).first().map(|f| f.value), Some(10));
        assert_eq!(idle_lock_minutes(&d).first().map(|f| f.value), Some(15));
        let d = doc("2.1 Members must set the screen to lock after 2 minutes.");
        assert_eq!(idle_lock_minutes(&d).first().map(|f| f.value), Some(2));
        // A policy written to its users, in plain prose.
        let d = doc(
            "Your council phone must be protected by a six digit PIN. It will wipe itself after 10 wrong PINs. It must lock when not used for 5 minutes.",
        );
        assert_eq!(pin_digits(&d).first().map(|f| f.value), Some(6));
        assert_eq!(lockout_attempts(&d).first().map(|f| f.value), Some(10));
        assert_eq!(idle_lock_minutes(&d).first().map(|f| f.value), Some(5));
    }

    #[test]
    fn liability_is_a_fixed_sum_or_the_replacement_value() {
        let fixed = doc(
            "If the loss is due to negligence, the individual may be liable to meet the first £ 100.00 of the loss.",
        );
        assert_eq!(
            negligence(&fixed).first().map(|f| f.value),
            Some(NegligenceLiability::Fixed {
                amount_pence: 10_000
            })
        );
        let replace = doc(
            "Where equipment is lost through negligence the user will pay the replacement cost.",
        );
        assert_eq!(
            negligence(&replace).first().map(|f| f.value),
            Some(NegligenceLiability::ReplacementValue)
        );
    }

    #[test]
    fn a_policy_without_a_declaration_does_not_require_one() {
        let d = doc("Users must lock their computers.");
        let found = declaration(&d);
        assert!(!found.value);
        assert_eq!(found.source.clause, "whole document");
    }
}
