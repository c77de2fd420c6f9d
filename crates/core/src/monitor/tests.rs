use super::*;
use crate::audit::Actor;
use crate::ids::{CouncilId, LegalHoldId, PersonId};
use crate::person::{Role, RoleSet};
use crate::policy::document::AdoptionBlock;
use crate::policy::{PolicyProfile, lint_policy, render_policy, to_plain_text};
use custodian_monitor::LocalDay;
use jiff::Timestamp;
use jiff::civil::{Date, date};

fn now() -> Timestamp {
    "2026-08-31T10:00:00Z".parse().unwrap()
}

fn today() -> Date {
    date(2026, 8, 31)
}

fn form() -> ImpactAssessmentForm<'static> {
    ImpactAssessmentForm {
        purpose: "To check that council computers are not used to visit unlawful sites.",
        necessity: "Two laptops were infected last year after visits to file-sharing sites.",
        alternatives: "A filter alone was tried; it cannot show whether the policy is kept.",
        viewer_roles: RoleSet::of(&[Role::Clerk, Role::Chair]),
        retention_months: "",
        decided_on: "14/7/2026",
        minute_reference: "COU/112/26-27",
        assessed_by: "  Jane   Smith ",
    }
}

fn record(form: ImpactAssessmentForm<'_>) -> Result<ImpactAssessment, FormErrors> {
    record_assessment(
        CouncilId::generate(),
        form,
        &PolicyProfile::model_defaults(),
        PersonId::generate(),
        today(),
        now(),
    )
    .map(|(assessment, _)| assessment)
}

fn fields(errors: &FormErrors) -> Vec<&'static str> {
    errors.0.iter().map(|p| p.field).collect()
}

#[test]
fn a_complete_assessment_is_recorded_with_the_policys_retention_by_default() {
    let by = PersonId::generate();
    let (assessment, event) = record_assessment(
        CouncilId::generate(),
        form(),
        &PolicyProfile::model_defaults(),
        by,
        today(),
        now(),
    )
    .unwrap();
    assert_eq!(assessment.retention_months, 6);
    assert_eq!(assessment.assessed_by, "Jane Smith");
    assert_eq!(assessment.decided_on, date(2026, 7, 14));
    assert_eq!(assessment.minute_reference.as_str(), "COU/112/26-27");
    assert_eq!(assessment.recorded_by, by);
    assert_eq!(event.action, "monitor.assessment.recorded");
    assert_eq!(event.details["retention_months"], 6);
    assert_eq!(event.details["viewer_roles"], "clerk,chair");
    // The answers can describe people and suspicions: they stay out of the audit log.
    assert!(!event.details.to_string().contains("laptops"));
}

#[test]
fn the_assessment_round_trips_through_json_for_storage() {
    let assessment = record(form()).unwrap();
    let stored = serde_json::to_value(&assessment).unwrap();
    assert_eq!(
        stored["viewer_roles"],
        serde_json::json!(["clerk", "chair"])
    );
    let back: ImpactAssessment = serde_json::from_value(stored).unwrap();
    assert_eq!(back, assessment);
}

#[test]
fn every_problem_with_the_form_is_reported_at_once_against_its_field() {
    let errors = record(ImpactAssessmentForm {
        purpose: "Security.",
        necessity: "   ",
        alternatives: "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        viewer_roles: RoleSet::empty(),
        retention_months: "six",
        decided_on: "1/9/2026",
        minute_reference: "",
        assessed_by: "",
    })
    .unwrap_err();
    assert_eq!(
        fields(&errors),
        [
            "purpose",
            "necessity",
            "alternatives",
            "viewer_roles",
            "retention_months",
            "decided_on",
            "minute_reference",
            "assessed_by"
        ]
    );
    let message = |field| errors.message_for(field).unwrap();
    assert!(message("purpose").starts_with("Say what monitoring is for"));
    assert!(message("necessity").contains("(5.1.6)"));
    assert!(message("viewer_roles").contains("(5.1.7)"));
    assert!(message("retention_months").contains("the policy's 6 months"));
    assert!(message("decided_on").contains("cannot be after today"));
    assert!(message("minute_reference").contains("COU/229/25-26"));
    assert!(message("assessed_by").contains("name of the person"));
}

#[test]
fn only_the_viewers_missing_still_refuses_the_form() {
    let errors = record(ImpactAssessmentForm {
        viewer_roles: RoleSet::empty(),
        ..form()
    })
    .unwrap_err();
    assert_eq!(fields(&errors), ["viewer_roles"]);
}

#[test]
fn an_answer_longer_than_the_limit_is_refused_with_its_length() {
    let long = "word ".repeat(900);
    let errors = record(ImpactAssessmentForm {
        necessity: &long,
        ..form()
    })
    .unwrap_err();
    assert_eq!(fields(&errors), ["necessity"]);
    assert!(
        errors
            .to_string()
            .contains("4000 characters or fewer (it has 4499)")
    );
}

#[test]
fn a_retention_period_can_be_typed_within_the_policys_range() {
    let typed = |text| {
        record(ImpactAssessmentForm {
            retention_months: text,
            ..form()
        })
    };
    assert_eq!(typed("12").unwrap().retention_months, 12);
    assert_eq!(typed(" 3 months").unwrap().retention_months, 3);
    assert!(
        typed("0")
            .unwrap_err()
            .to_string()
            .contains("1 to 84 months")
    );
    assert!(typed("85").is_err());
}

#[test]
fn monitoring_stays_off_until_an_assessment_and_a_policy_that_says_so_exist() {
    assert_eq!(
        may_switch_on(None, false),
        Err(vec![
            GateReason::NoAssessment,
            GateReason::PolicyDoesNotMentionMonitoring
        ])
    );
    let assessment = record(form()).unwrap();
    assert_eq!(
        may_switch_on(Some(&assessment), false),
        Err(vec![GateReason::PolicyDoesNotMentionMonitoring])
    );
    assert_eq!(
        may_switch_on(None, true),
        Err(vec![GateReason::NoAssessment])
    );
    assert_eq!(may_switch_on(Some(&assessment), true), Ok(()));
    assert!(
        GateReason::NoAssessment
            .to_string()
            .contains("Record one first")
    );
    assert_eq!(
        serde_json::to_value(GateReason::NoAssessment).unwrap(),
        serde_json::json!({ "reason": "no_assessment" })
    );
}

#[test]
fn changes_since_the_assessment_are_named() {
    let assessment = record(form()).unwrap();
    let mut profile = PolicyProfile::model_defaults();
    assert!(
        assessment
            .out_of_step(&profile, RoleSet::of(&[Role::Clerk]))
            .is_empty()
    );
    profile.internet_log_retention_months = 12;
    let reasons = assessment.out_of_step(&profile, RoleSet::of(&[Role::Clerk, Role::Councillor]));
    assert_eq!(
        reasons,
        [
            GateReason::RetentionChanged {
                assessed: 6,
                policy: 12
            },
            GateReason::ViewersNotAssessed {
                roles: "Councillor".into()
            }
        ]
    );
    assert!(
        reasons[1]
            .to_string()
            .starts_with("The monitoring settings let Councillor see")
    );
}

#[test]
fn the_model_policy_tells_people_about_monitoring_and_the_gate_agrees_with_the_lint() {
    let adoption = AdoptionBlock {
        adopted_on: Some(date(2026, 5, 12)),
        minute_reference: Some("COU/229/25-26".to_owned()),
        review_due: None,
        review_interval_months: 12,
    };
    let model = to_plain_text(&render_policy(
        &PolicyProfile::model_defaults(),
        "Little Wickham Parish Council",
        &adoption,
    ));
    assert!(policy_mentions_monitoring(&model));

    let silent: String = model
        .lines()
        .filter(|line| !line.to_lowercase().contains("monitor"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!policy_mentions_monitoring(&silent));
    let lint = lint_policy(&silent).unwrap();
    assert!(lint.iter().any(|f| {
        f.message
            .contains("People must be told before they are monitored")
    }));
}

// Retention.

#[test]
fn six_months_back_from_a_long_month_end_is_the_end_of_february() {
    assert_eq!(oldest_kept_day(date(2026, 8, 31), 6), date(2026, 2, 28));
    assert_eq!(oldest_kept_day(date(2024, 8, 31), 6), date(2024, 2, 29));
    assert_eq!(oldest_kept_day(date(2026, 8, 28), 6), date(2026, 2, 28));
    assert_eq!(oldest_kept_day(date(2026, 9, 1), 6), date(2026, 3, 1));
    assert_eq!(oldest_kept_day(date(2026, 3, 15), 6), date(2025, 9, 15));
    assert_eq!(oldest_kept_day(date(2026, 3, 31), 1), date(2026, 2, 28));
}

#[test]
fn a_leap_day_a_year_back_is_the_28th_and_the_29th_comes_round_again() {
    assert_eq!(oldest_kept_day(date(2025, 2, 28), 12), date(2024, 2, 28));
    assert_eq!(oldest_kept_day(date(2025, 3, 1), 12), date(2024, 3, 1));
    assert_eq!(oldest_kept_day(date(2024, 2, 29), 12), date(2023, 2, 28));
    assert_eq!(oldest_kept_day(date(2028, 2, 29), 48), date(2024, 2, 29));
}

#[test]
fn no_record_is_removed_before_its_period_and_the_cutoff_never_goes_back() {
    for months in [1u16, 6, 7, 12, 84] {
        let mut today = date(2023, 1, 1);
        let mut previous = oldest_kept_day(today, months);
        while today < date(2027, 1, 1) {
            let oldest = oldest_kept_day(today, months);
            assert!(oldest >= previous, "{today} {months}");
            // The newest day removed today, plus the period, has already passed.
            let newest_removed = oldest.yesterday().unwrap();
            let kept_until = newest_removed
                .checked_add(jiff::Span::new().months(i64::from(months)))
                .unwrap();
            assert!(kept_until < today, "{today} {months}: {newest_removed}");
            previous = oldest;
            today = today.tomorrow().unwrap();
        }
    }
}

#[test]
fn the_cutoff_comes_from_the_policy_profile() {
    let mut profile = PolicyProfile::model_defaults();
    assert_eq!(
        retention_cutoff(today(), &profile),
        LocalDay::from_date(date(2026, 2, 28))
    );
    profile.internet_log_retention_months = 3;
    assert_eq!(
        retention_cutoff(today(), &profile),
        LocalDay::from_date(date(2026, 5, 31))
    );
}

fn hold(person: PersonId, from: &str, to: &str) -> LegalHold {
    place_hold(
        CouncilId::generate(),
        LegalHoldId::generate(),
        person,
        HoldForm {
            from,
            to,
            reason: "Grievance 2026/3: disputed use of the office laptop.",
        },
        Actor::Person(PersonId::generate()),
        today(),
        now(),
    )
    .unwrap()
    .0
}

fn day(y: i16, m: i8, d: i8) -> LocalDay {
    LocalDay::from_date(date(y, m, d))
}

#[test]
fn a_hold_covers_its_person_from_its_first_to_its_last_day_inclusive() {
    let person = PersonId::generate();
    let holds = [hold(person, "10/3/2026", "20 March 2026")];
    assert!(holds_cover(&holds, person, day(2026, 3, 10)));
    assert!(holds_cover(&holds, person, day(2026, 3, 20)));
    assert!(!holds_cover(&holds, person, day(2026, 3, 9)));
    assert!(!holds_cover(&holds, person, day(2026, 3, 21)));
    assert!(!holds_cover(&holds, PersonId::generate(), day(2026, 3, 15)));
    assert!(!holds_cover(&[], person, day(2026, 3, 15)));
}

#[test]
fn a_one_day_hold_covers_that_day() {
    let person = PersonId::generate();
    let holds = [hold(person, "2026-08-31", "31/8/2026")];
    assert!(holds_cover(&holds, person, day(2026, 8, 31)));
    assert!(!holds_cover(&holds, person, day(2026, 8, 30)));
}

#[test]
fn a_released_hold_covers_nothing_and_cannot_be_released_twice() {
    let person = PersonId::generate();
    let placed = hold(person, "10/3/2026", "20/3/2026");
    let by = Actor::Person(PersonId::generate());
    let released = release_hold(&placed, by.clone(), now()).unwrap();
    assert!(!released.is_active());
    assert!(!holds_cover(
        std::slice::from_ref(&released),
        person,
        day(2026, 3, 15)
    ));
    assert!(holds_cover(
        &[released.clone(), placed],
        person,
        day(2026, 3, 15)
    ));
    assert_eq!(
        release_hold(&released, by, now()),
        Err(ReleaseError::AlreadyReleased)
    );
    let event = hold_released_event(&released, 40, 3);
    assert_eq!(event.action, "monitor.hold.released");
    assert_eq!(event.details["held_records_removed"], 40);
    assert_eq!(event.details["from"], "2026-03-10");
    assert_eq!(event.subject, format!("person:{person}"));
}

#[test]
fn placing_a_hold_is_audited_without_its_reason() {
    let person = PersonId::generate();
    let (placed, event) = place_hold(
        CouncilId::generate(),
        LegalHoldId::generate(),
        person,
        HoldForm {
            from: "1/3/2026",
            to: "31/3/2026",
            reason: "Grievance 2026/3: disputed use of the office laptop.",
        },
        Actor::Operator,
        today(),
        now(),
    )
    .unwrap();
    assert_eq!(placed.from, day(2026, 3, 1));
    assert_eq!(event.action, "monitor.hold.placed");
    assert_eq!(event.details["to"], "2026-03-31");
    assert!(!event.details.to_string().contains("Grievance"));
}

#[test]
fn a_hold_needs_its_days_in_order_in_the_past_and_a_reason() {
    let attempt = |from, to, reason| {
        place_hold(
            CouncilId::generate(),
            LegalHoldId::generate(),
            PersonId::generate(),
            HoldForm { from, to, reason },
            Actor::Operator,
            today(),
            now(),
        )
        .map(|_| ())
        .unwrap_err()
    };
    let reversed = attempt("20/3/2026", "10/3/2026", "Grievance 2026/3");
    assert_eq!(fields(&reversed), ["to"]);
    assert!(reversed.to_string().contains("before the first"));

    let future = attempt("1/8/2026", "1/9/2026", "Grievance 2026/3");
    assert_eq!(fields(&future), ["to"]);
    assert!(future.to_string().contains("cannot be after today"));

    let no_reason = attempt("1/3/2026", "2/3/2026", " ");
    assert_eq!(fields(&no_reason), ["reason"]);
    assert!(no_reason.to_string().contains("(5.1.8)"));

    let unreadable = attempt("soon", "", "Grievance 2026/3");
    assert_eq!(fields(&unreadable), ["from", "to"]);
    assert!(
        unreadable
            .message_for("from")
            .unwrap()
            .starts_with("\"soon\" is not a date")
    );
    assert!(
        unreadable
            .message_for("to")
            .unwrap()
            .starts_with("Enter the last day")
    );

    let short_year = attempt("1/3/26", "2/3/2026", "Grievance 2026/3");
    assert!(short_year.to_string().contains("year"));
    let too_early = attempt("1/3/1999", "2/3/2026", "Grievance 2026/3");
    assert!(too_early.to_string().contains("before 2000"));
}
