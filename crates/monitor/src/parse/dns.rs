//! DNS resolvers' query logs: dnsmasq (and Pi-hole, whose `pihole.log` is dnsmasq's) and
//! Unbound. Each query is a hit on the name looked up, from the client that asked; the
//! resolver's other lines (forwarded, reply, cached, DHCP; Unbound's notices and replies) are
//! lines of the format but not hits.
//!
//! dnsmasq: `Dec  7 12:00:01 dnsmasq[123]: query[A] example.com from 192.168.1.5`, optionally
//! with a host name before the tag, `log-queries=extra`'s serial and client before `query[`, or
//! OpenWrt's `Mon Dec  7 12:00:01 2026 daemon.info` prefix. Classic syslog times have no year
//! and are London time: see `clock` for how the year is inferred.
//!
//! Unbound: `[1466512058] unbound[17201:0] info: 10.10.10.10 some.domain.com. A IN` in its own
//! log file (Unix seconds), or `Dec  7 12:00:01 host unbound: [17201:0] info: ...` through
//! syslog; `log-tag-queryreply` writes `query:` instead of `info:`. A line with more after the
//! class (`log-replies`: rcode, time, cached, size) is a reply, not another query.

use super::stamp::{Stamp, syslog_stamp};
use super::{Fields, Parsed};
use crate::clock::{LondonClock, YearGuess};
use crate::record::Hit;
use crate::site::site_of_host;
use jiff::civil::Date;

/// Reads dnsmasq lines, inferring their year as it goes.
#[derive(Debug, Clone)]
pub(crate) struct DnsmasqReader {
    years: YearGuess,
}

impl DnsmasqReader {
    pub(crate) fn new(year_reference: Date) -> DnsmasqReader {
        DnsmasqReader {
            years: YearGuess::new(year_reference),
        }
    }

    pub(crate) fn parse<'a>(
        &mut self,
        line: &'a str,
        clock: &mut LondonClock,
        scratch: &'a mut String,
    ) -> Parsed<'a> {
        let mut fields = Fields::new(line);
        let Some(stamp) = syslog_stamp(&mut fields) else {
            return Parsed::Malformed("the line does not start with a time like Dec  7 12:00:01");
        };
        let Some(tag) = find_tag(&mut fields, "dnsmasq", &['[', ':', '-']) else {
            return Parsed::Malformed("no dnsmasq[...] tag after the time: not a dnsmasq line");
        };
        let Some(local) = local_seconds(stamp, &mut self.years) else {
            return Parsed::Malformed("the date does not exist (in the year inferred for it)");
        };
        // dnsmasq-dhcp, dnsmasq-tftp and the like: the same daemon, but no query.
        if !(tag == "dnsmasq:" || tag.starts_with("dnsmasq[")) {
            return Parsed::NotAHit;
        }
        let mut message = fields.next();
        // `log-queries=extra`: a serial number and the client's address/port come first.
        if message.is_some_and(|m| m.bytes().all(|b| b.is_ascii_digit())) {
            fields.next();
            message = fields.next();
        }
        if !message.is_some_and(|m| m.starts_with("query[")) {
            return Parsed::NotAHit;
        }
        let (Some(name), Some("from"), Some(client)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Parsed::Malformed("a query without the name asked for and \"from\" the client");
        };
        let Some(at) = instant(local, clock) else {
            return Parsed::Malformed("the time is outside the years a log can hold");
        };
        match site_of_host(name, scratch) {
            Ok(site) => Parsed::Hit(Hit {
                at,
                user: None,
                client,
                site,
                path: None,
                bytes: 0,
            }),
            Err(_) => Parsed::Malformed("the query names no site"),
        }
    }
}

/// Reads Unbound lines; syslog ones carry no year, so it infers it as dnsmasq's reader does.
#[derive(Debug, Clone)]
pub(crate) struct UnboundReader {
    years: YearGuess,
}

impl UnboundReader {
    pub(crate) fn new(year_reference: Date) -> UnboundReader {
        UnboundReader {
            years: YearGuess::new(year_reference),
        }
    }

    pub(crate) fn parse<'a>(
        &mut self,
        line: &'a str,
        clock: &mut LondonClock,
        scratch: &'a mut String,
    ) -> Parsed<'a> {
        let mut fields = Fields::new(line);
        let Some(stamp) = syslog_stamp(&mut fields) else {
            return Parsed::Malformed(
                "the line does not start with a time like [1466512058] or Dec  7 12:00:01",
            );
        };
        if find_tag(&mut fields, "unbound", &['[', ':']).is_none() {
            return Parsed::Malformed("no unbound tag after the time: not an Unbound line");
        }
        let Some(local) = local_seconds(stamp, &mut self.years) else {
            return Parsed::Malformed("the date does not exist (in the year inferred for it)");
        };
        let mut level = fields.next();
        // Through syslog, the thread comes after the tag: `unbound: [17201:0] info: ...`.
        if level.is_some_and(|l| l.starts_with('[')) {
            level = fields.next();
        }
        if !matches!(level, Some("info:" | "query:")) {
            return Parsed::NotAHit;
        }
        let (Some(client), Some(name), Some(_type), Some(_class), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Parsed::NotAHit;
        };
        // `info: resolving example.com. A IN` and the like are Unbound at work, not a client.
        if !looks_like_address(client) {
            return Parsed::NotAHit;
        }
        let Some(at) = instant(local, clock) else {
            return Parsed::Malformed("the time is outside the years a log can hold");
        };
        match site_of_host(name, scratch) {
            Ok(site) => Parsed::Hit(Hit {
                at,
                user: None,
                client,
                site,
                path: None,
                bytes: 0,
            }),
            Err(_) => Parsed::Malformed("the query names no site"),
        }
    }
}

/// The program's tag among the next few fields (a host name or syslog facility may come
/// first): `dnsmasq[123]:`, `dnsmasq:`, `unbound[17201:0]`, `dnsmasq-dhcp[123]:`. `then` lists
/// what may follow the program's name.
pub(crate) fn find_tag<'a>(
    fields: &mut Fields<'a>,
    program: &str,
    then: &[char],
) -> Option<&'a str> {
    for _ in 0..3 {
        let field = fields.next()?;
        if let Some(after) = field.strip_prefix(program)
            && (after.is_empty() || after.starts_with(then))
        {
            return Some(field);
        }
    }
    None
}

/// When a line was written, as London "local seconds", or as an instant (`Ok`) when the line
/// says so. Every dated line moves the year inference on, so a New Year between queries is
/// seen even when the lines around it are not queries.
fn local_seconds(stamp: Stamp, years: &mut YearGuess) -> Option<When> {
    match stamp {
        Stamp::Instant(at) => Some(When::Instant(at)),
        Stamp::Local(time) => {
            let year = match time.year {
                Some(year) => year,
                None => years.year_of(time.month),
            };
            time.seconds_in(year).map(When::Local)
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum When {
    Instant(i64),
    Local(i64),
}

fn instant(when: When, clock: &mut LondonClock) -> Option<i64> {
    match when {
        When::Instant(at) => Some(at),
        When::Local(local) => clock.instant_of_local(local),
    }
}

fn looks_like_address(text: &str) -> bool {
    text.len() >= 2
        && text.contains(['.', ':'])
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::owned::Verdict;

    fn utc(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    fn dnsmasq_lines(reference: Date, lines: &[&str]) -> Vec<Verdict> {
        let mut reader = DnsmasqReader::new(reference);
        let mut clock = LondonClock::new();
        lines
            .iter()
            .map(|line| Verdict::of(reader.parse(line, &mut clock, &mut String::new())))
            .collect()
    }

    fn unbound_lines(reference: Date, lines: &[&str]) -> Vec<Verdict> {
        let mut reader = UnboundReader::new(reference);
        let mut clock = LondonClock::new();
        lines
            .iter()
            .map(|line| Verdict::of(reader.parse(line, &mut clock, &mut String::new())))
            .collect()
    }

    const DECEMBER: Date = jiff::civil::date(2026, 12, 31);

    #[test]
    fn a_dnsmasq_query_is_a_hit_and_its_other_lines_are_not() {
        let seen = dnsmasq_lines(
            DECEMBER,
            &[
                "Jan 16 00:38:55 dnsmasq[2349]: query[A] ssw.live.com from 192.168.1.135",
                "Jan 16 00:38:55 dnsmasq[2349]: forwarded ssw.live.com to 8.8.8.8",
                "Jan 16 00:38:55 dnsmasq[2349]: reply ssw.live.com is 13.107.42.11",
                "Jan 16 00:38:56 dnsmasq[2349]: cached ssw.live.com is 13.107.42.11",
                "Jan 16 00:38:57 dnsmasq[2349]: config ads.example is NXDOMAIN",
                "Jan 16 00:38:58 dnsmasq-dhcp[2349]: DHCPACK(eth0) 192.168.1.135 aa:bb:cc:dd:ee:ff laptop",
            ],
        );
        let hit = seen[0].clone().hit();
        assert_eq!(hit.at, utc("2026-01-16T00:38:55Z"));
        assert_eq!(hit.site, "ssw.live.com");
        assert_eq!(hit.client, "192.168.1.135");
        assert_eq!(hit.user, None);
        assert_eq!(hit.bytes, 0);
        assert!(seen[1..].iter().all(|v| *v == Verdict::NotAHit), "{seen:?}");
    }

    #[test]
    fn pihole_host_names_and_extra_logging_are_read() {
        let seen = dnsmasq_lines(
            DECEMBER,
            &[
                "Dec 22 04:30:15 parentalpi dnsmasq[1234]: query[AAAA] WWW.YouTube.com from 192.168.4.31",
                "Sep 15 08:32:47 dnsmasq[2221]: query[A] mykulprint.atrapa.deloitte.com from 192.168.1.169",
                "Mon Sep 28 21:30:01 2026 daemon.info dnsmasq[1]: 106331 192.168.1.249/5001 query[A] 74db6ff77fea4b2e.vercel-dns-016.com from 192.168.1.249",
            ],
        );
        let youtube = seen[0].clone().hit();
        assert_eq!(youtube.site, "www.youtube.com");
        assert_eq!(youtube.at, utc("2026-12-22T04:30:15Z"));
        // 08:32:47 BST on 15 September is 07:32:47 UTC.
        assert_eq!(seen[1].clone().hit().at, utc("2026-09-15T07:32:47Z"));
        let extra = seen[2].clone().hit();
        assert_eq!(extra.client, "192.168.1.249");
        assert_eq!(extra.site, "74db6ff77fea4b2e.vercel-dns-016.com");
        assert_eq!(extra.at, utc("2026-09-28T20:30:01Z"));
    }

    #[test]
    fn dnsmasq_years_turn_at_new_year_against_the_reference() {
        let seen = dnsmasq_lines(
            jiff::civil::date(2027, 1, 2),
            &[
                "Dec 31 23:59:59 dnsmasq[1]: query[A] old.example from 10.0.0.1",
                "Jan  1 00:00:01 dnsmasq[1]: query[A] new.example from 10.0.0.1",
            ],
        );
        assert_eq!(seen[0].clone().hit().at, utc("2026-12-31T23:59:59Z"));
        assert_eq!(seen[1].clone().hit().at, utc("2027-01-01T00:00:01Z"));
    }

    #[test]
    fn a_day_that_does_not_exist_in_the_inferred_year_is_malformed() {
        let seen = dnsmasq_lines(
            jiff::civil::date(2026, 3, 1),
            &["Feb 29 10:00:00 dnsmasq[1]: query[A] a.example from 10.0.0.1"],
        );
        assert!(seen[0].clone().reason().contains("does not exist"));
    }

    #[test]
    fn lines_that_are_not_dnsmasq_say_so() {
        let seen = dnsmasq_lines(
            DECEMBER,
            &[
                "Dec  7 12:00:01 host systemd[1]: Started Session 4 of user pi.",
                "1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://a.example/ - DIRECT/1.2.3.4 text/plain",
                "Dec  7 12:00:01 dnsmasq[1]: query[A] a.example",
            ],
        );
        assert!(seen[0].clone().reason().contains("not a dnsmasq line"));
        assert!(
            seen[1]
                .clone()
                .reason()
                .contains("does not start with a time")
        );
        assert!(seen[2].clone().reason().contains("\"from\""));
    }

    #[test]
    fn unbound_queries_from_its_own_log_and_through_syslog() {
        let seen = unbound_lines(
            DECEMBER,
            &[
                "[1466512058] unbound[17201:0] info: 10.10.10.10 some.domain.com. A IN",
                "Jun 23 14:42:23 dns unbound: [893:0] info: 192.168.1.10 www.Google.com. AAAA IN",
                "Jun 23 14:42:24 dns unbound[893]: [893:0] query: 2001:db8::5 example.org. HTTPS IN",
                // As unbound.conf(5) describes its log file: a colon after the thread.
                "[1466512059] unbound[17201:0]: info: 10.10.10.11 other.example. A IN",
            ],
        );
        let first = seen[0].clone().hit();
        assert_eq!(first.at, 1_466_512_058);
        assert_eq!(first.client, "10.10.10.10");
        assert_eq!(first.site, "some.domain.com");
        let second = seen[1].clone().hit();
        assert_eq!(second.site, "www.google.com");
        assert_eq!(second.at, utc("2026-06-23T13:42:23Z"));
        assert_eq!(seen[2].clone().hit().client, "2001:db8::5");
        assert_eq!(seen[3].clone().hit().site, "other.example");
    }

    #[test]
    fn unbound_notices_resolutions_and_replies_are_not_hits() {
        let seen = unbound_lines(
            DECEMBER,
            &[
                "[1599257005] unbound[1:0] notice: init module 0: validator",
                "[1599257005] unbound[1:0] info: start of service (unbound 1.13.1).",
                "[1599257005] unbound[1:0] info: resolving example.com. A IN",
                "[1599257005] unbound[1:0] info: 127.0.0.1 example.com. A IN NOERROR 0.000000 1 45",
                "[1599257005] unbound[1:0] info: response for example.com. A IN",
            ],
        );
        assert!(seen.iter().all(|v| *v == Verdict::NotAHit), "{seen:?}");
        let other = unbound_lines(DECEMBER, &["[1599257005] named[1:0] info: x"]);
        assert!(other[0].clone().reason().contains("not an Unbound line"));
    }
}
