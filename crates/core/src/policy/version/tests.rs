//! Tests for the version, adoption and declaration rules.
use super::*;
use crate::person::{Email, PersonName, Role, RoleSet};
use jiff::civil::date;

/// 2026-05-28 21:46:40 UTC: 22:46 in London (British Summer Time).
fn now() -> Timestamp {
    Timestamp::from_second(1_780_004_800).unwrap()
}

fn draft_version() -> PolicyVersion {
    let (draft, _) = new_draft(
        CouncilId::generate(),
        PolicyVersionId::generate(),
        DraftContent {
            profile: PolicyProfile::model_defaults(),
            origin: VersionOrigin::Model,
            note: String::new(),
        },
        PersonId::generate(),
        now(),
    )
    .unwrap();
    draft.numbered(1)
}

fn hash() -> String {
    sha256_hex("The IT policy")
}

fn adopted() -> PolicyVersion {
    let version = draft_version();
    adopt(
        &version,
        date(2026, 5, 20),
        MinuteReference::parse("COU/229/25-26").unwrap(),
        now(),
        &hash(),
        "I have read the IT policy and will follow it.",
        version.created_by,
    )
    .unwrap()
    .version
}

fn person(council: CouncilId, name: &str, status: PersonStatus) -> Person {
    Person {
        id: PersonId::generate(),
        council_id: council,
        account_id: None,
        name: PersonName::parse(name).unwrap(),
        email: Email::parse("someone@example.org").unwrap(),
        roles: RoleSet::of(&[Role::Councillor]),
        status,
        start_date: None,
        leave_date: None,
        created_at: now(),
    }
}

#[test]
fn a_minute_reference_is_trimmed_and_checked() {
    assert_eq!(
        MinuteReference::parse("  COU/229/25-26 ").unwrap().as_str(),
        "COU/229/25-26"
    );
    assert_eq!(
        MinuteReference::parse("   "),
        Err(PolicyVersionError::EmptyMinuteReference)
    );
    assert_eq!(
        MinuteReference::parse(&"1".repeat(61)),
        Err(PolicyVersionError::MinuteReferenceTooLong)
    );
    assert!(MinuteReference::parse(&"1".repeat(60)).is_ok());
    assert_eq!(
        MinuteReference::parse("12\u{7}3"),
        Err(PolicyVersionError::MinuteReferenceHasControlCharacters)
    );
    assert_eq!(
        MinuteReference::parse("-/-"),
        Err(PolicyVersionError::MinuteReferenceWithoutLetterOrDigit)
    );
    assert!(MinuteReference::parse("7").is_ok());
}

#[test]
fn a_new_draft_is_checked_and_audited_without_the_file_name() {
    let (draft, event) = new_draft(
        CouncilId::generate(),
        PolicyVersionId::generate(),
        DraftContent {
            profile: PolicyProfile::model_defaults(),
            origin: VersionOrigin::Imported {
                file_name: "  Ashby IT policy.docx ".into(),
            },
            note: " First import \r\n from the adopted document ".into(),
        },
        PersonId::generate(),
        now(),
    )
    .unwrap();
    assert_eq!(draft.origin.file_name(), Some("Ashby IT policy.docx"));
    assert_eq!(draft.note, "First import \n from the adopted document");
    assert_eq!(event.action, "policy.draft_created");
    assert_eq!(event.details, json!({ "origin": "imported" }));

    let mut bad = PolicyProfile::model_defaults();
    bad.device_idle_lock_minutes = 0;
    let err = new_draft(
        CouncilId::generate(),
        PolicyVersionId::generate(),
        DraftContent {
            profile: bad,
            origin: VersionOrigin::Builder,
            note: String::new(),
        },
        PersonId::generate(),
        now(),
    )
    .unwrap_err();
    assert!(matches!(err, PolicyVersionError::Profile(_)));
}

#[test]
fn revising_a_draft_audits_which_choices_changed() {
    let version = draft_version();
    let mut profile = version.profile.clone();
    profile.device_lockout_attempts = 5;
    let (revised, event) = revise_draft(
        &version,
        profile,
        "Fewer attempts",
        version.created_by,
        now(),
    )
    .unwrap();
    assert_eq!(revised.profile.device_lockout_attempts, 5);
    assert_eq!(revised.note, "Fewer attempts");
    assert_eq!(event.action, "policy.draft_updated");
    assert_eq!(
        event.details,
        json!({ "number": 1, "changed": ["device_lockout_attempts"], "note_changed": true })
    );
}

#[test]
fn only_a_draft_can_be_revised_deleted_or_adopted() {
    let version = adopted();
    let expected = PolicyVersionError::NotADraft {
        number: 1,
        status: VersionStatus::Adopted,
    };
    assert_eq!(
        revise_draft(
            &version,
            version.profile.clone(),
            "",
            version.created_by,
            now()
        )
        .unwrap_err(),
        expected
    );
    assert_eq!(
        delete_draft(&version, version.created_by, now()).unwrap_err(),
        expected
    );
    let again = adopt(
        &version,
        date(2026, 5, 20),
        MinuteReference::parse("COU/1").unwrap(),
        now(),
        &hash(),
        "x",
        version.created_by,
    );
    assert_eq!(again.unwrap_err(), expected);
    assert!(
        expected
            .to_string()
            .starts_with("Version 1 has been adopted")
    );
}

#[test]
fn adopting_sets_the_review_date_from_the_profile_and_audits_the_minute_reference() {
    let mut version = draft_version();
    version.profile.review_interval_months = 12;
    let by = PersonId::generate();
    let done = adopt(
        &version,
        date(2024, 2, 29),
        MinuteReference::parse("COU/229/25-26").unwrap(),
        now(),
        &hash(),
        "I agree.",
        by,
    )
    .unwrap();
    assert_eq!(done.version.status, VersionStatus::Adopted);
    assert_eq!(done.adoption.review_due, date(2025, 2, 28));
    assert_eq!(done.version.review_due, Some(date(2025, 2, 28)));
    assert_eq!(done.version.adopted_by, Some(by));
    assert_eq!(done.version.declaration_text.as_deref(), Some("I agree."));
    assert_eq!(done.event.action, "policy.adopted");
    assert_eq!(done.event.details["number"], 1);
    assert_eq!(done.event.details["minute_reference"], "COU/229/25-26");
    assert_eq!(done.event.details["content_hash"], hash());
}

#[test]
fn the_adoption_date_is_today_or_earlier_in_london_and_not_before_2000() {
    let version = draft_version();
    let attempt = |on: Date| {
        adopt(
            &version,
            on,
            MinuteReference::parse("COU/1").unwrap(),
            now(),
            &hash(),
            "I agree.",
            version.created_by,
        )
    };
    // 22:46 on 28 May in London.
    assert!(attempt(date(2026, 5, 28)).is_ok());
    assert_eq!(
        attempt(date(2026, 5, 29)).unwrap_err(),
        PolicyVersionError::AdoptedInFuture
    );
    assert!(attempt(date(2000, 1, 1)).is_ok());
    assert_eq!(
        attempt(date(1999, 12, 31)).unwrap_err(),
        PolicyVersionError::AdoptedTooLongAgo
    );
    // Just after midnight in London it is still the previous day in UTC; London counts.
    let after_midnight = Timestamp::from_second(1_780_010_000).unwrap();
    assert_eq!(london_today(after_midnight), date(2026, 5, 29));
    let adopted_at_midnight = adopt(
        &version,
        date(2026, 5, 29),
        MinuteReference::parse("COU/1").unwrap(),
        after_midnight,
        &hash(),
        "I agree.",
        version.created_by,
    );
    assert!(adopted_at_midnight.is_ok());
}

#[test]
fn adoption_needs_a_document_fingerprint_and_a_declaration() {
    let version = draft_version();
    let attempt = |hash: &str, text: &str| {
        adopt(
            &version,
            date(2026, 5, 1),
            MinuteReference::parse("COU/1").unwrap(),
            now(),
            hash,
            text,
            version.created_by,
        )
        .map(|_| ())
    };
    assert_eq!(
        attempt(&hash().to_uppercase(), "I agree."),
        Err(PolicyVersionError::InvalidContentHash)
    );
    assert_eq!(
        attempt("abc", "I agree."),
        Err(PolicyVersionError::InvalidContentHash)
    );
    assert_eq!(
        attempt(&hash(), "  \n "),
        Err(PolicyVersionError::EmptyDeclaration)
    );
}

#[test]
fn a_review_is_due_soon_within_sixty_days_and_overdue_after_the_date() {
    let due = date(2026, 6, 30);
    assert_eq!(review_state(due, date(2026, 4, 30)), ReviewState::NotDue);
    assert_eq!(
        review_state(due, date(2026, 5, 1)),
        ReviewState::DueSoon { days_left: 60 }
    );
    assert_eq!(
        review_state(due, due),
        ReviewState::DueSoon { days_left: 0 }
    );
    assert_eq!(
        review_state(due, date(2026, 7, 3)),
        ReviewState::Overdue { days_over: 3 }
    );
    assert_eq!(
        review_state(due, date(2027, 7, 1)),
        ReviewState::Overdue { days_over: 366 }
    );
}

#[test]
fn signing_needs_the_name_as_it_appears_ignoring_case_and_spaces() {
    let version = adopted();
    let ada = person(
        version.council_id,
        "Ada King-Lovelace",
        PersonStatus::Active,
    );
    let (declaration, event) = sign(
        Some(&version),
        version.id,
        &ada,
        "  ada   KING-lovelace ",
        now(),
    )
    .unwrap();
    assert_eq!(declaration.typed_name, "ada KING-lovelace");
    assert_eq!(
        declaration.text_hash,
        sha256_hex("I have read the IT policy and will follow it.")
    );
    assert_eq!(event.action, "policy.declaration_signed");
    assert_eq!(event.actor, Actor::Person(ada.id));
    assert_eq!(
        event.details,
        json!({
            "number": 1,
            "person": ada.id.to_string(),
            "text_hash": declaration.text_hash,
        }),
        "people by id only: never the typed name"
    );

    let err = sign(Some(&version), version.id, &ada, "Ada Lovelace", now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Type your full name as it appears in Custodian: Ada King-Lovelace"
    );
}

#[test]
fn only_the_version_in_force_can_be_signed_and_only_by_active_people() {
    let version = adopted();
    let ada = person(version.council_id, "Ada", PersonStatus::Active);
    assert_eq!(
        sign(None, version.id, &ada, "Ada", now()).unwrap_err(),
        DeclarationError::NothingInForce
    );
    assert_eq!(
        sign(
            Some(&version),
            PolicyVersionId::generate(),
            &ada,
            "Ada",
            now()
        )
        .unwrap_err(),
        DeclarationError::NotInForce
    );
    let stranger = person(CouncilId::generate(), "Ada", PersonStatus::Active);
    assert_eq!(
        sign(Some(&version), version.id, &stranger, "Ada", now()).unwrap_err(),
        DeclarationError::NotInForce
    );
    let draft = draft_version();
    assert_eq!(
        sign(Some(&draft), draft.id, &ada, "Ada", now()).unwrap_err(),
        DeclarationError::NotInForce
    );
    let left = person(version.council_id, "Ada", PersonStatus::Left);
    assert_eq!(
        sign(Some(&version), version.id, &left, "Ada", now()).unwrap_err(),
        DeclarationError::NotActive
    );
}

#[test]
fn an_origin_round_trips_through_storage() {
    for origin in [
        VersionOrigin::Builder,
        VersionOrigin::Model,
        VersionOrigin::Imported {
            file_name: "policy.docx".into(),
        },
    ] {
        let back =
            VersionOrigin::from_storage(origin.as_str(), origin.file_name().map(str::to_owned));
        assert_eq!(back, Ok(origin));
    }
    assert!(VersionOrigin::from_storage("imported", None).is_err());
    assert!(VersionOrigin::from_storage("builder", Some("x".into())).is_err());
    for status in [
        VersionStatus::Draft,
        VersionStatus::Adopted,
        VersionStatus::Superseded,
    ] {
        assert_eq!(VersionStatus::parse(status.as_str()), Ok(status));
    }
}
