//! `custodian-bench-probe --data-dir D`: splits the time of `custodian audit verify` into its
//! parts (reading rows through sqlx's `Any` driver, reading them through the typed SQLite
//! driver, decoding rows into entries, and hashing the chain), so a slow verify can be blamed
//! on the right part. Reads only; prints one line per part.

use anyhow::Context;
use custodian_core::audit::{AuditEntry, ChainVerifier};
use custodian_core::ids::CouncilId;
use futures_util::TryStreamExt;
use sqlx::any::AnyConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Connection, Row};
use std::str::FromStr;
use std::time::Instant;

const SQL: &str = "SELECT council_id, seq, at, actor, action, subject, details, prev_hash, hash \
                   FROM audit_log ORDER BY council_id, seq";

fn entry_from_sqlite(row: &SqliteRow) -> anyhow::Result<AuditEntry> {
    Ok(AuditEntry {
        council_id: CouncilId::parse(row.try_get::<&str, _>(0)?)?,
        seq: row.try_get(1)?,
        at_ms: row.try_get(2)?,
        actor: row.try_get(3)?,
        action: row.try_get(4)?,
        subject: row.try_get(5)?,
        details: row.try_get(6)?,
        prev_hash: row.try_get(7)?,
        hash: row.try_get(8)?,
    })
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

fn report(what: &str, started: Instant, rows: usize) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:<58} {secs:>6.2} s  ({:.2} µs/row, {rows} rows)",
        secs * 1e6 / rows.max(1) as f64
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = match (args.next().as_deref(), args.next()) {
        (Some("--data-dir"), Some(dir)) => dir,
        _ => anyhow::bail!("usage: custodian-bench-probe --data-dir D"),
    };
    let url = format!("sqlite://{dir}/custodian.db?mode=ro");
    sqlx::any::install_default_drivers();

    let any_options = AnyConnectOptions::from_str(&url)?;
    let mut any = sqlx::AnyConnection::connect_with(&any_options).await?;
    let started = Instant::now();
    let mut rows = 0;
    let mut stream = sqlx::query(SQL).fetch(&mut any);
    while stream.try_next().await?.is_some() {
        rows += 1;
    }
    drop(stream);
    report("Any driver: rows only", started, rows);

    let started = Instant::now();
    let mut entries = Vec::with_capacity(rows);
    let mut stream = sqlx::query(SQL).fetch(&mut any);
    while let Some(row) = stream.try_next().await? {
        entries.push(entry_from_any(&row)?);
    }
    drop(stream);
    report(
        "Any driver: rows decoded by name into entries",
        started,
        rows,
    );

    let started = Instant::now();
    let mut verifier = ChainVerifier::new();
    entries.iter().for_each(|e| verifier.push(e));
    let intact = verifier.finish().is_intact();
    report(
        "ChainVerifier over entries in memory (hashing)",
        started,
        rows,
    );
    anyhow::ensure!(intact, "the chain is broken");
    drop(entries);

    json_chunks(&mut any, 2_000).await?;
    json_chunks(&mut any, 10_000).await?;
    keyset_chunks(&mut any, 5_000).await?;
    keyset_chunks(&mut any, 20_000).await?;
    keyset_phases(&mut any, 5_000).await?;

    for buffer in [50, 4096] {
        let options = SqliteConnectOptions::try_from(&any_options)?.row_buffer_size(buffer);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .context("typed connection")?;
        let started = Instant::now();
        let mut rows = 0;
        let mut stream = sqlx::query(SQL).fetch(&mut conn);
        while stream.try_next().await?.is_some() {
            rows += 1;
        }
        drop(stream);
        report(
            &format!("SQLite driver, row buffer {buffer}: rows only"),
            started,
            rows,
        );

        let started = Instant::now();
        let mut verifier = ChainVerifier::new();
        let mut stream = sqlx::query(SQL).fetch(&mut conn);
        while let Some(row) = stream.try_next().await? {
            verifier.push(&entry_from_sqlite(&row)?);
        }
        drop(stream);
        let intact = verifier.finish().is_intact();
        report(
            &format!("SQLite driver, row buffer {buffer}: decode + verify"),
            started,
            rows,
        );
        anyhow::ensure!(intact, "the chain is broken");
    }
    Ok(())
}

/// Reads the log in chunks of `size` entries, each chunk one JSON text built by SQLite, and
/// hashes chunk n while SQLite builds chunk n + 1.
async fn json_chunks(any: &mut sqlx::AnyConnection, size: i64) -> anyhow::Result<()> {
    let started = Instant::now();
    let council: String = sqlx::query_scalar("SELECT MIN(council_id) FROM audit_log")
        .fetch_one(&mut *any)
        .await?;
    let (low, high): (i64, i64) =
        sqlx::query_as("SELECT MIN(seq), MAX(seq) FROM audit_log WHERE council_id = $1")
            .bind(&council)
            .fetch_one(&mut *any)
            .await?;
    let council_id = CouncilId::parse(&council)?;
    let sql = "SELECT json_group_array(json_array(seq, at, actor, action, subject, details, prev_hash, hash) ORDER BY seq) \
               FROM audit_log WHERE council_id = $1 AND seq >= $2 AND seq < $3";
    fn fetch<'c>(
        conn: &'c mut sqlx::AnyConnection,
        sql: &'c str,
        council: &'c str,
        from: i64,
        size: i64,
    ) -> impl std::future::Future<Output = Result<String, sqlx::Error>> + 'c {
        sqlx::query_scalar::<_, String>(sql)
            .bind(council)
            .bind(from)
            .bind(from + size)
            .fetch_one(conn)
    }
    type Raw = (i64, i64, String, String, String, String, String, String);
    let mut verifier = ChainVerifier::new();
    let mut rows = 0usize;
    let mut from = low;
    let mut text = fetch(any, sql, &council, from, size).await?;
    loop {
        from += size;
        let more = from <= high;
        let current = std::mem::take(&mut text);
        let work = async {
            let raw: Vec<Raw> = serde_json::from_str(&current)?;
            for (seq, at_ms, actor, action, subject, details, prev_hash, hash) in raw {
                rows += 1;
                verifier.push(&AuditEntry {
                    council_id,
                    seq,
                    at_ms,
                    actor,
                    action,
                    subject,
                    details,
                    prev_hash,
                    hash,
                });
            }
            anyhow::Ok(())
        };
        if more {
            let (next, done) =
                futures_util::future::join(fetch(any, sql, &council, from, size), work).await;
            done?;
            text = next?;
        } else {
            work.await?;
            break;
        }
    }
    let intact = verifier.finish().is_intact();
    report(
        &format!("JSON chunks of {size}, prefetching: decode + verify"),
        started,
        rows,
    );
    anyhow::ensure!(intact, "the chain is broken");
    Ok(())
}

#[derive(serde::Deserialize)]
struct Raw<'a> {
    seq: i64,
    at_ms: i64,
    #[serde(borrow)]
    actor: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    action: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    subject: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    details: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    prev_hash: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    hash: std::borrow::Cow<'a, str>,
}

fn set(target: &mut String, value: &str) {
    target.clear();
    target.push_str(value);
}

/// Keyset chunks: each answer carries its last sequence number, so the next chunk is asked for
/// before this one is parsed; entries are parsed borrowing from the text into one reused entry.
async fn keyset_chunks(any: &mut sqlx::AnyConnection, size: i64) -> anyhow::Result<()> {
    let started = Instant::now();
    let council: String = sqlx::query_scalar("SELECT MIN(council_id) FROM audit_log")
        .fetch_one(&mut *any)
        .await?;
    let council_id = CouncilId::parse(&council)?;
    let sql = "SELECT COUNT(*), MAX(seq), json_group_array(json_array(seq, at, actor, action, subject, details, prev_hash, hash)) \
               FROM (SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log \
                     WHERE council_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3)";
    fn fetch<'c>(
        conn: &'c mut sqlx::AnyConnection,
        sql: &'c str,
        council: &'c str,
        from: i64,
        size: i64,
    ) -> impl std::future::Future<Output = Result<(i64, Option<i64>, String), sqlx::Error>> + 'c
    {
        sqlx::query_as::<_, (i64, Option<i64>, String)>(sql)
            .bind(council)
            .bind(from)
            .bind(size)
            .fetch_one(conn)
    }
    let mut verifier = ChainVerifier::new();
    let mut entry = AuditEntry {
        council_id,
        seq: 0,
        at_ms: 0,
        actor: String::new(),
        action: String::new(),
        subject: String::new(),
        details: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    let mut rows = 0usize;
    let mut answer = fetch(any, sql, &council, i64::MIN, size).await?;
    loop {
        let (count, last, text) = std::mem::take(&mut answer);
        let work = async {
            let mut raw: Vec<Raw<'_>> = serde_json::from_str(&text)?;
            if !raw.is_sorted_by_key(|r| r.seq) {
                raw.sort_unstable_by_key(|r| r.seq);
            }
            for r in raw {
                rows += 1;
                entry.seq = r.seq;
                entry.at_ms = r.at_ms;
                set(&mut entry.actor, &r.actor);
                set(&mut entry.action, &r.action);
                set(&mut entry.subject, &r.subject);
                set(&mut entry.details, &r.details);
                set(&mut entry.prev_hash, &r.prev_hash);
                set(&mut entry.hash, &r.hash);
                verifier.push(&entry);
            }
            anyhow::Ok(())
        };
        match last {
            Some(last) if count == size => {
                let (next, done) =
                    futures_util::future::join(fetch(any, sql, &council, last + 1, size), work)
                        .await;
                done?;
                answer = next?;
            }
            _ => {
                work.await?;
                break;
            }
        }
    }
    let intact = verifier.finish().is_intact();
    report(
        &format!("keyset JSON chunks of {size}, borrowed parse"),
        started,
        rows,
    );
    anyhow::ensure!(intact, "the chain is broken");
    Ok(())
}

/// The keyset reading split into its phases, one after the other: SQLite building the chunks,
/// parsing them, and hashing.
async fn keyset_phases(any: &mut sqlx::AnyConnection, size: i64) -> anyhow::Result<()> {
    let council: String = sqlx::query_scalar("SELECT MIN(council_id) FROM audit_log")
        .fetch_one(&mut *any)
        .await?;
    let council_id = CouncilId::parse(&council)?;
    let sql = "SELECT COUNT(*), MAX(seq), json_group_array(json_array(seq, at, actor, action, subject, details, prev_hash, hash)) \
               FROM (SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log \
                     WHERE council_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3)";
    let started = Instant::now();
    let mut texts = Vec::new();
    let mut from = i64::MIN;
    loop {
        let (count, last, text): (i64, Option<i64>, String) = sqlx::query_as(sql)
            .bind(&council)
            .bind(from)
            .bind(size)
            .fetch_one(&mut *any)
            .await?;
        texts.push(text);
        match last {
            Some(last) if count == size => from = last + 1,
            _ => break,
        }
    }
    report("  phase 1: SQLite builds JSON chunks", started, 1_000_000);
    let started = Instant::now();
    let mut entries = Vec::with_capacity(1_000_000);
    for text in &texts {
        let raw: Vec<Raw<'_>> = serde_json::from_str(text)?;
        for r in raw {
            entries.push(AuditEntry {
                council_id,
                seq: r.seq,
                at_ms: r.at_ms,
                actor: r.actor.into_owned(),
                action: r.action.into_owned(),
                subject: r.subject.into_owned(),
                details: r.details.into_owned(),
                prev_hash: r.prev_hash.into_owned(),
                hash: r.hash.into_owned(),
            });
        }
    }
    report("  phase 2: parse into entries", started, entries.len());
    let started = Instant::now();
    let mut verifier = ChainVerifier::new();
    entries.iter().for_each(|e| verifier.push(e));
    anyhow::ensure!(verifier.finish().is_intact());
    report("  phase 3: hash chain", started, entries.len());
    let started = Instant::now();
    entries.iter().for_each(|e| {
        std::hint::black_box(e.compute_hash());
    });
    report("  phase 3b: compute_hash alone", started, entries.len());
    Ok(())
}
