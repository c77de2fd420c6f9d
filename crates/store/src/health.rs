//! Health-and-safety records (issue 6, item 5): display screen users, workstation assessments,
//! eye-test offers, workstation requests and hazard reports, each change with its audit entry
//! in one transaction. What is due is `core::health`'s to work out on reading.

use crate::rows::{self, date_text};
use crate::scope::require_people;
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::health::{
    Assessment, AssessmentId, Assessor, DseMark, EyeTestAnswer, EyeTestOffer, EyeTestOfferId,
    HazardId, HazardReport, HealthRecords, Outcome, Resolution, WorkstationRequest,
    WorkstationRequestId,
};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::ports::{HealthStore, StoreError, StoreResult};
use jiff::civil::Date;
use sqlx::any::AnyRow;

const ASSESSMENT_COLUMNS: &str = "id, council_id, person_id, assessed_on, assessor_id, \
     assessor_name, outcome, actions, recorded_by, recorded_at";
const OFFER_COLUMNS: &str = "id, council_id, person_id, offered_on, offered_by, recorded_at, \
     answer, test_date, answered_by, answered_at, revision";
const REQUEST_COLUMNS: &str =
    "id, council_id, person_id, asked_at, problem, state, settled_by, settled_at, note";
const HAZARD_COLUMNS: &str = "id, council_id, reported_by, reported_at, place, description, \
     state, settled_by, settled_at, note";

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}

fn date(row: &AnyRow, column: &str) -> StoreResult<Date> {
    rows::opt_date(row, column)?.ok_or_else(|| corrupt(column, "no date"))
}

fn parsed<T, E: std::fmt::Display>(
    row: &AnyRow,
    column: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> StoreResult<T> {
    parse(&rows::text(row, column)?).map_err(|e| corrupt(column, e))
}

fn assessment_of(row: &AnyRow) -> StoreResult<Assessment> {
    let assessor = match (
        rows::opt_person_id(row, "assessor_id")?,
        rows::opt_text(row, "assessor_name")?,
    ) {
        (Some(id), None) => Assessor::Person(id),
        (None, Some(name)) => Assessor::Outside(name),
        _ => return Err(corrupt("assessor", "neither or both of person and name")),
    };
    let outcome = match (
        rows::text(row, "outcome")?.as_str(),
        rows::opt_text(row, "actions")?,
    ) {
        ("no_changes_needed", None) => Outcome::NoChangesNeeded,
        ("changes_needed", Some(actions)) => Outcome::ChangesNeeded { actions },
        (other, _) => return Err(corrupt("outcome", other)),
    };
    Ok(Assessment {
        id: parsed(row, "id", AssessmentId::parse)?,
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        assessed_on: date(row, "assessed_on")?,
        assessor,
        outcome,
        recorded_by: rows::person_id(row, "recorded_by")?,
        recorded_at: rows::time(row, "recorded_at")?,
    })
}

fn offer_of(row: &AnyRow) -> StoreResult<EyeTestOffer> {
    let test_date = rows::opt_date(row, "test_date")?;
    let answer = match (rows::text(row, "answer")?.as_str(), test_date) {
        ("no_answer", None) => EyeTestAnswer::NoAnswerYet,
        ("taken_up", test_date) => EyeTestAnswer::TakenUp { test_date },
        ("declined", None) => EyeTestAnswer::Declined,
        (other, _) => return Err(corrupt("answer", other)),
    };
    let answered = match (
        rows::opt_person_id(row, "answered_by")?,
        rows::opt_time(row, "answered_at")?,
    ) {
        (Some(by), Some(at)) => Some((by, at)),
        (None, None) => None,
        _ => return Err(corrupt("answered_by", "without answered_at")),
    };
    Ok(EyeTestOffer {
        id: parsed(row, "id", EyeTestOfferId::parse)?,
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        offered_on: date(row, "offered_on")?,
        offered_by: rows::person_id(row, "offered_by")?,
        recorded_at: rows::time(row, "recorded_at")?,
        answer,
        answered,
        revision: rows::int(row, "revision")?,
    })
}

fn resolution_of(row: &AnyRow) -> StoreResult<Resolution> {
    let state = rows::text(row, "state")?;
    let by = rows::opt_person_id(row, "settled_by")?;
    let at = rows::opt_time(row, "settled_at")?;
    let note = rows::opt_text(row, "note")?;
    Ok(match (state.as_str(), by, at, note) {
        ("open", None, None, None) => Resolution::Open,
        ("done", Some(by), Some(at), Some(note)) => Resolution::Done { by, at, note },
        ("declined", Some(by), Some(at), Some(reason)) => Resolution::Declined { by, at, reason },
        _ => {
            return Err(corrupt(
                "state",
                format!("\"{state}\" without who, when or why"),
            ));
        }
    })
}

/// The settled-by, settled-at and note columns of a resolution.
fn resolution_columns(resolution: &Resolution) -> (Option<String>, Option<i64>, Option<&str>) {
    match resolution {
        Resolution::Open => (None, None, None),
        Resolution::Done { by, at, note } => (
            Some(by.to_string()),
            Some(at.as_millisecond()),
            Some(note.as_str()),
        ),
        Resolution::Declined { by, at, reason } => (
            Some(by.to_string()),
            Some(at.as_millisecond()),
            Some(reason.as_str()),
        ),
    }
}

fn request_of(row: &AnyRow) -> StoreResult<WorkstationRequest> {
    Ok(WorkstationRequest {
        id: parsed(row, "id", WorkstationRequestId::parse)?,
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        asked_at: rows::time(row, "asked_at")?,
        problem: rows::text(row, "problem")?,
        resolution: resolution_of(row)?,
    })
}

fn hazard_of(row: &AnyRow) -> StoreResult<HazardReport> {
    Ok(HazardReport {
        id: parsed(row, "id", HazardId::parse)?,
        council_id: rows::council_id(row, "council_id")?,
        reported_by: rows::person_id(row, "reported_by")?,
        reported_at: rows::time(row, "reported_at")?,
        place: rows::text(row, "place")?,
        description: rows::text(row, "description")?,
        resolution: resolution_of(row)?,
    })
}

fn mark_of(row: &AnyRow) -> StoreResult<DseMark> {
    Ok(DseMark {
        council_id: rows::council_id(row, "council_id")?,
        person_id: rows::person_id(row, "person_id")?,
        is_user: rows::int(row, "is_user")? != 0,
        set_by: rows::person_id(row, "set_by")?,
        set_at: rows::time(row, "set_at")?,
    })
}

/// An event must be of the council whose record it describes.
fn same_council(council: CouncilId, event: &AuditEvent) -> StoreResult<()> {
    if event.council_id == council {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "the audit entry is not of this record's council".to_owned(),
        ))
    }
}

impl Store {
    /// Opens a change's transaction once the audit entry and every person named are checked
    /// to be `council`'s.
    async fn begin_health_change(
        &self,
        council: CouncilId,
        people: &[PersonId],
        event: &AuditEvent,
    ) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        same_council(council, event)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        require_people(&mut tx, council, people.iter().copied()).await?;
        Ok(tx)
    }

    async fn fetch_all_of(&self, sql: &str, council: CouncilId) -> StoreResult<Vec<AnyRow>> {
        sqlx::query(sql)
            .bind(council.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(db_error)
    }

    async fn fetch_one_of(
        &self,
        sql: &str,
        council: CouncilId,
        id: String,
        missing: &'static str,
    ) -> StoreResult<AnyRow> {
        sqlx::query(sql)
            .bind(council.to_string())
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound(missing))
    }
}

/// Turns "no row changed" into the right error: `NotFound` when the row is missing,
/// otherwise `Conflict` with `changed`.
async fn none_changed(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    council: CouncilId,
    id: String,
    missing: &'static str,
    changed: &str,
) -> StoreError {
    let sql = format!("SELECT 1 AS one FROM {table} WHERE council_id = $1 AND id = $2");
    match sqlx::query(&sql)
        .bind(council.to_string())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
    {
        Ok(Some(_)) => StoreError::Conflict(changed.to_owned()),
        Ok(None) => StoreError::NotFound(missing),
        Err(e) => db_error(e),
    }
}

const RESOLVED_MEANWHILE: &str = "Someone else resolved this after you opened the page, so \
     nothing was saved. Reload the page to see it as it is now.";

#[path = "health_writes.rs"]
mod writes;

impl HealthStore for Store {
    async fn set_dse_mark(&self, mark: &DseMark, event: &AuditEvent) -> StoreResult<()> {
        writes::set_dse_mark(self, mark, event).await
    }

    async fn insert_assessment(
        &self,
        assessment: &Assessment,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        writes::insert_assessment(self, assessment, event).await
    }

    async fn insert_eye_test_offer(
        &self,
        offer: &EyeTestOffer,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        writes::insert_eye_test_offer(self, offer, event).await
    }

    async fn update_eye_test_offer(
        &self,
        offer: &EyeTestOffer,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        writes::update_eye_test_offer(self, offer, event).await
    }

    async fn insert_workstation_request(
        &self,
        request: &WorkstationRequest,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        writes::insert_workstation_request(self, request, event).await
    }

    async fn resolve_workstation_request(
        &self,
        request: &WorkstationRequest,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        writes::resolve_workstation_request(self, request, event).await
    }

    async fn insert_hazard(&self, hazard: &HazardReport, event: &AuditEvent) -> StoreResult<()> {
        writes::insert_hazard(self, hazard, event).await
    }

    async fn resolve_hazard(&self, hazard: &HazardReport, event: &AuditEvent) -> StoreResult<()> {
        writes::resolve_hazard(self, hazard, event).await
    }

    async fn health_records(&self, council: CouncilId) -> StoreResult<HealthRecords> {
        let marks = self
            .fetch_all_of(
                "SELECT council_id, person_id, is_user, set_by, set_at FROM dse_users
                 WHERE council_id = $1 ORDER BY person_id",
                council,
            )
            .await?;
        let assessments = self
            .fetch_all_of(
                &format!(
                    "SELECT {ASSESSMENT_COLUMNS} FROM dse_assessments WHERE council_id = $1
                     ORDER BY assessed_on DESC, recorded_at DESC, id DESC"
                ),
                council,
            )
            .await?;
        let offers = self
            .fetch_all_of(
                &format!(
                    "SELECT {OFFER_COLUMNS} FROM eye_test_offers WHERE council_id = $1
                     ORDER BY offered_on DESC, recorded_at DESC, id DESC"
                ),
                council,
            )
            .await?;
        let requests = self
            .fetch_all_of(
                &format!(
                    "SELECT {REQUEST_COLUMNS} FROM workstation_requests WHERE council_id = $1
                     ORDER BY asked_at DESC, id DESC"
                ),
                council,
            )
            .await?;
        let hazards = self
            .fetch_all_of(
                &format!(
                    "SELECT {HAZARD_COLUMNS} FROM hazard_reports WHERE council_id = $1
                     ORDER BY reported_at DESC, id DESC"
                ),
                council,
            )
            .await?;
        Ok(HealthRecords {
            marks: marks.iter().map(mark_of).collect::<StoreResult<_>>()?,
            assessments: assessments
                .iter()
                .map(assessment_of)
                .collect::<StoreResult<_>>()?,
            offers: offers.iter().map(offer_of).collect::<StoreResult<_>>()?,
            requests: requests
                .iter()
                .map(request_of)
                .collect::<StoreResult<_>>()?,
            hazards: hazards.iter().map(hazard_of).collect::<StoreResult<_>>()?,
        })
    }

    async fn eye_test_offer(
        &self,
        council: CouncilId,
        id: EyeTestOfferId,
    ) -> StoreResult<EyeTestOffer> {
        let sql = format!(
            "SELECT {OFFER_COLUMNS} FROM eye_test_offers WHERE council_id = $1 AND id = $2"
        );
        offer_of(
            &self
                .fetch_one_of(&sql, council, id.to_string(), "eye-test offer")
                .await?,
        )
    }

    async fn workstation_request(
        &self,
        council: CouncilId,
        id: WorkstationRequestId,
    ) -> StoreResult<WorkstationRequest> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM workstation_requests WHERE council_id = $1 AND id = $2"
        );
        request_of(
            &self
                .fetch_one_of(&sql, council, id.to_string(), "workstation request")
                .await?,
        )
    }

    async fn hazard(&self, council: CouncilId, id: HazardId) -> StoreResult<HazardReport> {
        let sql = format!(
            "SELECT {HAZARD_COLUMNS} FROM hazard_reports WHERE council_id = $1 AND id = $2"
        );
        hazard_of(
            &self
                .fetch_one_of(&sql, council, id.to_string(), "hazard report")
                .await?,
        )
    }
}

/// A date as stored: `YYYY-MM-DD`.
fn day(date: Date) -> Option<String> {
    date_text(Some(date))
}
