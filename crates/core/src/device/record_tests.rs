//! Tests of the device rules: requests, decisions, council devices, facts and retirement.

use super::super::facts::Fact;
use super::*;
use crate::person::{Email, PersonName, Role, RoleSet};

fn now() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

fn later(minutes: i64) -> Timestamp {
    now() + jiff::SignedDuration::from_mins(minutes)
}

fn person(council: CouncilId) -> Person {
    Person {
        id: PersonId::generate(),
        council_id: council,
        account_id: None,
        name: PersonName::parse("Jo Bloggs").unwrap(),
        email: Email::parse("jo@example.org").unwrap(),
        roles: RoleSet::of(&[Role::Councillor]),
        status: PersonStatus::Active,
        start_date: None,
        leave_date: None,
        created_at: now(),
    }
}

fn phone_input() -> NewDevice {
    NewDevice {
        name: DeviceName::parse("  Jo's   iPhone ").unwrap(),
        kind: DeviceKind::Phone,
        platform: Platform::Ios,
        serial: None,
    }
}

fn requested() -> (Device, AuditEvent) {
    let council = CouncilId::generate();
    let jo = person(council);
    request_own_device(council, DeviceId::generate(), &jo, phone_input(), now()).unwrap()
}

#[test]
fn a_request_waits_for_the_clerk_and_its_audit_entry_names_the_person_by_id_only() {
    let (device, event) = requested();
    assert_eq!(device.name.as_str(), "Jo's iPhone");
    assert_eq!(
        device.approval,
        Approval::Pending {
            requested_at: now()
        }
    );
    assert_eq!(device.ownership(), Ownership::Personal);
    assert!(device.is_pending() && device.is_in_use());
    assert_eq!(event.action, "device.requested");
    assert_eq!(event.subject, device.subject());
    assert_eq!(event.details["user"], device.user.unwrap().to_string());
    assert!(!event.details.to_string().contains("Jo"));
}

#[test]
fn someone_who_has_left_or_belongs_elsewhere_cannot_ask() {
    let council = CouncilId::generate();
    let mut left = person(council);
    left.status = PersonStatus::Left;
    let ask = |p: &Person| {
        request_own_device(council, DeviceId::generate(), p, phone_input(), now()).unwrap_err()
    };
    assert_eq!(ask(&left), DeviceError::PersonHasLeft);
    assert_eq!(
        ask(&person(CouncilId::generate())),
        DeviceError::OtherCouncil
    );
}

#[test]
fn the_clerk_approves_a_pending_request_once() {
    let (device, _) = requested();
    let clerk = PersonId::generate();
    let (approved, event) = approve(&device, clerk, later(5)).unwrap();
    assert_eq!(
        approved.approval,
        Approval::Approved {
            requested_at: now(),
            by: clerk,
            at: later(5)
        }
    );
    assert_eq!(approved.revision, device.revision + 1);
    assert_eq!(event.action, "device.approved");
    assert_eq!(event.actor, Actor::Person(clerk));
    assert_eq!(
        approve(&approved, clerk, later(6)).unwrap_err().to_string(),
        "The request to use Jo's iPhone has already been approved."
    );
}

#[test]
fn declining_needs_a_reason_which_is_kept_on_the_device_but_not_in_the_audit_log() {
    let (device, _) = requested();
    let clerk = PersonId::generate();
    assert_eq!(
        decline(&device, clerk, "  \n ", later(1)).unwrap_err(),
        DeviceError::EmptyReason
    );
    assert_eq!(
        decline(&device, clerk, &"x".repeat(501), later(1)).unwrap_err(),
        DeviceError::ReasonTooLong
    );
    let (declined, event) = decline(
        &device,
        clerk,
        "It runs iOS 12, which Apple no longer updates.",
        later(1),
    )
    .unwrap();
    assert!(!declined.is_in_use());
    assert!(
        matches!(&declined.approval, Approval::Declined { reason, .. } if reason.contains("iOS 12"))
    );
    assert!(!event.details.to_string().contains("iOS 12"));
    assert!(matches!(
        approve(&declined, clerk, later(2)),
        Err(DeviceError::AlreadyDecided {
            decision: "declined",
            ..
        })
    ));
}

#[test]
fn a_council_device_needs_no_decision_and_may_be_linked_to_the_register() {
    let council = CouncilId::generate();
    let jo = person(council);
    let asset = AssetId::generate();
    let (device, event) = register_council_device(
        council,
        DeviceId::generate(),
        NewDevice {
            name: DeviceName::parse("Clerk's laptop").unwrap(),
            kind: DeviceKind::Laptop,
            platform: Platform::Windows,
            serial: Some(SerialNumber::parse("5CG1234XYZ").unwrap()),
        },
        Some(&jo),
        Some(asset),
        Actor::Operator,
        now(),
    )
    .unwrap();
    assert_eq!(device.approval, Approval::NotNeeded);
    assert_eq!(device.asset, Some(asset));
    assert_eq!(event.action, "device.registered");
    assert_eq!(event.details["asset"], asset.to_string());
    assert!(matches!(
        approve(&device, jo.id, now()),
        Err(DeviceError::NotARequest { .. })
    ));
}

#[test]
fn recorded_facts_are_merged_and_the_audit_entry_lists_which_were_recorded() {
    let (device, _) = requested();
    let reported = ReportedFacts {
        disk_encryption: Some(true),
        ..ReportedFacts::default()
    };
    let (updated, event) = record_facts(
        &device,
        &reported,
        FactSource::Osquery,
        Actor::System,
        later(3),
    )
    .unwrap();
    assert_eq!(
        updated.facts.disk_encryption,
        Fact::known(true, FactSource::Osquery, later(3))
    );
    assert_eq!(event.details["source"], "osquery");
    assert_eq!(event.details["facts"], json!(["disk_encryption"]));
    assert_eq!(
        record_facts(
            &device,
            &ReportedFacts::default(),
            FactSource::MdmCsv,
            Actor::System,
            now()
        )
        .unwrap_err(),
        DeviceError::NothingReported {
            name: "Jo's iPhone".into()
        }
    );
}

#[test]
fn a_retired_device_is_no_longer_in_use_and_cannot_change() {
    let (device, _) = requested();
    let jo = device.user.unwrap();
    let (retired, event) = retire(&device, jo, later(10)).unwrap();
    assert!(!retired.is_in_use());
    assert_eq!(event.details["previous_approval"], "pending");
    assert!(matches!(
        retire(&retired, jo, later(11)),
        Err(DeviceError::Retired { .. })
    ));
    assert!(matches!(
        approve(&retired, jo, later(11)),
        Err(DeviceError::Retired { .. })
    ));
}

#[test]
fn device_names_are_tidied_and_checked() {
    assert_eq!(DeviceName::parse(" "), Err(DeviceError::EmptyName));
    assert_eq!(
        DeviceName::parse(&"x".repeat(81)),
        Err(DeviceError::NameTooLong)
    );
    assert_eq!(
        DeviceName::parse("a\u{7}"),
        Err(DeviceError::NameControlCharacters)
    );
}
