use super::*;
use crate::asset::test_support::{laptop, later, now, phone};
use crate::asset::{issue, return_to_store};
use crate::device::{
    DeviceKind, DeviceName, NewDevice, Platform, approve, register_council_device,
    request_own_device, retire,
};
use crate::ids::{AssetId, DeviceId};
use crate::person::{Email, NewPerson, PersonName, PersonStatus, Role, RoleSet, add_person};
use crate::vault::{ItemDetails, SecretField};

/// A council with its Clerk, a councillor who is leaving, and what the councillor holds: a
/// laptop from the register, their own phone (approved), a council tablet not in the register,
/// two vault items they revealed (one social media), a social-media item they could reveal but
/// never did, and a bank login they could neither reveal nor did.
struct World {
    clerk: Person,
    leaver: Person,
    assets: Vec<Asset>,
    devices: Vec<Device>,
    vault: Vec<VaultItem>,
    revealed: Vec<VaultItemId>,
}

fn person(council: CouncilId, name: &str, mail: &str, role: Role) -> Person {
    let (mut person, _) = add_person(
        council,
        PersonId::generate(),
        NewPerson {
            name: PersonName::parse(name).unwrap(),
            email: Email::parse(mail).unwrap(),
            roles: RoleSet::of(&[role]),
            start_date: None,
        },
        Actor::System,
        now(),
    )
    .unwrap();
    person.status = PersonStatus::Active;
    person
}

fn vault_item(council: CouncilId, name: &str, kind: &str, roles: Vec<Role>) -> VaultItem {
    let details = ItemDetails {
        name: name.into(),
        kind: kind.into(),
        tier: "ordinary".into(),
        roles,
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

fn new_device(name: &str, kind: DeviceKind, platform: Platform) -> NewDevice {
    NewDevice {
        name: DeviceName::parse(name).unwrap(),
        kind,
        platform,
        serial: None,
    }
}

fn world() -> World {
    let council = CouncilId::generate();
    let clerk = person(council, "Clara Clerk", "clerk@ashby.example", Role::Clerk);
    let leaver = person(
        council,
        "Connie Councillor",
        "connie@ashby.example",
        Role::Councillor,
    );
    let (issued, _) = issue(&laptop(council), &leaver, Actor::Person(clerk.id), now()).unwrap();
    // The phone stays in store: not theirs to return.
    let assets = vec![issued, phone(council)];
    let (own, _) = request_own_device(
        council,
        DeviceId::generate(),
        &leaver,
        new_device("Connie's iPhone", DeviceKind::Phone, Platform::Ios),
        now(),
    )
    .unwrap();
    let (own, _) = approve(&own, clerk.id, now()).unwrap();
    let (tablet, _) = register_council_device(
        council,
        DeviceId::generate(),
        new_device("Meeting tablet", DeviceKind::Tablet, Platform::Android),
        Some(&leaver),
        None,
        Actor::Person(clerk.id),
        now(),
    )
    .unwrap();
    // The laptop's device record is collected with the laptop, so it is not listed twice.
    let (laptop_device, _) = register_council_device(
        council,
        DeviceId::generate(),
        new_device("Connie's laptop", DeviceKind::Laptop, Platform::Windows),
        Some(&leaver),
        Some(assets[0].id),
        Actor::Person(clerk.id),
        now(),
    )
    .unwrap();
    let website = vault_item(
        council,
        "Parish website",
        "website_admin",
        vec![Role::Clerk],
    );
    let facebook = vault_item(
        council,
        "Parish Facebook page",
        "social_media",
        vec![Role::Clerk],
    );
    let instagram = vault_item(
        council,
        "Parish Instagram",
        "social_media",
        vec![Role::Clerk, Role::Councillor],
    );
    let bank = vault_item(council, "Bank account", "banking", vec![Role::Clerk]);
    let revealed = vec![website.id, facebook.id];
    World {
        clerk,
        leaver,
        assets,
        devices: vec![own, tablet, laptop_device],
        vault: vec![website, facebook, instagram, bank],
        revealed,
    }
}

impl World {
    fn left(&mut self) -> LeaverChecklist {
        self.leaver.status = PersonStatus::Left;
        build_checklist(
            &self.leaver,
            &self.assets,
            &self.devices,
            &self.vault,
            &self.revealed,
            self.clerk.id,
            later(1),
        )
        .0
    }

    fn facts(&self) -> Facts<'_> {
        Facts {
            person: &self.leaver,
            assets: &self.assets,
            devices: &self.devices,
            vault_items: &self.vault,
        }
    }

    fn task_of_vault(&self, name: &str, social: bool) -> Task {
        let id = self.vault.iter().find(|i| i.name == name).unwrap().id;
        if social {
            Task::HandOverSocialMedia(id)
        } else {
            Task::RotateCredential(id)
        }
    }
}

fn open_tasks(checklist: &LeaverChecklist, facts: &Facts<'_>) -> Vec<Task> {
    checklist
        .current(facts)
        .iter()
        .filter(|v| v.state.is_open())
        .map(|v| v.item.task)
        .collect()
}

#[test]
fn the_checklist_lists_exactly_what_the_records_hold_for_the_person() {
    let mut w = world();
    let checklist = w.left();
    let tasks: Vec<Task> = checklist.items.iter().map(|i| i.task).collect();
    assert_eq!(
        tasks,
        [
            Task::RevokeSignIn,
            Task::ReturnAsset(w.assets[0].id),
            Task::ClearOwnDevice(w.devices[0].id),
            Task::ReturnCouncilDevice(w.devices[1].id),
            w.task_of_vault("Parish Facebook page", false),
            w.task_of_vault("Parish website", false),
            w.task_of_vault("Parish Facebook page", true),
            w.task_of_vault("Parish Instagram", true),
            Task::UpdateSocialMediaProfiles,
        ]
    );
    let labels: Vec<&str> = checklist.items.iter().map(|i| i.label.as_str()).collect();
    assert!(labels[1].contains("ABC-0042 (Dell Latitude 5440)"));
    assert!(labels[1].ends_with("(1.1.5)."));
    assert!(labels[2].contains("Connie's iPhone") && labels[2].ends_with("(2.2.12, 9.1.6)."));
    assert!(labels[4].contains("Parish Facebook page") && labels[4].ends_with("(4.1.4)."));
    assert!(labels[8].ends_with("(9.1.4)."));
    assert!(!labels.iter().any(|l| l.contains("Bank account")));
    assert!(checklist.items.iter().all(|i| i.mark == Mark::Open));
    assert_eq!(checklist.closed_at, None);
}

#[test]
fn sign_in_is_shown_done_by_the_person_having_left_and_the_rest_stays_open() {
    let mut w = world();
    let checklist = w.left();
    let facts = w.facts();
    let views = checklist.current(&facts);
    assert!(matches!(
        &views[0].state,
        ItemState::Done {
            how: How::SeenInData(_),
            ..
        }
    ));
    assert_eq!(open_tasks(&checklist, &facts).len(), 8);
    assert!(!checklist.is_closed(&facts));
}

#[test]
fn returning_the_laptop_retiring_devices_and_changing_passwords_show_as_done_without_a_tick() {
    let mut w = world();
    let checklist = w.left();
    let (returned, _) = return_to_store(&w.assets[0], Actor::Person(w.clerk.id), later(2)).unwrap();
    w.assets[0] = returned;
    let (retired, _) = retire(&w.devices[0], w.clerk.id, later(3)).unwrap();
    w.devices[0] = retired;
    // The tablet is now used by someone else.
    w.devices[1].user = Some(w.clerk.id);
    for item in w.vault.iter_mut().filter(|i| i.name.starts_with("Parish")) {
        item.replace_secret(SecretField::Password, later(4));
    }
    let facts = w.facts();
    let views = checklist.current(&facts);
    assert_eq!(
        views[1].state,
        ItemState::Done {
            by: None,
            at: None,
            how: How::SeenInData("The register shows ABC-0042 in store.".into())
        }
    );
    assert_eq!(
        views[2].state,
        ItemState::Done {
            by: Some(w.clerk.id),
            at: Some(later(3)),
            how: How::SeenInData(
                "The device is recorded as no longer used for council work.".into()
            )
        }
    );
    assert!(!views[3].state.is_open());
    assert!(matches!(views[4].state, ItemState::Done { at: Some(at), .. } if at == later(4)));
    assert_eq!(
        open_tasks(&checklist, &facts),
        [
            w.task_of_vault("Parish Facebook page", true),
            w.task_of_vault("Parish Instagram", true),
            Task::UpdateSocialMediaProfiles,
        ]
    );
}

#[test]
fn a_password_changed_before_they_left_still_has_to_be_changed() {
    let mut w = world();
    for item in &mut w.vault {
        item.replace_secret(SecretField::Password, later(1));
    }
    // Marked as left at later(1), the same moment: not after it.
    let checklist = w.left();
    let open = open_tasks(&checklist, &w.facts());
    assert!(open.contains(&w.task_of_vault("Parish website", false)));
}

#[test]
fn tasks_the_records_show_cannot_be_ticked_by_hand_but_can_be_waived_with_a_reason() {
    let mut w = world();
    let checklist = w.left();
    let laptop = Task::ReturnAsset(w.assets[0].id);
    let facts = w.facts();
    let refused = mark_done(&checklist, laptop, "", &facts, w.clerk.id, later(2)).unwrap_err();
    assert!(matches!(refused, LeaverError::ShownByData { .. }));
    assert!(refused.to_string().contains("return it to store"));

    assert_eq!(
        waive(&checklist, laptop, "   ", &facts, w.clerk.id, later(2)).unwrap_err(),
        LeaverError::ReasonMissing
    );
    let long = "x".repeat(MAX_REASON_CHARS + 1);
    assert_eq!(
        waive(&checklist, laptop, &long, &facts, w.clerk.id, later(2)).unwrap_err(),
        LeaverError::ReasonTooLong
    );
    let settled = waive(
        &checklist,
        laptop,
        " Laptop kept by agreement, wiped by the IT provider ",
        &facts,
        w.clerk.id,
        later(2),
    )
    .unwrap();
    assert_eq!(
        settled.item.mark,
        Mark::Waived {
            by: w.clerk.id,
            at: later(2),
            reason: "Laptop kept by agreement, wiped by the IT provider".into()
        }
    );
    assert_eq!(settled.closed_at, None);
    let actions: Vec<&str> = settled.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["leaver.item_waived"]);
    // The reason may name people, so it stays out of the audit log.
    assert!(!settled.events[0].details.to_string().contains("agreement"));
}

#[test]
fn a_settled_item_cannot_be_settled_again_and_an_unknown_one_is_refused() {
    let mut w = world();
    let mut checklist = w.left();
    let facts = w.facts();
    let profiles = Task::UpdateSocialMediaProfiles;
    let done = mark_done(
        &checklist,
        profiles,
        "Rang her",
        &facts,
        w.clerk.id,
        later(2),
    )
    .unwrap();
    let slot = checklist
        .items
        .iter_mut()
        .find(|i| i.task == profiles)
        .unwrap();
    *slot = done.item;
    let again = waive(&checklist, profiles, "x", &facts, w.clerk.id, later(3)).unwrap_err();
    assert!(matches!(again, LeaverError::AlreadySettled { .. }));
    // Sign-in is already shown done by the records.
    let revoke = waive(
        &checklist,
        Task::RevokeSignIn,
        "x",
        &facts,
        w.clerk.id,
        later(3),
    );
    assert!(matches!(revoke, Err(LeaverError::AlreadySettled { .. })));
    let stranger = Task::ReturnAsset(AssetId::generate());
    assert_eq!(
        waive(&checklist, stranger, "x", &facts, w.clerk.id, later(3)).unwrap_err(),
        LeaverError::NoSuchItem
    );
}

#[test]
fn the_checklist_closes_only_when_nothing_is_open_and_the_last_change_records_it() {
    let mut w = world();
    let mut checklist = w.left();
    let tasks: Vec<Task> = checklist.items.iter().map(|i| i.task).collect();
    let mut closed = None;
    for (n, task) in tasks.into_iter().enumerate() {
        let facts = w.facts();
        assert_eq!(
            close(&checklist, &facts, w.clerk.id, later(9)).is_err(),
            !checklist.is_closed(&facts)
        );
        if !checklist.current(&facts)[n].state.is_open() {
            continue;
        }
        let settled = if task.shown_by_data() {
            waive(&checklist, task, "Not needed", &facts, w.clerk.id, later(5))
        } else {
            mark_done(&checklist, task, "", &facts, w.clerk.id, later(5))
        }
        .unwrap();
        if settled.closed_at.is_some() {
            closed = Some(settled.events.clone());
        }
        checklist.items[n] = settled.item;
        checklist.closed_at = checklist.closed_at.or(settled.closed_at);
    }
    let events = closed.expect("the last change closes the list");
    assert_eq!(events.last().unwrap().action, "leaver.checklist_closed");
    assert!(checklist.is_closed(&w.facts()));
    assert_eq!(checklist.closed_at, Some(later(5)));
    assert_eq!(
        close(&checklist, &w.facts(), w.clerk.id, later(9)).unwrap_err(),
        LeaverError::AlreadyClosed
    );
}

#[test]
fn a_list_the_records_alone_settled_is_recorded_closed_on_request() {
    let mut w = world();
    w.assets.clear();
    w.devices.clear();
    w.vault.clear();
    w.revealed.clear();
    let mut checklist = w.left();
    let facts = w.facts();
    assert_eq!(
        close(&checklist, &facts, w.clerk.id, later(2)).unwrap_err(),
        LeaverError::StillOpen(1)
    );
    let done = mark_done(
        &checklist,
        Task::UpdateSocialMediaProfiles,
        "",
        &facts,
        w.clerk.id,
        later(2),
    )
    .unwrap();
    assert_eq!(done.closed_at, Some(later(2)));
    checklist.items[1] = done.item;
    assert!(checklist.is_closed(&facts));
}

#[test]
fn task_keys_round_trip_and_nonsense_is_refused() {
    let w = world();
    for task in [
        Task::RevokeSignIn,
        Task::ReturnAsset(w.assets[0].id),
        Task::ClearOwnDevice(w.devices[0].id),
        Task::ReturnCouncilDevice(w.devices[1].id),
        w.task_of_vault("Parish website", false),
        w.task_of_vault("Parish Facebook page", true),
        Task::UpdateSocialMediaProfiles,
    ] {
        assert_eq!(Task::parse_key(&task.key()), Some(task));
        assert_eq!(Task::from_storage(task.kind(), &task.subject()), Ok(task));
    }
    assert_eq!(Task::parse_key("return_asset:not-an-id"), None);
    assert_eq!(Task::parse_key("make_tea"), None);
}
