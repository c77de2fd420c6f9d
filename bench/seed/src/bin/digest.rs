//! Daily-digest benchmark (issue 6, Speed): 1,000 small councils hosted together on PostgreSQL,
//! each with email on and its digest hour come, and one run of `custodian_web::digest::run`
//! over all of them (target ≤ 60 s). Prints the seeding time, the run's councils, messages
//! queued and seconds, the per-council times of a second pass (median, p99; reads and the
//! rest), and a repeat run that must queue nothing (the outbox's keys). Fails only when
//! something does not work, never on a missed target.
//!
//! The database named by `CUSTODIAN_BENCH_POSTGRES_URL` (default
//! postgres://custodian:custodian@127.0.0.1:5432/custodian_bench) is dropped and created afresh
//! on every run through the `postgres` maintenance database, so every run measures the same
//! data; to keep that from ever touching real data, its name must contain "bench".
//!
//! Usage: custodian-bench-digest [--councils N] [--at-once N]   (bench/digest.sh runs it)

use anyhow::{Context, bail};
use custodian_bench::council_seed::{CouncilShape, seed_council};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::CouncilId;
use custodian_core::mail::{MailSettingsInput, check_settings};
use custodian_core::person::Role;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{MailStore, ReminderStore};
use custodian_store::{Store, redact_url};
use custodian_vault::Key;
use custodian_web::digest;
use futures_util::{StreamExt, TryStreamExt, stream};
use jiff::Timestamp;
use sqlx::Connection;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const DEFAULT_URL: &str = "postgres://custodian:custodian@127.0.0.1:5432/custodian_bench";
const TARGET: Duration = Duration::from_secs(60);
const PUBLIC_URL: &str = "https://custodian.bench.example.org";
/// People in each council: the Clerk, a Chair, eight councillors, a staff member and the IT
/// provider.
const PEOPLE: usize = 12;
const ASSETS: usize = 30;
const VAULT_ITEMS: usize = 10;

struct Args {
    councils: usize,
    at_once: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut parsed = Args {
        councils: 1_000,
        at_once: 4,
    };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        let mut number = |name: &str| -> anyhow::Result<usize> {
            let text = given
                .next()
                .with_context(|| format!("{name} needs a number"))?;
            text.parse()
                .with_context(|| format!("{name} needs a whole number, not {text:?}"))
        };
        match arg.as_str() {
            "--councils" => parsed.councils = number("--councils")?,
            "--at-once" => parsed.at_once = number("--at-once")?.max(1),
            other => bail!(
                "unknown argument {other:?}; usage: custodian-bench-digest [--councils N] [--at-once N]"
            ),
        }
    }
    Ok(parsed)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let url = std::env::var("CUSTODIAN_BENCH_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.into());
    recreate_database(&url).await?;
    println!("database {} dropped and created afresh", redact_url(&url));

    // Seeding commits without waiting for the disk (synchronous_commit off, on the seeding
    // connections only): the benchmark measures the digest, not the seed. The digest run
    // below uses a store opened on the plain address, so its commits wait as usual.
    let seeding = Store::open(&with_option(&url, "synchronous_commit=off")).await?;
    seeding.migrate().await?;
    let now = Timestamp::now();
    let key = Key::generate()?;
    let started = Instant::now();
    let seeded: Vec<CouncilId> = stream::iter(0..args.councils)
        .map(|n| seed_one(&seeding, &key, n, now))
        .buffer_unordered(args.at_once)
        .try_collect()
        .await?;
    let seed_time = started.elapsed();
    seeding.close().await;
    println!(
        "seeded {} councils ({PEOPLE} people, {ASSETS} register items, {VAULT_ITEMS} vault items, a policy in force, email on with digest hour 0) in {:.1} s, {} at once",
        seeded.len(),
        seed_time.as_secs_f64(),
        args.at_once
    );

    let store = Store::open(&url).await?;
    let started = Instant::now();
    let first = digest::run(&store, PUBLIC_URL, now, &mut HashMap::new()).await?;
    let first_time = started.elapsed();
    if first.councils != seeded.len() {
        bail!(
            "the digest run made {} councils' digests, but {} were seeded with their hour come",
            first.councils,
            seeded.len()
        );
    }
    if first.queued == 0 {
        bail!("the digest run queued no messages: the seeded councils have nothing due");
    }
    println!(
        "digest run: {} councils, {} messages queued, {:.2} s",
        first.councils,
        first.queued,
        first_time.as_secs_f64()
    );

    let reads = per_council(&store, &seeded, now).await?;
    println!(
        "  the rest of the run, mostly queuing the messages (one transaction a council): about {:.2} s",
        first_time.saturating_sub(reads).as_secs_f64()
    );

    let started = Instant::now();
    let again = digest::run(&store, PUBLIC_URL, now, &mut HashMap::new()).await?;
    let again_time = started.elapsed();
    if again.queued != 0 {
        bail!(
            "the repeat run queued {} messages again: the outbox's keys should have stopped them",
            again.queued
        );
    }
    println!(
        "repeat run (a restart the same day): {} councils, {} queued, {:.2} s",
        again.councils,
        again.queued,
        again_time.as_secs_f64()
    );
    println!(
        "target: the daily digest for {} councils ≤ {} s; measured {:.2} s: {}",
        seeded.len(),
        TARGET.as_secs(),
        first_time.as_secs_f64(),
        if first_time <= TARGET {
            "met"
        } else {
            "MISSED"
        }
    );
    store.close().await;
    Ok(())
}

/// Council `n`: a realistic small parish. Warranties end from 20 days ago to a year ahead (a
/// few this week); vault passwords were changed 10 to 159 days ago against a 90-day rotation
/// (about half overdue); five of the eleven people after the Clerk have not signed the policy.
async fn seed_one(store: &Store, key: &Key, n: usize, now: Timestamp) -> anyhow::Result<CouncilId> {
    let shape = CouncilShape {
        name: format!("Benchmark Parish Council {n:04}"),
        email_domain: format!("council{n:04}.bench.example.org"),
        people: PEOPLE,
        role_of: |i| match i {
            1 => Role::Chair,
            i if i == PEOPLE - 2 => Role::Staff,
            i if i == PEOPLE - 1 => Role::ItProvider,
            _ => Role::Councillor,
        },
        assets: ASSETS,
        warranty_ends_in_days: |n| i64::try_from(n * 13 % 400).unwrap_or(0) - 20,
        devices: 0,
        vault_items: VAULT_ITEMS,
        secret_age_days: |n| i64::try_from(n * 23 % 150).unwrap_or(0) + 10,
        breaches: 0,
    };
    let council = seed_council(store, &shape, key, now).await?;
    let domain = &shape.email_domain;
    let input = MailSettingsInput {
        enabled: true,
        host: "smtp.bench.example.org",
        port: "587",
        security: "starttls",
        username: &format!("clerk@{domain}"),
        from_address: &format!("clerk@{domain}"),
        from_name: &shape.name,
        digest_hour: "0",
    };
    let settings = check_settings(council, &input, None, now).map_err(|problems| {
        anyhow::anyhow!("the benchmark's email settings were refused: {problems:?}")
    })?;
    let event = AuditEvent::new(council, now, Actor::Operator, "mail.settings_changed")
        .subject(format!("council:{council}"))
        .details(serde_json::json!({ "enabled": true, "digest_hour": 0 }));
    store.save_mail_settings(&settings, &event).await?;
    Ok(council)
}

/// A second pass, one council at a time, as the run does it: the settings read, the reminder
/// records read, and `council_digests` (the same read plus the schedule and the messages), so
/// the run's time can be split into reads, computation and queuing. Returns the time of the
/// settings reads and `council_digests` over all councils.
async fn per_council(
    store: &Store,
    councils: &[CouncilId],
    now: Timestamp,
) -> anyhow::Result<Duration> {
    let today = london_today(now);
    let (mut settings, mut records, mut digests) = (Vec::new(), Vec::new(), Vec::new());
    for &council in councils {
        let started = Instant::now();
        store.mail_settings(council).await?;
        settings.push(started.elapsed());
        let started = Instant::now();
        store.reminder_records(council).await?;
        records.push(started.elapsed());
        let started = Instant::now();
        digest::council_digests(store, council, PUBLIC_URL, today, now).await?;
        digests.push(started.elapsed());
    }
    let made: Duration = settings.iter().chain(&digests).sum();
    let line = |what: &str, times: &mut Vec<Duration>| {
        times.sort();
        let total: Duration = times.iter().sum();
        let at = |share: usize| {
            let index = (times.len() * share)
                .div_ceil(100)
                .clamp(1, times.len().max(1))
                - 1;
            times.get(index).copied().unwrap_or_default()
        };
        println!(
            "  {what}: median {:.2} ms, p99 {:.2} ms, all councils {:.2} s",
            at(50).as_secs_f64() * 1000.0,
            at(99).as_secs_f64() * 1000.0,
            total.as_secs_f64()
        );
    };
    println!("per council (second pass, one council at a time, nothing queued):");
    line(
        "council_digests (reminder records read, schedule, messages)",
        &mut digests,
    );
    line("of which the reminder records read alone", &mut records);
    line("mail settings read", &mut settings);
    Ok(made)
}

/// The maintenance database's address: the same server and role, database `postgres`.
fn maintenance_url(url: &str) -> anyhow::Result<(String, String)> {
    let (address, query) = match url.split_once('?') {
        Some((address, query)) => (address, format!("?{query}")),
        None => (url, String::new()),
    };
    let (server, name) = address
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
        .with_context(|| {
            format!(
                "the benchmark's database address {} names no database; it should end in /custodian_bench",
                redact_url(url)
            )
        })?;
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain || !name.contains("bench") {
        bail!(
            "the benchmark drops and recreates its database, so its name must be lower-case letters, digits and _ and contain \"bench\" (it was {name:?}); set CUSTODIAN_BENCH_POSTGRES_URL to a database only the benchmark uses"
        );
    }
    Ok((format!("{server}/postgres{query}"), name.to_owned()))
}

/// Drops the benchmark's database (closing any connection left by an interrupted run) and
/// creates it empty.
async fn recreate_database(url: &str) -> anyhow::Result<()> {
    let (maintenance, name) = maintenance_url(url)?;
    let mut connection = sqlx::PgConnection::connect(&maintenance)
        .await
        .with_context(|| {
            format!(
                "could not connect to PostgreSQL's maintenance database at {}; is PostgreSQL running (bench/digest.sh starts it)?",
                redact_url(&maintenance)
            )
        })?;
    // `name` was checked above to be a plain identifier, so it is safe to write into the SQL.
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut connection)
        .await
        .with_context(|| format!("could not drop the old benchmark database {name}"))?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .with_context(|| {
            format!("could not create the benchmark database {name}; the role needs CREATEDB")
        })?;
    connection.close().await?;
    Ok(())
}

/// `url` with a server setting for every connection (`options=-c name=value`).
fn with_option(url: &str, setting: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}options=-c%20{}", setting.replace('=', "%3D"))
}
