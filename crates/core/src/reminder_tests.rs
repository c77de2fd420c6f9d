use super::*;
use crate::asset::test_support::{laptop, now, phone};
use crate::asset::{AssetStatus, issue};
use crate::audit::Actor;
use crate::device::{
    DeviceKind, DeviceName, FactSource, NewDevice, Platform, ReportedFacts, record_facts,
    register_council_device,
};
use crate::ids::{CouncilId, DeviceId, IncidentId, PolicyVersionId, VaultItemId};
use crate::incident::{IncidentKind, IncidentReport, open_incident};
use crate::leaver::build_checklist;
use crate::person::{Email, PersonName, Role};
use crate::policy::version::{DraftContent, MinuteReference, VersionOrigin, adopt, new_draft};
use crate::vault::{Confirmed, ItemDetails, SecretField};
use jiff::civil::date;

// `now()` is 2026-05-28, afternoon, London.
fn today() -> Date {
    date(2026, 5, 28)
}

fn person(council: CouncilId, name: &str, role: Role) -> Person {
    Person {
        id: PersonId::generate(),
        council_id: council,
        account_id: None,
        name: PersonName::parse(name).unwrap(),
        email: Email::parse("someone@example.org").unwrap(),
        roles: RoleSet::of(&[role]),
        status: PersonStatus::Active,
        start_date: None,
        leave_date: None,
        created_at: now() - jiff::SignedDuration::from_hours(24 * 400),
    }
}

fn adopted(council: CouncilId, on: Date) -> PolicyVersion {
    let (draft, _) = new_draft(
        council,
        PolicyVersionId::generate(),
        DraftContent {
            profile: PolicyProfile::model_defaults(),
            origin: VersionOrigin::Model,
            note: String::new(),
        },
        PersonId::generate(),
        now() - jiff::SignedDuration::from_hours(24 * 800),
    )
    .unwrap();
    let version = draft.numbered(1);
    adopt(
        &version,
        on,
        MinuteReference::parse("COU/12/24-25").unwrap(),
        now(),
        &"0".repeat(64),
        "I will follow it.",
        version.created_by,
    )
    .unwrap()
    .version
}

fn empty<'a>(people: &'a [Person]) -> Inputs<'a> {
    Inputs {
        people,
        in_force: None,
        unsigned: &[],
        devices: &[],
        vault_items: &[],
        warranties: &[],
        assets: &[],
        incidents: &[],
        leaver_checklists: &[],
        approvals: &[],
        health: None,
        today: jiff::civil::date(2026, 6, 1),
    }
}

fn vault_item(council: CouncilId, name: &str, rotation_days: &str, renewal: &str) -> VaultItem {
    let details = ItemDetails {
        name: name.into(),
        kind: "website_admin".into(),
        tier: "ordinary".into(),
        roles: vec![Role::Clerk],
        rotation_days: rotation_days.into(),
        renewal_due: renewal.into(),
        ..ItemDetails::default()
    };
    let mut item = VaultItem::new(
        VaultItemId::generate(),
        council,
        details.check().unwrap(),
        now(),
    );
    item.replace_secret(SecretField::Password, now());
    item
}

#[test]
fn an_overdue_policy_review_is_the_drafters_with_its_clause() {
    let council = CouncilId::generate();
    // Adopted two years ago with the model's yearly review: a year overdue.
    let version = adopted(council, date(2024, 5, 1));
    let mut inputs = empty(&[]);
    inputs.in_force = Some(&version);
    let due = policy_review(&inputs).unwrap();
    assert_eq!(due.due, version.review_due.unwrap());
    assert_eq!(due.urgency(today()), Urgency::Overdue);
    assert_eq!(due.for_whom, Who::MayDo(Action::DraftPolicy));
    assert_eq!(due.clause, "12.2");
    assert!(due.title.contains("COU/12/24-25"), "{}", due.title);
    assert!(policy_review(&empty(&[])).is_none());
}

#[test]
fn an_unsigned_declaration_is_the_persons_own_and_the_clerk_chases_it() {
    let council = CouncilId::generate();
    let clerk = person(council, "Clare Clerk", Role::Clerk);
    let jo = person(council, "Jo Bloggs", Role::Councillor);
    let sam = person(council, "Sam Smith", Role::Councillor);
    let mut left = person(council, "Lee Left", Role::Councillor);
    left.status = PersonStatus::Left;
    let people = [clerk.clone(), jo.clone(), sam.clone(), left.clone()];
    let version = adopted(council, date(2026, 5, 1));
    let unsigned = [jo.id, left.id];
    let mut inputs = empty(&people);
    inputs.in_force = Some(&version);
    inputs.unsigned = &unsigned;
    let all = schedule(&inputs, &PolicyProfile::model_defaults());
    assert_eq!(
        all.len(),
        2,
        "the review and Jo's signature, not the leaver's: {all:?}"
    );
    let jo_due = all.iter().find(|d| d.kind == Kind::Declaration).unwrap();
    assert_eq!(jo_due.due, date(2026, 5, 1));
    assert_eq!(jo_due.subject.name, "Jo Bloggs");
    assert_eq!(for_person(&all, jo.id, jo.roles), vec![jo_due]);
    assert!(for_person(&all, sam.id, sam.roles).is_empty());
    let clerks = for_person(&all, clerk.id, clerk.roles);
    assert_eq!(clerks.len(), 2);
    assert_eq!(jo_due.link_for(jo.id), "/policy/declaration");
    assert_eq!(jo_due.link_for(clerk.id), "/policy/declarations");
}

#[test]
fn self_reported_device_facts_are_due_again_a_year_after_the_oldest_answer() {
    let council = CouncilId::generate();
    let jo = person(council, "Jo Bloggs", Role::Councillor);
    let device = |name: &str| {
        register_council_device(
            council,
            DeviceId::generate(),
            NewDevice {
                name: DeviceName::parse(name).unwrap(),
                kind: DeviceKind::Laptop,
                platform: Platform::Windows,
                serial: None,
            },
            Some(&jo),
            None,
            Actor::System,
            now(),
        )
        .unwrap()
        .0
    };
    let answered = |d: &Device, source, at| {
        let facts = ReportedFacts {
            disk_encryption: Some(true),
            ..ReportedFacts::default()
        };
        record_facts(d, &facts, source, Actor::System, at)
            .unwrap()
            .0
    };
    let march: Timestamp = "2026-03-10T10:00:00Z".parse().unwrap();
    let said = answered(
        &device("Jo's laptop"),
        FactSource::SelfAttested { by: jo.id },
        march,
    );
    let scanned = answered(&device("Office PC"), FactSource::Osquery, march);
    let devices = [said.clone(), scanned];
    let people = [jo.clone()];
    let mut inputs = empty(&people);
    inputs.devices = &devices;
    let found = device_facts(&inputs);
    assert_eq!(found.len(), 1, "machine-read facts do not expire");
    assert_eq!(found[0].due, date(2027, 3, 10));
    assert_eq!(found[0].for_whom, Who::Person(jo.id));
    assert_eq!(found[0].urgency(today()), Urgency::Later);
    assert_eq!(found[0].urgency(date(2027, 3, 1)), Urgency::DueSoon);
    let retired = crate::device::retire(&said, jo.id, now()).unwrap().0;
    let devices = [retired];
    inputs.devices = &devices;
    assert!(
        device_facts(&inputs).is_empty(),
        "a retired device is not chased"
    );
}

#[test]
fn vault_items_give_their_password_change_and_renewal_and_a_compromise_is_due_at_once() {
    let council = CouncilId::generate();
    let scheduled = vault_item(council, "Website hosting", "90", "1/7/2026");
    let mut compromised = vault_item(council, "Bank", "", "");
    compromised.compromised = Some(Confirmed {
        by: PersonId::generate(),
        at: now(),
    });
    let unscheduled = vault_item(council, "Wi-Fi", "", "");
    let items = [scheduled.clone(), compromised, unscheduled];
    let mut inputs = empty(&[]);
    inputs.vault_items = &items;
    let found = vault_dates(&inputs);
    let find = |name: &str, kind| {
        found
            .iter()
            .find(|d| d.subject.name == name && d.kind == kind)
            .unwrap_or_else(|| panic!("{name} {kind:?} in {found:?}"))
    };
    assert_eq!(
        find("Website hosting", Kind::PasswordChange).due,
        rotation_due(&scheduled).unwrap()
    );
    assert_eq!(find("Website hosting", Kind::Renewal).due, date(2026, 7, 1));
    let bank = find("Bank", Kind::PasswordChange);
    assert_eq!(bank.due, today());
    assert_eq!(bank.urgency(today()), Urgency::DueSoon);
    assert!(bank.title.contains("compromised"));
    assert_eq!(found.len(), 3, "Wi-Fi has no schedule: {found:?}");
    assert!(
        found
            .iter()
            .all(|d| d.for_whom == Who::MayDo(Action::ManageVault))
    );
    assert!(
        found.iter().all(|d| !d.title.contains("password:")),
        "no secret in a title"
    );
}

#[test]
fn warranty_ends_only_for_items_still_in_use() {
    let council = CouncilId::generate();
    let jo = person(council, "Jo Bloggs", Role::Councillor);
    let in_store = laptop(council);
    let issued = issue(&phone(council), &jo, Actor::System, now()).unwrap().0;
    let mut lost = laptop(council);
    lost.status = AssetStatus::Lost;
    let mut no_warranty = phone(council);
    no_warranty.warranty_ends = None;
    let assets = [in_store.clone(), issued, lost, no_warranty];
    let warranties: Vec<WarrantyEnd> = assets.iter().filter_map(WarrantyEnd::of).collect();
    let mut inputs = empty(&[]);
    inputs.warranties = &warranties;
    let found = warranty_ends(&inputs);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].due, date(2028, 4, 1));
    assert_eq!(found[0].subject.name, "ABC-0042 (Dell Latitude 5440)");
    assert_eq!(found[0].link, format!("/assets/{}", in_store.id));
    // Once the warranty has ended it is no longer due.
    inputs.today = date(2028, 4, 2);
    assert!(
        warranty_ends(&inputs)
            .iter()
            .all(|d| d.subject.id != in_store.id.to_string())
    );
}

#[test]
fn an_unsettled_breach_is_due_on_its_deadline_and_a_settled_one_is_not() {
    let council = CouncilId::generate();
    let report = || IncidentReport {
        kind: IncidentKind::PersonalDataBreach,
        summary: "Email with Jo's address sent to the wrong list".into(),
        happened_at: None,
    };
    let (open, _) = open_incident(
        council,
        IncidentId::generate(),
        report(),
        Actor::System,
        now(),
    )
    .unwrap();
    let (mut settled, _) = open_incident(
        council,
        IncidentId::generate(),
        report(),
        Actor::System,
        now(),
    )
    .unwrap();
    settled.breach.as_mut().unwrap().ico = Some(crate::incident::IcoDecision {
        notify: false,
        reason: "Low risk".into(),
        decided_by: PersonId::generate(),
        decided_at: now(),
        notified_at: None,
    });
    let (other, _) = open_incident(
        council,
        IncidentId::generate(),
        IncidentReport {
            kind: IncidentKind::LostOrStolenDevice,
            summary: "Phone lost".into(),
            happened_at: None,
        },
        Actor::System,
        now(),
    )
    .unwrap();
    let incidents = [open.clone(), settled, other];
    let mut inputs = empty(&[]);
    inputs.incidents = &incidents;
    let found = breach_deadlines(&inputs);
    assert_eq!(found.len(), 1);
    let deadline = open.breach_clock(now()).unwrap().deadline();
    assert_eq!(found[0].due, london_today(deadline));
    assert_eq!(found[0].for_whom, Who::MayDo(Action::ManageIncidents));
    assert!(
        !found[0].title.contains("Jo"),
        "the incident's own words stay out"
    );
    assert!(!found[0].subject.name.contains("Jo"));
}

#[test]
fn an_open_leaving_checklist_is_due_from_the_leaving_day_until_everything_is_done() {
    let council = CouncilId::generate();
    let clerk = person(council, "Clare Clerk", Role::Clerk);
    let mut leaver = person(council, "Lee Left", Role::Councillor);
    leaver.status = PersonStatus::Left;
    leaver.leave_date = Some(date(2026, 5, 20));
    let (checklist, _) = build_checklist(&leaver, &[], &[], &[], &[], clerk.id, now());
    let people = [clerk.clone(), leaver.clone()];
    let lists = [checklist];
    let mut inputs = empty(&people);
    inputs.leaver_checklists = &lists;
    let found = leaver_checklists(&inputs);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].due, date(2026, 5, 20));
    assert_eq!(found[0].urgency(today()), Urgency::Overdue);
    assert_eq!(found[0].link, format!("/people/{}/leaving", leaver.id));
    assert_eq!(for_person(&found, clerk.id, clerk.roles).len(), 1);
}

#[test]
fn the_schedule_is_sorted_by_date_and_urgency_follows_the_day() {
    let council = CouncilId::generate();
    let items = [
        vault_item(council, "Later", "", "1/1/2027"),
        vault_item(council, "Sooner", "", "1/6/2026"),
    ];
    let mut inputs = empty(&[]);
    inputs.vault_items = &items;
    let all = schedule(&inputs, &PolicyProfile::model_defaults());
    let names: Vec<_> = all.iter().map(|d| d.subject.name.as_str()).collect();
    assert_eq!(names, ["Sooner", "Later"]);
    assert_eq!(all[0].urgency(today()), Urgency::DueSoon);
    assert_eq!(all[0].urgency(date(2026, 6, 2)), Urgency::Overdue);
    assert_eq!(all[1].urgency(today()), Urgency::Later);
    assert_eq!(all[0].key(), format!("renewal-{}", items[1].id));
}

#[test]
fn the_digest_lists_overdue_and_this_weeks_items_with_absolute_links_or_is_nothing() {
    let council = CouncilId::generate();
    let clerk = person(council, "Clare Clerk", Role::Clerk);
    let items = [
        vault_item(council, "Overdue hosting", "", "1/5/2026"),
        vault_item(council, "Domain", "", "2/6/2026"),
        vault_item(council, "Next year", "", "1/5/2027"),
    ];
    let mut inputs = empty(&[]);
    inputs.vault_items = &items;
    let all = schedule(&inputs, &PolicyProfile::model_defaults());
    let mine = for_person(&all, clerk.id, clerk.roles);
    let mail = digest(
        "Clare Clerk",
        clerk.id,
        &mine,
        today(),
        "https://c.example/",
    )
    .unwrap();
    assert_eq!(mail.subject, "Custodian: 1 thing overdue, 1 due this week");
    assert!(mail.body.starts_with("Hello Clare,"));
    let overdue_at = mail.body.find("Overdue hosting").unwrap();
    let domain_at = mail.body.find("Domain").unwrap();
    assert!(mail.body.find("Overdue\n").unwrap() < overdue_at);
    assert!(mail.body.find("Due this week").unwrap() < domain_at);
    assert!(
        mail.body
            .contains(&format!("https://c.example/vault/{}", items[1].id))
    );
    assert!(!mail.body.contains("Next year"));
    assert!(
        digest(
            "Clare",
            clerk.id,
            &mine,
            date(2026, 4, 1),
            "https://c.example"
        )
        .is_none()
    );
}

#[test]
fn a_request_is_due_for_decision_two_weeks_after_asking_and_an_ended_approval_drops_out() {
    use crate::approval::ApprovalId;
    use crate::policy::{ApprovalKind, Approver};
    use crate::ports::OpenApproval;
    let council = CouncilId::generate();
    let people = vec![person(council, "Connie Councillor", Role::Councillor)];
    let asked_at = date(2026, 5, 20)
        .at(10, 0, 0, 0)
        .to_zoned(TimeZone::UTC)
        .unwrap()
        .timestamp();
    let open = |kind, approver, expires_on| OpenApproval {
        id: ApprovalId::generate(),
        council_id: council,
        kind,
        requester: people[0].id,
        approver,
        requested_at: asked_at,
        expires_on,
    };
    let requests = [
        open(ApprovalKind::InstallSoftware, Approver::Clerk, None),
        open(ApprovalKind::RecordingOnPremises, Approver::Council, None),
        open(
            ApprovalKind::PaidConnectivity,
            Approver::Clerk,
            Some(date(2026, 6, 10)),
        ),
        // Ended before the day the schedule is made (1 June): history, not due.
        open(
            ApprovalKind::PaidConnectivity,
            Approver::Clerk,
            Some(date(2026, 5, 31)),
        ),
    ];
    let mut inputs = empty(&people);
    inputs.approvals = &requests;
    let due = approvals(&inputs);
    assert_eq!(due.len(), 3, "{due:#?}");
    let decide: Vec<&Due> = due
        .iter()
        .filter(|d| d.kind == Kind::ApprovalDecision)
        .collect();
    assert_eq!(decide.len(), 2);
    assert!(decide.iter().all(|d| d.due == date(2026, 6, 3)));
    assert!(
        decide
            .iter()
            .all(|d| d.for_whom == Who::MayDo(Action::DecideApprovals))
    );
    assert!(
        decide
            .iter()
            .any(|d| d.title.contains("Council") && d.clause == "2.1.7")
    );
    let ends = due.iter().find(|d| d.kind == Kind::ApprovalEnds).unwrap();
    assert_eq!(ends.due, date(2026, 6, 10));
    assert_eq!(ends.for_whom, Who::Person(people[0].id));
    assert!(ends.subject.name.contains("Connie Councillor"));
}

#[test]
fn display_screen_users_are_due_an_assessment_and_an_eye_test_and_councillors_are_not() {
    use crate::health::HealthRecords;
    let council = CouncilId::generate();
    let mut clerk = person(council, "Clara Clerk", Role::Clerk);
    clerk.start_date = Some(date(2026, 4, 1));
    let councillor = person(council, "Connie Councillor", Role::Councillor);
    let people = vec![clerk.clone(), councillor];
    let records = HealthRecords::default();
    let mut inputs = empty(&people);
    inputs.health = Some(&records);
    let due = health(&inputs, &PolicyProfile::model_defaults());
    let kinds: Vec<(Kind, &str)> = due
        .iter()
        .map(|d| (d.kind, d.subject.name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Kind::WorkstationAssessment, "Clara Clerk"),
            (Kind::EyeTestOffer, "Clara Clerk"),
        ]
    );
    // Never assessed: due from the day she started, for those who manage health and safety.
    assert!(due.iter().all(|d| d.due == date(2026, 4, 1)));
    assert!(due
        .iter()
        .all(|d| d.for_whom == Who::MayDo(Action::ManageHealthAndSafety) && d.clause == "3.1.2"));
    // No titles carry health details, only what to do.
    assert!(due.iter().all(|d| !d.title.contains("Clara")));
}
