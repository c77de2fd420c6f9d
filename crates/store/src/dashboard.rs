//! Counts for the home page, computed in the database rather than by loading every row.

use crate::{Store, db_error, rows};
use custodian_core::ids::CouncilId;
use custodian_core::ports::{AttentionCounts, DashboardStore, StoreResult};

impl DashboardStore for Store {
    async fn attention_counts(&self, council: CouncilId) -> StoreResult<AttentionCounts> {
        let id = council.to_string();
        let row = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM people WHERE council_id = $1 AND status = 'invited') AS invited,
                (SELECT COUNT(*) FROM incidents WHERE council_id = $2 AND status = 'open') AS open",
        )
        .bind(&id)
        .bind(&id)
        .fetch_one(&self.read)
        .await
        .map_err(db_error)?;
        Ok(AttentionCounts {
            invited_people: rows::int(&row, "invited")?,
            open_incidents: rows::int(&row, "open")?,
        })
    }
}
