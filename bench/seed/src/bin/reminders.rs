//! Reminder-schedule benchmark (issue 6, item 6): seeds a SQLite council with 200 people,
//! 2,000 register items, 500 vault items, 200 devices with self-reported facts, a policy in
//! force that half the people have signed and a few open breaches, then times the whole
//! schedule — the bulk reads (`ReminderStore::reminder_records`) and the computation — many
//! times. Prints median and p99 against the target (≤ 20 ms); never fails on a miss.
//!
//! Usage: custodian-bench-reminders [--rounds N]   (bench/reminders.sh runs it, release)

use anyhow::Context;
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
    DraftContent, MinuteReference, VersionOrigin, adopt, new_draft, sign,
};
use custodian_core::ports::{
    AssetStore, CouncilStore, DeviceStore, IncidentStore, LeaverStore, PersonStore, PolicyStore,
    ReminderStore, VaultChange, VaultStore,
};
use custodian_core::vault::{ItemDetails, SecretField, VaultItem, item_event};
use custodian_store::Store;
use custodian_vault::Key;
use custodian_web::vault_box::seal_new_item;
use jiff::{SignedDuration, Timestamp};
use std::time::{Duration, Instant};

const PEOPLE: usize = 200;
const ASSETS: usize = 2_000;
const VAULT_ITEMS: usize = 500;
const DEVICES: usize = 200;
const BREACHES: usize = 5;
const TARGET: Duration = Duration::from_millis(20);

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut rounds = 200usize;
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        match arg.as_str() {
            "--rounds" => rounds = given.next().context("--rounds needs a number")?.parse()?,
            other => anyhow::bail!(
                "unknown argument {other:?}; usage: custodian-bench-reminders [--rounds N]"
            ),
        }
    }
    let dir = tempfile::tempdir()?;
    let store = Store::open_sqlite_in(dir.path()).await?;
    store.migrate().await?;
    let now = Timestamp::now();
    let today = now
        .to_zoned(jiff::tz::TimeZone::get("Europe/London")?)
        .date();
    let started = Instant::now();
    let council = seed(&store, now).await?;
    println!("seeded in {} ms", started.elapsed().as_millis());

    let mut times = Vec::with_capacity(rounds);
    let mut entries = 0;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        let schedule = store.reminder_records(council).await?.schedule(today);
        times.push(started.elapsed());
        entries = schedule.len();
    }
    times.sort();
    breakdown(&store, council, today).await?;
    let median = times[times.len() / 2];
    let p99 = times[(times.len() * 99).div_ceil(100).clamp(1, times.len()) - 1];
    println!(
        "whole reminder schedule ({PEOPLE} people, {ASSETS} assets, {VAULT_ITEMS} vault items, {DEVICES} devices; {entries} entries), reads and computation, {} rounds: median {:.1} ms, p99 {:.1} ms (target {} ms): {}",
        times.len(),
        median.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        TARGET.as_millis(),
        if median <= TARGET { "met" } else { "MISSED" }
    );
    store.close().await;
    Ok(())
}

/// Where the time goes: each bulk read alone (median of 20), then the computation alone.
async fn breakdown(
    store: &Store,
    council: CouncilId,
    today: jiff::civil::Date,
) -> anyhow::Result<()> {
    async fn median_of<F, Fut, T>(mut f: F) -> anyhow::Result<Duration>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, custodian_core::ports::StoreError>>,
    {
        let mut times = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            f().await?;
            times.push(started.elapsed());
        }
        times.sort();
        Ok(times[times.len() / 2])
    }
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    let parts = [
        ("people", median_of(|| store.people(council)).await?),
        (
            "policy in force",
            median_of(|| store.in_force(council)).await?,
        ),
        (
            "unsigned",
            median_of(|| store.unsigned_people(council)).await?,
        ),
        ("devices", median_of(|| store.devices(council)).await?),
        (
            "vault items",
            median_of(|| store.vault_items(council)).await?,
        ),
        (
            "whole register (read only while a leaving checklist is open)",
            median_of(|| store.all_assets(council)).await?,
        ),
        (
            "breaches",
            median_of(|| store.open_breaches(council)).await?,
        ),
        (
            "leavers",
            median_of(|| store.leaver_checklists(council)).await?,
        ),
    ];
    let records = store.reminder_records(council).await?;
    let mut compute = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        std::hint::black_box(records.schedule(today));
        compute.push(started.elapsed());
    }
    compute.sort();
    let listed: Vec<String> = parts
        .iter()
        .map(|(n, d)| format!("{n} {} ms", ms(*d)))
        .collect();
    println!(
        "each read alone (median): {}; computation alone: {} ms",
        listed.join(", "),
        ms(compute[compute.len() / 2])
    );
    Ok(())
}

async fn seed(store: &Store, now: Timestamp) -> anyhow::Result<CouncilId> {
    let council = CouncilId::generate();
    let (found, clerk, events) = found_council(
        Founding {
            council_id: council,
            name: CouncilName::parse("Benchmark Parish Council")?,
            kind: CouncilKind::Parish,
            clerk_id: PersonId::generate(),
            clerk_name: PersonName::parse("Clara Clerk")?,
            clerk_email: Email::parse("clerk@bench.example.org")?,
        },
        Actor::Operator,
        now - days(800),
    );
    store.create_council(&found, &clerk, &events).await?;
    let mut people = vec![clerk.clone()];
    for i in 1..PEOPLE {
        let person = Person {
            id: PersonId::generate(),
            council_id: council,
            account_id: None,
            name: PersonName::parse(&format!("Person {i:03}"))?,
            email: Email::parse(&format!("person{i:03}@bench.example.org"))?,
            roles: RoleSet::of(&[Role::Councillor]),
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

    // A policy in force, adopted 300 days ago; half the councillors have signed it.
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
    let adopted_on = custodian_core::policy::version::london_today(now - days(300));
    let adopted = adopt(
        &version,
        adopted_on,
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

    // The register: warranties spread over three years; a third issued.
    let mut assets = Vec::with_capacity(ASSETS);
    let mut asset_events = Vec::with_capacity(ASSETS);
    for n in 0..ASSETS {
        let input = NewAsset {
            number: AssetNumber::parse(&format!("BEN-{n:05}"))?,
            category: Category::Laptop,
            make: "Dell".into(),
            model: "Latitude".into(),
            serial: None,
            imei: None,
            sim: None,
            purchased_on: Some(custodian_core::policy::version::london_today(
                now - days(400),
            )),
            cost_pence: Some(90_000),
            supplier: "Supplier Ltd".into(),
            authorisation: PurchaseAuthorisation::MinuteReference("COU/2/25-26".into()),
            warranty_ends: Some(custodian_core::policy::version::london_today(
                now + days(i64::try_from(n % 1_000).unwrap_or(0) - 100),
            )),
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
        if n % 3 == 0 {
            let (issued, event) = issue(
                &asset,
                &people[n % PEOPLE],
                Actor::Operator,
                now - days(300),
            )?;
            asset = issued;
            asset_events.push(event);
        }
        assets.push(asset);
    }
    store.import_assets(council, &assets, &asset_events).await?;

    // Devices with self-reported facts of varied ages.
    for n in 0..DEVICES {
        let (device, event) = register_council_device(
            council,
            DeviceId::generate(),
            NewDevice {
                name: DeviceName::parse(&format!("Laptop {n:03}"))?,
                kind: DeviceKind::Laptop,
                platform: Platform::Windows,
                serial: None,
            },
            Some(&people[n % PEOPLE]),
            None,
            Actor::Operator,
            now - days(500),
        )?;
        store.insert_device(&device, &event).await?;
        let facts = ReportedFacts {
            disk_encryption: Some(true),
            ..ReportedFacts::default()
        };
        let said_at = now - days(i64::try_from(n % 400).unwrap_or(0));
        let (device, event) = record_facts(
            &device,
            &facts,
            FactSource::SelfAttested {
                by: people[n % PEOPLE].id,
            },
            Actor::Operator,
            said_at,
        )?;
        store.update_device(&device, &event).await?;
    }

    // Vault items: rotation every 90 days for most, renewals for some.
    let key = Key::generate()?;
    for n in 0..VAULT_ITEMS {
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
        let mut item = VaultItem::new(VaultItemId::generate(), council, details, now - days(100));
        item.replace_secret(SecretField::Password, now - days(100));
        let password = format!("lantern-quince-orbit-{n}");
        let (wrapped, sealed) =
            seal_new_item(&key, &item, &[(SecretField::Password, password.as_str())])?;
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

    for n in 0..BREACHES {
        let (incident, event) = open_incident(
            council,
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::PersonalDataBreach,
                summary: format!("Breach {n}"),
                happened_at: None,
            },
            Actor::Person(clerk.id),
            now - SignedDuration::from_hours(i64::try_from(n).unwrap_or(0) * 20),
        )?;
        store.insert_incident(&incident, &event).await?;
    }
    Ok(council)
}
