//! Throttling of repeated failed sign-ins, keyed by email address.
//!
//! The same rules apply whether or not an account exists for the address, so the responses
//! reveal nothing about who has an account. After [`FREE_ATTEMPTS`] failures each further
//! attempt must wait (doubling each time); after [`LOCK_AFTER`] failures the address is locked
//! for [`LOCK_FOR`]. A success clears the record.

use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::Mutex;

pub const FREE_ATTEMPTS: u32 = 3;
pub const LOCK_AFTER: u32 = 10;
pub const LOCK_FOR: SignedDuration = SignedDuration::from_mins(15);
/// Failures older than this are forgotten.
const WINDOW: SignedDuration = SignedDuration::from_hours(1);
/// Bound the map so a flood of made-up addresses cannot exhaust memory.
const MAX_TRACKED: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Try again at this time.
    WaitUntil(Timestamp),
}

#[derive(Clone, Copy, Debug)]
struct Record {
    failures: u32,
    last_failure: Timestamp,
}

#[derive(Default)]
pub struct Throttle {
    records: Mutex<HashMap<String, Record>>,
}

impl Throttle {
    /// Whether an attempt for `key` may be checked now.
    pub fn check(&self, key: &str, now: Timestamp) -> Verdict {
        let Ok(records) = self.records.lock() else {
            return Verdict::Allowed;
        };
        match records.get(key) {
            Some(record) => match next_allowed(record) {
                Some(at) if at > now => Verdict::WaitUntil(at),
                _ => Verdict::Allowed,
            },
            None => Verdict::Allowed,
        }
    }

    /// Records a failure and returns how many there have been in the window.
    pub fn fail(&self, key: &str, now: Timestamp) -> u32 {
        let Ok(mut records) = self.records.lock() else {
            return 0;
        };
        if records.len() >= MAX_TRACKED {
            records.retain(|_, r| now.duration_since(r.last_failure) < WINDOW);
        }
        let record = records.entry(key.to_owned()).or_insert(Record {
            failures: 0,
            last_failure: now,
        });
        if now.duration_since(record.last_failure) >= WINDOW {
            record.failures = 0;
        }
        record.failures += 1;
        record.last_failure = now;
        record.failures
    }

    pub fn succeed(&self, key: &str) {
        if let Ok(mut records) = self.records.lock() {
            records.remove(key);
        }
    }
}

fn next_allowed(record: &Record) -> Option<Timestamp> {
    if record.failures >= LOCK_AFTER {
        return record.last_failure.checked_add(LOCK_FOR).ok();
    }
    if record.failures > FREE_ATTEMPTS {
        let wait = 1i64 << (record.failures - FREE_ATTEMPTS).min(8);
        return record
            .last_failure
            .checked_add(SignedDuration::from_secs(wait))
            .ok();
    }
    None
}

/// When a lock that starts now ends (for the account record).
pub fn lock_ends(now: Timestamp) -> Timestamp {
    now.checked_add(LOCK_FOR).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + s).unwrap()
    }

    #[test]
    fn the_first_failures_are_free_then_waits_grow_then_the_address_locks() {
        let throttle = Throttle::default();
        for i in 0..FREE_ATTEMPTS {
            assert_eq!(throttle.check("a@x.org", t(i as i64)), Verdict::Allowed);
            throttle.fail("a@x.org", t(i as i64));
        }
        assert_eq!(throttle.check("a@x.org", t(3)), Verdict::Allowed);
        throttle.fail("a@x.org", t(3));
        assert_eq!(throttle.check("a@x.org", t(3)), Verdict::WaitUntil(t(5)));
        assert_eq!(throttle.check("a@x.org", t(5)), Verdict::Allowed);
        for i in 0..6 {
            throttle.fail("a@x.org", t(100 + i));
        }
        assert_eq!(
            throttle.check("a@x.org", t(200)),
            Verdict::WaitUntil(t(105) + LOCK_FOR)
        );
        assert_eq!(throttle.check("other@x.org", t(200)), Verdict::Allowed);
    }

    #[test]
    fn success_clears_the_record() {
        let throttle = Throttle::default();
        for i in 0..8 {
            throttle.fail("a@x.org", t(i));
        }
        throttle.succeed("a@x.org");
        assert_eq!(throttle.check("a@x.org", t(9)), Verdict::Allowed);
    }
}
