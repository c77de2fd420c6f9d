//! Approval requests: each request with its decision or withdrawal, stored with its audit entry
//! (and, for a decision, the requester's notification) in one transaction. Whether an approval
//! has expired is `core::approval`'s to work out on reading; nothing here depends on the date.

use crate::rows::{self, date_text};
use crate::scope::require_people;
use crate::{Store, db_error};
use custodian_core::approval::{ApprovalId, ApprovalRequest, CouncilMinute, Decision, Outcome};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::CouncilId;
use custodian_core::policy::choices::{ApprovalKind, Approver};
use custodian_core::policy::version::MinuteReference;
use custodian_core::ports::{ApprovalStore, Notification, OpenApproval, StoreError, StoreResult};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;

type AnyQuery<'q> = Query<'q, sqlx::Any, AnyArguments<'q>>;

/// Every column, in the order `bind_fields` binds them (after `id` and `council_id`).
const FIELDS: [&str; 17] = [
    "kind",
    "requester",
    "title",
    "details",
    "cost_pence",
    "needed_until",
    "approver",
    "requested_at",
    "outcome",
    "decided_by",
    "decided_at",
    "decision_note",
    "expires_on",
    "minute_reference",
    "meeting_on",
    "withdrawn_at",
    "revision",
];

const OVERTAKEN: &str = "Someone changed this request after you opened the page, so nothing \
    was saved. Look at it again below.";

fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("approval_requests.{column}: {detail}"))
}

fn bind_fields<'q>(query: AnyQuery<'q>, request: &'q ApprovalRequest) -> AnyQuery<'q> {
    let decision = request.decision.as_ref();
    let minute = decision.and_then(|d| d.minute.as_ref());
    query
        .bind(request.kind.as_str())
        .bind(request.requester.to_string())
        .bind(request.title.as_str())
        .bind(request.details.as_str())
        .bind(request.cost_pence.map(i64::from))
        .bind(date_text(request.needed_until))
        .bind(request.approver.as_str())
        .bind(request.requested_at.as_millisecond())
        .bind(decision.map(|d| d.outcome.as_str()))
        .bind(decision.map(|d| d.by.to_string()))
        .bind(decision.map(|d| d.at.as_millisecond()))
        .bind(decision.and_then(|d| d.note.as_deref()))
        .bind(date_text(decision.and_then(|d| d.expires_on)))
        .bind(minute.map(|m| m.reference.as_str()))
        .bind(date_text(minute.map(|m| m.meeting_on)))
        .bind(request.withdrawn_at.map(|t| t.as_millisecond()))
        .bind(i64::from(request.revision))
}

fn kind_of(row: &AnyRow) -> StoreResult<ApprovalKind> {
    let text = rows::text(row, "kind")?;
    ApprovalKind::parse(&text).ok_or_else(|| corrupt("kind", text))
}

fn approver_of(row: &AnyRow) -> StoreResult<Approver> {
    match rows::text(row, "approver")?.as_str() {
        "clerk" => Ok(Approver::Clerk),
        "council" => Ok(Approver::Council),
        other => Err(corrupt("approver", other)),
    }
}

fn id_of(row: &AnyRow) -> StoreResult<ApprovalId> {
    let text = rows::text(row, "id")?;
    ApprovalId::parse(&text).map_err(|e| corrupt("id", e))
}

fn decision_of(row: &AnyRow) -> StoreResult<Option<Decision>> {
    let Some(outcome) = rows::opt_text(row, "outcome")? else {
        return Ok(None);
    };
    let outcome = Outcome::parse(&outcome).ok_or_else(|| corrupt("outcome", &outcome))?;
    let by = rows::opt_person_id(row, "decided_by")?;
    let at = rows::opt_time(row, "decided_at")?;
    let (Some(by), Some(at)) = (by, at) else {
        return Err(corrupt("decided_by", "a decision without who or when"));
    };
    let reference = rows::opt_text(row, "minute_reference")?;
    let meeting_on = rows::opt_date(row, "meeting_on")?;
    let minute = match (reference, meeting_on) {
        (Some(reference), Some(meeting_on)) => Some(CouncilMinute {
            reference: MinuteReference::parse(&reference)
                .map_err(|e| corrupt("minute_reference", e))?,
            meeting_on,
        }),
        (None, None) => None,
        _ => return Err(corrupt("minute_reference", "without its meeting date")),
    };
    Ok(Some(Decision {
        outcome,
        note: rows::opt_text(row, "decision_note")?,
        expires_on: rows::opt_date(row, "expires_on")?,
        minute,
        by,
        at,
    }))
}

fn request_of(row: &AnyRow) -> StoreResult<ApprovalRequest> {
    let cost_pence = rows::opt_int(row, "cost_pence")?
        .map(|pence| u32::try_from(pence).map_err(|e| corrupt("cost_pence", e)))
        .transpose()?;
    let revision = rows::int(row, "revision")?;
    Ok(ApprovalRequest {
        id: id_of(row)?,
        council_id: rows::council_id(row, "council_id")?,
        kind: kind_of(row)?,
        requester: rows::person_id(row, "requester")?,
        title: rows::text(row, "title")?,
        details: rows::text(row, "details")?,
        cost_pence,
        needed_until: rows::opt_date(row, "needed_until")?,
        approver: approver_of(row)?,
        requested_at: rows::time(row, "requested_at")?,
        decision: decision_of(row)?,
        withdrawn_at: rows::opt_time(row, "withdrawn_at")?,
        revision: u32::try_from(revision).map_err(|e| corrupt("revision", e))?,
    })
}

fn select_all() -> String {
    format!(
        "SELECT id, council_id, {} FROM approval_requests",
        FIELDS.join(", ")
    )
}

/// A change and everything stored with it must belong to one council.
fn same_council(
    council: CouncilId,
    notifications: &[Notification],
    event: &AuditEvent,
) -> StoreResult<()> {
    if event.council_id != council || notifications.iter().any(|n| n.council_id != council) {
        return Err(StoreError::Conflict(
            "an approval request, its notifications and its audit entry must all belong to the \
             same council"
                .to_owned(),
        ));
    }
    Ok(())
}

impl ApprovalStore for Store {
    async fn insert_approval(
        &self,
        request: &ApprovalRequest,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let council = request.council_id;
        same_council(council, &[], event)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        let named =
            std::iter::once(request.requester).chain(request.decision.as_ref().map(|d| d.by));
        require_people(&mut tx, council, named).await?;
        let placeholders: Vec<String> = (1..=FIELDS.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO approval_requests (id, council_id, {}) VALUES ({})",
            FIELDS.join(", "),
            placeholders.join(", ")
        );
        let query = sqlx::query(&sql)
            .bind(request.id.to_string())
            .bind(council.to_string());
        bind_fields(query, request)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn approval(&self, council: CouncilId, id: ApprovalId) -> StoreResult<ApprovalRequest> {
        let sql = format!("{} WHERE council_id = $1 AND id = $2", select_all());
        let row = sqlx::query(&sql)
            .bind(council.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("approval request"))?;
        request_of(&row)
    }

    async fn approvals(&self, council: CouncilId) -> StoreResult<Vec<ApprovalRequest>> {
        let sql = format!(
            "{} WHERE council_id = $1 ORDER BY requested_at DESC, id DESC",
            select_all()
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(request_of)
            .collect()
    }

    async fn update_approval(
        &self,
        request: &ApprovalRequest,
        notifications: &[Notification],
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let council = request.council_id;
        same_council(council, notifications, event)?;
        let previous = request
            .revision
            .checked_sub(1)
            .ok_or_else(|| StoreError::Conflict(OVERTAKEN.to_owned()))?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        let named =
            std::iter::once(request.requester).chain(request.decision.as_ref().map(|d| d.by));
        require_people(&mut tx, council, named).await?;
        let n = FIELDS.len();
        let set: Vec<String> = FIELDS
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{f} = ${}", i + 1))
            .collect();
        // The kind, requester and what was asked never change: only over the same request.
        let sql = format!(
            "UPDATE approval_requests SET {} WHERE id = ${} AND council_id = ${} \
             AND revision = ${} AND requester = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 4
        );
        let done = bind_fields(sqlx::query(&sql), request)
            .bind(request.id.to_string())
            .bind(council.to_string())
            .bind(i64::from(previous))
            .bind(request.requester.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            sqlx::query("SELECT id FROM approval_requests WHERE id = $1 AND council_id = $2")
                .bind(request.id.to_string())
                .bind(council.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?
                .ok_or(StoreError::NotFound("approval request"))?;
            return Err(StoreError::Conflict(OVERTAKEN.to_owned()));
        }
        crate::vault::insert_notifications_in(&mut tx, council, notifications).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn open_approvals(&self, council: CouncilId) -> StoreResult<Vec<OpenApproval>> {
        let rows = sqlx::query(
            "SELECT id, council_id, kind, requester, approver, requested_at, expires_on
             FROM approval_requests
             WHERE council_id = $1 AND withdrawn_at IS NULL
               AND (outcome IS NULL OR (outcome = 'approved' AND expires_on IS NOT NULL))
             ORDER BY requested_at, id",
        )
        .bind(council.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(OpenApproval {
                    id: id_of(row)?,
                    council_id: rows::council_id(row, "council_id")?,
                    kind: kind_of(row)?,
                    requester: rows::person_id(row, "requester")?,
                    approver: approver_of(row)?,
                    requested_at: rows::time(row, "requested_at")?,
                    expires_on: rows::opt_date(row, "expires_on")?,
                })
            })
            .collect()
    }
}
