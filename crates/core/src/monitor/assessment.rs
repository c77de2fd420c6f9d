//! The lawful gate: the monitoring impact assessment (5.1.6, 5.1.7, 5.1.11) and the check that
//! monitoring may be switched on.
//!
//! The Investigatory Powers (Interception by Businesses etc. for Monitoring and Record-keeping
//! Purposes) Regulations 2018 and UK GDPR let a council monitor use of its systems when it has
//! shown monitoring is necessary and proportionate, and when the people monitored have been
//! told. So monitoring stays off until an assessment is recorded and the adopted policy says
//! that monitoring happens. The assessment is stored as JSON (serde), as the store's settings
//! row keeps it.

use super::{FormErrors, Problems, typed_date};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, PersonId};
use crate::permission::Action;
use crate::person::{Role, RoleSet};
use crate::policy::PolicyProfile;
use crate::policy::import::text::Document;
use crate::policy::lint::mentions_monitoring;
use crate::policy::version::MinuteReference;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The shortest answer to a free-text question: about a sentence.
pub const MIN_ANSWER_CHARS: usize = 20;
/// The longest answer to a free-text question.
pub const MAX_ANSWER_CHARS: usize = 4000;
/// The longest name of the person who made the assessment.
const MAX_NAME_CHARS: usize = 200;
/// The range of retention periods, as the policy profile allows.
const RETENTION_MONTHS: std::ops::RangeInclusive<u16> = 1..=84;

/// A recorded monitoring impact assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactAssessment {
    /// What monitoring is for (5.1.6).
    pub purpose: String,
    /// Why it is necessary: the risk or problem it answers (5.1.6).
    pub necessity: String,
    /// Less intrusive ways considered, and why they are not enough (5.1.6).
    pub alternatives: String,
    /// Who may see the records (5.1.7).
    pub viewer_roles: RoleSet,
    /// How long records are kept, in months (5.1.8, 5.1.11).
    pub retention_months: u16,
    /// The day of the council meeting that agreed to monitor.
    pub decided_on: Date,
    pub minute_reference: MinuteReference,
    /// The name of whoever carried out the assessment (the Clerk, or an adviser).
    pub assessed_by: String,
    pub recorded_by: PersonId,
    pub recorded_at: Timestamp,
}

/// The assessment as typed on the guided form.
#[derive(Clone, Copy, Debug)]
pub struct ImpactAssessmentForm<'a> {
    pub purpose: &'a str,
    pub necessity: &'a str,
    pub alternatives: &'a str,
    /// The roles ticked.
    pub viewer_roles: RoleSet,
    /// Empty: the policy profile's period.
    pub retention_months: &'a str,
    pub decided_on: &'a str,
    pub minute_reference: &'a str,
    pub assessed_by: &'a str,
}

/// Checks the form and records the assessment, with its audit event. Every problem is
/// reported at once, each against its field. `today` is the council's (London) date.
pub fn record_assessment(
    council_id: CouncilId,
    form: ImpactAssessmentForm<'_>,
    profile: &PolicyProfile,
    by: PersonId,
    today: Date,
    now: Timestamp,
) -> Result<(ImpactAssessment, AuditEvent), FormErrors> {
    let mut problems = Problems::default();
    let purpose = problems.check(
        "purpose",
        answer(
            form.purpose,
            "the purpose",
            "Say what monitoring is for, in at least a sentence: for example, to check that council equipment is not used to visit unlawful sites, or to investigate a suspected breach of the policy (5.1.6).",
        ),
    );
    let necessity = problems.check(
        "necessity",
        answer(
            form.necessity,
            "the reasons monitoring is necessary",
            "Explain why monitoring is necessary, in at least a sentence: the risk or problem it answers, and why the council could not deal with it without monitoring (5.1.6).",
        ),
    );
    let alternatives = problems.check(
        "alternatives",
        answer(
            form.alternatives,
            "the other ways considered",
            "Say which less intrusive ways were considered, such as blocking sites with a filter or reminding people of the policy, and why they are not enough, in at least a sentence (5.1.6).",
        ),
    );
    if form.viewer_roles.is_empty() {
        problems.add(
            "viewer_roles",
            "Choose who may see the records. The policy shares them only with those who need them (5.1.7): usually the Clerk alone, or the Clerk and the Chair.",
        );
    }
    let may_view = Action::ViewInternetUse.allowed_roles();
    let beyond: Vec<Role> = form
        .viewer_roles
        .iter()
        .filter(|role| !may_view.contains(*role))
        .collect();
    if !beyond.is_empty() {
        problems.add(
            "viewer_roles",
            format!(
                "{} cannot be given others' records: they are shared only with those who need them (5.1.7), and people whose use is recorded never see each other's. Choose from: {}.",
                RoleSet::of(&beyond).labels(),
                may_view.labels()
            ),
        );
    }
    let retention_months = problems.check(
        "retention_months",
        retention(form.retention_months, profile.internet_log_retention_months),
    );
    let decided_on = problems.check(
        "decided_on",
        typed_date(
            form.decided_on,
            "the date of the council meeting that agreed to monitoring",
            today,
        ),
    );
    let minute_reference = problems.check(
        "minute_reference",
        MinuteReference::parse(form.minute_reference).map_err(|error| {
            if form.minute_reference.trim().is_empty() {
                "Enter the minute reference of the council's decision to monitor, for example COU/229/25-26.".to_owned()
            } else {
                format!("{error}. Enter it as it appears in the minutes, for example COU/229/25-26.")
            }
        }),
    );
    let assessed_by = problems.check("assessed_by", assessor(form.assessed_by));
    // A field without a value always has its problem noted, so `else` never returns nothing.
    let (
        Some(purpose),
        Some(necessity),
        Some(alternatives),
        Some(retention_months),
        Some(decided_on),
        Some(minute_reference),
        Some(assessed_by),
    ) = (
        purpose,
        necessity,
        alternatives,
        retention_months,
        decided_on,
        minute_reference,
        assessed_by,
    )
    else {
        return Err(problems.into_errors());
    };
    problems.into_result()?;
    let assessment = ImpactAssessment {
        purpose,
        necessity,
        alternatives,
        viewer_roles: form.viewer_roles,
        retention_months,
        decided_on,
        minute_reference,
        assessed_by,
        recorded_by: by,
        recorded_at: now,
    };
    // The answers stay out of the audit log: they can describe people and suspicions.
    let event = AuditEvent::new(
        council_id,
        now,
        Actor::Person(by),
        "monitor.assessment.recorded",
    )
    .subject("monitor:assessment")
    .details(json!({
        "viewer_roles": assessment.viewer_roles.to_storage(),
        "retention_months": assessment.retention_months,
        "decided_on": assessment.decided_on.to_string(),
        "minute_reference": assessment.minute_reference.as_str(),
    }));
    Ok((assessment, event))
}

/// A free-text answer: trimmed, about a sentence at least, and not too long.
fn answer(text: &str, what: &str, too_short: &str) -> Result<String, String> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars < MIN_ANSWER_CHARS || text.split_whitespace().count() < 3 {
        return Err(too_short.to_owned());
    }
    if chars > MAX_ANSWER_CHARS {
        return Err(format!(
            "Keep {what} to {MAX_ANSWER_CHARS} characters or fewer (it has {chars}). A summary is enough; keep longer papers with the council's minutes."
        ));
    }
    Ok(text.to_owned())
}

fn retention(text: &str, policy_months: u16) -> Result<u16, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(policy_months);
    }
    let text = text
        .strip_suffix("months")
        .or_else(|| text.strip_suffix("month"))
        .unwrap_or(text)
        .trim();
    match text.parse::<u16>() {
        Ok(months) if RETENTION_MONTHS.contains(&months) => Ok(months),
        Ok(_) => Err(format!(
            "Records can be kept for {} to {} months. The policy keeps them for {policy_months} months (5.1.11).",
            RETENTION_MONTHS.start(),
            RETENTION_MONTHS.end()
        )),
        Err(_) => Err(format!(
            "Enter the number of months records are kept, such as 6, or leave it empty for the policy's {policy_months} months (5.1.11)."
        )),
    }
}

fn assessor(text: &str) -> Result<String, String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Enter the name of the person who carried out the assessment.".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "Keep the assessor's name to {MAX_NAME_CHARS} characters or fewer."
        ));
    }
    Ok(name)
}

/// Something missing before monitoring may be switched on, or that has changed since it was
/// assessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum GateReason {
    #[error(
        "No monitoring impact assessment has been recorded. Record one first: what monitoring is for, why it is necessary, what less intrusive ways were considered, who may see the records and how long they are kept (5.1.6)."
    )]
    NoAssessment,
    #[error(
        "The council's adopted IT policy does not tell people that their use of the internet may be monitored. Adopt a policy that does (the model policy's section 5) before switching monitoring on: people must be told first."
    )]
    PolicyDoesNotMentionMonitoring,
    #[error(
        "The impact assessment was made for records kept {assessed} months, but the policy now keeps them {policy} months (5.1.11). Review the assessment and record it again."
    )]
    RetentionChanged { assessed: u16, policy: u16 },
    #[error(
        "The monitoring settings let {roles} see the records, which the impact assessment did not consider (5.1.7). Review the assessment, or change who may see the records."
    )]
    ViewersNotAssessed { roles: String },
}

/// Whether monitoring may be switched on: an assessment is recorded and the adopted policy
/// tells people about monitoring (`policy_adopted_mentions_monitoring`: false also when no
/// policy is adopted; see [`policy_mentions_monitoring`]). Otherwise every reason, in the order
/// the Clerk should deal with them.
pub fn may_switch_on(
    assessment: Option<&ImpactAssessment>,
    policy_adopted_mentions_monitoring: bool,
) -> Result<(), Vec<GateReason>> {
    let mut reasons = Vec::new();
    if assessment.is_none() {
        reasons.push(GateReason::NoAssessment);
    }
    if !policy_adopted_mentions_monitoring {
        reasons.push(GateReason::PolicyDoesNotMentionMonitoring);
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

impl ImpactAssessment {
    /// How the council's present choices have moved away from what was assessed: a different
    /// retention period in the policy, or roles allowed to view that the assessment did not
    /// name. Shown as a warning while monitoring is on; a caller may also treat them as
    /// [`may_switch_on`] reasons.
    pub fn out_of_step(&self, profile: &PolicyProfile, viewer_roles: RoleSet) -> Vec<GateReason> {
        let mut reasons = Vec::new();
        if self.retention_months != profile.internet_log_retention_months {
            reasons.push(GateReason::RetentionChanged {
                assessed: self.retention_months,
                policy: profile.internet_log_retention_months,
            });
        }
        let unassessed: Vec<Role> = viewer_roles
            .iter()
            .filter(|role| !self.viewer_roles.contains(*role))
            .collect();
        if !unassessed.is_empty() {
            reasons.push(GateReason::ViewersNotAssessed {
                roles: RoleSet::of(&unassessed).labels(),
            });
        }
        reasons
    }
}

/// Whether a policy's plain text tells people they may be monitored, by the same test the
/// policy lint uses (so the lint's "missing topic" and the gate never disagree).
pub fn policy_mentions_monitoring(policy_text: &str) -> bool {
    mentions_monitoring(&Document::parse(policy_text))
}

#[cfg(test)]
mod viewer_role_tests {
    use super::*;
    use crate::policy::PolicyProfile;

    #[test]
    fn a_viewer_role_that_may_not_be_given_records_is_refused_by_name() {
        let form = ImpactAssessmentForm {
            purpose: "To check that council computers are not used to visit unlawful sites.",
            necessity: "Two laptops were infected last year after visits to file-sharing sites.",
            alternatives: "A filter alone was tried; it cannot show whether the policy is kept.",
            viewer_roles: RoleSet::of(&[Role::Clerk, Role::Councillor]),
            retention_months: "",
            decided_on: "14/7/2026",
            minute_reference: "COU/112/26-27",
            assessed_by: "Jane Smith",
        };
        let errors = record_assessment(
            CouncilId::generate(),
            form,
            &PolicyProfile::model_defaults(),
            PersonId::generate(),
            jiff::civil::date(2026, 8, 31),
            Timestamp::UNIX_EPOCH,
        )
        .unwrap_err();
        let message = errors.message_for("viewer_roles").unwrap();
        assert!(message.starts_with("Councillor cannot"), "{message}");
        assert!(!message.contains("Clerk cannot"), "{message}");
    }
}
