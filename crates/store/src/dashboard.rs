//! Counts for the home page, computed in the database rather than by loading every row.

use crate::{Store, db_error, rows};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::ports::{AttentionCounts, DashboardStore, StoreResult};

impl DashboardStore for Store {
    async fn attention_counts(&self, council: CouncilId) -> StoreResult<AttentionCounts> {
        let id = council.to_string();
        // One row whatever the council has: the policy in force, if any, is left-joined. Who
        // has not signed it is `PolicyStore::unsigned_people`, which the home page also needs.
        let row = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM people WHERE council_id = $1 AND status = 'invited') AS invited,
                (SELECT COUNT(*) FROM incidents WHERE council_id = $2 AND status = 'open') AS open,
                (SELECT COUNT(*) FROM assets a
                   JOIN people p ON p.council_id = a.council_id AND p.id = a.holder_id
                  WHERE a.council_id = $4 AND a.status = 'issued' AND p.status = 'left')
                  AS with_leavers,
                (SELECT COUNT(*) FROM assets
                  WHERE council_id = $5 AND status = 'issued' AND acknowledged_at IS NULL)
                  AS unacknowledged,
                v.review_due
             FROM (SELECT 1 AS one) AS base
             LEFT JOIN policy_versions v ON v.council_id = $3 AND v.status = 'adopted'",
        )
        .bind(&id)
        .bind(&id)
        .bind(&id)
        .bind(&id)
        .bind(&id)
        .fetch_one(&self.read)
        .await
        .map_err(db_error)?;
        Ok(AttentionCounts {
            invited_people: rows::int(&row, "invited")?,
            open_incidents: rows::int(&row, "open")?,
            policy_review_due: rows::opt_date(&row, "review_due")?,
            items_with_leavers: rows::int(&row, "with_leavers")?,
            unacknowledged_items: rows::int(&row, "unacknowledged")?,
        })
    }

    async fn holders_awaiting_acknowledgement(
        &self,
        council: CouncilId,
    ) -> StoreResult<Vec<PersonId>> {
        let found = sqlx::query(
            "SELECT holder_id FROM assets
              WHERE council_id = $1 AND status = 'issued' AND acknowledged_at IS NULL",
        )
        .bind(council.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?;
        found
            .iter()
            .map(|row| rows::person_id(row, "holder_id"))
            .collect()
    }
}
