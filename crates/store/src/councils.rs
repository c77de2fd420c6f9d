//! Councils.

use crate::people::insert_person_in;
use crate::{Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::council::{Council, CouncilName, CouncilSettings};
use custodian_core::ids::CouncilId;
use custodian_core::person::Person;
use custodian_core::ports::{CouncilStore, StoreError, StoreResult};

fn settings_json(settings: &CouncilSettings) -> StoreResult<String> {
    serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl CouncilStore for Store {
    async fn create_council(
        &self,
        council: &Council,
        clerk: &Person,
        events: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        sqlx::query(
            "INSERT INTO councils (id, name, kind, settings, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(council.id.to_string())
        .bind(council.name.as_str())
        .bind(council.kind.as_str())
        .bind(settings_json(&council.settings)?)
        .bind(council.created_at.as_millisecond())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_person_in(&mut tx, clerk).await?;
        for event in events {
            self.append_in(&mut tx, event).await?;
        }
        self.commit(tx).await
    }

    async fn council(&self, id: CouncilId) -> StoreResult<Council> {
        let row =
            sqlx::query("SELECT id, name, kind, settings, created_at FROM councils WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.read)
                .await
                .map_err(db_error)?
                .ok_or(StoreError::NotFound("council"))?;
        rows::council(&row)
    }

    async fn councils(&self) -> StoreResult<Vec<Council>> {
        sqlx::query("SELECT id, name, kind, settings, created_at FROM councils ORDER BY name")
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::council)
            .collect()
    }

    async fn update_council(
        &self,
        id: CouncilId,
        name: &CouncilName,
        settings: &CouncilSettings,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query("UPDATE councils SET name = $1, settings = $2 WHERE id = $3")
            .bind(name.as_str())
            .bind(settings_json(settings)?)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("council"));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }
}
