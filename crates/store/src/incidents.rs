//! Incidents and their timelines. Every query names the council. A change locks the council's
//! row, re-checks that every person it names belongs to that council, writes only over the
//! revision it was made from, and appends its audit entry in the same transaction. Timeline
//! entries are only ever inserted: nothing here updates or deletes one.

use crate::rows::{
    council_id, incident_id, int, opt_int, opt_person_id, opt_text, opt_time, person_id, text, time,
};
use crate::scope::require_people;
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{CouncilId, IncidentId, PersonId};
use custodian_core::incident::{
    BreachRecord, Closure, IcoDecision, Incident, IncidentAction, IncidentKind, IncidentStatus,
    PeopleTold, PeopleToldRecord,
};
use custodian_core::ports::{IncidentStore, StoreError, StoreResult};
use sqlx::AnyConnection;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;

/// The columns a change writes, in binding order (after the ones an INSERT alone sets).
const FIELDS: &[&str] = &[
    "status",
    "owner_id",
    "became_aware_at",
    "ico_notify",
    "ico_reason",
    "ico_decided_by",
    "ico_decided_at",
    "ico_notified_at",
    "people_told",
    "people_told_reason",
    "people_told_by",
    "people_told_at",
    "outcome",
    "lessons",
    "closed_by",
    "closed_at",
    "revision",
];

const COLUMNS: &str = "id, council_id, kind, summary, happened_at, reported_at, reported_by, \
    status, owner_id, became_aware_at, ico_notify, ico_reason, ico_decided_by, ico_decided_at, \
    ico_notified_at, people_told, people_told_reason, people_told_by, people_told_at, outcome, \
    lessons, closed_by, closed_at, revision";

/// Shown when a change was made from a page opened before someone else's change.
const OVERTAKEN: &str = "This incident was changed by someone else after the page was opened. \
    Nothing was saved: reload the page and try again.";

type AnyQuery<'q> = Query<'q, sqlx::Any, AnyArguments<'q>>;

fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {detail}"))
}

fn millis(at: Option<jiff::Timestamp>) -> Option<i64> {
    at.map(|t| t.as_millisecond())
}

fn bind_fields<'q>(query: AnyQuery<'q>, incident: &Incident) -> AnyQuery<'q> {
    let breach = incident.breach.as_ref();
    let ico = breach.and_then(|b| b.ico.as_ref());
    let told = breach.and_then(|b| b.people_told.as_ref());
    let closure = incident.closure.as_ref();
    query
        .bind(incident.status.as_str())
        .bind(incident.owner.map(|p| p.to_string()))
        .bind(millis(breach.and_then(|b| b.became_aware_at)))
        .bind(ico.map(|d| if d.notify { "yes" } else { "no" }))
        .bind(ico.map(|d| d.reason.clone()))
        .bind(ico.map(|d| d.decided_by.to_string()))
        .bind(millis(ico.map(|d| d.decided_at)))
        .bind(millis(ico.and_then(|d| d.notified_at)))
        .bind(told.map(|t| t.answer.as_str()))
        .bind(told.map(|t| t.reason.clone()))
        .bind(told.map(|t| t.recorded_by.to_string()))
        .bind(millis(told.map(|t| t.recorded_at)))
        .bind(closure.map(|c| c.outcome.clone()))
        .bind(closure.map(|c| c.lessons.clone()))
        .bind(closure.map(|c| c.closed_by.to_string()))
        .bind(millis(closure.map(|c| c.closed_at)))
        .bind(i64::from(incident.revision))
}

fn ico_decision(row: &AnyRow) -> StoreResult<Option<IcoDecision>> {
    let Some(answer) = opt_text(row, "ico_notify")? else {
        return Ok(None);
    };
    let notify = match answer.as_str() {
        "yes" => true,
        "no" => false,
        other => return Err(corrupt("ico_notify", other)),
    };
    Ok(Some(IcoDecision {
        notify,
        reason: opt_text(row, "ico_reason")?.unwrap_or_default(),
        decided_by: person_id(row, "ico_decided_by")?,
        decided_at: time(row, "ico_decided_at")?,
        notified_at: opt_time(row, "ico_notified_at")?,
    }))
}

fn people_told(row: &AnyRow) -> StoreResult<Option<PeopleToldRecord>> {
    let Some(answer) = opt_text(row, "people_told")? else {
        return Ok(None);
    };
    Ok(Some(PeopleToldRecord {
        answer: PeopleTold::parse(&answer).ok_or_else(|| corrupt("people_told", &answer))?,
        reason: opt_text(row, "people_told_reason")?.unwrap_or_default(),
        recorded_by: person_id(row, "people_told_by")?,
        recorded_at: time(row, "people_told_at")?,
    }))
}

fn incident(row: &AnyRow) -> StoreResult<Incident> {
    let kind = IncidentKind::parse(&text(row, "kind")?).map_err(|e| corrupt("kind", e))?;
    let status = IncidentStatus::parse(&text(row, "status")?).map_err(|e| corrupt("status", e))?;
    let breach = if kind == IncidentKind::PersonalDataBreach {
        Some(BreachRecord {
            became_aware_at: opt_time(row, "became_aware_at")?,
            ico: ico_decision(row)?,
            people_told: people_told(row)?,
        })
    } else {
        None
    };
    let closure = match opt_person_id(row, "closed_by")? {
        Some(closed_by) => Some(Closure {
            outcome: opt_text(row, "outcome")?.unwrap_or_default(),
            lessons: opt_text(row, "lessons")?.unwrap_or_default(),
            closed_by,
            closed_at: time(row, "closed_at")?,
        }),
        None => None,
    };
    // An incident closed before the workflow existed (migration 0011) is closed without a
    // recorded closure; only a closure on an open incident is impossible.
    if closure.is_some() && status != IncidentStatus::Closed {
        return Err(corrupt("closed_by", "differs from the status"));
    }
    Ok(Incident {
        id: incident_id(row, "id")?,
        council_id: council_id(row, "council_id")?,
        kind,
        summary: text(row, "summary")?,
        happened_at: opt_time(row, "happened_at")?,
        reported_at: time(row, "reported_at")?,
        reported_by: opt_person_id(row, "reported_by")?,
        status,
        owner: opt_person_id(row, "owner_id")?,
        breach,
        closure,
        revision: u32::try_from(int(row, "revision")?).map_err(|e| corrupt("revision", e))?,
    })
}

fn action(row: &AnyRow) -> StoreResult<IncidentAction> {
    Ok(IncidentAction {
        council_id: council_id(row, "council_id")?,
        incident_id: incident_id(row, "incident_id")?,
        at: time(row, "at")?,
        by: person_id(row, "by_id")?,
        text: text(row, "text")?,
    })
}

fn named_people(incident: &Incident) -> Vec<PersonId> {
    let breach = incident.breach.as_ref();
    incident
        .reported_by
        .into_iter()
        .chain(incident.owner)
        .chain(breach.and_then(|b| b.ico.as_ref()).map(|d| d.decided_by))
        .chain(
            breach
                .and_then(|b| b.people_told.as_ref())
                .map(|t| t.recorded_by),
        )
        .chain(incident.closure.as_ref().map(|c| c.closed_by))
        .collect()
}

/// Inserts an incident using `conn`, inside the caller's transaction: the one INSERT for every
/// path that opens an incident (reported directly, or by a loss report with its asset change).
pub(crate) async fn insert_incident_in(
    conn: &mut AnyConnection,
    incident: &Incident,
) -> StoreResult<()> {
    let n = FIELDS.len();
    let placeholders: Vec<String> = (1..=n + 7).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO incidents ({}, id, council_id, kind, summary, happened_at, reported_at, reported_by)
         VALUES ({})",
        FIELDS.join(", "),
        placeholders.join(", ")
    );
    bind_fields(sqlx::query(&sql), incident)
        .bind(incident.id.to_string())
        .bind(incident.council_id.to_string())
        .bind(incident.kind.as_str())
        .bind(&incident.summary)
        .bind(millis(incident.happened_at))
        .bind(incident.reported_at.as_millisecond())
        .bind(incident.reported_by.map(|p| p.to_string()))
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Changes must stay in the council they are stored under.
fn same_council(council: CouncilId, event: &AuditEvent) -> StoreResult<()> {
    if event.council_id != council {
        return Err(StoreError::Conflict(
            "an incident change and its audit entry must belong to the same council".to_owned(),
        ));
    }
    Ok(())
}

impl Store {
    async fn select_incidents(
        &self,
        filter: &str,
        order: &str,
        council: CouncilId,
    ) -> StoreResult<Vec<Incident>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents WHERE council_id = $1 {filter} ORDER BY {order}"
        );
        sqlx::query(&sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)?
            .iter()
            .map(incident)
            .collect()
    }
}

impl IncidentStore for Store {
    async fn insert_incident(&self, incident: &Incident, event: &AuditEvent) -> StoreResult<()> {
        same_council(incident.council_id, event)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        insert_incident_in(&mut tx, incident).await?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn incidents(&self, council: CouncilId) -> StoreResult<Vec<Incident>> {
        self.select_incidents("", "reported_at DESC, id", council)
            .await
    }

    async fn incident(&self, council: CouncilId, id: IncidentId) -> StoreResult<Incident> {
        let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = $1 AND council_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(council.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("incident"))?;
        incident(&row)
    }

    async fn update_incident(&self, incident: &Incident, event: &AuditEvent) -> StoreResult<()> {
        let council = incident.council_id;
        same_council(council, event)?;
        let previous = incident
            .revision
            .checked_sub(1)
            .ok_or_else(|| StoreError::Conflict(OVERTAKEN.to_owned()))?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        self.lock_council(&mut tx, council).await?;
        require_people(&mut tx, council, named_people(incident)).await?;
        let n = FIELDS.len();
        let set: Vec<String> = FIELDS
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{f} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE incidents SET {} WHERE id = ${} AND council_id = ${} AND revision = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        let done = bind_fields(sqlx::query(&sql), incident)
            .bind(incident.id.to_string())
            .bind(council.to_string())
            .bind(i64::from(previous))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            sqlx::query("SELECT id FROM incidents WHERE id = $1 AND council_id = $2")
                .bind(incident.id.to_string())
                .bind(council.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?
                .ok_or(StoreError::NotFound("incident"))?;
            return Err(StoreError::Conflict(OVERTAKEN.to_owned()));
        }
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn add_incident_action(
        &self,
        action: &IncidentAction,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let council = action.council_id;
        same_council(council, event)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        // The council's lock orders concurrent additions, so each gets the next number.
        self.lock_council(&mut tx, council).await?;
        sqlx::query("SELECT id FROM incidents WHERE id = $1 AND council_id = $2")
            .bind(action.incident_id.to_string())
            .bind(council.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound("incident"))?;
        require_people(&mut tx, council, [action.by]).await?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS last FROM incident_actions
             WHERE council_id = $1 AND incident_id = $2",
        )
        .bind(council.to_string())
        .bind(action.incident_id.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        let next = opt_int(&row, "last")?.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO incident_actions (council_id, incident_id, seq, at, by_id, text)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(council.to_string())
        .bind(action.incident_id.to_string())
        .bind(next)
        .bind(action.at.as_millisecond())
        .bind(action.by.to_string())
        .bind(&action.text)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        self.append_in(&mut tx, event).await?;
        self.commit(tx).await
    }

    async fn incident_actions(
        &self,
        council: CouncilId,
        id: IncidentId,
    ) -> StoreResult<Vec<IncidentAction>> {
        // Asked of the incident first, so another council's incident is NotFound, not empty.
        self.incident(council, id).await?;
        sqlx::query(
            "SELECT council_id, incident_id, at, by_id, text FROM incident_actions
             WHERE council_id = $1 AND incident_id = $2 ORDER BY seq",
        )
        .bind(council.to_string())
        .bind(id.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(db_error)?
        .iter()
        .map(action)
        .collect()
    }

    async fn open_breaches(&self, council: CouncilId) -> StoreResult<Vec<Incident>> {
        self.select_incidents(
            "AND status = 'open' AND kind = 'personal_data_breach'",
            "reported_at, id",
            council,
        )
        .await
    }
}
