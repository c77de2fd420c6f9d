//! The shapes every part of monitoring shares: one parsed log line ([`Hit`]), the summary of one
//! person (or unattributed key), day and site ([`Group`]), and the figures printed after a file.

use serde::Serialize;

/// A day on the council's calendar: Europe/London local days, as the policy's "daily log" is the
/// council's day, not UTC's. Counted in days since 1970-01-01 so it is cheap to hash and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDay(pub i32);

impl LocalDay {
    /// The calendar date of this day. A day outside the calendar's range (years -9999 to
    /// 9999) is shown as 1 January 1970: no log names such a day, and nothing here panics.
    pub fn date(self) -> jiff::civil::Date {
        let epoch = jiff::civil::date(1970, 1, 1);
        jiff::Span::new()
            .try_days(i64::from(self.0))
            .and_then(|days| epoch.checked_add(days))
            .unwrap_or(epoch)
    }

    /// The day holding `date`.
    pub fn from_date(date: jiff::civil::Date) -> LocalDay {
        let epoch = jiff::civil::date(1970, 1, 1);
        let days = epoch
            .until((jiff::Unit::Day, date))
            .map(|span| span.get_days())
            .unwrap_or(0);
        LocalDay(days)
    }
}

/// One request or query read from a log line. Borrowed from the line, so reading allocates
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<'a> {
    /// When, in Unix seconds (UTC).
    pub at: i64,
    /// The proxy's user name, when the log has one (not "-").
    pub user: Option<&'a str>,
    /// The client's address as logged: an IP address or a host name.
    pub client: &'a str,
    /// The site's host name, lower case, without port or trailing dot. `CONNECT host:443` is
    /// the host.
    pub site: &'a str,
    /// The path after the host, when the log has one (proxy logs of plain HTTP), for URL
    /// category lists. None for DNS queries and `CONNECT`.
    pub path: Option<&'a str>,
    /// Bytes sent to the client; 0 where the format has none (DNS).
    pub bytes: u64,
}

/// Who a group of hits belongs to before attribution: the proxy user name when the log has one,
/// otherwise the client address. The store turns these into people (user name → person; address
/// → device in the register → person); what matches no one stays unattributed under this key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SubjectKey {
    User(String),
    Client(String),
}

impl SubjectKey {
    /// The key a hit is grouped under.
    pub fn of(hit: &Hit<'_>) -> SubjectKey {
        match hit.user {
            Some(user) => SubjectKey::User(user.to_owned()),
            None => SubjectKey::Client(hit.client.to_owned()),
        }
    }
}

/// What one person (key) did on one site on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// First and last access, Unix seconds.
    pub first: i64,
    pub last: i64,
    pub hits: u64,
    pub bytes: u64,
    /// Hits in each local hour of the day (0-23). On the day the clocks go back, the repeated
    /// hour's hits are counted together.
    pub hits_by_hour: [u32; 24],
}

/// One line of the daily log: a key, a day and a site, with its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: SubjectKey,
    pub day: LocalDay,
    pub site: String,
    pub figures: Figures,
}

/// The figures printed after reading a file (`monitor summarize --json` and `monitor ingest`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Lines read, including malformed ones (and, for DNS logs, lines that are not queries).
    pub lines: u64,
    /// Requests or queries counted.
    pub hits: u64,
    pub bytes: u64,
    /// Lines that could not be read as a request or query of the format.
    pub malformed: u64,
    /// Distinct (key, day, site) groups.
    pub groups: u64,
}

impl Totals {
    /// The one-line JSON that `monitor summarize --json` and `monitor ingest` print, with its
    /// keys in this order: `{"lines": N, "hits": N, "bytes": N, "malformed": N, "groups": N}`.
    pub fn to_json_line(&self) -> String {
        format!(
            "{{\"lines\": {}, \"hits\": {}, \"bytes\": {}, \"malformed\": {}, \"groups\": {}}}",
            self.lines, self.hits, self.bytes, self.malformed, self.groups
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_day_round_trips_through_its_date() {
        let date = jiff::civil::date(2026, 12, 7);
        let day = LocalDay::from_date(date);
        assert_eq!(day.date(), date);
        assert_eq!(
            LocalDay::from_date(jiff::civil::date(1970, 1, 2)),
            LocalDay(1)
        );
    }

    #[test]
    fn totals_print_as_the_json_line_of_the_contract() {
        let totals = Totals {
            lines: 5,
            hits: 3,
            bytes: 1200,
            malformed: 1,
            groups: 2,
        };
        let line = totals.to_json_line();
        assert_eq!(
            line,
            r#"{"lines": 5, "hits": 3, "bytes": 1200, "malformed": 1, "groups": 2}"#
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&line).unwrap(),
            serde_json::to_value(totals).unwrap()
        );
    }
}
