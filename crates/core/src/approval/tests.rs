use super::*;
use crate::audit::Actor;
use crate::person::{Email, NewPerson, PersonName, PersonStatus, Role, RoleSet, add_person};
use crate::policy::choices::Approvers;
use jiff::SignedDuration;

/// Noon on Wednesday 10 June 2026 in England (11:00 UTC, summer time).
fn noon() -> Timestamp {
    "2026-06-10T11:00:00Z".parse().unwrap()
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn person(council: CouncilId, name: &str, role: Role) -> Person {
    let mail = format!("{}@ashby.example", name.to_lowercase().replace(' ', "."));
    let (mut person, _) = add_person(
        council,
        PersonId::generate(),
        NewPerson {
            name: PersonName::parse(name).unwrap(),
            email: Email::parse(&mail).unwrap(),
            roles: RoleSet::of(&[role]),
            start_date: None,
        },
        Actor::System,
        noon(),
    )
    .unwrap();
    person.status = PersonStatus::Active;
    person
}

struct Council {
    clerk: Person,
    chair: Person,
    councillor: Person,
    auditor: Person,
}

fn council() -> Council {
    let id = CouncilId::generate();
    Council {
        clerk: person(id, "Clara Clerk", Role::Clerk),
        chair: person(id, "Charles Chair", Role::Chair),
        councillor: person(id, "Connie Councillor", Role::Councillor),
        auditor: person(id, "Audrey Auditor", Role::Auditor),
    }
}

fn ask(by: &Person, kind: ApprovalKind, new: NewRequest<'_>) -> ApprovalRequest {
    request(
        ApprovalId::generate(),
        by,
        kind,
        &new,
        &Approvers::model_defaults(),
        noon(),
    )
    .unwrap()
    .0
}

fn wifi(by: &Person) -> ApprovalRequest {
    ask(
        by,
        ApprovalKind::PaidConnectivity,
        NewRequest {
            title: "Hotel Wi-Fi at the SLCC conference",
            needed_until: Some(date("2026-06-20")),
            ..NewRequest::default()
        },
    )
}

fn approving(expires_on: Option<Date>) -> DecisionInput<'static> {
    DecisionInput {
        outcome: Outcome::Approved,
        note: "",
        expires_on,
        minute_reference: "",
        meeting_on: None,
        revision: 0,
    }
}

#[test]
fn a_request_keeps_the_approver_of_the_policy_in_force_when_it_was_made() {
    let c = council();
    let mut approvers = Approvers::model_defaults();
    approvers.set(ApprovalKind::InstallSoftware, Approver::Council);
    let (asked, event) = request(
        ApprovalId::generate(),
        &c.councillor,
        ApprovalKind::InstallSoftware,
        &NewRequest {
            title: "  Install Zoom on the office laptop ",
            details: "For the hybrid meetings.\r\nVersion 6.",
            ..NewRequest::default()
        },
        &approvers,
        noon(),
    )
    .unwrap();
    assert_eq!(asked.approver, Approver::Council);
    assert_eq!(asked.title, "Install Zoom on the office laptop");
    assert_eq!(asked.details, "For the hybrid meetings.\nVersion 6.");
    assert_eq!(asked.state(noon()), ApprovalState::Pending);
    assert_eq!(event.action, "approval.requested");
    assert_eq!(event.subject, asked.subject());
    // Ids and choices only: nothing typed reaches the audit log.
    let details = event.details.to_string();
    assert!(!details.contains("Zoom"), "{details}");
    assert!(details.contains("install_software") && details.contains("council"));
}

#[test]
fn buying_needs_a_cost_in_pounds_and_other_kinds_ignore_one() {
    let c = council();
    let new = NewRequest {
        title: "Buy a laptop for the Clerk",
        ..NewRequest::default()
    };
    let refused = request(
        ApprovalId::generate(),
        &c.clerk,
        ApprovalKind::BuyEquipmentOrSoftware,
        &new,
        &Approvers::model_defaults(),
        noon(),
    )
    .unwrap_err();
    assert_eq!(refused, [ApprovalError::CostMissing]);
    assert_eq!(refused[0].field(), "cost");
    let bought = ask(
        &c.clerk,
        ApprovalKind::BuyEquipmentOrSoftware,
        NewRequest {
            cost: "£1,249.5",
            ..new
        },
    );
    assert_eq!(bought.cost_pence, Some(124_950));
    let link = ask(
        &c.clerk,
        ApprovalKind::ExternalLink,
        NewRequest { cost: "12", ..new },
    );
    assert_eq!(link.cost_pence, None);
}

#[test]
fn pounds_are_read_as_people_type_them() {
    assert_eq!(parse_pounds(" 450 "), Ok(Some(45_000)));
    assert_eq!(parse_pounds("£449.99"), Ok(Some(44_999)));
    assert_eq!(parse_pounds("1,000,000"), Ok(Some(100_000_000)));
    assert_eq!(parse_pounds(""), Ok(None));
    assert_eq!(
        parse_pounds("1,000,000.01"),
        Err(ApprovalError::CostTooLarge)
    );
    assert_eq!(
        parse_pounds("99999999999"),
        Err(ApprovalError::CostTooLarge)
    );
    assert_eq!(parse_pounds("£"), Ok(None));
    for bad in ["12.345", "ten", "-5", "4.5.6", ".", "1e3"] {
        let result = parse_pounds(bad);
        assert!(
            matches!(result, Err(ApprovalError::CostUnreadable(_))),
            "{bad}: {result:?}"
        );
    }
}

#[test]
fn every_problem_with_a_request_is_reported_at_once_and_own_devices_are_sent_elsewhere() {
    let c = council();
    let long = "x".repeat(MAX_TITLE_CHARS + 1);
    let refused = request(
        ApprovalId::generate(),
        &c.councillor,
        ApprovalKind::BuyEquipmentOrSoftware,
        &NewRequest {
            title: &long,
            details: "bell\u{7}",
            cost: "lots",
            needed_until: Some(date("2026-06-09")),
        },
        &Approvers::model_defaults(),
        noon(),
    )
    .unwrap_err();
    let fields: Vec<&str> = refused.iter().map(ApprovalError::field).collect();
    assert_eq!(fields, ["title", "details", "cost", "needed_until"]);
    let own = request(
        ApprovalId::generate(),
        &c.councillor,
        ApprovalKind::OwnDevice,
        &NewRequest {
            title: "My phone",
            ..NewRequest::default()
        },
        &Approvers::model_defaults(),
        noon(),
    )
    .unwrap_err();
    assert_eq!(own, [ApprovalError::OwnDeviceThroughDevices]);
}

#[test]
fn an_approval_holds_through_its_last_day_and_is_expired_the_day_after() {
    let c = council();
    let asked = wifi(&c.councillor);
    let (approved, event) = decide(
        &asked,
        &approving(Some(date("2026-06-20"))),
        &c.clerk,
        noon(),
    )
    .unwrap();
    assert_eq!(event.action, "approval.decided");
    assert_eq!(approved.revision, 1);
    let last = Some(date("2026-06-20"));
    assert_eq!(
        approved.state(noon()),
        ApprovalState::Approved { expires_on: last }
    );
    // 23:30 on the last day in England is 22:30 UTC: still holding.
    let late: Timestamp = "2026-06-20T22:30:00Z".parse().unwrap();
    assert_eq!(
        approved.state(late),
        ApprovalState::Approved { expires_on: last }
    );
    let next_day: Timestamp = "2026-06-20T23:30:00Z".parse().unwrap();
    assert_eq!(
        approved.state(next_day),
        ApprovalState::Expired {
            expired_on: date("2026-06-20")
        }
    );
    // Expiring soon: within 14 days, counted in days left; not once expired.
    assert_eq!(approved.expires_soon(noon()), Some(10));
    assert_eq!(approved.expires_soon(late), Some(0));
    assert_eq!(approved.expires_soon(next_day), None);
}

#[test]
fn an_approval_without_an_end_date_never_expires_and_is_never_expiring_soon() {
    let c = council();
    let asked = wifi(&c.councillor);
    let (approved, _) = decide(&asked, &approving(None), &c.clerk, noon()).unwrap();
    let much_later = noon() + days(3_650);
    assert_eq!(
        approved.state(much_later),
        ApprovalState::Approved { expires_on: None }
    );
    assert_eq!(approved.expires_soon(much_later), None);
}

#[test]
fn an_approval_cannot_end_before_the_day_it_is_decided() {
    let c = council();
    let asked = wifi(&c.councillor);
    let refused = decide(
        &asked,
        &approving(Some(date("2026-06-09"))),
        &c.clerk,
        noon(),
    )
    .unwrap_err();
    assert_eq!(refused, [ApprovalError::ExpiryBeforeDecision]);
    // The day itself is allowed: an approval for today's event.
    assert!(
        decide(
            &asked,
            &approving(Some(date("2026-06-10"))),
            &c.clerk,
            noon()
        )
        .is_ok()
    );
}

#[test]
fn declining_needs_a_reason_and_keeps_no_end_date() {
    let c = council();
    let asked = wifi(&c.councillor);
    let mut input = DecisionInput {
        outcome: Outcome::Declined,
        expires_on: Some(date("2026-06-30")),
        ..approving(None)
    };
    let refused = decide(&asked, &input, &c.clerk, noon()).unwrap_err();
    assert_eq!(refused, [ApprovalError::ReasonMissing]);
    input.note = " Use the venue's free Wi-Fi instead. ";
    let (declined, event) = decide(&asked, &input, &c.clerk, noon()).unwrap();
    let decision = declined.decision.as_ref().unwrap();
    assert_eq!(
        decision.note.as_deref(),
        Some("Use the venue's free Wi-Fi instead.")
    );
    assert_eq!(decision.expires_on, None);
    assert_eq!(declined.state(noon()), ApprovalState::Declined);
    assert!(!event.details.to_string().contains("venue"));
    assert!(event.details.to_string().contains("declined"));
}

#[test]
fn a_council_decision_needs_its_minute_reference_and_a_past_meeting_date() {
    let c = council();
    // Recording on premises is the Council's decision in the model policy.
    let asked = ask(
        &c.councillor,
        ApprovalKind::RecordingOnPremises,
        NewRequest {
            title: "Film the annual parish meeting",
            ..NewRequest::default()
        },
    );
    assert_eq!(asked.approver, Approver::Council);
    let refused = decide(&asked, &approving(None), &c.clerk, noon()).unwrap_err();
    assert_eq!(
        refused,
        [
            ApprovalError::MinuteMissing,
            ApprovalError::MeetingDateMissing
        ]
    );
    let future = DecisionInput {
        minute_reference: "Minute 24/113",
        meeting_on: Some(date("2026-06-11")),
        ..approving(None)
    };
    let refused = decide(&asked, &future, &c.clerk, noon()).unwrap_err();
    assert_eq!(refused, [ApprovalError::MeetingInFuture]);
    let garbled = DecisionInput {
        minute_reference: "---",
        meeting_on: Some(date("2026-06-08")),
        ..approving(None)
    };
    let refused = decide(&asked, &garbled, &c.clerk, noon()).unwrap_err();
    assert!(matches!(refused[..], [ApprovalError::MinuteUnreadable(_)]));
    let minuted = DecisionInput {
        minute_reference: " Minute 24/113 ",
        meeting_on: Some(date("2026-06-08")),
        ..approving(None)
    };
    let (approved, _) = decide(&asked, &minuted, &c.clerk, noon()).unwrap();
    let minute = approved.decision.unwrap().minute.unwrap();
    assert_eq!(minute.reference.as_str(), "Minute 24/113");
    assert_eq!(minute.meeting_on, date("2026-06-08"));
}

#[test]
fn nobody_decides_their_own_request_and_the_chair_decides_the_clerks() {
    let c = council();
    let clerks = wifi(&c.clerk);
    let refused = decide(&clerks, &approving(None), &c.clerk, noon()).unwrap_err();
    assert_eq!(refused, [ApprovalError::OwnRequest]);
    assert_eq!(expected_decider(&c.clerk), Role::Chair);
    assert!(clerks.waits_for(&c.clerk, &c.chair));
    assert!(!clerks.waits_for(&c.clerk, &c.clerk));
    assert!(decide(&clerks, &approving(None), &c.chair, noon()).is_ok());

    let councillors = wifi(&c.councillor);
    assert_eq!(expected_decider(&c.councillor), Role::Clerk);
    assert!(councillors.waits_for(&c.councillor, &c.clerk));
    assert!(!councillors.waits_for(&c.councillor, &c.chair));
    // The Chair may still decide it, for when the Clerk is away.
    assert!(decide(&councillors, &approving(None), &c.chair, noon()).is_ok());
}

#[test]
fn only_the_clerk_or_the_chair_of_the_same_council_decides() {
    let c = council();
    let asked = wifi(&c.councillor);
    for who in [&c.auditor, &c.councillor] {
        let refused = decide(&asked, &approving(None), who, noon()).unwrap_err();
        assert_eq!(refused, [ApprovalError::NotADecider]);
    }
    let elsewhere = person(CouncilId::generate(), "Other Clerk", Role::Clerk);
    let refused = decide(&asked, &approving(None), &elsewhere, noon()).unwrap_err();
    assert_eq!(refused, [ApprovalError::NotADecider]);
}

#[test]
fn a_decided_request_is_not_decided_again_and_a_stale_page_is_refused() {
    let c = council();
    let asked = wifi(&c.councillor);
    let stale = DecisionInput {
        revision: 3,
        ..approving(None)
    };
    assert_eq!(
        decide(&asked, &stale, &c.clerk, noon()).unwrap_err(),
        [ApprovalError::Stale]
    );
    let (approved, _) = decide(&asked, &approving(None), &c.clerk, noon()).unwrap();
    let again = DecisionInput {
        revision: 1,
        ..approving(None)
    };
    assert_eq!(
        decide(&approved, &again, &c.chair, noon()).unwrap_err(),
        [ApprovalError::AlreadyDecided]
    );
    assert_eq!(
        withdraw(&approved, c.councillor.id, 1, noon()).unwrap_err(),
        ApprovalError::AlreadyDecided
    );
}

#[test]
fn the_requester_withdraws_a_pending_request_and_it_cannot_then_be_decided() {
    let c = council();
    let asked = wifi(&c.councillor);
    assert_eq!(
        withdraw(&asked, c.clerk.id, 0, noon()).unwrap_err(),
        ApprovalError::NotTheRequester
    );
    assert_eq!(
        withdraw(&asked, c.councillor.id, 1, noon()).unwrap_err(),
        ApprovalError::Stale
    );
    let later = noon() + days(1);
    let (withdrawn, event) = withdraw(&asked, c.councillor.id, 0, later).unwrap();
    assert_eq!(event.action, "approval.withdrawn");
    assert_eq!(withdrawn.withdrawn_at, Some(later));
    assert_eq!(withdrawn.state(later), ApprovalState::Withdrawn);
    let input = DecisionInput {
        revision: 1,
        ..approving(None)
    };
    assert_eq!(
        decide(&withdrawn, &input, &c.clerk, later).unwrap_err(),
        [ApprovalError::Withdrawn]
    );
}

#[test]
fn the_decision_form_offers_the_day_asked_for_or_the_kinds_usual_length() {
    let c = council();
    let today = date("2026-06-10");
    assert_eq!(
        default_expiry(&wifi(&c.councillor), today),
        Some(date("2026-06-20"))
    );
    let buy = ask(
        &c.councillor,
        ApprovalKind::BuyEquipmentOrSoftware,
        NewRequest {
            title: "A printer",
            cost: "120",
            ..NewRequest::default()
        },
    );
    assert_eq!(default_expiry(&buy, today), Some(date("2026-09-08")));
    let install = ask(
        &c.councillor,
        ApprovalKind::InstallSoftware,
        NewRequest {
            title: "LibreOffice",
            ..NewRequest::default()
        },
    );
    assert_eq!(default_expiry(&install, today), None);
}
