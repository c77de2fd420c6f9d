//! Writing one request or query as a line of each log format: Squid's native `access.log`, the
//! combined format of a forward proxy (Squid, Apache or nginx), and dnsmasq's query log with the
//! `forwarded`/`reply`/`cached` lines that follow a query in a real one.

use super::rng::SplitMix64;
use super::traffic::Minute;
use std::io::{self, Write};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// dnsmasq's process id, which every line of its log repeats.
const DNSMASQ_PID: u32 = 812;

/// A moment inside a minute of the period.
#[derive(Debug, Clone, Copy)]
pub struct Moment<'a> {
    pub minute: &'a Minute,
    /// Milliseconds after the start of the minute, below 60,000.
    pub millis: u32,
}

impl Moment<'_> {
    fn second(&self) -> u32 {
        self.millis / 1000
    }

    fn month_name(&self) -> &'static str {
        let index = usize::try_from(self.minute.month - 1).unwrap_or(0);
        MONTHS.get(index).copied().unwrap_or("Jan")
    }
}

/// What kind of thing was fetched over plain HTTP, which decides the path, the content type and
/// the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetched {
    Page,
    Image,
    Script,
    Document,
    Icon,
}

/// One request through the proxy, drawn at random; the host is chosen by the caller.
#[derive(Debug, Clone)]
pub struct ProxyRequest {
    pub method: &'static str,
    /// `CONNECT host:443` rather than an absolute `http://` URL.
    pub tunnel: bool,
    /// Squid's result code (`TCP_MISS`), status and the response size as Squid logs it
    /// (headers included).
    pub result: &'static str,
    pub status: u16,
    pub bytes: u64,
    pub elapsed_ms: u64,
    pub content_type: &'static str,
    /// Answered by the proxy itself (a cache hit or a refusal), so no server address is logged.
    pub from_proxy: bool,
    /// Refused for want of a proxy sign-in (407), so no user name is logged even for a client
    /// that has one.
    pub anonymous: bool,
    /// The path after the host, for plain HTTP.
    pub path: String,
}

impl ProxyRequest {
    pub fn draw(rng: &mut SplitMix64, signs_in: bool) -> ProxyRequest {
        let mut request = ProxyRequest {
            method: "CONNECT",
            tunnel: true,
            result: "TCP_TUNNEL",
            status: 200,
            bytes: 0,
            elapsed_ms: 0,
            content_type: "-",
            from_proxy: false,
            anonymous: false,
            path: String::new(),
        };
        // Four requests in five are HTTPS, seen by the proxy only as a tunnel to the host.
        if rng.chance(800) {
            match rng.below(1000) {
                0..20 => request.refuse(rng, 403),
                20..30 if signs_in => request.refuse(rng, 407),
                _ => {
                    request.bytes = rng.heavy_tail(11, 31);
                    request.elapsed_ms = rng.heavy_tail(5, 20);
                }
            }
            return request;
        }
        request.tunnel = false;
        request.method = match rng.below(1000) {
            0..25 => "POST",
            25..35 => "HEAD",
            _ => "GET",
        };
        let fetched = request.draw_path(rng);
        request.elapsed_ms = rng.heavy_tail(3, 14);
        match rng.below(1000) {
            0..30 => request.refuse(rng, 403),
            30..130 => request.answer(rng, "TCP_HIT", 200, fetched, true),
            130..180 => request.answer(rng, "TCP_MEM_HIT", 200, fetched, true),
            180..230 => request.answer(rng, "TCP_REFRESH_UNMODIFIED", 304, fetched, false),
            230..280 => request.answer(rng, "TCP_MISS", 304, fetched, false),
            280..310 => request.answer(rng, "TCP_MISS", 301, fetched, false),
            310..340 => request.answer(rng, "TCP_MISS", 302, fetched, false),
            340..380 => request.answer(rng, "TCP_MISS", 404, fetched, false),
            380..390 => request.answer(rng, "TCP_MISS", 500, fetched, false),
            390..395 => request.answer(rng, "TCP_MISS", 503, fetched, false),
            _ => request.answer(rng, "TCP_MISS", 200, fetched, false),
        }
        request
    }

    fn refuse(&mut self, rng: &mut SplitMix64, status: u16) {
        self.result = "TCP_DENIED";
        self.status = status;
        self.bytes = 3_800 + rng.below(300);
        self.elapsed_ms = rng.below(3);
        self.content_type = "text/html";
        self.from_proxy = true;
        self.anonymous = status == 407;
    }

    fn answer(
        &mut self,
        rng: &mut SplitMix64,
        result: &'static str,
        status: u16,
        fetched: Fetched,
        from_cache: bool,
    ) {
        self.result = result;
        self.status = status;
        self.from_proxy = from_cache;
        if from_cache {
            self.elapsed_ms = rng.below(5);
        }
        let headers = 250 + rng.below(350);
        self.bytes = match status {
            200 if self.method == "HEAD" => headers,
            200 => {
                headers
                    + match fetched {
                        Fetched::Page => rng.heavy_tail(10, 22),
                        Fetched::Image => rng.heavy_tail(11, 23),
                        Fetched::Script => rng.heavy_tail(10, 18),
                        Fetched::Document => rng.heavy_tail(15, 25),
                        Fetched::Icon => 1_000 + rng.below(4_000),
                    }
            }
            304 => headers,
            301 | 302 => headers + 100 + rng.below(300),
            _ => headers + 200 + rng.below(3_500),
        };
        self.content_type = match (status, fetched) {
            (304, _) => "-",
            (200, Fetched::Image) => "image/jpeg",
            (200, Fetched::Script) => "application/javascript",
            (200, Fetched::Document) => "application/pdf",
            (200, Fetched::Icon) => "image/x-icon",
            _ => "text/html",
        };
    }

    fn draw_path(&mut self, rng: &mut SplitMix64) -> Fetched {
        use std::fmt::Write as _;
        let path = &mut self.path;
        path.clear();
        let number = rng.below(5_000);
        // Writing to a String cannot fail.
        let (fetched, _) = match rng.below(100) {
            0..15 => (Fetched::Page, write!(path, "/")),
            15..35 => (Fetched::Page, write!(path, "/news/{number}/story.html")),
            35..45 => (
                Fetched::Page,
                write!(path, "/search?q=parish+council+{number}"),
            ),
            45..70 => (Fetched::Image, write!(path, "/images/photo{number}.jpg")),
            70..85 => (Fetched::Script, write!(path, "/static/app.{number}.js")),
            85..90 => (
                Fetched::Document,
                write!(path, "/downloads/minutes-{number}.pdf"),
            ),
            90..95 => (Fetched::Icon, write!(path, "/favicon.ico")),
            _ => (Fetched::Page, write!(path, "/api/v1/items/{number}")),
        };
        fetched
    }
}

/// A documentation-range address standing for the server of a host.
fn server_address(host_id: u64) -> (u8, u8, u8, u8) {
    let mixed = host_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    let (a, b, c) = match mixed % 3 {
        0 => (203, 0, 113),
        1 => (198, 51, 100),
        _ => (192, 0, 2),
    };
    (a, b, c, 1 + ((mixed >> 8) % 254) as u8)
}

/// Writes one Squid native `access.log` line (Squid's default `logformat squid`:
/// `%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt`) and returns the bytes logged.
pub fn write_squid(
    out: &mut impl Write,
    at: Moment<'_>,
    client: &str,
    user: Option<&str>,
    host: &str,
    host_id: u64,
    request: &ProxyRequest,
) -> io::Result<u64> {
    write!(
        out,
        "{}.{:03} {:>6} {client} {}/{:03} {} {} ",
        at.minute.epoch + i64::from(at.second()),
        at.millis % 1000,
        request.elapsed_ms,
        request.result,
        request.status,
        request.bytes,
        request.method,
    )?;
    if request.tunnel {
        write!(out, "{host}:443 ")?;
    } else {
        write!(out, "http://{host}{} ", request.path)?;
    }
    let user = if request.anonymous { None } else { user };
    write!(out, "{} ", user.unwrap_or("-"))?;
    if request.from_proxy {
        out.write_all(b"HIER_NONE/- ")?;
    } else {
        let (a, b, c, d) = server_address(host_id);
        write!(out, "HIER_DIRECT/{a}.{b}.{c}.{d} ")?;
    }
    writeln!(out, "{}", request.content_type)?;
    Ok(request.bytes)
}

/// Writes one combined-format line, as a forward proxy logs it (absolute URLs, `CONNECT`),
/// with local time and its offset, and returns the bytes logged: the body, so a 304's size is
/// `-` as Apache and nginx write it.
#[expect(clippy::too_many_arguments, reason = "one line's worth of fields")]
pub fn write_combined(
    out: &mut impl Write,
    at: Moment<'_>,
    client: &str,
    user: Option<&str>,
    agent: &str,
    host: &str,
    refer: bool,
    request: &ProxyRequest,
) -> io::Result<u64> {
    let minute = at.minute;
    let offset_minutes = minute.offset_seconds / 60;
    let user = if request.anonymous { None } else { user };
    write!(
        out,
        "{client} - {} [{:02}/{}/{}:{:02}:{:02}:{:02} {}{:02}{:02}] \"{} ",
        user.unwrap_or("-"),
        minute.day,
        at.month_name(),
        minute.year,
        minute.hour,
        minute.minute,
        at.second(),
        if offset_minutes < 0 { '-' } else { '+' },
        offset_minutes.abs() / 60,
        offset_minutes.abs() % 60,
        request.method,
    )?;
    if request.tunnel {
        write!(out, "{host}:443")?;
    } else {
        write!(out, "http://{host}{}", request.path)?;
    }
    write!(out, " HTTP/1.1\" {} ", request.status)?;
    let body = if request.status == 304 {
        out.write_all(b"-")?;
        0
    } else {
        write!(out, "{}", request.bytes)?;
        request.bytes
    };
    if refer && !request.tunnel {
        writeln!(out, " \"http://{host}/\" \"{agent}\"")?;
    } else {
        writeln!(out, " \"-\" \"{agent}\"")?;
    }
    Ok(body)
}

fn write_dnsmasq_prefix(out: &mut impl Write, at: Moment<'_>) -> io::Result<()> {
    let minute = at.minute;
    write!(
        out,
        "{} {:>2} {:02}:{:02}:{:02} dnsmasq[{DNSMASQ_PID}]: ",
        at.month_name(),
        minute.day,
        minute.hour,
        minute.minute,
        at.second()
    )
}

/// The record type of a DNS query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryType {
    A,
    Aaaa,
    Https,
}

impl QueryType {
    pub fn draw(rng: &mut SplitMix64) -> QueryType {
        match rng.below(100) {
            0..55 => QueryType::A,
            55..95 => QueryType::Aaaa,
            _ => QueryType::Https,
        }
    }

    fn name(self) -> &'static str {
        match self {
            QueryType::A => "A",
            QueryType::Aaaa => "AAAA",
            QueryType::Https => "HTTPS",
        }
    }
}

/// Writes a dnsmasq query line (`query[A] host from client`): the only kind of line that is a
/// hit.
pub fn write_dnsmasq_query(
    out: &mut impl Write,
    at: Moment<'_>,
    kind: QueryType,
    host: &str,
    client: &str,
) -> io::Result<()> {
    write_dnsmasq_prefix(out, at)?;
    writeln!(out, "query[{}] {host} from {client}", kind.name())
}

/// Writes up to `room` of the lines dnsmasq logs after a query (forwarded upstream, the reply,
/// or the answer from its cache), same second, and returns how many it wrote. None of them is
/// a hit.
pub fn write_dnsmasq_followers(
    out: &mut impl Write,
    rng: &mut SplitMix64,
    at: Moment<'_>,
    kind: QueryType,
    host: &str,
    host_id: u64,
    room: u64,
) -> io::Result<u64> {
    let (a, b, c, d) = server_address(host_id);
    let ipv4 = format!("{a}.{b}.{c}.{d}");
    let ipv6 = format!("2001:db8::{:x}", host_id % 0xFFFF + 1);
    let upstream = if host_id & 1 == 0 {
        "1.1.1.1"
    } else {
        "9.9.9.9"
    };
    let mut lines: Vec<String> = Vec::with_capacity(3);
    let draw = rng.below(1000);
    match kind {
        QueryType::A => match draw {
            0..350 => lines.push(format!("cached {host} is {ipv4}")),
            350..850 => {
                lines.push(format!("forwarded {host} to {upstream}"));
                lines.push(format!("reply {host} is {ipv4}"));
            }
            850..970 => {
                lines.push(format!("forwarded {host} to {upstream}"));
                lines.push(format!("reply {host} is <CNAME>"));
                lines.push(format!(
                    "reply e{}.a.akamaiedge.net is {ipv4}",
                    host_id % 9000
                ));
            }
            // A host the council blocks with `address=/host/0.0.0.0`.
            _ => lines.push(format!("config {host} is 0.0.0.0")),
        },
        QueryType::Aaaa => match draw {
            0..400 => lines.push(format!("cached {host} is NODATA-IPv6")),
            400..700 => lines.push(format!("cached {host} is {ipv6}")),
            _ => {
                lines.push(format!("forwarded {host} to {upstream}"));
                lines.push(format!("reply {host} is {ipv6}"));
            }
        },
        QueryType::Https => {
            lines.push(format!("forwarded {host} to {upstream}"));
            lines.push(format!("reply {host} is NODATA"));
        }
    }
    let mut written = 0;
    for line in lines
        .iter()
        .take(usize::try_from(room).unwrap_or(usize::MAX))
    {
        write_dnsmasq_prefix(out, at)?;
        writeln!(out, "{line}")?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute() -> Minute {
        Minute {
            epoch: 1_796_634_000,
            year: 2026,
            month: 12,
            day: 7,
            hour: 9,
            minute: 0,
            offset_seconds: 0,
            weekend: false,
            day_index: 0,
        }
    }

    fn tunnel() -> ProxyRequest {
        ProxyRequest {
            method: "CONNECT",
            tunnel: true,
            result: "TCP_TUNNEL",
            status: 200,
            bytes: 5120,
            elapsed_ms: 145,
            content_type: "-",
            from_proxy: false,
            anonymous: false,
            path: String::new(),
        }
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_squid_tunnel_line_has_squids_native_layout() {
        let minute = minute();
        let at = Moment {
            minute: &minute,
            millis: 1_123,
        };
        let mut out = Vec::new();
        let bytes = write_squid(
            &mut out,
            at,
            "192.168.1.5",
            Some("alice"),
            "www.bbc.co.uk",
            3,
            &tunnel(),
        )
        .unwrap();
        assert_eq!(bytes, 5120);
        let line = text(out);
        assert!(
            line.starts_with("1796634001.123    145 192.168.1.5 TCP_TUNNEL/200 5120 CONNECT www.bbc.co.uk:443 alice HIER_DIRECT/"),
            "{line}"
        );
        assert!(line.ends_with(" -\n"), "{line}");
    }

    #[test]
    fn a_combined_line_has_local_time_and_a_dash_for_an_empty_body() {
        let mut summer = minute();
        summer.offset_seconds = 3600;
        summer.month = 6;
        let at = Moment {
            minute: &summer,
            millis: 59_999,
        };
        let mut request = tunnel();
        request.tunnel = false;
        request.method = "GET";
        request.status = 304;
        request.path = "/news/1/story.html".to_owned();
        let mut out = Vec::new();
        let bytes = write_combined(
            &mut out,
            at,
            "192.168.1.5",
            None,
            "Mozilla/5.0",
            "www.gov.uk",
            true,
            &request,
        )
        .unwrap();
        assert_eq!(bytes, 0);
        assert_eq!(
            text(out),
            "192.168.1.5 - - [07/Jun/2026:09:00:59 +0100] \"GET http://www.gov.uk/news/1/story.html HTTP/1.1\" 304 - \"http://www.gov.uk/\" \"Mozilla/5.0\"\n"
        );
    }

    #[test]
    fn dnsmasq_lines_pad_the_day_and_followers_respect_the_room_left() {
        let mut early = minute();
        early.day = 2;
        let at = Moment {
            minute: &early,
            millis: 1_000,
        };
        let mut out = Vec::new();
        write_dnsmasq_query(&mut out, at, QueryType::A, "www.gov.uk", "192.168.1.5").unwrap();
        assert_eq!(
            text(out),
            "Dec  2 09:00:01 dnsmasq[812]: query[A] www.gov.uk from 192.168.1.5\n"
        );
        let mut rng = SplitMix64::new(1);
        for _ in 0..200 {
            let mut out = Vec::new();
            let written =
                write_dnsmasq_followers(&mut out, &mut rng, at, QueryType::A, "www.gov.uk", 7, 1)
                    .unwrap();
            assert!(written <= 1);
            let followers = text(out);
            assert_eq!(followers.lines().count() as u64, written);
            assert!(!followers.contains("query["), "{followers}");
        }
    }

    #[test]
    fn drawn_requests_are_mostly_tunnels_and_refusals_are_small() {
        let mut rng = SplitMix64::new(11);
        let requests: Vec<ProxyRequest> = (0..10_000)
            .map(|_| ProxyRequest::draw(&mut rng, true))
            .collect();
        let tunnels = requests.iter().filter(|r| r.tunnel).count();
        assert!((7_500..8_500).contains(&tunnels), "{tunnels}");
        assert!(requests.iter().any(|r| r.status == 407 && r.anonymous));
        assert!(
            requests
                .iter()
                .filter(|r| r.result == "TCP_DENIED")
                .all(|r| r.bytes < 5_000)
        );
        assert!(
            requests
                .iter()
                .filter(|r| !r.tunnel)
                .all(|r| r.path.starts_with('/'))
        );
        let mut rng = SplitMix64::new(11);
        assert!((0..10_000).all(|_| ProxyRequest::draw(&mut rng, false).status != 407));
    }
}
