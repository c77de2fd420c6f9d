//! Reminder-schedule benchmark (issue 6, item 6): seeds a SQLite council with 200 people,
//! 2,000 register items, 500 vault items, 200 devices with self-reported facts, a policy in
//! force that half the people have signed and a few open breaches, then times the whole
//! schedule — the bulk reads (`ReminderStore::reminder_records`) and the computation — many
//! times. Prints median and p99 against the target (≤ 20 ms); never fails on a miss.
//!
//! Usage: custodian-bench-reminders [--rounds N]   (bench/reminders.sh runs it, release)

use anyhow::Context;
use custodian_bench::council_seed::{CouncilShape, seed_council};
use custodian_core::ids::CouncilId;
use custodian_core::person::Role;
use custodian_core::ports::{
    AssetStore, DeviceStore, IncidentStore, LeaverStore, PersonStore, PolicyStore, ReminderStore,
    VaultStore,
};
use custodian_store::Store;
use custodian_vault::Key;
use jiff::Timestamp;
use std::time::{Duration, Instant};

const PEOPLE: usize = 200;
const ASSETS: usize = 2_000;
const VAULT_ITEMS: usize = 500;
const DEVICES: usize = 200;
const BREACHES: usize = 5;
const TARGET: Duration = Duration::from_millis(20);

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

/// The reminder benchmark's council: 199 councillors besides the Clerk, warranties ending from
/// 100 days ago to 900 days ahead, every vault password changed 100 days ago.
async fn seed(store: &Store, now: Timestamp) -> anyhow::Result<CouncilId> {
    let shape = CouncilShape {
        name: "Benchmark Parish Council".into(),
        email_domain: "bench.example.org".into(),
        people: PEOPLE,
        role_of: |_| Role::Councillor,
        assets: ASSETS,
        warranty_ends_in_days: |n| i64::try_from(n % 1_000).unwrap_or(0) - 100,
        devices: DEVICES,
        vault_items: VAULT_ITEMS,
        secret_age_days: |_| 100,
        breaches: BREACHES,
    };
    seed_council(store, &shape, &Key::generate()?, now).await
}
