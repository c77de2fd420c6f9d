//! Timestamps at the start of syslog-style lines (dnsmasq, Unbound) and RFC 3339 times (CSV
//! exports, modern syslog), read by hand: a general date parser per line would be most of the
//! reading time.

use super::Fields;
use crate::clock::{civil_seconds, month_from_abbreviation};

/// When a line says it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// An instant, Unix seconds (UTC).
    Instant(i64),
    /// A London wall-clock time; `year` is None when the line does not say (classic syslog).
    Local(LocalTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalTime {
    pub year: Option<i64>,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl LocalTime {
    /// "Local seconds" (see `clock::civil_seconds`) in `year`, or None if the day does not exist.
    pub(crate) fn seconds_in(&self, year: i64) -> Option<i64> {
        civil_seconds(
            year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        )
    }
}

/// Reads the timestamp a syslog-style line starts with, taking its fields:
/// `Dec  7 12:00:01` (classic syslog, no year), `Mon Dec  7 12:00:01 2026` (OpenWrt's
/// `logread`), `2026-12-07T12:00:01.123456+00:00` (RFC 3339, rsyslog's high-precision form) or
/// `[1466512058]` (Unbound's own log file).
pub(crate) fn syslog_stamp(fields: &mut Fields<'_>) -> Option<Stamp> {
    let first = fields.next()?;
    let bytes = first.as_bytes();
    if let Some(inner) = bytes.strip_prefix(b"[").and_then(|b| b.strip_suffix(b"]")) {
        return super::parse_unix_seconds(inner).map(Stamp::Instant);
    }
    if bytes.len() >= 19 && bytes[4] == b'-' {
        let (local, offset) = parse_rfc3339(bytes)?;
        return Some(match offset {
            Some(offset) => Stamp::Instant(local - offset),
            None => Stamp::Local(local_time_of(local)?),
        });
    }
    let (month, with_year) = match month_from_abbreviation(bytes) {
        Some(month) => (month, false),
        // A weekday first: OpenWrt's `logread` writes the year at the end.
        None if is_weekday(bytes) => (month_from_abbreviation(fields.next()?.as_bytes())?, true),
        None => return None,
    };
    let day = fields.next()?.as_bytes();
    if day.len() > 2 {
        return None;
    }
    let day = u32::try_from(super::parse_u64(day)?).ok()?;
    let (hour, minute, second) = clock_time(fields.next()?.as_bytes())?;
    let year = if with_year {
        let year = fields.next()?.as_bytes();
        if year.len() != 4 {
            return None;
        }
        Some(i64::try_from(super::parse_u64(year)?).ok()?)
    } else {
        None
    };
    Some(Stamp::Local(LocalTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
    }))
}

fn is_weekday(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun"
    )
}

/// `HH:MM:SS`, with any fraction of a second dropped.
fn clock_time(bytes: &[u8]) -> Option<(u32, u32, u32)> {
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    if bytes.len() > 8 && (bytes[8] != b'.' || !bytes[9..].iter().all(u8::is_ascii_digit)) {
        return None;
    }
    Some((
        two_digits(&bytes[0..2])?,
        two_digits(&bytes[3..5])?,
        two_digits(&bytes[6..8])?,
    ))
}

fn two_digits(bytes: &[u8]) -> Option<u32> {
    match bytes {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some(u32::from(a - b'0') * 10 + u32::from(b - b'0')),
        _ => None,
    }
}

fn local_time_of(local_seconds: i64) -> Option<LocalTime> {
    let date_time = jiff::Timestamp::from_second(local_seconds)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .datetime();
    Some(LocalTime {
        year: Some(i64::from(date_time.year())),
        month: u32::try_from(date_time.month()).ok()?,
        day: u32::try_from(date_time.day()).ok()?,
        hour: u32::try_from(date_time.hour()).ok()?,
        minute: u32::try_from(date_time.minute()).ok()?,
        second: u32::try_from(date_time.second()).ok()?,
    })
}

/// `2026-12-07T09:00:01Z`, `2026-12-07 09:00:01.5+01:00`, `...-0500`: the date and time as
/// seconds on their own clock, and the offset in seconds if one is written.
pub(crate) fn parse_rfc3339(bytes: &[u8]) -> Option<(i64, Option<i64>)> {
    if bytes.len() < 19
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let year = i64::try_from(super::parse_u64(&bytes[0..4])?).ok()?;
    let month = two_digits(&bytes[5..7])?;
    let day = two_digits(&bytes[8..10])?;
    let (hour, minute, second) = clock_time(&bytes[11..19])?;
    let mut rest = &bytes[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let hours = i64::from(two_digits(&[*h1, *h2])?);
            let minutes = i64::from(two_digits(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => return None,
    };
    let local = civil_seconds(year, month, day, hour, minute, second)?;
    Some((local, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(line: &str) -> Option<Stamp> {
        syslog_stamp(&mut Fields::new(line))
    }

    fn utc(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn classic_syslog_times_have_no_year() {
        assert_eq!(
            stamp("Dec  7 12:00:01 dnsmasq[123]: query[A] x from y"),
            Some(Stamp::Local(LocalTime {
                year: None,
                month: 12,
                day: 7,
                hour: 12,
                minute: 0,
                second: 1
            }))
        );
        assert_eq!(
            stamp("Apr 05 08:09:10 unbound"),
            stamp("Apr  5 08:09:10 unbound")
        );
        assert_eq!(stamp("Dec 123 12:00:01"), None);
        assert_eq!(stamp("Dec 7 12:0:01"), None);
    }

    #[test]
    fn openwrt_logread_times_carry_the_year() {
        let Some(Stamp::Local(time)) =
            stamp("Mon Sep 28 21:30:02 2026 daemon.info dnsmasq[2]: query[A] x from y")
        else {
            panic!("not read")
        };
        assert_eq!((time.year, time.month, time.day), (Some(2026), 9, 28));
        assert_eq!((time.hour, time.minute, time.second), (21, 30, 2));
    }

    #[test]
    fn rfc3339_and_epoch_stamps_are_instants() {
        assert_eq!(
            stamp("2026-12-07T12:00:01.123456+01:00 host dnsmasq[1]:"),
            Some(Stamp::Instant(utc("2026-12-07T11:00:01Z")))
        );
        assert_eq!(
            stamp("[1466512058] unbound[17201:0] info:"),
            Some(Stamp::Instant(1_466_512_058))
        );
        assert!(matches!(
            stamp("2026-07-01T12:00:00 host"),
            Some(Stamp::Local(LocalTime {
                year: Some(2026),
                hour: 12,
                ..
            }))
        ));
    }

    #[test]
    fn rfc3339_times_take_any_offset_form() {
        let at = |text: &str| parse_rfc3339(text.as_bytes()).map(|(l, o)| l - o.unwrap_or(0));
        assert_eq!(
            at("2026-12-07T09:00:01Z"),
            Some(utc("2026-12-07T09:00:01Z"))
        );
        assert_eq!(
            at("2026-12-07 09:00:01.5-0500"),
            Some(utc("2026-12-07T14:00:01Z"))
        );
        assert_eq!(
            at("2026-12-07t09:00:01+05:30"),
            Some(utc("2026-12-07T03:30:01Z"))
        );
        assert_eq!(at("2026-12-07T09:00:01"), Some(utc("2026-12-07T09:00:01Z")));
        assert_eq!(at("2026-02-30T09:00:01Z"), None);
        assert_eq!(at("2026-12-07T09:00:01+5"), None);
        assert_eq!(at("2026-12-07T09:00:01."), None);
        assert_eq!(at("07/12/2026 09:00"), None);
    }
}
