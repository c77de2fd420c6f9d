//! Dates as councils type them in adoption lines: "12 May 2025", "2 nd March 2026",
//! "16th March, 2026", "May 12, 2025", "14/05/2025", "2025-05-14", or just "May 2025".
//!
//! Slash dates are read the British way (day first). Impossible dates (31 February) are not dates.

use crate::text::month_number;
use serde::{Serialize, Serializer};
use std::fmt;

/// A calendar date, or only a month when the document gives no day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PolicyDate {
    year: i16,
    month: i8,
    day: Option<i8>,
}

impl PolicyDate {
    /// A checked date: `None` for a day or month that does not exist.
    pub fn new(year: i16, month: i8, day: Option<i8>) -> Option<Self> {
        match day {
            Some(d) => jiff::civil::Date::new(year, month, d).ok()?,
            None => jiff::civil::Date::new(year, month, 1).ok()?,
        };
        Some(Self { year, month, day })
    }

    pub fn year(self) -> i16 {
        self.year
    }

    pub fn month(self) -> i8 {
        self.month
    }

    pub fn day(self) -> Option<i8> {
        self.day
    }

    /// Whole months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: PolicyDate) -> i32 {
        (i32::from(later.year) - i32::from(self.year)) * 12 + i32::from(later.month)
            - i32::from(self.month)
    }
}

impl fmt::Display for PolicyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.day {
            Some(d) => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, d),
            None => write!(f, "{:04}-{:02}", self.year, self.month),
        }
    }
}

impl Serialize for PolicyDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn year_number(word: &str) -> Option<i16> {
    if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        word.parse().ok().filter(|y| (1990..=2100).contains(y))
    } else {
        None
    }
}

/// "16", "16th", "2nd" → the day of the month.
fn day_number(word: &str) -> Option<i8> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") || digits.is_empty() || digits.len() > 2 {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// "14/05/2025", "14.05.25", "2025-05-14".
fn numeric_date(word: &str) -> Option<PolicyDate> {
    let sep = ['/', '.', '-'].into_iter().find(|s| word.contains(*s))?;
    let parts: Vec<&str> = word.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if ![a, b, c]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if a.len() == 4 {
        return PolicyDate::new(a.parse().ok()?, b.parse().ok()?, Some(c.parse().ok()?));
    }
    let year: i16 = match c.len() {
        4 => c.parse().ok()?,
        2 => 2000 + c.parse::<i16>().ok()?,
        _ => return None,
    };
    PolicyDate::new(year, b.parse().ok()?, Some(a.parse().ok()?))
}

/// The first date written in `lower` (lowercased text).
pub(crate) fn first_date(lower: &str) -> Option<PolicyDate> {
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| matches!(c, '(' | ')' | ':' | ';' | '"' | '\'')))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let word = |i: usize| words.get(i).copied().unwrap_or("");
    for i in 0..words.len() {
        if let Some(date) = numeric_date(word(i)) {
            return Some(date);
        }
        // "16th March 2026", "2 nd March 2026", "12th of May 2025"
        if let Some(day) = day_number(word(i)) {
            let mut j = i + 1;
            if matches!(word(j), "st" | "nd" | "rd" | "th") {
                j += 1;
            }
            if word(j) == "of" {
                j += 1;
            }
            if let (Some(month), Some(year)) = (month_number(word(j)), year_number(word(j + 1)))
                && let Some(date) = PolicyDate::new(year, month, Some(day))
            {
                return Some(date);
            }
        }
        if let Some(month) = month_number(word(i)) {
            // "May 12, 2025"
            if let (Some(day), Some(year)) = (day_number(word(i + 1)), year_number(word(i + 2)))
                && let Some(date) = PolicyDate::new(year, month, Some(day))
            {
                return Some(date);
            }
            // "May 2025", unless a day came just before (handled above) — "may" the verb is
            // never followed by a year.
            if let Some(year) = year_number(word(i + 1)) {
                return PolicyDate::new(year, month, None);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<String> {
        first_date(&text.to_lowercase()).map(|d| d.to_string())
    }

    #[test]
    fn adoption_dates_are_read_in_the_forms_councils_type_them() {
        assert_eq!(read("Adopted: 12 May 2025").as_deref(), Some("2025-05-12"));
        assert_eq!(
            read("Council Adoption Date: 2 nd March 2026").as_deref(),
            Some("2026-03-02")
        );
        assert_eq!(
            read("Policy approved 16th March, 2026").as_deref(),
            Some("2026-03-16")
        );
        assert_eq!(
            read("Date adopted: 14/05/2025").as_deref(),
            Some("2025-05-14")
        );
        assert_eq!(
            read("adopted on 2025-05-14.").as_deref(),
            Some("2025-05-14")
        );
        assert_eq!(read("Approved May 12, 2025").as_deref(), Some("2025-05-12"));
        assert_eq!(read("Adopted in May 2025").as_deref(), Some("2025-05"));
        assert_eq!(
            read("adopted on the 12th of May 2025").as_deref(),
            Some("2025-05-12")
        );
    }

    #[test]
    fn things_that_are_not_dates_are_not_read_as_dates() {
        assert_eq!(read("the Data Protection Act 2018"), None);
        assert_eq!(read("Date adopted: 31/02/2025"), None);
        assert_eq!(read("users may 2 factor"), None);
    }
}
