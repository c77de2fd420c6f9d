//! Health and safety at the workstation (issue 6, item 5; model clauses 3.1.1-3.1.3): who uses
//! display screen equipment, their workstation (DSE) assessments and eye-test offers, the
//! workstation changes people ask the Clerk for, and hazard reports.
//!
//! Dates due are worked out from the records, the policy profile and `today` each time they are
//! read ([`Due`]), never stored. Health details are personal: the free text people type (the
//! actions agreed, what is wrong, where a hazard is) stays on the record and out of audit
//! details. Pure: no IO, no clock.

mod dse;
mod overview;
mod reports;
#[cfg(test)]
mod tests;

pub use dse::{
    Assessment, AssessmentForm, Assessor, AssessorChoice, DseMark, EyeTestAnswer, EyeTestOffer,
    Outcome, answer_eye_test, is_dse_user, is_dse_user_by_default, mark_dse_user,
    next_assessment_due, next_eye_test_offer_due, offer_eye_test, record_assessment,
};
pub use overview::{DseStatus, HealthCounts, HealthRecords, ScheduleItem};
pub use reports::{
    HazardReport, Resolution, Settle, WorkstationRequest, ask_for_workstation_change,
    report_hazard, resolve_hazard, resolve_workstation_request,
};

use crate::policy::{DseAssessment, PolicyProfile};
use crate::text::{DateProblem, parse_uk_date};
use jiff::civil::Date;
use jiff::{Span, ToSpan};

pub use crate::ids::{AssessmentId, EyeTestOfferId, HazardId, WorkstationRequestId};

/// The longest free text accepted (actions agreed, what is wrong, what was done), in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// The longest name of an outside assessor or place of a hazard, in characters.
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
/// How far ahead a date counts as "due soon".
pub const DUE_SOON_DAYS: i32 = 30;
/// Months between eye-test offers. The HSE says an eye test is offered when a display screen
/// user asks and then at the intervals the optician advises; two years is the usual advice
/// for adults, so it is Custodian's default until the council's profile holds a value.
pub const EYE_TEST_INTERVAL_MONTHS: u16 = 24;
/// The earliest date accepted on any record: older ones are almost certainly typing mistakes.
const EARLIEST_YEAR: i16 = 1990;

/// What the policy profile says about display screen equipment, with the eye-test interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DseRules {
    pub assessment: DseAssessment,
    /// Months between assessments when `assessment` is `Annual` (3.1.2).
    pub interval_months: u16,
    pub eye_test_interval_months: u16,
}

impl DseRules {
    pub fn from_profile(profile: &PolicyProfile) -> Self {
        Self {
            assessment: profile.dse_assessment,
            interval_months: profile.dse_interval_months,
            eye_test_interval_months: EYE_TEST_INTERVAL_MONTHS,
        }
    }
}

/// When something is next due, as of `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Never done: due now.
    Never,
    /// The date passed.
    Overdue { since: Date },
    /// Due within [`DUE_SOON_DAYS`].
    Soon { on: Date },
    /// Not due yet; `None` when the policy promises no repeat.
    Ok { next: Option<Date> },
}

impl Due {
    /// Works out the state of a next due date; `None` means nothing further is due.
    pub fn of(next: Option<Date>, today: Date) -> Self {
        match next {
            None => Due::Ok { next: None },
            Some(on) if on < today => Due::Overdue { since: on },
            Some(on) if on <= add_days(today, DUE_SOON_DAYS) => Due::Soon { on },
            Some(on) => Due::Ok { next: Some(on) },
        }
    }

    /// Never done or overdue: needs doing now.
    pub fn needs_action(self) -> bool {
        matches!(self, Due::Never | Due::Overdue { .. })
    }

    /// The stored name, for reminders and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Due::Never => "never",
            Due::Overdue { .. } => "overdue",
            Due::Soon { .. } => "due",
            Due::Ok { .. } => "ok",
        }
    }
}

fn add_days(date: Date, days: i32) -> Date {
    date.checked_add(days.days()).unwrap_or(date)
}

/// `date` plus whole months (the 31st becomes the month's last day).
pub fn add_months(date: Date, months: u16) -> Date {
    date.checked_add(Span::new().months(i64::from(months)))
        .unwrap_or(Date::MAX)
}

/// Why a health-and-safety record was refused, in words for the person filling in the form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HealthError {
    #[error("Enter {what}, for example 14/3/2026.")]
    DateMissing { what: &'static str },
    #[error(
        "\"{text}\" is not a date Custodian can read ({what}). Enter the day, month and year, for example 14/3/2026."
    )]
    DateUnreadable { what: &'static str, text: String },
    #[error("{what} cannot be in the future. Enter the day it happened.")]
    DateInFuture { what: &'static str },
    #[error("{what} is before {EARLIEST_YEAR}. Check the year.")]
    DateTooEarly { what: &'static str },
    #[error(
        "The eye test date is before the day the test was offered. Check both dates; a new offer can be recorded for a later test."
    )]
    TestBeforeOffer,
    #[error("The eye test date is more than a year ahead. Enter the date of the appointment.")]
    TestTooFarAhead,
    #[error("{0}")]
    Missing(&'static str),
    #[error("Keep {what} to {most} characters or fewer.")]
    TooLong { what: &'static str, most: usize },
    #[error(
        "Nobody records their own workstation assessment or eye-test offer. Ask the Chair (or the Clerk) to record it."
    )]
    OwnRecord,
    #[error(
        "Nobody resolves their own workstation request. Ask the Chair (or the Clerk) to deal with it."
    )]
    OwnRequest,
    #[error("This has already been resolved, so nothing was changed.")]
    AlreadyResolved,
    #[error("This eye-test offer already has its answer, so nothing was changed.")]
    AlreadyAnswered,
    #[error("Only the person offered the eye test, the Clerk or the Chair can record the answer.")]
    NotTheirOffer,
    #[error("Choose an answer: taken up or declined.")]
    AnswerMissing,
}

/// A date typed on a form: required, readable, not before 1990, and not after `latest`.
pub(crate) fn typed_date(
    text: &str,
    what: &'static str,
    latest: Option<Date>,
) -> Result<Date, HealthError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(HealthError::DateMissing { what });
    }
    let date = parse_uk_date(text).map_err(|problem| match problem {
        DateProblem::Unreadable | DateProblem::ShortYear | DateProblem::NotReal => {
            HealthError::DateUnreadable {
                what,
                text: text.chars().take(40).collect(),
            }
        }
    })?;
    if date.year() < EARLIEST_YEAR {
        return Err(HealthError::DateTooEarly { what });
    }
    if latest.is_some_and(|latest| date > latest) {
        return Err(HealthError::DateInFuture { what });
    }
    Ok(date)
}

/// Text typed on a form: trimmed, required (with `missing` as the message) and at most `most`
/// characters.
pub(crate) fn typed_text(
    text: &str,
    missing: &'static str,
    what: &'static str,
    most: usize,
) -> Result<String, HealthError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(HealthError::Missing(missing));
    }
    if text.chars().count() > most {
        return Err(HealthError::TooLong { what, most });
    }
    Ok(text.to_owned())
}

/// The audit subject for records about a person.
pub(crate) fn person_subject(person: crate::ids::PersonId) -> String {
    format!("person:{person}")
}
