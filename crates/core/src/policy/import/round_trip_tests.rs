//! Property tests of the round trip the issue asks for: render any valid profile as Custodian's
//! policy, import the plain text, and get the same profile back — every value read from the
//! words, none left over from the profile the import is applied to.

use super::*;
use crate::person::Role;
use crate::policy::document::{AdoptionBlock, render_policy, to_plain_text};
use crate::policy::profile::Approvers;
use jiff::civil::Date;
use proptest::prelude::*;
use proptest::sample::select;

/// Names with the punctuation real councils have: apostrophes, hyphens, lower-case joining
/// words.
const COUNCILS: [&str; 6] = [
    "St Mary's Town Council",
    "Ashby-de-la-Zouch Town Council",
    "Little Wickham Parish Council",
    "Kirkby in Ashfield Town Council",
    "Bishop's Stortford Town Council",
    "Much Wenlock Town Council",
];

const MINUTES: [&str; 4] = ["COU/229/25-26", "FC 24/112", "45/25", "2025/14"];

fn one_of<T: Copy + std::fmt::Debug + 'static>(all: &[T]) -> impl Strategy<Value = T> + use<T> {
    select(all.to_vec())
}

fn liability() -> impl Strategy<Value = NegligenceLiability> {
    prop_oneof![
        (1u32..=10_000_000).prop_map(|amount_pence| NegligenceLiability::Fixed { amount_pence }),
        Just(NegligenceLiability::ReplacementValue),
    ]
}

/// Any subset of the roles: one bit each.
fn roles() -> impl Strategy<Value = RoleSet> {
    any::<u8>().prop_map(|bits| {
        Role::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .fold(RoleSet::empty(), |set, (_, role)| set.with(role))
    })
}

/// Any approver for each kind: one bit each.
fn approvers() -> impl Strategy<Value = Approvers> {
    any::<u16>().prop_map(|bits| {
        let mut approvers = Approvers::model_defaults();
        for (i, kind) in ApprovalKind::ALL.into_iter().enumerate() {
            let council = bits & (1 << i) != 0;
            approvers.set(
                kind,
                if council {
                    Approver::Council
                } else {
                    Approver::Clerk
                },
            );
        }
        approvers
    })
}

/// Every field across its whole valid range (see [`PolicyProfile::validate`]).
fn profile() -> impl Strategy<Value = PolicyProfile> {
    let numbers = (
        1u16..=60,
        4u8..=16,
        1u8..=100,
        1u16..=240,
        1u16..=84,
        0u16..=168,
        1u16..=60,
    );
    let choices = (
        one_of(&PersonalUse::ALL),
        one_of(&PersonalUse::ALL),
        liability(),
        one_of(&EmergencyHolder::ALL),
        any::<bool>(),
        any::<bool>(),
        one_of(&[
            PasswordStyle::ThreeRandomWords,
            PasswordStyle::RandomCharacters,
        ]),
        one_of(&[MfaRule::Required, MfaRule::WherePossible]),
        roles(),
        one_of(&[DseAssessment::Annual, DseAssessment::EyeTestsOffered]),
        approvers(),
    );
    (numbers, choices).prop_map(
        |(
            (review, pin, lockout, idle, retention, wait, dse_interval),
            (
                equipment,
                email,
                liability,
                holder,
                manager,
                declaration,
                style,
                mfa,
                mfa_roles,
                dse,
                approvers,
            ),
        )| PolicyProfile {
            review_interval_months: review,
            equipment_personal_use: equipment,
            email_personal_use: email,
            negligence_liability: liability,
            device_pin_min_digits: pin,
            device_lockout_attempts: lockout,
            device_idle_lock_minutes: idle,
            internet_log_retention_months: retention,
            emergency_credentials_holder: holder,
            emergency_access_wait_hours: wait,
            password_manager_required: manager,
            declaration_required: declaration,
            password_style: style,
            mfa,
            mfa_required_roles: mfa_roles,
            dse_assessment: dse,
            dse_interval_months: dse_interval,
            approvers,
        },
    )
}

/// Not adopted, or adopted on a date with or without a minute reference and a review date.
fn adoption() -> impl Strategy<Value = AdoptionBlock> {
    let date = (2015i16..=2035, 1i8..=12, 1i8..=28)
        .prop_filter_map("a real date", |(y, m, d)| Date::new(y, m, d).ok());
    proptest::option::of((
        date.clone(),
        proptest::option::of(one_of(&MINUTES)),
        proptest::option::of(date),
    ))
    .prop_map(|adopted| match adopted {
        None => AdoptionBlock::default(),
        Some((on, minute, review_due)) => AdoptionBlock {
            adopted_on: Some(on),
            minute_reference: minute.map(str::to_owned),
            review_due,
            review_interval_months: 0,
        },
    })
}

fn next<T: Copy + PartialEq>(all: &[T], value: T) -> T {
    let at = all.iter().position(|v| *v == value).unwrap_or(0);
    all[(at + 1) % all.len()]
}

/// A valid profile that differs from `p` in every field, so that a value equal to `p`'s after
/// the import can only have come from the document.
fn every_field_changed(p: &PolicyProfile) -> PolicyProfile {
    let mut approvers = p.approvers.clone();
    for (kind, approver) in p.approvers.iter() {
        approvers.set(kind, next(&[Approver::Clerk, Approver::Council], approver));
    }
    let other_roles = Role::ALL
        .into_iter()
        .filter(|r| !p.mfa_required_roles.contains(*r))
        .fold(RoleSet::empty(), |set, role| set.with(role));
    PolicyProfile {
        review_interval_months: p.review_interval_months % 60 + 1,
        equipment_personal_use: next(&PersonalUse::ALL, p.equipment_personal_use),
        email_personal_use: next(&PersonalUse::ALL, p.email_personal_use),
        negligence_liability: match p.negligence_liability {
            NegligenceLiability::Fixed { .. } => NegligenceLiability::ReplacementValue,
            NegligenceLiability::ReplacementValue => NegligenceLiability::Fixed {
                amount_pence: 12_345,
            },
        },
        device_pin_min_digits: if p.device_pin_min_digits == 16 {
            4
        } else {
            p.device_pin_min_digits + 1
        },
        device_lockout_attempts: p.device_lockout_attempts % 100 + 1,
        device_idle_lock_minutes: p.device_idle_lock_minutes % 240 + 1,
        internet_log_retention_months: p.internet_log_retention_months % 84 + 1,
        emergency_credentials_holder: next(&EmergencyHolder::ALL, p.emergency_credentials_holder),
        emergency_access_wait_hours: (p.emergency_access_wait_hours + 1) % 169,
        password_manager_required: !p.password_manager_required,
        declaration_required: !p.declaration_required,
        password_style: next(
            &[
                PasswordStyle::ThreeRandomWords,
                PasswordStyle::RandomCharacters,
            ],
            p.password_style,
        ),
        mfa: next(&[MfaRule::Required, MfaRule::WherePossible], p.mfa),
        mfa_required_roles: other_roles,
        dse_assessment: next(
            &[DseAssessment::Annual, DseAssessment::EyeTestsOffered],
            p.dse_assessment,
        ),
        dse_interval_months: p.dse_interval_months % 60 + 1,
        approvers,
    }
}

fn rendered_text(profile: &PolicyProfile, council: &str, adoption: &AdoptionBlock) -> String {
    to_plain_text(&render_policy(profile, council, adoption))
}

fn policy_date(date: Date) -> Option<PolicyDate> {
    PolicyDate::new(date.year(), date.month(), Some(date.day()))
}

/// The lint findings a rendered policy should have: one per weakness of the council's own
/// choices, at a clause that states the value, and the missing adoption date of a draft.
fn expected_lint(profile: &PolicyProfile, adoption: &AdoptionBlock) -> Vec<String> {
    let mut expected: Vec<String> = profile
        .weaknesses()
        .into_iter()
        .map(|w| w.message)
        .collect();
    if adoption.adopted_on.is_none() {
        expected.push(
            "The policy does not say when the council adopted it. Add the date and the minute reference of the meeting."
                .to_owned(),
        );
    }
    expected.sort();
    expected
}

proptest! {
    // An import takes about 0.1 s in a debug build, so 32 cases keep this test to a few
    // seconds; the ends of every range are covered by the ordinary test below. Failures are
    // not written to a regressions file beside the source; proptest prints the shrunk case.
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn rendering_a_profile_and_importing_the_document_gives_the_same_profile_back(
        profile in profile(),
        council in one_of(&COUNCILS),
        adoption in adoption(),
    ) {
        round_trip(&profile, council, &adoption)?;
    }
}

/// Renders `profile`, imports the plain text and checks that everything comes back: the
/// profile (applied to a base that differs in every field), the council's name, the adoption
/// date and minute, and lint findings for exactly the council's weak choices.
fn round_trip(
    profile: &PolicyProfile,
    council: &str,
    adoption: &AdoptionBlock,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(profile.validate(), Ok(()));
    let text = rendered_text(profile, council, adoption);
    let imported = match import_policy(&text) {
        Ok(imported) => imported,
        Err(e) => return Err(TestCaseError::fail(format!("not imported: {e}"))),
    };
    let base = every_field_changed(profile);
    prop_assert_eq!(base.validate(), Ok(()));
    let mut expected = profile.clone();
    // The months between workstation assessments are stated only when the council promises
    // regular assessments; otherwise the document says nothing and the base's value stays, as
    // for any value a policy leaves out.
    if profile.dse_assessment == DseAssessment::EyeTestsOffered {
        expected.dse_interval_months = base.dse_interval_months;
        prop_assert_eq!(imported.dse_interval_months, None);
    }
    prop_assert_eq!(imported.apply_to(&base), expected);

    prop_assert_eq!(imported.council_name.as_deref(), Some(council));
    prop_assert_eq!(
        imported.adopted_on,
        adoption.adopted_on.and_then(policy_date)
    );
    // An unadopted draft records no minute, whatever the adoption block held.
    let minute = adoption.adopted_on.and(adoption.minute_reference.clone());
    prop_assert_eq!(&imported.minute_reference, &minute);

    let mut lint: Vec<String> = imported.lint.iter().map(|f| f.message.clone()).collect();
    lint.sort();
    prop_assert_eq!(lint, expected_lint(profile, adoption));
    for weakness in profile.weaknesses() {
        let finding = imported.lint.iter().find(|f| f.message == weakness.message);
        prop_assert!(
            finding.is_some_and(|f| weakness.field.clauses().contains(&f.clause.as_str())),
            "{:?} not cited at {:?}: {:?}",
            weakness.field,
            weakness.field.clauses(),
            finding
        );
    }
    Ok(())
}

#[test]
fn the_ends_of_every_range_come_back() {
    let mut low = PolicyProfile::model_defaults();
    low.review_interval_months = 1;
    low.device_pin_min_digits = 4;
    low.device_lockout_attempts = 1;
    low.device_idle_lock_minutes = 1;
    low.internet_log_retention_months = 1;
    low.emergency_access_wait_hours = 0;
    low.dse_assessment = DseAssessment::Annual;
    low.dse_interval_months = 1;
    low.negligence_liability = NegligenceLiability::Fixed { amount_pence: 1 };
    low.mfa_required_roles = RoleSet::empty();
    low.emergency_credentials_holder = EmergencyHolder::Clerk;
    for kind in ApprovalKind::ALL {
        low.approvers.set(kind, Approver::Clerk);
    }
    let mut high = PolicyProfile::model_defaults();
    high.review_interval_months = 60;
    high.device_pin_min_digits = 16;
    high.device_lockout_attempts = 100;
    high.device_idle_lock_minutes = 240;
    high.internet_log_retention_months = 84;
    high.emergency_access_wait_hours = 168;
    high.dse_assessment = DseAssessment::Annual;
    high.dse_interval_months = 60;
    high.negligence_liability = NegligenceLiability::Fixed {
        amount_pence: 10_000_000,
    };
    high.mfa_required_roles = RoleSet::of(&Role::ALL);
    high.emergency_credentials_holder = EmergencyHolder::ViceChair;
    for kind in ApprovalKind::ALL {
        high.approvers.set(kind, Approver::Council);
    }
    let adopted = AdoptionBlock {
        adopted_on: Date::new(2025, 5, 12).ok(),
        minute_reference: Some("COU/229/25-26".to_owned()),
        review_due: None,
        review_interval_months: 0,
    };
    for (profile, council, adoption) in [
        (&low, COUNCILS[0], &AdoptionBlock::default()),
        (&high, COUNCILS[1], &adopted),
        (&PolicyProfile::model_defaults(), COUNCILS[2], &adopted),
    ] {
        if let Err(e) = round_trip(profile, council, adoption) {
            unreachable!("{e}\n{profile:#?}");
        }
    }
}

#[test]
fn the_values_beyond_the_contract_stay_out_of_the_json() {
    let mut profile = PolicyProfile::model_defaults();
    profile.dse_assessment = DseAssessment::Annual;
    let text = rendered_text(
        &profile,
        "Little Wickham Parish Council",
        &AdoptionBlock::default(),
    );
    let imported = match import_policy(&text) {
        Ok(imported) => imported,
        Err(e) => unreachable!("the model document should import: {e}"),
    };
    assert_eq!(imported.approvers.len(), ApprovalKind::ALL.len());
    assert_eq!(
        imported
            .extra_sources
            .get(ExtraField::Approver(ApprovalKind::ExternalLink))
            .map(|s| s.clause.as_str()),
        Some("8.2.2")
    );
    assert_eq!(
        imported
            .extra_sources
            .get(ExtraField::MfaRequiredRoles)
            .map(|s| s.clause.as_str()),
        Some("2.1.5")
    );
    assert_eq!(
        imported
            .extra_sources
            .get(ExtraField::EmergencyAccessWaitHours)
            .map(|s| s.clause.as_str()),
        Some("4.1.2")
    );
    assert_eq!(
        imported
            .extra_sources
            .get(ExtraField::DseIntervalMonths)
            .map(|s| s.clause.as_str()),
        Some("3.1.2")
    );
    let json: serde_json::Value =
        serde_json::from_str(&imported.to_json_pretty()).unwrap_or_default();
    let keys: Vec<&str> = json
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for beyond in [
        "approvers",
        "mfa_required_roles",
        "emergency_access_wait_hours",
        "dse_interval_months",
        "extra_sources",
    ] {
        assert!(!keys.contains(&beyond), "{beyond} is in the JSON");
        assert!(
            json["sources"].get(beyond).is_none(),
            "{beyond} has a source"
        );
    }
    assert_eq!(keys.len(), 20, "{keys:?}");
}
