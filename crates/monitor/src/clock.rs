//! Times in logs, placed on the council's calendar (Europe/London): a log line's instant becomes
//! a [`LocalDay`] and a local hour, and a local time without a zone (dnsmasq, syslog) becomes an
//! instant. Pure arithmetic on the common path; jiff's time zone database is asked only when a
//! time falls outside the stretch the cached UTC offset is known to hold for.
//!
//! # Years for logs that do not write them
//! dnsmasq and syslog lines (`Dec  7 12:00:01 dnsmasq[123]: ...`) carry a month and a day but no
//! year. [`YearGuess`] infers it from a reference date (the file's modification time, or the
//! year the person names with `--year`, which counts as 31 December of that year):
//! - the first dated line belongs to the reference date's year, unless its month is later than
//!   the reference month, in which case it belongs to the year before (a file last written on
//!   5 January that starts on 28 December started in the previous year);
//! - after that, a month more than five months earlier than the previous line's means the year
//!   turned (December followed by January). A smaller step back is taken as lines written
//!   slightly out of order and stays in the same year.

use crate::record::LocalDay;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

const SECONDS_PER_DAY: i64 = 86_400;
const SECONDS_PER_HOUR: i64 = 3_600;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`), so a
/// log's dates need no calendar library on every line. The caller checks the day exists.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

pub(crate) fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Whether `day` exists in `month` of `year` (so "Feb 30" or "Feb 29" in 2026 are refused).
pub(crate) fn day_exists(year: i64, month: u32, day: u32) -> bool {
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// Seconds since the epoch of a date and time of day, on whatever clock the caller means
/// (UTC, or "local seconds" for London wall-clock times). None for an impossible date or time.
pub(crate) fn civil_seconds(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> Option<i64> {
    // 60 is a leap second, which syslog and RFC 3339 may show; it is folded into the next one.
    if !day_exists(year, month, day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(
        days_from_civil(year, month, day) * SECONDS_PER_DAY
            + i64::from(hour) * SECONDS_PER_HOUR
            + i64::from(minute) * 60
            + i64::from(second),
    )
}

/// The month numbered 1-12 from its English three-letter abbreviation, as syslog, dnsmasq and
/// Apache write it (exact capitals are not required).
pub(crate) fn month_from_abbreviation(name: &[u8]) -> Option<u32> {
    let [a, b, c] = name else { return None };
    let lower = [
        a.to_ascii_lowercase(),
        b.to_ascii_lowercase(),
        c.to_ascii_lowercase(),
    ];
    let month = match &lower {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// Earliest and latest instants handled (years 1 to 9998): beyond them jiff cannot convert, and
/// no real log line is dated there.
const EARLIEST: i64 = -62_135_596_800;
const LATEST: i64 = 253_370_764_800;

/// The council's calendar: instants to London days and hours, and London wall-clock times to
/// instants. Remembers the UTC offset and the stretch of time it holds for, so only a daylight
/// saving change (or a line far from the others) costs a look-up in the time zone database.
#[derive(Debug, Clone)]
pub struct LondonClock {
    zone: TimeZone,
    /// The offset in seconds that holds for instants in `valid_from..valid_until`.
    offset: i64,
    valid_from: i64,
    valid_until: i64,
    /// For wall-clock times: the local hour (local seconds / 3600) last converted, and its
    /// offset. London changes its clocks on the hour, so one hour always has one answer.
    local_hour: i64,
    local_hour_offset: i64,
}

impl Default for LondonClock {
    fn default() -> Self {
        Self::new()
    }
}

impl LondonClock {
    pub fn new() -> LondonClock {
        // The zone database is bundled into the binary (jiff's `tzdb-bundle-always`), so the
        // look-up cannot fail in practice; UTC is what the rest of Custodian falls back to.
        let zone = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
        LondonClock {
            zone,
            offset: 0,
            valid_from: 0,
            valid_until: 0,
            local_hour: i64::MIN,
            local_hour_offset: 0,
        }
    }

    /// The London day and hour (0-23) of an instant in Unix seconds, or None for an instant no
    /// log could hold (before year 1 or after 9998).
    pub fn day_and_hour(&mut self, at: i64) -> Option<(LocalDay, u8)> {
        if at < self.valid_from || at >= self.valid_until {
            self.learn_offset_at(at)?;
        }
        let local = at + self.offset;
        let day = i32::try_from(local.div_euclid(SECONDS_PER_DAY)).ok()?;
        let hour = u8::try_from(local.rem_euclid(SECONDS_PER_DAY) / SECONDS_PER_HOUR).ok()?;
        Some((LocalDay(day), hour))
    }

    /// Looks up the offset at `at` and the span between the time zone's changes around it.
    fn learn_offset_at(&mut self, at: i64) -> Option<()> {
        if !(EARLIEST..=LATEST).contains(&at) {
            return None;
        }
        let instant = Timestamp::from_second(at).ok()?;
        self.offset = i64::from(self.zone.to_offset(instant).seconds());
        // `preceding` yields changes strictly before the instant it is given; one second later
        // includes a change at exactly `at`.
        let just_after = Timestamp::from_second(at + 1).ok()?;
        self.valid_from = self
            .zone
            .preceding(just_after)
            .next()
            .map_or(EARLIEST, |change| change.timestamp().as_second());
        self.valid_until = self
            .zone
            .following(instant)
            .next()
            .map_or(LATEST, |change| change.timestamp().as_second());
        if self.valid_until <= at || self.valid_from > at {
            // Never expected; keep the answer correct for this one second.
            self.valid_from = at;
            self.valid_until = at + 1;
        }
        Some(())
    }

    /// The instant of a London wall-clock time given as "local seconds" (see
    /// [`civil_seconds`]). In the hour skipped when the clocks go forward, the time is read as
    /// GMT (01:30 on the last Sunday of March is 01:30 UTC); in the hour repeated when they go
    /// back, as the first of the two (BST). This is jiff's "compatible" rule, as RFC 5545 uses.
    pub fn instant_of_local(&mut self, local_seconds: i64) -> Option<i64> {
        if !(EARLIEST..=LATEST).contains(&local_seconds) {
            return None;
        }
        let hour = local_seconds.div_euclid(SECONDS_PER_HOUR);
        if hour != self.local_hour {
            let start = hour * SECONDS_PER_HOUR;
            let date_time = Timestamp::from_second(start)
                .ok()?
                .to_zoned(TimeZone::UTC)
                .datetime();
            let instant = date_time.to_zoned(self.zone.clone()).ok()?.timestamp();
            self.local_hour_offset = start - instant.as_second();
            self.local_hour = hour;
        }
        Some(local_seconds - self.local_hour_offset)
    }
}

/// Infers the years of lines that carry only a month and a day (see the module's notes).
#[derive(Debug, Clone)]
pub struct YearGuess {
    reference_year: i64,
    reference_month: u32,
    current: Option<(i64, u32)>,
}

impl YearGuess {
    pub fn new(reference: Date) -> YearGuess {
        YearGuess {
            reference_year: i64::from(reference.year()),
            reference_month: u32::try_from(reference.month()).unwrap_or(12),
            current: None,
        }
    }

    /// The year of the next line, dated `month` (1-12).
    pub fn year_of(&mut self, month: u32) -> i64 {
        let year = match self.current {
            None if month > self.reference_month => self.reference_year - 1,
            None => self.reference_year,
            Some((year, previous)) if month + 5 < previous => year + 1,
            Some((year, _)) => year,
        };
        self.current = Some((year, month));
        year
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_second()
    }

    fn day(year: i16, month: i8, day: i8) -> LocalDay {
        LocalDay::from_date(jiff::civil::date(year, month, day))
    }

    #[test]
    fn days_from_civil_agrees_with_jiff_over_four_centuries() {
        let mut date = jiff::civil::date(1900, 1, 1);
        while date.year() < 2300 {
            let expected = LocalDay::from_date(date).0;
            let got = days_from_civil(
                i64::from(date.year()),
                u32::try_from(date.month()).unwrap(),
                u32::try_from(date.day()).unwrap(),
            );
            assert_eq!(got, i64::from(expected), "{date}");
            date = date.checked_add(jiff::Span::new().days(7)).unwrap();
        }
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        assert!(civil_seconds(2026, 2, 29, 0, 0, 0).is_none());
        assert!(civil_seconds(2028, 2, 29, 0, 0, 0).is_some());
        assert!(civil_seconds(2026, 4, 31, 0, 0, 0).is_none());
        assert!(civil_seconds(2026, 13, 1, 0, 0, 0).is_none());
        assert!(civil_seconds(2026, 1, 1, 24, 0, 0).is_none());
        assert!(civil_seconds(2026, 1, 1, 23, 59, 60).is_some());
    }

    #[test]
    fn months_are_read_from_their_abbreviations() {
        assert_eq!(month_from_abbreviation(b"Jan"), Some(1));
        assert_eq!(month_from_abbreviation(b"DEC"), Some(12));
        assert_eq!(month_from_abbreviation(b"Sept"), None);
        assert_eq!(month_from_abbreviation(b"Foo"), None);
    }

    #[test]
    fn london_days_and_hours_follow_the_clocks_going_forward_on_29_march_2026() {
        let mut clock = LondonClock::new();
        // 00:59:59 UTC is 00:59:59 GMT; at 01:00 UTC the clocks jump to 02:00 BST.
        assert_eq!(
            clock.day_and_hour(utc("2026-03-29T00:59:59Z")),
            Some((day(2026, 3, 29), 0))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-03-29T01:00:00Z")),
            Some((day(2026, 3, 29), 2))
        );
        // Late evening UTC is already the next day in London during summer time.
        assert_eq!(
            clock.day_and_hour(utc("2026-03-29T23:30:00Z")),
            Some((day(2026, 3, 30), 0))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-03-28T23:30:00Z")),
            Some((day(2026, 3, 28), 23))
        );
    }

    #[test]
    fn london_days_and_hours_follow_the_clocks_going_back_on_25_october_2026() {
        let mut clock = LondonClock::new();
        // 00:30 UTC is 01:30 BST; 01:30 UTC is 01:30 GMT: the same local hour twice.
        assert_eq!(
            clock.day_and_hour(utc("2026-10-25T00:30:00Z")),
            Some((day(2026, 10, 25), 1))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-10-25T01:30:00Z")),
            Some((day(2026, 10, 25), 1))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-10-25T02:00:00Z")),
            Some((day(2026, 10, 25), 2))
        );
        // The evening before: 23:30 UTC is 00:30 BST on the 25th.
        assert_eq!(
            clock.day_and_hour(utc("2026-10-24T23:30:00Z")),
            Some((day(2026, 10, 25), 0))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-10-25T23:30:00Z")),
            Some((day(2026, 10, 25), 23))
        );
    }

    #[test]
    fn midnight_starts_a_new_london_day_in_winter_and_in_summer() {
        let mut clock = LondonClock::new();
        assert_eq!(
            clock.day_and_hour(utc("2026-12-07T23:59:59Z")),
            Some((day(2026, 12, 7), 23))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-12-08T00:00:00Z")),
            Some((day(2026, 12, 8), 0))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-07-01T22:59:59Z")),
            Some((day(2026, 7, 1), 23))
        );
        assert_eq!(
            clock.day_and_hour(utc("2026-07-01T23:00:00Z")),
            Some((day(2026, 7, 2), 0))
        );
        // Going back in time after the cache moved on still gives the right answer.
        assert_eq!(
            clock.day_and_hour(utc("2026-12-07T12:00:00Z")),
            Some((day(2026, 12, 7), 12))
        );
    }

    #[test]
    fn instants_outside_any_log_are_refused_not_panicked_on() {
        let mut clock = LondonClock::new();
        assert_eq!(clock.day_and_hour(i64::MAX), None);
        assert_eq!(clock.day_and_hour(i64::MIN), None);
        assert_eq!(clock.instant_of_local(i64::MAX), None);
        assert_eq!(clock.instant_of_local(i64::MIN), None);
    }

    #[test]
    fn london_wall_clock_times_become_instants_across_both_changes() {
        let mut clock = LondonClock::new();
        let local = |y, mo, d, h, mi| civil_seconds(y, mo, d, h, mi, 0).unwrap();
        assert_eq!(
            clock.instant_of_local(local(2026, 12, 7, 12, 0)),
            Some(utc("2026-12-07T12:00:00Z"))
        );
        assert_eq!(
            clock.instant_of_local(local(2026, 7, 1, 12, 0)),
            Some(utc("2026-07-01T11:00:00Z"))
        );
        // 29 March: 00:30 GMT, then 01:30 does not exist (read as GMT), then 02:30 BST.
        assert_eq!(
            clock.instant_of_local(local(2026, 3, 29, 0, 30)),
            Some(utc("2026-03-29T00:30:00Z"))
        );
        assert_eq!(
            clock.instant_of_local(local(2026, 3, 29, 1, 30)),
            Some(utc("2026-03-29T01:30:00Z"))
        );
        assert_eq!(
            clock.instant_of_local(local(2026, 3, 29, 2, 30)),
            Some(utc("2026-03-29T01:30:00Z"))
        );
        // 25 October: 01:30 happens twice; the first (BST) is taken.
        assert_eq!(
            clock.instant_of_local(local(2026, 10, 25, 1, 30)),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            clock.instant_of_local(local(2026, 10, 25, 2, 30)),
            Some(utc("2026-10-25T02:30:00Z"))
        );
    }

    #[test]
    fn a_year_is_inferred_against_the_reference_month() {
        let mut guess = YearGuess::new(jiff::civil::date(2026, 3, 10));
        // A file written in March 2026 that starts in November started in 2025.
        assert_eq!(guess.year_of(11), 2025);
        let mut guess = YearGuess::new(jiff::civil::date(2026, 3, 10));
        assert_eq!(guess.year_of(3), 2026);
        let mut guess = YearGuess::new(jiff::civil::date(2026, 3, 10));
        assert_eq!(guess.year_of(1), 2026);
    }

    #[test]
    fn the_year_turns_when_december_is_followed_by_january() {
        let mut guess = YearGuess::new(jiff::civil::date(2027, 1, 2));
        assert_eq!(guess.year_of(12), 2026);
        assert_eq!(guess.year_of(12), 2026);
        assert_eq!(guess.year_of(1), 2027);
        assert_eq!(guess.year_of(1), 2027);
        assert_eq!(guess.year_of(2), 2027);
    }

    #[test]
    fn a_line_slightly_out_of_order_across_a_month_end_stays_in_its_year() {
        let mut guess = YearGuess::new(jiff::civil::date(2026, 12, 31));
        assert_eq!(guess.year_of(3), 2026);
        assert_eq!(guess.year_of(4), 2026);
        assert_eq!(guess.year_of(3), 2026);
        assert_eq!(guess.year_of(4), 2026);
    }

    #[test]
    fn naming_a_year_dates_the_file_from_that_year() {
        // `--year 2025` is the reference 31 December 2025: every month fits, so the first line
        // is in 2025 and a later January moves on to 2026.
        let mut guess = YearGuess::new(jiff::civil::date(2025, 12, 31));
        assert_eq!(guess.year_of(12), 2025);
        assert_eq!(guess.year_of(1), 2026);
    }
}
