//! Counts for the home page, computed in the database rather than by loading every row.

use crate::{Store, db_error, rows};
use custodian_core::ids::CouncilId;
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::{AttentionCounts, DashboardStore, StoreError, StoreResult};

impl DashboardStore for Store {
    async fn attention_counts(&self, council: CouncilId) -> StoreResult<AttentionCounts> {
        let id = council.to_string();
        // One row whatever the council has: the policy in force, if any, is left-joined. Without
        // one, `unsigned` counts every active person and is ignored below.
        let row = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM people WHERE council_id = $1 AND status = 'invited') AS invited,
                (SELECT COUNT(*) FROM incidents WHERE council_id = $2 AND status = 'open') AS open,
                v.profile_json, v.review_due,
                (SELECT COUNT(*) FROM people p
                 WHERE p.council_id = $3 AND p.status = 'active' AND p.roles <> 'auditor'
                   AND NOT EXISTS (SELECT 1 FROM policy_declarations d
                                   WHERE d.version_id = v.id AND d.person_id = p.id)) AS unsigned
             FROM (SELECT 1 AS one) AS base
             LEFT JOIN policy_versions v ON v.council_id = $4 AND v.status = 'adopted'",
        )
        .bind(&id)
        .bind(&id)
        .bind(&id)
        .bind(&id)
        .fetch_one(&self.read)
        .await
        .map_err(db_error)?;
        let profile = rows::opt_text(&row, "profile_json")?
            .map(|json| PolicyProfile::from_json(&json))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("column profile_json: {e}")))?;
        let declaration_required = profile.is_some_and(|p| p.declaration_required);
        Ok(AttentionCounts {
            invited_people: rows::int(&row, "invited")?,
            open_incidents: rows::int(&row, "open")?,
            unsigned_declarations: if declaration_required {
                rows::int(&row, "unsigned")?
            } else {
                0
            },
            policy_review_due: rows::opt_date(&row, "review_due")?,
        })
    }
}
