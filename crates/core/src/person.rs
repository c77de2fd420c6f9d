//! People: members of one council, their roles and their status.

use crate::ids::{AccountId, CouncilId, PersonId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person does for the council. A person may hold several roles (a Clerk is often also
/// the RFO; a councillor may be Chair).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The council's administrator in Custodian (Clerk, Town Clerk, Proper Officer, RFO).
    Clerk,
    Chair,
    ViceChair,
    Councillor,
    Staff,
    /// Any other authorised user: a volunteer or contractor.
    OtherAuthorisedUser,
    ItProvider,
    /// The internal auditor: reads everything, changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Clerk,
        Role::Chair,
        Role::ViceChair,
        Role::Councillor,
        Role::Staff,
        Role::OtherAuthorisedUser,
        Role::ItProvider,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Chair => "chair",
            Role::ViceChair => "vice_chair",
            Role::Councillor => "councillor",
            Role::Staff => "staff",
            Role::OtherAuthorisedUser => "other_authorised_user",
            Role::ItProvider => "it_provider",
            Role::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "Clerk",
            Role::Chair => "Chair",
            Role::ViceChair => "Vice-Chair",
            Role::Councillor => "Councillor",
            Role::Staff => "Staff",
            Role::OtherAuthorisedUser => "Other authorised user (volunteer or contractor)",
            Role::ItProvider => "IT provider",
            Role::Auditor => "Internal auditor (read-only)",
        }
    }

    pub fn parse(text: &str) -> Result<Self, PersonError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
            .ok_or_else(|| PersonError::UnknownRole(text.to_owned()))
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of roles. Stored as a comma-separated list of role names so it reads plainly in an
/// export and needs no join table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct RoleSet(u16);

impl RoleSet {
    pub fn empty() -> Self {
        Self(0)
    }

    pub fn of(roles: &[Role]) -> Self {
        roles.iter().fold(Self::empty(), |set, r| set.with(*r))
    }

    pub fn with(self, role: Role) -> Self {
        Self(self.0 | role.bit())
    }

    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn intersects(self, other: RoleSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// "clerk,chair": the stored form.
    pub fn to_storage(self) -> String {
        self.iter().map(Role::as_str).collect::<Vec<_>>().join(",")
    }

    pub fn from_storage(text: &str) -> Result<Self, PersonError> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .try_fold(Self::empty(), |set, name| Ok(set.with(Role::parse(name)?)))
    }

    /// "Clerk, Chair": the form shown to people.
    pub fn labels(self) -> String {
        self.iter().map(Role::label).collect::<Vec<_>>().join(", ")
    }
}

impl Serialize for RoleSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for RoleSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let roles = Vec::<Role>::deserialize(d)?;
        Ok(RoleSet::of(&roles))
    }
}

/// Where a person is in their time with the council.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    /// Invited; has not yet set a password.
    Invited,
    Active,
    /// Has left: cannot sign in; records about them are kept.
    Left,
}

impl PersonStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonStatus::Invited => "invited",
            PersonStatus::Active => "active",
            PersonStatus::Left => "left",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PersonStatus::Invited => "Invited",
            PersonStatus::Active => "Active",
            PersonStatus::Left => "Left",
        }
    }

    pub fn parse(text: &str) -> Result<Self, PersonError> {
        match text {
            "invited" => Ok(PersonStatus::Invited),
            "active" => Ok(PersonStatus::Active),
            "left" => Ok(PersonStatus::Left),
            other => Err(PersonError::UnknownStatus(other.to_owned())),
        }
    }
}

/// A person's full name as they want it shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(text: &str) -> Result<Self, PersonError> {
        let tidy = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if tidy.is_empty() {
            return Err(PersonError::EmptyName);
        }
        if tidy.chars().count() > Self::MAX_CHARS {
            return Err(PersonError::NameTooLong);
        }
        if tidy.chars().any(char::is_control) {
            return Err(PersonError::NameHasControlCharacters);
        }
        Ok(Self(tidy))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = PersonError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, lower-cased so that sign-in is not case-sensitive. Validation is
/// deliberately modest (one `@`, a dot in the domain, no spaces): the invitation email proves
/// the address works; over-strict rules only reject real addresses.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(text: &str) -> Result<Self, PersonError> {
        let email = text.trim().to_lowercase();
        if email.is_empty() {
            return Err(PersonError::EmptyEmail);
        }
        if email.chars().count() > Self::MAX_CHARS {
            return Err(PersonError::EmailTooLong);
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(PersonError::InvalidEmail);
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = PersonError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person in one council.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub council_id: CouncilId,
    /// The sign-in account, once the person has accepted their invitation.
    pub account_id: Option<AccountId>,
    pub name: PersonName,
    pub email: Email,
    pub roles: RoleSet,
    pub status: PersonStatus,
    pub start_date: Option<Date>,
    pub leave_date: Option<Date>,
    pub created_at: jiff::Timestamp,
}

impl Person {
    /// Whether this person may currently sign in to the council.
    pub fn may_sign_in(&self) -> bool {
        self.status == PersonStatus::Active
    }
}

/// Parses an optional date typed as YYYY-MM-DD.
pub fn parse_optional_date(text: &str) -> Result<Option<Date>, PersonError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Date>()
        .map(Some)
        .map_err(|_| PersonError::InvalidDate(text.to_owned()))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PersonError {
    #[error("Enter the person's full name")]
    EmptyName,
    #[error("The name must be 100 characters or fewer")]
    NameTooLong,
    #[error("The name must not contain control characters")]
    NameHasControlCharacters,
    #[error("Enter an email address")]
    EmptyEmail,
    #[error("The email address must be 254 characters or fewer")]
    EmailTooLong,
    #[error("Enter an email address in the correct format, like name@example.org")]
    InvalidEmail,
    #[error("\"{0}\" is not a role Custodian knows")]
    UnknownRole(String),
    #[error("\"{0}\" is not a person status Custodian knows")]
    UnknownStatus(String),
    #[error("Choose at least one role")]
    NoRoles,
    #[error("\"{0}\" is not a date: enter it as YYYY-MM-DD, for example 2026-04-01")]
    InvalidDate(String),
    #[error(
        "The council must always have a Clerk who has not left. Give someone else the Clerk role first"
    )]
    LastClerk,
}

/// Refuses a change that would leave the council without a Clerk (who administers Custodian):
/// `changed` is the person as they would be after the change.
pub fn check_a_clerk_remains(people: &[Person], changed: &Person) -> Result<(), PersonError> {
    let remains = people
        .iter()
        .map(|p| if p.id == changed.id { changed } else { p })
        .any(|p| p.roles.contains(Role::Clerk) && p.status != PersonStatus::Left);
    if remains {
        Ok(())
    } else {
        Err(PersonError::LastClerk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_set_round_trips_through_storage() {
        let set = RoleSet::of(&[Role::Chair, Role::Clerk]);
        assert_eq!(set.to_storage(), "clerk,chair");
        assert_eq!(RoleSet::from_storage("clerk,chair").unwrap(), set);
        assert!(RoleSet::from_storage("clerk,king").is_err());
    }

    #[test]
    fn email_is_lower_cased_and_checked() {
        assert_eq!(
            Email::parse(" Clerk@Ashby-PC.gov.uk ").unwrap().as_str(),
            "clerk@ashby-pc.gov.uk"
        );
        for bad in [
            "",
            "clerk",
            "clerk@",
            "@x.org",
            "a@b",
            "a b@x.org",
            "a@@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn names_are_tidied_and_bounded() {
        assert_eq!(
            PersonName::parse(" Ada   Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert_eq!(PersonName::parse(""), Err(PersonError::EmptyName));
    }

    #[test]
    fn the_last_clerk_cannot_leave_or_lose_the_role() {
        let council = CouncilId::generate();
        let new = |roles: &[Role]| {
            add_person(
                council,
                PersonId::generate(),
                NewPerson {
                    name: PersonName::parse("A").unwrap(),
                    email: Email::parse("a@x.org").unwrap(),
                    roles: RoleSet::of(roles),
                    start_date: None,
                },
                crate::audit::Actor::System,
                jiff::Timestamp::UNIX_EPOCH,
            )
            .unwrap()
            .0
        };
        let clerk = new(&[Role::Clerk]);
        let chair = new(&[Role::Chair]);
        let people = vec![clerk.clone(), chair.clone()];
        let mut leaving = clerk.clone();
        leaving.status = PersonStatus::Left;
        assert_eq!(
            check_a_clerk_remains(&people, &leaving),
            Err(PersonError::LastClerk)
        );
        let mut promoted = chair.clone();
        promoted.roles = RoleSet::of(&[Role::Chair, Role::Clerk]);
        let people = vec![clerk, promoted];
        assert_eq!(check_a_clerk_remains(&people, &leaving), Ok(()));
    }

    #[test]
    fn dates_must_be_iso() {
        assert_eq!(parse_optional_date("").unwrap(), None);
        assert!(parse_optional_date("2026-04-01").unwrap().is_some());
        assert!(parse_optional_date("01/04/2026").is_err());
    }
}

/// How long an invitation link stays valid.
pub const INVITATION_VALID_FOR: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// How long a password-reset link stays valid: shorter than an invitation, because it replaces a
/// working password.
pub const PASSWORD_RESET_VALID_FOR: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// What the Clerk types when adding a person.
#[derive(Clone, Debug)]
pub struct NewPerson {
    pub name: PersonName,
    pub email: Email,
    pub roles: RoleSet,
    pub start_date: Option<Date>,
}

/// Builds a newly invited person and the audit event recording it.
pub fn add_person(
    council_id: CouncilId,
    id: PersonId,
    new: NewPerson,
    actor: crate::audit::Actor,
    now: jiff::Timestamp,
) -> Result<(Person, crate::audit::AuditEvent), PersonError> {
    if new.roles.is_empty() {
        return Err(PersonError::NoRoles);
    }
    let person = Person {
        id,
        council_id,
        account_id: None,
        name: new.name,
        email: new.email,
        roles: new.roles,
        status: PersonStatus::Invited,
        start_date: new.start_date,
        leave_date: None,
        created_at: now,
    };
    let event = crate::audit::AuditEvent::new(council_id, now, actor, "person.added")
        .subject(format!("person:{id}"))
        .details(serde_json::json!({ "roles": person.roles.to_storage() }));
    Ok((person, event))
}
