//! Reading one line of a `domains` or `urls` file into its normal form, or saying plainly what
//! is wrong with it.
//!
//! Entries are written into a buffer the caller reuses, so loading millions of lines allocates
//! nothing per line.

use std::fmt;

/// The longest domain name DNS allows.
pub(super) const MAX_DOMAIN_BYTES: usize = 253;
const MAX_LABEL_BYTES: usize = 63;

/// Why a line of a list was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    /// Not UTF-8 text.
    NotText,
    HasSpace,
    /// A character no domain name has.
    BadCharacter(char),
    /// Letters with accents or other scripts: lists and logs use the `xn--` form.
    NotAscii,
    /// A path in a `domains` file.
    LooksLikeWebAddress,
    /// Only dots, stars or a scheme.
    NoName,
    /// Two dots together.
    EmptyPart,
    TooLong,
    PartTooLong,
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryProblem::NotText => f.write_str(
                "is not plain text (UTF-8). Check the file was not damaged when it was copied.",
            ),
            EntryProblem::HasSpace => {
                f.write_str("has a space in it. Put one domain or address on each line.")
            }
            EntryProblem::BadCharacter(c) => write!(
                f,
                "has the character {c:?}, which cannot be part of a domain name. Correct or remove the line."
            ),
            EntryProblem::NotAscii => f.write_str(
                "has letters outside plain English letters and digits. Write the name in its xn-- form, as it appears in the logs.",
            ),
            EntryProblem::LooksLikeWebAddress => f.write_str(
                "is a web address with a path, not a domain. Move it to the category's urls file.",
            ),
            EntryProblem::NoName => f.write_str("has no domain name in it. Remove the line."),
            EntryProblem::EmptyPart => {
                f.write_str("has two dots together. Correct the name or remove the line.")
            }
            EntryProblem::TooLong => write!(
                f,
                "is longer than a domain name can be ({MAX_DOMAIN_BYTES} characters). Correct or remove the line."
            ),
            EntryProblem::PartTooLong => write!(
                f,
                "has a part between dots longer than {MAX_LABEL_BYTES} characters, which a domain name cannot have. Correct or remove the line."
            ),
        }
    }
}

/// The text of a line that matters: without its comment (`#` to the end) and surrounding space.
/// Empty for blank and comment lines.
pub(super) fn content(line: &str) -> &str {
    let line = line.split_once('#').map_or(line, |(before, _)| before);
    line.trim()
}

/// A line of a `domains` file, lower-cased into `out` (cleared first). `Ok(false)`: nothing on
/// the line. A leading `*.` or `.` (the wildcard of other list formats) is dropped: every entry
/// already matches its sub-domains. So is a trailing dot (DNS's root).
pub(super) fn domain_line(line: &str, out: &mut Vec<u8>) -> Result<bool, EntryProblem> {
    out.clear();
    let text = content(line);
    if text.is_empty() {
        return Ok(false);
    }
    if text.contains('/') {
        return Err(EntryProblem::LooksLikeWebAddress);
    }
    domain(text, out)?;
    Ok(true)
}

/// A line of a `urls` file: the host lower-cased into `host` (without any `www.`-style first
/// part, which [`strip_www`] also takes off the hosts looked up) and the path, from its `/`,
/// lower-cased into `path` (empty when the entry is a host alone). An `http://` or `https://`
/// in front and a port after the host are dropped.
pub(super) fn url_line(
    line: &str,
    host: &mut Vec<u8>,
    path: &mut Vec<u8>,
) -> Result<bool, EntryProblem> {
    host.clear();
    path.clear();
    let text = content(line);
    if text.is_empty() {
        return Ok(false);
    }
    let text = strip_scheme(text);
    let (host_part, path_part) = match text.find('/') {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let host_part = match host_part.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host_part,
    };
    domain(host_part, host)?;
    let without_www = strip_www(host).len();
    host.drain(..host.len() - without_www);
    for c in path_part.chars() {
        if c.is_whitespace() {
            return Err(EntryProblem::HasSpace);
        }
        if c.is_control() {
            return Err(EntryProblem::BadCharacter(c));
        }
    }
    // A path of "/" alone says no more than the host does.
    if path_part != "/" {
        path.extend(path_part.bytes().map(|b| b.to_ascii_lowercase()));
    }
    Ok(true)
}

fn strip_scheme(text: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if text.len() >= scheme.len()
            && text.is_char_boundary(scheme.len())
            && text[..scheme.len()].eq_ignore_ascii_case(scheme)
        {
            return &text[scheme.len()..];
        }
    }
    text
}

/// A host without a first part of `www`, `web` or `ftp` followed by optional digits
/// (`www2.example.com` → `example.com`), as squidGuard, which the UT1 lists were made for,
/// compares URLs. A host that would be left without a dot keeps its first part.
pub(super) fn strip_www(host: &[u8]) -> &[u8] {
    let Some(dot) = host.iter().position(|&b| b == b'.') else {
        return host;
    };
    let (first, rest) = host.split_at(dot);
    let rest = rest.get(1..).unwrap_or(&[]);
    let named = ["www", "web", "ftp"].iter().any(|prefix| {
        first.starts_with(prefix.as_bytes()) && first[prefix.len()..].iter().all(u8::is_ascii_digit)
    });
    if named && rest.contains(&b'.') {
        rest
    } else {
        host
    }
}

/// Checks a domain name and writes it, lower case, into `out`.
fn domain(text: &str, out: &mut Vec<u8>) -> Result<(), EntryProblem> {
    let text = text
        .strip_prefix("*.")
        .or_else(|| text.strip_prefix('.'))
        .unwrap_or(text);
    let text = text.strip_suffix('.').unwrap_or(text);
    if text.is_empty() {
        return Err(EntryProblem::NoName);
    }
    if text.len() > MAX_DOMAIN_BYTES {
        return Err(EntryProblem::TooLong);
    }
    for c in text.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => {}
            c if c.is_whitespace() => return Err(EntryProblem::HasSpace),
            c if !c.is_ascii() && !c.is_control() => return Err(EntryProblem::NotAscii),
            c => return Err(EntryProblem::BadCharacter(c)),
        }
    }
    for label in text.split('.') {
        if label.is_empty() {
            return Err(EntryProblem::EmptyPart);
        }
        if label.len() > MAX_LABEL_BYTES {
            return Err(EntryProblem::PartTooLong);
        }
    }
    out.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain_of(line: &str) -> Result<Option<String>, EntryProblem> {
        let mut out = Vec::new();
        let found = domain_line(line, &mut out)?;
        Ok(found.then(|| String::from_utf8(out).unwrap()))
    }

    fn url_of(line: &str) -> Result<Option<(String, String)>, EntryProblem> {
        let (mut host, mut path) = (Vec::new(), Vec::new());
        let found = url_line(line, &mut host, &mut path)?;
        Ok(found.then(|| {
            (
                String::from_utf8(host).unwrap(),
                String::from_utf8(path).unwrap(),
            )
        }))
    }

    #[test]
    fn domains_are_lower_cased_and_trimmed_and_comments_ignored() {
        assert_eq!(
            domain_of("  Lucky-Spin.EXAMPLE \r").unwrap().as_deref(),
            Some("lucky-spin.example")
        );
        assert_eq!(domain_of("# a comment").unwrap(), None);
        assert_eq!(domain_of("   ").unwrap(), None);
        assert_eq!(
            domain_of("bet.example # added in May").unwrap().as_deref(),
            Some("bet.example")
        );
    }

    #[test]
    fn wildcards_and_trailing_dots_are_dropped_because_sub_domains_match_anyway() {
        assert_eq!(
            domain_of("*.bet.example").unwrap().as_deref(),
            Some("bet.example")
        );
        assert_eq!(
            domain_of(".bet.example").unwrap().as_deref(),
            Some("bet.example")
        );
        assert_eq!(
            domain_of("bet.example.").unwrap().as_deref(),
            Some("bet.example")
        );
        assert_eq!(
            domain_of("192.0.2.7").unwrap().as_deref(),
            Some("192.0.2.7")
        );
    }

    #[test]
    fn malformed_domains_say_what_is_wrong() {
        assert_eq!(domain_of("bet example"), Err(EntryProblem::HasSpace));
        assert_eq!(
            domain_of("bet!.example"),
            Err(EntryProblem::BadCharacter('!'))
        );
        assert_eq!(domain_of("café.example"), Err(EntryProblem::NotAscii));
        assert_eq!(
            domain_of("bet.example/poker"),
            Err(EntryProblem::LooksLikeWebAddress)
        );
        assert_eq!(domain_of("bet..example"), Err(EntryProblem::EmptyPart));
        assert_eq!(domain_of("*."), Err(EntryProblem::NoName));
        let long_label = format!("{}.example", "a".repeat(64));
        assert_eq!(domain_of(&long_label), Err(EntryProblem::PartTooLong));
        let long_name = format!("{}example", "abcdefghi.".repeat(26));
        assert_eq!(domain_of(&long_name), Err(EntryProblem::TooLong));
        assert!(EntryProblem::HasSpace.to_string().contains("one domain"));
    }

    #[test]
    fn url_entries_split_into_host_and_lower_cased_path() {
        assert_eq!(
            url_of("games-portal.example/Casino").unwrap(),
            Some(("games-portal.example".into(), "/casino".into()))
        );
        assert_eq!(
            url_of("http://www2.games-portal.example:8080/casino/").unwrap(),
            Some(("games-portal.example".into(), "/casino/".into()))
        );
        assert_eq!(
            url_of("games-portal.example/").unwrap(),
            Some(("games-portal.example".into(), String::new()))
        );
        assert_eq!(
            url_of("games-portal.example/a b"),
            Err(EntryProblem::HasSpace)
        );
    }

    #[test]
    fn www_like_first_parts_are_stripped_only_when_a_domain_remains() {
        assert_eq!(strip_www(b"www.example.com"), b"example.com");
        assert_eq!(strip_www(b"web3.example.com"), b"example.com");
        assert_eq!(strip_www(b"www.com"), b"www.com");
        assert_eq!(strip_www(b"wwwx.example.com"), b"wwwx.example.com");
        assert_eq!(strip_www(b"news.example.com"), b"news.example.com");
    }
}
