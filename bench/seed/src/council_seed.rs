//! Seeds one council through the store's ports, shaped by a [`CouncilShape`]: people (the Clerk
//! active, as after their first sign-in), a policy in force that every other person has signed, a register with warranties, devices with
//! self-reported facts, vault items with rotation intervals, and open personal-data breaches.
//! Shared by the reminder-schedule benchmark (one large council on SQLite) and the daily-digest
//! benchmark (many small councils on PostgreSQL), so both measure the same kind of data.

use custodian_core::asset::{
    AssetNumber, Category, Encryption, NewAsset, PurchaseAuthorisation, issue, register_asset,
};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::council::{CouncilKind, CouncilName, Founding, found_council};
use custodian_core::device::{
    DeviceKind, DeviceName, FactSource, NewDevice, Platform, ReportedFacts, record_facts,
    register_council_device,
};
use custodian_core::ids::{
    AssetId, CouncilId, DeviceId, IncidentId, PersonId, PolicyVersionId, VaultItemId,
};
use custodian_core::incident::{IncidentKind, IncidentReport, open_incident};
use custodian_core::person::{Email, Person, PersonName, PersonStatus, Role, RoleSet};
use custodian_core::policy::PolicyProfile;
use custodian_core::policy::version::{
    DraftContent, MinuteReference, VersionOrigin, adopt, london_today, new_draft, sign,
};
use custodian_core::ports::{
    AssetStore, CouncilStore, DeviceStore, IncidentStore, PersonStore, PolicyStore, VaultChange,
    VaultStore,
};
use custodian_core::vault::{ItemDetails, SecretField, VaultItem, item_event};
use custodian_store::Store;
use custodian_vault::Key;
use custodian_web::vault_box::seal_new_item;
use jiff::{SignedDuration, Timestamp};

/// What to seed. The `fn` fields give each numbered person or item its variation, so one shape
/// can spread dates out without randomness (every run seeds the same data).
pub struct CouncilShape {
    /// The council's name, unique among the councils of one database.
    pub name: String,
    /// The domain of everyone's email address (`clerk@…`, `person001@…`).
    pub email_domain: String,
    /// People including the Clerk (who is person 0).
    pub people: usize,
    /// The role of person `i` (1 ≤ i < people).
    pub role_of: fn(usize) -> Role,
    /// Register items; every third is issued to a person.
    pub assets: usize,
    /// Days from now to item `n`'s warranty end (negative: already ended).
    pub warranty_ends_in_days: fn(usize) -> i64,
    /// Council devices, each with self-reported facts of varied ages.
    pub devices: usize,
    /// Vault items: every fourth without a rotation interval, the rest every 90 days; every
    /// fifth with a renewal date.
    pub vault_items: usize,
    /// Days since item `n`'s password was last changed (over 90: rotation overdue).
    pub secret_age_days: fn(usize) -> i64,
    /// Open personal-data breaches, reported 20 hours apart.
    pub breaches: usize,
}

pub fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn as_days(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX / 100_000)
}

/// Seeds a council shaped by `shape`, its vault items sealed with `key`; returns its id.
pub async fn seed_council(
    store: &Store,
    shape: &CouncilShape,
    key: &Key,
    now: Timestamp,
) -> anyhow::Result<CouncilId> {
    let council = CouncilId::generate();
    let domain = &shape.email_domain;
    let (found, clerk, events) = found_council(
        Founding {
            council_id: council,
            name: CouncilName::parse(&shape.name)?,
            kind: CouncilKind::Parish,
            clerk_id: PersonId::generate(),
            clerk_name: PersonName::parse("Clara Clerk")?,
            clerk_email: Email::parse(&format!("clerk@{domain}"))?,
        },
        Actor::Operator,
        now - days(800),
    );
    store.create_council(&found, &clerk, &events).await?;
    // A founded council's Clerk is invited until they first sign in; a working council's Clerk
    // has, and only active people are sent digests or counted as unsigned.
    let clerk = Person {
        status: PersonStatus::Active,
        ..clerk
    };
    let event = AuditEvent::new(council, now - days(790), Actor::Operator, "person.changed")
        .subject(format!("person:{}", clerk.id));
    store.update_person(&clerk, &event).await?;
    let mut people = vec![clerk.clone()];
    for i in 1..shape.people {
        let person = Person {
            id: PersonId::generate(),
            council_id: council,
            account_id: None,
            name: PersonName::parse(&format!("Person {i:03}"))?,
            email: Email::parse(&format!("person{i:03}@{domain}"))?,
            roles: RoleSet::of(&[(shape.role_of)(i)]),
            status: PersonStatus::Active,
            start_date: None,
            leave_date: None,
            created_at: now - days(700),
        };
        let event = AuditEvent::new(council, now, Actor::Operator, "person.added")
            .subject(format!("person:{}", person.id));
        store.insert_person(&person, &event).await?;
        people.push(person);
    }
    seed_policy(store, council, &people, now).await?;
    seed_register(store, council, shape, &people, now).await?;
    seed_devices(store, council, shape, &people, now).await?;
    seed_vault(store, council, shape, key, now).await?;
    for n in 0..shape.breaches {
        let (incident, event) = open_incident(
            council,
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::PersonalDataBreach,
                summary: format!("Breach {n}"),
                happened_at: None,
            },
            Actor::Person(clerk.id),
            now - SignedDuration::from_hours(as_days(n) * 20),
        )?;
        store.insert_incident(&incident, &event).await?;
    }
    Ok(council)
}

/// A policy in force, adopted 300 days ago; every other person after the Clerk has signed it.
async fn seed_policy(
    store: &Store,
    council: CouncilId,
    people: &[Person],
    now: Timestamp,
) -> anyhow::Result<()> {
    let clerk = people
        .first()
        .ok_or_else(|| anyhow::anyhow!("a council is seeded with its Clerk first"))?;
    let (draft, event) = new_draft(
        council,
        PolicyVersionId::generate(),
        DraftContent {
            profile: PolicyProfile::model_defaults(),
            origin: VersionOrigin::Model,
            note: String::new(),
        },
        clerk.id,
        now - days(320),
    )?;
    let version = store.create_draft(&draft, &event).await?;
    let adopted = adopt(
        &version,
        london_today(now - days(300)),
        MinuteReference::parse("COU/1/25-26")?,
        now - days(300),
        &"0".repeat(64),
        "I have read the IT policy and will follow it.",
        clerk.id,
    )?;
    store
        .adopt(council, version.id, &adopted.adoption, &adopted.event)
        .await?;
    let in_force = store.in_force(council).await?;
    for person in people.iter().skip(1).step_by(2) {
        let (declaration, event) = sign(
            in_force.as_ref(),
            version.id,
            person,
            person.name.as_str(),
            now - days(200),
        )?;
        store.sign_declaration(&declaration, &event).await?;
    }
    Ok(())
}

/// The register, stored in one import (one transaction, multi-row INSERTs).
async fn seed_register(
    store: &Store,
    council: CouncilId,
    shape: &CouncilShape,
    people: &[Person],
    now: Timestamp,
) -> anyhow::Result<()> {
    let mut assets = Vec::with_capacity(shape.assets);
    let mut asset_events = Vec::with_capacity(shape.assets);
    for n in 0..shape.assets {
        let input = NewAsset {
            number: AssetNumber::parse(&format!("BEN-{n:05}"))?,
            category: Category::Laptop,
            make: "Dell".into(),
            model: "Latitude".into(),
            serial: None,
            imei: None,
            sim: None,
            purchased_on: Some(london_today(now - days(400))),
            cost_pence: Some(90_000),
            supplier: "Supplier Ltd".into(),
            authorisation: PurchaseAuthorisation::MinuteReference("COU/2/25-26".into()),
            warranty_ends: Some(london_today(now + days((shape.warranty_ends_in_days)(n)))),
            encrypted: Encryption::Yes,
            location: "Office".into(),
            notes: String::new(),
        };
        let (mut asset, event) = register_asset(
            council,
            AssetId::generate(),
            input,
            Actor::Operator,
            now - days(400),
        )?;
        asset_events.push(event);
        if n % 3 == 0
            && let Some(holder) = people.get(n % people.len().max(1))
        {
            let (issued, event) = issue(&asset, holder, Actor::Operator, now - days(300))?;
            asset = issued;
            asset_events.push(event);
        }
        assets.push(asset);
    }
    store.import_assets(council, &assets, &asset_events).await?;
    Ok(())
}

async fn seed_devices(
    store: &Store,
    council: CouncilId,
    shape: &CouncilShape,
    people: &[Person],
    now: Timestamp,
) -> anyhow::Result<()> {
    for n in 0..shape.devices {
        let holder = people.get(n % people.len().max(1));
        let (device, event) = register_council_device(
            council,
            DeviceId::generate(),
            NewDevice {
                name: DeviceName::parse(&format!("Laptop {n:03}"))?,
                kind: DeviceKind::Laptop,
                platform: Platform::Windows,
                serial: None,
            },
            holder,
            None,
            Actor::Operator,
            now - days(500),
        )?;
        store.insert_device(&device, &event).await?;
        let Some(holder) = holder else { continue };
        let facts = ReportedFacts {
            disk_encryption: Some(true),
            ..ReportedFacts::default()
        };
        let (device, event) = record_facts(
            &device,
            &facts,
            FactSource::SelfAttested { by: holder.id },
            Actor::Operator,
            now - days(as_days(n % 400)),
        )?;
        store.update_device(&device, &event).await?;
    }
    Ok(())
}

async fn seed_vault(
    store: &Store,
    council: CouncilId,
    shape: &CouncilShape,
    key: &Key,
    now: Timestamp,
) -> anyhow::Result<()> {
    for n in 0..shape.vault_items {
        let details = ItemDetails {
            name: format!("Bench item {n:03}"),
            kind: "website_admin".into(),
            tier: "ordinary".into(),
            roles: vec![Role::Clerk],
            rotation_days: if n % 4 == 0 {
                String::new()
            } else {
                "90".into()
            },
            renewal_due: if n % 5 == 0 {
                "1/1/2030".into()
            } else {
                String::new()
            },
            ..ItemDetails::default()
        }
        .check()
        .map_err(|problems| anyhow::anyhow!("bench item not valid: {problems:?}"))?;
        let changed_at = now - days((shape.secret_age_days)(n));
        let mut item = VaultItem::new(VaultItemId::generate(), council, details, changed_at);
        item.replace_secret(SecretField::Password, changed_at);
        let password = format!("lantern-quince-orbit-{n}");
        let (wrapped, sealed) =
            seal_new_item(key, &item, &[(SecretField::Password, password.as_str())])?;
        let event = item_event(
            &item,
            now,
            Actor::Operator,
            "vault.item_added",
            serde_json::json!({}),
        );
        store
            .insert_vault_item(
                &wrapped,
                &VaultChange {
                    item: Some(&item),
                    sealed: &sealed,
                    events: &[event],
                    ..VaultChange::default()
                },
            )
            .await?;
    }
    Ok(())
}
