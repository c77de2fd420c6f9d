//! The storage seams. The domain and the web layer talk to storage only through these traits;
//! `custodian-store` implements them on SQLite and PostgreSQL, and one contract test suite
//! holds both implementations to the same behaviour.
//!
//! Every method that changes state takes the [`AuditEvent`] describing the change and must
//! append it in the same transaction: a change without its audit entry cannot be committed.

use crate::audit::{AuditEntry, AuditEvent, ChainHead};
use crate::council::{Council, CouncilSettings};
use crate::ids::{AccountId, CouncilId, IncidentId, PersonId, PolicyVersionId};
use crate::incident::{Incident, IncidentAction};
use crate::person::{Email, Person};
use crate::policy::version::{Adoption, Declaration, Draft, PolicyVersion, VersionStatus};
use jiff::Timestamp;
use std::future::Future;

mod approval;
mod equipment;
mod health;
mod joiner;
mod leaver;
mod mail;
mod monitor;
mod monitor_identity;
mod monitor_keys;
mod reminder;
mod vault;
pub use approval::{ApprovalStore, OpenApproval};
pub use equipment::{AssetStore, AssetStoreError, DeviceStore};
pub use health::HealthStore;
pub use joiner::JoinerStore;
pub use leaver::LeaverStore;
pub use mail::{MailStore, MailTrouble};
pub use monitor::CategoryTotal;
pub use monitor::{
    BatchRecord, DailyRecord, ErasureReport, IdentityError, IdentityKind, IdentityTarget,
    IngestOutcome, IngestReport, LocalDay, MonitorIdentity, MonitorSettings, MonitorStore,
    NewBatch, PurgeReport, RawExtract, RawLines, Reattributed, ReleaseReport, SiteCategories,
    SiteTotal, SiteVisitor, StoredDay, SubjectAccess, SubjectKey, UnattributedKey,
    batch_ingested_event, fold_key, purge_event,
};
pub use monitor_keys::{MAX_KEY_NAME_CHARS, MonitorKeyStore, MonitorUploadKey, key_name};
pub use reminder::{CalendarFeed, CalendarFeedStore, ReminderStore};
pub use vault::{
    Notification, RecoveryKitRecord, Rewrapped, SealedItem, SealedSecret, VaultChange,
    VaultSettings, VaultStore,
};

/// Why a storage call failed. "Not found" is its own variant, chosen on purpose: a database
/// failure is never turned into "nothing there".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the database could not be used: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("a stored record could not be read: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A sign-in identity: one email address with its credentials. Accounts are installation-wide
/// because IT-provider staff may serve several councils with one sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub email: Email,
    /// PHC string (Argon2id); never the password.
    pub password_hash: String,
    pub failed_attempts: i64,
    pub locked_until: Option<Timestamp>,
    /// Base32 TOTP secret once MFA is set up.
    pub totp_secret: Option<String>,
    /// SHA-256 hashes of unused recovery codes.
    pub recovery_code_hashes: Vec<String>,
    pub created_at: Timestamp,
}

/// A passkey (WebAuthn credential) registered to an account as a second factor. Like the
/// account, it is installation-wide. `credential` is the web layer's serialised credential
/// (public key, credential id, signature counter): opaque here, so `core` stays free of
/// WebAuthn types. It holds no secret, but it changes after each use (the counter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyRecord {
    pub id: String,
    pub account_id: AccountId,
    /// The name the person gave it ("Work laptop"), to tell their passkeys apart.
    pub name: String,
    pub credential: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// A signed-in browser. Only the SHA-256 of the session token is stored, so a copy of the
/// database cannot be used to take over a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub account_id: AccountId,
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub csrf_token: String,
    /// False until the second factor has been given (when the account has one).
    pub mfa_passed: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    /// An invited person sets their first password (or links an existing sign-in).
    Invitation,
    /// An active person who has forgotten their password chooses a new one.
    PasswordReset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invite",
            LinkPurpose::PasswordReset => "reset",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "invite" => Some(LinkPurpose::Invitation),
            "reset" => Some(LinkPurpose::PasswordReset),
            _ => None,
        }
    }
}

/// A one-time link to set a password. Only the hash of the token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub token_hash: String,
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub purpose: LinkPurpose,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// Filters for the audit-log page and its CSV export.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuditQuery {
    /// Exact actor as stored (e.g. `person:<id>`).
    pub actor: Option<String>,
    /// Action prefix, e.g. `person.` or `signin.failed`.
    pub action_prefix: Option<String>,
    /// Exact subject, e.g. `asset:<id>`: one record's whole history.
    pub subject: Option<String>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Return entries with a sequence number below this (newest first paging).
    pub before_seq: Option<i64>,
    pub limit: u32,
}

impl Default for AuditQuery {
    /// No filters, one page of the newest entries.
    fn default() -> Self {
        Self {
            actor: None,
            action_prefix: None,
            subject: None,
            from: None,
            until: None,
            before_seq: None,
            limit: 50,
        }
    }
}

pub trait CouncilStore: Send + Sync {
    /// Creates a council together with its first person (the Clerk), in one transaction.
    fn create_council(
        &self,
        council: &Council,
        clerk: &Person,
        events: &[AuditEvent],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn council(&self, id: CouncilId) -> impl Future<Output = StoreResult<Council>> + Send;
    fn councils(&self) -> impl Future<Output = StoreResult<Vec<Council>>> + Send;
    fn update_council(
        &self,
        id: CouncilId,
        name: &crate::council::CouncilName,
        settings: &CouncilSettings,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

pub trait PersonStore: Send + Sync {
    fn insert_person(
        &self,
        person: &Person,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn update_person(
        &self,
        person: &Person,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// A person in one council; another council's person is `NotFound`.
    fn person(
        &self,
        council: CouncilId,
        id: PersonId,
    ) -> impl Future<Output = StoreResult<Person>> + Send;
    fn people(&self, council: CouncilId) -> impl Future<Output = StoreResult<Vec<Person>>> + Send;
    /// Every membership linked to an account, across councils.
    fn people_for_account(
        &self,
        account: AccountId,
    ) -> impl Future<Output = StoreResult<Vec<Person>>> + Send;
    fn person_by_email(
        &self,
        council: CouncilId,
        email: &Email,
    ) -> impl Future<Output = StoreResult<Option<Person>>> + Send;
}

pub trait AccountStore: Send + Sync {
    fn account_by_email(
        &self,
        email: &Email,
    ) -> impl Future<Output = StoreResult<Option<Account>>> + Send;
    fn account(&self, id: AccountId) -> impl Future<Output = StoreResult<Account>> + Send;
    /// Creates the account (or, when `account` already exists, links to it), links the person,
    /// marks them active and uses up the invitation, all in one transaction.
    fn accept_invitation(
        &self,
        invitation_hash: &str,
        account: &Account,
        create_account: bool,
        person: PersonId,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Records a failed sign-in on every council the account belongs to.
    fn record_failed_sign_in(
        &self,
        account: AccountId,
        attempts: i64,
        locked_until: Option<Timestamp>,
        events: &[AuditEvent],
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn update_account_security(
        &self,
        account: &Account,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Sets a new password hash from a password-reset link: uses up the link (and any other
    /// unused link for the person), clears any lock and ends every session of the account, in
    /// one transaction.
    fn reset_password(
        &self,
        link_hash: &str,
        person: PersonId,
        account: AccountId,
        password_hash: &str,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn insert_invitation(
        &self,
        invitation: &Invitation,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn invitation(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<Invitation>>> + Send;
}

pub trait PasskeyStore: Send + Sync {
    fn insert_passkey(
        &self,
        passkey: &PasskeyRecord,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// An account's passkeys, oldest first.
    fn passkeys(
        &self,
        account: AccountId,
    ) -> impl Future<Output = StoreResult<Vec<PasskeyRecord>>> + Send;
    /// Stores a passkey's credential and `last_used_at` after it was used to sign in (the
    /// credential's signature counter moves on), with the sign-in's audit entry. A passkey not
    /// belonging to `passkey.account_id` is `NotFound`.
    fn record_passkey_use(
        &self,
        passkey: &PasskeyRecord,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Removes one of an account's passkeys; another account's passkey is `NotFound`.
    fn delete_passkey(
        &self,
        account: AccountId,
        id: &str,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

pub trait SessionStore: Send + Sync {
    fn insert_session(
        &self,
        session: &Session,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<Session>>> + Send;
    fn touch_session(
        &self,
        token_hash: &str,
        at: Timestamp,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn update_session(&self, session: &Session) -> impl Future<Output = StoreResult<()>> + Send;
    fn delete_session(
        &self,
        token_hash: &str,
        event: Option<&AuditEvent>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Ends every session of an account ("sign out of all devices", or when someone leaves).
    fn delete_account_sessions(
        &self,
        account: AccountId,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<u64>> + Send;
}

pub trait AuditLog: Send + Sync {
    /// Appends an entry that records something with no other row to write (a sign-in, a
    /// refused request, an export).
    fn append(&self, event: &AuditEvent) -> impl Future<Output = StoreResult<AuditEntry>> + Send;
    fn entries(
        &self,
        council: CouncilId,
        query: &AuditQuery,
    ) -> impl Future<Output = StoreResult<Vec<AuditEntry>>> + Send;
    fn heads(&self) -> impl Future<Output = StoreResult<Vec<ChainHead>>> + Send;
    /// Streams every entry of every council in (council, sequence) order to `visit`.
    fn for_each_entry<F: FnMut(&AuditEntry) + Send>(
        &self,
        visit: F,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

/// Incidents and their timelines. The rules are `core::incident`'s; the store saves what they
/// decide, each change with its audit entry in one transaction.
///
/// Changes are guarded by [`Incident::revision`] as devices are: an incident is only overwritten
/// when the stored revision is the one before the change's, so two people recording decisions
/// from pages opened at the same time cannot undo each other. An overtaken change is
/// `Conflict` with a plain message; another council's incident (or person) is `NotFound`.
pub trait IncidentStore: Send + Sync {
    fn insert_incident(
        &self,
        incident: &Incident,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Every incident of the council, newest reported first.
    fn incidents(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<Incident>>> + Send;
    fn incident(
        &self,
        council: CouncilId,
        id: IncidentId,
    ) -> impl Future<Output = StoreResult<Incident>> + Send;
    /// Stores an incident's next state (owner, breach decisions, closure) over the revision
    /// before it.
    fn update_incident(
        &self,
        incident: &Incident,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Appends an entry to an incident's timeline. There is no way to change or remove one.
    fn add_incident_action(
        &self,
        action: &IncidentAction,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// An incident's timeline, oldest first; another council's incident is `NotFound`.
    fn incident_actions(
        &self,
        council: CouncilId,
        id: IncidentId,
    ) -> impl Future<Output = StoreResult<Vec<IncidentAction>>> + Send;
    /// The council's open personal-data breaches, oldest reported first (for the home page's
    /// 72-hour clocks).
    fn open_breaches(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<Incident>>> + Send;
}

/// Counts for the home page's "what needs attention".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttentionCounts {
    pub invited_people: i64,
    pub open_incidents: i64,
    /// When the policy in force is due for review; `None` when no version is in force.
    pub policy_review_due: Option<jiff::civil::Date>,
    /// Items still issued to people who have left: to be collected (and wiped) now.
    pub items_with_leavers: i64,
    /// Items issued but not yet acknowledged by their holder.
    pub unacknowledged_items: i64,
}

pub trait DashboardStore: Send + Sync {
    fn attention_counts(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<AttentionCounts>> + Send;
    /// The holder of each issued item not yet acknowledged, once per item (so a person holding
    /// two such items appears twice), so each person's home page can ask them to acknowledge.
    fn holders_awaiting_acknowledgement(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<PersonId>>> + Send;
}

/// Why a change to the council's policy versions or declarations was not stored.
#[derive(Debug, thiserror::Error)]
pub enum PolicyStoreError {
    /// Not found (including another council's version), or the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Only a draft can be changed, adopted or deleted; the version is now `.0`.
    #[error("only a draft can be changed, adopted or deleted; this version is {}", .0.as_str())]
    NotADraft(VersionStatus),
    /// A declaration can be signed only for the version in force.
    #[error("this version of the policy is not the one in force")]
    NotInForce,
    /// The person has already signed this version; the first signature stands.
    #[error("this person has already signed this version of the policy")]
    AlreadySigned,
}

/// Policy versions (drafts, the one in force, those it replaced) and signed declarations.
/// Reads return [`StoreResult`]; changes return [`PolicyStoreError`], whose extra variants are the
/// conflicts a change can meet when another request got there first.
pub trait PolicyStore: Send + Sync {
    /// Stores a new draft, numbering it after the council's newest version (1, 2, 3…), and
    /// returns it as stored.
    fn create_draft(
        &self,
        draft: &Draft,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<PolicyVersion, PolicyStoreError>> + Send;
    /// Stores a draft's new profile and note (nothing else changes). A version that is no longer
    /// a draft is `NotADraft`; another council's is `NotFound`.
    fn update_draft(
        &self,
        version: &PolicyVersion,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), PolicyStoreError>> + Send;
    fn delete_draft(
        &self,
        council: CouncilId,
        id: PolicyVersionId,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), PolicyStoreError>> + Send;
    /// One version of one council; another council's version is `NotFound`.
    fn version(
        &self,
        council: CouncilId,
        id: PolicyVersionId,
    ) -> impl Future<Output = StoreResult<PolicyVersion>> + Send;
    /// Every version of the council, newest first.
    fn versions(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<PolicyVersion>>> + Send;
    /// The adopted version, if the council has one.
    fn in_force(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Option<PolicyVersion>>> + Send;
    /// Adopts a draft and marks the version previously in force as superseded, in one
    /// transaction.
    fn adopt(
        &self,
        council: CouncilId,
        id: PolicyVersionId,
        adoption: &Adoption,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), PolicyStoreError>> + Send;
    /// Stores a signature. Only the version in force can be signed (`NotInForce`), once per
    /// person (`AlreadySigned`).
    fn sign_declaration(
        &self,
        declaration: &Declaration,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), PolicyStoreError>> + Send;
    /// The signatures of one version, oldest first.
    fn declarations(
        &self,
        council: CouncilId,
        version: PolicyVersionId,
    ) -> impl Future<Output = StoreResult<Vec<Declaration>>> + Send;
    /// Active people who have not signed the version in force, by name. Empty when no version
    /// is in force or its profile does not require a signed declaration.
    fn unsigned_people(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<Vec<PersonId>>> + Send;
    fn declaration_of(
        &self,
        council: CouncilId,
        version: PolicyVersionId,
        person: PersonId,
    ) -> impl Future<Output = StoreResult<Option<Declaration>>> + Send;
}
