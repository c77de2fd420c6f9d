//! Passkeys (WebAuthn credentials) registered to accounts as a second factor. The credential is
//! stored as the web layer hands it over (JSON text); this module never looks inside it.

use crate::{Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::AccountId;
use custodian_core::ports::{PasskeyRecord, PasskeyStore, StoreError, StoreResult};

impl PasskeyStore for Store {
    async fn insert_passkey(&self, passkey: &PasskeyRecord, event: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        sqlx::query(
            "INSERT INTO passkeys (id, account_id, name, credential, created_at, last_used_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&passkey.id)
        .bind(passkey.account_id.to_string())
        .bind(&passkey.name)
        .bind(&passkey.credential)
        .bind(passkey.created_at.as_millisecond())
        .bind(passkey.last_used_at.map(|t| t.as_millisecond()))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn passkeys(&self, account: AccountId) -> StoreResult<Vec<PasskeyRecord>> {
        sqlx::query(
            "SELECT id, account_id, name, credential, created_at, last_used_at
             FROM passkeys WHERE account_id = $1 ORDER BY created_at, id",
        )
        .bind(account.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?
        .iter()
        .map(rows::passkey)
        .collect()
    }

    async fn record_passkey_use(
        &self,
        passkey: &PasskeyRecord,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query(
            "UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3 AND account_id = $4",
        )
        .bind(&passkey.credential)
        .bind(passkey.last_used_at.map(|t| t.as_millisecond()))
        .bind(&passkey.id)
        .bind(passkey.account_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("passkey"));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn delete_passkey(
        &self,
        account: AccountId,
        id: &str,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("passkey"));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }
}
