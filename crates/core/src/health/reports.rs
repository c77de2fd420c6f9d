//! What people raise: a change to their own workstation ("speak to the Clerk", 3.1.3) and
//! hazards anyone sees. Each is open until it is resolved once, with what was done or why not.

use super::{
    HazardId, HealthError, MAX_SHORT_TEXT_CHARS, MAX_TEXT_CHARS, WorkstationRequestId,
    person_subject, typed_text,
};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, PersonId};
use crate::person::Person;
use jiff::Timestamp;
use serde_json::json;

/// How a request or hazard was resolved. For a hazard, `Done` is "made safe" and `Declined`
/// is "no action needed".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Open,
    Done {
        by: PersonId,
        at: Timestamp,
        /// What was done.
        note: String,
    },
    Declined {
        by: PersonId,
        at: Timestamp,
        /// Why nothing will be done.
        reason: String,
    },
}

impl Resolution {
    /// The stored state name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Resolution::Open => "open",
            Resolution::Done { .. } => "done",
            Resolution::Declined { .. } => "declined",
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, Resolution::Open)
    }
}

/// The manager's choice when resolving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    Done,
    Declined,
}

/// A person's request for a change to their workstation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkstationRequest {
    pub id: WorkstationRequestId,
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub asked_at: Timestamp,
    /// What is wrong, in their words.
    pub problem: String,
    pub resolution: Resolution,
}

/// A hazard report: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HazardReport {
    pub id: HazardId,
    pub council_id: CouncilId,
    pub reported_by: PersonId,
    pub reported_at: Timestamp,
    pub place: String,
    pub description: String,
    pub resolution: Resolution,
}

/// `person` asks for a change to their own workstation.
pub fn ask_for_workstation_change(
    person: &Person,
    id: WorkstationRequestId,
    problem: &str,
    now: Timestamp,
) -> Result<(WorkstationRequest, AuditEvent), HealthError> {
    let problem = typed_text(
        problem,
        "Say what about your workstation needs to change.",
        "what needs to change",
        MAX_TEXT_CHARS,
    )?;
    let request = WorkstationRequest {
        id,
        council_id: person.council_id,
        person_id: person.id,
        asked_at: now,
        problem,
        resolution: Resolution::Open,
    };
    let event = AuditEvent::new(
        person.council_id,
        now,
        Actor::Person(person.id),
        "workstation.requested",
    )
    .subject(person_subject(person.id))
    .details(json!({ "request": id.to_string() }));
    Ok((request, event))
}

fn settled(
    current: &Resolution,
    settle: Settle,
    text: &str,
    done_missing: &'static str,
    by: PersonId,
    now: Timestamp,
) -> Result<Resolution, HealthError> {
    if !current.is_open() {
        return Err(HealthError::AlreadyResolved);
    }
    Ok(match settle {
        Settle::Done => Resolution::Done {
            by,
            at: now,
            note: typed_text(text, done_missing, "what was done", MAX_TEXT_CHARS)?,
        },
        Settle::Declined => Resolution::Declined {
            by,
            at: now,
            reason: typed_text(
                text,
                "Give the reason nothing will be done, so the person and the council can see why.",
                "the reason",
                MAX_TEXT_CHARS,
            )?,
        },
    })
}

/// Resolves a workstation request: done (with what was done) or declined (with why). Nobody
/// resolves their own.
pub fn resolve_workstation_request(
    request: &WorkstationRequest,
    settle: Settle,
    text: &str,
    by: PersonId,
    now: Timestamp,
) -> Result<(WorkstationRequest, AuditEvent), HealthError> {
    if by == request.person_id {
        return Err(HealthError::OwnRequest);
    }
    let resolution = settled(
        &request.resolution,
        settle,
        text,
        "Say what was done about the workstation.",
        by,
        now,
    )?;
    let mut after = request.clone();
    after.resolution = resolution;
    let event = AuditEvent::new(
        request.council_id,
        now,
        Actor::Person(by),
        "workstation.resolved",
    )
    .subject(person_subject(request.person_id))
    .details(json!({
        "request": request.id.to_string(),
        "outcome": after.resolution.as_str(),
    }));
    Ok((after, event))
}

/// `by` reports a hazard: where it is and what it is.
pub fn report_hazard(
    council: CouncilId,
    id: HazardId,
    place: &str,
    description: &str,
    by: PersonId,
    now: Timestamp,
) -> Result<(HazardReport, AuditEvent), HealthError> {
    let place = typed_text(
        place,
        "Say where the hazard is, for example \"Parish office, by the printer\".",
        "where the hazard is",
        MAX_SHORT_TEXT_CHARS,
    )?;
    let description = typed_text(
        description,
        "Describe the hazard, for example \"Trailing cable across the doorway\".",
        "the description",
        MAX_TEXT_CHARS,
    )?;
    let report = HazardReport {
        id,
        council_id: council,
        reported_by: by,
        reported_at: now,
        place,
        description,
        resolution: Resolution::Open,
    };
    let event = AuditEvent::new(council, now, Actor::Person(by), "hazard.reported")
        .subject(format!("hazard:{id}"))
        .details(json!({ "hazard": id.to_string() }));
    Ok((report, event))
}

/// Resolves a hazard: made safe (with what was done) or no action (with why).
pub fn resolve_hazard(
    hazard: &HazardReport,
    settle: Settle,
    text: &str,
    by: PersonId,
    now: Timestamp,
) -> Result<(HazardReport, AuditEvent), HealthError> {
    let resolution = settled(
        &hazard.resolution,
        settle,
        text,
        "Say what was done to make it safe.",
        by,
        now,
    )?;
    let mut after = hazard.clone();
    after.resolution = resolution;
    let outcome = match settle {
        Settle::Done => "made_safe",
        Settle::Declined => "no_action",
    };
    let event = AuditEvent::new(hazard.council_id, now, Actor::Person(by), "hazard.resolved")
        .subject(format!("hazard:{}", hazard.id))
        .details(json!({ "hazard": hazard.id.to_string(), "outcome": outcome }));
    Ok((after, event))
}
