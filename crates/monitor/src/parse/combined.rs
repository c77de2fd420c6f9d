//! The common and combined log formats (Apache, nginx, Squid's `common`/`combined`
//! logformats), one parser for both: common simply ends after the size, combined adds the
//! referer and user agent, and anything after the size is ignored.
//! `client ident user [10/Oct/2000:13:55:36 -0700] "METHOD target HTTP/1.1" status bytes ...`
//!
//! Only a forward proxy's log says which site was visited: its requests carry an absolute URL
//! (`GET http://host/path`) or `CONNECT host:443`. A web server's own log (`GET /index.html`)
//! does not, and its lines are malformed with a reason that says so.

use super::{Fields, Parsed, parse_bytes, parse_u64, user_of};
use crate::clock::{civil_seconds, month_from_abbreviation};
use crate::record::Hit;
use crate::site::{NoSite, target_of_request};

pub(crate) fn parse<'a>(line: &'a str, scratch: &'a mut String) -> Parsed<'a> {
    let mut fields = Fields::new(line);
    let (Some(client), Some(_ident), Some(user)) = (fields.next(), fields.next(), fields.next())
    else {
        return Parsed::Malformed("too few fields for a common or combined log line");
    };
    let after_user = fields.rest();
    let Some(stamp) = after_user
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
    else {
        return Parsed::Malformed(
            "no time in square brackets after the user (like [10/Oct/2000:13:55:36 -0700])",
        );
    };
    let (time, after_time) = stamp;
    let Some(at) = parse_apache_time(time.as_bytes()) else {
        return Parsed::Malformed("the time is not like [10/Oct/2000:13:55:36 -0700]");
    };
    let Some((request, after_request)) = quoted(after_time.trim_start()) else {
        return Parsed::Malformed("no request in double quotes after the time");
    };
    let mut rest = Fields::new(after_request);
    let (Some(status), Some(size)) = (rest.next(), rest.next()) else {
        return Parsed::Malformed("no status and size after the request");
    };
    if status.len() != 3 || parse_u64(status.as_bytes()).is_none() {
        return Parsed::Malformed("the status after the request is not a three-digit number");
    }
    let Some(bytes) = parse_bytes(size) else {
        return Parsed::Malformed("the size after the status is not a number of bytes");
    };
    let mut words = Fields::new(request);
    let (Some(_method), Some(target)) = (words.next(), words.next()) else {
        return Parsed::Malformed(
            "the request is not a method and a URL (a client that sent no request?)",
        );
    };
    match target_of_request(target, scratch) {
        Ok(target) => Parsed::Hit(Hit {
            at,
            user: user_of(user),
            client,
            site: target.site,
            path: target.path,
            bytes,
        }),
        Err(NoSite::PathOnly) => Parsed::Malformed(
            "the request names no site (like GET /index.html): this is a web server's own log, not a proxy's",
        ),
        Err(NoSite::Empty) => Parsed::Malformed("the request's URL names no site"),
    }
}

/// `"..."` at the start of `text`: the inside and what follows the closing quote. Apache writes
/// a quote inside the request as `\"`, so an escaped quote does not end it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let inside = text.strip_prefix('"')?;
    let bytes = inside.as_bytes();
    let mut from = 0;
    loop {
        let close = from + memchr::memchr(b'"', &bytes[from..])?;
        if close > 0 && bytes[close - 1] == b'\\' {
            from = close + 1;
            continue;
        }
        return Some((inside.get(..close)?, inside.get(close + 1..)?));
    }
}

/// `10/Oct/2000:13:55:36 -0700` to Unix seconds.
fn parse_apache_time(bytes: &[u8]) -> Option<i64> {
    let [
        d1,
        d2,
        b'/',
        m1,
        m2,
        m3,
        b'/',
        y1,
        y2,
        y3,
        y4,
        b':',
        h1,
        h2,
        b':',
        n1,
        n2,
        b':',
        s1,
        s2,
        b' ',
        sign,
        o1,
        o2,
        o3,
        o4,
    ] = bytes
    else {
        return None;
    };
    let number = |digits: &[u8]| parse_u64(digits).and_then(|v| u32::try_from(v).ok());
    let day = number(&[*d1, *d2])?;
    let month = month_from_abbreviation(&[*m1, *m2, *m3])?;
    let year = i64::from(number(&[*y1, *y2, *y3, *y4])?);
    let local = civil_seconds(
        year,
        month,
        day,
        number(&[*h1, *h2])?,
        number(&[*n1, *n2])?,
        number(&[*s1, *s2])?,
    )?;
    let offset = i64::from(number(&[*o1, *o2])? * 3600 + number(&[*o3, *o4])? * 60);
    match sign {
        b'+' => Some(local - offset),
        b'-' => Some(local + offset),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::owned::Verdict;

    fn read(line: &str) -> Verdict {
        Verdict::of(parse(line, &mut String::new()))
    }

    fn utc(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn a_combined_line_from_a_forward_proxy() {
        let hit = read(
            r#"192.168.1.5 - alice [07/Dec/2026:09:00:01 +0000] "CONNECT www.X.co.uk:443 HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)""#,
        )
        .hit();
        assert_eq!(hit.at, utc("2026-12-07T09:00:01Z"));
        assert_eq!(hit.client, "192.168.1.5");
        assert_eq!(hit.user.as_deref(), Some("alice"));
        assert_eq!(hit.site, "www.x.co.uk");
        assert_eq!(hit.path, None);
        assert_eq!(hit.bytes, 5120);
    }

    #[test]
    fn a_common_line_from_squid_with_an_absolute_url() {
        // Squid's `common` logformat: no referer or agent, then Squid's own status.
        let hit = read(
            r#"192.168.0.224 - - [10/Oct/2000:13:55:36 -0700] "GET http://www.example.com/start.html HTTP/1.0" 200 2326 TCP_MISS:HIER_DIRECT"#,
        )
        .hit();
        assert_eq!(hit.at, utc("2000-10-10T20:55:36Z"));
        assert_eq!(hit.user, None);
        assert_eq!(hit.site, "www.example.com");
        assert_eq!(hit.path.as_deref(), Some("/start.html"));
        assert_eq!(hit.bytes, 2326);
    }

    #[test]
    fn the_apache_documentation_line_is_a_web_servers_log_and_says_so() {
        // The example of Apache's log documentation: a request for a path on the server itself.
        let reason = read(
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#,
        )
        .reason();
        assert!(reason.contains("web server's own log"), "{reason}");
    }

    #[test]
    fn no_body_is_zero_bytes_and_escaped_quotes_stay_inside_the_request() {
        let hit = read(
            r#"10.0.0.9 - - [07/Dec/2026:09:00:01 +0100] "GET http://a.example/say?\"hi\" HTTP/1.1" 304 - "-" "curl/8""#,
        )
        .hit();
        assert_eq!(hit.bytes, 0);
        assert_eq!(hit.site, "a.example");
        assert_eq!(hit.at, utc("2026-12-07T08:00:01Z"));
    }

    #[test]
    fn broken_lines_say_what_is_wrong() {
        assert!(read("192.168.1.5 - -").reason().contains("no time"));
        assert!(
            read(r#"192.168.1.5 - - [07/Dec/2026:09:00:01] "GET http://a/ HTTP/1.1" 200 1"#)
                .reason()
                .contains("the time")
        );
        assert!(
            read(r#"192.168.1.5 - - [07/Dec/2026:09:00:01 +0000] "-" 408 0 "-" "-""#)
                .reason()
                .contains("not a method and a URL")
        );
        assert!(
            read(r#"192.168.1.5 - - [07/Dec/2026:09:00:01 +0000] "GET http://a/ HTTP/1.1" 2000 1"#)
                .reason()
                .contains("three-digit")
        );
        assert!(
            read(r#"192.168.1.5 - - [07/Dec/2026:09:00:01 +0000] "GET http://a/ HTTP/1.1"#)
                .reason()
                .contains("double quotes")
        );
    }
}
