//! The rules of internet-use monitoring (policy 5.1.6-5.1.11): the impact assessment and policy
//! that must exist before monitoring is switched on (the lawful gate), how long the daily log is
//! kept, and legal holds that keep one person's records past that for an investigation.
//!
//! Reading logs is `custodian-monitor`'s job and keeping records the store's (`ports::MonitorStore`);
//! this module only decides. Pure: dates and times are passed in, nothing is read or written.

mod assessment;
pub mod pipeline;
mod retention;
#[cfg(test)]
mod tests;

pub use assessment::{
    GateReason, ImpactAssessment, ImpactAssessmentForm, MAX_ANSWER_CHARS, MIN_ANSWER_CHARS,
    may_switch_on, policy_mentions_monitoring, record_assessment,
};
pub use retention::{
    HoldForm, LegalHold, ReleaseError, hold_released_event, holds_cover, oldest_kept_day,
    place_hold, release_hold, retention_cutoff,
};

use crate::text::{DateProblem, parse_uk_date};
use jiff::civil::Date;
use std::fmt;

/// One thing wrong with a form, tied to the field it concerns so the page can show the message
/// beside it and in the error summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// The form field's name (`purpose`, `from`…).
    pub field: &'static str,
    pub message: String,
}

/// Everything wrong with a form, in the order of its fields. Never empty.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FormErrors(pub Vec<FieldProblem>);

impl FormErrors {
    /// The message for `field`, if it has one.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }
}

impl fmt::Display for FormErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|p| p.message.as_str()).collect();
        f.write_str(&messages.join(" "))
    }
}

/// Collects a form's problems field by field.
#[derive(Default)]
pub(crate) struct Problems(Vec<FieldProblem>);

impl Problems {
    pub(crate) fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field,
            message: message.into(),
        });
    }

    /// The value of a field's check, noting its problem.
    pub(crate) fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub(crate) fn into_errors(self) -> FormErrors {
        FormErrors(self.0)
    }

    pub(crate) fn into_result(self) -> Result<(), FormErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(FormErrors(self.0))
        }
    }
}

/// The earliest year accepted for a date on these forms: earlier is a typing mistake (the
/// Regulations monitoring relies on date from 2018; 2000 leaves room for older decisions).
const EARLIEST_YEAR: i16 = 2000;

/// A date typed on a form: required, readable, from [`EARLIEST_YEAR`] on and not after `today`.
/// `what` names it inside a sentence ("the first day of the hold").
pub(crate) fn typed_date(text: &str, what: &str, today: Date) -> Result<Date, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("Enter {what}, for example 14/3/2026."));
    }
    let date = parse_uk_date(text).map_err(|problem| match problem {
        DateProblem::ShortYear => {
            format!("Write the year of {what} in full, for example 14/3/2026 rather than 14/3/26.")
        }
        DateProblem::NotReal => {
            format!("{} is not a day of the calendar. Check {what}.", shorten(text))
        }
        DateProblem::Unreadable => format!(
            "\"{}\" is not a date Custodian can read. Enter {what} as day, month and year, for example 14/3/2026.",
            shorten(text)
        ),
    })?;
    if date.year() < EARLIEST_YEAR {
        return Err(format!(
            "{} is before {EARLIEST_YEAR}. Check the year of {what}.",
            capitalised(what)
        ));
    }
    if date > today {
        return Err(format!(
            "{} cannot be after today. Enter a date that has passed.",
            capitalised(what)
        ));
    }
    Ok(date)
}

/// Text typed on a form, trimmed, for quoting back: its first 40 characters.
fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
