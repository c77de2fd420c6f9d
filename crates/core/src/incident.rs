//! Incidents, minimal: the record other capabilities open through [`open_incident`]. The full
//! workflow (timeline, owner, 72-hour breach clock) comes later and builds on this record.

use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, IncidentId, PersonId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    LostOrStolenDevice,
    SecurityIncident,
    SuspectedCredentialCompromise,
    PersonalDataBreach,
    PolicyBreach,
    Other,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 6] = [
        IncidentKind::LostOrStolenDevice,
        IncidentKind::SecurityIncident,
        IncidentKind::SuspectedCredentialCompromise,
        IncidentKind::PersonalDataBreach,
        IncidentKind::PolicyBreach,
        IncidentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::LostOrStolenDevice => "lost_or_stolen_device",
            IncidentKind::SecurityIncident => "security_incident",
            IncidentKind::SuspectedCredentialCompromise => "suspected_credential_compromise",
            IncidentKind::PersonalDataBreach => "personal_data_breach",
            IncidentKind::PolicyBreach => "policy_breach",
            IncidentKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IncidentKind::LostOrStolenDevice => "Lost or stolen device",
            IncidentKind::SecurityIncident => "Security incident",
            IncidentKind::SuspectedCredentialCompromise => "Suspected password compromise",
            IncidentKind::PersonalDataBreach => "Personal data breach",
            IncidentKind::PolicyBreach => "Breach of the IT policy",
            IncidentKind::Other => "Other",
        }
    }

    pub fn parse(text: &str) -> Result<Self, IncidentError> {
        IncidentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| IncidentError::UnknownKind(text.to_owned()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Closed,
}

impl IncidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Result<Self, IncidentError> {
        match text {
            "open" => Ok(IncidentStatus::Open),
            "closed" => Ok(IncidentStatus::Closed),
            other => Err(IncidentError::UnknownStatus(other.to_owned())),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub id: IncidentId,
    pub council_id: CouncilId,
    pub kind: IncidentKind,
    pub summary: String,
    pub happened_at: Option<Timestamp>,
    pub reported_at: Timestamp,
    /// `None` when Custodian opened the incident itself (e.g. a refused password reveal).
    pub reported_by: Option<PersonId>,
    pub status: IncidentStatus,
}

/// What someone (or something) reports.
#[derive(Clone, Debug)]
pub struct IncidentReport {
    pub kind: IncidentKind,
    pub summary: String,
    pub happened_at: Option<Timestamp>,
}

/// Opens an incident: the one function every capability uses, so every incident is recorded
/// the same way and audited. Returns the incident and the audit event to store with it.
pub fn open_incident(
    council_id: CouncilId,
    id: IncidentId,
    report: IncidentReport,
    reported_by: Actor,
    now: Timestamp,
) -> Result<(Incident, AuditEvent), IncidentError> {
    let summary = report.summary.trim().to_owned();
    if summary.is_empty() {
        return Err(IncidentError::EmptySummary);
    }
    if summary.chars().count() > 2000 {
        return Err(IncidentError::SummaryTooLong);
    }
    if report.happened_at.is_some_and(|t| t > now) {
        return Err(IncidentError::HappenedInFuture);
    }
    let incident = Incident {
        id,
        council_id,
        kind: report.kind,
        summary,
        happened_at: report.happened_at,
        reported_at: now,
        reported_by: reported_by.person(),
        status: IncidentStatus::Open,
    };
    let event = AuditEvent::new(council_id, now, reported_by, "incident.opened")
        .subject(format!("incident:{id}"))
        .details(json!({ "kind": report.kind.as_str() }));
    Ok((incident, event))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IncidentError {
    #[error("Describe what happened")]
    EmptySummary,
    #[error("The description must be 2,000 characters or fewer")]
    SummaryTooLong,
    #[error("The date it happened must be today or in the past")]
    HappenedInFuture,
    #[error("\"{0}\" is not a kind of incident Custodian knows")]
    UnknownKind(String),
    #[error("\"{0}\" is not an incident status Custodian knows")]
    UnknownStatus(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_second(1_780_000_000).unwrap()
    }

    #[test]
    fn opening_an_incident_records_who_and_audits_the_kind() {
        let council = CouncilId::generate();
        let person = PersonId::generate();
        let (incident, event) = open_incident(
            council,
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::LostOrStolenDevice,
                summary: " Laptop left on a train ".into(),
                happened_at: None,
            },
            Actor::Person(person),
            now(),
        )
        .unwrap();
        assert_eq!(incident.summary, "Laptop left on a train");
        assert_eq!(incident.reported_by, Some(person));
        assert_eq!(event.action, "incident.opened");
        assert!(!event.details.to_string().contains("train"));
    }

    #[test]
    fn an_incident_cannot_happen_in_the_future() {
        let err = open_incident(
            CouncilId::generate(),
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::Other,
                summary: "x".into(),
                happened_at: Some(now() + jiff::SignedDuration::from_hours(1)),
            },
            Actor::System,
            now(),
        )
        .unwrap_err();
        assert_eq!(err, IncidentError::HappenedInFuture);
    }
}
