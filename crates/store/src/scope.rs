//! Checks that what a change names belongs to the council it is made in, inside the change's
//! transaction: a clear `NotFound` rather than a foreign-key failure (which would also abort a
//! PostgreSQL transaction, and on SQLite is the only check where a column was added later).

use crate::db_error;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::ports::{StoreError, StoreResult};
use sqlx::AnyConnection;

/// Every person named is one of `council`'s people; otherwise `NotFound("person")`. Each
/// person is looked up once, whatever the order or repetition.
pub(crate) async fn require_people(
    conn: &mut AnyConnection,
    council: CouncilId,
    people: impl IntoIterator<Item = PersonId>,
) -> StoreResult<()> {
    let mut people: Vec<PersonId> = people.into_iter().collect();
    people.sort();
    people.dedup();
    let council = council.to_string();
    for person in people {
        sqlx::query("SELECT id FROM people WHERE id = $1 AND council_id = $2")
            .bind(person.to_string())
            .bind(&council)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("person"))?;
    }
    Ok(())
}
