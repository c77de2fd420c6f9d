//! The shared-credential vault's rules (issue 5; clauses 4.1.1-4.1.6 of the model policy):
//! what an item is, who may reveal it and when, what needs doing about it, and the audit
//! entries every step writes. The cryptography is `custodian-vault`'s; the store seals and
//! opens; nothing here ever holds a secret except the checks on a value being entered.

mod access;
mod item;
mod secret;
mod status;

pub use access::{
    AccessGrant, DEFAULT_GRANT_HOURS, EMERGENCY_OPEN_HOURS, EmergencyAccess, EmergencyState,
    GrantDecision, KIT_HOLDER_ROLES, MAX_GRANT_HOURS, MAX_REASON_CHARS, Objection, RevealBasis,
    check_reason, emergency_told_roles, kit_holders, reveal_basis, second_holder_roles,
};
pub use item::{
    Allowed, CheckedDetails, Confirmed, ItemDetails, ItemKind, MAX_ROTATION_DAYS, SecretField,
    Tier, VaultItem, subject,
};
pub use secret::{
    Strength, check_secret, is_known_default_password, normalise_totp_seed, strength,
};
pub use status::{Attention, DUE_SOON_DAYS, attention, rotation_due};

use crate::audit::{Actor, AuditEvent};
use crate::text::DateProblem;
use jiff::Timestamp;
use serde_json::Value;

/// Why something asked of the vault was refused. Messages say what was wrong and what to do;
/// none ever includes a secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("\"{0}\" is not a kind of item Custodian knows. Choose one from the list.")]
    UnknownKind(String),
    #[error("\"{0}\" is not a tier. Choose ordinary or sealed.")]
    UnknownTier(String),
    #[error(
        "\"{0}\" is not a secret field. Choose password, two-step code, recovery codes or notes."
    )]
    UnknownField(String),
    #[error("Enter a name for the item, such as \"Council website admin\".")]
    NameMissing,
    #[error("The {0} must be {1} characters or fewer.")]
    TooLong(&'static str, usize),
    #[error(
        "The internal auditor reads the record of access but never the secrets, so cannot be allowed to reveal an item."
    )]
    AuditorCannotReveal,
    #[error("Choose at least one role or person who may reveal this item.")]
    NobodyAllowed,
    #[error(
        "\"{0}\" is not a number of days between 1 and 3,650. Leave it blank if the password is changed only when needed."
    )]
    RotationDays(String),
    #[error("{}", renewal_date_message(*.0))]
    RenewalDate(DateProblem),
    #[error("Give a reason. It is kept in the audit log with the request.")]
    ReasonMissing,
    #[error("Enter the {0}.")]
    SecretEmpty(&'static str),
    #[error("The {0} must be {1} characters or fewer.")]
    SecretTooLong(&'static str, usize),
    #[error(
        "That is not a two-step code seed. Paste the setup key the service showed (letters A to Z and digits 2 to 7, at least 16 of them) or its otpauth:// link."
    )]
    TotpSeed,
    #[error("Choose at least one item to ask for.")]
    GrantWithoutItems,
    #[error("Access can last from 1 to 24 hours; {0} hours was asked for.")]
    GrantHours(u8),
    #[error(
        "One of the items asked for has been removed from the vault, so the request cannot be approved. Ask for it again."
    )]
    ItemGone,
    #[error(
        "Someone else must approve or decline a request for access: nobody approves their own."
    )]
    ApproverIsRequester,
    #[error(
        "You are not allowed to reveal \"{0}\" yourself, so you cannot grant access to it. Ask the Clerk."
    )]
    ApproverNotAllowed(String),
    #[error("This request has already been decided.")]
    GrantNotPending,
    #[error("This access has already ended.")]
    GrantNotOpen,
    #[error(
        "Emergency access is no longer waiting, so it can no longer be objected to or agreed early."
    )]
    EmergencyNotWaiting,
    #[error("This emergency access has already ended.")]
    EmergencyNotLive,
    #[error("The person who opened emergency access cannot also object to it or agree to it.")]
    EmergencyOwnRequest,
    #[error("Only the Chair, Vice-Chair, Clerk or IT provider take part in emergency access.")]
    NotAnEmergencyHolder,
}

fn renewal_date_message(problem: DateProblem) -> &'static str {
    match problem {
        DateProblem::Unreadable => {
            "The renewal date could not be read. Enter it as day, month and year, such as 1/4/2027 or 1 April 2027."
        }
        DateProblem::ShortYear => {
            "Give the renewal date's year in full, such as 1/4/2027 rather than 1/4/27."
        }
        DateProblem::NotReal => "The renewal date is not a real day. Check the day and month.",
    }
}

/// The audit event for something done to an item: its subject is the item, so its whole
/// access history is one indexed query, and its details never hold a secret.
pub fn item_event(
    item: &VaultItem,
    now: Timestamp,
    actor: Actor,
    action: &str,
    details: Value,
) -> AuditEvent {
    AuditEvent::new(item.council_id, now, actor, action)
        .subject(item.audit_subject())
        .details(details)
}

#[cfg(test)]
mod tests;
