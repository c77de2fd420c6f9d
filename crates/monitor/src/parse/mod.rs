//! One parser per log format, each turning one line into a [`Hit`] (or saying why not) without
//! allocating: fields are slices of the line; only a site written with capitals is copied, into
//! a buffer reused from line to line.
//!
//! A line is one of three things: a hit (a request or query), a line of the format that is not
//! a request (dnsmasq's `forwarded`/`reply` lines, Unbound's `notice:` lines, Squid's
//! `error:transaction-end-before-headers`, a CSV header), or malformed, with a reason in words.

mod combined;
mod csv;
pub(crate) mod dns;
mod squid;
pub(crate) mod stamp;

pub(crate) use csv::CsvReader;
pub(crate) use dns::{DnsmasqReader, UnboundReader};

use crate::clock::LondonClock;
use crate::format::Format;
use crate::record::Hit;
use crate::summary::SummaryError;
use jiff::civil::Date;

/// What one line was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parsed<'a> {
    Hit(Hit<'a>),
    /// A line of the format that records no request or query.
    NotAHit,
    /// The reason, in words for the Clerk ("the time is not Unix seconds").
    Malformed(&'static str),
}

/// The parser for one file: the format, and what it learns as it reads (the year of dnsmasq
/// lines, the CSV header's columns).
#[derive(Debug, Clone)]
pub(crate) enum LineParser {
    Squid,
    Combined,
    Dnsmasq(DnsmasqReader),
    Unbound(UnboundReader),
    Csv(CsvReader),
}

impl LineParser {
    /// `year_reference` dates lines that carry no year (see `clock`).
    pub(crate) fn new(format: &Format, year_reference: Date) -> LineParser {
        match format {
            Format::Squid => LineParser::Squid,
            Format::Combined => LineParser::Combined,
            Format::Dnsmasq => LineParser::Dnsmasq(DnsmasqReader::new(year_reference)),
            Format::Unbound => LineParser::Unbound(UnboundReader::new(year_reference)),
            Format::Csv(mapping) => LineParser::Csv(CsvReader::new(mapping.clone())),
        }
    }

    /// Reads one line (valid UTF-8, without its line ending, not blank). An error is about the
    /// whole file (a CSV mapping naming a column the file does not have), not this line.
    pub(crate) fn parse<'a>(
        &mut self,
        line: &'a str,
        clock: &mut LondonClock,
        scratch: &'a mut String,
    ) -> Result<Parsed<'a>, SummaryError> {
        Ok(match self {
            LineParser::Squid => squid::parse(line, scratch),
            LineParser::Combined => combined::parse(line, scratch),
            LineParser::Dnsmasq(reader) => reader.parse(line, clock, scratch),
            LineParser::Unbound(reader) => reader.parse(line, clock, scratch),
            LineParser::Csv(reader) => return reader.parse(line, scratch),
        })
    }
}

/// Space-separated fields of a line, as slices of it. Runs of spaces or tabs count as one
/// separator (Squid pads its elapsed-time column; syslog pads single-digit days).
#[derive(Debug, Clone)]
pub(crate) struct Fields<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(line: &'a str) -> Fields<'a> {
        Fields { line, at: 0 }
    }

    /// The rest of the line after the fields taken so far, without leading spaces.
    pub(crate) fn rest(&self) -> &'a str {
        let bytes = self.line.as_bytes();
        let mut at = self.at;
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        self.line.get(at..).unwrap_or("")
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.line.as_bytes();
        let mut start = self.at;
        while start < bytes.len() && is_space(bytes[start]) {
            start += 1;
        }
        if start >= bytes.len() {
            self.at = start;
            return None;
        }
        let end = memchr::memchr2(b' ', b'\t', &bytes[start..]).map_or(bytes.len(), |n| start + n);
        self.at = end;
        // Both ends are at ASCII bytes (or the ends of the line), so always char boundaries.
        self.line.get(start..end)
    }
}

fn is_space(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// A whole number written in decimal digits only, within u64.
pub(crate) fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    Some(value)
}

/// `1286536308.779` (or without the fraction): whole Unix seconds, the fraction dropped.
pub(crate) fn parse_unix_seconds(text: &[u8]) -> Option<i64> {
    let (whole, fraction) = match memchr::memchr(b'.', text) {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &b""[..]),
    };
    if !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    i64::try_from(parse_u64(whole)?).ok()
}

/// A byte count: digits, or `-` for none (Apache writes `-` when no body was sent).
pub(crate) fn parse_bytes(text: &str) -> Option<u64> {
    if text == "-" {
        Some(0)
    } else {
        parse_u64(text.as_bytes())
    }
}

/// A user name as logged, or None for `-` or an empty field.
pub(crate) fn user_of(field: &str) -> Option<&str> {
    if field.is_empty() || field == "-" {
        None
    } else {
        Some(field)
    }
}

/// Owned copies of parse results, so tests can compare them after the line and scratch buffer
/// are gone.
#[cfg(test)]
pub(crate) mod owned {
    use super::Parsed;

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) struct OwnedHit {
        pub at: i64,
        pub user: Option<String>,
        pub client: String,
        pub site: String,
        pub path: Option<String>,
        pub bytes: u64,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) enum Verdict {
        Hit(OwnedHit),
        NotAHit,
        Malformed(&'static str),
    }

    impl Verdict {
        pub(crate) fn of(parsed: Parsed<'_>) -> Verdict {
            match parsed {
                Parsed::Hit(hit) => Verdict::Hit(OwnedHit {
                    at: hit.at,
                    user: hit.user.map(str::to_owned),
                    client: hit.client.to_owned(),
                    site: hit.site.to_owned(),
                    path: hit.path.map(str::to_owned),
                    bytes: hit.bytes,
                }),
                Parsed::NotAHit => Verdict::NotAHit,
                Parsed::Malformed(reason) => Verdict::Malformed(reason),
            }
        }

        #[track_caller]
        pub(crate) fn hit(self) -> OwnedHit {
            match self {
                Verdict::Hit(hit) => hit,
                other => panic!("not a hit: {other:?}"),
            }
        }

        #[track_caller]
        pub(crate) fn reason(self) -> &'static str {
            match self {
                Verdict::Malformed(reason) => reason,
                other => panic!("not malformed: {other:?}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_skip_runs_of_spaces_and_tabs() {
        let line = "1286536308.779    180 192.168.0.224\tTCP_MISS/200 ";
        let mut fields = Fields::new(line);
        assert_eq!(fields.next(), Some("1286536308.779"));
        assert_eq!(fields.next(), Some("180"));
        assert_eq!(fields.rest(), "192.168.0.224\tTCP_MISS/200 ");
        assert_eq!(fields.next(), Some("192.168.0.224"));
        assert_eq!(fields.next(), Some("TCP_MISS/200"));
        assert_eq!(fields.next(), None);
        assert_eq!(fields.rest(), "");
    }

    #[test]
    fn numbers_are_digits_only_and_never_overflow() {
        assert_eq!(parse_u64(b"411"), Some(411));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_unix_seconds(b"1286536308.779"), Some(1_286_536_308));
        assert_eq!(parse_unix_seconds(b"1286536308"), Some(1_286_536_308));
        assert_eq!(parse_unix_seconds(b"12865x6308.779"), None);
        assert_eq!(parse_unix_seconds(b"1286536308.7a9"), None);
        assert_eq!(parse_bytes("-"), Some(0));
    }
}
