//! The personal-data breach record and its 72-hour clock (UK GDPR art. 33): from the moment the
//! council became aware, it has 72 hours to notify the Information Commissioner's Office, or to
//! decide (and record why) that the breach is unlikely to result in a risk to people.
//!
//! The clock is computed from the record and `now`, never stored, so it cannot go stale; and it
//! ignores the incident's status, so a deadline that was missed stays visible after closing.

use crate::ids::PersonId;
use jiff::{SignedDuration, Timestamp};

/// How long the council has from becoming aware (art. 33(1)).
pub const BREACH_DEADLINE: SignedDuration = SignedDuration::from_hours(72);

/// The council's decision whether to notify the ICO.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcoDecision {
    pub notify: bool,
    /// Why: the risk to people as the council judged it.
    pub reason: String,
    pub decided_by: PersonId,
    pub decided_at: Timestamp,
    /// When the ICO was told; only with `notify`, and `None` until it has been done.
    pub notified_at: Option<Timestamp>,
}

/// Whether the people whose data it was were told (art. 34).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeopleTold {
    Yes,
    No,
    /// Not needed: the breach is unlikely to result in a high risk to them.
    NotNeeded,
}

impl PeopleTold {
    pub const ALL: [PeopleTold; 3] = [PeopleTold::Yes, PeopleTold::No, PeopleTold::NotNeeded];

    pub fn as_str(self) -> &'static str {
        match self {
            PeopleTold::Yes => "yes",
            PeopleTold::No => "no",
            PeopleTold::NotNeeded => "not_needed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PeopleTold::Yes => "Yes, they have been told",
            PeopleTold::No => "No, they have not been told",
            PeopleTold::NotNeeded => "Not needed: the risk to them is not high",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        PeopleTold::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// What was recorded about telling the people affected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeopleToldRecord {
    pub answer: PeopleTold,
    pub reason: String,
    pub recorded_by: PersonId,
    pub recorded_at: Timestamp,
}

/// What a personal-data breach adds to an incident.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BreachRecord {
    /// When the council became aware, if earlier than the report; `None` means the report's time.
    pub became_aware_at: Option<Timestamp>,
    pub ico: Option<IcoDecision>,
    pub people_told: Option<PeopleToldRecord>,
}

/// Where the 72-hour clock stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreachClock {
    /// Still within the 72 hours and not yet settled. `awaiting_notification` when the council
    /// has decided to notify but has not yet recorded doing it.
    Running {
        deadline: Timestamp,
        left: SignedDuration,
        awaiting_notification: bool,
    },
    /// Settled (notified, or decided not to notify) by the deadline.
    DecidedInTime { deadline: Timestamp, at: Timestamp },
    /// Settled, but after the deadline: the lateness stays on record.
    DecidedLate {
        deadline: Timestamp,
        at: Timestamp,
        late_by: SignedDuration,
    },
    /// The deadline has passed and nothing settled it.
    Missed {
        deadline: Timestamp,
        overdue: SignedDuration,
        awaiting_notification: bool,
    },
}

impl BreachClock {
    pub fn deadline(&self) -> Timestamp {
        match *self {
            BreachClock::Running { deadline, .. }
            | BreachClock::DecidedInTime { deadline, .. }
            | BreachClock::DecidedLate { deadline, .. }
            | BreachClock::Missed { deadline, .. } => deadline,
        }
    }

    /// Whether the deadline was (or has now been) missed: late or missed.
    pub fn is_missed(&self) -> bool {
        matches!(
            self,
            BreachClock::DecidedLate { .. } | BreachClock::Missed { .. }
        )
    }
}

/// When the clock started: the time the council became aware, defaulting to the report.
pub fn became_aware(breach: &BreachRecord, reported_at: Timestamp) -> Timestamp {
    breach.became_aware_at.unwrap_or(reported_at)
}

/// The moment that settles the clock: the ICO notified, or the decision not to notify. A
/// decision to notify does not stop the clock until the notification is made, because art. 33
/// asks for the notification itself within the 72 hours.
pub fn settled_at(breach: &BreachRecord) -> Option<Timestamp> {
    let ico = breach.ico.as_ref()?;
    if ico.notify {
        ico.notified_at
    } else {
        Some(ico.decided_at)
    }
}

/// The clock's state at `now`. Pure: the same record and `now` always give the same answer, and
/// the incident's status plays no part.
pub fn breach_clock(breach: &BreachRecord, reported_at: Timestamp, now: Timestamp) -> BreachClock {
    let deadline = became_aware(breach, reported_at) + BREACH_DEADLINE;
    let awaiting_notification = breach.ico.as_ref().is_some_and(|d| d.notify);
    match settled_at(breach) {
        Some(at) if at <= deadline => BreachClock::DecidedInTime { deadline, at },
        Some(at) => BreachClock::DecidedLate {
            deadline,
            at,
            late_by: at.duration_since(deadline),
        },
        None if now < deadline => BreachClock::Running {
            deadline,
            left: deadline.duration_since(now),
            awaiting_notification,
        },
        None => BreachClock::Missed {
            deadline,
            overdue: now.duration_since(deadline),
            awaiting_notification,
        },
    }
}

/// "41 hours 12 minutes": whole minutes, rounded down, for countdowns and lateness.
pub fn hours_and_minutes(duration: SignedDuration) -> String {
    let minutes = duration.as_secs().max(0) / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    let unit = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (hours, minutes) {
        (0, m) => unit(m, "minute", "minutes"),
        (h, 0) => unit(h, "hour", "hours"),
        (h, m) => format!(
            "{} {}",
            unit(h, "hour", "hours"),
            unit(m, "minute", "minutes")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reported() -> Timestamp {
        Timestamp::from_second(1_780_000_000).unwrap()
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn decision(
        notify: bool,
        decided_at: Timestamp,
        notified_at: Option<Timestamp>,
    ) -> IcoDecision {
        IcoDecision {
            notify,
            reason: "x".into(),
            decided_by: PersonId::generate(),
            decided_at,
            notified_at,
        }
    }

    #[test]
    fn one_second_before_72_hours_the_clock_is_still_running() {
        let now = reported() + hours(72) - SignedDuration::from_secs(1);
        let clock = breach_clock(&BreachRecord::default(), reported(), now);
        assert_eq!(
            clock,
            BreachClock::Running {
                deadline: reported() + hours(72),
                left: SignedDuration::from_secs(1),
                awaiting_notification: false,
            }
        );
    }

    #[test]
    fn at_and_after_72_hours_without_a_decision_the_deadline_is_missed() {
        let at_deadline =
            breach_clock(&BreachRecord::default(), reported(), reported() + hours(72));
        assert!(matches!(at_deadline, BreachClock::Missed { .. }));
        let after = breach_clock(&BreachRecord::default(), reported(), reported() + hours(73));
        assert_eq!(
            after,
            BreachClock::Missed {
                deadline: reported() + hours(72),
                overdue: hours(1),
                awaiting_notification: false,
            }
        );
    }

    #[test]
    fn the_clock_runs_from_becoming_aware_not_from_the_report() {
        let breach = BreachRecord {
            became_aware_at: Some(reported() - hours(10)),
            ..BreachRecord::default()
        };
        let clock = breach_clock(&breach, reported(), reported() + hours(61));
        assert_eq!(clock.deadline(), reported() + hours(62));
        assert!(matches!(clock, BreachClock::Running { left, .. } if left == hours(1)));
        let clock = breach_clock(&breach, reported(), reported() + hours(62));
        assert!(matches!(clock, BreachClock::Missed { .. }));
    }

    #[test]
    fn deciding_not_to_notify_within_72_hours_is_in_time_and_stays_so() {
        let breach = BreachRecord {
            ico: Some(decision(false, reported() + hours(71), None)),
            ..BreachRecord::default()
        };
        for now in [reported() + hours(71), reported() + hours(500)] {
            assert_eq!(
                breach_clock(&breach, reported(), now),
                BreachClock::DecidedInTime {
                    deadline: reported() + hours(72),
                    at: reported() + hours(71),
                }
            );
        }
    }

    #[test]
    fn a_decision_after_72_hours_is_late_by_the_difference() {
        let breach = BreachRecord {
            ico: Some(decision(false, reported() + hours(75), None)),
            ..BreachRecord::default()
        };
        let clock = breach_clock(&breach, reported(), reported() + hours(80));
        assert_eq!(
            clock,
            BreachClock::DecidedLate {
                deadline: reported() + hours(72),
                at: reported() + hours(75),
                late_by: hours(3),
            }
        );
        assert!(clock.is_missed());
    }

    #[test]
    fn deciding_to_notify_does_not_stop_the_clock_until_the_ico_is_told() {
        let decided = BreachRecord {
            ico: Some(decision(true, reported() + hours(2), None)),
            ..BreachRecord::default()
        };
        assert!(matches!(
            breach_clock(&decided, reported(), reported() + hours(3)),
            BreachClock::Running {
                awaiting_notification: true,
                ..
            }
        ));
        assert!(matches!(
            breach_clock(&decided, reported(), reported() + hours(73)),
            BreachClock::Missed {
                awaiting_notification: true,
                ..
            }
        ));
        let notified = BreachRecord {
            ico: Some(decision(
                true,
                reported() + hours(2),
                Some(reported() + hours(70)),
            )),
            ..BreachRecord::default()
        };
        assert!(matches!(
            breach_clock(&notified, reported(), reported() + hours(100)),
            BreachClock::DecidedInTime { .. }
        ));
    }

    #[test]
    fn durations_read_as_hours_and_minutes() {
        let d = hours(41) + SignedDuration::from_mins(12) + SignedDuration::from_secs(59);
        assert_eq!(hours_and_minutes(d), "41 hours 12 minutes");
        assert_eq!(hours_and_minutes(hours(1)), "1 hour");
        assert_eq!(
            hours_and_minutes(SignedDuration::from_secs(59)),
            "0 minutes"
        );
        assert_eq!(
            hours_and_minutes(hours(2) + SignedDuration::from_mins(1)),
            "2 hours 1 minute"
        );
    }
}
