//! Councils: the tenants of an installation. Every other record belongs to exactly one.

use crate::ids::CouncilId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether the council calls itself a parish or a town council (a town council is a parish
/// council that has resolved to call itself a town).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouncilKind {
    Parish,
    Town,
}

impl CouncilKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CouncilKind::Parish => "parish",
            CouncilKind::Town => "town",
        }
    }

    pub fn parse(text: &str) -> Result<Self, CouncilError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "parish" => Ok(CouncilKind::Parish),
            "town" => Ok(CouncilKind::Town),
            _ => Err(CouncilError::UnknownKind(text.to_owned())),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CouncilKind::Parish => "Parish council",
            CouncilKind::Town => "Town council",
        }
    }
}

/// A council's name as it should appear in headers and documents, e.g. "Demo Parish Council".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CouncilName(String);

impl CouncilName {
    pub const MAX_CHARS: usize = 120;

    pub fn parse(text: &str) -> Result<Self, CouncilError> {
        let trimmed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if trimmed.is_empty() {
            return Err(CouncilError::EmptyName);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(CouncilError::NameTooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(CouncilError::NameHasControlCharacters);
        }
        Ok(Self(trimmed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as typed at a command line: lower case, with each run of characters that are
    /// not letters or digits made one hyphen ("Ashby-de-la-Zouch Town Council (Leics)" is
    /// "ashby-de-la-zouch-town-council-leics").
    pub fn slug(&self) -> String {
        let mut slug = String::with_capacity(self.0.len());
        for c in self.0.chars() {
            if c.is_alphanumeric() {
                slug.extend(c.to_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        if slug.ends_with('-') {
            slug.pop();
        }
        slug
    }
}

impl TryFrom<String> for CouncilName {
    type Error = CouncilError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CouncilName> for String {
    fn from(value: CouncilName) -> Self {
        value.0
    }
}

impl fmt::Display for CouncilName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which roles must use a second factor at sign-in. Stored per council; the policy profile
/// (a later capability) will own it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CouncilSettings {
    /// Roles whose members must set up MFA before they can use Custodian.
    pub mfa_required_roles: crate::person::RoleSet,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Council {
    pub id: CouncilId,
    pub name: CouncilName,
    pub kind: CouncilKind,
    pub settings: CouncilSettings,
    pub created_at: jiff::Timestamp,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CouncilError {
    #[error("Enter the council's name, for example \"Ashby Parish Council\"")]
    EmptyName,
    #[error("The council's name must be 120 characters or fewer")]
    NameTooLong,
    #[error("The council's name must not contain control characters")]
    NameHasControlCharacters,
    #[error("\"{0}\" is not a kind of council: choose parish or town")]
    UnknownKind(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn council_name_collapses_spaces_and_rejects_empty() {
        assert_eq!(
            CouncilName::parse("  Demo   Parish Council ")
                .unwrap()
                .as_str(),
            "Demo Parish Council"
        );
        assert_eq!(CouncilName::parse("   "), Err(CouncilError::EmptyName));
        assert_eq!(
            CouncilName::parse(&"x".repeat(121)),
            Err(CouncilError::NameTooLong)
        );
    }

    #[test]
    fn a_council_slug_is_its_name_in_lower_case_with_single_hyphens() {
        let slug = |name: &str| CouncilName::parse(name).unwrap().slug();
        assert_eq!(slug("Demo Parish Council"), "demo-parish-council");
        assert_eq!(
            slug("Ashby-de-la-Zouch Town Council (Leics)"),
            "ashby-de-la-zouch-town-council-leics"
        );
        assert_eq!(slug("  St. Mary's -- Parish  "), "st-mary-s-parish");
        assert_eq!(slug("Ynys Môn"), "ynys-môn");
    }

    #[test]
    fn council_kind_parses_either_case() {
        assert_eq!(CouncilKind::parse("Town").unwrap(), CouncilKind::Town);
        assert!(CouncilKind::parse("city").is_err());
    }
}

/// What is needed to found a council: its details and its first Clerk.
#[derive(Clone, Debug)]
pub struct Founding {
    pub council_id: CouncilId,
    pub name: CouncilName,
    pub kind: CouncilKind,
    pub clerk_id: crate::ids::PersonId,
    pub clerk_name: crate::person::PersonName,
    pub clerk_email: crate::person::Email,
}

/// Builds a new council and its Clerk (invited, not yet able to sign in) with the audit events
/// that record the founding. Every new council requires MFA of its Clerk and IT provider by
/// default: they hold the keys to everything else.
pub fn found_council(
    founding: Founding,
    actor: crate::audit::Actor,
    now: jiff::Timestamp,
) -> (
    Council,
    crate::person::Person,
    Vec<crate::audit::AuditEvent>,
) {
    use crate::audit::AuditEvent;
    use crate::person::{Person, PersonStatus, Role, RoleSet};
    let council = Council {
        id: founding.council_id,
        name: founding.name,
        kind: founding.kind,
        settings: CouncilSettings {
            mfa_required_roles: RoleSet::of(&[Role::Clerk, Role::ItProvider]),
        },
        created_at: now,
    };
    let clerk = Person {
        id: founding.clerk_id,
        council_id: council.id,
        account_id: None,
        name: founding.clerk_name,
        email: founding.clerk_email,
        roles: RoleSet::of(&[Role::Clerk]),
        status: PersonStatus::Invited,
        start_date: Some(now.to_zoned(jiff::tz::TimeZone::UTC).date()),
        leave_date: None,
        created_at: now,
    };
    let events = vec![
        AuditEvent::new(council.id, now, actor.clone(), "council.created")
            .subject(format!("council:{}", council.id))
            .details(serde_json::json!({ "kind": council.kind.as_str() })),
        AuditEvent::new(council.id, now, actor, "person.added")
            .subject(format!("person:{}", clerk.id))
            .details(serde_json::json!({ "roles": clerk.roles.to_storage() })),
    ];
    (council, clerk, events)
}
