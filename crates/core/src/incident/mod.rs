//! Incidents: the record every capability opens through [`open_incident`], and its workflow (an
//! owner, a timeline of actions, the outcome and lessons learned to close it). A personal-data
//! breach also carries the 72-hour clock and the ICO decision ([`breach`]). Pure: callers pass
//! `now`, and the store saves what these functions decide.

pub mod breach;
mod workflow;

pub use breach::{
    BREACH_DEADLINE, BreachClock, BreachRecord, IcoDecision, PeopleTold, PeopleToldRecord,
    breach_clock,
};
pub use workflow::{
    IncidentAction, add_action, assign_owner, close, record_ico_decision, record_people_told,
    set_became_aware,
};

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
    /// The person of the council who sees it through.
    pub owner: Option<PersonId>,
    /// `Some` exactly when the kind is a personal-data breach.
    pub breach: Option<BreachRecord>,
    /// `Some` exactly when the status is closed.
    pub closure: Option<Closure>,
    /// Counts changes, so a change made from a page opened before another is refused.
    pub revision: u32,
}

impl Incident {
    /// The 72-hour clock at `now`, for a personal-data breach.
    pub fn breach_clock(&self, now: Timestamp) -> Option<BreachClock> {
        self.breach
            .as_ref()
            .map(|b| breach_clock(b, self.reported_at, now))
    }

    pub fn is_open(&self) -> bool {
        self.status == IncidentStatus::Open
    }
}

/// How an incident ended: required to close it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closure {
    pub outcome: String,
    pub lessons: String,
    pub closed_by: PersonId,
    pub closed_at: Timestamp,
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
        owner: None,
        breach: (report.kind == IncidentKind::PersonalDataBreach).then(BreachRecord::default),
        closure: None,
        revision: 0,
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
    #[error("This incident is closed, so it can no longer be changed")]
    Closed,
    #[error("Only a personal data breach has the 72-hour clock and the ICO decision")]
    NotABreach,
    #[error("Describe the action taken")]
    EmptyAction,
    #[error("Say why")]
    EmptyReason,
    #[error("Describe how the incident ended")]
    EmptyOutcome,
    #[error("Say what the council has learned, even if it is that nothing needs to change")]
    EmptyLessons,
    #[error("This text must be {0} characters or fewer")]
    TooLong(usize),
    #[error("The time the council became aware cannot be in the future")]
    AwareInFuture,
    #[error(
        "The time the council became aware must be no later than when the incident was reported"
    )]
    AwareAfterReport,
    #[error("The time the council became aware cannot be before the incident happened")]
    AwareBeforeHappened,
    #[error("The time the ICO was told cannot be in the future")]
    NotifiedInFuture,
    #[error("The time the ICO was told cannot be before the council became aware of the breach")]
    NotifiedBeforeAware,
    #[error("Record whether the council will tell the ICO before closing this breach")]
    NoIcoDecision,
    #[error(
        "The council decided to tell the ICO: record when it did so before closing this breach"
    )]
    IcoNotYetNotified,
    #[error("Record whether the people affected were told before closing this breach")]
    PeopleToldMissing,
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
        assert_eq!(incident.breach, None);
        assert_eq!((incident.owner, incident.revision), (None, 0));
    }

    #[test]
    fn a_personal_data_breach_opens_with_its_clock_from_the_report() {
        let (incident, _) = open_incident(
            CouncilId::generate(),
            IncidentId::generate(),
            IncidentReport {
                kind: IncidentKind::PersonalDataBreach,
                summary: "Email to the wrong list".into(),
                happened_at: None,
            },
            Actor::System,
            now(),
        )
        .unwrap();
        let clock = incident.breach_clock(now()).unwrap();
        assert_eq!(clock.deadline(), now() + BREACH_DEADLINE);
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
