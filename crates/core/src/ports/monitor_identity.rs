//! Who a line of an internet-use log belongs to (issue 7, item 2): the rules ("identities")
//! tying a proxy user name or client address to a person, or to a device in the register, over
//! a period of days. Kept with the monitoring port, which stores and applies them.

use crate::audit::Actor;
use crate::ids::{CouncilId, DeviceId, MonitorIdentityId, PersonId};
use custodian_monitor::{LocalDay, SubjectKey};
use jiff::Timestamp;

/// What an identity names: a person, or a device in the register (whose user it then means).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityTarget {
    Person(PersonId),
    Device(DeviceId),
}

/// Whether an identity matches proxy user names or client addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    User,
    Address,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::User => "user",
            IdentityKind::Address => "address",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "user" => Some(IdentityKind::User),
            "address" => Some(IdentityKind::Address),
            _ => None,
        }
    }

    /// The kind of identity that can match `key`.
    pub fn of(key: &SubjectKey) -> Self {
        match key {
            SubjectKey::User(_) => IdentityKind::User,
            SubjectKey::Client(_) => IdentityKind::Address,
        }
    }
}

/// Why an identity could not be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "Enter the user name or address exactly as the log shows it (for example 192.168.1.20 or jsmith)."
    )]
    Empty,
    #[error(
        "A user name or address cannot contain spaces or be longer than 255 characters; enter one at a time."
    )]
    Malformed,
    #[error("The last day must be on or after the first day.")]
    EndsBeforeStart,
}

/// A rule tying a proxy user name or client address to a person or device from a day on
/// (until an optional last day, inclusive). Values are kept in lower case and matched ignoring
/// capitals (ASCII), as proxies and DHCP servers disagree about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorIdentity {
    pub id: MonitorIdentityId,
    pub council_id: CouncilId,
    pub kind: IdentityKind,
    value: String,
    pub target: IdentityTarget,
    pub valid_from: LocalDay,
    pub valid_to: Option<LocalDay>,
    pub created_at: Timestamp,
    pub created_by: Actor,
}

impl MonitorIdentity {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: MonitorIdentityId,
        council_id: CouncilId,
        kind: IdentityKind,
        value: &str,
        target: IdentityTarget,
        valid_from: LocalDay,
        valid_to: Option<LocalDay>,
        created_at: Timestamp,
        created_by: Actor,
    ) -> Result<Self, IdentityError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(IdentityError::Empty);
        }
        if value.len() > 255 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(IdentityError::Malformed);
        }
        if valid_to.is_some_and(|to| to < valid_from) {
            return Err(IdentityError::EndsBeforeStart);
        }
        Ok(Self {
            id,
            council_id,
            kind,
            value: fold_key(value),
            target,
            valid_from,
            valid_to,
            created_at,
            created_by,
        })
    }

    /// The user name or address, lower case.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether this identity is in force on `day`.
    pub fn covers(&self, day: LocalDay) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// Whether this identity names `key` (ignoring capitals).
    pub fn matches(&self, key: &SubjectKey) -> bool {
        let text = match key {
            SubjectKey::User(text) | SubjectKey::Client(text) => text,
        };
        self.kind == IdentityKind::of(key) && text.eq_ignore_ascii_case(&self.value)
    }
}

/// A user name or address as identities are matched: ASCII letters in lower case.
pub fn fold_key(text: &str) -> String {
    text.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(value: &str, from: i32, to: Option<i32>) -> Result<MonitorIdentity, IdentityError> {
        MonitorIdentity::new(
            MonitorIdentityId::generate(),
            CouncilId::generate(),
            IdentityKind::User,
            value,
            IdentityTarget::Person(PersonId::generate()),
            LocalDay(from),
            to.map(LocalDay),
            Timestamp::UNIX_EPOCH,
            Actor::Operator,
        )
    }

    #[test]
    fn an_identity_keeps_its_value_in_lower_case_and_matches_ignoring_capitals() {
        let rule = identity("  JSmith ", 10, Some(20)).unwrap();
        assert_eq!(rule.value(), "jsmith");
        assert!(rule.matches(&SubjectKey::User("JSMITH".to_owned())));
        assert!(!rule.matches(&SubjectKey::Client("jsmith".to_owned())));
        assert!(rule.covers(LocalDay(10)) && rule.covers(LocalDay(20)));
        assert!(!rule.covers(LocalDay(9)) && !rule.covers(LocalDay(21)));
    }

    #[test]
    fn an_empty_spaced_or_backwards_identity_is_refused_with_a_reason() {
        assert_eq!(identity(" ", 1, None), Err(IdentityError::Empty));
        assert_eq!(identity("j smith", 1, None), Err(IdentityError::Malformed));
        assert_eq!(
            identity("jsmith", 5, Some(4)),
            Err(IdentityError::EndsBeforeStart)
        );
        assert!(identity("jsmith", 5, Some(5)).is_ok());
    }
}
