//! Reading one value as people and exports write it: "Yes"/"True"/"1", "5 minutes", "30 s",
//! "Never", "2025-05-01" or "01/05/2025". Shared by the self-attestation form and MDM exports;
//! each returns `Ok(None)` for a blank or "don't know" answer and `Err` with what is accepted.

use jiff::civil::Date;

/// Answers that mean "not known" rather than a value.
fn is_unknown(text: &str) -> bool {
    matches!(
        text,
        "" | "unknown" | "not known" | "dont know" | "don't know" | "n/a" | "na" | "-" | "?"
    )
}

fn normalised(text: &str) -> String {
    text.trim().to_lowercase().replace('’', "'")
}

pub const YES_NO_ACCEPTED: &str = "Yes, No, True, False, 1, 0, On, Off (blank if not known)";

/// Yes or no, leniently: "Yes", "True", "1", "On", "Enabled", "Encrypted", "Compliant"...
pub fn yes_no(text: &str) -> Result<Option<bool>, ()> {
    let text = normalised(text);
    if is_unknown(&text) {
        return Ok(None);
    }
    const YES: &[&str] = &[
        "yes",
        "y",
        "true",
        "t",
        "1",
        "on",
        "enabled",
        "enable",
        "encrypted",
        "fully encrypted",
        "compliant",
        "protected",
        "active",
        "supported",
        "good",
        "ok",
        "installed",
        "running",
    ];
    const NO: &[&str] = &[
        "no",
        "n",
        "false",
        "f",
        "0",
        "off",
        "disabled",
        "disable",
        "not encrypted",
        "unencrypted",
        "decrypted",
        "none",
        "not compliant",
        "noncompliant",
        "non-compliant",
        "unprotected",
        "inactive",
        "not supported",
        "unsupported",
        "poor",
        "not installed",
        "end of life",
    ];
    if YES.contains(&text.as_str()) {
        Ok(Some(true))
    } else if NO.contains(&text.as_str()) {
        Ok(Some(false))
    } else {
        Err(())
    }
}

/// A whole number from `min` to `max`, or `None` when blank or unknown.
pub fn whole_number(text: &str, min: u32, max: u32) -> Result<Option<u32>, ()> {
    let text = normalised(text);
    if is_unknown(&text) {
        return Ok(None);
    }
    let digits = text
        .strip_suffix("digits")
        .or_else(|| text.strip_suffix("attempts"))
        .or_else(|| text.strip_suffix("tries"))
        .unwrap_or(&text)
        .trim();
    match digits.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(()),
    }
}

/// "Never", "Off" and similar: the setting is turned off.
pub fn is_never(text: &str) -> bool {
    matches!(
        normalised(text).as_str(),
        "never" | "off" | "disabled" | "none" | "not set" | "no limit"
    )
}

/// A length of time written with or without its unit, as seconds: "5" and "5 min" are five
/// minutes, "30 s" and "30 seconds" half a minute, "1 hour" sixty minutes.
pub fn duration_seconds(text: &str) -> Result<Option<u32>, ()> {
    let text = normalised(text);
    if is_unknown(&text) {
        return Ok(None);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().map_err(|_| ())?;
    let scale = match unit.trim() {
        "" | "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        _ => return Err(()),
    };
    let seconds = (number * scale).round();
    // Up to a day: anything longer is a mistake, and zero is no setting at all.
    if seconds.is_finite() && (1.0..=86_400.0).contains(&seconds) {
        Ok(Some(seconds as u32))
    } else {
        Err(())
    }
}

pub const DATE_ACCEPTED: &str = "a date like 2025-05-01, 01/05/2025 or 1 May 2025";

/// A date as YYYY-MM-DD (a time after it, as exports add, is ignored), DD/MM/YYYY as British
/// spreadsheets show dates, or "1 May 2025": see [`crate::text::parse_uk_date`].
pub fn date(text: &str) -> Result<Option<Date>, ()> {
    let text = normalised(text);
    if is_unknown(&text) {
        return Ok(None);
    }
    crate::text::parse_uk_date(&text).map(Some).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as ymd;

    #[test]
    fn yes_and_no_are_read_leniently_and_blank_is_unknown() {
        for yes in ["Yes", "TRUE", "1", " on ", "Encrypted", "Fully encrypted"] {
            assert_eq!(yes_no(yes), Ok(Some(true)), "{yes}");
        }
        for no in ["No", "false", "0", "Not encrypted", "Off"] {
            assert_eq!(yes_no(no), Ok(Some(false)), "{no}");
        }
        for unknown in ["", "  ", "Unknown", "N/A", "Don't know"] {
            assert_eq!(yes_no(unknown), Ok(None), "{unknown}");
        }
        assert_eq!(yes_no("maybe"), Err(()));
    }

    #[test]
    fn durations_take_minutes_unless_told_otherwise() {
        assert_eq!(duration_seconds("5"), Ok(Some(300)));
        assert_eq!(duration_seconds("5 minutes"), Ok(Some(300)));
        assert_eq!(duration_seconds("30 s"), Ok(Some(30)));
        assert_eq!(duration_seconds("30 seconds"), Ok(Some(30)));
        assert_eq!(duration_seconds("1 hour"), Ok(Some(3600)));
        assert_eq!(duration_seconds("0.5"), Ok(Some(30)));
        assert_eq!(duration_seconds(""), Ok(None));
        for bad in ["0", "-5", "five", "5 weeks", "2000"] {
            assert_eq!(duration_seconds(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn dates_are_read_in_iso_or_british_order() {
        assert_eq!(date("2025-05-01"), Ok(Some(ymd(2025, 5, 1))));
        assert_eq!(date("2025-05-01T10:00:00Z"), Ok(Some(ymd(2025, 5, 1))));
        assert_eq!(date("2025-05-01 10:00"), Ok(Some(ymd(2025, 5, 1))));
        assert_eq!(date("01/05/2025"), Ok(Some(ymd(2025, 5, 1))));
        assert_eq!(date("1/5/2025 09:00"), Ok(Some(ymd(2025, 5, 1))));
        assert_eq!(date(""), Ok(None));
        for bad in ["31/02/2025", "2025-13-01", "yesterday", "05/2025", "1/5/25"] {
            assert_eq!(date(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn whole_numbers_keep_to_their_range() {
        assert_eq!(whole_number("6", 1, 64), Ok(Some(6)));
        assert_eq!(whole_number("6 digits", 1, 64), Ok(Some(6)));
        assert_eq!(whole_number("", 1, 64), Ok(None));
        assert_eq!(whole_number("0", 1, 64), Err(()));
        assert_eq!(whole_number("6.5", 1, 64), Err(()));
        assert!(is_never("Never") && is_never("off") && !is_never("5"));
    }
}
