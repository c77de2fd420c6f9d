//! Upload keys (issue 7): [`MonitorKeyStore`] on both engines. Only each key's SHA-256 is
//! stored; making and revoking one are committed with their audit entries.

use super::same_council;
use crate::scope::require_people;
use crate::{Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, MonitorUploadKeyId};
use custodian_core::ports::{MonitorKeyStore, MonitorUploadKey, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::any::AnyRow;

const COLUMNS: &str =
    "id, council_id, name, key_hash, created_at, created_by, last_used_at, revoked_at";

fn key_of(row: &AnyRow) -> StoreResult<MonitorUploadKey> {
    let id = rows::text(row, "id")?;
    Ok(MonitorUploadKey {
        id: MonitorUploadKeyId::parse(&id)
            .map_err(|e| StoreError::Corrupt(format!("column id: {e}")))?,
        council_id: rows::council_id(row, "council_id")?,
        name: rows::text(row, "name")?,
        key_hash: rows::text(row, "key_hash")?,
        created_at: rows::time(row, "created_at")?,
        created_by: rows::person_id(row, "created_by")?,
        last_used_at: rows::opt_time(row, "last_used_at")?,
        revoked_at: rows::opt_time(row, "revoked_at")?,
    })
}

impl MonitorKeyStore for Store {
    async fn insert_monitor_key(
        &self,
        key: &MonitorUploadKey,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        same_council(event, key.council_id)?;
        if !key.is_live() || key.last_used_at.is_some() {
            return Err(StoreError::Conflict(
                "a new upload key must be live and unused".to_owned(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        require_people(&mut tx, key.council_id, [key.created_by]).await?;
        sqlx::query(
            "INSERT INTO monitor_upload_keys (id, council_id, name, key_hash, created_at, \
             created_by, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)",
        )
        .bind(key.id.to_string())
        .bind(key.council_id.to_string())
        .bind(&key.name)
        .bind(&key.key_hash)
        .bind(key.created_at.as_millisecond())
        .bind(key.created_by.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn monitor_keys(&self, council: CouncilId) -> StoreResult<Vec<MonitorUploadKey>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM monitor_upload_keys WHERE council_id = $1
             ORDER BY created_at DESC, id DESC"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(key_of)
            .collect()
    }

    async fn revoke_monitor_key(
        &self,
        council: CouncilId,
        id: MonitorUploadKeyId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        same_council(event, council)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let found = sqlx::query(
            "SELECT revoked_at FROM monitor_upload_keys WHERE council_id = $1 AND id = $2",
        )
        .bind(council.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?
        .ok_or(StoreError::NotFound("upload key"))?;
        if rows::opt_time(&found, "revoked_at")?.is_some() {
            return Err(StoreError::Conflict(
                "This upload key was already revoked.".to_owned(),
            ));
        }
        // A clock set back must not break the row's check: never revoked before it was made.
        sqlx::query(
            "UPDATE monitor_upload_keys
             SET revoked_at = CASE WHEN created_at > $1 THEN created_at ELSE $1 END
             WHERE council_id = $2 AND id = $3 AND revoked_at IS NULL",
        )
        .bind(at.as_millisecond())
        .bind(council.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn live_monitor_key(&self, key_hash: &str) -> StoreResult<Option<MonitorUploadKey>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM monitor_upload_keys WHERE key_hash = $1 AND revoked_at IS NULL"
        );
        sqlx::query(&sql)
            .bind(key_hash)
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(key_of)
            .transpose()
    }

    async fn touch_monitor_key(
        &self,
        council: CouncilId,
        id: MonitorUploadKeyId,
        at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE monitor_upload_keys SET last_used_at = $1 WHERE council_id = $2 AND id = $3",
        )
        .bind(at.as_millisecond())
        .bind(council.to_string())
        .bind(id.to_string())
        .execute(&self.write)
        .await
        .map_err(db_error)?;
        self.changes_made();
        Ok(())
    }
}
