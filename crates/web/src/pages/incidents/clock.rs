//! The 72-hour breach clock in words, for the incident page, its report, the list and the home
//! page. The state itself is `core::incident::breach_clock`'s; this only says it.

use crate::nav::local_time;
use custodian_core::incident::BreachClock;
use custodian_core::incident::breach::hours_and_minutes;

/// One clock, said plainly: a short tag and a sentence.
pub struct ClockView {
    /// "41 hours 12 minutes left", "Decided in time", "Missed".
    pub tag: String,
    /// GOV.UK tag colour modifier.
    pub colour: &'static str,
    pub sentence: String,
}

impl ClockView {
    pub fn of(clock: BreachClock) -> Self {
        let deadline = local_time(clock.deadline());
        match clock {
            BreachClock::Running {
                left,
                awaiting_notification,
                ..
            } => Self {
                tag: format!("{} left", hours_and_minutes(left)),
                colour: "govuk-tag--yellow",
                sentence: if awaiting_notification {
                    format!(
                        "{} left to tell the ICO, as the council decided. The deadline is {deadline}.",
                        hours_and_minutes(left)
                    )
                } else {
                    format!(
                        "{} left to tell the ICO, or to record why the council will not. The deadline is {deadline}.",
                        hours_and_minutes(left)
                    )
                },
            },
            BreachClock::DecidedInTime { at, .. } => Self {
                tag: "Decided in time".to_owned(),
                colour: "govuk-tag--green",
                sentence: format!(
                    "Settled on {}, before the deadline of {deadline}.",
                    local_time(at)
                ),
            },
            BreachClock::DecidedLate { at, late_by, .. } => Self {
                tag: "Missed".to_owned(),
                colour: "govuk-tag--red",
                sentence: format!(
                    "Missed: the deadline was {deadline}. It was settled on {}, {} late.",
                    local_time(at),
                    hours_and_minutes(late_by)
                ),
            },
            BreachClock::Missed {
                overdue,
                awaiting_notification,
                ..
            } => Self {
                tag: "Missed".to_owned(),
                colour: "govuk-tag--red",
                sentence: format!(
                    "Missed: the deadline was {deadline}, {} ago. {}",
                    hours_and_minutes(overdue),
                    if awaiting_notification {
                        "Tell the ICO now and record when you did."
                    } else {
                        "Decide now whether to tell the ICO, and record why."
                    }
                ),
            },
        }
    }
}
