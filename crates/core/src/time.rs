//! Time as an input. Domain code never reads the system clock; it receives `now` as a
//! [`Timestamp`], and the edge supplies it through a [`Clock`].

pub use jiff::Timestamp;

/// A source of the current time. Production uses [`SystemClock`]; tests use a fixed one.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The real wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Milliseconds since the Unix epoch: the one representation used in storage on both engines.
pub fn to_millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

/// The inverse of [`to_millis`]. Out-of-range values (which no valid row holds) clamp to the
/// representable range rather than failing, because a timestamp is never a reason to lose a row.
pub fn from_millis(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millisecond_round_trip_keeps_the_instant() {
        let t = Timestamp::from_millisecond(1_764_000_000_123).unwrap();
        assert_eq!(from_millis(to_millis(t)), t);
    }
}
