//! A timing check, run by hand, of storing one week of monitoring (issue 7's durable pipeline
//! after parsing): about 500,000 (key, day, site) groups from 400 clients over 7 days and
//! 2,000,000 raw lines (~300 MB), attributed through 400 identities, committed in one batch;
//! then a purge of one day and one person's subject access over the week.
//!
//! ```text
//! cargo run --release -p custodian-store --example monitor_timing            # SQLite
//! cargo run --release -p custodian-store --example monitor_timing -- --weeks 26   # 6 months
//! cargo run --release -p custodian-store --example monitor_timing -- postgres://user:pw@host/db
//! ```
//! `--weeks N` stores N weeks (the same week moved on by seven days each time) before the
//! subject access (over all of them) and the purge (of the oldest day); `--repeat R` (3) measures
//! R people's subject access and R purges of one day each. With a PostgreSQL address, a fresh database is created beside the one named (its role needs
//! CREATEDB) and dropped afterwards. Prints the times; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custodian_core::audit::Actor;
use custodian_core::council::{CouncilKind, CouncilName, Founding, found_council};
use custodian_core::ids::{CouncilId, MonitorBatchId, MonitorIdentityId, PersonId};
use custodian_core::person::{Email, NewPerson, PersonName, Role, RoleSet, add_person};
use custodian_core::ports::{
    CouncilStore, IdentityKind, IdentityTarget, MonitorIdentity, MonitorStore, NewBatch,
    PersonStore, RawLines, batch_ingested_event, purge_event,
};
use custodian_monitor::{Figures, Group, LocalDay, SubjectKey, Totals};
use custodian_store::Store;
use jiff::Timestamp;
use sqlx::Connection;
use std::collections::HashMap;
use std::time::Instant;

const CLIENTS: usize = 400;
const DAYS: i32 = 7;
const SITES_PER_CLIENT_DAY: usize = 180;
const LINES: usize = 2_000_000;

#[tokio::main]
async fn main() {
    // The ingest's phases, at debug level: `CUSTODIAN_LOG=custodian_store=debug`.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CUSTODIAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("custodian_store=debug")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let mut weeks = 1;
    let mut repeat = 3;
    let mut postgres = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--weeks" {
            weeks = args.next().and_then(|n| n.parse().ok()).expect("--weeks N");
        } else if arg == "--repeat" {
            repeat = args
                .next()
                .and_then(|n| n.parse().ok())
                .expect("--repeat R");
        } else {
            postgres = Some(arg);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (store, cleanup) = match &postgres {
        None => {
            let store = Store::open_sqlite_in(dir.path()).await.unwrap();
            (store, None)
        }
        Some(url) => {
            sqlx::any::install_default_drivers();
            let name = format!("custodian_timing_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(url).await.unwrap();
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
            let base = &url[..url.rfind('/').unwrap()];
            let store = Store::open(&format!("{base}/{name}")).await.unwrap();
            (store, Some((admin, name)))
        }
    };
    store.migrate().await.unwrap();
    println!("engine: {}", store.engine().name());

    let now = Timestamp::from_second(1_796_000_000).unwrap();
    let council = CouncilId::generate();
    let (record, clerk, events) = found_council(
        Founding {
            council_id: council,
            name: CouncilName::parse("Timing Parish Council").unwrap(),
            kind: CouncilKind::Parish,
            clerk_id: PersonId::generate(),
            clerk_name: PersonName::parse("Clara Clerk").unwrap(),
            clerk_email: Email::parse("clerk@timing.example").unwrap(),
        },
        Actor::Operator,
        now,
    );
    store
        .create_council(&record, &clerk, &events)
        .await
        .unwrap();
    let first_day = LocalDay::from_date(jiff::civil::date(2026, 11, 30));
    for client in 0..CLIENTS {
        let (person, event) = add_person(
            council,
            PersonId::generate(),
            NewPerson {
                name: PersonName::parse(&format!("Person {client}")).unwrap(),
                email: Email::parse(&format!("p{client}@timing.example")).unwrap(),
                roles: RoleSet::of(&[Role::Councillor]),
                start_date: None,
            },
            Actor::Operator,
            now,
        )
        .unwrap();
        store.insert_person(&person, &event).await.unwrap();
        let identity = MonitorIdentity::new(
            MonitorIdentityId::generate(),
            council,
            IdentityKind::Address,
            &address(client),
            IdentityTarget::Person(person.id),
            first_day,
            None,
            now,
            Actor::Operator,
        )
        .unwrap();
        store
            .add_identity(&identity, |_| {
                custodian_core::audit::AuditEvent::new(council, now, Actor::Operator, "x")
            })
            .await
            .unwrap();
    }

    // Week after week (`--weeks N`, 1 unless given): each week is the same synthetic traffic
    // moved on by seven days, stored as one batch.
    let mut ingest_times = Vec::new();
    for week in 0..weeks {
        let week_start = LocalDay(first_day.0 + 7 * week);
        let started = Instant::now();
        let (groups, raw, totals) = synthetic_week(week_start);
        let raw_bytes: usize = raw.iter().map(|r| r.lines.len()).sum();
        if week == 0 {
            println!(
                "made {} groups and {} raw lines ({} MB) in {:?}",
                groups.len(),
                totals.lines,
                raw_bytes >> 20,
                started.elapsed()
            );
        }
        let mut sha = [7; 32];
        sha[0] = week as u8;
        sha[1] = (week >> 8) as u8;
        let batch = NewBatch {
            id: MonitorBatchId::generate(),
            council_id: council,
            content_sha256: sha,
            format: "squid".to_owned(),
            source_name: "access.log".to_owned(),
            totals,
            ingested_at: now,
            ingested_by: Actor::Operator,
            site_categories: HashMap::new(),
            group_categories: HashMap::new(),
        };
        let started = Instant::now();
        let cpu = cpu_seconds();
        let outcome = store
            .ingest_batch(&batch, &groups, raw, |r| batch_ingested_event(&batch, r))
            .await
            .unwrap();
        let took = started.elapsed();
        let cpu = cpu_seconds() - cpu;
        ingest_times.push(took.as_secs_f64());
        if let custodian_core::ports::IngestOutcome::Stored(report) = &outcome
            && week == 0
        {
            println!(
                "ingest: {took:?}, {cpu:.2} s of CPU ({} groups, {} attributed, {} raw chunks, {} MB compressed)",
                report.groups,
                report.attributed_groups,
                report.raw_chunks,
                report.raw_bytes >> 20
            );
        }
    }
    let last_day = LocalDay(first_day.0 + 7 * weeks - 1);
    if weeks > 1 {
        let best = ingest_times.iter().copied().fold(f64::MAX, f64::min);
        let worst = ingest_times.iter().copied().fold(0.0, f64::max);
        println!(
            "stored {weeks} weeks ({} days): ingest of a week {best:.2}-{worst:.2} s",
            last_day.0 - first_day.0 + 1
        );
    }

    // `--repeat R` (3 unless given): R people's subject access, then R purges of one day each
    // (the oldest left), for a best-of and a spread.
    let people = store.people(council).await.unwrap();
    for run in 0..repeat {
        let person = people[1 + run % (people.len() - 1)].id;
        let started = Instant::now();
        let access = store
            .subject_access(council, person, first_day, last_day)
            .await
            .unwrap();
        let lines: u64 = access.raw.iter().map(|r| r.line_count).sum();
        println!(
            "subject access of one person over {} days: {:.3} s ({} records, {} raw chunks, {} lines)",
            last_day.0 - first_day.0 + 1,
            started.elapsed().as_secs_f64(),
            access.records.len(),
            access.raw.len(),
            lines
        );
    }
    for run in 0..repeat {
        let cutoff = LocalDay(first_day.0 + 1 + run as i32);
        let started = Instant::now();
        let purged = store
            .purge_days_before(council, cutoff, |r| {
                purge_event(council, now, Actor::System, cutoff, r)
            })
            .await
            .unwrap();
        let purge_call = started.elapsed();
        // The space is returned after the purge's commit, holding the writer: the next write
        // waits for it.
        sqlx::query("SELECT 1")
            .execute(store.write_pool())
            .await
            .unwrap();
        println!(
            "purge of one day: {:.1} ms ({} records, {} raw chunks); space returned {:.1} ms later",
            purge_call.as_secs_f64() * 1e3,
            purged.records_removed,
            purged.raw_chunks_removed,
            (started.elapsed() - purge_call).as_secs_f64() * 1e3
        );
    }

    store.close().await;
    if let Some((mut admin, name)) = cleanup {
        sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

/// This process's CPU time so far (Linux), to read the work done apart from other load on the
/// machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime, fields 14 and 15 of the line (11 and 12 after the name).
    (ticks(11) + ticks(12)) / 100.0
}

fn address(client: usize) -> String {
    format!("10.0.{}.{}", client / 200, client % 200 + 10)
}

/// One week for every client: 180 sites a day, lines spread over them, Squid-native text.
fn synthetic_week(first_day: LocalDay) -> (Vec<Group>, Vec<RawLines>, Totals) {
    let per_key_day = LINES / (CLIENTS * DAYS as usize);
    let mut groups = Vec::new();
    let mut raw = Vec::new();
    let mut totals = Totals::default();
    for client in 0..CLIENTS {
        let key = SubjectKey::Client(address(client));
        for d in 0..DAYS {
            let day = LocalDay(first_day.0 + d);
            let start = i64::from(day.0) * 86_400 + 8 * 3_600;
            let offset = client * 7 + d as usize * 13;
            let mut figures: Vec<Figures> = (0..SITES_PER_CLIENT_DAY)
                .map(|_| Figures {
                    first: i64::MAX,
                    last: 0,
                    hits: 0,
                    bytes: 0,
                    hits_by_hour: [0; 24],
                })
                .collect();
            let mut lines = Vec::with_capacity(per_key_day * 150);
            for line in 0..per_key_day {
                let site = line % SITES_PER_CLIENT_DAY;
                let at = start + (line as i64 * 37) % (10 * 3_600);
                let bytes = 500 + (line as u64 * 7919) % 40_000;
                let f = &mut figures[site];
                f.first = f.first.min(at);
                f.last = f.last.max(at);
                f.hits += 1;
                f.bytes += bytes;
                f.hits_by_hour[((at - i64::from(day.0) * 86_400) / 3_600) as usize] += 1;
                let host = format!("www.site{}.example.com", (offset + site * 37) % 20_000);
                lines.extend_from_slice(
                    format!(
                        "{at}.{:03} {:6} {} TCP_MISS/200 {bytes} GET http://{host}/page/{line} - \
                         HIER_DIRECT/192.0.2.{} text/html\n",
                        line % 1000,
                        line % 997,
                        address(client),
                        line % 250
                    )
                    .as_bytes(),
                );
                totals.lines += 1;
                totals.hits += 1;
                totals.bytes += bytes;
            }
            for (site, f) in figures.into_iter().enumerate() {
                if f.hits > 0 {
                    groups.push(Group {
                        key: key.clone(),
                        day,
                        site: format!("www.site{}.example.com", (offset + site * 37) % 20_000),
                        figures: f,
                    });
                }
            }
            raw.push(RawLines {
                key: key.clone(),
                day,
                lines,
            });
        }
    }
    // As the summariser hands them over: by key, day and site.
    groups.sort_by(|a, b| (&a.key, a.day, &a.site).cmp(&(&b.key, b.day, &b.site)));
    totals.groups = groups.len() as u64;
    (groups, raw, totals)
}
