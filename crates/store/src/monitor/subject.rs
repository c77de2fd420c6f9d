//! Subject access and erasure (issue 7, item 7; 5.1.9): everything held about one person, and
//! removing it on request.

use super::day_tables::{self, DayTables, Lock};
use super::reports::Period;
use super::{lock_council, same_council, subject_key};
use crate::{Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, MonitorBatchId, PersonId};
use custodian_core::ports::{ErasureReport, RawExtract, StoreError, StoreResult, SubjectAccess};
use custodian_monitor::LocalDay;

pub(super) async fn subject_access(
    store: &Store,
    council: CouncilId,
    person: PersonId,
    from: LocalDay,
    to: LocalDay,
) -> StoreResult<SubjectAccess> {
    let person = person.to_string();
    // One read transaction for both, so the records and raw lines agree.
    let mut period = Period::open(store, council, from, to).await?;
    let records = period
        .records(
            "person_id = $4",
            &[&person],
            "site, subject_kind, subject, held",
        )
        .await?;
    let found = period
        .fetch(
            true,
            "batch_id, subject_kind, subject, line_count, lines",
            "person_id = $4",
            &[&person],
            "SELECT * FROM {rows} ORDER BY day, held, batch_id, subject_kind, subject",
        )
        .await?;
    let raw = found
        .iter()
        .map(|row| {
            let batch = rows::text(row, "batch_id")?;
            let compressed: Vec<u8> = sqlx::Row::try_get(row, "lines")
                .map_err(|e| StoreError::Corrupt(format!("column lines: {e}")))?;
            let lines = zstd::decode_all(compressed.as_slice()).map_err(|e| {
                StoreError::Corrupt(format!("raw log lines could not be decompressed: {e}"))
            })?;
            Ok(RawExtract {
                day: day_tables::day(row, "day")?,
                batch: MonitorBatchId::parse(&batch)
                    .map_err(|e| StoreError::Corrupt(format!("column batch_id: {e}")))?,
                key: subject_key(row, "subject_kind", "subject")?,
                line_count: u64::try_from(rows::int(row, "line_count")?).unwrap_or(0),
                lines,
                held: rows::int(row, "held")? != 0,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(SubjectAccess { records, raw })
}

pub(super) async fn erase_person<F>(
    store: &Store,
    council: CouncilId,
    person: PersonId,
    audit: F,
) -> StoreResult<ErasureReport>
where
    F: FnOnce(&ErasureReport) -> AuditEvent + Send,
{
    let person_text = person.to_string();
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    // Records under a legal hold are kept for the investigation (UK GDPR art. 17(3)(e)): the
    // hold must be released before they can be erased.
    let held = sqlx::query(
        "SELECT id FROM monitor_holds WHERE council_id = $1 AND person_id = $2 \
         AND released_at IS NULL",
    )
    .bind(council.to_string())
    .bind(&person_text)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_error)?;
    if held.is_some() {
        return Err(StoreError::Conflict(
            "this person's monitoring records are under a legal hold, so they cannot be erased \
             yet; release the hold first if the investigation is over"
                .to_owned(),
        ));
    }
    let days =
        day_tables::registered(&mut tx, store.engine, council, None, None, Lock::Update).await?;
    let mut report = ErasureReport::default();
    for registered in days {
        let tables = DayTables::of(council, registered.day)?;
        let mut removed = [0u64; 2];
        for (slot, table) in [&tables.records, &tables.raw].into_iter().enumerate() {
            removed[slot] = sqlx::query(&format!("DELETE FROM {table} WHERE person_id = $1"))
                .bind(&person_text)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
        }
        if removed != [0, 0] {
            report.days += 1;
            report.records_removed += removed[0];
            report.raw_chunks_removed += removed[1];
            day_tables::adjust_counts(
                &mut tx,
                council,
                registered.day,
                -i64::try_from(removed[0]).unwrap_or(i64::MAX),
                -i64::try_from(removed[1]).unwrap_or(i64::MAX),
            )
            .await?;
        }
    }
    // Copies kept by a hold since released (and not yet expired by a purge).
    for (table, slot) in [
        ("monitor_held_records", &mut report.held_records_removed),
        ("monitor_held_raw", &mut report.held_raw_removed),
    ] {
        *slot = sqlx::query(&format!(
            "DELETE FROM {table} WHERE council_id = $1 AND person_id = $2"
        ))
        .bind(council.to_string())
        .bind(&person_text)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?
        .rows_affected();
    }
    let event = audit(&report);
    same_council(&event, council)?;
    store.append_in(&mut tx, &event).await?;
    store.commit(tx).await?;
    Ok(report)
}
