//! Reading what people upload and type: the text of a file in whichever encoding their computer
//! saved it, and dates written the British way. One place, so that an equipment CSV, an MDM
//! export, an osquery report, a policy document and a form all accept the same things.

use jiff::civil::Date;

/// The text of an uploaded file. A byte-order mark says exactly how it is stored (UTF-8, or
/// UTF-16 from Excel's "Unicode text" or PowerShell's `>`) and is removed; without one the file
/// is read as UTF-8, and failing that as Windows-1252, which older Excel and Notepad save (a £
/// is byte 0xA3 there).
pub fn decode_upload(bytes: &[u8]) -> String {
    match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, _)) => encoding.decode_with_bom_removal(bytes).0.into_owned(),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
        },
    }
}

/// Why a typed date could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Not in any of the accepted shapes.
    Unreadable,
    /// Day, month and a year of fewer than four digits: "1/4/25" could be 1925.
    ShortYear,
    /// In an accepted shape but not a day of the calendar, such as 31/02/2025.
    NotReal,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month a word names: its full name or the usual abbreviation ("April", "apr", "Sept."),
/// in any capitals. Only those: in running text a longer fragment is more likely another word.
pub fn month_number(word: &str) -> Option<i8> {
    let word = word.trim_end_matches('.').to_lowercase();
    let index = MONTHS.iter().position(|m| {
        *m == word || (m.starts_with(&word) && (word.len() == 3 || word == "sept"))
    })?;
    i8::try_from(index + 1).ok()
}

/// A date as a person in the UK writes it: day first ("1/4/2025", "01-04-2025", "1.4.2025",
/// "1 April 2025", "1 Apr 2025") or year first ("2025-04-01", as exports write it); a time after
/// the date is ignored. The year must have four digits: "1/4/25" could be 1925.
pub fn parse_uk_date(text: &str) -> Result<Date, DateProblem> {
    let text = text.trim();
    // A time after an ISO date ("2025-04-01 00:00:00", "2025-04-01T09:30:00Z") is not needed.
    let text = match text.get(..10) {
        Some(day) if text.len() > 10 && is_iso_day(day) => day,
        _ => text,
    };
    // Nor is a time after a day-first date ("1/5/2025 09:00", as spreadsheets export them).
    let text = match text.rsplit_once(char::is_whitespace) {
        Some((day, time)) if time.contains(':') => day.trim_end(),
        _ => text,
    };
    let parts: Vec<&str> = text
        .split(|c: char| matches!(c, '/' | '-' | '.' | ',') || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let [first, second, third] = parts.as_slice() else {
        return Err(DateProblem::Unreadable);
    };
    let (year, month, day) = if first.len() == 4 {
        (*first, *second, *third)
    } else {
        (*third, *second, *first)
    };
    let digits = |s: &str, most: usize| {
        (1..=most).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4) || !digits(day, 2) {
        return Err(DateProblem::Unreadable);
    }
    let month = if digits(month, 2) {
        month.parse::<i8>().ok()
    } else {
        month_number(month)
    }
    .ok_or(DateProblem::Unreadable)?;
    let (Ok(year), Ok(day)) = (year.parse::<i16>(), day.parse::<i8>()) else {
        return Err(DateProblem::Unreadable);
    };
    if year < 1000 {
        return Err(DateProblem::ShortYear);
    }
    Date::new(year, month, day).map_err(|_| DateProblem::NotReal)
}

fn is_iso_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_british_and_export_form_reads_as_the_same_day() {
        let april = jiff::civil::date(2025, 4, 1);
        for text in [
            "2025-04-01",
            " 2025-04-01 00:00:00 ",
            "2025-04-01T09:30:00Z",
            "01/04/2025",
            "1/4/2025",
            "1-4-2025",
            "1.4.2025",
            "1 April 2025",
            "1 Apr 2025",
            "1 apr. 2025",
            "2025/04/01",
            "1/4/2025 09:00",
        ] {
            assert_eq!(parse_uk_date(text), Ok(april), "{text}");
        }
    }

    #[test]
    fn ambiguous_or_impossible_dates_are_refused_with_the_reason() {
        for text in [
            "",
            "April 2025",
            "2025-4",
            "1 Ap 2025",
            "x/y/2025",
            "12345-1-1",
        ] {
            assert_eq!(parse_uk_date(text), Err(DateProblem::Unreadable), "{text}");
        }
        for text in ["04-01-25", "1/4/25", "1 April 325"] {
            assert_eq!(parse_uk_date(text), Err(DateProblem::ShortYear), "{text}");
        }
        for text in ["31/02/2025", "2025-13-01", "0/1/2025"] {
            assert_eq!(parse_uk_date(text), Err(DateProblem::NotReal), "{text}");
        }
    }

    #[test]
    fn months_are_read_from_their_names_and_usual_abbreviations() {
        assert_eq!(month_number("Sept."), Some(9));
        assert_eq!(month_number("DECEMBER"), Some(12));
        assert_eq!(month_number("mar"), Some(3));
        assert_eq!(month_number("ma"), None);
        assert_eq!(month_number("Augu"), None);
    }

    #[test]
    fn uploads_are_read_in_the_encoding_they_were_saved_in() {
        assert_eq!(decode_upload(b"\xEF\xBB\xBFnumber"), "number");
        assert_eq!(decode_upload(b"cost\n\xA345"), "cost\n\u{a3}45");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a\tb".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_upload(&utf16), "a\tb");
    }
}
