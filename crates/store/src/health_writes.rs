//! The changes to health-and-safety records: each one checks the people it names, writes, and
//! appends its audit entry in the same transaction.

use super::{RESOLVED_MEANWHILE, day, none_changed, resolution_columns};
use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::health::{
    Assessment, Assessor, DseMark, EyeTestAnswer, EyeTestOffer, HazardReport, Outcome, Resolution,
    WorkstationRequest,
};
use custodian_core::ports::{StoreError, StoreResult};

pub(super) async fn set_dse_mark(
    store: &Store,
    mark: &DseMark,
    event: &AuditEvent,
) -> StoreResult<()> {
    let council = mark.council_id;
    let mut tx = store
        .begin_health_change(council, &[mark.person_id, mark.set_by], event)
        .await?;
    sqlx::query("DELETE FROM dse_users WHERE council_id = $1 AND person_id = $2")
        .bind(council.to_string())
        .bind(mark.person_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    sqlx::query(
        "INSERT INTO dse_users (council_id, person_id, is_user, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(council.to_string())
    .bind(mark.person_id.to_string())
    .bind(i64::from(mark.is_user))
    .bind(mark.set_by.to_string())
    .bind(mark.set_at.as_millisecond())
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

pub(super) async fn insert_assessment(
    store: &Store,
    assessment: &Assessment,
    event: &AuditEvent,
) -> StoreResult<()> {
    let council = assessment.council_id;
    let mut people = vec![assessment.person_id, assessment.recorded_by];
    let (assessor_id, assessor_name) = match &assessment.assessor {
        Assessor::Person(id) => {
            people.push(*id);
            (Some(id.to_string()), None)
        }
        Assessor::Outside(name) => (None, Some(name.as_str())),
    };
    let actions = match &assessment.outcome {
        Outcome::NoChangesNeeded => None,
        Outcome::ChangesNeeded { actions } => Some(actions.as_str()),
    };
    let mut tx = store.begin_health_change(council, &people, event).await?;
    sqlx::query(
        "INSERT INTO dse_assessments (id, council_id, person_id, assessed_on, assessor_id,
             assessor_name, outcome, actions, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(assessment.id.to_string())
    .bind(council.to_string())
    .bind(assessment.person_id.to_string())
    .bind(day(assessment.assessed_on))
    .bind(assessor_id)
    .bind(assessor_name)
    .bind(assessment.outcome.as_str())
    .bind(actions)
    .bind(assessment.recorded_by.to_string())
    .bind(assessment.recorded_at.as_millisecond())
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

/// The answer, test date, answered-by and answered-at columns of an offer.
fn answer_columns(
    offer: &EyeTestOffer,
) -> (&'static str, Option<String>, Option<String>, Option<i64>) {
    let test_date = match offer.answer {
        EyeTestAnswer::TakenUp { test_date } => test_date.and_then(day),
        EyeTestAnswer::NoAnswerYet | EyeTestAnswer::Declined => None,
    };
    let (by, at) = match offer.answered {
        Some((by, at)) => (Some(by.to_string()), Some(at.as_millisecond())),
        None => (None, None),
    };
    (offer.answer.as_str(), test_date, by, at)
}

pub(super) async fn insert_eye_test_offer(
    store: &Store,
    offer: &EyeTestOffer,
    event: &AuditEvent,
) -> StoreResult<()> {
    let council = offer.council_id;
    let mut people = vec![offer.person_id, offer.offered_by];
    people.extend(offer.answered.map(|(by, _)| by));
    let mut tx = store.begin_health_change(council, &people, event).await?;
    let (answer, test_date, by, at) = answer_columns(offer);
    sqlx::query(
        "INSERT INTO eye_test_offers (id, council_id, person_id, offered_on, offered_by,
             recorded_at, answer, test_date, answered_by, answered_at, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(offer.id.to_string())
    .bind(council.to_string())
    .bind(offer.person_id.to_string())
    .bind(day(offer.offered_on))
    .bind(offer.offered_by.to_string())
    .bind(offer.recorded_at.as_millisecond())
    .bind(answer)
    .bind(test_date)
    .bind(by)
    .bind(at)
    .bind(offer.revision)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

pub(super) async fn update_eye_test_offer(
    store: &Store,
    offer: &EyeTestOffer,
    event: &AuditEvent,
) -> StoreResult<()> {
    let council = offer.council_id;
    let mut people = vec![offer.person_id];
    people.extend(offer.answered.map(|(by, _)| by));
    let mut tx = store.begin_health_change(council, &people, event).await?;
    let (answer, test_date, by, at) = answer_columns(offer);
    // Only the answer changes, and only over the revision it was made from.
    let done = sqlx::query(
        "UPDATE eye_test_offers SET answer = $1, test_date = $2, answered_by = $3,
             answered_at = $4, revision = $5
         WHERE council_id = $6 AND id = $7 AND person_id = $8 AND revision = $9",
    )
    .bind(answer)
    .bind(test_date)
    .bind(by)
    .bind(at)
    .bind(offer.revision)
    .bind(council.to_string())
    .bind(offer.id.to_string())
    .bind(offer.person_id.to_string())
    .bind(offer.revision - 1)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    if done.rows_affected() == 0 {
        return Err(none_changed(
            &mut tx,
            "eye_test_offers",
            council,
            offer.id.to_string(),
            "eye-test offer",
            "The answer to this eye-test offer was recorded by someone else after you opened \
             the page, so nothing was saved. Reload the page to see it as it is now.",
        )
        .await);
    }
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

pub(super) async fn insert_workstation_request(
    store: &Store,
    request: &WorkstationRequest,
    event: &AuditEvent,
) -> StoreResult<()> {
    if !request.resolution.is_open() {
        return Err(StoreError::Conflict(
            "a new workstation request must be open".to_owned(),
        ));
    }
    let council = request.council_id;
    let mut tx = store
        .begin_health_change(council, &[request.person_id], event)
        .await?;
    sqlx::query(
        "INSERT INTO workstation_requests (id, council_id, person_id, asked_at, problem, state)
         VALUES ($1, $2, $3, $4, $5, 'open')",
    )
    .bind(request.id.to_string())
    .bind(council.to_string())
    .bind(request.person_id.to_string())
    .bind(request.asked_at.as_millisecond())
    .bind(&request.problem)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

fn settled_by(resolution: &Resolution) -> StoreResult<custodian_core::ids::PersonId> {
    match resolution {
        Resolution::Done { by, .. } | Resolution::Declined { by, .. } => Ok(*by),
        Resolution::Open => Err(StoreError::Conflict(
            "a resolution must be done or declined".to_owned(),
        )),
    }
}

/// Sets a still-open row of `table` to its resolution.
async fn resolve_in(
    store: &Store,
    table: &'static str,
    council: custodian_core::ids::CouncilId,
    id: String,
    resolution: &Resolution,
    missing: &'static str,
    event: &AuditEvent,
) -> StoreResult<()> {
    let by = settled_by(resolution)?;
    let mut tx = store.begin_health_change(council, &[by], event).await?;
    let (by, at, note) = resolution_columns(resolution);
    let sql = format!(
        "UPDATE {table} SET state = $1, settled_by = $2, settled_at = $3, note = $4
         WHERE council_id = $5 AND id = $6 AND state = 'open'"
    );
    let done = sqlx::query(&sql)
        .bind(resolution.as_str())
        .bind(by)
        .bind(at)
        .bind(note)
        .bind(council.to_string())
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    if done.rows_affected() == 0 {
        return Err(none_changed(&mut tx, table, council, id, missing, RESOLVED_MEANWHILE).await);
    }
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

pub(super) async fn resolve_workstation_request(
    store: &Store,
    request: &WorkstationRequest,
    event: &AuditEvent,
) -> StoreResult<()> {
    resolve_in(
        store,
        "workstation_requests",
        request.council_id,
        request.id.to_string(),
        &request.resolution,
        "workstation request",
        event,
    )
    .await
}

pub(super) async fn insert_hazard(
    store: &Store,
    hazard: &HazardReport,
    event: &AuditEvent,
) -> StoreResult<()> {
    if !hazard.resolution.is_open() {
        return Err(StoreError::Conflict(
            "a new hazard report must be open".to_owned(),
        ));
    }
    let council = hazard.council_id;
    let mut tx = store
        .begin_health_change(council, &[hazard.reported_by], event)
        .await?;
    sqlx::query(
        "INSERT INTO hazard_reports (id, council_id, reported_by, reported_at, place,
             description, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'open')",
    )
    .bind(hazard.id.to_string())
    .bind(council.to_string())
    .bind(hazard.reported_by.to_string())
    .bind(hazard.reported_at.as_millisecond())
    .bind(&hazard.place)
    .bind(&hazard.description)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    store.append_in(&mut tx, event).await?;
    store.commit(tx).await
}

pub(super) async fn resolve_hazard(
    store: &Store,
    hazard: &HazardReport,
    event: &AuditEvent,
) -> StoreResult<()> {
    resolve_in(
        store,
        "hazard_reports",
        hazard.council_id,
        hazard.id.to_string(),
        &hazard.resolution,
        "hazard report",
        event,
    )
    .await
}
