//! Versions of a council's IT policy, their adoption at a council meeting, and the declarations
//! people sign to say they have read and will follow the policy in force.
//!
//! Pure rules: each checks a change and builds the record with its audit event. Rendering the
//! document, hashing the exact text adopted and storing versions happen elsewhere; the caller
//! passes `now` and the texts in.

use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, PersonId, PolicyVersionId};
use crate::person::{Person, PersonStatus};
use crate::policy::profile::{PolicyProfile, ProfileError};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt;

/// A review falls due "soon" this many days ahead, so the Clerk can put it on an agenda.
pub const REVIEW_DUE_SOON_DAYS: u32 = 60;

/// The earliest adoption date accepted: anything before is a typing mistake.
pub const EARLIEST_ADOPTION: Date = jiff::civil::date(2000, 1, 1);

/// Where a version is in its life. At most one version of a council is adopted (in force).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// Being prepared; may be changed or deleted.
    Draft,
    /// Adopted by the council: the policy in force.
    Adopted,
    /// Was in force until a later version was adopted. Kept as the record of what applied then.
    Superseded,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Adopted => "adopted",
            VersionStatus::Superseded => "superseded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            VersionStatus::Draft => "Draft",
            VersionStatus::Adopted => "In force",
            VersionStatus::Superseded => "Replaced",
        }
    }

    pub fn parse(text: &str) -> Result<Self, PolicyVersionError> {
        match text {
            "draft" => Ok(VersionStatus::Draft),
            "adopted" => Ok(VersionStatus::Adopted),
            "superseded" => Ok(VersionStatus::Superseded),
            other => Err(PolicyVersionError::UnknownStatus(other.to_owned())),
        }
    }
}

/// How a version's profile came to be.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VersionOrigin {
    /// Chosen in Custodian's policy builder.
    Builder,
    /// Read from the council's own adopted document.
    Imported { file_name: String },
    /// Custodian's model policy, unchanged.
    Model,
}

impl VersionOrigin {
    /// The stored kind: `builder`, `imported` or `model`.
    pub fn as_str(&self) -> &'static str {
        match self {
            VersionOrigin::Builder => "builder",
            VersionOrigin::Imported { .. } => "imported",
            VersionOrigin::Model => "model",
        }
    }

    pub fn file_name(&self) -> Option<&str> {
        match self {
            VersionOrigin::Imported { file_name } => Some(file_name),
            _ => None,
        }
    }

    /// Rebuilds an origin from its stored kind and file name.
    pub fn from_storage(kind: &str, file_name: Option<String>) -> Result<Self, PolicyVersionError> {
        match (kind, file_name) {
            ("builder", None) => Ok(VersionOrigin::Builder),
            ("model", None) => Ok(VersionOrigin::Model),
            ("imported", Some(file_name)) => Ok(VersionOrigin::Imported { file_name }),
            (other, _) => Err(PolicyVersionError::UnknownOrigin(other.to_owned())),
        }
    }

    /// As shown to people: "Imported from IT policy 2024.docx".
    pub fn describe(&self) -> String {
        match self {
            VersionOrigin::Builder => "Made in Custodian's policy builder".to_owned(),
            VersionOrigin::Imported { file_name } => format!("Imported from {file_name}"),
            VersionOrigin::Model => "Custodian's model policy".to_owned(),
        }
    }
}

/// The identifier of the council decision that adopted a version (e.g. `COU/229/25-26`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MinuteReference(String);

impl MinuteReference {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(text: &str) -> Result<Self, PolicyVersionError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PolicyVersionError::EmptyMinuteReference);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(PolicyVersionError::MinuteReferenceTooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(PolicyVersionError::MinuteReferenceHasControlCharacters);
        }
        if !text.chars().any(char::is_alphanumeric) {
            return Err(PolicyVersionError::MinuteReferenceWithoutLetterOrDigit);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MinuteReference {
    type Error = PolicyVersionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MinuteReference> for String {
    fn from(value: MinuteReference) -> Self {
        value.0
    }
}

impl fmt::Display for MinuteReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One version of a council's policy. The adoption fields are all set together, when a draft is
/// adopted, and never change afterwards (the database refuses it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: PolicyVersionId,
    pub council_id: CouncilId,
    /// 1, 2, 3… within the council, in the order drafts were started.
    pub number: u32,
    pub status: VersionStatus,
    pub profile: PolicyProfile,
    pub origin: VersionOrigin,
    /// What changed in this version, in the Clerk's words; may be empty.
    pub note: String,
    pub created_by: PersonId,
    pub created_at: Timestamp,
    /// The date of the meeting that adopted it.
    pub adopted_on: Option<Date>,
    pub minute_reference: Option<MinuteReference>,
    /// When the adoption was recorded in Custodian.
    pub adopted_at: Option<Timestamp>,
    pub adopted_by: Option<PersonId>,
    pub review_due: Option<Date>,
    /// SHA-256 (lower-case hex) of the exact document text adopted.
    pub content_hash: Option<String>,
    /// The exact declaration text people sign for this version.
    pub declaration_text: Option<String>,
}

impl PolicyVersion {
    pub fn is_draft(&self) -> bool {
        self.status == VersionStatus::Draft
    }

    pub fn is_in_force(&self) -> bool {
        self.status == VersionStatus::Adopted
    }

    fn require_draft(&self) -> Result<(), PolicyVersionError> {
        if self.is_draft() {
            Ok(())
        } else {
            Err(PolicyVersionError::NotADraft {
                number: self.number,
                status: self.status,
            })
        }
    }

    fn subject(&self) -> String {
        format!("policy_version:{}", self.id)
    }
}

/// What a new draft holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftContent {
    pub profile: PolicyProfile,
    pub origin: VersionOrigin,
    pub note: String,
}

/// A checked new draft, before storage gives it its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub id: PolicyVersionId,
    pub council_id: CouncilId,
    pub profile: PolicyProfile,
    pub origin: VersionOrigin,
    pub note: String,
    pub created_by: PersonId,
    pub created_at: Timestamp,
}

impl Draft {
    /// The stored version, once storage has numbered it.
    pub fn numbered(self, number: u32) -> PolicyVersion {
        PolicyVersion {
            id: self.id,
            council_id: self.council_id,
            number,
            status: VersionStatus::Draft,
            profile: self.profile,
            origin: self.origin,
            note: self.note,
            created_by: self.created_by,
            created_at: self.created_at,
            adopted_on: None,
            minute_reference: None,
            adopted_at: None,
            adopted_by: None,
            review_due: None,
            content_hash: None,
            declaration_text: None,
        }
    }
}

/// The longest note on a version.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The longest imported file name kept.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// The longest declaration text.
pub const MAX_DECLARATION_CHARS: usize = 20_000;

/// Starts a draft. Storage numbers it after the council's newest version.
pub fn new_draft(
    council_id: CouncilId,
    id: PolicyVersionId,
    content: DraftContent,
    by: PersonId,
    now: Timestamp,
) -> Result<(Draft, AuditEvent), PolicyVersionError> {
    content.profile.validate()?;
    let origin = match content.origin {
        VersionOrigin::Imported { file_name } => VersionOrigin::Imported {
            file_name: tidy_file_name(&file_name)?,
        },
        other => other,
    };
    let draft = Draft {
        id,
        council_id,
        profile: content.profile,
        origin,
        note: tidy_note(&content.note)?,
        created_by: by,
        created_at: now,
    };
    // The file name stays out of the log: it is the council's text, not a fact about the change.
    let event = AuditEvent::new(council_id, now, Actor::Person(by), "policy.draft_created")
        .subject(format!("policy_version:{id}"))
        .details(json!({ "origin": draft.origin.as_str() }));
    Ok((draft, event))
}

/// Changes a draft's profile and note. Only a draft can change.
pub fn revise_draft(
    version: &PolicyVersion,
    profile: PolicyProfile,
    note: &str,
    by: PersonId,
    now: Timestamp,
) -> Result<(PolicyVersion, AuditEvent), PolicyVersionError> {
    version.require_draft()?;
    profile.validate()?;
    let note = tidy_note(note)?;
    let changed = changed_fields(&version.profile, &profile);
    let event = AuditEvent::new(
        version.council_id,
        now,
        Actor::Person(by),
        "policy.draft_updated",
    )
    .subject(version.subject())
    .details(json!({
        "number": version.number,
        "changed": changed,
        "note_changed": note != version.note,
    }));
    let revised = PolicyVersion {
        profile,
        note,
        ..version.clone()
    };
    Ok((revised, event))
}

/// Deletes a draft. Adopted and replaced versions are the council's record and stay.
pub fn delete_draft(
    version: &PolicyVersion,
    by: PersonId,
    now: Timestamp,
) -> Result<AuditEvent, PolicyVersionError> {
    version.require_draft()?;
    Ok(AuditEvent::new(
        version.council_id,
        now,
        Actor::Person(by),
        "policy.draft_deleted",
    )
    .subject(version.subject())
    .details(json!({ "number": version.number })))
}

/// The adoption facts storage writes onto the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adoption {
    pub adopted_on: Date,
    pub minute_reference: MinuteReference,
    pub adopted_at: Timestamp,
    pub adopted_by: PersonId,
    pub review_due: Date,
    pub content_hash: String,
    pub declaration_text: String,
}

/// A draft adopted: the version as it will be stored, the facts to store, and the audit event.
/// Storing it also marks the previously adopted version as replaced, in the same transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct AdoptedVersion {
    pub version: PolicyVersion,
    pub adoption: Adoption,
    pub event: AuditEvent,
}

/// Records that the council adopted a draft at its meeting on `adopted_on`, by the decision
/// `minute_reference`. `content_hash` is [`sha256_hex`] of the exact document text adopted;
/// `declaration_text` is the exact text people will sign.
pub fn adopt(
    version: &PolicyVersion,
    adopted_on: Date,
    minute_reference: MinuteReference,
    now: Timestamp,
    content_hash: &str,
    declaration_text: &str,
    by: PersonId,
) -> Result<AdoptedVersion, PolicyVersionError> {
    version.require_draft()?;
    if adopted_on > london_today(now) {
        return Err(PolicyVersionError::AdoptedInFuture);
    }
    if adopted_on < EARLIEST_ADOPTION {
        return Err(PolicyVersionError::AdoptedTooLongAgo);
    }
    if !is_sha256_hex(content_hash) {
        return Err(PolicyVersionError::InvalidContentHash);
    }
    if declaration_text.trim().is_empty() {
        return Err(PolicyVersionError::EmptyDeclaration);
    }
    if declaration_text.chars().count() > MAX_DECLARATION_CHARS {
        return Err(PolicyVersionError::DeclarationTooLong);
    }
    let review_due = Span::new()
        .try_months(i64::from(version.profile.review_interval_months))
        .and_then(|months| adopted_on.checked_add(months))
        .map_err(|_| PolicyVersionError::ReviewDateOutOfRange)?;
    let adoption = Adoption {
        adopted_on,
        minute_reference,
        adopted_at: now,
        adopted_by: by,
        review_due,
        content_hash: content_hash.to_owned(),
        declaration_text: declaration_text.to_owned(),
    };
    let event = AuditEvent::new(version.council_id, now, Actor::Person(by), "policy.adopted")
        .subject(version.subject())
        .details(json!({
            "number": version.number,
            "minute_reference": adoption.minute_reference.as_str(),
            "adopted_on": adopted_on.to_string(),
            "review_due": review_due.to_string(),
            "content_hash": adoption.content_hash,
        }));
    let adopted = PolicyVersion {
        status: VersionStatus::Adopted,
        adopted_on: Some(adopted_on),
        minute_reference: Some(adoption.minute_reference.clone()),
        adopted_at: Some(now),
        adopted_by: Some(by),
        review_due: Some(review_due),
        content_hash: Some(adoption.content_hash.clone()),
        declaration_text: Some(adoption.declaration_text.clone()),
        ..version.clone()
    };
    Ok(AdoptedVersion {
        version: adopted,
        adoption,
        event,
    })
}

/// Where the policy in force stands against its review date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewState {
    NotDue,
    /// Due within [`REVIEW_DUE_SOON_DAYS`] days (0 on the day itself).
    DueSoon {
        days_left: u32,
    },
    Overdue {
        days_over: u32,
    },
}

/// Compares a review date with today (the council's date, see [`london_today`]).
pub fn review_state(review_due: Date, today: Date) -> ReviewState {
    // Between two valid dates the span always exists; `until` counts in days for civil dates.
    let days = today.until(review_due).map_or(0, |span| span.get_days());
    if days < 0 {
        ReviewState::Overdue {
            days_over: days.unsigned_abs(),
        }
    } else if days.unsigned_abs() <= REVIEW_DUE_SOON_DAYS {
        ReviewState::DueSoon {
            days_left: days.unsigned_abs(),
        }
    } else {
        ReviewState::NotDue
    }
}

/// Today's date in England, where councils meet: a decision taken late in the evening of a
/// British Summer Time day is still that day.
pub fn london_today(now: Timestamp) -> Date {
    let london = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    now.to_zoned(london).date()
}

/// A person's signed declaration that they have read and will follow a version of the policy.
/// Kept as evidence: never changed or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub council_id: CouncilId,
    pub version_id: PolicyVersionId,
    pub person_id: PersonId,
    /// The name as the person typed it (spaces tidied).
    pub typed_name: String,
    pub signed_at: Timestamp,
    /// SHA-256 (lower-case hex) of the exact declaration text signed.
    pub text_hash: String,
}

/// `person` signs the declaration of `version_id` by typing their name. `in_force` is the
/// council's adopted version, if any: only that one can be signed.
pub fn sign(
    in_force: Option<&PolicyVersion>,
    version_id: PolicyVersionId,
    person: &Person,
    typed_name: &str,
    now: Timestamp,
) -> Result<(Declaration, AuditEvent), DeclarationError> {
    let version = in_force.ok_or(DeclarationError::NothingInForce)?;
    if version.id != version_id || !version.is_in_force() || version.council_id != person.council_id
    {
        return Err(DeclarationError::NotInForce);
    }
    let text = version
        .declaration_text
        .as_deref()
        .ok_or(DeclarationError::NotInForce)?;
    if person.status != PersonStatus::Active {
        return Err(DeclarationError::NotActive);
    }
    let typed = tidy_spaces(typed_name);
    if typed.to_lowercase() != tidy_spaces(person.name.as_str()).to_lowercase() {
        return Err(DeclarationError::NameMismatch {
            expected: person.name.as_str().to_owned(),
        });
    }
    let declaration = Declaration {
        council_id: person.council_id,
        version_id,
        person_id: person.id,
        typed_name: typed,
        signed_at: now,
        text_hash: sha256_hex(text),
    };
    let event = AuditEvent::new(
        person.council_id,
        now,
        Actor::Person(person.id),
        "policy.declaration_signed",
    )
    .subject(version.subject())
    .details(json!({
        "number": version.number,
        "person": person.id.to_string(),
        "text_hash": declaration.text_hash,
    }));
    Ok((declaration, event))
}

/// SHA-256 of `text` (its UTF-8 bytes) as lower-case hex: how adopted documents and declaration
/// texts are fingerprinted.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn tidy_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tidy_note(note: &str) -> Result<String, PolicyVersionError> {
    let note = note.trim().replace("\r\n", "\n");
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(PolicyVersionError::NoteTooLong);
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(PolicyVersionError::NoteHasControlCharacters);
    }
    Ok(note)
}

fn tidy_file_name(name: &str) -> Result<String, PolicyVersionError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(PolicyVersionError::EmptyFileName);
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(PolicyVersionError::InvalidFileName);
    }
    Ok(name.to_owned())
}

/// The profile's top-level fields whose values differ (for the audit entry of a change).
fn changed_fields(before: &PolicyProfile, after: &PolicyProfile) -> Vec<String> {
    match (serde_json::to_value(before), serde_json::to_value(after)) {
        (Ok(Value::Object(before)), Ok(Value::Object(after))) => after
            .iter()
            .filter(|(field, value)| before.get(*field) != Some(*value))
            .map(|(field, _)| field.clone())
            .collect(),
        _ => Vec::new(),
    }
}

fn not_a_draft(number: u32, status: VersionStatus) -> String {
    match status {
        VersionStatus::Adopted => format!(
            "Version {number} has been adopted, so it cannot be changed, adopted again or deleted. Start a new draft to change the policy"
        ),
        VersionStatus::Superseded => format!(
            "Version {number} was replaced by a later version, so it cannot be changed, adopted or deleted. Start a new draft to change the policy"
        ),
        VersionStatus::Draft => format!("Version {number} is a draft"),
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyVersionError {
    #[error("{}", not_a_draft(*.number, *.status))]
    NotADraft { number: u32, status: VersionStatus },
    #[error("Enter the minute reference of the council's decision, for example COU/229/25-26")]
    EmptyMinuteReference,
    #[error("The minute reference must be 60 characters or fewer")]
    MinuteReferenceTooLong,
    #[error("The minute reference must not contain control characters")]
    MinuteReferenceHasControlCharacters,
    #[error("The minute reference must contain at least one letter or number")]
    MinuteReferenceWithoutLetterOrDigit,
    #[error("The date the council adopted the policy must be today or in the past")]
    AdoptedInFuture,
    #[error("The date the council adopted the policy must be in the year 2000 or later")]
    AdoptedTooLongAgo,
    #[error("The review date would be too far in the future: check the date of adoption")]
    ReviewDateOutOfRange,
    #[error("The fingerprint of the adopted document must be a SHA-256 hash")]
    InvalidContentHash,
    #[error("The declaration people sign must not be empty")]
    EmptyDeclaration,
    #[error("The declaration people sign must be 20,000 characters or fewer")]
    DeclarationTooLong,
    #[error("The note must be 2,000 characters or fewer")]
    NoteTooLong,
    #[error("The note must not contain control characters")]
    NoteHasControlCharacters,
    #[error("The imported document must have a file name")]
    EmptyFileName,
    #[error(
        "The imported document's file name must be 255 characters or fewer, without control characters"
    )]
    InvalidFileName,
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("\"{0}\" is not a policy version status Custodian knows")]
    UnknownStatus(String),
    #[error("\"{0}\" is not a policy origin Custodian knows, or its file name is missing")]
    UnknownOrigin(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeclarationError {
    #[error(
        "The council has not adopted its IT policy in Custodian yet, so there is nothing to sign"
    )]
    NothingInForce,
    #[error("This is not the version of the IT policy in force. Sign the version in force instead")]
    NotInForce,
    #[error("Only people who are active in the council can sign the declaration")]
    NotActive,
    #[error("Type your full name as it appears in Custodian: {expected}")]
    NameMismatch { expected: String },
}

#[cfg(test)]
mod tests;
