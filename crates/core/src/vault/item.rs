//! A vault item: one shared or administrative credential (4.1.2-4.1.3) and what is known about
//! it. The secrets themselves never appear here: the store keeps them sealed (crate
//! `custodian-vault`) and this record says only which secret fields exist and at which version.

use super::VaultError;
use crate::ids::{CouncilId, PersonId, VaultItemId};
use crate::person::{Role, RoleSet};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the credential is for: the administrative and shared credentials of 4.1.2 and 4.1.5
/// (website, social media: see also 9.1.4, domain, email administration); the rest are what a
/// council's IT provider is most often asked to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    WebsiteAdmin,
    SocialMedia,
    DomainRegistrar,
    EmailAdmin,
    Hosting,
    Banking,
    WiFi,
    DeviceAdmin,
    Other,
}

impl ItemKind {
    pub const ALL: [ItemKind; 9] = [
        ItemKind::WebsiteAdmin,
        ItemKind::SocialMedia,
        ItemKind::DomainRegistrar,
        ItemKind::EmailAdmin,
        ItemKind::Hosting,
        ItemKind::Banking,
        ItemKind::WiFi,
        ItemKind::DeviceAdmin,
        ItemKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::WebsiteAdmin => "website_admin",
            ItemKind::SocialMedia => "social_media",
            ItemKind::DomainRegistrar => "domain_registrar",
            ItemKind::EmailAdmin => "email_admin",
            ItemKind::Hosting => "hosting",
            ItemKind::Banking => "banking",
            ItemKind::WiFi => "wifi",
            ItemKind::DeviceAdmin => "device_admin",
            ItemKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemKind::WebsiteAdmin => "Website administration",
            ItemKind::SocialMedia => "Social media account",
            ItemKind::DomainRegistrar => "Domain name registrar",
            ItemKind::EmailAdmin => "Email administration",
            ItemKind::Hosting => "Web or email hosting",
            ItemKind::Banking => "Online banking",
            ItemKind::WiFi => "Wi-Fi network",
            ItemKind::DeviceAdmin => "Device administrator",
            ItemKind::Other => "Other",
        }
    }

    pub fn parse(text: &str) -> Result<Self, VaultError> {
        ItemKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or_else(|| VaultError::UnknownKind(text.to_owned()))
    }

    /// Kinds whose accounts lapse if not renewed, so a renewal date is asked for.
    pub fn usually_renews(self) -> bool {
        matches!(self, ItemKind::DomainRegistrar | ItemKind::Hosting)
    }
}

/// Ordinary items are used day to day by the people allowed; sealed items are the
/// administrative credentials the policy gives the Chair "in a sealed envelope, only to be
/// accessed in an emergency" (4.1.2): besides those allowed day to day, they can be opened
/// through emergency access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Ordinary,
    Sealed,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Ordinary => "ordinary",
            Tier::Sealed => "sealed",
        }
    }

    pub fn parse(text: &str) -> Result<Self, VaultError> {
        match text.trim() {
            "ordinary" => Ok(Tier::Ordinary),
            "sealed" => Ok(Tier::Sealed),
            other => Err(VaultError::UnknownTier(other.to_owned())),
        }
    }
}

/// The secret parts of an item, each sealed on its own so one can be shown without the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretField {
    Password,
    /// The seed of the account's two-step codes; Custodian shows the current code, not the seed.
    TotpSeed,
    RecoveryCodes,
    Notes,
}

impl SecretField {
    pub const ALL: [SecretField; 4] = [
        SecretField::Password,
        SecretField::TotpSeed,
        SecretField::RecoveryCodes,
        SecretField::Notes,
    ];

    /// The name bound into each sealed value (`custodian_vault::Binding::field`) and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretField::Password => "password",
            SecretField::TotpSeed => "totp_seed",
            SecretField::RecoveryCodes => "recovery_codes",
            SecretField::Notes => "notes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SecretField::Password => "Password",
            SecretField::TotpSeed => "Two-step code",
            SecretField::RecoveryCodes => "Recovery codes",
            SecretField::Notes => "Secure notes",
        }
    }

    pub fn parse(text: &str) -> Result<Self, VaultError> {
        SecretField::ALL
            .into_iter()
            .find(|f| f.as_str() == text.trim())
            .ok_or_else(|| VaultError::UnknownField(text.to_owned()))
    }

    /// The longest value accepted, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            SecretField::Password => 1_000,
            SecretField::TotpSeed => 500,
            SecretField::RecoveryCodes | SecretField::Notes => 10_000,
        }
    }
}

/// Who may reveal an item day to day: anyone holding one of `roles`, and each person named.
/// Just-in-time grants and emergency access add to this for a time (see `access`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowed {
    pub roles: RoleSet,
    pub people: Vec<PersonId>,
}

impl Allowed {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.people.is_empty()
    }

    /// Whether the person, with these roles, is allowed day to day; the reason is the first
    /// that applies (being named, then a role).
    pub fn allows(&self, person: PersonId, roles: RoleSet) -> Option<super::RevealBasis> {
        if self.people.contains(&person) {
            return Some(super::RevealBasis::Named);
        }
        roles
            .iter()
            .find(|role| self.roles.contains(*role))
            .map(super::RevealBasis::Role)
    }
}

/// Someone's confirmation, with when they gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub by: PersonId,
    pub at: Timestamp,
}

/// A credential in the vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultItem {
    pub id: VaultItemId,
    pub council_id: CouncilId,
    pub name: String,
    pub kind: ItemKind,
    /// Where it is used: a web address or the name of a device or network.
    pub address: Option<String>,
    pub username: Option<String>,
    pub allowed: Allowed,
    pub tier: Tier,
    /// How often the password is to be changed; `None` when only on suspicion (NCSC advises
    /// against forced expiry for people's own passwords, but shared ones change when people
    /// leave or on a schedule the council sets).
    pub rotation_days: Option<u16>,
    /// When the password was last changed (the secret's version raised), or first stored.
    pub last_rotated: Option<Timestamp>,
    /// When the account must be renewed (domains, hosting, certificates).
    pub renewal_due: Option<Date>,
    /// Who confirmed the supplier's default password was changed at set-up (4.1.1), and when.
    pub default_changed: Option<Confirmed>,
    /// Set when someone marked the item compromised; cleared when the password is changed.
    pub compromised: Option<Confirmed>,
    /// Set when the password must change now regardless of schedule (it was marked compromised
    /// or opened in an emergency); cleared when the password is changed.
    pub rotation_forced_at: Option<Timestamp>,
    /// Each secret field stored and its version (raised on every change, and bound into the
    /// sealed value so an older ciphertext cannot be put back).
    pub secrets: BTreeMap<SecretField, u32>,
    pub created_at: Timestamp,
    /// Raised on every change; a change is stored only over the revision it was made from.
    pub revision: u32,
}

/// What a person enters on the item form (everything except the secrets).
#[derive(Clone, Debug, Default)]
pub struct ItemDetails {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub username: String,
    pub tier: String,
    pub roles: Vec<Role>,
    pub people: Vec<PersonId>,
    /// Days between changes, as typed; blank for none.
    pub rotation_days: String,
    /// The renewal date as typed (day/month/year or ISO); blank for none.
    pub renewal_due: String,
}

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_ADDRESS_CHARS: usize = 500;
pub const MAX_USERNAME_CHARS: usize = 254;
pub const MAX_ROTATION_DAYS: u16 = 3_650;

fn optional(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The checked form of [`ItemDetails`]; every problem is reported at once, by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedDetails {
    pub name: String,
    pub kind: ItemKind,
    pub address: Option<String>,
    pub username: Option<String>,
    pub tier: Tier,
    pub allowed: Allowed,
    pub rotation_days: Option<u16>,
    pub renewal_due: Option<Date>,
}

impl ItemDetails {
    /// Checks the form: a name, a known kind and tier, someone allowed (not the auditor, who
    /// only reads), a rotation interval from 1 to 3,650 days, a real renewal date. Returns every
    /// problem found, each with the field it belongs to.
    pub fn check(&self) -> Result<CheckedDetails, Vec<(&'static str, VaultError)>> {
        let mut problems = Vec::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            problems.push(("name", VaultError::NameMissing));
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.push(("name", VaultError::TooLong("name", MAX_NAME_CHARS)));
        }
        let kind = ItemKind::parse(&self.kind).map_err(|e| problems.push(("kind", e)));
        let tier = Tier::parse(&self.tier).map_err(|e| problems.push(("tier", e)));
        let address = optional(&self.address);
        if address
            .as_ref()
            .is_some_and(|a| a.chars().count() > MAX_ADDRESS_CHARS)
        {
            problems.push(("address", VaultError::TooLong("address", MAX_ADDRESS_CHARS)));
        }
        let username = optional(&self.username);
        if username
            .as_ref()
            .is_some_and(|u| u.chars().count() > MAX_USERNAME_CHARS)
        {
            problems.push((
                "username",
                VaultError::TooLong("username", MAX_USERNAME_CHARS),
            ));
        }
        if self.roles.contains(&Role::Auditor) {
            problems.push(("roles", VaultError::AuditorCannotReveal));
        }
        let mut people = self.people.clone();
        people.sort();
        people.dedup();
        let allowed = Allowed {
            roles: RoleSet::of(&self.roles),
            people,
        };
        if allowed.is_empty() {
            problems.push(("roles", VaultError::NobodyAllowed));
        }
        let rotation_days = match self.rotation_days.trim() {
            "" => None,
            text => match text.parse::<u16>() {
                Ok(days) if (1..=MAX_ROTATION_DAYS).contains(&days) => Some(days),
                _ => {
                    problems.push(("rotation_days", VaultError::RotationDays(text.to_owned())));
                    None
                }
            },
        };
        let renewal_due = match self.renewal_due.trim() {
            "" => None,
            text => match crate::text::parse_uk_date(text) {
                Ok(date) => Some(date),
                Err(problem) => {
                    problems.push(("renewal_due", VaultError::RenewalDate(problem)));
                    None
                }
            },
        };
        match (kind, tier) {
            (Ok(kind), Ok(tier)) if problems.is_empty() => Ok(CheckedDetails {
                name,
                kind,
                address,
                username,
                tier,
                allowed,
                rotation_days,
                renewal_due,
            }),
            _ => Err(problems),
        }
    }
}

impl VaultItem {
    /// A new item with the checked details and no secrets yet (the store seals them).
    pub fn new(
        id: VaultItemId,
        council_id: CouncilId,
        details: CheckedDetails,
        now: Timestamp,
    ) -> Self {
        let mut item = Self {
            id,
            council_id,
            name: String::new(),
            kind: details.kind,
            address: None,
            username: None,
            allowed: Allowed::default(),
            tier: details.tier,
            rotation_days: None,
            last_rotated: None,
            renewal_due: None,
            default_changed: None,
            compromised: None,
            rotation_forced_at: None,
            secrets: BTreeMap::new(),
            created_at: now,
            revision: 0,
        };
        item.apply(details);
        item
    }

    /// Marks the start of one stored change: the store writes it only over the revision
    /// before. Call once per change, however many fields it touches.
    pub fn begin_change(&mut self) {
        self.revision = self.revision.saturating_add(1);
    }

    /// Replaces the details (not the secrets or the confirmations).
    pub fn apply(&mut self, details: CheckedDetails) {
        self.name = details.name;
        self.kind = details.kind;
        self.address = details.address;
        self.username = details.username;
        self.tier = details.tier;
        self.allowed = details.allowed;
        self.rotation_days = details.rotation_days;
        self.renewal_due = details.renewal_due;
    }

    /// Records a new value for a secret field: its version goes up (the sealed value is bound
    /// to it). A new password is a rotation: it clears "compromised" and "change now".
    /// Returns the version the new value is to be sealed with.
    pub fn replace_secret(&mut self, field: SecretField, now: Timestamp) -> u32 {
        let version = self.secrets.get(&field).map_or(1, |v| v.saturating_add(1));
        self.secrets.insert(field, version);
        if field == SecretField::Password {
            self.last_rotated = Some(now);
            self.compromised = None;
            self.rotation_forced_at = None;
        }
        version
    }

    /// Removes a secret field (for example notes no longer needed).
    pub fn remove_secret(&mut self, field: SecretField) -> bool {
        self.secrets.remove(&field).is_some()
    }

    pub fn has(&self, field: SecretField) -> bool {
        self.secrets.contains_key(&field)
    }

    /// The subject its audit entries carry, so its access history is one indexed query.
    pub fn audit_subject(&self) -> String {
        subject(self.id)
    }
}

/// The audit subject of an item.
pub fn subject(id: VaultItemId) -> String {
    format!("vault_item:{id}")
}
