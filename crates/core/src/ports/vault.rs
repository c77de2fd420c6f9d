//! The vault's storage seam (issue 5). The store keeps only sealed text (`custodian-vault`'s
//! "v1:..." form) for secrets and wrapped item keys; it never sees a plaintext secret or a key.
//!
//! Every change to an item, grant or emergency is stored only over the revision it was made
//! from: the record passed in carries the new revision, and the store writes it only where the
//! stored revision is one less (otherwise `Conflict`, with a plain message, and nothing stored).
//! The domain's change methods raise the revision of grants and emergencies themselves; a
//! caller changing an item calls [`crate::vault::VaultItem::begin_change`] once per change.

use super::StoreResult;
use crate::audit::AuditEvent;
use crate::ids::{CouncilId, NotificationId, PersonId, VaultItemId};
use crate::incident::Incident;
use crate::vault::{AccessGrant, EmergencyAccess, SecretField, VaultItem};
use jiff::Timestamp;
use std::future::Future;

/// One secret field as stored: sealed under the item's key, bound to item, field and version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedSecret {
    pub field: SecretField,
    pub version: u32,
    /// `custodian_vault::Sealed::to_text`.
    pub sealed: String,
}

/// An item's key wrapped by the vault key, and its sealed secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedItem {
    pub wrapped_key: String,
    pub secrets: Vec<SealedSecret>,
}

impl SealedItem {
    pub fn secret(&self, field: SecretField) -> Option<&SealedSecret> {
        self.secrets.iter().find(|s| s.field == field)
    }
}

/// A message for one person, shown on their home page until they dismiss it (the vault's
/// "the Clerk and the Chair are told"; by email too once email exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub message: String,
    /// A page of Custodian's to follow, such as "/incidents/<id>".
    pub link: Option<String>,
    pub created_at: Timestamp,
    pub dismissed_at: Option<Timestamp>,
}

/// One change to the vault, stored in one transaction with its audit entries: all or nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct VaultChange<'a> {
    /// The item's new state (guarded by its revision). Secret fields it no longer has are
    /// deleted; `sealed` holds the new values of fields added or replaced, each at the version
    /// the item gives it.
    pub item: Option<&'a VaultItem>,
    pub sealed: &'a [SealedSecret],
    /// An incident opened by the change (a refused reveal, a compromise).
    pub incident: Option<&'a Incident>,
    pub notifications: &'a [Notification],
    pub events: &'a [AuditEvent],
}

/// What the installation keeps about its vault key: a value sealed with it, which opens only
/// with the right key (so a wrong key file or passphrase is refused at start rather than
/// found out at the first reveal), and the salt its passphrase is stretched with, if it came
/// from a passphrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultSettings {
    pub key_check: String,
    /// Hexadecimal; `None` when the key comes from a key file.
    pub passphrase_salt: Option<String>,
}

/// The council's current recovery kit: its public half only (the private half exists only as
/// the holders' printed shares).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryKitRecord {
    pub council_id: CouncilId,
    pub kit_id: String,
    /// The kit's X25519 public key in hexadecimal: exports are sealed to it.
    pub public_key: String,
    pub issued_at: Timestamp,
    /// Who was given a share, in words ("Chair: Margaret Hale").
    pub holders: Vec<String>,
}

/// An item key re-wrapped under a new vault key: stored only if the stored wrapping is still
/// `old` (nothing changed the item meanwhile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrapped {
    pub item: VaultItemId,
    pub old: String,
    pub new: String,
}

pub trait VaultStore: Send + Sync {
    /// Stores a new item with its wrapped key and the rest of the change. Another council's
    /// person named on it is `NotFound("person")`.
    fn insert_vault_item(
        &self,
        wrapped_key: &str,
        change: &VaultChange<'_>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores a change to the vault in one transaction: an item's new state and sealed
    /// secrets, an incident, notifications and audit entries. An item of another council is
    /// `NotFound("vault item")`; an item changed meanwhile is `Conflict`.
    fn change_vault(
        &self,
        council: CouncilId,
        change: &VaultChange<'_>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn vault_item(
        &self,
        council: CouncilId,
        id: VaultItemId,
    ) -> impl Future<Output = StoreResult<VaultItem>> + Send;
    /// Every item of the council, by name.
    fn vault_items(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<VaultItem>>> + Send;
    /// The item's wrapped key and sealed secrets (for a reveal, a rotation or an export).
    fn sealed_item(
        &self,
        council: CouncilId,
        id: VaultItemId,
    ) -> impl Future<Output = StoreResult<SealedItem>> + Send;

    /// Stores a new request for access, with its notifications and audit entry.
    fn insert_grant(
        &self,
        grant: &AccessGrant,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores a decision or an early end (guarded by the grant's revision).
    fn save_grant(
        &self,
        grant: &AccessGrant,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The council's requests, newest first.
    fn grants(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<AccessGrant>>> + Send;

    /// Stores a newly opened emergency with the notifications to everyone told.
    fn insert_emergency(
        &self,
        emergency: &EmergencyAccess,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores an objection, agreement or close (guarded by the emergency's revision).
    fn save_emergency(
        &self,
        emergency: &EmergencyAccess,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The council's emergencies, newest first.
    fn emergencies(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<EmergencyAccess>>> + Send;

    /// The installation's vault settings, if the vault key has been set up.
    fn vault_settings(&self) -> impl Future<Output = StoreResult<Option<VaultSettings>>> + Send;
    /// Records the vault settings the first time; `Conflict` if they already exist (a second
    /// key must never silently replace the first).
    fn init_vault_settings(
        &self,
        settings: &VaultSettings,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Every item key of every council, wrapped, for a key rotation.
    fn wrapped_item_keys(
        &self,
    ) -> impl Future<Output = StoreResult<Vec<(CouncilId, Rewrapped)>>> + Send;
    /// Replaces every item key's wrapping and the settings in one transaction; if any stored
    /// wrapping is no longer `old`, or an item is missing from `rewrapped`, `Conflict` and
    /// nothing is stored.
    fn rewrap_item_keys(
        &self,
        rewrapped: &[Rewrapped],
        settings: &VaultSettings,
        events: &[AuditEvent],
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// The council's current recovery kit, if one was issued.
    fn recovery_kit(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Option<RecoveryKitRecord>>> + Send;
    /// Records a newly issued kit in place of the last one.
    fn replace_recovery_kit(
        &self,
        kit: &RecoveryKitRecord,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// A person's undismissed messages, newest first.
    fn notifications(
        &self,
        council: CouncilId,
        person: PersonId,
    ) -> impl Future<Output = StoreResult<Vec<Notification>>> + Send;
    /// Dismisses one of the person's own messages; another person's is `NotFound`. Not
    /// audited: it changes what a page shows, not a record the council keeps.
    fn dismiss_notification(
        &self,
        council: CouncilId,
        person: PersonId,
        id: NotificationId,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}
