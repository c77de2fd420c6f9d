#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::ids::{CouncilId, PersonId};
use crate::person::{Email, Person, PersonName, PersonStatus, Role, RoleSet};
use jiff::Timestamp;
use jiff::civil::date;

fn person(roles: &[Role]) -> Person {
    Person {
        id: PersonId::generate(),
        council_id: CouncilId::generate(),
        account_id: None,
        name: PersonName::parse("Sam Staff").unwrap(),
        email: Email::parse("sam@example.org").unwrap(),
        roles: RoleSet::of(roles),
        status: PersonStatus::Active,
        start_date: None,
        leave_date: None,
        created_at: Timestamp::UNIX_EPOCH,
    }
}

fn now() -> Timestamp {
    "2026-06-15T10:00:00Z".parse().unwrap()
}

fn rules(assessment: DseAssessment, interval_months: u16) -> DseRules {
    DseRules {
        assessment,
        interval_months,
        eye_test_interval_months: EYE_TEST_INTERVAL_MONTHS,
    }
}

fn assessed(of: &Person, on: &str, today: jiff::civil::Date) -> Assessment {
    record_assessment(
        of,
        AssessmentId::generate(),
        AssessmentForm {
            assessed_on: on,
            assessor: AssessorChoice::Outside("Occupational Health Ltd"),
            changes_needed: Some(false),
            actions: "",
        },
        PersonId::generate(),
        today,
        now(),
    )
    .unwrap()
    .0
}

#[test]
fn staff_and_the_clerk_use_display_screens_by_default_and_the_clerk_can_say_otherwise() {
    let staff = person(&[Role::Staff]);
    let councillor = person(&[Role::Councillor]);
    assert!(is_dse_user(&staff, None));
    assert!(is_dse_user(&person(&[Role::Clerk]), None));
    assert!(!is_dse_user(&councillor, None));
    let (mark, event) = mark_dse_user(&councillor, true, PersonId::generate(), now());
    assert!(is_dse_user(&councillor, Some(&mark)));
    assert_eq!(event.action, "dse.user_set");
    let (mark, _) = mark_dse_user(&staff, false, PersonId::generate(), now());
    assert!(!is_dse_user(&staff, Some(&mark)));
    let mut left = staff.clone();
    left.status = PersonStatus::Left;
    assert!(!is_dse_user(&left, None));
}

#[test]
fn with_annual_assessments_the_next_is_due_the_interval_after_the_last() {
    let staff = person(&[Role::Staff]);
    let today = date(2026, 6, 15);
    let records = HealthRecords {
        assessments: vec![assessed(&staff, "1/7/2025", today)],
        ..HealthRecords::default()
    };
    let people = [staff.clone()];
    let yearly = rules(DseAssessment::Annual, 12);
    assert_eq!(
        records.status(&staff, &yearly, today).assessment,
        Due::Soon {
            on: date(2026, 7, 1)
        }
    );
    assert_eq!(
        records
            .status(&staff, &yearly, date(2026, 5, 31))
            .assessment,
        Due::Ok {
            next: Some(date(2026, 7, 1))
        }
    );
    assert_eq!(
        records.status(&staff, &yearly, date(2026, 7, 2)).assessment,
        Due::Overdue {
            since: date(2026, 7, 1)
        }
    );
    let two_yearly = rules(DseAssessment::Annual, 24);
    assert_eq!(
        records.status(&staff, &two_yearly, today).assessment,
        Due::Ok {
            next: Some(date(2027, 7, 1))
        }
    );
    let counts = records.counts(&people, &yearly, today);
    assert_eq!(
        (counts.assessments_overdue, counts.assessments_due_soon),
        (0, 1)
    );
}

#[test]
fn the_latest_assessment_counts_whatever_order_they_were_recorded_in() {
    let staff = person(&[Role::Staff]);
    let today = date(2026, 6, 15);
    let records = HealthRecords {
        assessments: vec![
            assessed(&staff, "1/2/2026", today),
            assessed(&staff, "1/2/2024", today),
        ],
        ..HealthRecords::default()
    };
    assert_eq!(
        records
            .status(&staff, &rules(DseAssessment::Annual, 12), today)
            .assessment,
        Due::Ok {
            next: Some(date(2027, 2, 1))
        }
    );
}

#[test]
fn when_the_policy_promises_only_eye_tests_a_first_assessment_is_still_due_and_no_repeat() {
    let staff = person(&[Role::Staff]);
    let today = date(2026, 6, 15);
    let eye_tests = rules(DseAssessment::EyeTestsOffered, 12);
    let none = HealthRecords::default();
    assert_eq!(
        none.status(&staff, &eye_tests, today).assessment,
        Due::Never
    );
    let done = HealthRecords {
        assessments: vec![assessed(&staff, "1/1/2020", today)],
        ..HealthRecords::default()
    };
    assert_eq!(
        done.status(&staff, &eye_tests, today).assessment,
        Due::Ok { next: None }
    );
    assert!(
        !done
            .schedule(std::slice::from_ref(&staff), &eye_tests, today)
            .iter()
            .any(|i| matches!(i, ScheduleItem::Assessment { .. }))
    );
}

#[test]
fn someone_never_assessed_or_offered_a_test_needs_both_now() {
    let staff = person(&[Role::Staff]);
    let councillor = person(&[Role::Councillor]);
    let people = [staff.clone(), councillor];
    let today = date(2026, 6, 15);
    let yearly = rules(DseAssessment::Annual, 12);
    let records = HealthRecords::default();
    let counts = records.counts(&people, &yearly, today);
    assert_eq!(
        counts.assessments_overdue, 1,
        "only the display screen user"
    );
    assert_eq!(counts.eye_tests_overdue, 1);
    assert_eq!(
        records.schedule(&people, &yearly, today),
        vec![
            ScheduleItem::Assessment {
                person: staff.id,
                due: Due::Never
            },
            ScheduleItem::EyeTestOffer {
                person: staff.id,
                due: Due::Never
            },
        ]
    );
}

#[test]
fn eye_tests_are_offered_again_two_years_after_the_test_or_the_offer() {
    let staff = person(&[Role::Staff]);
    let today = date(2026, 6, 15);
    let (offer, event) = offer_eye_test(
        &staff,
        EyeTestOfferId::generate(),
        "2 March 2026",
        PersonId::generate(),
        today,
        now(),
    )
    .unwrap();
    assert_eq!(event.action, "eye_test.offered");
    let yearly = rules(DseAssessment::Annual, 12);
    assert_eq!(next_eye_test_offer_due(&offer, &yearly), date(2028, 3, 2));
    assert!(offer.awaits_answer());
    // The person answers their own offer; the date of the test is added later.
    let (taken, _) =
        answer_eye_test(&offer, "taken_up", "", staff.id, false, today, now()).unwrap();
    assert!(taken.awaits_answer());
    let (dated, event) = answer_eye_test(
        &taken,
        "taken_up",
        "20/3/2026",
        staff.id,
        false,
        today,
        now(),
    )
    .unwrap();
    assert!(!dated.awaits_answer());
    assert_eq!(dated.revision, 2);
    assert_eq!(next_eye_test_offer_due(&dated, &yearly), date(2028, 3, 20));
    let details = event.details.to_string();
    assert!(!details.contains("2026"), "no dates or text: {details}");
    assert_eq!(
        answer_eye_test(&dated, "declined", "", staff.id, false, today, now()),
        Err(HealthError::AlreadyAnswered)
    );
}

#[test]
fn only_the_person_or_a_manager_answers_an_offer_and_the_test_cannot_precede_it() {
    let staff = person(&[Role::Staff]);
    let today = date(2026, 6, 15);
    let (offer, _) = offer_eye_test(
        &staff,
        EyeTestOfferId::generate(),
        "2/3/2026",
        PersonId::generate(),
        today,
        now(),
    )
    .unwrap();
    let stranger = PersonId::generate();
    assert_eq!(
        answer_eye_test(&offer, "declined", "", stranger, false, today, now()),
        Err(HealthError::NotTheirOffer)
    );
    assert!(answer_eye_test(&offer, "declined", "", stranger, true, today, now()).is_ok());
    assert_eq!(
        answer_eye_test(
            &offer,
            "taken_up",
            "1/3/2026",
            staff.id,
            false,
            today,
            now()
        ),
        Err(HealthError::TestBeforeOffer)
    );
    assert_eq!(
        answer_eye_test(&offer, "", "", staff.id, false, today, now()),
        Err(HealthError::AnswerMissing)
    );
}

#[test]
fn nobody_records_their_own_assessment_or_eye_test_offer() {
    let clerk = person(&[Role::Clerk]);
    let today = date(2026, 6, 15);
    let form = AssessmentForm {
        assessed_on: "1/6/2026",
        assessor: AssessorChoice::Person(clerk.id),
        changes_needed: Some(false),
        actions: "",
    };
    assert_eq!(
        record_assessment(
            &clerk,
            AssessmentId::generate(),
            form,
            clerk.id,
            today,
            now()
        )
        .unwrap_err(),
        HealthError::OwnRecord
    );
    assert_eq!(
        offer_eye_test(
            &clerk,
            EyeTestOfferId::generate(),
            "1/6/2026",
            clerk.id,
            today,
            now()
        )
        .unwrap_err(),
        HealthError::OwnRecord
    );
    let chair = PersonId::generate();
    let (assessment, event) =
        record_assessment(&clerk, AssessmentId::generate(), form, chair, today, now()).unwrap();
    assert_eq!(assessment.recorded_by, chair);
    assert_eq!(event.action, "dse.assessed");
}

#[test]
fn bad_dates_and_missing_answers_are_refused_with_what_to_do() {
    let staff = person(&[Role::Staff]);
    let today = date(2026, 6, 15);
    let attempt = |on: &str, changes: Option<bool>, actions: &str, assessor| {
        record_assessment(
            &staff,
            AssessmentId::generate(),
            AssessmentForm {
                assessed_on: on,
                assessor,
                changes_needed: changes,
                actions,
            },
            PersonId::generate(),
            today,
            now(),
        )
        .map(|_| ())
    };
    let outside = AssessorChoice::Outside("A. Adviser");
    assert!(matches!(
        attempt("", Some(false), "", outside),
        Err(HealthError::DateMissing { .. })
    ));
    assert!(matches!(
        attempt("31/2/2026", Some(false), "", outside),
        Err(HealthError::DateUnreadable { .. })
    ));
    assert!(matches!(
        attempt("16/6/2026", Some(false), "", outside),
        Err(HealthError::DateInFuture { .. })
    ));
    assert!(matches!(
        attempt("1/1/1970", Some(false), "", outside),
        Err(HealthError::DateTooEarly { .. })
    ));
    assert!(matches!(
        attempt("15/6/2026", Some(true), "  ", outside),
        Err(HealthError::Missing(_))
    ));
    assert!(matches!(
        attempt("15/6/2026", None, "", outside),
        Err(HealthError::Missing(_))
    ));
    assert!(matches!(
        attempt("15/6/2026", Some(false), "", AssessorChoice::Outside(" ")),
        Err(HealthError::Missing(_))
    ));
    assert!(matches!(
        attempt("15/6/2026", Some(false), "", AssessorChoice::NotChosen),
        Err(HealthError::Missing(_))
    ));
    let message = attempt("31/2/2026", Some(false), "", outside)
        .unwrap_err()
        .to_string();
    assert!(message.contains("14/3/2026"), "{message}");
    assert!(attempt("15/6/2026", Some(true), "Raise the screen", outside).is_ok());
}

#[test]
fn requests_and_hazards_are_resolved_once_with_words_kept_out_of_the_audit_log() {
    let staff = person(&[Role::Staff]);
    let clerk = PersonId::generate();
    let (request, event) = ask_for_workstation_change(
        &staff,
        WorkstationRequestId::generate(),
        "My chair hurts my back",
        now(),
    )
    .unwrap();
    assert!(!event.details.to_string().contains("chair"));
    assert_eq!(
        resolve_workstation_request(&request, Settle::Done, "New chair", staff.id, now())
            .unwrap_err(),
        HealthError::OwnRequest
    );
    assert!(matches!(
        resolve_workstation_request(&request, Settle::Declined, "", clerk, now()),
        Err(HealthError::Missing(_))
    ));
    let (done, event) =
        resolve_workstation_request(&request, Settle::Done, "New chair bought", clerk, now())
            .unwrap();
    assert_eq!(done.resolution.as_str(), "done");
    assert!(!event.details.to_string().contains("bought"));
    assert_eq!(
        resolve_workstation_request(&done, Settle::Declined, "No", clerk, now()).unwrap_err(),
        HealthError::AlreadyResolved
    );

    let (hazard, event) = report_hazard(
        staff.council_id,
        HazardId::generate(),
        "Parish office",
        "Trailing cable",
        staff.id,
        now(),
    )
    .unwrap();
    assert!(!event.details.to_string().contains("cable"));
    assert!(matches!(
        report_hazard(
            staff.council_id,
            HazardId::generate(),
            "",
            "x",
            staff.id,
            now()
        ),
        Err(HealthError::Missing(_))
    ));
    // The one who reported a hazard may also be the one who makes it safe.
    let (safe, event) =
        resolve_hazard(&hazard, Settle::Done, "Cable taped down", staff.id, now()).unwrap();
    assert_eq!(safe.resolution.as_str(), "done");
    assert_eq!(event.details["outcome"], "made_safe");
}
