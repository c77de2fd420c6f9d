//! Turning database rows into domain values. A row that cannot be read is `Corrupt`, naming the
//! column, never silently skipped.

use custodian_core::audit::AuditEntry;
use custodian_core::council::{Council, CouncilKind, CouncilName, CouncilSettings};
use custodian_core::ids::{AccountId, CouncilId, IncidentId, PersonId, PolicyVersionId};
use custodian_core::person::{Email, Person, PersonName, PersonStatus, RoleSet};
use custodian_core::policy::PolicyProfile;
use custodian_core::policy::version::{
    Declaration, MinuteReference, PolicyVersion, VersionOrigin, VersionStatus,
};
use custodian_core::ports::{Account, Invitation, PasskeyRecord, Session, StoreError};
use custodian_core::time::from_millis;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {detail}"))
}

pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String, StoreError> {
    row.try_get::<String, _>(column)
        .map_err(|e| corrupt(column, e))
}

pub(crate) fn opt_text(row: &AnyRow, column: &str) -> Result<Option<String>, StoreError> {
    row.try_get::<Option<String>, _>(column)
        .map_err(|e| corrupt(column, e))
}

pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i64, StoreError> {
    row.try_get::<i64, _>(column)
        .map_err(|e| corrupt(column, e))
}

pub(crate) fn opt_int(row: &AnyRow, column: &str) -> Result<Option<i64>, StoreError> {
    row.try_get::<Option<i64>, _>(column)
        .map_err(|e| corrupt(column, e))
}

pub(crate) fn time(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    int(row, column).map(from_millis)
}

pub(crate) fn opt_time(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    opt_int(row, column).map(|v| v.map(from_millis))
}

pub(crate) fn opt_date(row: &AnyRow, column: &str) -> Result<Option<Date>, StoreError> {
    opt_text(row, column)?
        .map(|t| t.parse::<Date>().map_err(|e| corrupt(column, e)))
        .transpose()
}

macro_rules! id_parser {
    ($fn:ident, $opt:ident, $ty:ty) => {
        pub(crate) fn $fn(row: &AnyRow, column: &str) -> Result<$ty, StoreError> {
            <$ty>::parse(&text(row, column)?).map_err(|e| corrupt(column, e))
        }
        #[allow(dead_code)]
        pub(crate) fn $opt(row: &AnyRow, column: &str) -> Result<Option<$ty>, StoreError> {
            opt_text(row, column)?
                .map(|t| <$ty>::parse(&t).map_err(|e| corrupt(column, e)))
                .transpose()
        }
    };
}

id_parser!(council_id, opt_council_id, CouncilId);
id_parser!(person_id, opt_person_id, PersonId);
id_parser!(account_id, opt_account_id, AccountId);
id_parser!(incident_id, opt_incident_id, IncidentId);
id_parser!(policy_version_id, opt_policy_version_id, PolicyVersionId);

pub(crate) fn date_text(date: Option<Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

pub(crate) fn council(row: &AnyRow) -> Result<Council, StoreError> {
    let settings: CouncilSettings =
        serde_json::from_str(&text(row, "settings")?).map_err(|e| corrupt("settings", e))?;
    Ok(Council {
        id: council_id(row, "id")?,
        name: CouncilName::parse(&text(row, "name")?).map_err(|e| corrupt("name", e))?,
        kind: CouncilKind::parse(&text(row, "kind")?).map_err(|e| corrupt("kind", e))?,
        settings,
        created_at: time(row, "created_at")?,
    })
}

pub(crate) const PERSON_COLUMNS: &str =
    "id, council_id, account_id, name, email, roles, status, start_date, leave_date, created_at";

pub(crate) fn person(row: &AnyRow) -> Result<Person, StoreError> {
    Ok(Person {
        id: person_id(row, "id")?,
        council_id: council_id(row, "council_id")?,
        account_id: opt_account_id(row, "account_id")?,
        name: PersonName::parse(&text(row, "name")?).map_err(|e| corrupt("name", e))?,
        email: Email::parse(&text(row, "email")?).map_err(|e| corrupt("email", e))?,
        roles: RoleSet::from_storage(&text(row, "roles")?).map_err(|e| corrupt("roles", e))?,
        status: PersonStatus::parse(&text(row, "status")?).map_err(|e| corrupt("status", e))?,
        start_date: opt_date(row, "start_date")?,
        leave_date: opt_date(row, "leave_date")?,
        created_at: time(row, "created_at")?,
    })
}

pub(crate) const ACCOUNT_COLUMNS: &str = "id, email, password_hash, failed_attempts, locked_until, totp_secret, recovery_codes, created_at";

pub(crate) fn account(row: &AnyRow) -> Result<Account, StoreError> {
    Ok(Account {
        id: account_id(row, "id")?,
        email: Email::parse(&text(row, "email")?).map_err(|e| corrupt("email", e))?,
        password_hash: text(row, "password_hash")?,
        failed_attempts: int(row, "failed_attempts")?,
        locked_until: opt_time(row, "locked_until")?,
        totp_secret: opt_text(row, "totp_secret")?,
        recovery_code_hashes: serde_json::from_str(&text(row, "recovery_codes")?)
            .map_err(|e| corrupt("recovery_codes", e))?,
        created_at: time(row, "created_at")?,
    })
}

pub(crate) fn passkey(row: &AnyRow) -> Result<PasskeyRecord, StoreError> {
    Ok(PasskeyRecord {
        id: text(row, "id")?,
        account_id: account_id(row, "account_id")?,
        name: text(row, "name")?,
        credential: text(row, "credential")?,
        created_at: time(row, "created_at")?,
        last_used_at: opt_time(row, "last_used_at")?,
    })
}

pub(crate) fn session(row: &AnyRow) -> Result<Session, StoreError> {
    Ok(Session {
        token_hash: text(row, "token_hash")?,
        account_id: account_id(row, "account_id")?,
        council_id: council_id(row, "council_id")?,
        person_id: person_id(row, "person_id")?,
        csrf_token: text(row, "csrf_token")?,
        mfa_passed: int(row, "mfa_passed")? != 0,
        created_at: time(row, "created_at")?,
        last_seen_at: time(row, "last_seen_at")?,
    })
}

pub(crate) fn invitation(row: &AnyRow) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        token_hash: text(row, "token_hash")?,
        council_id: council_id(row, "council_id")?,
        person_id: person_id(row, "person_id")?,
        purpose: custodian_core::ports::LinkPurpose::parse(&text(row, "purpose")?)
            .ok_or_else(|| corrupt("purpose", "unknown link purpose"))?,
        created_at: time(row, "created_at")?,
        expires_at: time(row, "expires_at")?,
        used_at: opt_time(row, "used_at")?,
    })
}

pub(crate) const POLICY_VERSION_COLUMNS: &str = "id, council_id, number, status, profile_json, origin, origin_file_name, note, created_by, created_at, adopted_on, minute_reference, adopted_at, adopted_by, review_due, content_hash, declaration_text";

pub(crate) fn policy_version(row: &AnyRow) -> Result<PolicyVersion, StoreError> {
    let number = int(row, "number")?;
    Ok(PolicyVersion {
        id: policy_version_id(row, "id")?,
        council_id: council_id(row, "council_id")?,
        number: u32::try_from(number).map_err(|e| corrupt("number", e))?,
        status: VersionStatus::parse(&text(row, "status")?).map_err(|e| corrupt("status", e))?,
        profile: PolicyProfile::from_json(&text(row, "profile_json")?)
            .map_err(|e| corrupt("profile_json", e))?,
        origin: VersionOrigin::from_storage(
            &text(row, "origin")?,
            opt_text(row, "origin_file_name")?,
        )
        .map_err(|e| corrupt("origin", e))?,
        note: text(row, "note")?,
        created_by: person_id(row, "created_by")?,
        created_at: time(row, "created_at")?,
        adopted_on: opt_date(row, "adopted_on")?,
        minute_reference: opt_text(row, "minute_reference")?
            .map(|t| MinuteReference::parse(&t).map_err(|e| corrupt("minute_reference", e)))
            .transpose()?,
        adopted_at: opt_time(row, "adopted_at")?,
        adopted_by: opt_person_id(row, "adopted_by")?,
        review_due: opt_date(row, "review_due")?,
        content_hash: opt_text(row, "content_hash")?,
        declaration_text: opt_text(row, "declaration_text")?,
    })
}

pub(crate) const DECLARATION_COLUMNS: &str =
    "council_id, version_id, person_id, typed_name, signed_at, text_hash";

pub(crate) fn declaration(row: &AnyRow) -> Result<Declaration, StoreError> {
    Ok(Declaration {
        council_id: council_id(row, "council_id")?,
        version_id: policy_version_id(row, "version_id")?,
        person_id: person_id(row, "person_id")?,
        typed_name: text(row, "typed_name")?,
        signed_at: time(row, "signed_at")?,
        text_hash: text(row, "text_hash")?,
    })
}

pub(crate) const AUDIT_COLUMNS: &str =
    "council_id, seq, at, actor, action, subject, details, prev_hash, hash";

pub(crate) fn audit_entry(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        council_id: council_id(row, "council_id")?,
        seq: int(row, "seq")?,
        at_ms: int(row, "at")?,
        actor: text(row, "actor")?,
        action: text(row, "action")?,
        subject: text(row, "subject")?,
        details: text(row, "details")?,
        prev_hash: text(row, "prev_hash")?,
        hash: text(row, "hash")?,
    })
}
