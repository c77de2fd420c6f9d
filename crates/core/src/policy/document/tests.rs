//! Tests of the rendered model policy: structure, numbering, where each council choice is
//! stated, and the text, diff and hash built on it.

use super::*;
use crate::person::{Role, RoleSet};
use crate::policy::{
    ApprovalKind, Approver, DseAssessment, EmergencyHolder, MfaRule, NegligenceLiability,
    PasswordStyle, PersonalUse, PolicyProfile, ProfileField,
};
use std::collections::BTreeSet;

pub(super) const COUNCIL: &str = "Little Wickham Parish Council";

pub(super) fn date(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).unwrap_or_default()
}

pub(super) fn adopted() -> AdoptionBlock {
    AdoptionBlock {
        adopted_on: Some(date(2025, 5, 12)),
        minute_reference: Some("COU/229/25-26".to_owned()),
        review_due: None,
        review_interval_months: 0,
    }
}

pub(super) fn render(profile: &PolicyProfile) -> Document {
    render_policy(profile, COUNCIL, &adopted())
}

pub(super) fn model() -> Document {
    render(&PolicyProfile::model_defaults())
}

pub(super) fn text_of(doc: &Document, number: &str) -> String {
    doc.clause(number)
        .map(Clause::full_text)
        .unwrap_or_else(|| format!("<no clause {number}>"))
}

pub(super) fn changed_clauses(old: &Document, new: &Document) -> BTreeSet<String> {
    diff_documents(old, new)
        .into_iter()
        .map(|change| match change {
            ClauseChange::Changed { number, .. } => number,
            other => format!("not a change: {other:?}"),
        })
        .collect()
}

#[test]
fn sections_come_in_the_order_the_model_requires() {
    let doc = model();
    let headings: Vec<(Option<&str>, &str)> = doc
        .sections
        .iter()
        .map(|s| (s.number.as_deref(), s.heading.as_str()))
        .collect();
    assert_eq!(
        headings,
        vec![
            (None, "Purpose of this policy"),
            (None, "Monitoring of IT use"),
            (None, "Scope of this policy"),
            (Some("1"), "Computer use"),
            (Some("2"), "Equipment"),
            (Some("3"), "Health and safety"),
            (Some("4"), "Passwords and authentication"),
            (Some("5"), "Monitoring"),
            (Some("6"), "Remote working"),
            (Some("7"), "Email"),
            (Some("8"), "Internet"),
            (Some("9"), "Social media"),
            (Some("10"), "Misuse of IT"),
            (Some("11"), "Declaration"),
            (Some("12"), "Adoption and review"),
        ]
    );
    let subsections: Vec<String> = doc
        .sections
        .iter()
        .flat_map(|s| &s.subsections)
        .filter_map(|s| Some(format!("{} {}", s.number.as_ref()?, s.heading.as_ref()?)))
        .collect();
    assert_eq!(
        subsections,
        vec![
            "1.1 Hardware",
            "2.1 Portable equipment",
            "2.2 Use of own devices",
            "8.1 Copyright",
            "8.2 Domain names, links and data protection",
            "8.3 Accuracy of information",
        ]
    );
    assert_eq!(doc.title, "Information Technology Policy");
    assert_eq!(doc.council_name, COUNCIL);
}

#[test]
fn clause_numbers_have_no_gaps_or_duplicates() {
    let doc = model();
    let mut seen = BTreeSet::new();
    let mut intro = 0;
    let mut section_no = 0;
    for section in &doc.sections {
        if let Some(number) = &section.number {
            section_no += 1;
            assert_eq!(number, &section_no.to_string());
        }
        for (s, subsection) in section.subsections.iter().enumerate() {
            if let Some(number) = &subsection.number {
                assert_eq!(number, &format!("{section_no}.{}", s + 1));
            }
            for (c, clause) in subsection.clauses.iter().enumerate() {
                let expected = match (&section.number, &subsection.number) {
                    (None, _) => {
                        intro += 1;
                        format!("intro-{intro}")
                    }
                    (Some(_), Some(sub)) => format!("{sub}.{}", c + 1),
                    (Some(n), None) => format!("{n}.{}", c + 1),
                };
                assert_eq!(clause.number, expected);
                assert!(
                    seen.insert(clause.number.clone()),
                    "{} twice",
                    clause.number
                );
                assert!(!clause.paragraphs.is_empty(), "{} is empty", clause.number);
            }
        }
    }
    assert_eq!(section_no, 12);
    assert!(seen.len() > 80, "only {} clauses", seen.len());
}

#[test]
fn every_list_is_introduced_by_a_sentence_ending_with_a_colon() {
    for section in &model().sections {
        for clause in section.subsections.iter().flat_map(|s| &s.clauses) {
            if !clause.bullets.is_empty() {
                let intro = clause.paragraphs.last().map(String::as_str).unwrap_or("");
                assert!(intro.ends_with(':'), "{}: {intro}", clause.number);
            }
        }
    }
}

#[test]
fn the_model_choices_are_stated_at_the_clauses_the_rest_of_custodian_cites() {
    let doc = model();
    let expect = [
        ("1.1.1", "Reasonable personal use is permitted"),
        ("1.1.7", "buy computer or mobile equipment, or software"),
        ("1.1.7", "the prior approval of the Clerk"),
        ("1.1.8", "USB sticks"),
        ("1.1.8", "the prior approval of the Council"),
        ("1.1.9", "No software may be installed"),
        ("1.1.9", "the prior approval of the Clerk"),
        ("2.1.4", "encryption"),
        ("2.1.4", "a PIN of at least 6 digits"),
        ("2.1.4", "lock after 3 failed attempts"),
        ("2.1.4", "lock after 5 minutes of inactivity"),
        (
            "2.1.5",
            "Multi-factor authentication (MFA) should be used wherever possible",
        ),
        ("2.1.5", "these roles: Clerk and IT provider."),
        ("2.1.6", "Report the loss"),
        ("2.1.6", "liable for the first £100 of the loss"),
        (
            "2.1.7",
            "recordings must not be taken on council premises without the prior approval of the Council",
        ),
        (
            "2.2.1",
            "at the council's discretion and with the prior approval of the Clerk",
        ),
        ("2.2.6", "- it is protected by a PIN of at least 6 digits"),
        ("2.2.6", "- it is set to lock after 3 failed attempts;"),
        (
            "2.2.6",
            "- it is set to lock after 5 minutes of inactivity;",
        ),
        ("2.2.12", "wiped of council data"),
        ("3.1.2", "offers eye tests"),
        ("4.1.1", "three random words"),
        (
            "4.1.2",
            "held by the Chair of the Council in a sealed envelope",
        ),
        ("4.1.2", "after a waiting period of 24 hours"),
        ("4.1.3", "must be kept in an encrypted password manager"),
        ("4.1.5", "is logged"),
        ("4.1.5", "treated as a security incident"),
        (
            "4.1.7",
            "cannot sign in without a second factor:\n- Clerk\n- IT provider",
        ),
        ("5.1.6", "impact assessment"),
        ("5.1.11", "A daily log"),
        ("5.1.11", "kept for 6 months"),
        ("6.1.2", "Paid Wi-Fi or mobile data"),
        ("6.1.2", "needs the prior approval of the Clerk"),
        (
            "7.1.5",
            "Reasonable personal use of council email is permitted",
        ),
        ("8.2.1", "domain name or trademark"),
        ("8.2.1", "the prior approval of the Council"),
        ("8.2.2", "link to an external site"),
        ("8.2.2", "the prior approval of the Clerk"),
        (
            "9.1.4",
            "must not go live without the prior approval of the Clerk",
        ),
        (
            "9.1.5",
            "LinkedIn or any other social network without the prior approval of the Clerk",
        ),
        ("11.1", "must sign a declaration"),
        (
            "12.1",
            "adopted by the Council on 12 May 2025, minute reference COU/229/25-26",
        ),
        ("12.2", "reviewed every 12 months"),
        ("12.2", "The next review is due by 12 May 2026."),
    ];
    for (number, phrase) in expect {
        let text = text_of(&doc, number);
        assert!(text.contains(phrase), "{number} lacks {phrase:?}: {text}");
    }
}

#[test]
fn every_approval_is_stated_once_at_its_own_clause() {
    let base = PolicyProfile::model_defaults();
    let before = render(&base);
    for kind in ApprovalKind::ALL {
        let mut profile = base.clone();
        let flipped = match base.approvers.get(kind) {
            Approver::Clerk => Approver::Council,
            Approver::Council => Approver::Clerk,
        };
        profile.approvers.set(kind, flipped);
        let after = render(&profile);
        assert_eq!(
            changed_clauses(&before, &after),
            BTreeSet::from([kind.clause().to_owned()]),
            "{kind:?}"
        );
        let text = text_of(&after, kind.clause());
        let phrase = format!("the prior approval of {}", flipped.in_words());
        assert_eq!(text.matches("prior approval of").count(), 1, "{text}");
        assert!(text.contains(&phrase), "{kind:?}: {text}");
    }
}

#[test]
fn changing_a_profile_value_changes_exactly_the_clauses_that_field_cites() {
    type Change = fn(&mut PolicyProfile);
    let cases: [(ProfileField, Change); 16] = [
        (ProfileField::ReviewInterval, |p| {
            p.review_interval_months = 24
        }),
        (ProfileField::EquipmentPersonalUse, |p| {
            p.equipment_personal_use = PersonalUse::None
        }),
        (ProfileField::EmailPersonalUse, |p| {
            p.email_personal_use = PersonalUse::OutsideWorkingHours
        }),
        (ProfileField::NegligenceLiability, |p| {
            p.negligence_liability = NegligenceLiability::ReplacementValue
        }),
        (ProfileField::DevicePinMinDigits, |p| {
            p.device_pin_min_digits = 8
        }),
        (ProfileField::DeviceLockoutAttempts, |p| {
            p.device_lockout_attempts = 10
        }),
        (ProfileField::DeviceIdleLockMinutes, |p| {
            p.device_idle_lock_minutes = 15
        }),
        (ProfileField::InternetLogRetention, |p| {
            p.internet_log_retention_months = 12
        }),
        (ProfileField::EmergencyCredentialsHolder, |p| {
            p.emergency_credentials_holder = EmergencyHolder::ViceChair
        }),
        (ProfileField::EmergencyAccessWait, |p| {
            p.emergency_access_wait_hours = 48
        }),
        (ProfileField::PasswordManagerRequired, |p| {
            p.password_manager_required = false
        }),
        (ProfileField::DeclarationRequired, |p| {
            p.declaration_required = false
        }),
        (ProfileField::PasswordStyle, |p| {
            p.password_style = PasswordStyle::RandomCharacters
        }),
        (ProfileField::Mfa, |p| p.mfa = MfaRule::Required),
        (ProfileField::MfaRequiredRoles, |p| {
            p.mfa_required_roles = RoleSet::of(&[Role::Clerk, Role::Chair, Role::ItProvider])
        }),
        (ProfileField::DseAssessment, |p| {
            p.dse_assessment = DseAssessment::Annual
        }),
    ];
    let base = PolicyProfile::model_defaults();
    let before = render(&base);
    for (field, change) in cases {
        let mut profile = base.clone();
        change(&mut profile);
        assert_eq!(profile.validate(), Ok(()), "{field:?}");
        let expected: BTreeSet<String> = field.clauses().iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(
            changed_clauses(&before, &render(&profile)),
            expected,
            "{field:?}"
        );
    }

    // The interval only shows when the council promises regular assessments.
    let mut annual = base.clone();
    annual.dse_assessment = DseAssessment::Annual;
    let mut longer = annual.clone();
    longer.dse_interval_months = 24;
    assert_eq!(
        changed_clauses(&render(&annual), &render(&longer)),
        BTreeSet::from(["3.1.2".to_owned()])
    );
    assert!(text_of(&render(&longer), "3.1.2").contains("every 24 months"));
}

#[test]
fn each_choice_reads_in_plain_words() {
    let mut profile = PolicyProfile::model_defaults();
    profile.equipment_personal_use = PersonalUse::None;
    profile.email_personal_use = PersonalUse::OutsideWorkingHours;
    profile.negligence_liability = NegligenceLiability::ReplacementValue;
    profile.password_style = PasswordStyle::RandomCharacters;
    profile.mfa = MfaRule::Required;
    profile.mfa_required_roles = RoleSet::empty();
    profile.password_manager_required = false;
    profile.declaration_required = false;
    profile.emergency_credentials_holder = EmergencyHolder::Clerk;
    profile.emergency_access_wait_hours = 1;
    profile.device_lockout_attempts = 1;
    profile.device_idle_lock_minutes = 1;
    profile.internet_log_retention_months = 1;
    profile.review_interval_months = 1;
    profile.dse_assessment = DseAssessment::Annual;
    profile.dse_interval_months = 12;
    let doc = render(&profile);
    let expect = [
        (
            "1.1.1",
            "for council purposes only; personal use is not permitted",
        ),
        (
            "7.1.5",
            "personal use of council email is permitted only outside working hours",
        ),
        ("2.1.6", "liable for the replacement value of the equipment"),
        ("4.1.1", "long strings of random characters"),
        ("2.1.5", "Multi-factor authentication (MFA) is required"),
        ("2.1.5", "No role is singled out"),
        ("4.1.7", "no role is yet required"),
        ("4.1.3", "encrypted password manager is recommended"),
        ("11.1", "A signed declaration is not required"),
        ("4.1.2", "held by the Clerk in a sealed envelope"),
        (
            "4.1.2",
            "after a waiting period of 1 hour, during which the Clerk is told and can object",
        ),
        (
            "2.1.4",
            "lock after 1 failed attempt and to lock after 1 minute of inactivity",
        ),
        ("5.1.11", "kept for 1 month before"),
        ("12.2", "reviewed every 1 month,"),
        (
            "3.1.2",
            "workstation assessment for each member of staff who uses display screen equipment every 12 months",
        ),
    ];
    for (number, phrase) in expect {
        let text = text_of(&doc, number);
        assert!(
            text.to_lowercase().contains(&phrase.to_lowercase()),
            "{number} lacks {phrase:?}: {text}"
        );
    }
    assert!(!text_of(&doc, "4.1.1").contains("three random words"));

    profile.emergency_access_wait_hours = 0;
    profile.emergency_credentials_holder = EmergencyHolder::ItProvider;
    profile.equipment_personal_use = PersonalUse::OutsideWorkingHours;
    let doc = render(&profile);
    assert!(
        text_of(&doc, "4.1.2").contains("held by the council's IT provider in a sealed envelope")
    );
    assert!(
        text_of(&doc, "4.1.2").contains("released straight away, with a waiting period of 0 hours")
    );
    assert!(
        text_of(&doc, "1.1.1").contains("Personal use is permitted only outside working hours")
    );
}

#[test]
fn an_unadopted_draft_says_so_and_a_review_date_follows_from_adoption() {
    let profile = PolicyProfile::model_defaults();
    let draft = render_policy(&profile, COUNCIL, &AdoptionBlock::default());
    assert!(text_of(&draft, "12.1").contains("has not yet been adopted"));
    assert!(!text_of(&draft, "12.2").contains("next review"));
    assert_eq!(draft.adoption.review_interval_months, 12);
    assert_eq!(draft.adoption.review_due, None);

    let doc = model();
    assert_eq!(doc.adoption.review_due, Some(date(2026, 5, 12)));
    assert_eq!(doc.adoption.review_interval_months, 12);

    let mut given = adopted();
    given.review_due = Some(date(2026, 3, 31));
    given.minute_reference = Some("   ".to_owned());
    let doc = render_policy(&profile, COUNCIL, &given);
    assert_eq!(doc.adoption.minute_reference, None);
    assert!(text_of(&doc, "12.1").ends_with(
        "adopted by the Council on 12 May 2025. It replaces any earlier IT policy of the council."
    ));
    assert!(text_of(&doc, "12.2").contains("due by 31 March 2026"));
}

#[test]
fn the_phrases_the_importer_reads_appear_only_at_their_own_clauses() {
    let mut other = PolicyProfile::model_defaults();
    other.password_style = PasswordStyle::RandomCharacters;
    other.password_manager_required = false;
    other.declaration_required = false;
    other.mfa = MfaRule::Required;
    other.equipment_personal_use = PersonalUse::OutsideWorkingHours;
    other.email_personal_use = PersonalUse::None;
    let phrases: [(&str, &[&str]); 9] = [
        ("password manager", &["4.1.3"]),
        ("declaration", &["11.1"]),
        ("sealed envelope", &["4.1.2"]),
        ("waiting period", &["4.1.2"]),
        ("random", &["4.1.1"]),
        ("daily log", &["5.1.11"]),
        ("personal use", &["1.1.1", "7.1.5"]),
        ("multi-factor", &["2.1.5"]),
        ("reviewed every", &["12.2"]),
    ];
    for profile in [PolicyProfile::model_defaults(), other] {
        let doc = render(&profile);
        for (phrase, allowed) in phrases {
            let found: Vec<&str> = doc
                .clauses()
                .filter(|(_, text)| text.to_lowercase().contains(phrase))
                .map(|(number, _)| number)
                .collect();
            assert_eq!(found, allowed.to_vec(), "{phrase:?}");
        }
    }
}
