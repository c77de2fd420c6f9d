//! Contract cases: devices — own-device requests and decisions, council devices linked to the
//! register, facts recorded from sources, and the guards against another council and against a
//! change made from a stale copy.

use super::assets::{entry_count, new_item, register};
use super::*;
use custodian_core::asset::{Category, SerialNumber};
use custodian_core::device::{
    Approval, Device, DeviceKind, DeviceName, FactField, FactSource, IdleLock, NewDevice, Platform,
    ReportedFacts, approve, decline, record_facts, register_council_device, request_own_device,
    retire,
};
use custodian_core::ids::DeviceId;
use custodian_core::ports::AssetStore;
use custodian_core::ports::DeviceStore;

fn phone(name: &str) -> NewDevice {
    NewDevice {
        name: DeviceName::parse(name).unwrap(),
        kind: DeviceKind::Phone,
        platform: Platform::Android,
        serial: None,
    }
}

/// `person` asks to use their own phone; stored.
pub(super) async fn request(store: &Store, person: &Person, name: &str, at: Timestamp) -> Device {
    let (device, event) = request_own_device(
        person.council_id,
        DeviceId::generate(),
        person,
        phone(name),
        at,
    )
    .unwrap();
    store
        .insert_device(&device, &event)
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not store a request: {e}", store.engine()));
    device
}

async fn save(store: &Store, (device, event): (Device, AuditEvent)) -> Device {
    store
        .update_device(&device, &event)
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not update a device: {e}", store.engine()));
    device
}

fn encrypted_idle_five() -> ReportedFacts {
    ReportedFacts {
        disk_encryption: Some(true),
        idle_lock: IdleLock::after_minutes(5),
        ..ReportedFacts::default()
    }
}

/// The sample's devices: an approved own phone with self-attested facts, a declined and retired
/// one (with awkward text), and a council laptop linked to the register with osquery facts.
/// Call after `assets::sample_register`.
pub(super) async fn sample_devices(
    store: &Store,
    council: CouncilId,
    user: &Person,
    clerk: &Person,
) {
    let asked = request(store, user, "Zoë's \"work\" phone 📱", t(30)).await;
    let approved = save(store, approve(&asked, clerk.id, t(31)).unwrap()).await;
    save(
        store,
        record_facts(
            &approved,
            &encrypted_idle_five(),
            FactSource::SelfAttested { by: user.id },
            Actor::Person(user.id),
            t(32),
        )
        .unwrap(),
    )
    .await;
    let old = request(store, user, "Old tablet", t(33)).await;
    let declined = save(
        store,
        decline(
            &old,
            clerk.id,
            "Android 8 gets no updates;\nplease \"replace\" it",
            t(34),
        )
        .unwrap(),
    )
    .await;
    save(store, retire(&declined, user.id, t(35)).unwrap()).await;
    // Linked to an item the sample's register already holds, so the register stays as the
    // asset cases expect it.
    let asset = store
        .assets(council, &custodian_core::asset::AssetQuery::default())
        .await
        .unwrap()
        .assets
        .pop()
        .expect("the sample register has items");
    let (laptop, event) = register_council_device(
        council,
        DeviceId::generate(),
        NewDevice {
            name: DeviceName::parse("Clerk's laptop").unwrap(),
            kind: DeviceKind::Laptop,
            platform: Platform::Windows,
            serial: Some(SerialNumber::parse("5CG1234XYZ").unwrap()),
        },
        Some(clerk),
        Some(asset.id),
        Actor::Person(clerk.id),
        t(36),
    )
    .unwrap();
    store.insert_device(&laptop, &event).await.unwrap();
    save(
        store,
        record_facts(
            &laptop,
            &encrypted_idle_five(),
            FactSource::Osquery,
            Actor::Person(clerk.id),
            t(37),
        )
        .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn a_request_its_approval_and_recorded_facts_read_back_exactly_with_their_audit_entries() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let jo = add(store, ashby.id, "Jo Bloggs", "jo@ashby.example").await;
        let asked = request(store, &jo, "Jo's phone", t(1)).await;
        assert_eq!(
            store.device(ashby.id, asked.id).await.unwrap(),
            asked,
            "{engine}"
        );
        assert_eq!(
            store.pending_device_requests(ashby.id).await.unwrap(),
            vec![asked.clone()],
            "{engine}"
        );

        let approved = save(store, approve(&asked, clerk.id, t(2)).unwrap()).await;
        assert!(
            store
                .pending_device_requests(ashby.id)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        let attested = save(
            store,
            record_facts(
                &approved,
                &encrypted_idle_five(),
                FactSource::SelfAttested { by: jo.id },
                Actor::Person(jo.id),
                t(3),
            )
            .unwrap(),
        )
        .await;
        let stored = store.device(ashby.id, asked.id).await.unwrap();
        assert_eq!(stored, attested, "{engine}");
        assert_eq!(
            stored.facts.provenance(FactField::IdleLock),
            Some((FactSource::SelfAttested { by: jo.id }, t(3))),
            "{engine}"
        );
        assert!(matches!(stored.approval, Approval::Approved { by, .. } if by == clerk.id));

        // Lists: the council's devices by name, and the person's own.
        let (laptop, event) = register_council_device(
            ashby.id,
            DeviceId::generate(),
            NewDevice {
                name: DeviceName::parse("a shared desktop").unwrap(),
                kind: DeviceKind::Desktop,
                platform: Platform::Linux,
                serial: None,
            },
            None,
            None,
            Actor::Person(clerk.id),
            t(4),
        )
        .unwrap();
        store.insert_device(&laptop, &event).await.unwrap();
        let names: Vec<String> = store
            .devices(ashby.id)
            .await
            .unwrap()
            .iter()
            .map(|d| d.name.to_string())
            .collect();
        assert_eq!(names, ["a shared desktop", "Jo's phone"], "{engine}");
        assert_eq!(
            store.devices_of(ashby.id, jo.id).await.unwrap(),
            vec![attested],
            "{engine}"
        );

        let subject = format!("device:{}", asked.id);
        let actions: Vec<String> = store
            .entries(ashby.id, &all())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.subject == subject)
            .map(|e| e.action)
            .rev()
            .collect();
        assert_eq!(
            actions,
            [
                "device.requested",
                "device.approved",
                "device.facts_recorded"
            ],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn another_councils_device_person_or_register_item_is_not_found_and_nothing_is_stored() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (brook, brook_clerk) = found(store, "Brook Town Council", "clerk@brook.example").await;
        let jo = add(store, ashby.id, "Jo Bloggs", "jo@ashby.example").await;
        let asked = request(store, &jo, "Jo's phone", t(1)).await;
        let entries = entry_count(store).await;

        assert!(
            matches!(
                store.device(brook.id, asked.id).await,
                Err(StoreError::NotFound("device"))
            ),
            "{engine}"
        );
        assert!(
            store.devices(brook.id).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            store.devices_of(brook.id, jo.id).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            store
                .pending_device_requests(brook.id)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );

        // Brook's Clerk approving Ashby's request, as if it were Brook's.
        let mut hijacked = asked.clone();
        hijacked.council_id = brook.id;
        let (approved, event) = approve(&hijacked, brook_clerk.id, t(2)).unwrap();
        assert!(
            matches!(
                store.update_device(&approved, &event).await,
                Err(StoreError::NotFound(_))
            ),
            "{engine}"
        );
        // Ashby's request approved by Brook's Clerk.
        let (approved, event) = approve(&asked, brook_clerk.id, t(2)).unwrap();
        assert!(
            matches!(
                store.update_device(&approved, &event).await,
                Err(StoreError::NotFound("person"))
            ),
            "{engine}"
        );
        // A device for Brook used by Ashby's person, or linked to Ashby's register.
        let mut for_brook = asked.clone();
        for_brook.id = DeviceId::generate();
        for_brook.council_id = brook.id;
        let event = AuditEvent::new(brook.id, t(3), Actor::Operator, "device.requested");
        assert!(
            matches!(
                store.insert_device(&for_brook, &event).await,
                Err(StoreError::NotFound("person"))
            ),
            "{engine}"
        );
        let item = register(store, ashby.id, new_item("ASH-1", Category::Laptop), t(3)).await;
        let entries_after_item = entries + 1;
        let (linked, event) = register_council_device(
            brook.id,
            DeviceId::generate(),
            phone("Brook phone"),
            None,
            Some(item.id),
            Actor::Operator,
            t(4),
        )
        .unwrap();
        assert!(
            matches!(
                store.insert_device(&linked, &event).await,
                Err(StoreError::NotFound("asset"))
            ),
            "{engine}"
        );
        // An audit entry for another council than the device's.
        let (device, _) = register_council_device(
            ashby.id,
            DeviceId::generate(),
            phone("Mismatch"),
            None,
            None,
            Actor::Operator,
            t(5),
        )
        .unwrap();
        let wrong = AuditEvent::new(brook.id, t(5), Actor::Operator, "device.registered");
        assert!(
            matches!(
                store.insert_device(&device, &wrong).await,
                Err(StoreError::Conflict(_))
            ),
            "{engine}"
        );

        assert_eq!(entry_count(store).await, entries_after_item, "{engine}");
        assert_eq!(
            store.device(ashby.id, asked.id).await.unwrap(),
            asked,
            "{engine}"
        );
        assert_eq!(store.devices(ashby.id).await.unwrap().len(), 1, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_change_made_from_a_stale_copy_is_refused_and_a_batch_is_all_or_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let jo = add(store, ashby.id, "Jo Bloggs", "jo@ashby.example").await;
        let asked = request(store, &jo, "Jo's phone", t(1)).await;
        // Two pages opened on the same request: the Clerk declines, then Jo's upload arrives.
        let declined = save(store, decline(&asked, clerk.id, "Too old", t(2)).unwrap()).await;
        let (late, event) = record_facts(
            &asked,
            &encrypted_idle_five(),
            FactSource::SelfAttested { by: jo.id },
            Actor::Person(jo.id),
            t(3),
        )
        .unwrap();
        let entries = entry_count(store).await;
        assert!(
            matches!(
                store.update_device(&late, &event).await,
                Err(StoreError::Conflict(ref m)) if m.contains("reload the page")
            ),
            "{engine}"
        );
        assert_eq!(
            store.device(ashby.id, asked.id).await.unwrap(),
            declined,
            "{engine}"
        );

        // A batch (an MDM import) with one stale change stores none of its changes.
        let other = request(store, &jo, "Jo's tablet", t(4)).await;
        let entries = entries + 1;
        let fresh = record_facts(
            &other,
            &encrypted_idle_five(),
            FactSource::MdmCsv,
            Actor::Operator,
            t(5),
        )
        .unwrap();
        let stale = record_facts(
            &asked,
            &encrypted_idle_five(),
            FactSource::MdmCsv,
            Actor::Operator,
            t(5),
        )
        .unwrap();
        assert!(
            matches!(
                store
                    .update_devices(ashby.id, &[fresh.clone(), stale])
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{engine}"
        );
        assert_eq!(
            store.device(ashby.id, other.id).await.unwrap(),
            other,
            "{engine}"
        );
        assert_eq!(entry_count(store).await, entries, "{engine}");
        store
            .update_devices(ashby.id, std::slice::from_ref(&fresh))
            .await
            .unwrap();
        assert_eq!(
            store.device(ashby.id, other.id).await.unwrap(),
            fresh.0,
            "{engine}"
        );
        db.finish().await;
    }
}
