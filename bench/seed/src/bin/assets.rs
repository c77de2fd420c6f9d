//! Equipment register benchmark: imports a 10,000-row CSV register into fresh SQLite databases
//! (the path `custodian assets import` and the web page take: read and check the CSV, then one
//! transaction), reporting the median of several runs against the target (≤ 2 s), then times
//! 2,000 register list queries of varied shapes (search text, category and status filters,
//! each sort in both directions, page 3) on the last database: p50 and p99 against the target
//! (p99 ≤ 20 ms). Prints figures; never fails on a miss.
//!
//! Run with `cargo run --release -p custodian-bench --bin custodian-bench-assets`
//! (or `bench/assets.sh`). Settings: BENCH_ASSETS (10000), BENCH_IMPORT_RUNS (5),
//! BENCH_QUERIES (2000), BENCH_KEEP (a new folder to keep the last run's database in, for
//! looking at query plans).

use anyhow::Context;
use custodian_core::asset::csv::{ImportContext, import_register_csv, write_register_csv};
use custodian_core::asset::{
    AssetQuery, AssetSort, Category, NewAsset, PurchaseAuthorisation, SortDirection, StatusFilter,
    luhn_check_digit,
};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::council::{CouncilKind, CouncilName, Founding, found_council};
use custodian_core::ids::{AssetId, CouncilId, PersonId};
use custodian_core::person::{Email, Person, PersonName, PersonStatus, Role, RoleSet};
use custodian_core::ports::{AssetStore, CouncilStore, PersonStore};
use custodian_store::Store;
use jiff::Timestamp;
use std::time::{Duration, Instant};

const IMPORT_TARGET: Duration = Duration::from_secs(2);
const LIST_TARGET: Duration = Duration::from_millis(20);
const PEOPLE: usize = 200;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small linear congruential generator (Knuth's MMIX constants): the same register every
/// run, without a random-number crate in the loop.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        // The remainder is below n, which is a usize.
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const MAKES: [(&str, &[&str]); 6] = [
    ("Dell", &["Latitude 5440", "OptiPlex 7010", "Latitude 7450"]),
    (
        "Apple",
        &["iPhone 13", "iPhone 15", "iPad Air", "MacBook Air"],
    ),
    ("HP", &["LaserJet M404", "EliteBook 840", "ProDesk 400"]),
    ("Samsung", &["Galaxy A54", "Galaxy Tab S9", "T7 SSD"]),
    ("Lenovo", &["ThinkPad E14", "ThinkCentre M70q"]),
    ("SanDisk", &["Ultra USB 3.0", "Extreme Pro"]),
];
const LOCATIONS: [&str; 6] = [
    "Council office",
    "Clerk's home",
    "Village hall",
    "Safe",
    "Pavilion",
    "Library",
];

/// The council's people: a Clerk (from the founding) and 199 others, all active.
fn people(council: CouncilId, now: Timestamp) -> anyhow::Result<Vec<Person>> {
    (1..PEOPLE)
        .map(|i| {
            Ok(Person {
                id: PersonId::generate(),
                council_id: council,
                account_id: None,
                name: PersonName::parse(&format!("Person {i:03}"))?,
                email: Email::parse(&format!("person{i:03}@bench.example.org"))?,
                roles: RoleSet::of(&[Role::Councillor]),
                status: PersonStatus::Active,
                start_date: None,
                leave_date: None,
                created_at: now,
            })
        })
        .collect()
}

/// The register as Custodian exports it: varied makes, categories, dates, costs and places;
/// about a third issued to people, a few lost, stolen or damaged.
fn register_csv(
    council: CouncilId,
    people: &[Person],
    count: usize,
    now: Timestamp,
) -> anyhow::Result<String> {
    let mut rng = Lcg(0x00A5_5E75);
    let mut assets = Vec::with_capacity(count);
    for n in 1..=count {
        let (make, models) = rng.pick(&MAKES);
        let model = rng.pick(models);
        let category = rng.pick(&Category::ALL);
        let mobile = category.has_mobile_identifiers();
        let imei = if mobile {
            let payload = format!("35209900{:06}", rng.below(1_000_000));
            Some(custodian_core::asset::Imei::parse(&format!(
                "{payload}{}",
                luhn_check_digit(&payload)
            ))?)
        } else {
            None
        };
        let purchased_on = (rng.below(10) > 0).then(|| {
            jiff::civil::date(2016, 1, 1)
                .checked_add(jiff::Span::new().days(i64::try_from(rng.below(3_000)).unwrap_or(0)))
                .unwrap_or(jiff::civil::date(2020, 1, 1))
        });
        let input = NewAsset {
            number: custodian_core::asset::AssetNumber::parse(&format!("ASH-{n:05}"))?,
            category,
            make: make.to_owned(),
            model: model.to_owned(),
            serial: Some(custodian_core::asset::SerialNumber::parse(&format!(
                "SN{:08X}",
                rng.next()
            ))?),
            imei,
            sim: None,
            purchased_on,
            cost_pence: (rng.below(5) > 0).then(|| 2_000 + rng.below(200_000) as u64),
            supplier: "Acme Computers Ltd".to_owned(),
            authorisation: PurchaseAuthorisation::MinuteReference(format!(
                "COU/{}/24-25",
                rng.below(300)
            )),
            warranty_ends: None,
            encrypted: custodian_core::asset::Encryption::Yes,
            location: rng.pick(&LOCATIONS).to_owned(),
            notes: String::new(),
        };
        let (mut asset, _) = custodian_core::asset::register_asset(
            council,
            AssetId::generate(),
            input,
            Actor::System,
            now,
        )?;
        match rng.below(30) {
            0..=9 => {
                asset = custodian_core::asset::issue(
                    &asset,
                    &people[rng.below(people.len())],
                    Actor::System,
                    now,
                )?
                .0;
            }
            10 => asset.status = custodian_core::asset::AssetStatus::Lost,
            11 => asset.status = custodian_core::asset::AssetStatus::Stolen,
            12 => asset.status = custodian_core::asset::AssetStatus::Damaged,
            _ => {}
        }
        assets.push(asset);
    }
    Ok(write_register_csv(&assets, people))
}

/// A fresh database with one council and its people; returns the council and everyone.
async fn fresh(
    dir: &std::path::Path,
    now: Timestamp,
) -> anyhow::Result<(Store, CouncilId, Vec<Person>)> {
    let store = Store::open_sqlite_in(dir).await?;
    store.migrate().await?;
    let council_id = CouncilId::generate();
    let (council, clerk, events) = found_council(
        Founding {
            council_id,
            name: CouncilName::parse("Benchmark Parish Council")?,
            kind: CouncilKind::Parish,
            clerk_id: PersonId::generate(),
            clerk_name: PersonName::parse("Clara Clerk")?,
            clerk_email: Email::parse("clerk@bench.example.org")?,
        },
        Actor::Operator,
        now,
    );
    store.create_council(&council, &clerk, &events).await?;
    let mut everyone = vec![clerk];
    for person in people(council_id, now)? {
        let event = AuditEvent::new(council_id, now, Actor::Operator, "person.added")
            .subject(format!("person:{}", person.id));
        store.insert_person(&person, &event).await?;
        everyone.push(person);
    }
    Ok((store, council_id, everyone))
}

/// CPU time this process has used (all threads), from /proc on Linux; zero elsewhere. Unlike
/// wall time it hardly changes when other work shares the machine.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which is in brackets and may hold spaces): utime is the
    // 12th and stime the 13th, in clock ticks of 1/100 s on Linux.
    let Some(after_name) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn verdict(measured: Duration, target: Duration) -> &'static str {
    if measured <= target { "PASS" } else { "MISS" }
}

/// The list queries: every mix of search text, category, status and sort, page 3 of 50.
fn queries(count: usize) -> Vec<AssetQuery> {
    let mut rng = Lcg(0x005E_A2C4);
    let texts: [Option<&str>; 8] = [
        None,
        None,
        Some("dell"),
        Some("lat"),
        Some("ash-01"),
        Some("office"),
        Some("sn1"),
        Some("galaxy"),
    ];
    let statuses = [
        None,
        Some(StatusFilter::InStore),
        Some(StatusFilter::Issued),
        Some(StatusFilter::Lost),
    ];
    let sorts = [
        AssetSort::Number,
        AssetSort::Category,
        AssetSort::PurchasedOn,
        AssetSort::Status,
    ];
    (0..count)
        .map(|_| AssetQuery {
            text: rng.pick(&texts).map(str::to_owned),
            category: (rng.below(2) == 0).then(|| rng.pick(&Category::ALL)),
            status: rng.pick(&statuses),
            holder: None,
            sort: rng.pick(&sorts),
            direction: if rng.below(2) == 0 {
                SortDirection::Ascending
            } else {
                SortDirection::Descending
            },
            page_size: 50,
            page: 3,
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let count = setting("BENCH_ASSETS", 10_000);
    let runs = setting("BENCH_IMPORT_RUNS", 5).max(1);
    let query_count = setting("BENCH_QUERIES", 2_000).max(1);
    let now = Timestamp::now();

    println!("Equipment register benchmark: {count} items, SQLite, release build");
    let mut import_times = Vec::new();
    let mut check_times = Vec::new();
    let mut last: Option<(tempfile::TempDir, Store, CouncilId)> = None;
    let mut csv_bytes = 0;
    let keep = std::env::var_os("BENCH_KEEP").map(std::path::PathBuf::from);
    for run in 1..=runs {
        let dir = tempfile::tempdir()?;
        let path = match &keep {
            Some(kept) if run == runs => {
                std::fs::create_dir_all(kept)?;
                anyhow::ensure!(
                    !kept.join("custodian.db").exists(),
                    "{} already holds a database",
                    kept.display()
                );
                kept.clone()
            }
            _ => dir.path().to_path_buf(),
        };
        let (store, council, people) = fresh(&path, now).await?;
        let csv = register_csv(council, &people, count, now)?;
        csv_bytes = csv.len();
        let started = Instant::now();
        let numbers = store.asset_numbers(council).await?;
        let context = ImportContext {
            council_id: council,
            people: &people,
            existing_numbers: &numbers,
            actor: Actor::Operator,
            now,
        };
        let import = import_register_csv(csv.as_bytes(), &context, AssetId::generate)
            .map_err(|report| anyhow::anyhow!("the generated register did not read: {report}"))?;
        let checked = started.elapsed();
        let stored = store
            .import_assets(council, &import.assets, &import.events)
            .await
            .context("the import was refused")?;
        let total = started.elapsed();
        anyhow::ensure!(stored == count, "stored {stored} of {count}");
        println!(
            "  import run {run}: {} ({} reading and checking the CSV, {} storing)",
            ms(total),
            ms(checked),
            ms(total - checked)
        );
        import_times.push(total);
        check_times.push(checked);
        if let Some((_, old, _)) = last.take() {
            old.close().await;
        }
        last = Some((dir, store, council));
    }
    import_times.sort();
    check_times.sort();
    let import_median = import_times[import_times.len() / 2];

    let (_dir, store, council) = last.context("no import ran")?;
    let export_started = Instant::now();
    let register = store.all_assets(council).await?;
    let people_now = store.people(council).await?;
    let exported = write_register_csv(&register, &people_now);
    let export_time = export_started.elapsed();

    let shapes = queries(query_count);
    // Warm the page cache and the statement cache, as a running server would be.
    for query in shapes.iter().take(50) {
        store.assets(council, query).await?;
    }
    let mut times = Vec::with_capacity(shapes.len());
    let (mut searching, mut browsing) = (Vec::new(), Vec::new());
    let mut slowest: Option<(Duration, &AssetQuery)> = None;
    let cpu_before = cpu_time();
    for query in &shapes {
        let started = Instant::now();
        let page = store.assets(council, query).await?;
        let took = started.elapsed();
        std::hint::black_box(page);
        if slowest.is_none_or(|(d, _)| took > d) {
            slowest = Some((took, query));
        }
        times.push(took);
        if query.text.is_some() {
            searching.push(took);
        } else {
            browsing.push(took);
        }
    }
    let cpu_per_query = (cpu_time() - cpu_before) / u32::try_from(shapes.len()).unwrap_or(1);
    times.sort();
    searching.sort();
    browsing.sort();
    let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
    store.close().await;

    println!();
    println!("| work | median | p99 | target |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| CSV import, {count} rows ({:.1} MB), fresh database, {runs} runs | {} | | ≤ 2 s: {} |",
        csv_bytes as f64 / 1_048_576.0,
        ms(import_median),
        verdict(import_median, IMPORT_TARGET)
    );
    println!(
        "| of which reading and checking the CSV | {} | | |",
        ms(check_times[check_times.len() / 2])
    );
    println!(
        "| register list, page 3 of 50, {} varied queries | {} | {} | p99 ≤ 20 ms: {} |",
        times.len(),
        ms(p50),
        ms(p99),
        verdict(p99, LIST_TARGET)
    );
    println!(
        "| of which with search text ({}) | {} | {} | |",
        searching.len(),
        ms(percentile(&searching, 50.0)),
        ms(percentile(&searching, 99.0))
    );
    println!(
        "| of which filters and sorting only ({}) | {} | {} | |",
        browsing.len(),
        ms(percentile(&browsing, 50.0)),
        ms(percentile(&browsing, 99.0))
    );
    println!(
        "| CPU time per list query (all threads; steady under load) | {} | | |",
        ms(cpu_per_query)
    );
    println!(
        "| whole register read and written as CSV ({} KB) | {} | | |",
        exported.len() / 1024,
        ms(export_time)
    );
    if let Some((took, query)) = slowest {
        println!();
        println!("Slowest list query: {} for {query:?}", ms(took));
    }
    Ok(())
}
