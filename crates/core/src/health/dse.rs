//! Display screen users, their workstation assessments and eye-test offers (3.1.2).

use super::{
    AssessmentId, DseRules, EyeTestOfferId, HealthError, MAX_SHORT_TEXT_CHARS, MAX_TEXT_CHARS,
    add_months, person_subject, typed_date, typed_text,
};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, PersonId};
use crate::person::{Person, PersonStatus, Role, RoleSet};
use crate::policy::DseAssessment;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

/// The Clerk's choice that a person is, or is not, a display screen user, overriding the
/// default by role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DseMark {
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub is_user: bool,
    pub set_by: PersonId,
    pub set_at: Timestamp,
}

/// Employees use display screen equipment by default: the staff and the Clerk (3.1.2 speaks
/// of "employees"); councillors and volunteers are not employees.
pub fn is_dse_user_by_default(roles: RoleSet) -> bool {
    roles.contains(Role::Staff) || roles.contains(Role::Clerk)
}

/// Whether `person` is a display screen user now: the Clerk's mark if there is one, else the
/// default by role. Nobody who has left is.
pub fn is_dse_user(person: &Person, mark: Option<&DseMark>) -> bool {
    if person.status == PersonStatus::Left {
        return false;
    }
    mark.map_or_else(|| is_dse_user_by_default(person.roles), |m| m.is_user)
}

/// Marks `person` as a display screen user or not.
pub fn mark_dse_user(
    person: &Person,
    is_user: bool,
    by: PersonId,
    now: Timestamp,
) -> (DseMark, AuditEvent) {
    let mark = DseMark {
        council_id: person.council_id,
        person_id: person.id,
        is_user,
        set_by: by,
        set_at: now,
    };
    let event = AuditEvent::new(person.council_id, now, Actor::Person(by), "dse.user_set")
        .subject(person_subject(person.id))
        .details(json!({ "dse_user": is_user }));
    (mark, event)
}

/// Who carried out an assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assessor {
    /// A person of the council (often the Clerk, or the Chair for the Clerk).
    Person(PersonId),
    /// A named assessor from outside (an occupational health adviser, say).
    Outside(String),
}

/// What an assessment found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    NoChangesNeeded,
    ChangesNeeded {
        /// The actions agreed, as typed.
        actions: String,
    },
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::NoChangesNeeded => "no_changes_needed",
            Outcome::ChangesNeeded { .. } => "changes_needed",
        }
    }
}

/// One workstation assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub assessed_on: Date,
    pub assessor: Assessor,
    pub outcome: Outcome,
    pub recorded_by: PersonId,
    pub recorded_at: Timestamp,
}

/// Who the form says assessed: a person of the council (already checked to be one) or an
/// outside assessor's name as typed.
#[derive(Clone, Copy, Debug)]
pub enum AssessorChoice<'a> {
    Person(PersonId),
    Outside(&'a str),
    NotChosen,
}

/// An assessment as typed on the form.
#[derive(Clone, Copy, Debug)]
pub struct AssessmentForm<'a> {
    pub assessed_on: &'a str,
    pub assessor: AssessorChoice<'a>,
    /// `None` when neither outcome was chosen.
    pub changes_needed: Option<bool>,
    pub actions: &'a str,
}

/// Records an assessment of `person` by `by`, who may not be `person`: the Chair records the
/// Clerk's.
pub fn record_assessment(
    person: &Person,
    id: AssessmentId,
    form: AssessmentForm<'_>,
    by: PersonId,
    today: Date,
    now: Timestamp,
) -> Result<(Assessment, AuditEvent), HealthError> {
    if by == person.id {
        return Err(HealthError::OwnRecord);
    }
    let assessed_on = typed_date(form.assessed_on, "the date of the assessment", Some(today))?;
    let assessor = match form.assessor {
        AssessorChoice::Person(id) => Assessor::Person(id),
        AssessorChoice::Outside(name) => Assessor::Outside(typed_text(
            name,
            "Enter the name of the outside assessor.",
            "the assessor's name",
            MAX_SHORT_TEXT_CHARS,
        )?),
        AssessorChoice::NotChosen => {
            return Err(HealthError::Missing(
                "Choose who carried out the assessment: a person of the council, or someone from outside.",
            ));
        }
    };
    let outcome = match form.changes_needed {
        None => {
            return Err(HealthError::Missing(
                "Choose the outcome: no changes needed, or changes needed.",
            ));
        }
        Some(false) => Outcome::NoChangesNeeded,
        Some(true) => Outcome::ChangesNeeded {
            actions: typed_text(
                form.actions,
                "Say which changes were agreed, so they can be checked later.",
                "the changes agreed",
                MAX_TEXT_CHARS,
            )?,
        },
    };
    let assessment = Assessment {
        id,
        council_id: person.council_id,
        person_id: person.id,
        assessed_on,
        assessor,
        outcome,
        recorded_by: by,
        recorded_at: now,
    };
    let event = AuditEvent::new(person.council_id, now, Actor::Person(by), "dse.assessed")
        .subject(person_subject(person.id))
        .details(json!({
            "assessment": id.to_string(),
            "assessor": match assessment.assessor {
                Assessor::Person(_) => "council",
                Assessor::Outside(_) => "outside",
            },
            "outcome": assessment.outcome.as_str(),
        }));
    Ok((assessment, event))
}

/// When the next assessment is due after `latest`: `interval_months` later when the policy
/// promises regular assessments; when it promises only eye tests, nothing after the first
/// (the first is still due for every display screen user). `None`: nothing further due.
pub fn next_assessment_due(latest: &Assessment, rules: &DseRules) -> Option<Date> {
    match rules.assessment {
        DseAssessment::Annual => Some(add_months(latest.assessed_on, rules.interval_months)),
        DseAssessment::EyeTestsOffered => None,
    }
}

/// The answer to an eye-test offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EyeTestAnswer {
    NoAnswerYet,
    TakenUp {
        /// The day of the test, once known.
        test_date: Option<Date>,
    },
    Declined,
}

impl EyeTestAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            EyeTestAnswer::NoAnswerYet => "no_answer",
            EyeTestAnswer::TakenUp { .. } => "taken_up",
            EyeTestAnswer::Declined => "declined",
        }
    }
}

/// One offer of an eye test by a competent person (3.1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EyeTestOffer {
    pub id: EyeTestOfferId,
    pub council_id: CouncilId,
    pub person_id: PersonId,
    pub offered_on: Date,
    pub offered_by: PersonId,
    pub recorded_at: Timestamp,
    pub answer: EyeTestAnswer,
    /// Who recorded the answer, and when.
    pub answered: Option<(PersonId, Timestamp)>,
    /// Grows with each change; a change is stored only over the revision it was made from.
    pub revision: i64,
}

impl EyeTestOffer {
    /// Still waiting for the person's answer, or for the date of a test taken up.
    pub fn awaits_answer(&self) -> bool {
        matches!(
            self.answer,
            EyeTestAnswer::NoAnswerYet | EyeTestAnswer::TakenUp { test_date: None }
        )
    }
}

/// Records that `person` was offered an eye test on the day typed, by `by` (not `person`).
pub fn offer_eye_test(
    person: &Person,
    id: EyeTestOfferId,
    offered_on: &str,
    by: PersonId,
    today: Date,
    now: Timestamp,
) -> Result<(EyeTestOffer, AuditEvent), HealthError> {
    if by == person.id {
        return Err(HealthError::OwnRecord);
    }
    let offered_on = typed_date(offered_on, "the date of the offer", Some(today))?;
    let offer = EyeTestOffer {
        id,
        council_id: person.council_id,
        person_id: person.id,
        offered_on,
        offered_by: by,
        recorded_at: now,
        answer: EyeTestAnswer::NoAnswerYet,
        answered: None,
        revision: 0,
    };
    let event = AuditEvent::new(
        person.council_id,
        now,
        Actor::Person(by),
        "eye_test.offered",
    )
    .subject(person_subject(person.id))
    .details(json!({ "offer": id.to_string() }));
    Ok((offer, event))
}

/// Records the answer to an offer: "taken_up" (with the test date if known) or "declined".
/// The person offered or a manager (`may_manage`) records it; a test taken up without a date
/// can have its date added later.
pub fn answer_eye_test(
    offer: &EyeTestOffer,
    answer: &str,
    test_date: &str,
    by: PersonId,
    may_manage: bool,
    today: Date,
    now: Timestamp,
) -> Result<(EyeTestOffer, AuditEvent), HealthError> {
    if by != offer.person_id && !may_manage {
        return Err(HealthError::NotTheirOffer);
    }
    if !offer.awaits_answer() {
        return Err(HealthError::AlreadyAnswered);
    }
    let answer = match answer.trim() {
        "taken_up" => {
            let test_date = if test_date.trim().is_empty() {
                None
            } else {
                let date = typed_date(test_date, "the date of the eye test", None)?;
                if date < offer.offered_on {
                    return Err(HealthError::TestBeforeOffer);
                }
                if date > add_months(today, 12) {
                    return Err(HealthError::TestTooFarAhead);
                }
                Some(date)
            };
            EyeTestAnswer::TakenUp { test_date }
        }
        "declined" => EyeTestAnswer::Declined,
        _ => return Err(HealthError::AnswerMissing),
    };
    if matches!(offer.answer, EyeTestAnswer::TakenUp { .. }) && answer == offer.answer {
        // Taken up already and still no date: nothing would change.
        return Err(HealthError::DateMissing {
            what: "the date of the eye test",
        });
    }
    if matches!(offer.answer, EyeTestAnswer::TakenUp { .. }) && answer == EyeTestAnswer::Declined {
        return Err(HealthError::AlreadyAnswered);
    }
    let mut after = offer.clone();
    after.answer = answer;
    after.answered = Some((by, now));
    after.revision = offer.revision + 1;
    let event = AuditEvent::new(
        offer.council_id,
        now,
        Actor::Person(by),
        "eye_test.recorded",
    )
    .subject(person_subject(offer.person_id))
    .details(json!({
        "offer": offer.id.to_string(),
        "answer": answer.as_str(),
        "test_date_known": matches!(answer, EyeTestAnswer::TakenUp { test_date: Some(_) }),
    }));
    Ok((after, event))
}

/// When the next eye test should be offered after `latest`: the interval after the test (when
/// one was taken and its date is known), otherwise after the offer.
pub fn next_eye_test_offer_due(latest: &EyeTestOffer, rules: &DseRules) -> Date {
    let from = match latest.answer {
        EyeTestAnswer::TakenUp {
            test_date: Some(day),
        } => day,
        _ => latest.offered_on,
    };
    add_months(from, rules.eye_test_interval_months)
}
