//! Founding councils, inviting people and accepting invitations: the steps shared by the web
//! pages and the command line (`custodian init`, `custodian demo`), so both follow one path and
//! leave the same audit trail.

use crate::auth::{self, HashError};
use custodian_core::audit::Actor;
use custodian_core::council::{Council, Founding, found_council};
use custodian_core::ids::{AccountId, CouncilId, PersonId};
use custodian_core::password::{PasswordProblem, check_new_password};
use custodian_core::person::{
    INVITATION_VALID_FOR, PASSWORD_RESET_VALID_FOR, Person, PersonStatus, Role,
};
use custodian_core::ports::{
    Account, AccountStore, CouncilStore, Invitation, LinkPurpose, PersonStore, StoreError,
};
use custodian_store::Store;
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Password(#[from] PasswordProblem),
    #[error("This invitation link is not valid. Ask your Clerk to send a new one")]
    InvitationUnknown,
    #[error(
        "This invitation link has expired (links last 7 days). Ask your Clerk to send a new one"
    )]
    InvitationExpired,
    #[error("This invitation link has already been used. Sign in instead")]
    InvitationUsed,
    #[error(
        "You already have a Custodian sign-in for this email address; the password you entered does not match it"
    )]
    ExistingAccountPasswordMismatch,
    #[error("This person has left the council and cannot be invited")]
    PersonHasLeft,
    #[error(
        "This person has not accepted their invitation yet: create a new invitation link instead"
    )]
    NotYetActive,
    #[error("Only the Clerk can create a password reset link for a Clerk or an IT provider")]
    OnlyClerkMayResetOfficer,
    #[error(
        "This person also uses their sign-in for another council, so a password reset here would change it there too. Ask whoever runs this Custodian installation to help"
    )]
    SharedAccount,
}

/// Founds a council with its Clerk and returns the Clerk's invitation token.
pub async fn found(
    store: &Store,
    founding: Founding,
    actor: Actor,
    now: Timestamp,
) -> Result<(Council, Person, SecretString), ProvisionError> {
    let (council, clerk, events) = found_council(founding, actor.clone(), now);
    store.create_council(&council, &clerk, &events).await?;
    let token = invite(store, council.id, clerk.id, actor, now).await?;
    Ok((council, clerk, token))
}

/// Creates a one-time invitation for an invited person and returns the token for the link
/// `/invitation/<token>`. Only the token's hash is stored.
pub async fn invite(
    store: &Store,
    council: CouncilId,
    person: PersonId,
    actor: Actor,
    now: Timestamp,
) -> Result<SecretString, ProvisionError> {
    let target = store.person(council, person).await?;
    if target.status == PersonStatus::Left {
        return Err(ProvisionError::PersonHasLeft);
    }
    let token = auth::new_token();
    let invitation = Invitation {
        token_hash: auth::token_hash(token.expose_secret()),
        council_id: council,
        person_id: person,
        purpose: LinkPurpose::Invitation,
        created_at: now,
        expires_at: now + INVITATION_VALID_FOR,
        used_at: None,
    };
    let event = custodian_core::audit::AuditEvent::new(council, now, actor, "invitation.created")
        .subject(format!("person:{person}"))
        .details(json!({ "expires_at": invitation.expires_at.to_string() }));
    store.insert_invitation(&invitation, &event).await?;
    Ok(token)
}

/// Looks up an invitation that can still be accepted.
pub async fn usable_invitation(
    store: &Store,
    token: &str,
    now: Timestamp,
) -> Result<(Invitation, Person), ProvisionError> {
    let invitation = store
        .invitation(&auth::token_hash(token))
        .await?
        .ok_or(ProvisionError::InvitationUnknown)?;
    if invitation.used_at.is_some() {
        return Err(ProvisionError::InvitationUsed);
    }
    if invitation.expires_at <= now {
        return Err(ProvisionError::InvitationExpired);
    }
    let person = store
        .person(invitation.council_id, invitation.person_id)
        .await?;
    let still_fits = match invitation.purpose {
        LinkPurpose::Invitation => person.status == PersonStatus::Invited,
        LinkPurpose::PasswordReset => {
            person.status == PersonStatus::Active && person.account_id.is_some()
        }
    };
    if !still_fits {
        return Err(ProvisionError::InvitationUsed);
    }
    Ok((invitation, person))
}

/// Creates a one-time link (valid 24 hours) for an active person who has forgotten their
/// password. Nobody sets another person's password: the link lets the person choose a new one.
///
/// Refused when the person's sign-in is shared with another council (a Clerk of one council must
/// not be able to take over someone's access to another), and for a Clerk or IT provider unless
/// the one asking is a Clerk.
pub async fn create_password_reset(
    store: &Store,
    council: CouncilId,
    target: PersonId,
    actor: Actor,
    actor_is_clerk: bool,
    now: Timestamp,
) -> Result<SecretString, ProvisionError> {
    let person = store.person(council, target).await?;
    match person.status {
        PersonStatus::Left => return Err(ProvisionError::PersonHasLeft),
        PersonStatus::Invited => return Err(ProvisionError::NotYetActive),
        PersonStatus::Active => {}
    }
    let Some(account) = person.account_id else {
        return Err(ProvisionError::NotYetActive);
    };
    if !actor_is_clerk
        && (person.roles.contains(Role::Clerk) || person.roles.contains(Role::ItProvider))
    {
        return Err(ProvisionError::OnlyClerkMayResetOfficer);
    }
    let shared = store
        .people_for_account(account)
        .await?
        .iter()
        .any(|p| p.council_id != council && p.status != PersonStatus::Left);
    if shared {
        return Err(ProvisionError::SharedAccount);
    }
    let token = auth::new_token();
    let link = Invitation {
        token_hash: auth::token_hash(token.expose_secret()),
        council_id: council,
        person_id: target,
        purpose: LinkPurpose::PasswordReset,
        created_at: now,
        expires_at: now + PASSWORD_RESET_VALID_FOR,
        used_at: None,
    };
    let event =
        custodian_core::audit::AuditEvent::new(council, now, actor, "password_reset.created")
            .subject(format!("person:{target}"))
            .details(json!({ "expires_at": link.expires_at.to_string() }));
    store.insert_invitation(&link, &event).await?;
    Ok(token)
}

/// Uses a password-reset link: checks the new password, stores its hash, unlocks the account and
/// ends all of its sessions.
pub async fn complete_password_reset(
    store: &Store,
    token: &str,
    password: SecretString,
    council_name: &str,
    now: Timestamp,
) -> Result<(AccountId, Person), ProvisionError> {
    let (link, person) = usable_invitation(store, token, now).await?;
    let Some(account) = person
        .account_id
        .filter(|_| link.purpose == LinkPurpose::PasswordReset)
    else {
        return Err(ProvisionError::InvitationUnknown);
    };
    check_new_password(
        password.expose_secret(),
        &[person.name.as_str(), person.email.as_str(), council_name],
    )?;
    let hash = auth::hash_password_off_thread(password).await?;
    let event = custodian_core::audit::AuditEvent::new(
        link.council_id,
        now,
        Actor::Person(person.id),
        "password_reset.completed",
    )
    .subject(format!("person:{}", person.id));
    store
        .reset_password(&link.token_hash, person.id, account, &hash, &event)
        .await?;
    Ok((account, person))
}

/// Accepts an invitation: checks the password, creates the account (or, for someone who
/// already has one in another council, checks their existing password) and activates the
/// person. Returns the account the person now signs in with.
pub async fn accept_invitation(
    store: &Store,
    token: &str,
    password: SecretString,
    council_name: &str,
    now: Timestamp,
) -> Result<(AccountId, Person), ProvisionError> {
    let (invitation, person) = usable_invitation(store, token, now).await?;
    if invitation.purpose != LinkPurpose::Invitation {
        return Err(ProvisionError::InvitationUnknown);
    }
    let existing = store.account_by_email(&person.email).await?;
    let (account, create) = match existing {
        Some(account) => {
            let phc = account.password_hash.clone();
            let given = password.clone();
            let matches = auth::verify_password_off_thread(given, phc).await;
            if !matches {
                return Err(ProvisionError::ExistingAccountPasswordMismatch);
            }
            (account, false)
        }
        None => {
            check_new_password(
                password.expose_secret(),
                &[person.name.as_str(), person.email.as_str(), council_name],
            )?;
            let hash = auth::hash_password_off_thread(password).await?;
            let account = Account {
                id: AccountId::generate(),
                email: person.email.clone(),
                password_hash: hash,
                failed_attempts: 0,
                locked_until: None,
                totp_secret: None,
                recovery_code_hashes: Vec::new(),
                created_at: now,
            };
            (account, true)
        }
    };
    let event = custodian_core::audit::AuditEvent::new(
        invitation.council_id,
        now,
        Actor::Person(person.id),
        "invitation.accepted",
    )
    .subject(format!("person:{}", person.id))
    .details(json!({ "new_account": create }));
    store
        .accept_invitation(&invitation.token_hash, &account, create, person.id, &event)
        .await?;
    let person = store.person(person.council_id, person.id).await?;
    Ok((account.id, person))
}
