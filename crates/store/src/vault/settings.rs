//! The installation's vault-key settings and key rotation, each council's recovery kit, and
//! people's notifications.

use super::{corrupt, require_sealed};
use crate::rows::{council_id, int, opt_int, opt_text, person_id, text};
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, NotificationId, PersonId, VaultItemId};
use custodian_core::ports::{
    Notification, RecoveryKitRecord, Rewrapped, StoreError, StoreResult, VaultSettings,
};
use custodian_core::time::from_millis;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use std::collections::BTreeSet;

const ALREADY_SET_UP: &str = "The vault key has already been set up. Nothing was changed: a \
    second key must never replace the first. To change the key, rotate it.";

const NOT_SET_UP: &str = "The vault key has not been set up yet, so it cannot be rotated. Set \
    it up first.";

const ROTATION_OVERTAKEN: &str = "A vault item was added or changed while the keys were being \
    re-wrapped, so nothing was changed and the old key is still in use. Run the rotation again.";

fn notification(row: &AnyRow) -> StoreResult<Notification> {
    Ok(Notification {
        id: NotificationId::parse(&text(row, "id")?).map_err(|e| corrupt("id", e))?,
        council_id: council_id(row, "council_id")?,
        person_id: person_id(row, "person_id")?,
        message: text(row, "message")?,
        link: opt_text(row, "link")?,
        created_at: from_millis(int(row, "created_at")?),
        dismissed_at: opt_int(row, "dismissed_at")?.map(from_millis),
    })
}

impl Store {
    pub(super) async fn select_vault_settings(&self) -> StoreResult<Option<VaultSettings>> {
        sqlx::query("SELECT key_check, passphrase_salt FROM vault_settings WHERE id = 1")
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .map(|row| {
                Ok(VaultSettings {
                    key_check: text(&row, "key_check")?,
                    passphrase_salt: opt_text(&row, "passphrase_salt")?,
                })
            })
            .transpose()
    }

    pub(super) async fn insert_vault_settings(&self, settings: &VaultSettings) -> StoreResult<()> {
        require_sealed(&settings.key_check, "vault key check")?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let existing = sqlx::query("SELECT id FROM vault_settings WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        if existing.is_some() {
            return Err(StoreError::Conflict(ALREADY_SET_UP.to_owned()));
        }
        sqlx::query(
            "INSERT INTO vault_settings (id, key_check, passphrase_salt) VALUES (1, $1, $2)",
        )
        .bind(settings.key_check.clone())
        .bind(settings.passphrase_salt.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| match db_error(e) {
            // Two first start-ups at once: the second is refused like any other.
            StoreError::Conflict(_) => StoreError::Conflict(ALREADY_SET_UP.to_owned()),
            other => other,
        })?;
        self.commit(tx).await
    }

    pub(super) async fn select_wrapped_keys(&self) -> StoreResult<Vec<(CouncilId, Rewrapped)>> {
        sqlx::query("SELECT council_id, id, wrapped_key FROM vault_items ORDER BY council_id, id")
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(|row| {
                let wrapped = text(row, "wrapped_key")?;
                Ok((
                    council_id(row, "council_id")?,
                    Rewrapped {
                        item: VaultItemId::parse(&text(row, "id")?)
                            .map_err(|e| corrupt("id", e))?,
                        old: wrapped.clone(),
                        new: wrapped,
                    },
                ))
            })
            .collect()
    }

    /// Replaces every wrapping and the key check at once. Holds the settings row (so no item
    /// is added meanwhile) and then every council's row (so no council's change can hold an
    /// item this needs while waiting for a council this holds).
    pub(super) async fn write_rewrapped(
        &self,
        rewrapped: &[Rewrapped],
        settings: &VaultSettings,
        events: &[AuditEvent],
    ) -> StoreResult<()> {
        require_sealed(&settings.key_check, "vault key check")?;
        for wrap in rewrapped {
            require_sealed(&wrap.new, "item's key")?;
        }
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_vault_settings(&mut tx, true).await?;
        let councils = sqlx::query(&format!(
            "SELECT id FROM councils ORDER BY id{}",
            self.lock_suffix()
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        drop(councils);
        let mut items = BTreeSet::new();
        for wrap in rewrapped {
            if !items.insert(wrap.item) {
                return Err(StoreError::Conflict(ROTATION_OVERTAKEN.to_owned()));
            }
            let done = sqlx::query(
                "UPDATE vault_items SET wrapped_key = $1 WHERE id = $2 AND wrapped_key = $3",
            )
            .bind(wrap.new.clone())
            .bind(wrap.item.to_string())
            .bind(wrap.old.clone())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(ROTATION_OVERTAKEN.to_owned()));
            }
        }
        let row = sqlx::query("SELECT COUNT(*) AS n FROM vault_items")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        if usize::try_from(int(&row, "n")?).ok() != Some(items.len()) {
            return Err(StoreError::Conflict(ROTATION_OVERTAKEN.to_owned()));
        }
        let done = sqlx::query(
            "UPDATE vault_settings SET key_check = $1, passphrase_salt = $2 WHERE id = 1",
        )
        .bind(settings.key_check.clone())
        .bind(settings.passphrase_salt.clone())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(NOT_SET_UP.to_owned()));
        }
        for event in events {
            self.append_in(&mut tx, event).await?;
        }
        self.commit(tx).await
    }

    pub(super) async fn select_recovery_kit(
        &self,
        council: CouncilId,
    ) -> StoreResult<Option<RecoveryKitRecord>> {
        sqlx::query(
            "SELECT council_id, kit_id, public_key, issued_at, holders FROM vault_recovery_kits \
             WHERE council_id = $1",
        )
        .bind(council.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(db_error)?
        .map(|row| {
            Ok(RecoveryKitRecord {
                council_id: council_id(&row, "council_id")?,
                kit_id: text(&row, "kit_id")?,
                public_key: text(&row, "public_key")?,
                issued_at: from_millis(int(&row, "issued_at")?),
                holders: serde_json::from_str(&text(&row, "holders")?)
                    .map_err(|e| corrupt("holders", e))?,
            })
        })
        .transpose()
    }

    pub(super) async fn write_recovery_kit(
        &self,
        kit: &RecoveryKitRecord,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        if event.council_id != kit.council_id {
            return Err(super::mixed_councils());
        }
        let holders = serde_json::to_string(&kit.holders).map_err(|e| corrupt("holders", e))?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, kit.council_id).await?;
        sqlx::query(
            "INSERT INTO vault_recovery_kits (council_id, kit_id, public_key, issued_at, holders) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (council_id) DO UPDATE SET kit_id = excluded.kit_id, \
             public_key = excluded.public_key, issued_at = excluded.issued_at, \
             holders = excluded.holders",
        )
        .bind(kit.council_id.to_string())
        .bind(kit.kit_id.clone())
        .bind(kit.public_key.clone())
        .bind(kit.issued_at.as_millisecond())
        .bind(holders)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    pub(super) async fn select_notifications(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> StoreResult<Vec<Notification>> {
        sqlx::query(
            "SELECT id, council_id, person_id, message, link, created_at, dismissed_at \
             FROM notifications WHERE council_id = $1 AND person_id = $2 \
             AND dismissed_at IS NULL ORDER BY created_at DESC, id DESC",
        )
        .bind(council.to_string())
        .bind(person.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?
        .iter()
        .map(notification)
        .collect()
    }

    /// Dismissing one already dismissed changes nothing and is not an error (two tabs).
    pub(super) async fn write_dismissal(
        &self,
        council: CouncilId,
        person: PersonId,
        id: NotificationId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE notifications SET dismissed_at = $1 \
             WHERE id = $2 AND council_id = $3 AND person_id = $4 AND dismissed_at IS NULL",
        )
        .bind(now.as_millisecond())
        .bind(id.to_string())
        .bind(council.to_string())
        .bind(person.to_string())
        .execute(&self.write)
        .await
        .map_err(db_error)?;
        if done.rows_affected() > 0 {
            self.changes_made();
            return Ok(());
        }
        sqlx::query(
            "SELECT id FROM notifications WHERE id = $1 AND council_id = $2 AND person_id = $3",
        )
        .bind(id.to_string())
        .bind(council.to_string())
        .bind(person.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(db_error)?
        .map(drop)
        .ok_or(StoreError::NotFound("notification"))
    }
}
