//! The vault's storage (issue 5): items with their sealed secrets and the people named on them,
//! time-limited access requests, emergency openings, the installation's vault-key check, each
//! council's recovery kit, and people's notifications.
//!
//! The store only ever holds sealed text ("v1:..."): it never sees a plaintext secret or a key,
//! and the schema refuses anything else. Every change names its council, locks the council's
//! row first, re-checks that every person and item it names belongs to that council, writes
//! only over the revision it was made from, and appends its audit entries in the same
//! transaction: all or nothing.

mod access;
mod items;
mod settings;

use crate::scope::require_people;
use crate::{Engine, Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, NotificationId, PersonId, VaultItemId};
use custodian_core::ports::{
    Notification, RecoveryKitRecord, Rewrapped, SealedItem, StoreError, StoreResult, VaultChange,
    VaultSettings, VaultStore,
};
use custodian_core::vault::{AccessGrant, EmergencyAccess, VaultItem};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

type AnyQuery<'q> = Query<'q, sqlx::Any, AnyArguments<'q>>;

fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {detail}"))
}

/// A change that mixes councils is a caller's mistake, refused before anything is written.
fn mixed_councils() -> StoreError {
    StoreError::Conflict(
        "a vault change and its audit entries, incident and notifications must all belong to \
         the same council"
            .to_owned(),
    )
}

/// Refuses a value that is not the vault's sealed text before the database does (the schema
/// refuses it too), with a message that says so rather than a database failure.
fn require_sealed(value: &str, what: &str) -> StoreResult<()> {
    if value.starts_with("v1:") {
        return Ok(());
    }
    Err(StoreError::Conflict(format!(
        "The {what} was not sealed by the vault, so nothing was saved. This is a fault in \
         Custodian: report it."
    )))
}

/// Inserts notifications inside the caller's transaction; each must be for a person of
/// `council`.
pub(crate) async fn insert_notifications_in(
    conn: &mut AnyConnection,
    council: CouncilId,
    notifications: &[Notification],
) -> StoreResult<()> {
    if notifications.iter().any(|n| n.council_id != council) {
        return Err(mixed_councils());
    }
    require_people(conn, council, notifications.iter().map(|n| n.person_id)).await?;
    for note in notifications {
        sqlx::query(
            "INSERT INTO notifications (id, council_id, person_id, message, link, created_at, \
             dismissed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(note.id.to_string())
        .bind(note.council_id.to_string())
        .bind(note.person_id.to_string())
        .bind(note.message.clone())
        .bind(note.link.clone())
        .bind(note.created_at.as_millisecond())
        .bind(note.dismissed_at.map(|t| t.as_millisecond()))
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

impl Store {
    /// Holds the vault settings row for the rest of the transaction (PostgreSQL; SQLite already
    /// serialises writers): shared by anything storing a new wrapped item key, exclusive for a
    /// key rotation, so no item can be added under the old key while the keys are re-wrapped.
    /// Always taken before any council's row, so the two orders cannot deadlock.
    async fn lock_vault_settings(
        &self,
        conn: &mut AnyConnection,
        exclusive: bool,
    ) -> StoreResult<()> {
        let suffix = match (self.engine, exclusive) {
            (Engine::Sqlite, _) => "",
            (Engine::Postgres, true) => " FOR UPDATE",
            (Engine::Postgres, false) => " FOR SHARE",
        };
        sqlx::query(&format!(
            "SELECT id FROM vault_settings WHERE id = 1{suffix}"
        ))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}

impl VaultStore for Store {
    async fn insert_vault_item(
        &self,
        wrapped_key: &str,
        change: &VaultChange<'_>,
    ) -> StoreResult<()> {
        self.insert_item(wrapped_key, change).await
    }

    async fn change_vault(&self, council: CouncilId, change: &VaultChange<'_>) -> StoreResult<()> {
        self.change_items(council, change).await
    }

    async fn vault_item(&self, council: CouncilId, id: VaultItemId) -> StoreResult<VaultItem> {
        self.select_items(council, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound("vault item"))
    }

    async fn vault_items(&self, council: CouncilId) -> StoreResult<Vec<VaultItem>> {
        self.select_items(council, None).await
    }

    async fn sealed_item(&self, council: CouncilId, id: VaultItemId) -> StoreResult<SealedItem> {
        self.select_sealed(council, id).await
    }

    async fn insert_grant(
        &self,
        grant: &AccessGrant,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.write_grant(grant, notifications, event, true).await
    }

    async fn save_grant(
        &self,
        grant: &AccessGrant,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.write_grant(grant, notifications, event, false).await
    }

    async fn grants(&self, council: CouncilId) -> StoreResult<Vec<AccessGrant>> {
        self.select_grants(council).await
    }

    async fn insert_emergency(
        &self,
        emergency: &EmergencyAccess,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.write_emergency(emergency, notifications, event, true)
            .await
    }

    async fn save_emergency(
        &self,
        emergency: &EmergencyAccess,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.write_emergency(emergency, notifications, event, false)
            .await
    }

    async fn emergencies(&self, council: CouncilId) -> StoreResult<Vec<EmergencyAccess>> {
        self.select_emergencies(council).await
    }

    async fn vault_settings(&self) -> StoreResult<Option<VaultSettings>> {
        self.select_vault_settings().await
    }

    async fn init_vault_settings(&self, settings: &VaultSettings) -> StoreResult<()> {
        self.insert_vault_settings(settings).await
    }

    async fn wrapped_item_keys(&self) -> StoreResult<Vec<(CouncilId, Rewrapped)>> {
        self.select_wrapped_keys().await
    }

    async fn rewrap_item_keys(
        &self,
        rewrapped: &[Rewrapped],
        settings: &VaultSettings,
        events: &[AuditEvent],
    ) -> StoreResult<()> {
        self.write_rewrapped(rewrapped, settings, events).await
    }

    async fn recovery_kit(&self, council: CouncilId) -> StoreResult<Option<RecoveryKitRecord>> {
        self.select_recovery_kit(council).await
    }

    async fn replace_recovery_kit(
        &self,
        kit: &RecoveryKitRecord,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.write_recovery_kit(kit, event).await
    }

    async fn notifications(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> StoreResult<Vec<Notification>> {
        self.select_notifications(council, person).await
    }

    async fn dismiss_notification(
        &self,
        council: CouncilId,
        person: PersonId,
        id: NotificationId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write_dismissal(council, person, id, now).await
    }
}
