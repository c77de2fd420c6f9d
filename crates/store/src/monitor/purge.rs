//! Retention (issue 7, item 6; 5.1.8, 5.1.11): dropping whole days, keeping aside the rows of
//! people under a legal hold, and giving the space back.
//!
//! A purge costs a few statements per day dropped plus the held rows it copies, whatever the
//! number of records: the day counts come from the registry, and `DROP TABLE` does not visit
//! rows. On PostgreSQL dropping a table returns its files at once. On SQLite the dropped pages
//! go to the freelist; new databases are made with `auto_vacuum = INCREMENTAL` (see
//! `sqlite_pool` in lib.rs), so after the purge `PRAGMA incremental_vacuum` truncates the file
//! by the pages freed. That moves the pages of newer days down into the holes the oldest day
//! left (about 200 ms for a day of a 2,000,000-line week, ten times the drop itself), so it runs
//! after the purge's commit, in steps, on the writer connection taken before the purge returns:
//! the next write waits for the space to be returned rather than finding it half done.
//! An older database (without incremental auto-vacuum) keeps its freed pages for reuse; see
//! [`make_space_returnable`].

use super::day_tables::{self, DayTables, Lock, day_text, record_columns};
use super::{lock_council, same_council};
use crate::{Engine, Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::CouncilId;
use custodian_core::ports::{PurgeReport, StoreResult};
use custodian_monitor::LocalDay;
use sqlx::{AnyConnection, AnyPool, Executor};

/// An active hold as the purge needs it.
struct ActiveHold {
    id: String,
    person: String,
    from: LocalDay,
    to: LocalDay,
}

pub(super) async fn purge_days_before<F>(
    store: &Store,
    council: CouncilId,
    cutoff: LocalDay,
    audit: F,
) -> StoreResult<PurgeReport>
where
    F: FnOnce(&PurgeReport) -> AuditEvent + Send,
{
    let cutoff_text = day_text(cutoff)?;
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    let before = LocalDay(cutoff.0 - 1);
    let days = day_tables::registered(
        &mut tx,
        store.engine,
        council,
        None,
        Some(before),
        Lock::Update,
    )
    .await?;
    let holds = active_holds(&mut tx, council).await?;
    let mut report = PurgeReport::default();
    for registered in &days {
        let tables = DayTables::of(council, registered.day)?;
        // One copy per person, made under the first hold placed that covers the day.
        let mut kept_people: Vec<&str> = Vec::new();
        for hold in &holds {
            if hold.from <= registered.day
                && registered.day <= hold.to
                && !kept_people.contains(&hold.person.as_str())
            {
                kept_people.push(&hold.person);
                let (records, raw) = keep_for_hold(&mut tx, council, &tables, hold).await?;
                report.records_kept_for_holds += records;
                report.raw_chunks_kept_for_holds += raw;
            }
        }
        tx.execute(tables.drop_sql().as_str())
            .await
            .map_err(db_error)?;
        report.days_dropped += 1;
        report.records_removed += u64::try_from(registered.records).unwrap_or(0);
        report.raw_chunks_removed += u64::try_from(registered.raw_chunks).unwrap_or(0);
    }
    report.first_day_dropped = days.first().map(|d| d.day);
    report.last_day_dropped = days.last().map(|d| d.day);
    sqlx::query("DELETE FROM monitor_days WHERE council_id = $1 AND day < $2")
        .bind(council.to_string())
        .bind(&cutoff_text)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    // Held copies that no active hold covers any longer (a hold released with a later cutoff
    // than today's, or shortened) go now. Only held rows are visited.
    for (table, slot) in [
        ("monitor_held_records", &mut report.held_records_expired),
        ("monitor_held_raw", &mut report.held_raw_expired),
    ] {
        *slot = sqlx::query(&format!(
            "DELETE FROM {table} WHERE council_id = $1 AND day < $2 AND NOT EXISTS (\
             SELECT 1 FROM monitor_holds h WHERE h.council_id = {table}.council_id \
             AND h.person_id = {table}.person_id AND h.released_at IS NULL \
             AND h.from_day <= {table}.day AND h.to_day >= {table}.day)"
        ))
        .bind(council.to_string())
        .bind(&cutoff_text)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?
        .rows_affected();
    }
    let event = audit(&report);
    same_council(&event, council)?;
    store.append_in(&mut tx, &event).await?;
    store.commit(tx).await?;
    if report.days_dropped > 0 {
        return_free_pages_after(store).await;
    }
    Ok(report)
}

async fn active_holds(
    conn: &mut AnyConnection,
    council: CouncilId,
) -> StoreResult<Vec<ActiveHold>> {
    let found = sqlx::query(
        "SELECT id, person_id, from_day, to_day FROM monitor_holds \
         WHERE council_id = $1 AND released_at IS NULL ORDER BY placed_at, id",
    )
    .bind(council.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    found
        .iter()
        .map(|row| {
            Ok(ActiveHold {
                id: rows::text(row, "id")?,
                person: rows::text(row, "person_id")?,
                from: day_tables::day(row, "from_day")?,
                to: day_tables::day(row, "to_day")?,
            })
        })
        .collect()
}

/// Copies one held person's rows of a day aside; returns (records, raw chunks) copied.
async fn keep_for_hold(
    conn: &mut AnyConnection,
    council: CouncilId,
    tables: &DayTables,
    hold: &ActiveHold,
) -> StoreResult<(u64, u64)> {
    let columns = record_columns();
    let day = day_text(tables.day)?;
    // ON CONFLICT: a day re-ingested after an earlier purge already has its copies.
    let records = format!(
        "INSERT INTO monitor_held_records (council_id, day, hold_id, {columns}) \
         SELECT $1, $2, $3, {columns} FROM {table} WHERE person_id = $4 ON CONFLICT DO NOTHING",
        table = tables.records
    );
    let raw = format!(
        "INSERT INTO monitor_held_raw (council_id, day, hold_id, batch_id, subject_kind, \
         subject, person_id, line_count, lines) \
         SELECT $1, $2, $3, batch_id, subject_kind, subject, person_id, line_count, lines \
         FROM {table} WHERE person_id = $4 ON CONFLICT DO NOTHING",
        table = tables.raw
    );
    let mut counts = [0u64; 2];
    for (slot, sql) in [records, raw].iter().enumerate() {
        counts[slot] = sqlx::query(sql)
            .bind(council.to_string())
            .bind(&day)
            .bind(&hold.id)
            .bind(&hold.person)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?
            .rows_affected();
    }
    Ok((counts[0], counts[1]))
}

/// Pages returned to the disk by one step of the vacuum (16 MiB of 4 KiB pages): each step is
/// its own short transaction, so a step interrupted keeps the steps before it.
const VACUUM_STEP_PAGES: i64 = 4096;

/// On SQLite, truncates the file by the pages a purge freed, in the background: the writer
/// connection is taken here (so whatever this process writes next waits for the space to be
/// returned), then given back once the freelist is empty. A no-op on a database still without
/// incremental auto-vacuum, whose free pages stay for reuse. Failing loses nothing (the purge
/// is committed), so it is logged rather than returned.
async fn return_free_pages_after(store: &Store) {
    if store.engine != Engine::Sqlite {
        return;
    }
    let conn = match store.write.acquire().await {
        Ok(conn) => conn,
        Err(error) => {
            tracing::warn!(%error, "could not return the space freed by a monitoring purge");
            return;
        }
    };
    tokio::spawn(async move {
        let mut conn = conn;
        if let Err(error) = vacuum_in_steps(&mut conn).await {
            tracing::warn!(%error, "could not return the space freed by a monitoring purge");
        }
    });
}

async fn vacuum_in_steps(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let free_pages = || sqlx::query_scalar::<_, i64>("PRAGMA freelist_count");
    let mut free = free_pages().fetch_one(&mut *conn).await?;
    while free > 0 {
        conn.execute(format!("PRAGMA incremental_vacuum({VACUUM_STEP_PAGES})").as_str())
            .await?;
        let left = free_pages().fetch_one(&mut *conn).await?;
        if left >= free {
            // Nothing moved: the database has no incremental auto-vacuum.
            break;
        }
        free = left;
    }
    Ok(())
}

/// Whether purged days return their space to the disk: always on PostgreSQL; on SQLite when
/// the database was created with incremental auto-vacuum (every database Custodian creates
/// now is). An older SQLite database is not rewritten unasked; the log says how to do it.
pub(crate) async fn make_space_returnable(pool: &AnyPool, engine: Engine) -> bool {
    if engine != Engine::Sqlite {
        return true;
    }
    let mode = async {
        sqlx::query("PRAGMA auto_vacuum")
            .fetch_one(pool)
            .await
            .and_then(|row| sqlx::Row::try_get::<i64, _>(&row, 0))
    };
    match mode.await {
        Ok(0) => {}
        Ok(_) => return true,
        Err(error) => {
            tracing::warn!(%error, "could not read the database's auto-vacuum setting");
            return false;
        }
    }
    // Switching an existing database over needs a VACUUM, which rewrites the whole file and
    // waits for every other connection (a running server, another command): too much to do
    // unasked at start-up, so the operator is told how instead.
    tracing::warn!(
        "this SQLite database was created before Custodian returned the space of purged \
         monitoring days to the disk; purged space is reused instead. To return it, stop \
         Custodian and run `PRAGMA auto_vacuum = INCREMENTAL; VACUUM;` on the database once \
         with sqlite3 (see docs/monitoring.md)"
    );
    false
}
