//! Legal holds (5.1.8): placing one on a person and period, releasing it, listing them. The
//! copies a hold keeps are made by the purge (`purge.rs`), when the day they cover is dropped.

use super::day_tables::{self, day_text};
use super::{lock_council, same_council};
use crate::{Store, db_error, rows, scope};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{CouncilId, LegalHoldId};
use custodian_core::monitor::LegalHold;
use custodian_core::ports::{ReleaseReport, StoreError, StoreResult};
use custodian_monitor::LocalDay;
use jiff::Timestamp;
use sqlx::any::AnyRow;

const HOLD_COLUMNS: &str = "id, council_id, person_id, from_day, to_day, reason, placed_by, \
                            placed_at, released_by, released_at";

pub(super) async fn place_hold(
    store: &Store,
    hold: &LegalHold,
    event: &AuditEvent,
) -> StoreResult<()> {
    let council = hold.council_id;
    same_council(event, council)?;
    if hold.to < hold.from {
        return Err(StoreError::Conflict(
            "a legal hold's last day must be on or after its first day".to_owned(),
        ));
    }
    if hold.reason.trim().is_empty() {
        return Err(StoreError::Conflict(
            "a legal hold needs a reason (for example the investigation it is for)".to_owned(),
        ));
    }
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    scope::require_people(&mut tx, council, [hold.person_id]).await?;
    sqlx::query(&format!(
        "INSERT INTO monitor_holds ({HOLD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(hold.id.to_string())
    .bind(council.to_string())
    .bind(hold.person_id.to_string())
    .bind(day_text(hold.from)?)
    .bind(day_text(hold.to)?)
    .bind(hold.reason.as_str())
    .bind(hold.placed_by.to_storage())
    .bind(hold.placed_at.as_millisecond())
    .bind(hold.released_by.as_ref().map(Actor::to_storage))
    .bind(hold.released_at.map(|t| t.as_millisecond()))
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn release_hold<F>(
    store: &Store,
    council: CouncilId,
    id: LegalHoldId,
    by: &Actor,
    at: Timestamp,
    cutoff: LocalDay,
    audit: F,
) -> StoreResult<ReleaseReport>
where
    F: FnOnce(&ReleaseReport) -> AuditEvent + Send,
{
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    let row = sqlx::query(&format!(
        "SELECT {HOLD_COLUMNS} FROM monitor_holds WHERE id = $1 AND council_id = $2"
    ))
    .bind(id.to_string())
    .bind(council.to_string())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_error)?
    .ok_or(StoreError::NotFound("legal hold"))?;
    let hold = hold(&row)?;
    if let Some(released) = hold.released_at {
        return Err(StoreError::Conflict(format!(
            "this legal hold was already released on {}",
            released.strftime("%-d %B %Y")
        )));
    }
    sqlx::query(
        "UPDATE monitor_holds SET released_by = $1, released_at = $2 \
         WHERE id = $3 AND council_id = $4",
    )
    .bind(by.to_storage())
    .bind(at.as_millisecond())
    .bind(id.to_string())
    .bind(council.to_string())
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    // The copies of days already past retention go, unless another active hold on the same
    // person still covers them.
    let last = if hold.to < cutoff {
        hold.to
    } else {
        LocalDay(cutoff.0 - 1)
    };
    let mut report = ReleaseReport::default();
    if hold.from <= last {
        for (table, slot) in [
            ("monitor_held_records", &mut report.held_records_removed),
            ("monitor_held_raw", &mut report.held_raw_removed),
        ] {
            *slot = sqlx::query(&format!(
                "DELETE FROM {table} WHERE council_id = $1 AND person_id = $2 \
                 AND day >= $3 AND day <= $4 AND NOT EXISTS (\
                 SELECT 1 FROM monitor_holds h WHERE h.council_id = {table}.council_id \
                 AND h.person_id = {table}.person_id AND h.released_at IS NULL \
                 AND h.from_day <= {table}.day AND h.to_day >= {table}.day)"
            ))
            .bind(council.to_string())
            .bind(hold.person_id.to_string())
            .bind(day_text(hold.from)?)
            .bind(day_text(last)?)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
        }
    }
    let event = audit(&report);
    same_council(&event, council)?;
    store.append_in(&mut tx, &event).await?;
    store.commit(tx).await?;
    Ok(report)
}

pub(super) async fn holds(store: &Store, council: CouncilId) -> StoreResult<Vec<LegalHold>> {
    let found = sqlx::query(&format!(
        "SELECT {HOLD_COLUMNS} FROM monitor_holds WHERE council_id = $1 \
         ORDER BY placed_at DESC, id DESC"
    ))
    .bind(council.to_string())
    .fetch_all(&store.read)
    .await
    .map_err(db_error)?;
    found.iter().map(hold).collect()
}

fn actor(row: &AnyRow, column: &str) -> StoreResult<Option<Actor>> {
    rows::opt_text(row, column)?
        .map(|text| {
            Actor::from_storage(&text)
                .ok_or_else(|| StoreError::Corrupt(format!("column {column}: {text:?}")))
        })
        .transpose()
}

fn hold(row: &AnyRow) -> StoreResult<LegalHold> {
    let id = rows::text(row, "id")?;
    Ok(LegalHold {
        id: LegalHoldId::parse(&id).map_err(|e| StoreError::Corrupt(format!("column id: {e}")))?,
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        from: day_tables::day(row, "from_day")?,
        to: day_tables::day(row, "to_day")?,
        reason: rows::text(row, "reason")?,
        placed_by: actor(row, "placed_by")?
            .ok_or_else(|| StoreError::Corrupt("column placed_by: empty".to_owned()))?,
        placed_at: rows::time(row, "placed_at")?,
        released_by: actor(row, "released_by")?,
        released_at: rows::opt_time(row, "released_at")?,
    })
}
