//! A council's monitoring settings: whether it is on, the category lists and choices, who may
//! view records, and the impact assessment (5.1.6, 5.1.7). Whether it may be switched on is
//! `core::monitor`'s rule, checked before saving.

use super::{lock_council, same_council};
use crate::{Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::CouncilId;
use custodian_core::person::RoleSet;
use custodian_core::ports::{MonitorSettings, StoreError, StoreResult};
use sqlx::any::AnyRow;

pub(super) async fn monitor_settings(
    store: &Store,
    council: CouncilId,
) -> StoreResult<Option<MonitorSettings>> {
    let row = sqlx::query(
        "SELECT council_id, enabled, categories_path, flagged_categories, allowed_categories, \
         viewer_roles, assessment, assessment_recorded_at, assessment_recorded_by, updated_at \
         FROM monitor_settings WHERE council_id = $1",
    )
    .bind(council.to_string())
    .fetch_optional(&store.read)
    .await
    .map_err(db_error)?;
    row.as_ref().map(settings).transpose()
}

fn json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> StoreResult<T> {
    serde_json::from_str(&rows::text(row, column)?)
        .map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
}

fn settings(row: &AnyRow) -> StoreResult<MonitorSettings> {
    let assessment = rows::opt_text(row, "assessment")?
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("column assessment: {e}")))
        })
        .transpose()?;
    Ok(MonitorSettings {
        council_id: rows::council_id(row, "council_id")?,
        enabled: rows::int(row, "enabled")? != 0,
        categories_path: rows::opt_text(row, "categories_path")?,
        flagged_categories: json(row, "flagged_categories")?,
        allowed_categories: json(row, "allowed_categories")?,
        viewer_roles: json::<RoleSet>(row, "viewer_roles")?,
        assessment,
        assessment_recorded_at: rows::opt_time(row, "assessment_recorded_at")?,
        assessment_recorded_by: rows::opt_person_id(row, "assessment_recorded_by")?,
        updated_at: rows::time(row, "updated_at")?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Unavailable(Box::new(e)))
}

pub(super) async fn save_monitor_settings(
    store: &Store,
    settings: &MonitorSettings,
    event: &AuditEvent,
) -> StoreResult<()> {
    let council = settings.council_id;
    same_council(event, council)?;
    let mut tx = store.write.begin().await.map_err(db_error)?;
    lock_council(store, &mut tx, council).await?;
    if let Some(person) = settings.assessment_recorded_by {
        crate::scope::require_people(&mut tx, council, [person]).await?;
    }
    sqlx::query(
        "INSERT INTO monitor_settings (council_id, enabled, categories_path, flagged_categories, \
         allowed_categories, viewer_roles, assessment, assessment_recorded_at, \
         assessment_recorded_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (council_id) DO UPDATE SET enabled = excluded.enabled, \
         categories_path = excluded.categories_path, \
         flagged_categories = excluded.flagged_categories, \
         allowed_categories = excluded.allowed_categories, \
         viewer_roles = excluded.viewer_roles, assessment = excluded.assessment, \
         assessment_recorded_at = excluded.assessment_recorded_at, \
         assessment_recorded_by = excluded.assessment_recorded_by, \
         updated_at = excluded.updated_at",
    )
    .bind(council.to_string())
    .bind(i64::from(settings.enabled))
    .bind(settings.categories_path.as_deref())
    .bind(to_json(&settings.flagged_categories)?)
    .bind(to_json(&settings.allowed_categories)?)
    .bind(to_json(&settings.viewer_roles)?)
    .bind(settings.assessment.as_ref().map(to_json).transpose()?)
    .bind(settings.assessment_recorded_at.map(|t| t.as_millisecond()))
    .bind(settings.assessment_recorded_by.map(|p| p.to_string()))
    .bind(settings.updated_at.as_millisecond())
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}
