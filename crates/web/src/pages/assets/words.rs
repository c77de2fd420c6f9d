//! Reading dates and times as Clerks type them, and writing money as they read it.

use custodian_core::text::{DateProblem, parse_uk_date};
use jiff::civil::{Date, Time};

/// A date typed in a form: "1/4/2025", "01-04-2025", "1 April 2025", "1 Apr 2025" (day first, as
/// in the UK) or "2025-04-01". Blank is `None`. The message names the field (`what`, e.g. "the
/// purchase date") and shows an example.
pub fn parse_date(text: &str, what: &str) -> Result<Option<Date>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let problem_text = || {
        format!(
            "Enter {what} as day, month and year, for example 1/4/2025 or 1 April 2025 (\"{text}\" could not be read)."
        )
    };
    let date = parse_uk_date(text).map_err(|problem| match problem {
        DateProblem::Unreadable => problem_text(),
        DateProblem::ShortYear => {
            format!("Enter {what} with a four-digit year, for example 1/4/2025.")
        }
        DateProblem::NotReal => format!("{text} is not a real date. Check the day and the month."),
    })?;
    if !(1900..=2999).contains(&date.year()) {
        return Err(format!(
            "Enter {what} with a four-digit year, for example 1/4/2025."
        ));
    }
    Ok(Some(date))
}

/// A time of day typed as "14:05", "14.05", "1405" or "9:30"; blank is `None`.
pub fn parse_time(text: &str) -> Result<Option<Time>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let problem = || {
        format!(
            "Enter the time on the 24-hour clock, for example 14:05 (\"{text}\" could not be read)."
        )
    };
    let (hour, minute) = match text.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None if text.len() == 4 => text.split_at(2),
        None => return Err(problem()),
    };
    let (Ok(hour), Ok(minute)) = (hour.parse::<i8>(), minute.parse::<i8>()) else {
        return Err(problem());
    };
    Time::new(hour, minute, 0, 0)
        .map(Some)
        .map_err(|_| problem())
}

/// An amount in pence as people read it: "£1,299.99", "£45.00".
pub fn money(pence: u64) -> String {
    let pounds = (pence / 100).to_string();
    let mut grouped = String::with_capacity(pounds.len() + pounds.len() / 3);
    for (i, digit) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("£{grouped}.{:02}", pence % 100)
}

/// A cost as the form shows it again: "1299.99", or blank.
pub fn cost_for_form(pence: Option<u64>) -> String {
    pence.map_or_else(String::new, |p| format!("{}.{:02}", p / 100, p % 100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn dates_are_read_day_first_in_the_ways_people_write_them() {
        for text in [
            "1/4/2025",
            "01/04/2025",
            "1-4-2025",
            "1.4.2025",
            "1 4 2025",
            "1 April 2025",
            "1 apr 2025",
            "2025-04-01",
        ] {
            assert_eq!(
                parse_date(text, "the date"),
                Ok(Some(date(2025, 4, 1))),
                "{text}"
            );
        }
        assert_eq!(parse_date("  ", "the date"), Ok(None));
    }

    #[test]
    fn unreadable_or_impossible_dates_say_what_to_type() {
        let err = parse_date("next Tuesday", "the purchase date").unwrap_err();
        assert!(err.starts_with("Enter the purchase date as day, month and year"));
        assert!(
            parse_date("31/2/2025", "the date")
                .unwrap_err()
                .contains("not a real date")
        );
        assert!(
            parse_date("1/4/25", "the date")
                .unwrap_err()
                .contains("four-digit year")
        );
    }

    #[test]
    fn times_are_read_on_the_24_hour_clock() {
        assert_eq!(parse_time("14:05"), Ok(Some(time(14, 5, 0, 0))));
        assert_eq!(parse_time("9.30"), Ok(Some(time(9, 30, 0, 0))));
        assert_eq!(parse_time("1405"), Ok(Some(time(14, 5, 0, 0))));
        assert_eq!(parse_time(""), Ok(None));
        assert!(parse_time("25:00").is_err());
        assert!(parse_time("noon").is_err());
    }

    #[test]
    fn money_is_written_in_pounds_with_thousands_separated() {
        assert_eq!(money(129_999), "£1,299.99");
        assert_eq!(money(4_500), "£45.00");
        assert_eq!(money(5), "£0.05");
        assert_eq!(money(100_000_000), "£1,000,000.00");
        assert_eq!(cost_for_form(Some(129_999)), "1299.99");
    }
}
