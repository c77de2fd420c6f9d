//! `custodian-bench-probe`: splits the benchmark's slow parts into their pieces, so a missed
//! target can be blamed on the right one. Reads only.
//!
//!   custodian-bench-probe --data-dir D
//!     `custodian audit verify`: moving rows through sqlx (one row per entry, as before
//!     `for_each_entry` read in chunks), decoding them, hashing the chain, and the store's
//!     chunked reading as `audit verify` now does it, with its phases one after another.
//!   custodian-bench-probe --data-dir D pages
//!     each store call the home and audit-log pages make, timed one call at a time, with the
//!     same rows fetched raw and as one aggregated row for comparison.

use anyhow::Context;
use custodian_core::audit::{AuditEntry, ChainVerifier};
use custodian_core::ids::CouncilId;
use custodian_core::ports::*;
use custodian_store::Store;
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyConnectOptions;
use std::borrow::Cow;
use std::str::FromStr;
use std::time::Instant;

const ONE_ROW_PER_ENTRY: &str = "SELECT council_id, seq, at, actor, action, subject, details, \
     prev_hash, hash FROM audit_log ORDER BY council_id, seq";

/// The store's chunk query (crates/store/src/audit.rs), repeated here to time its phases.
const CHUNK: &str = "SELECT COUNT(*), MAX(seq), \
     json_group_array(json_array(seq, at, actor, action, subject, details, prev_hash, hash)) \
     FROM (SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log \
           WHERE council_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3)";
const CHUNK_ENTRIES: i64 = 5_000;

fn report(what: &str, started: Instant, rows: usize) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:<60} {secs:>6.2} s  ({:.2} µs/entry, {rows} entries)",
        secs * 1e6 / rows.max(1) as f64
    );
}

fn entry_from_any(row: &sqlx::any::AnyRow) -> anyhow::Result<AuditEntry> {
    Ok(AuditEntry {
        council_id: CouncilId::parse(&row.try_get::<String, _>("council_id")?)?,
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        details: row.try_get("details")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

#[derive(serde::Deserialize)]
struct ChunkEntry<'a> {
    seq: i64,
    at_ms: i64,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    subject: Cow<'a, str>,
    #[serde(borrow)]
    details: Cow<'a, str>,
    #[serde(borrow)]
    prev_hash: Cow<'a, str>,
    #[serde(borrow)]
    hash: Cow<'a, str>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = match (args.next().as_deref(), args.next()) {
        (Some("--data-dir"), Some(dir)) => dir,
        _ => anyhow::bail!("usage: custodian-bench-probe --data-dir D [pages]"),
    };
    if args.next().as_deref() == Some("pages") {
        pages(&dir).await
    } else {
        verify(&dir).await
    }
}

async fn verify(dir: &str) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{dir}/custodian.db?mode=ro");
    let mut any = sqlx::AnyConnection::connect_with(&AnyConnectOptions::from_str(&url)?).await?;
    use sqlx::Connection as _;

    let started = Instant::now();
    let mut rows = 0;
    let mut stream = sqlx::query(ONE_ROW_PER_ENTRY).fetch(&mut any);
    while stream.try_next().await?.is_some() {
        rows += 1;
    }
    drop(stream);
    report(
        "one sqlx row per entry: moving the rows only",
        started,
        rows,
    );

    let started = Instant::now();
    let mut entries = Vec::with_capacity(rows);
    let mut stream = sqlx::query(ONE_ROW_PER_ENTRY).fetch(&mut any);
    while let Some(row) = stream.try_next().await? {
        entries.push(entry_from_any(&row)?);
    }
    drop(stream);
    report(
        "one sqlx row per entry: rows decoded into entries",
        started,
        rows,
    );

    let started = Instant::now();
    let mut verifier = ChainVerifier::new();
    entries.iter().for_each(|e| verifier.push(e));
    anyhow::ensure!(verifier.finish().is_intact(), "the chain is broken");
    report(
        "ChainVerifier over entries already in memory",
        started,
        rows,
    );
    drop(entries);

    let store = Store::open(&url).await?;
    let started = Instant::now();
    let mut verifier = ChainVerifier::new();
    store.for_each_entry(|e| verifier.push(e)).await?;
    let report_ = verifier.finish();
    anyhow::ensure!(report_.is_intact(), "the chain is broken");
    report(
        "store.for_each_entry (chunked, pipelined) + ChainVerifier",
        started,
        report_.entries as usize,
    );
    store.close().await;

    // The chunked reading's phases, one after another (the store overlaps the first with the
    // other two).
    let council: String = sqlx::query_scalar("SELECT MIN(council_id) FROM audit_log")
        .fetch_one(&mut any)
        .await?;
    let council_id = CouncilId::parse(&council)?;
    let started = Instant::now();
    let mut texts = Vec::new();
    let mut from = i64::MIN;
    loop {
        let (count, last, text): (i64, Option<i64>, String) = sqlx::query_as(CHUNK)
            .bind(&council)
            .bind(from)
            .bind(CHUNK_ENTRIES)
            .fetch_one(&mut any)
            .await?;
        texts.push(text);
        match last {
            Some(last) if count == CHUNK_ENTRIES => from = last + 1,
            _ => break,
        }
    }
    report("  phase 1: SQLite packs the chunks as JSON", started, rows);
    let started = Instant::now();
    let mut entries = Vec::with_capacity(rows);
    for text in &texts {
        let chunk: Vec<ChunkEntry<'_>> = serde_json::from_str(text)?;
        entries.extend(chunk.into_iter().map(|r| AuditEntry {
            council_id,
            seq: r.seq,
            at_ms: r.at_ms,
            actor: r.actor.into_owned(),
            action: r.action.into_owned(),
            subject: r.subject.into_owned(),
            details: r.details.into_owned(),
            prev_hash: r.prev_hash.into_owned(),
            hash: r.hash.into_owned(),
        }));
    }
    report(
        "  phase 2: parsing the chunks into entries",
        started,
        entries.len(),
    );
    let started = Instant::now();
    entries.iter().for_each(|e| {
        std::hint::black_box(e.compute_hash());
    });
    report(
        "  phase 3: SHA-256 of every entry alone",
        started,
        entries.len(),
    );
    Ok(())
}

/// Times, one call at a time, each store call that the home and audit pages make, so the
/// calls that dominate a page can be named.
async fn pages(dir: &str) -> anyhow::Result<()> {
    let store = Store::open_sqlite_in(std::path::Path::new(dir)).await?;
    let council = store.councils().await?.first().context("no council")?.id;
    let people = store.people(council).await?;
    let clerk = people
        .iter()
        .find(|p| p.account_id.is_some())
        .context("no clerk")?
        .clone();
    let account = clerk.account_id.context("no account")?;
    let unknown_session = "0".repeat(64);
    const N: u32 = 300;
    macro_rules! time {
        ($label:expr, $call:expr) => {{
            let _ = $call; // warm the statement cache
            let started = Instant::now();
            let mut rows = 0;
            for _ in 0..N {
                rows = $call.map(|v| Rows::rows(&v))?;
            }
            let us = started.elapsed().as_secs_f64() * 1e6 / f64::from(N);
            println!("{:<60} {us:>8.0} µs/call  ({rows} rows)", $label);
        }};
    }
    time!("session(token_hash)", store.session(&unknown_session).await);
    time!("person(council, id)", store.person(council, clerk.id).await);
    time!("council(id)", store.council(council).await);
    time!("account(id)", store.account(account).await);
    time!("incidents(council)", store.incidents(council).await);
    time!("people(council)", store.people(council).await);
    let newest = AuditQuery {
        limit: 1,
        ..AuditQuery::default()
    };
    time!("entries(limit 1)", store.entries(council, &newest).await);
    let by_action = AuditQuery {
        action_prefix: Some("person.".into()),
        before_seq: Some(500_000),
        limit: 51,
        ..AuditQuery::default()
    };
    time!(
        "entries(what=person., before=500000, limit 51)",
        store.entries(council, &by_action).await
    );
    let by_actor = AuditQuery {
        actor: Some(format!("person:{}", people[1].id)),
        limit: 51,
        ..AuditQuery::default()
    };
    time!(
        "entries(who=<person>, limit 51)",
        store.entries(council, &by_actor).await
    );
    time!("ping()", store.ping().await.map(|()| 1usize));
    let pool = store.write_pool();
    let council_text = council.to_string();
    time!(
        "  raw: the people rows, not decoded",
        sqlx::query(
            "SELECT id, council_id, account_id, name, email, roles, status, start_date, \
             leave_date, created_at FROM people WHERE council_id = $1 ORDER BY name, id"
        )
        .bind(&council_text)
        .fetch_all(pool)
        .await
    );
    time!(
        "  raw: the same people as one JSON row, not decoded",
        sqlx::query(
            "SELECT json_group_array(json_array(id, council_id, account_id, name, email, roles, \
             status, start_date, leave_date, created_at)) \
             FROM (SELECT * FROM people WHERE council_id = $1 ORDER BY name, id)"
        )
        .bind(&council_text)
        .fetch_all(pool)
        .await
    );
    let page_sql = "SELECT council_id, seq, at, actor, action, subject, details, prev_hash, hash \
         FROM audit_log WHERE council_id = $1 AND action >= $2 \
         AND substr(action, 1, length($2)) = $2 AND action < $3 AND seq < $4 \
         ORDER BY seq DESC LIMIT 51";
    time!(
        "  raw: the audit page's 51 entries (what=person.), not decoded",
        sqlx::query(page_sql)
            .bind(&council_text)
            .bind("person.")
            .bind("person.\u{10FFFF}")
            .bind(500_000_i64)
            .fetch_all(pool)
            .await
    );
    time!(
        "  raw: the same 51 entries as one JSON row, not decoded",
        sqlx::query(&format!(
            "SELECT json_group_array(json_array(council_id, seq, at, actor, action, subject, \
             details, prev_hash, hash)) FROM ({page_sql})"
        ))
        .bind(&council_text)
        .bind("person.")
        .bind("person.\u{10FFFF}")
        .bind(500_000_i64)
        .fetch_all(pool)
        .await
    );
    time!(
        "  raw: how many people are invited (COUNT)",
        sqlx::query("SELECT COUNT(*) FROM people WHERE council_id = $1 AND status = 'invited'")
            .bind(&council_text)
            .fetch_all(pool)
            .await
    );
    store.close().await;
    Ok(())
}

/// How many rows a store call returned, for the report.
trait Rows {
    fn rows(&self) -> usize;
}
impl<T> Rows for Vec<T> {
    fn rows(&self) -> usize {
        self.len()
    }
}
impl<T> Rows for Option<T> {
    fn rows(&self) -> usize {
        usize::from(self.is_some())
    }
}
macro_rules! one_row {
    ($($t:ty),*) => { $(impl Rows for $t { fn rows(&self) -> usize { 1 } })* };
}
one_row!(
    usize,
    custodian_core::person::Person,
    custodian_core::council::Council,
    custodian_core::ports::Account
);
