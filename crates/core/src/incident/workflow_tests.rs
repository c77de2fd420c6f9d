use super::*;
use crate::incident::{BreachClock, IncidentKind, IncidentReport, open_incident};
use jiff::SignedDuration;

fn reported() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

fn incident(kind: IncidentKind) -> Incident {
    open_incident(
        CouncilId::generate(),
        IncidentId::generate(),
        IncidentReport {
            kind,
            summary: "Spreadsheet of allotment holders emailed to the wrong list".into(),
            happened_at: Some(reported() - hours(30)),
        },
        Actor::System,
        reported(),
    )
    .unwrap()
    .0
}

#[test]
fn each_change_moves_the_revision_on_and_audits_ids_only() {
    let clerk = PersonId::generate();
    let owner = PersonId::generate();
    let breach = incident(IncidentKind::PersonalDataBreach);
    let (owned, event) = assign_owner(&breach, owner, clerk, reported()).unwrap();
    assert_eq!(owned.owner, Some(owner));
    assert_eq!(owned.revision, breach.revision + 1);
    assert_eq!(event.action, "incident.updated");
    assert_eq!(event.subject, format!("incident:{}", breach.id));
    let (decided, event) = record_ico_decision(
        &owned,
        false,
        "Only names of allotment holders, already public",
        None,
        clerk,
        reported() + hours(1),
    )
    .unwrap();
    assert_eq!(decided.revision, owned.revision + 1);
    assert_eq!(event.action, "incident.breach_decided");
    assert!(!event.details.to_string().contains("allotment"));
    let (action, event) = add_action(
        &decided,
        " Asked recipients to delete it ",
        owner,
        reported(),
    )
    .unwrap();
    assert_eq!(action.text, "Asked recipients to delete it");
    assert_eq!(event.action, "incident.action_added");
    assert!(!event.details.to_string().contains("delete"));
}

#[test]
fn the_time_of_becoming_aware_can_move_earlier_but_not_later_or_into_the_future() {
    let clerk = PersonId::generate();
    let breach = incident(IncidentKind::PersonalDataBreach);
    let (earlier, _) = set_became_aware(&breach, reported() - hours(5), clerk, reported()).unwrap();
    assert_eq!(
        earlier.breach_clock(reported()).unwrap().deadline(),
        reported() + hours(67)
    );
    let now = reported() + hours(2);
    assert_eq!(
        set_became_aware(&breach, reported() + hours(1), clerk, now).unwrap_err(),
        IncidentError::AwareAfterReport
    );
    assert_eq!(
        set_became_aware(&breach, now + hours(1), clerk, now).unwrap_err(),
        IncidentError::AwareInFuture
    );
    assert_eq!(
        set_became_aware(&breach, reported() - hours(31), clerk, now).unwrap_err(),
        IncidentError::AwareBeforeHappened
    );
    let lost = incident(IncidentKind::LostOrStolenDevice);
    assert_eq!(
        set_became_aware(&lost, reported(), clerk, now).unwrap_err(),
        IncidentError::NotABreach
    );
}

#[test]
fn recording_the_same_answer_again_keeps_the_time_of_the_decision() {
    let clerk = PersonId::generate();
    let breach = incident(IncidentKind::PersonalDataBreach);
    let (decided, _) = record_ico_decision(
        &breach,
        true,
        "Bank details",
        None,
        clerk,
        reported() + hours(70),
    )
    .unwrap();
    let (notified, _) = record_ico_decision(
        &decided,
        true,
        "Bank details",
        Some(reported() + hours(71)),
        clerk,
        reported() + hours(90),
    )
    .unwrap();
    let ico = notified.breach.as_ref().unwrap().ico.as_ref().unwrap();
    assert_eq!(ico.decided_at, reported() + hours(70));
    assert!(matches!(
        notified.breach_clock(reported() + hours(90)),
        Some(BreachClock::DecidedInTime { .. })
    ));
    assert_eq!(
        record_ico_decision(
            &decided,
            true,
            "x",
            Some(reported() + hours(100)),
            clerk,
            reported() + hours(90)
        )
        .unwrap_err(),
        IncidentError::NotifiedInFuture
    );
}

#[test]
fn a_breach_closes_only_with_its_decisions_outcome_and_lessons() {
    let clerk = PersonId::generate();
    let breach = incident(IncidentKind::PersonalDataBreach);
    let now = reported() + hours(10);
    assert_eq!(
        close(&breach, "Done", "None", clerk, now).unwrap_err(),
        IncidentError::NoIcoDecision
    );
    let (decided, _) = record_ico_decision(&breach, true, "Risk", None, clerk, now).unwrap();
    assert_eq!(
        close(&decided, "Done", "None", clerk, now).unwrap_err(),
        IncidentError::IcoNotYetNotified
    );
    let (notified, _) = record_ico_decision(&decided, true, "Risk", Some(now), clerk, now).unwrap();
    assert_eq!(
        close(&notified, "Done", "None", clerk, now).unwrap_err(),
        IncidentError::PeopleToldMissing
    );
    let (told, _) =
        record_people_told(&notified, PeopleTold::Yes, "Letters sent", clerk, now).unwrap();
    assert_eq!(
        close(&told, " ", "x", clerk, now).unwrap_err(),
        IncidentError::EmptyOutcome
    );
    assert_eq!(
        close(&told, "x", "", clerk, now).unwrap_err(),
        IncidentError::EmptyLessons
    );
    let (closed, event) = close(&told, "Recipients deleted it", "Check lists", clerk, now).unwrap();
    assert_eq!(closed.status, IncidentStatus::Closed);
    assert_eq!(event.details["breach_deadline_missed"], false);
    assert_eq!(
        assign_owner(&closed, clerk, clerk, now).unwrap_err(),
        IncidentError::Closed
    );
    // The timeline stays open to follow-ups after closing.
    assert!(add_action(&closed, "ICO replied: no further action", clerk, now).is_ok());
}

#[test]
fn a_missed_deadline_stays_missed_after_closing() {
    let clerk = PersonId::generate();
    let breach = incident(IncidentKind::PersonalDataBreach);
    let late = reported() + hours(80);
    let (decided, _) = record_ico_decision(&breach, false, "Low risk", None, clerk, late).unwrap();
    let (told, _) =
        record_people_told(&decided, PeopleTold::NotNeeded, "Low risk", clerk, late).unwrap();
    let (closed, event) = close(&told, "Contained", "Decide faster", clerk, late).unwrap();
    assert_eq!(event.details["breach_deadline_missed"], true);
    for now in [late, late + hours(24 * 365)] {
        let clock = closed.breach_clock(now).unwrap();
        assert_eq!(
            clock,
            BreachClock::DecidedLate {
                deadline: reported() + hours(72),
                at: late,
                late_by: hours(8),
            }
        );
    }
    // The clock reads the record, not the status: a closed breach with no decision (as an older
    // record could be) still shows the deadline as missed.
    let mut undecided = breach.clone();
    undecided.status = IncidentStatus::Closed;
    assert!(matches!(
        undecided.breach_clock(late),
        Some(BreachClock::Missed { .. })
    ));
}

#[test]
fn other_kinds_close_without_a_breach_record() {
    let clerk = PersonId::generate();
    let lost = incident(IncidentKind::LostOrStolenDevice);
    let (closed, event) = close(
        &lost,
        "Found at the hall",
        "Label laptops",
        clerk,
        reported(),
    )
    .unwrap();
    assert_eq!(closed.closure.as_ref().unwrap().closed_by, clerk);
    assert_eq!(event.details, serde_json::json!({}));
    assert_eq!(
        record_people_told(&lost, PeopleTold::No, "x", clerk, reported()).unwrap_err(),
        IncidentError::NotABreach
    );
}
