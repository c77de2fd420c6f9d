//! Upload keys (issue 7, item 1): named secrets the council's IT provider puts in a script that
//! sends proxy and DNS logs to `POST /api/monitor/batches`. A key is shown once when it is made
//! and only its SHA-256 is kept, so a copy of the database uploads nothing. Making and revoking
//! a key are audited; the key itself never is.

use super::StoreResult;
use crate::audit::AuditEvent;
use crate::ids::{CouncilId, MonitorUploadKeyId, PersonId};
use jiff::Timestamp;
use std::future::Future;

/// The longest name a key may have.
pub const MAX_KEY_NAME_CHARS: usize = 100;

/// A stored upload key: its name and history, and the hash of its secret (never the secret).
#[derive(Clone, PartialEq, Eq)]
pub struct MonitorUploadKey {
    pub id: MonitorUploadKeyId,
    pub council_id: CouncilId,
    /// Who or what uses it, in the Clerk's words ("Pi-hole at the office").
    pub name: String,
    /// SHA-256 (lower-case hex) of the key.
    pub key_hash: String,
    pub created_at: Timestamp,
    pub created_by: PersonId,
    /// When a script last sent a log with it.
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl MonitorUploadKey {
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none()
    }
}

impl std::fmt::Debug for MonitorUploadKey {
    /// The hash is left out: logs need neither it nor the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorUploadKey")
            .field("id", &self.id)
            .field("council_id", &self.council_id)
            .field("name", &self.name)
            .field("key_hash", &"hidden")
            .field("created_at", &self.created_at)
            .field("created_by", &self.created_by)
            .field("last_used_at", &self.last_used_at)
            .field("revoked_at", &self.revoked_at)
            .finish()
    }
}

/// A key's name as typed: trimmed, spaces run together, 1 to [`MAX_KEY_NAME_CHARS`] characters.
pub fn key_name(text: &str) -> Result<String, String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(
            "Give the key a name that says where it is used, for example \"Pi-hole at the office\"."
                .to_owned(),
        );
    }
    if name.chars().count() > MAX_KEY_NAME_CHARS {
        return Err(format!(
            "Keep the key's name to {MAX_KEY_NAME_CHARS} characters or fewer."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("The key's name cannot contain control characters.".to_owned());
    }
    Ok(name)
}

pub trait MonitorKeyStore: Send + Sync {
    /// Stores a new live key with its audit entry. A creator of another council is
    /// `NotFound("person")`.
    fn insert_monitor_key(
        &self,
        key: &MonitorUploadKey,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The council's keys, revoked ones included, newest first.
    fn monitor_keys(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<MonitorUploadKey>>> + Send;
    /// Revokes a key at `at`, with its audit entry. Another council's key is `NotFound`; one
    /// already revoked is `Conflict`.
    fn revoke_monitor_key(
        &self,
        council: CouncilId,
        id: MonitorUploadKeyId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The live key whose secret has this hash, in any council (the request names none);
    /// `None` for an unknown or revoked key.
    fn live_monitor_key(
        &self,
        key_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<MonitorUploadKey>>> + Send;
    /// Notes that a key was just used. Not audited: the batch it brought is.
    fn touch_monitor_key(
        &self,
        council: CouncilId,
        id: MonitorUploadKeyId,
        at: Timestamp,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_name_is_tidied_and_checked() {
        assert_eq!(
            key_name("  Pi-hole   at the office ").as_deref(),
            Ok("Pi-hole at the office")
        );
        assert!(key_name("   ").is_err());
        assert!(key_name(&"x".repeat(MAX_KEY_NAME_CHARS + 1)).is_err());
        assert!(key_name(&"x".repeat(MAX_KEY_NAME_CHARS)).is_ok());
    }

    #[test]
    fn a_keys_debug_output_hides_its_hash() {
        let key = MonitorUploadKey {
            id: MonitorUploadKeyId::generate(),
            council_id: CouncilId::generate(),
            name: "Squid".to_owned(),
            key_hash: "ab".repeat(32),
            created_at: Timestamp::UNIX_EPOCH,
            created_by: PersonId::generate(),
            last_used_at: None,
            revoked_at: None,
        };
        assert!(!format!("{key:?}").contains(&"ab".repeat(32)));
    }
}
