//! Browser sessions. Only token hashes are stored.

use crate::{Store, db_error, rows};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::AccountId;
use custodian_core::ports::{Session, SessionStore, StoreResult};
use jiff::Timestamp;

impl SessionStore for Store {
    async fn insert_session(&self, session: &Session, event: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, council_id, person_id, csrf_token, mfa_passed, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&session.token_hash)
        .bind(session.account_id.to_string())
        .bind(session.council_id.to_string())
        .bind(session.person_id.to_string())
        .bind(&session.csrf_token)
        .bind(i64::from(session.mfa_passed))
        .bind(session.created_at.as_millisecond())
        .bind(session.last_seen_at.as_millisecond())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        sqlx::query(
            "SELECT token_hash, account_id, council_id, person_id, csrf_token, mfa_passed, created_at, last_seen_at
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(rows::session)
        .transpose()
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at.as_millisecond())
            .bind(token_hash)
            .execute(&self.write)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn update_session(&self, session: &Session) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sessions SET council_id = $1, person_id = $2, mfa_passed = $3, last_seen_at = $4
             WHERE token_hash = $5",
        )
        .bind(session.council_id.to_string())
        .bind(session.person_id.to_string())
        .bind(i64::from(session.mfa_passed))
        .bind(session.last_seen_at.as_millisecond())
        .bind(&session.token_hash)
        .execute(&self.write)
        .await
        .map_err(db_error)?;
        self.changes_made();
        Ok(())
    }

    async fn delete_session(
        &self,
        token_hash: &str,
        event: Option<&AuditEvent>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if let Some(event) = event {
            self.append_in(&mut tx, event).await?;
        }
        self.commit(tx).await
    }

    async fn delete_account_sessions(
        &self,
        account: AccountId,
        event: &AuditEvent,
    ) -> StoreResult<u64> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await?;
        Ok(done.rows_affected())
    }
}
