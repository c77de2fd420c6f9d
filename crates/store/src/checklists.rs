//! What the joining and leaving checklists' storage shares: a mark's columns each way, and
//! recording a list closed once.

use crate::{db_error, rows};
use custodian_core::checklist::Mark;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::ports::{StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// The settled-by, settled-at and note (or reason) columns of a mark.
pub(crate) fn mark_columns(mark: &Mark) -> (Option<String>, Option<i64>, Option<&str>) {
    match mark {
        Mark::Open => (None, None, None),
        Mark::Done { by, at, note } => (
            Some(by.to_string()),
            Some(at.as_millisecond()),
            note.as_deref(),
        ),
        Mark::Waived { by, at, reason } => (
            Some(by.to_string()),
            Some(at.as_millisecond()),
            Some(reason.as_str()),
        ),
    }
}

/// The mark stored in `row` (`state`, `settled_by`, `settled_at` and the text column `text`);
/// `item` names the item in the message if the row is inconsistent.
pub(crate) fn mark_of(row: &AnyRow, text: &str, item: &str) -> StoreResult<Mark> {
    let by = rows::opt_person_id(row, "settled_by")?;
    let at = rows::opt_time(row, "settled_at")?;
    let note = rows::opt_text(row, text)?;
    let state = rows::text(row, "state")?;
    match (state.as_str(), by, at) {
        ("open", None, None) => Ok(Mark::Open),
        ("done", Some(by), Some(at)) => Ok(Mark::Done { by, at, note }),
        ("waived", Some(by), Some(at)) => Ok(Mark::Waived {
            by,
            at,
            reason: note.unwrap_or_default(),
        }),
        _ => Err(StoreError::Corrupt(format!(
            "{item} has the state \"{state}\" without who and when"
        ))),
    }
}

/// Records the list in `table` closed, once: a list already closed is `Conflict`, a missing
/// one `NotFound(what)`.
pub(crate) async fn set_closed_in(
    conn: &mut AnyConnection,
    table: &'static str,
    what: &'static str,
    council: CouncilId,
    person: PersonId,
    at: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query(&format!(
        "UPDATE {table} SET closed_at = $1
         WHERE council_id = $2 AND person_id = $3 AND closed_at IS NULL"
    ))
    .bind(at.as_millisecond())
    .bind(council.to_string())
    .bind(person.to_string())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let exists = sqlx::query(&format!(
        "SELECT 1 AS one FROM {table} WHERE council_id = $1 AND person_id = $2"
    ))
    .bind(council.to_string())
    .bind(person.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    Err(match exists {
        Some(_) => StoreError::Conflict("The checklist is already recorded as closed.".to_owned()),
        None => StoreError::NotFound(what),
    })
}
