//! Changes to an incident after it is opened. Each function checks the change, returns the
//! incident's next state (one revision on) and the audit event to store with it. Audit details
//! hold ids and choices only, never the text people typed: that may name people.

use super::breach::{IcoDecision, PeopleTold, PeopleToldRecord, became_aware};
use super::{Closure, Incident, IncidentError, IncidentStatus};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, IncidentId, PersonId};
use jiff::Timestamp;
use serde_json::json;

/// Longest text accepted in one field (an action, a reason, an outcome, lessons).
const MAX_TEXT: usize = 4000;

/// One entry of an incident's timeline: what was done, by whom, when. Entries are only ever
/// added, never changed or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentAction {
    pub council_id: CouncilId,
    pub incident_id: IncidentId,
    pub at: Timestamp,
    pub by: PersonId,
    pub text: String,
}

fn required(text: &str, empty: IncidentError) -> Result<String, IncidentError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(empty);
    }
    if text.chars().count() > MAX_TEXT {
        return Err(IncidentError::TooLong(MAX_TEXT));
    }
    Ok(text.to_owned())
}

fn open_for_change(incident: &Incident) -> Result<Incident, IncidentError> {
    if !incident.is_open() {
        return Err(IncidentError::Closed);
    }
    let mut next = incident.clone();
    next.revision = incident.revision.saturating_add(1);
    Ok(next)
}

fn event(incident: &Incident, by: PersonId, now: Timestamp, action: &str) -> AuditEvent {
    AuditEvent::new(incident.council_id, now, Actor::Person(by), action)
        .subject(format!("incident:{}", incident.id))
}

/// Adds an entry to the timeline. Allowed after closing too: a reply from the ICO or the
/// insurer still belongs to the incident's history.
pub fn add_action(
    incident: &Incident,
    text: &str,
    by: PersonId,
    now: Timestamp,
) -> Result<(IncidentAction, AuditEvent), IncidentError> {
    let action = IncidentAction {
        council_id: incident.council_id,
        incident_id: incident.id,
        at: now,
        by,
        text: required(text, IncidentError::EmptyAction)?,
    };
    Ok((action, event(incident, by, now, "incident.action_added")))
}

/// Makes `owner` responsible for seeing the incident through. The caller checks that the owner
/// is an active person of the council; the store checks the council again.
pub fn assign_owner(
    incident: &Incident,
    owner: PersonId,
    by: PersonId,
    now: Timestamp,
) -> Result<(Incident, AuditEvent), IncidentError> {
    let mut next = open_for_change(incident)?;
    next.owner = Some(owner);
    let event =
        event(incident, by, now, "incident.updated").details(json!({ "owner": owner.to_string() }));
    Ok((next, event))
}

/// Moves the start of the 72-hour clock to when the council really became aware: never in the
/// future, never after the report, never before the incident happened.
pub fn set_became_aware(
    incident: &Incident,
    at: Timestamp,
    by: PersonId,
    now: Timestamp,
) -> Result<(Incident, AuditEvent), IncidentError> {
    let mut next = open_for_change(incident)?;
    if at > now {
        return Err(IncidentError::AwareInFuture);
    }
    if at > incident.reported_at {
        return Err(IncidentError::AwareAfterReport);
    }
    if incident.happened_at.is_some_and(|h| at < h) {
        return Err(IncidentError::AwareBeforeHappened);
    }
    let breach = next.breach.as_mut().ok_or(IncidentError::NotABreach)?;
    breach.became_aware_at = (at != incident.reported_at).then_some(at);
    let event = event(incident, by, now, "incident.updated")
        .details(json!({ "changed": "became_aware_at" }));
    Ok((next, event))
}

/// Records whether the council will notify the ICO and why, and when it did. Recording the same
/// answer again (to add when the ICO was told) keeps the original time of the decision, so the
/// clock cannot be reset by editing.
pub fn record_ico_decision(
    incident: &Incident,
    notify: bool,
    reason: &str,
    notified_at: Option<Timestamp>,
    by: PersonId,
    now: Timestamp,
) -> Result<(Incident, AuditEvent), IncidentError> {
    let mut next = open_for_change(incident)?;
    let reason = required(reason, IncidentError::EmptyReason)?;
    let breach = next.breach.as_mut().ok_or(IncidentError::NotABreach)?;
    let notified_at = notified_at.filter(|_| notify);
    if let Some(at) = notified_at {
        if at > now {
            return Err(IncidentError::NotifiedInFuture);
        }
        if at < became_aware(breach, incident.reported_at) {
            return Err(IncidentError::NotifiedBeforeAware);
        }
    }
    let decided_at = match &breach.ico {
        Some(previous) if previous.notify == notify => previous.decided_at,
        _ => now,
    };
    breach.ico = Some(IcoDecision {
        notify,
        reason,
        decided_by: by,
        decided_at,
        notified_at,
    });
    let event = event(incident, by, now, "incident.breach_decided")
        .details(json!({ "notify": notify, "notified": notified_at.is_some() }));
    Ok((next, event))
}

/// Records whether the people affected were told, and why.
pub fn record_people_told(
    incident: &Incident,
    answer: PeopleTold,
    reason: &str,
    by: PersonId,
    now: Timestamp,
) -> Result<(Incident, AuditEvent), IncidentError> {
    let mut next = open_for_change(incident)?;
    let reason = required(reason, IncidentError::EmptyReason)?;
    let breach = next.breach.as_mut().ok_or(IncidentError::NotABreach)?;
    breach.people_told = Some(PeopleToldRecord {
        answer,
        reason,
        recorded_by: by,
        recorded_at: now,
    });
    let event = event(incident, by, now, "incident.people_told")
        .details(json!({ "answer": answer.as_str() }));
    Ok((next, event))
}

/// Closes the incident with its outcome and lessons learned. A personal-data breach closes only
/// once the ICO decision (and the notification, if decided) and the answer about telling the
/// people affected are recorded: art. 33(5) asks for the record either way.
pub fn close(
    incident: &Incident,
    outcome: &str,
    lessons: &str,
    by: PersonId,
    now: Timestamp,
) -> Result<(Incident, AuditEvent), IncidentError> {
    let mut next = open_for_change(incident)?;
    let outcome = required(outcome, IncidentError::EmptyOutcome)?;
    let lessons = required(lessons, IncidentError::EmptyLessons)?;
    let mut missed = false;
    if let Some(breach) = &incident.breach {
        let ico = breach.ico.as_ref().ok_or(IncidentError::NoIcoDecision)?;
        if ico.notify && ico.notified_at.is_none() {
            return Err(IncidentError::IcoNotYetNotified);
        }
        if breach.people_told.is_none() {
            return Err(IncidentError::PeopleToldMissing);
        }
        missed = incident.breach_clock(now).is_some_and(|c| c.is_missed());
    }
    next.status = IncidentStatus::Closed;
    next.closure = Some(Closure {
        outcome,
        lessons,
        closed_by: by,
        closed_at: now,
    });
    let mut details = json!({});
    if incident.breach.is_some() {
        details = json!({ "breach_deadline_missed": missed });
    }
    Ok((
        next,
        event(incident, by, now, "incident.closed").details(details),
    ))
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;
