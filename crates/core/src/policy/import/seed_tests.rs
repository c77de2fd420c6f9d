//! Import tests on the three real council policies kept as fixtures: every value of the JSON
//! contract is checked against a careful reading of each document.

use super::*;
use crate::policy::profile::{ApprovalKind as K, Approver as A};
use serde_json::{Value, json};

const BALSHAM: &str = include_str!("../../../tests/fixtures/policies/balsham.txt");
const ASPATRIA: &str = include_str!("../../../tests/fixtures/policies/aspatria.txt");
const GROBY: &str = include_str!("../../../tests/fixtures/policies/groby.txt");

/// The contract's value keys, in order.
const CONTRACT: [&str; 17] = [
    "council_name",
    "adopted_on",
    "minute_reference",
    "review_interval_months",
    "equipment_personal_use",
    "email_personal_use",
    "negligence_liability",
    "device_pin_min_digits",
    "device_lockout_attempts",
    "device_idle_lock_minutes",
    "internet_log_retention_months",
    "emergency_credentials_holder",
    "password_manager_required",
    "declaration_required",
    "password_style",
    "mfa",
    "dse_assessment",
];

fn imported(text: &str) -> ImportedPolicy {
    match import_policy(text) {
        Ok(p) => p,
        Err(e) => unreachable!("the seed should import: {e}"),
    }
}

fn json_of(policy: &ImportedPolicy) -> Value {
    serde_json::from_str(&policy.to_json_pretty()).unwrap_or(Value::Null)
}

/// Every contract value equals the expected one, and every non-null value has a source.
fn assert_contract(text: &str, expected: Value) {
    let policy = imported(text);
    let actual = json_of(&policy);
    for key in CONTRACT {
        assert_eq!(actual[key], expected[key], "{key}");
        if !actual[key].is_null() {
            let source = &actual["sources"][key];
            assert!(
                source["clause"].as_str().is_some_and(|c| !c.is_empty())
                    && source["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{key} has no source: {source}"
            );
        } else {
            assert!(
                actual["sources"].get(key).is_none(),
                "{key} is null but has a source"
            );
        }
    }
}

fn source_clause(text: &str, field: ImportedField) -> Option<String> {
    imported(text).sources.get(field).map(|s| s.clause.clone())
}

fn lint_has(text: &str, clause: &str, words: &str) -> bool {
    imported(text)
        .lint
        .iter()
        .any(|f| f.clause == clause && f.message.contains(words))
}

#[test]
fn balsham_settles_what_its_policy_says_and_leaves_the_rest_null() {
    assert_contract(
        BALSHAM,
        json!({
            "council_name": "Balsham Parish Council",
            "adopted_on": "2026-03-16",
            "minute_reference": null,
            "review_interval_months": null,
            "equipment_personal_use": "reasonable",
            "email_personal_use": "outside_working_hours",
            "negligence_liability": {"kind": "fixed", "amount_pence": 10000},
            // "protected with a pin code" and "after several unsuccessful attempts" settle
            // nothing; the own-device bullets on PIN, lock-out and idle time were removed.
            "device_pin_min_digits": null,
            "device_lockout_attempts": null,
            "device_idle_lock_minutes": null,
            "internet_log_retention_months": 6,
            "emergency_credentials_holder": "chair",
            // 4.1.3 only says not to store passwords in plain text.
            "password_manager_required": null,
            "declaration_required": false,
            "password_style": "three_random_words",
            "mfa": "where_possible",
            "dse_assessment": "eye_tests_offered",
        }),
    );
}

#[test]
fn aspatria_settles_what_its_policy_says_and_leaves_the_rest_null() {
    assert_contract(
        ASPATRIA,
        json!({
            "council_name": "Aspatria Town Council",
            "adopted_on": null,
            "minute_reference": null,
            "review_interval_months": null,
            // 1.1.1: "purposes only", then "reasonable personal use is permitted", then
            // "restrict any personal use to official lunch breaks or before or after working
            // hours": the last, most specific permission decides.
            "equipment_personal_use": "outside_working_hours",
            "email_personal_use": "outside_working_hours",
            "negligence_liability": {"kind": "fixed", "amount_pence": 20000},
            "device_pin_min_digits": null,
            "device_lockout_attempts": 3,
            "device_idle_lock_minutes": 30,
            "internet_log_retention_months": 6,
            "emergency_credentials_holder": "chair",
            "password_manager_required": true,
            "declaration_required": false,
            "password_style": "three_random_words",
            "mfa": "where_possible",
            "dse_assessment": "eye_tests_offered",
        }),
    );
}

#[test]
fn groby_settles_what_its_policy_says_and_leaves_the_rest_null() {
    assert_contract(
        GROBY,
        json!({
            "council_name": "Groby Parish Council",
            "adopted_on": "2026-03-02",
            "minute_reference": "COU/229/25-26",
            "review_interval_months": 12,
            "equipment_personal_use": "none",
            "email_personal_use": "none",
            "negligence_liability": {"kind": "replacement_value"},
            "device_pin_min_digits": 6,
            "device_lockout_attempts": 3,
            "device_idle_lock_minutes": 5,
            // Groby's 5.1.11 is about inspecting files; monitoring data is kept "only long
            // enough", which is no number of months.
            "internet_log_retention_months": null,
            "emergency_credentials_holder": "chair",
            "password_manager_required": true,
            "declaration_required": false,
            // "should move towards adopting … three random words" names the council's method.
            "password_style": "three_random_words",
            "mfa": "where_possible",
            "dse_assessment": "eye_tests_offered",
        }),
    );
}

#[test]
fn each_value_cites_the_clause_it_came_from() {
    assert_eq!(
        source_clause(BALSHAM, ImportedField::NegligenceLiability).as_deref(),
        Some("2.1.6")
    );
    assert_eq!(
        source_clause(BALSHAM, ImportedField::EmailPersonalUse).as_deref(),
        Some("7.1.5")
    );
    assert_eq!(
        source_clause(ASPATRIA, ImportedField::DeviceLockoutAttempts).as_deref(),
        Some("2.2.6")
    );
    assert_eq!(
        source_clause(ASPATRIA, ImportedField::EquipmentPersonalUse).as_deref(),
        Some("1.1.1")
    );
    assert_eq!(
        source_clause(GROBY, ImportedField::MinuteReference).as_deref(),
        Some("DETAILS OF POLICY (line 14)")
    );
    let groby = imported(GROBY);
    assert_eq!(
        groby
            .sources
            .get(ImportedField::DevicePinMinDigits)
            .map(|s| s.text.as_str()),
        Some(
            "use either a 6-digit pin, strong password or finger print to protect their device(s) from being accessed."
        )
    );
}

#[test]
fn a_model_following_policy_leaves_little_unrecognised() {
    for seed in [BALSHAM, ASPATRIA, GROBY] {
        let unrecognised = imported(seed).unrecognised;
        assert!(unrecognised.len() <= 3, "{unrecognised:#?}");
    }
}

#[test]
fn the_json_keeps_the_contract_order_then_sources_unrecognised_and_lint() {
    let json = imported(GROBY).to_json_pretty();
    let keys: Vec<&str> = json
        .lines()
        .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
        .filter_map(|l| l.trim().split('"').nth(1))
        .collect();
    let mut expected: Vec<&str> = CONTRACT.to_vec();
    expected.extend(["sources", "unrecognised", "lint"]);
    assert_eq!(keys, expected);
}

#[test]
fn lint_on_the_seeds_finds_the_problems_a_careful_reader_finds() {
    assert!(lint_has(BALSHAM, "2.2.8", "ends with a colon"));
    assert!(lint_has(BALSHAM, "5.1.5", "5.1.2 to 5.1.4"));
    assert!(lint_has(BALSHAM, "4.1.1", "no web address"));
    assert!(lint_has(BALSHAM, "7.1.5", "contradicts itself"));
    assert!(lint_has(BALSHAM, "2.1.4", "how many digits"));
    assert!(lint_has(ASPATRIA, "1.1.1", "contradicts itself"));
    assert!(lint_has(ASPATRIA, "2.2.2", "no clause 2.2.1"));
    assert!(lint_has(ASPATRIA, "2.2.6", "30 minutes"));
    assert!(lint_has(
        ASPATRIA,
        "Important notice (line 274)",
        "publisher's notice"
    ));
    assert!(lint_has(GROBY, "2.2.2", "no clause 2.2.1"));
    assert!(lint_has(GROBY, "whole document", "no declaration"));
    // Groby's "Council purposes only" and "Personal use is not permitted" agree.
    assert!(!lint_has(GROBY, "7.1.5", "contradicts"));
    assert!(!lint_has(GROBY, "1.1.1", "contradicts"));
}

#[test]
fn applying_an_import_overwrites_only_what_the_policy_settled() {
    let base = PolicyProfile::model_defaults();
    let profile = imported(GROBY).apply_to(&base);
    assert_eq!(profile.equipment_personal_use, PersonalUse::None);
    assert_eq!(
        profile.negligence_liability,
        NegligenceLiability::ReplacementValue
    );
    assert!(!profile.declaration_required);
    // Groby has a blog go live only with the Council's agreement and links checked with the
    // Clerk; it names no one for buying equipment, so the base's choice stays.
    assert_eq!(
        profile.approvers.get(ApprovalKind::BlogOrSite),
        Approver::Council
    );
    let mut all_council = base.clone();
    for kind in ApprovalKind::ALL {
        all_council.approvers.set(kind, Approver::Council);
    }
    let applied = imported(GROBY).apply_to(&all_council);
    assert_eq!(
        applied.approvers.get(ApprovalKind::ExternalLink),
        Approver::Clerk
    );
    assert_eq!(
        applied.approvers.get(ApprovalKind::BuyEquipmentOrSoftware),
        Approver::Council
    );
    // Not in Groby's policy: the model's value stays.
    assert_eq!(profile.internet_log_retention_months, 6);
    assert_eq!(
        profile.emergency_access_wait_hours,
        base.emergency_access_wait_hours
    );
    assert_eq!(profile.validate(), Ok(()));
}

/// Each kind the seed settles, with the approver and the clause; every other kind is `None`.
fn assert_approvers(text: &str, expected: &[(ApprovalKind, Approver, &str)]) {
    let policy = imported(text);
    let found: Vec<(ApprovalKind, Approver, String)> = policy
        .approvers
        .iter()
        .map(|(kind, approver)| {
            let clause = policy
                .extra_sources
                .get(ExtraField::Approver(*kind))
                .map(|s| s.clause.clone())
                .unwrap_or_default();
            (*kind, *approver, clause)
        })
        .collect();
    let expected: Vec<(ApprovalKind, Approver, String)> = expected
        .iter()
        .map(|(kind, approver, clause)| (*kind, *approver, (*clause).to_owned()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_seeds_settle_an_approver_only_where_a_clause_says_whose_approval() {
    // Not settled in any seed: buying ("Unless previously authorised"), own devices ("at the
    // discretion of the council" says whether, not who approves a request), domain names
    // ("unless authorised to do so"), contacts on LinkedIn ("unless this has been
    // authorised"), dongles and paid Wi-Fi (no approval at all), installing software (no
    // clause).
    assert_approvers(
        BALSHAM,
        &[
            // "without the prior approval of the Council"
            (K::PersonalRemovableMedia, A::Council, "1.1.8"),
            // "unless … this has been authorised, … without the prior written permission of
            // the Council"
            (K::RecordingOnPremises, A::Council, "2.1.7"),
            // "Nor should they add links … without checking first with the Clerk."
            (K::ExternalLink, A::Clerk, "8.2.1"),
        ],
    );
    assert_approvers(
        ASPATRIA,
        &[
            (K::PersonalRemovableMedia, A::Clerk, "1.1.7"),
            (K::RecordingOnPremises, A::Clerk, "2.1.6"),
            // "…must inform the Clerk that they are writing this and gain agreement before
            // going 'live'."
            (K::BlogOrSite, A::Clerk, "11.5"),
            (K::ExternalLink, A::Council, "9.1.1"),
        ],
    );
    assert_approvers(
        GROBY,
        &[
            (K::PersonalRemovableMedia, A::Council, "1.1.8"),
            (K::RecordingOnPremises, A::Council, "2.1.6"),
            (K::BlogOrSite, A::Council, "9.1.4"),
            (K::ExternalLink, A::Clerk, "8.2.1"),
        ],
    );
}

#[test]
fn the_seeds_state_no_mfa_roles_emergency_wait_or_assessment_interval() {
    for seed in [BALSHAM, ASPATRIA, GROBY] {
        let policy = imported(seed);
        // Their MFA clauses recommend it to everyone without naming roles; the sealed envelope
        // is "only to be accessed in an emergency", with no wait; eye tests are "regular" with
        // no workstation assessment at all.
        assert_eq!(policy.mfa_required_roles, None);
        assert_eq!(policy.emergency_access_wait_hours, None);
        assert_eq!(policy.dse_interval_months, None);
        assert!(
            policy
                .lint
                .iter()
                .all(|f| !f.message.contains("who approves")),
            "{:#?}",
            policy.lint
        );
    }
}
