//! How long the daily log is kept (5.1.8, 5.1.11), and legal holds that keep one person's
//! records past that while an investigation needs them (5.1.8).
//!
//! The policy says records are "normally retained for a period of 6 months"; the profile holds
//! the council's number. The store drops whole days before [`retention_cutoff`], first copying
//! aside the records of anyone a hold covers on that day ([`holds_cover`]).

use super::{FormErrors, Problems, typed_date};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{CouncilId, LegalHoldId, PersonId};
use crate::policy::PolicyProfile;
use custodian_monitor::LocalDay;
use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde_json::json;

/// The shortest reason for a hold: enough to say which case it is for.
const MIN_REASON_CHARS: usize = 10;
const MAX_REASON_CHARS: usize = 1000;

/// The oldest day whose records are kept on `today` when records are kept `months` months:
/// the same day of the month, `months` back, or that month's last day when it is shorter
/// (31 August less 6 months is 28 February, or the 29th in a leap year). Records of days
/// before it are removed. Clamping to the month's end keeps a record a day or so longer, never
/// shorter, than the period; the day it returns never goes backwards as `today` advances.
pub fn oldest_kept_day(today: Date, months: u16) -> Date {
    today
        .checked_sub(Span::new().months(i64::from(months)))
        .unwrap_or(Date::MIN)
}

/// The day before which the store removes records today (its purge cutoff), from the council's
/// policy profile. `today` is the council's (London) date.
pub fn retention_cutoff(today: Date, profile: &PolicyProfile) -> LocalDay {
    LocalDay::from_date(oldest_kept_day(
        today,
        profile.internet_log_retention_months,
    ))
}

/// A legal hold: one person's records over a period, kept past retention until it is
/// released (5.1.8). The same shape as the store's `ports::HoldRecord`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegalHold {
    pub id: LegalHoldId,
    pub council_id: CouncilId,
    pub person_id: PersonId,
    /// First and last day covered, inclusive.
    pub from: LocalDay,
    pub to: LocalDay,
    /// Why the records are kept: the investigation, complaint or claim. Never in the audit log.
    pub reason: String,
    pub placed_by: Actor,
    pub placed_at: Timestamp,
    pub released_by: Option<Actor>,
    pub released_at: Option<Timestamp>,
}

impl LegalHold {
    pub fn is_active(&self) -> bool {
        self.released_at.is_none()
    }

    /// Whether this hold keeps `person`'s records of `day`: it is active, theirs, and the day
    /// is within it (both ends included).
    pub fn covers(&self, person: PersonId, day: LocalDay) -> bool {
        self.is_active() && self.person_id == person && self.from <= day && day <= self.to
    }
}

/// Whether any of `holds` keeps `person`'s records of `day`.
pub fn holds_cover(holds: &[LegalHold], person: PersonId, day: LocalDay) -> bool {
    holds.iter().any(|hold| hold.covers(person, day))
}

/// A hold as typed on the form; the person is chosen from the council's people.
#[derive(Clone, Copy, Debug)]
pub struct HoldForm<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub reason: &'a str,
}

/// Checks the form and places a hold on `person`'s records, with its audit event. The days
/// must have passed (there are no records of days to come: place another hold later if the
/// investigation goes on) and the first may not be after the last. The caller checks that
/// `person` belongs to `council_id`.
pub fn place_hold(
    council_id: CouncilId,
    id: LegalHoldId,
    person: PersonId,
    form: HoldForm<'_>,
    by: Actor,
    today: Date,
    now: Timestamp,
) -> Result<(LegalHold, AuditEvent), FormErrors> {
    let mut problems = Problems::default();
    let from = problems.check(
        "from",
        typed_date(form.from, "the first day to keep", today),
    );
    let to = problems.check("to", typed_date(form.to, "the last day to keep", today));
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        problems.add(
            "to",
            "The last day to keep is before the first. Check both dates: the hold runs from the first day to the last, both included.",
        );
    }
    let reason = problems.check("reason", reason(form.reason));
    let (Some(from), Some(to), Some(reason)) = (from, to, reason) else {
        return Err(problems.into_errors());
    };
    problems.into_result()?;
    let hold = LegalHold {
        id,
        council_id,
        person_id: person,
        from: LocalDay::from_date(from),
        to: LocalDay::from_date(to),
        reason,
        placed_by: by.clone(),
        placed_at: now,
        released_by: None,
        released_at: None,
    };
    let event = AuditEvent::new(council_id, now, by, "monitor.hold.placed")
        .subject(format!("person:{person}"))
        .details(json!({
            "hold": id.to_string(),
            "from": from.to_string(),
            "to": to.to_string(),
        }));
    Ok((hold, event))
}

fn reason(text: &str) -> Result<String, String> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars < MIN_REASON_CHARS {
        return Err(
            "Say why the records must be kept: the investigation, complaint or claim they are needed for (5.1.8)."
                .to_owned(),
        );
    }
    if chars > MAX_REASON_CHARS {
        return Err(format!(
            "Keep the reason to {MAX_REASON_CHARS} characters or fewer (it has {chars}). Name the case; keep its papers elsewhere."
        ));
    }
    Ok(text.to_owned())
}

/// Why a hold could not be released.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    #[error("This hold was already released, so nothing was changed.")]
    AlreadyReleased,
}

/// The hold, released by `by` at `now`. Its records then follow the normal retention period:
/// days already past it are removed (the store does that as it releases).
pub fn release_hold(
    hold: &LegalHold,
    by: Actor,
    now: Timestamp,
) -> Result<LegalHold, ReleaseError> {
    if !hold.is_active() {
        return Err(ReleaseError::AlreadyReleased);
    }
    Ok(LegalHold {
        released_by: Some(by),
        released_at: Some(now),
        ..hold.clone()
    })
}

/// The audit event of releasing `hold` (as [`release_hold`] returned it), with the numbers of
/// held records and raw-line chunks the store removed.
pub fn hold_released_event(
    hold: &LegalHold,
    held_records_removed: u64,
    held_raw_removed: u64,
) -> AuditEvent {
    let actor = hold.released_by.clone().unwrap_or(Actor::System);
    let at = hold.released_at.unwrap_or(hold.placed_at);
    AuditEvent::new(hold.council_id, at, actor, "monitor.hold.released")
        .subject(format!("person:{}", hold.person_id))
        .details(json!({
            "hold": hold.id.to_string(),
            "from": hold.from.date().to_string(),
            "to": hold.to.date().to_string(),
            "held_records_removed": held_records_removed,
            "held_raw_removed": held_raw_removed,
        }))
}
