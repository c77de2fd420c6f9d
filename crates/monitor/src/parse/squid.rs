//! Squid's native `access.log`: `time elapsed client code/status bytes method URL user
//! hierarchy/from type`, the time in Unix seconds with milliseconds (UTC), for example
//! `1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://example.com/ - DIRECT/1.2.3.4 text/plain`.
//! `CONNECT host:443` (HTTPS through the proxy) counts as a visit to the host.

use super::{Fields, Parsed, parse_u64, parse_unix_seconds, user_of};
use crate::record::Hit;
use crate::site::{NoSite, target_of_request};

pub(crate) fn parse<'a>(line: &'a str, scratch: &'a mut String) -> Parsed<'a> {
    let mut fields = Fields::new(line);
    let (
        Some(time),
        Some(_elapsed),
        Some(client),
        Some(code),
        Some(bytes),
        Some(_method),
        Some(url),
    ) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    )
    else {
        return Parsed::Malformed(
            "too few fields for Squid's native access.log (time, elapsed, client, result, bytes, method and URL)",
        );
    };
    let Some(at) = parse_unix_seconds(time.as_bytes()) else {
        return Parsed::Malformed("the time is not Unix seconds (like 1286536308.779)");
    };
    if !code.contains('/') {
        return Parsed::Malformed("the result is not a Squid code and status (like TCP_MISS/200)");
    }
    let Some(bytes) = parse_u64(bytes.as_bytes()) else {
        return Parsed::Malformed("the size is not a number of bytes");
    };
    // Squid's own errors (a client that hung up before sending a request) name no site.
    if url.starts_with("error:") {
        return Parsed::NotAHit;
    }
    let user = fields.next().and_then(user_of);
    match target_of_request(url, scratch) {
        Ok(target) => Parsed::Hit(Hit {
            at,
            user,
            client,
            site: target.site,
            path: target.path,
            bytes,
        }),
        Err(NoSite::PathOnly) => Parsed::Malformed(
            "the URL is a path without a site (a web server's log, not a proxy's)",
        ),
        Err(NoSite::Empty) => Parsed::Malformed("the URL names no site"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::owned::Verdict;

    fn read(line: &str) -> Verdict {
        Verdict::of(parse(line, &mut String::new()))
    }

    #[test]
    fn a_plain_http_request_from_the_squid_documentation() {
        let hit = read(
            "1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://liveupdate.symantecliveupdate.com/minitri.flg - DIRECT/125.23.216.203 text/plain",
        )
        .hit();
        assert_eq!(hit.at, 1_286_536_308);
        assert_eq!(hit.client, "192.168.0.224");
        assert_eq!(hit.user, None);
        assert_eq!(hit.site, "liveupdate.symantecliveupdate.com");
        assert_eq!(hit.path.as_deref(), Some("/minitri.flg"));
        assert_eq!(hit.bytes, 411);
    }

    #[test]
    fn connect_with_a_user_name_counts_the_host() {
        let hit = read(
            "1766998800.123   5012 192.168.1.20 TCP_TUNNEL/200 6150 CONNECT www.BBC.co.uk:443 alice HIER_DIRECT/151.101.0.81 -",
        )
        .hit();
        assert_eq!(hit.site, "www.bbc.co.uk");
        assert_eq!(hit.path, None);
        assert_eq!(hit.user.as_deref(), Some("alice"));
        assert_eq!(hit.bytes, 6150);
    }

    #[test]
    fn ipv6_clients_and_sites_are_read() {
        let hit = read(
            "1766998800.001 12 2001:db8::20 TCP_TUNNEL/200 99 CONNECT [2001:DB8::443]:443 - HIER_DIRECT/2001:db8::443 -",
        )
        .hit();
        assert_eq!(hit.client, "2001:db8::20");
        assert_eq!(hit.site, "[2001:db8::443]");
    }

    #[test]
    fn squid_error_lines_are_not_hits_and_broken_lines_say_why() {
        assert_eq!(
            read(
                "1766998800.001      0 192.168.1.20 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- -"
            ),
            Verdict::NotAHit
        );
        assert!(
            read("1766998800.001 0 192.168.1.20")
                .reason()
                .contains("too few fields")
        );
        assert!(
            read("Dec  7 12:00:01 dnsmasq[123]: query[A] example.com from 192.168.1.5")
                .reason()
                .contains("Unix seconds")
        );
        assert!(
            read(
                "1766998800.001 0 192.168.1.20 TCP_MISS/200 many GET http://a.example/ - DIRECT/- -"
            )
            .reason()
            .contains("bytes")
        );
        assert!(
            read("1766998800.001 0 192.168.1.20 TCP_MISS/200 10 GET /index.html - DIRECT/- -")
                .reason()
                .contains("without a site")
        );
    }
}
