//! Which site a request or query was for: the host of `http://host[:port]/path`, of
//! `CONNECT host:443`, or a DNS name, in one spelling whatever the log wrote: lower case, no
//! port, no trailing dot, IPv6 literals kept in their brackets. The path is kept for plain-HTTP
//! URLs only (the policy's daily log is of sites; URL category lists need the path, and only
//! unencrypted requests show it), without its query string, which may carry someone's tokens.
//!
//! Nothing is copied unless the name has capitals: the result borrows from the line or, when it
//! must be lowered, from a scratch buffer the caller reuses.

/// A site name and, for plain HTTP, the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    pub site: &'a str,
    pub path: Option<&'a str>,
}

/// Why a request's target named no site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoSite {
    /// `GET /index.html`: a web server's own log, which does not say which site.
    PathOnly,
    /// Nothing usable where the host should be.
    Empty,
}

/// The site of a proxy request's target: an absolute URL, or `host:port` (CONNECT).
pub(crate) fn target_of_request<'a>(
    target: &'a str,
    scratch: &'a mut String,
) -> Result<Target<'a>, NoSite> {
    if target.starts_with('/') {
        return Err(NoSite::PathOnly);
    }
    let Some(colon) = scheme_end(target) else {
        return Ok(Target {
            site: site_of_host(target, scratch)?,
            path: None,
        });
    };
    let plain_http = target
        .get(..colon)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http"));
    let rest = target.get(colon + 3..).unwrap_or("");
    let end = memchr::memchr3(b'/', b'?', b'#', rest.as_bytes()).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(end);
    let path = if plain_http && after.starts_with('/') {
        let path_end = memchr::memchr2(b'?', b'#', after.as_bytes()).unwrap_or(after.len());
        after.get(..path_end)
    } else {
        None
    };
    Ok(Target {
        site: site_of_host(authority, scratch)?,
        path,
    })
}

/// Where `scheme://` ends in a URL (the index of its colon), found by the first colon: a
/// substring search per line costs more than the rest of the parsing.
fn scheme_end(target: &str) -> Option<usize> {
    let colon = memchr::memchr(b':', target.as_bytes())?;
    target
        .as_bytes()
        .get(colon + 1..colon + 3)
        .filter(|slashes| *slashes == b"//")?;
    Some(colon)
}

/// The site of a host name, `host:port`, `[v6]:port` or `user:password@host`, as DNS logs,
/// CONNECT and URLs give it. One pass over the bytes finds the credentials' end, the port's
/// colon and any capitals (this runs for every line of a log).
pub(crate) fn site_of_host<'a>(host: &'a str, scratch: &'a mut String) -> Result<&'a str, NoSite> {
    let bytes = host.as_bytes();
    let mut start = 0;
    let mut last_colon = 0;
    let mut colons = 0;
    let mut capitals = false;
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            // The credentials are never kept.
            b'@' => {
                start = index + 1;
                colons = 0;
                capitals = false;
            }
            b':' => {
                last_colon = index;
                colons += 1;
            }
            b'A'..=b'Z' => capitals = true,
            _ => {}
        }
    }
    let end = if bytes.get(start) == Some(&b'[') {
        // `[2001:db8::1]:443`: up to the closing bracket.
        memchr::memchr(b']', &bytes[start..]).map_or(bytes.len(), |close| start + close + 1)
    } else if colons == 1 && bytes[last_colon + 1..].iter().all(u8::is_ascii_digit) {
        last_colon
    } else {
        // No port, or a bare IPv6 address (several colons, no brackets): all of it.
        bytes.len()
    };
    let mut site = host.get(start..end).ok_or(NoSite::Empty)?;
    site = site.strip_suffix('.').unwrap_or(site);
    if site.is_empty() || site == "-" {
        return Err(NoSite::Empty);
    }
    if capitals {
        scratch.clear();
        scratch.push_str(site);
        scratch.make_ascii_lowercase();
        Ok(scratch.as_str())
    } else {
        Ok(site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str) -> Result<(String, Option<String>), NoSite> {
        let mut scratch = String::new();
        target_of_request(target, &mut scratch)
            .map(|t| (t.site.to_owned(), t.path.map(str::to_owned)))
    }

    fn site(target: &str) -> String {
        request(target).unwrap().0
    }

    #[test]
    fn a_plain_http_url_gives_its_host_and_path_without_the_query() {
        assert_eq!(
            request("http://liveupdate.symantecliveupdate.com/minitri.flg").unwrap(),
            (
                "liveupdate.symantecliveupdate.com".to_owned(),
                Some("/minitri.flg".to_owned())
            )
        );
        assert_eq!(
            request("http://www.example.com:8080/search?q=private#top").unwrap(),
            ("www.example.com".to_owned(), Some("/search".to_owned()))
        );
        assert_eq!(
            request("http://www.example.com").unwrap(),
            ("www.example.com".to_owned(), None)
        );
    }

    #[test]
    fn https_and_other_schemes_give_the_host_only() {
        assert_eq!(
            request("https://www.gov.uk/browse/benefits").unwrap(),
            ("www.gov.uk".to_owned(), None)
        );
        assert_eq!(
            request("ftp://ftp.debian.org/debian/").unwrap(),
            ("ftp.debian.org".to_owned(), None)
        );
    }

    #[test]
    fn connect_targets_are_their_host() {
        assert_eq!(site("www.google.com:443"), "www.google.com");
        assert_eq!(
            site("login.microsoftonline.com:443"),
            "login.microsoftonline.com"
        );
    }

    #[test]
    fn ipv6_literals_keep_their_brackets() {
        assert_eq!(site("[2001:DB8::1]:443"), "[2001:db8::1]");
        assert_eq!(site("http://[::1]:8080/status"), "[::1]");
        assert_eq!(site("2001:db8::1"), "2001:db8::1");
    }

    #[test]
    fn capitals_are_lowered_and_the_trailing_dot_removed() {
        assert_eq!(site("http://WWW.Example.COM/Path"), "www.example.com");
        assert_eq!(site("www.bbc.co.uk.:443"), "www.bbc.co.uk");
        let mut scratch = String::new();
        assert_eq!(
            site_of_host("wWw.ExAmPlE.cOm.", &mut scratch),
            Ok("www.example.com")
        );
    }

    #[test]
    fn credentials_in_a_url_are_dropped() {
        assert_eq!(
            request("http://alice:s3cret@intranet.example/files").unwrap(),
            ("intranet.example".to_owned(), Some("/files".to_owned()))
        );
    }

    #[test]
    fn a_path_alone_or_an_empty_host_is_no_site() {
        assert_eq!(request("/index.html"), Err(NoSite::PathOnly));
        assert_eq!(request("http:///path"), Err(NoSite::Empty));
        assert_eq!(request(":443"), Err(NoSite::Empty));
        assert_eq!(request("-"), Err(NoSite::Empty));
    }
}
