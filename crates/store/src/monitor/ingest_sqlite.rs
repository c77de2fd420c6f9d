//! Storing a batch in a SQLite file through a connection of its own (rusqlite) instead of
//! sqlx's `Any` driver.
//!
//! Why: the `Any` driver copies every bound value into an owned argument list and hands each
//! statement to a worker thread; for the 786,000 records of a week's 2,000,000-line Squid log
//! (34 values each) that was most of an ingest's time. Here each day's rows go through a few
//! prepared statements with the values bound in place.
//!
//! Still one transaction: the connection takes SQLite's write lock (`BEGIN IMMEDIATE`) while
//! the store's own writer connection is held, so this process's other writers wait their turn
//! as they would for a transaction on the pool, and records, raw lines, the batch row, the day
//! registry and the audit entry commit together. Any error drops the connection before the
//! commit, which rolls everything back.

use super::{
    Compressed, PhaseTimer, Plan, RECORD_BINDS, RawByDay, compress_all, insert_records_sql,
    new_report,
};
use crate::audit::values_placeholders;
use crate::monitor::attribution::Resolver;
use crate::monitor::day_tables::{DayTables, RAW_BINDS, RAW_COLUMNS, day_text};
use crate::monitor::{key_parts, same_council};
use crate::{Engine, Store, db_error};
use custodian_core::audit::{AuditEvent, ChainHead};
use custodian_core::ids::{CouncilId, MonitorBatchId};
use custodian_core::ports::{
    IngestOutcome, IngestReport, NewBatch, RawLines, StoreError, StoreResult,
};
use custodian_monitor::{Group, LocalDay};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Statement, params};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Records bound per INSERT (34 values each): enough to make the per-statement cost small,
/// few enough that the statement stays cheap to prepare.
const RECORDS_PER_STATEMENT: usize = 32;
/// Raw chunks per INSERT.
const RAW_PER_STATEMENT: usize = 16;

/// The SQLite file behind `store`, or `None` for a database without one (in memory).
pub(crate) async fn database_file(store: &Store) -> StoreResult<Option<PathBuf>> {
    let file: Option<String> =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_optional(&store.write)
            .await
            .map_err(db_error)?;
    Ok(file.filter(|f| !f.is_empty()).map(PathBuf::from))
}

pub(super) async fn ingest<F>(
    store: &Store,
    file: &Path,
    batch: &NewBatch,
    groups: &[Group],
    raw: Vec<RawLines>,
    audit: F,
) -> StoreResult<IngestOutcome>
where
    F: FnOnce(&IngestReport) -> AuditEvent + Send,
{
    let council = batch.council_id;
    let sha = batch.sha256_hex();
    let mut timer = PhaseTimer::start();
    let compressing = tokio::task::spawn_blocking(move || compress_all(raw));
    // The last batch's checkpoint ends before this one writes, so the write-ahead log starts
    // again from its beginning instead of growing.
    blocking(|| store.checkpoint.wait());
    // This process's other writers queue for the pool's one connection meanwhile.
    let _writer = store.write.acquire().await.map_err(db_error)?;
    // Taken before the write lock: opening a new pool connection writes to the file (its
    // `PRAGMA auto_vacuum`), so it would wait for the lock this ingest is holding.
    let mut read = store.read.acquire().await.map_err(db_error)?;
    let conn = blocking(|| open_and_begin(file))?;
    if let Some(earlier) = earlier_batch(&conn, council, &sha)? {
        return Ok(earlier);
    }
    council_exists(&conn, council)?;
    // Read with the write lock taken, so the identities cannot change before the commit.
    let resolver = Resolver::load(&mut read, council).await?;
    drop(read);
    timer.lap("begun, identities loaded");
    let mut plan = Plan::new(batch, groups, &resolver)?;
    timer.lap("attributed and sorted");

    let mut created = BTreeSet::new();
    blocking(|| {
        let existing = registered_days(&conn, council, plan.by_day.keys().copied())?;
        for (day, day_groups) in &plan.by_day {
            let tables = DayTables::of(council, *day)?;
            let merging = existing.contains(day);
            if merging {
                conn.execute_batch(&tables.merge_key_sql(Engine::Sqlite))
                    .map_err(sqlite_error)?;
            } else {
                conn.execute_batch(&tables.create_sql(Engine::Sqlite))
                    .map_err(sqlite_error)?;
                created.insert(*day);
            }
            insert_records(&conn, &tables.records, merging, &plan, day_groups)?;
        }
        Ok::<_, StoreError>(())
    })?;
    timer.lap("records inserted");

    let compressed = compressing
        .await
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
    timer.lap("compression awaited");
    let raw_by_day = plan.raw_by_day(&compressed, &resolver);

    let report = blocking(|| {
        // Raw lines on a day without groups (every line of the day malformed) need tables.
        let raw_only: Vec<LocalDay> = raw_by_day
            .keys()
            .filter(|day| !plan.by_day.contains_key(day))
            .copied()
            .collect();
        let raw_only_existing = registered_days(&conn, council, raw_only.iter().copied())?;
        for day in raw_only.iter().filter(|d| !raw_only_existing.contains(d)) {
            conn.execute_batch(&DayTables::of(council, *day)?.create_sql(Engine::Sqlite))
                .map_err(sqlite_error)?;
            created.insert(*day);
        }
        let mut raw_bytes = 0u64;
        for (day, chunks) in &raw_by_day {
            let tables = DayTables::of(council, *day)?;
            raw_bytes += insert_raw(&conn, &tables.raw, batch.id, chunks, &plan)?;
        }
        timer.lap("raw lines inserted");

        let all_days: BTreeSet<LocalDay> = plan
            .by_day
            .keys()
            .chain(raw_by_day.keys())
            .copied()
            .collect();
        insert_batch_row(&conn, batch, &sha, &all_days)?;
        register_days(&conn, batch, &plan, &raw_by_day, &all_days, &created)?;
        timer.lap("indexed and registered");
        Ok::<_, StoreError>(new_report(
            batch,
            sha.clone(),
            groups.len(),
            &plan,
            all_days,
            created.len(),
            compressed.len(),
            raw_bytes,
        ))
    })?;

    let event = audit(&report);
    same_council(&event, council)?;
    blocking(|| {
        append_audit(&conn, &event)?;
        timer.lap("audited");
        conn.execute_batch("COMMIT").map_err(sqlite_error)
    })?;
    store.changes_made();
    timer.lap("committed");
    // The batch is copied into the file straight away on a thread of its own: a server (or
    // any process that goes on) has it done long before the next batch; a command that ends
    // first leaves it to the next one (`Store::start_checkpoint`) or to SQLite.
    store.checkpoint.start(file);
    Ok(IngestOutcome::Stored(report))
}

/// Runs blocking work where the runtime allows it without stalling other tasks: on a
/// multi-threaded runtime (the server, the command line) the thread hands its other tasks on
/// first; a single-threaded runtime (tests) has nobody else to wait.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Opens the file as the pool's connections are set up (foreign keys, durable commits, the
/// same wait for a busy database) and takes the write lock.
fn open_and_begin(file: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(sqlite_error)?;
    // A page cache of up to 256 MiB (the default is 2 MiB) holds a large batch's new pages
    // until the commit instead of spilling them into the WAL part-way and writing some twice
    // (about a tenth less work for a 2,000,000-line week). It is this connection's own, filled
    // only as pages are written, and freed when the ingest ends. The commit is durable once the
    // write-ahead log is flushed; copying the batch into the database file is left to
    // `Store::start_checkpoint` (see `wal_checkpoint`), not done inside the commit. The
    // statement journals of the multi-row INSERTs stay in memory rather than temporary files.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -262144; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA temp_store = MEMORY; \
         BEGIN IMMEDIATE",
    )
    .map_err(sqlite_error)?;
    Ok(conn)
}

fn sqlite_error(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, _) = &error
        && matches!(
            failure.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    {
        return StoreError::Conflict("a record with the same key already exists".to_owned());
    }
    StoreError::Unavailable(Box::new(error))
}

fn earlier_batch(
    conn: &Connection,
    council: CouncilId,
    sha: &str,
) -> StoreResult<Option<IngestOutcome>> {
    let found: Option<(String, i64)> = conn
        .query_row(
            "SELECT id, ingested_at FROM monitor_batches \
             WHERE council_id = ?1 AND content_sha256 = ?2",
            params![council.to_string(), sha],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(sqlite_error)?;
    found
        .map(|(id, at)| {
            Ok(IngestOutcome::AlreadyIngested {
                batch: MonitorBatchId::parse(&id)
                    .map_err(|e| StoreError::Corrupt(format!("column id: {e}")))?,
                ingested_at: jiff::Timestamp::from_millisecond(at)
                    .map_err(|e| StoreError::Corrupt(format!("column ingested_at: {e}")))?,
            })
        })
        .transpose()
}

fn council_exists(conn: &Connection, council: CouncilId) -> StoreResult<()> {
    conn.query_row(
        "SELECT 1 FROM councils WHERE id = ?1",
        [council.to_string()],
        |_| Ok(()),
    )
    .optional()
    .map_err(sqlite_error)?
    .ok_or(StoreError::NotFound("council"))
}

/// Which of `days` the council already has tables for.
fn registered_days(
    conn: &Connection,
    council: CouncilId,
    days: impl Iterator<Item = LocalDay>,
) -> StoreResult<BTreeSet<LocalDay>> {
    let mut found = BTreeSet::new();
    let mut query = conn
        .prepare_cached("SELECT 1 FROM monitor_days WHERE council_id = ?1 AND day = ?2")
        .map_err(sqlite_error)?;
    let council = council.to_string();
    for day in days {
        if query
            .exists(params![council, day_text(day)?])
            .map_err(sqlite_error)?
        {
            found.insert(day);
        }
    }
    Ok(found)
}

/// A day's records, `RECORDS_PER_STATEMENT` to an INSERT and the rest one by one.
fn insert_records(
    conn: &Connection,
    table: &str,
    merging: bool,
    plan: &Plan<'_>,
    rows: &[(&Group, usize)],
) -> StoreResult<()> {
    let full = rows.len() / RECORDS_PER_STATEMENT * RECORDS_PER_STATEMENT;
    if full > 0 {
        let sql = insert_records_sql(Engine::Sqlite, table, RECORDS_PER_STATEMENT, merging);
        let mut insert = conn.prepare(&sql).map_err(sqlite_error)?;
        for chunk in rows[..full].chunks(RECORDS_PER_STATEMENT) {
            for (i, (group, person)) in chunk.iter().enumerate() {
                bind_record(&mut insert, i * RECORD_BINDS, plan, group, *person)
                    .map_err(sqlite_error)?;
            }
            insert.raw_execute().map_err(sqlite_error)?;
        }
    }
    if full < rows.len() {
        let sql = insert_records_sql(Engine::Sqlite, table, 1, merging);
        let mut insert = conn.prepare(&sql).map_err(sqlite_error)?;
        for (group, person) in &rows[full..] {
            bind_record(&mut insert, 0, plan, group, *person).map_err(sqlite_error)?;
            insert.raw_execute().map_err(sqlite_error)?;
        }
    }
    Ok(())
}

/// Binds one record's 34 values (in `record_columns` order) after the first `offset`.
fn bind_record(
    insert: &mut Statement<'_>,
    offset: usize,
    plan: &Plan<'_>,
    group: &Group,
    person: usize,
) -> rusqlite::Result<()> {
    let (kind, subject) = key_parts(&group.key);
    let (names, flagged) = plan.categories_of(group);
    let figures = &group.figures;
    insert.raw_bind_parameter(offset + 1, plan.people.text(person))?;
    insert.raw_bind_parameter(offset + 2, kind)?;
    insert.raw_bind_parameter(offset + 3, subject)?;
    insert.raw_bind_parameter(offset + 4, group.site.as_str())?;
    insert.raw_bind_parameter(offset + 5, figures.first.saturating_mul(1000))?;
    insert.raw_bind_parameter(offset + 6, figures.last.saturating_mul(1000))?;
    insert.raw_bind_parameter(offset + 7, clamp(figures.hits))?;
    insert.raw_bind_parameter(offset + 8, clamp(figures.bytes))?;
    for (hour, hits) in figures.hits_by_hour.iter().enumerate() {
        insert.raw_bind_parameter(offset + 9 + hour, i64::from(*hits))?;
    }
    insert.raw_bind_parameter(offset + 33, names)?;
    insert.raw_bind_parameter(offset + 34, i64::from(flagged))
}

fn clamp(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Writes one day's compressed chunks; returns their compressed size.
fn insert_raw(
    conn: &Connection,
    table: &str,
    batch: MonitorBatchId,
    chunks: &[(&Compressed, usize)],
    plan: &Plan<'_>,
) -> StoreResult<u64> {
    let batch = batch.to_string();
    let bind =
        |insert: &mut Statement<'_>, offset: usize, (chunk, person): &(&Compressed, usize)| {
            let (kind, subject) = key_parts(&chunk.key);
            insert.raw_bind_parameter(offset + 1, batch.as_str())?;
            insert.raw_bind_parameter(offset + 2, kind)?;
            insert.raw_bind_parameter(offset + 3, subject)?;
            insert.raw_bind_parameter(offset + 4, plan.people.text(*person))?;
            insert.raw_bind_parameter(offset + 5, chunk.line_count)?;
            insert.raw_bind_parameter(offset + 6, chunk.data.as_slice())
        };
    let sql_for = |rows: usize| {
        format!(
            "INSERT INTO {table} ({RAW_COLUMNS}) VALUES {}",
            values_placeholders(Engine::Sqlite, rows, RAW_BINDS)
        )
    };
    let full = chunks.len() / RAW_PER_STATEMENT * RAW_PER_STATEMENT;
    if full > 0 {
        let mut insert = conn
            .prepare(&sql_for(RAW_PER_STATEMENT))
            .map_err(sqlite_error)?;
        for group in chunks[..full].chunks(RAW_PER_STATEMENT) {
            for (i, chunk) in group.iter().enumerate() {
                bind(&mut insert, i * RAW_BINDS, chunk).map_err(sqlite_error)?;
            }
            insert.raw_execute().map_err(sqlite_error)?;
        }
    }
    if full < chunks.len() {
        let mut insert = conn.prepare(&sql_for(1)).map_err(sqlite_error)?;
        for chunk in &chunks[full..] {
            bind(&mut insert, 0, chunk).map_err(sqlite_error)?;
            insert.raw_execute().map_err(sqlite_error)?;
        }
    }
    Ok(chunks.iter().map(|(c, _)| c.data.len() as u64).sum())
}

fn insert_batch_row(
    conn: &Connection,
    batch: &NewBatch,
    sha: &str,
    days: &BTreeSet<LocalDay>,
) -> StoreResult<()> {
    let totals = batch.totals;
    conn.execute(
        "INSERT INTO monitor_batches (id, council_id, content_sha256, format, source_name, lines, \
         hits, bytes, malformed, group_count, first_day, last_day, ingested_at, ingested_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            batch.id.to_string(),
            batch.council_id.to_string(),
            sha,
            batch.format,
            batch.source_name,
            clamp(totals.lines),
            clamp(totals.hits),
            clamp(totals.bytes),
            clamp(totals.malformed),
            clamp(totals.groups),
            days.first().copied().map(day_text).transpose()?,
            days.last().copied().map(day_text).transpose()?,
            batch.ingested_at.as_millisecond(),
            batch.ingested_by.to_storage(),
        ],
    )
    .map_err(sqlite_error)?;
    Ok(())
}

/// Indexes each new day and registers it with its counts; updates the counts of days merged.
fn register_days(
    conn: &Connection,
    batch: &NewBatch,
    plan: &Plan<'_>,
    raw_by_day: &RawByDay<'_>,
    all_days: &BTreeSet<LocalDay>,
    created: &BTreeSet<LocalDay>,
) -> StoreResult<()> {
    let council = batch.council_id.to_string();
    for day in all_days {
        let tables = DayTables::of(batch.council_id, *day)?;
        let groups_of_day = plan.by_day.get(day).map_or(0, Vec::len);
        let chunks = raw_by_day.get(day).map_or(0, Vec::len);
        let chunks = i64::try_from(chunks).unwrap_or(i64::MAX);
        if created.contains(day) {
            conn.execute_batch(&tables.index_sql())
                .map_err(sqlite_error)?;
            conn.execute(
                "INSERT INTO monitor_days (council_id, day, records_rows, raw_chunks, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    council,
                    day_text(*day)?,
                    i64::try_from(groups_of_day).unwrap_or(i64::MAX),
                    chunks,
                    batch.ingested_at.as_millisecond(),
                ],
            )
            .map_err(sqlite_error)?;
        } else {
            // A merge may add rows or only update them: count the day (one day's rows).
            let count: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM {}", tables.records),
                    [],
                    |r| r.get(0),
                )
                .map_err(sqlite_error)?;
            conn.execute(
                "UPDATE monitor_days SET records_rows = ?1, raw_chunks = raw_chunks + ?2 \
                 WHERE council_id = ?3 AND day = ?4",
                params![count, chunks, council, day_text(*day)?],
            )
            .map_err(sqlite_error)?;
        }
    }
    Ok(())
}

/// The audit entry, chained to the council's last one as `Store::append_in` does (SQLite
/// needs no row lock: the write lock is already ours).
fn append_audit(conn: &Connection, event: &AuditEvent) -> StoreResult<()> {
    let council = event.council_id.to_string();
    let head = conn
        .query_row(
            "SELECT seq, hash FROM audit_log WHERE council_id = ?1 ORDER BY seq DESC LIMIT 1",
            [&council],
            |row| {
                Ok(ChainHead {
                    council_id: event.council_id,
                    seq: row.get(0)?,
                    hash: row.get(1)?,
                })
            },
        )
        .optional()
        .map_err(sqlite_error)?;
    let entry = event.clone().chain(head.as_ref());
    conn.execute(
        "INSERT INTO audit_log (council_id, seq, at, actor, action, subject, details, prev_hash, \
         hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            council,
            entry.seq,
            entry.at_ms,
            entry.actor,
            entry.action,
            entry.subject,
            entry.details,
            entry.prev_hash,
            entry.hash,
        ],
    )
    .map_err(sqlite_error)?;
    Ok(())
}
