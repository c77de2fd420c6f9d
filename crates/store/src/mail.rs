//! Email's tables: each council's SMTP settings (the password only ever sealed) and the outbox.
//! Sending and the retry rules live elsewhere (`core::mail`, the web crate's sender); this
//! module stores what they decide.
//!
//! Marking a message sent, failed or held is not audited and does not count as a change for
//! the caches: no cached page shows the outbox, and auditing every send would flood the log.
//! Giving up, retrying by hand and settings changes are audited.

use crate::incidents::insert_incident_in;
use crate::rows;
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::CouncilId;
use custodian_core::incident::Incident;
use custodian_core::mail::{
    MailId, MailKind, MailSettings, OutgoingMail, QueuedMail, SmtpHost, SmtpSecurity,
};
use custodian_core::person::Email;
use custodian_core::ports::{MailStore, MailTrouble, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const SETTINGS_COLUMNS: &str = "council_id, enabled, host, port, security, username, \
     password_sealed, from_address, from_name, digest_hour, updated_at";
const OUTBOX_COLUMNS: &str = "id, council_id, recipient_id, recipient_address, subject, body, \
     kind, dedupe_key, created_at, attempts, next_attempt_at, last_error, sent_at, given_up_at";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("stored mail {what}: {e}"))
}

fn settings_of(row: &AnyRow) -> StoreResult<MailSettings> {
    let port = rows::int(row, "port")?;
    let hour = rows::int(row, "digest_hour")?;
    Ok(MailSettings {
        council_id: rows::council_id(row, "council_id")?,
        enabled: rows::int(row, "enabled")? != 0,
        host: SmtpHost::parse(&rows::text(row, "host")?).map_err(|e| corrupt("host", e))?,
        port: u16::try_from(port).map_err(|e| corrupt("port", e))?,
        security: SmtpSecurity::parse(&rows::text(row, "security")?)
            .map_err(|e| corrupt("security", e))?,
        username: rows::text(row, "username")?,
        password_sealed: rows::opt_text(row, "password_sealed")?,
        from_address: Email::parse(&rows::text(row, "from_address")?)
            .map_err(|e| corrupt("From address", e))?,
        from_name: rows::text(row, "from_name")?,
        digest_hour: u8::try_from(hour).map_err(|e| corrupt("digest hour", e))?,
        updated_at: rows::time(row, "updated_at")?,
    })
}

fn queued_of(row: &AnyRow) -> StoreResult<QueuedMail> {
    let id = rows::text(row, "id")?;
    let attempts = rows::int(row, "attempts")?;
    Ok(QueuedMail {
        mail: OutgoingMail {
            id: MailId::parse(&id).map_err(|e| corrupt("id", e))?,
            council_id: rows::council_id(row, "council_id")?,
            recipient: rows::person_id(row, "recipient_id")?,
            address: Email::parse(&rows::text(row, "recipient_address")?)
                .map_err(|e| corrupt("address", e))?,
            subject: rows::text(row, "subject")?,
            body: rows::text(row, "body")?,
            kind: MailKind::parse(&rows::text(row, "kind")?).map_err(|e| corrupt("kind", e))?,
            dedupe_key: rows::text(row, "dedupe_key")?,
            created_at: rows::time(row, "created_at")?,
        },
        attempts: u32::try_from(attempts).map_err(|e| corrupt("attempts", e))?,
        next_attempt_at: rows::opt_time(row, "next_attempt_at")?,
        last_error: rows::opt_text(row, "last_error")?,
        sent_at: rows::opt_time(row, "sent_at")?,
        given_up_at: rows::opt_time(row, "given_up_at")?,
    })
}

/// Inserts messages inside the caller's transaction, skipping dedupe keys already queued.
async fn enqueue_in(conn: &mut AnyConnection, mail: &[OutgoingMail]) -> StoreResult<usize> {
    let mut queued = 0;
    for m in mail {
        let done = sqlx::query(
            "INSERT INTO mail_outbox (id, council_id, recipient_id, recipient_address, subject,
                 body, kind, dedupe_key, created_at, attempts, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)
             ON CONFLICT (council_id, dedupe_key) DO NOTHING",
        )
        .bind(m.id.to_string())
        .bind(m.council_id.to_string())
        .bind(m.recipient.to_string())
        .bind(m.address.as_str())
        .bind(&m.subject)
        .bind(&m.body)
        .bind(m.kind.as_str())
        .bind(&m.dedupe_key)
        .bind(m.created_at.as_millisecond())
        .bind(m.created_at.as_millisecond())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        queued += usize::try_from(done.rows_affected()).unwrap_or(0);
    }
    Ok(queued)
}

fn not_found_if_none(done: sqlx::any::AnyQueryResult) -> StoreResult<()> {
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("message"));
    }
    Ok(())
}

impl MailStore for Store {
    async fn mail_settings(&self, council: CouncilId) -> StoreResult<Option<MailSettings>> {
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM mail_settings WHERE council_id = $1");
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(settings_of)
            .transpose()
    }

    async fn save_mail_settings(
        &self,
        settings: &MailSettings,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        if event.council_id != settings.council_id {
            return Err(StoreError::Conflict(
                "mail settings and their audit entry must belong to the same council".to_owned(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        sqlx::query(
            "INSERT INTO mail_settings (council_id, enabled, host, port, security, username,
                 password_sealed, from_address, from_name, digest_hour, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (council_id) DO UPDATE SET enabled = excluded.enabled,
                 host = excluded.host, port = excluded.port, security = excluded.security,
                 username = excluded.username, password_sealed = excluded.password_sealed,
                 from_address = excluded.from_address, from_name = excluded.from_name,
                 digest_hour = excluded.digest_hour, updated_at = excluded.updated_at",
        )
        .bind(settings.council_id.to_string())
        .bind(i64::from(settings.enabled))
        .bind(settings.host.as_str())
        .bind(i64::from(settings.port))
        .bind(settings.security.as_str())
        .bind(&settings.username)
        .bind(settings.password_sealed.as_deref())
        .bind(settings.from_address.as_str())
        .bind(&settings.from_name)
        .bind(i64::from(settings.digest_hour))
        .bind(settings.updated_at.as_millisecond())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn enqueue_mail(&self, mail: &[OutgoingMail]) -> StoreResult<usize> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let queued = enqueue_in(&mut tx, mail).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(queued)
    }

    async fn insert_incident_with_mail(
        &self,
        incident: &Incident,
        event: &AuditEvent,
        mail: &[OutgoingMail],
    ) -> StoreResult<()> {
        if event.council_id != incident.council_id
            || mail.iter().any(|m| m.council_id != incident.council_id)
        {
            return Err(StoreError::Conflict(
                "an incident, its audit entry and its alerts must belong to the same council"
                    .to_owned(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        insert_incident_in(&mut tx, incident).await?;
        self.append_in(&mut tx, event).await?;
        enqueue_in(&mut tx, mail).await?;
        self.commit(tx).await
    }

    async fn claim_due_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<QueuedMail>> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM mail_outbox
             WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
        );
        let due = sqlx::query(&sql)
            .bind(now.as_millisecond())
            .bind(limit)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?
            .iter()
            .map(queued_of)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut claimed = Vec::with_capacity(due.len());
        for queued in due {
            // The second condition makes a claim lost to another sender (PostgreSQL re-checks
            // it on the locked row) update nothing, so each message is taken once.
            let done = sqlx::query(
                "UPDATE mail_outbox SET next_attempt_at = $1
                 WHERE id = $2 AND next_attempt_at <= $3",
            )
            .bind(lease_until.as_millisecond())
            .bind(queued.mail.id.to_string())
            .bind(now.as_millisecond())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if done.rows_affected() == 1 {
                claimed.push(queued);
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(claimed)
    }

    async fn mark_mail_sent(
        &self,
        council: CouncilId,
        id: MailId,
        at: Timestamp,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE mail_outbox SET sent_at = $1, next_attempt_at = NULL,
                 attempts = attempts + 1, last_error = NULL
             WHERE id = $2 AND council_id = $3 AND sent_at IS NULL AND given_up_at IS NULL",
        )
        .bind(at.as_millisecond())
        .bind(id.to_string())
        .bind(council.to_string())
        .execute(&self.write)
        .await
        .map_err(db_error)?;
        not_found_if_none(done)
    }

    async fn mark_mail_failed(
        &self,
        council: CouncilId,
        id: MailId,
        at: Timestamp,
        error: &str,
        next_attempt_at: Option<Timestamp>,
        give_up_event: Option<&AuditEvent>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1,
                 next_attempt_at = $2, given_up_at = $3
             WHERE id = $4 AND council_id = $5 AND sent_at IS NULL AND given_up_at IS NULL",
        )
        .bind(error)
        .bind(next_attempt_at.map(|t| t.as_millisecond()))
        .bind(next_attempt_at.is_none().then(|| at.as_millisecond()))
        .bind(id.to_string())
        .bind(council.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        not_found_if_none(done)?;
        match give_up_event {
            Some(event) => {
                self.append_in(&mut tx, event).await?;
                self.commit(tx).await
            }
            None => tx.commit().await.map_err(db_error),
        }
    }

    async fn hold_mail(
        &self,
        council: CouncilId,
        id: MailId,
        reason: &str,
        until: Timestamp,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE mail_outbox SET last_error = $1, next_attempt_at = $2
             WHERE id = $3 AND council_id = $4 AND sent_at IS NULL AND given_up_at IS NULL",
        )
        .bind(reason)
        .bind(until.as_millisecond())
        .bind(id.to_string())
        .bind(council.to_string())
        .execute(&self.write)
        .await
        .map_err(db_error)?;
        not_found_if_none(done)
    }

    async fn retry_mail_now(
        &self,
        council: CouncilId,
        id: MailId,
        now: Timestamp,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let done = sqlx::query(
            "UPDATE mail_outbox SET attempts = 0, next_attempt_at = $1, given_up_at = NULL
             WHERE id = $2 AND council_id = $3 AND sent_at IS NULL",
        )
        .bind(now.as_millisecond())
        .bind(id.to_string())
        .bind(council.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        not_found_if_none(done)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn mail_outbox(
        &self,
        council: CouncilId,
        sent_limit: i64,
    ) -> StoreResult<Vec<QueuedMail>> {
        let unsent = format!(
            "SELECT {OUTBOX_COLUMNS} FROM mail_outbox
             WHERE council_id = $1 AND sent_at IS NULL ORDER BY created_at DESC, id DESC"
        );
        let sent = format!(
            "SELECT {OUTBOX_COLUMNS} FROM mail_outbox
             WHERE council_id = $1 AND sent_at IS NOT NULL
             ORDER BY sent_at DESC, id DESC LIMIT $2"
        );
        let mut all = sqlx::query(&unsent)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?;
        all.extend(
            sqlx::query(&sent)
                .bind(council.to_string())
                .bind(sent_limit)
                .fetch_all(&self.read)
                .await
                .map_err(db_error)?,
        );
        let mut mail = all.iter().map(queued_of).collect::<StoreResult<Vec<_>>>()?;
        mail.sort_by_key(|q| std::cmp::Reverse(q.mail.created_at));
        Ok(mail)
    }

    async fn mail_trouble(
        &self,
        council: CouncilId,
        given_up_since: Timestamp,
    ) -> StoreResult<MailTrouble> {
        let row = sqlx::query(
            "SELECT
                 COUNT(CASE WHEN sent_at IS NULL AND given_up_at IS NULL
                     AND (attempts > 0 OR last_error IS NOT NULL) THEN 1 END) AS retrying,
                 COUNT(CASE WHEN given_up_at >= $2 THEN 1 END) AS given_up
             FROM mail_outbox WHERE council_id = $1",
        )
        .bind(council.to_string())
        .bind(given_up_since.as_millisecond())
        .fetch_one(&self.read)
        .await
        .map_err(db_error)?;
        Ok(MailTrouble {
            retrying: rows::int(&row, "retrying")?,
            given_up: rows::int(&row, "given_up")?,
        })
    }
}
