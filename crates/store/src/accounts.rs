//! Sign-in accounts and invitations.

use crate::rows::{self, ACCOUNT_COLUMNS};
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{AccountId, PersonId};
use custodian_core::person::Email;
use custodian_core::ports::{
    Account, AccountStore, Invitation, LinkPurpose, StoreError, StoreResult,
};
use jiff::Timestamp;

fn codes_json(account: &Account) -> StoreResult<String> {
    serde_json::to_string(&account.recovery_code_hashes)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl AccountStore for Store {
    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1");
        sqlx::query(&sql)
            .bind(email.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(rows::account)
            .transpose()
    }

    async fn account(&self, id: AccountId) -> StoreResult<Account> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("account"))?;
        rows::account(&row)
    }

    async fn accept_invitation(
        &self,
        invitation_hash: &str,
        account: &Account,
        create_account: bool,
        person: PersonId,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        use_link(
            &mut tx,
            invitation_hash,
            person,
            LinkPurpose::Invitation,
            event.at,
        )
        .await?;
        if create_account {
            sqlx::query(
                "INSERT INTO accounts (id, email, password_hash, failed_attempts, locked_until, totp_secret, recovery_codes, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(account.id.to_string())
            .bind(account.email.as_str())
            .bind(&account.password_hash)
            .bind(account.failed_attempts)
            .bind(account.locked_until.map(|t| t.as_millisecond()))
            .bind(account.totp_secret.as_deref())
            .bind(codes_json(account)?)
            .bind(account.created_at.as_millisecond())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        let linked = sqlx::query(
            "UPDATE people SET account_id = $1, status = 'active' WHERE id = $2 AND council_id = $3 AND status = 'invited'",
        )
        .bind(account.id.to_string())
        .bind(person.to_string())
        .bind(event.council_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if linked.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this person is no longer waiting to accept an invitation".to_owned(),
            ));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn record_failed_sign_in(
        &self,
        account: AccountId,
        attempts: i64,
        locked_until: Option<Timestamp>,
        events: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        sqlx::query("UPDATE accounts SET failed_attempts = $1, locked_until = $2 WHERE id = $3")
            .bind(attempts)
            .bind(locked_until.map(|t| t.as_millisecond()))
            .bind(account.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        for event in events {
            self.append_in(&mut tx, event).await?;
        }
        self.commit(tx).await
    }

    async fn update_account_security(
        &self,
        account: &Account,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = $1, failed_attempts = $2, locked_until = $3,
                 totp_secret = $4, recovery_codes = $5
             WHERE id = $6",
        )
        .bind(&account.password_hash)
        .bind(account.failed_attempts)
        .bind(account.locked_until.map(|t| t.as_millisecond()))
        .bind(account.totp_secret.as_deref())
        .bind(codes_json(account)?)
        .bind(account.id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("account"));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn reset_password(
        &self,
        link_hash: &str,
        person: PersonId,
        account: AccountId,
        password_hash: &str,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        use_link(
            &mut tx,
            link_hash,
            person,
            LinkPurpose::PasswordReset,
            event.at,
        )
        .await?;
        let changed = sqlx::query(
            "UPDATE accounts SET password_hash = $1, failed_attempts = 0, locked_until = NULL
             WHERE id = $2",
        )
        .bind(password_hash)
        .bind(account.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound("account"));
        }
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn insert_invitation(
        &self,
        invitation: &Invitation,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        sqlx::query(
            "INSERT INTO invitations (token_hash, council_id, person_id, created_at, expires_at, used_at, purpose)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&invitation.token_hash)
        .bind(invitation.council_id.to_string())
        .bind(invitation.person_id.to_string())
        .bind(invitation.created_at.as_millisecond())
        .bind(invitation.expires_at.as_millisecond())
        .bind(invitation.used_at.map(|t| t.as_millisecond()))
        .bind(invitation.purpose.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn invitation(&self, token_hash: &str) -> StoreResult<Option<Invitation>> {
        sqlx::query(
            "SELECT token_hash, council_id, person_id, created_at, expires_at, used_at, purpose
             FROM invitations WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(rows::invitation)
        .transpose()
    }
}

/// Uses up one unused link of the given purpose for `person` (an invitation link cannot reset a
/// password, nor a reset link accept an invitation), then every other unused link of theirs.
async fn use_link(
    conn: &mut sqlx::AnyConnection,
    link_hash: &str,
    person: PersonId,
    purpose: LinkPurpose,
    at: Timestamp,
) -> StoreResult<()> {
    let used = sqlx::query(
        "UPDATE invitations SET used_at = $1
         WHERE token_hash = $2 AND person_id = $3 AND purpose = $4 AND used_at IS NULL",
    )
    .bind(at.as_millisecond())
    .bind(link_hash)
    .bind(person.to_string())
    .bind(purpose.as_str())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    if used.rows_affected() == 0 {
        let what = match purpose {
            LinkPurpose::Invitation => "invitation link",
            LinkPurpose::PasswordReset => "password reset link",
        };
        return Err(StoreError::Conflict(format!(
            "this {what} has already been used"
        )));
    }
    use_up_other_links(conn, person, at).await
}

/// Once one link has been used, every other unused link for the same person stops working, so an
/// old invitation or reset email cannot be used later.
async fn use_up_other_links(
    conn: &mut sqlx::AnyConnection,
    person: PersonId,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query("UPDATE invitations SET used_at = $1 WHERE person_id = $2 AND used_at IS NULL")
        .bind(at.as_millisecond())
        .bind(person.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}
