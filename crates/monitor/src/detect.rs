//! Guessing a log's format from its first lines, so a file read with the wrong `--format` gets
//! a message naming the format it looks like instead of a wall of malformed lines.
//!
//! Each format has a shape test that looks only at the layout (where the time is, which
//! program's tag follows it), not at whether the line would be a usable hit: a web server's
//! combined log still looks combined, though none of its requests name a site.

use crate::format::FormatKind;
use crate::parse::Fields;
use crate::parse::dns::find_tag;
use crate::parse::stamp::syslog_stamp;
use serde::Serialize;

/// How many non-blank lines detection looks at.
pub const DETECTION_LINES: usize = 20;

/// What the first lines of a file look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The format most of the lines fit, or None if no format fits more than half of them.
    #[serde(serialize_with = "serialize_kind")]
    pub likely: Option<FormatKind>,
    /// Non-blank lines looked at.
    pub examined: usize,
    /// Of those, the lines that fit `likely`.
    pub matching: usize,
}

fn serialize_kind<S: serde::Serializer>(
    kind: &Option<FormatKind>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match kind {
        Some(kind) => serializer.serialize_some(kind.name()),
        None => serializer.serialize_none(),
    }
}

const CANDIDATES: [FormatKind; 5] = [
    FormatKind::Squid,
    FormatKind::Combined,
    FormatKind::Dnsmasq,
    FormatKind::Unbound,
    FormatKind::Csv,
];

/// Names the most likely format of the first lines of a file (up to [`DETECTION_LINES`]
/// non-blank lines are looked at; a cut-off last line is ignored).
pub fn detect(first_lines: &[u8]) -> Detection {
    let mut lines: Vec<String> = Vec::with_capacity(DETECTION_LINES);
    let complete = match first_lines.iter().rposition(|&b| b == b'\n') {
        Some(end) if end + 1 < first_lines.len() => &first_lines[..=end],
        _ => first_lines,
    };
    for line in complete.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        lines.push(String::from_utf8_lossy(line).into_owned());
        if lines.len() == DETECTION_LINES {
            break;
        }
    }
    let examined = lines.len();
    let mut best = Detection {
        likely: None,
        examined,
        matching: 0,
    };
    for kind in CANDIDATES {
        let matching = match kind {
            FormatKind::Csv => csv_matches(&lines),
            _ => lines.iter().filter(|line| fits(kind, line)).count(),
        };
        if matching * 2 > examined && matching > best.matching {
            best.likely = Some(kind);
            best.matching = matching;
        }
    }
    best
}

/// Whether one line has the layout of `kind`.
fn fits(kind: FormatKind, line: &str) -> bool {
    let mut fields = Fields::new(line);
    match kind {
        FormatKind::Squid => {
            let (Some(time), Some(elapsed), Some(_client), Some(code), Some(size)) = (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) else {
                return false;
            };
            time.split_once('.')
                .is_some_and(|(whole, fraction)| all_digits(whole) && all_digits(fraction))
                && all_digits(elapsed)
                && code.contains('/')
                && all_digits(size)
        }
        FormatKind::Combined => {
            let (Some(_), Some(_), Some(_)) = (fields.next(), fields.next(), fields.next()) else {
                return false;
            };
            let rest = fields.rest();
            rest.starts_with('[') && rest.contains("] \"")
        }
        FormatKind::Dnsmasq => {
            syslog_stamp(&mut fields).is_some()
                && find_tag(&mut fields, "dnsmasq", &['[', ':', '-']).is_some()
        }
        FormatKind::Unbound => {
            syslog_stamp(&mut fields).is_some()
                && find_tag(&mut fields, "unbound", &['[', ':']).is_some()
        }
        FormatKind::Csv => false,
    }
}

/// Lines with at least two commas, as many as the first line has (outside quotes).
fn csv_matches(lines: &[String]) -> usize {
    let commas = |line: &str| {
        let mut quoted = false;
        line.bytes()
            .filter(|&b| {
                if b == b'"' {
                    quoted = !quoted;
                }
                b == b',' && !quoted
            })
            .count()
    };
    let Some(first) = lines.first().map(|line| commas(line)) else {
        return 0;
    };
    if first < 2 {
        return 0;
    }
    lines.iter().filter(|line| commas(line) == first).count()
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUID: &str = "1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://liveupdate.symantecliveupdate.com/minitri.flg - DIRECT/125.23.216.203 text/plain\n\
        1286536309.001   5012 192.168.1.20 TCP_TUNNEL/200 6150 CONNECT www.bbc.co.uk:443 alice HIER_DIRECT/151.101.0.81 -\n";
    const COMBINED: &str = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\n\
        192.168.1.5 - alice [07/Dec/2026:09:00:01 +0000] \"CONNECT www.x.co.uk:443 HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\"\n";
    const DNSMASQ: &str = "Jan 16 00:38:55 dnsmasq[2349]: query[A] ssw.live.com from 192.168.1.135\n\
        Jan 16 00:38:55 dnsmasq[2349]: forwarded ssw.live.com to 8.8.8.8\n\
        Jan 16 00:38:55 dnsmasq[2349]: reply ssw.live.com is 13.107.42.11\n";
    const UNBOUND: &str = "[1466512058] unbound[17201:0] info: 10.10.10.10 some.domain.com. A IN\n\
        [1466512059] unbound[17201:0] info: 10.10.10.11 example.org. AAAA IN\n";
    const CSV: &str = "Timestamp,Domain,Query Type,Client IP\n\
        2026-12-07T09:00:01Z,www.bbc.co.uk,A,192.168.1.5\n\
        2026-12-07T09:00:02Z,\"odd,name.example\",A,192.168.1.5\n";

    #[test]
    fn each_format_is_recognised_from_its_first_lines() {
        for (text, kind) in [
            (SQUID, FormatKind::Squid),
            (COMBINED, FormatKind::Combined),
            (DNSMASQ, FormatKind::Dnsmasq),
            (UNBOUND, FormatKind::Unbound),
            (CSV, FormatKind::Csv),
        ] {
            let detection = detect(text.as_bytes());
            assert_eq!(detection.likely, Some(kind), "{text}");
            assert_eq!(detection.matching, detection.examined, "{text}");
        }
    }

    #[test]
    fn text_that_is_no_log_is_not_given_a_format() {
        let detection = detect(b"Dear Clerk,\nplease find attached the minutes.\n\nThanks\n");
        assert_eq!(detection.likely, None);
        assert_eq!(detection.examined, 3);
        assert_eq!(detect(b"").likely, None);
    }

    #[test]
    fn a_cut_off_last_line_and_a_byte_order_mark_do_not_count() {
        let mut text = format!("\u{feff}{DNSMASQ}");
        text.push_str("Jan 16 00:38");
        let detection = detect(text.as_bytes());
        assert_eq!(detection.likely, Some(FormatKind::Dnsmasq));
        assert_eq!(detection.examined, 3);
    }

    #[test]
    fn only_the_first_twenty_lines_are_looked_at() {
        let mut text = DNSMASQ.repeat(7);
        text.push_str(&SQUID.repeat(30));
        let detection = detect(text.as_bytes());
        assert_eq!(detection.examined, DETECTION_LINES);
        assert_eq!(detection.likely, Some(FormatKind::Dnsmasq));
    }
}
