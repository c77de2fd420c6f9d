use super::*;
use crate::asset::test_support::{laptop, later, now, person};
use crate::device::{
    DeviceKind, DeviceName, NewDevice, Platform, register_council_device, request_own_device,
};
use crate::ids::DeviceId;

fn phone() -> NewDevice {
    NewDevice {
        name: DeviceName::parse("Vera's Pixel").unwrap(),
        kind: DeviceKind::Phone,
        platform: Platform::Android,
        serial: None,
    }
}

/// A Clerk, a volunteer just invited, and an empty set of records about the volunteer.
struct World {
    clerk: Person,
    joiner: Person,
    checklist: JoinerChecklist,
    assets: Vec<Asset>,
    devices: Vec<Device>,
    has_password: bool,
    has_second_factor: bool,
    mfa_required: bool,
    declaration: DeclarationFact,
}

impl World {
    fn new() -> Self {
        let council = CouncilId::generate();
        let clerk = person(council, "Clara Clerk");
        let joiner = person(council, "Vera Volunteer");
        let (checklist, _) = build_checklist(&joiner, clerk.id, now());
        Self {
            clerk,
            joiner,
            checklist,
            assets: Vec::new(),
            devices: Vec::new(),
            has_password: false,
            has_second_factor: false,
            mfa_required: false,
            declaration: DeclarationFact::Unsigned,
        }
    }

    fn facts(&self) -> Facts<'_> {
        Facts {
            person: &self.joiner,
            has_password: self.has_password,
            has_second_factor: self.has_second_factor,
            mfa_required: self.mfa_required,
            declaration: self.declaration,
            assets: &self.assets,
            devices: &self.devices,
        }
    }

    fn state(&self, task: Task) -> ItemState {
        self.checklist
            .current(&self.facts())
            .into_iter()
            .find(|v| v.item.task == task)
            .unwrap()
            .state
    }

    /// Applies a settled change as the store would.
    fn apply(&mut self, settled: &Settled) {
        let slot = self
            .checklist
            .items
            .iter_mut()
            .find(|i| i.task == settled.item.task)
            .unwrap();
        *slot = settled.item.clone();
        if settled.closed_at.is_some() {
            self.checklist.closed_at = settled.closed_at;
        }
    }
}

#[test]
fn a_new_checklist_lists_every_task_open_and_is_audited_without_names() {
    let world = World::new();
    let (checklist, event) = build_checklist(&world.joiner, world.clerk.id, now());
    let tasks: Vec<Task> = checklist.items.iter().map(|i| i.task).collect();
    assert_eq!(tasks, Task::ALL);
    assert!(checklist.items.iter().all(|i| i.mark == Mark::Open));
    assert_eq!(checklist.open_count(&world.facts()), 6);
    assert_eq!(event.action, "joiner.checklist_created");
    assert_eq!(event.subject, format!("person:{}", world.joiner.id));
    assert!(!event.details.to_string().contains("Vera"));
}

#[test]
fn the_records_settle_password_second_factor_declaration_equipment_and_devices() {
    let mut world = World::new();
    world.has_password = true;
    world.has_second_factor = true;
    world.declaration = DeclarationFact::Signed { at: later(2) };
    assert!(matches!(
        world.state(Task::SetPassword),
        ItemState::Done {
            how: How::SeenInData(_),
            ..
        }
    ));
    assert!(!world.state(Task::SetUpMfa).is_open());
    assert_eq!(
        world.state(Task::SignDeclaration),
        ItemState::Done {
            by: Some(world.joiner.id),
            at: Some(later(2)),
            how: How::SeenInData("They signed the declaration of the policy in force.".to_owned()),
        }
    );

    // An item issued but not yet acknowledged does not count; acknowledged, it does.
    let mut item = laptop(world.joiner.council_id);
    item.status = AssetStatus::Issued {
        to: world.joiner.id,
        since: later(1),
        acknowledged_at: None,
    };
    world.assets.push(item.clone());
    assert!(world.state(Task::ReceiveEquipment).is_open());
    item.status = AssetStatus::Issued {
        to: world.joiner.id,
        since: later(1),
        acknowledged_at: Some(later(3)),
    };
    world.assets = vec![item];
    assert!(matches!(
        world.state(Task::ReceiveEquipment),
        ItemState::Done { at: Some(at), .. } if at == later(3)
    ));

    // A council device they use is not an own device; their phone, even awaiting approval, is.
    let council = world.joiner.council_id;
    let (tablet, _) = register_council_device(
        council,
        DeviceId::generate(),
        phone(),
        Some(&world.joiner),
        None,
        Actor::Person(world.clerk.id),
        later(4),
    )
    .unwrap();
    world.devices.push(tablet);
    assert!(world.state(Task::RegisterOwnDevices).is_open());
    let (own, _) = request_own_device(
        council,
        DeviceId::generate(),
        &world.joiner,
        phone(),
        later(5),
    )
    .unwrap();
    world.devices.push(own);
    assert!(!world.state(Task::RegisterOwnDevices).is_open());

    assert_eq!(
        world.checklist.open_tasks(&world.facts()),
        [Task::CouncilEmail]
    );
}

#[test]
fn another_persons_records_do_not_settle_the_joiners_items() {
    let mut world = World::new();
    let other = person(world.joiner.council_id, "Olive Other");
    let mut item = laptop(world.joiner.council_id);
    item.status = AssetStatus::Issued {
        to: other.id,
        since: later(1),
        acknowledged_at: Some(later(1)),
    };
    world.assets.push(item);
    let (own, _) = request_own_device(
        other.council_id,
        DeviceId::generate(),
        &other,
        phone(),
        later(1),
    )
    .unwrap();
    world.devices.push(own);
    assert!(world.state(Task::ReceiveEquipment).is_open());
    assert!(world.state(Task::RegisterOwnDevices).is_open());
}

#[test]
fn a_declaration_the_policy_does_not_ask_for_is_not_needed_and_not_open() {
    let mut world = World::new();
    world.declaration = DeclarationFact::NotRequired;
    assert_eq!(world.state(Task::SignDeclaration), ItemState::NotNeeded);
    assert_eq!(world.checklist.open_count(&world.facts()), 5);
    // With no policy in force yet, it stays open: it is signed once one is adopted.
    world.declaration = DeclarationFact::NoPolicyInForce;
    assert!(world.state(Task::SignDeclaration).is_open());
}

#[test]
fn only_equipment_and_the_council_email_are_ticked_by_hand() {
    let world = World::new();
    let refused = mark_done(
        &world.checklist,
        Task::SetPassword,
        "",
        &world.facts(),
        world.clerk.id,
        later(1),
    );
    assert!(matches!(refused, Err(JoinerError::ShownByData { .. })));
    let done = mark_done(
        &world.checklist,
        Task::ReceiveEquipment,
        "Keys to the office",
        &world.facts(),
        world.clerk.id,
        later(1),
    )
    .unwrap();
    assert_eq!(done.events[0].action, "joiner.item_done");
    assert_eq!(
        done.events[0].details,
        json!({ "kind": "receive_equipment" })
    );
    assert_eq!(done.closed_at, None);
}

#[test]
fn the_council_email_is_recorded_as_a_checked_address() {
    let world = World::new();
    let tick = |note: &str| {
        mark_done(
            &world.checklist,
            Task::CouncilEmail,
            note,
            &world.facts(),
            world.clerk.id,
            later(1),
        )
    };
    assert_eq!(tick("  ").unwrap_err(), JoinerError::EmailMissing);
    assert!(matches!(
        tick("vera at ashby"),
        Err(JoinerError::EmailInvalid(_))
    ));
    let done = tick(" Vera@AshbyPC.gov.uk ").unwrap();
    assert_eq!(
        done.item.mark,
        Mark::Done {
            by: world.clerk.id,
            at: later(1),
            note: Some("vera@ashbypc.gov.uk".to_owned()),
        }
    );
    // The address stays on the item, out of the audit log.
    assert!(!done.events[0].details.to_string().contains("vera"));
}

#[test]
fn waiving_needs_a_reason_and_a_required_second_factor_cannot_be_waived() {
    let mut world = World::new();
    let waive_it = |world: &World, task: Task, reason: &str| {
        waive(
            &world.checklist,
            task,
            reason,
            &world.facts(),
            world.clerk.id,
            later(1),
        )
    };
    assert_eq!(
        waive_it(&world, Task::RegisterOwnDevices, " ").unwrap_err(),
        JoinerError::ReasonMissing
    );
    assert_eq!(
        waive_it(&world, Task::RegisterOwnDevices, &"x".repeat(501)).unwrap_err(),
        JoinerError::ReasonTooLong
    );
    // Not required for a volunteer: still listed, but may be waived.
    assert!(waive_it(&world, Task::SetUpMfa, "Reads the agenda only").is_ok());
    world.mfa_required = true;
    assert_eq!(
        waive_it(&world, Task::SetUpMfa, "Reads the agenda only").unwrap_err(),
        JoinerError::MfaRequired
    );
    let waived = waive_it(
        &world,
        Task::RegisterOwnDevices,
        "Uses only council equipment",
    )
    .unwrap();
    assert_eq!(waived.events[0].action, "joiner.item_waived");
    world.apply(&waived);
    assert!(matches!(
        waive_it(&world, Task::RegisterOwnDevices, "again"),
        Err(JoinerError::AlreadySettled { .. })
    ));
}

#[test]
fn the_list_closes_only_when_nothing_is_open() {
    let mut world = World::new();
    world.has_password = true;
    world.has_second_factor = true;
    world.declaration = DeclarationFact::Signed { at: later(1) };
    let by = world.clerk.id;
    assert_eq!(
        close(&world.checklist, &world.facts(), by, later(2)).unwrap_err(),
        JoinerError::StillOpen(3)
    );
    let settled = waive(
        &world.checklist,
        Task::ReceiveEquipment,
        "Nothing to issue",
        &world.facts(),
        by,
        later(2),
    )
    .unwrap();
    assert_eq!(settled.closed_at, None);
    world.apply(&settled);
    let settled = mark_done(
        &world.checklist,
        Task::CouncilEmail,
        "vera@ashbypc.gov.uk",
        &world.facts(),
        by,
        later(3),
    )
    .unwrap();
    world.apply(&settled);
    assert_eq!(
        world.checklist.open_tasks(&world.facts()),
        [Task::RegisterOwnDevices]
    );

    // The last item settled by the records: the list is closed but not yet recorded so.
    let (own, _) = request_own_device(
        world.joiner.council_id,
        DeviceId::generate(),
        &world.joiner,
        phone(),
        later(4),
    )
    .unwrap();
    world.devices.push(own);
    assert!(world.checklist.is_closed(&world.facts()));
    let event = close(&world.checklist, &world.facts(), by, later(5)).unwrap();
    assert_eq!(event.action, "joiner.closed");
    world.checklist.closed_at = Some(later(5));
    assert_eq!(
        close(&world.checklist, &world.facts(), by, later(6)).unwrap_err(),
        JoinerError::AlreadyClosed
    );
}

#[test]
fn a_tick_or_waiver_that_settles_the_last_open_item_closes_the_list() {
    let mut world = World::new();
    world.has_password = true;
    world.has_second_factor = true;
    world.declaration = DeclarationFact::NotRequired;
    let by = world.clerk.id;
    for task in [Task::ReceiveEquipment, Task::RegisterOwnDevices] {
        let settled = waive(
            &world.checklist,
            task,
            "Not needed",
            &world.facts(),
            by,
            later(1),
        )
        .unwrap();
        world.apply(&settled);
    }
    let settled = mark_done(
        &world.checklist,
        Task::CouncilEmail,
        "vera@ashbypc.gov.uk",
        &world.facts(),
        by,
        later(2),
    )
    .unwrap();
    assert_eq!(settled.closed_at, Some(later(2)));
    let actions: Vec<&str> = settled.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["joiner.item_done", "joiner.closed"]);
}

#[test]
fn tasks_round_trip_through_their_stored_names() {
    for task in Task::ALL {
        assert_eq!(Task::parse(task.kind()), Some(task));
    }
    assert_eq!(Task::parse("return_asset"), None);
}
