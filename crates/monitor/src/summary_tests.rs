//! The summariser end to end: lines in, groups and figures out, whatever the chunking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::reader::KEPT_MALFORMED_LINES;

fn utc(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn day(year: i16, month: i8, day: i8) -> LocalDay {
    LocalDay::from_date(jiff::civil::date(year, month, day))
}

fn options() -> SummaryOptions {
    SummaryOptions::new(jiff::civil::date(2026, 12, 31))
}

fn squid(at: &str, client: &str, user: &str, bytes: u64, method: &str, url: &str) -> String {
    format!(
        "{}.123    180 {client} TCP_MISS/200 {bytes} {method} {url} {user} HIER_DIRECT/192.0.2.1 text/html\n",
        utc(at)
    )
}

fn squid_day() -> String {
    [
        squid(
            "2026-12-07T09:00:01Z",
            "192.168.1.5",
            "-",
            100,
            "GET",
            "http://www.example.com/a",
        ),
        squid(
            "2026-12-07T09:30:00Z",
            "192.168.1.5",
            "-",
            50,
            "GET",
            "http://WWW.EXAMPLE.COM/b",
        ),
        squid(
            "2026-12-07T14:00:00Z",
            "192.168.1.5",
            "-",
            25,
            "CONNECT",
            "www.example.com:443",
        ),
        squid(
            "2026-12-07T10:00:00Z",
            "192.168.1.7",
            "alice",
            1000,
            "CONNECT",
            "www.bbc.co.uk:443",
        ),
        squid(
            "2026-12-08T00:10:00Z",
            "192.168.1.7",
            "alice",
            1,
            "CONNECT",
            "www.bbc.co.uk:443",
        ),
        "this line is not a squid line at all\n".to_owned(),
        squid(
            "2026-12-07T11:00:00Z",
            "192.168.1.5",
            "-",
            7,
            "CONNECT",
            "[2001:db8::1]:443",
        ),
    ]
    .concat()
}

#[test]
fn squid_lines_become_groups_by_key_day_and_site() {
    let summary = summarize_slice(Format::Squid, options(), squid_day().as_bytes()).unwrap();
    assert_eq!(
        summary.totals,
        Totals {
            lines: 7,
            hits: 6,
            bytes: 1183,
            malformed: 1,
            groups: 4,
        }
    );
    assert_eq!(summary.malformed.len(), 1);
    assert_eq!(summary.malformed[0].line, 6);
    let described: Vec<(SubjectKey, LocalDay, &str, u64, u64)> = summary
        .groups
        .iter()
        .map(|g| {
            (
                g.key.clone(),
                g.day,
                g.site.as_str(),
                g.figures.hits,
                g.figures.bytes,
            )
        })
        .collect();
    assert_eq!(
        described,
        vec![
            (
                SubjectKey::User("alice".into()),
                day(2026, 12, 7),
                "www.bbc.co.uk",
                1,
                1000
            ),
            (
                SubjectKey::User("alice".into()),
                day(2026, 12, 8),
                "www.bbc.co.uk",
                1,
                1
            ),
            (
                SubjectKey::Client("192.168.1.5".into()),
                day(2026, 12, 7),
                "[2001:db8::1]",
                1,
                7
            ),
            (
                SubjectKey::Client("192.168.1.5".into()),
                day(2026, 12, 7),
                "www.example.com",
                3,
                175
            ),
        ]
    );
    let example = &summary.groups[3].figures;
    assert_eq!(example.first, utc("2026-12-07T09:00:01Z"));
    assert_eq!(example.last, utc("2026-12-07T14:00:00Z"));
    let mut hours = [0; 24];
    hours[9] = 2;
    hours[14] = 1;
    assert_eq!(example.hits_by_hour, hours);
    assert!(summary.raw.is_empty());
    assert_eq!(summary.first_lines, None);
}

#[test]
fn a_summer_evening_in_utc_is_the_next_london_day() {
    let text = squid(
        "2026-07-01T23:30:00Z",
        "10.0.0.1",
        "-",
        1,
        "CONNECT",
        "a.example:443",
    );
    let summary = summarize_slice(Format::Squid, options(), text.as_bytes()).unwrap();
    assert_eq!(summary.groups[0].day, day(2026, 7, 2));
    assert_eq!(summary.groups[0].figures.hits_by_hour[0], 1);
}

#[test]
fn any_chunking_gives_the_same_summary_as_one_chunk() {
    let mut text = squid_day();
    // A CR LF line, a blank line and a last line without its newline.
    text.push_str(
        &squid(
            "2026-12-07T12:00:00Z",
            "192.168.1.9",
            "-",
            3,
            "GET",
            "http://b.example/x",
        )
        .replace('\n', "\r\n"),
    );
    text.push('\n');
    text.push_str(
        squid(
            "2026-12-07T13:00:00Z",
            "192.168.1.9",
            "-",
            4,
            "GET",
            "http://b.example/y",
        )
        .trim_end(),
    );
    let bytes = text.as_bytes();
    let mut whole_options = options();
    whole_options.keep_raw_lines = true;
    let whole = summarize_slice(Format::Squid, whole_options.clone(), bytes).unwrap();
    assert_eq!(whole.totals.hits, 8);
    assert_eq!(whole.totals.lines, 10);
    for cut in 0..=bytes.len() {
        let mut summarizer = Summarizer::new(Format::Squid, whole_options.clone());
        summarizer.feed(&bytes[..cut]).unwrap();
        summarizer.feed(&bytes[cut..]).unwrap();
        assert_eq!(summarizer.finish().unwrap(), whole, "cut at {cut}");
    }
    // Three pieces, with the second cut walking through the text in steps.
    for first in (0..bytes.len()).step_by(37) {
        for second in (first..=bytes.len()).step_by(11) {
            let mut summarizer = Summarizer::new(Format::Squid, whole_options.clone());
            for piece in [&bytes[..first], &bytes[first..second], &bytes[second..]] {
                summarizer.feed(piece).unwrap();
            }
            assert_eq!(
                summarizer.finish().unwrap(),
                whole,
                "cuts at {first}, {second}"
            );
        }
    }
    // One byte at a time.
    let mut summarizer = Summarizer::new(Format::Squid, whole_options);
    for byte in bytes.chunks(1) {
        summarizer.feed(byte).unwrap();
    }
    assert_eq!(summarizer.finish().unwrap(), whole);
}

#[test]
fn a_partial_last_line_is_kept_until_the_rest_arrives() {
    let line = squid(
        "2026-12-07T09:00:01Z",
        "192.168.1.5",
        "-",
        100,
        "GET",
        "http://a.example/",
    );
    let (head, tail) = line.split_at(40);
    let mut summarizer = Summarizer::new(Format::Squid, options());
    summarizer.feed(head.as_bytes()).unwrap();
    assert_eq!(summarizer.totals().lines, 0);
    assert_eq!(summarizer.totals().malformed, 0);
    summarizer.feed(tail.as_bytes()).unwrap();
    assert_eq!(summarizer.totals().hits, 1);
    let summary = summarizer.finish().unwrap();
    assert_eq!((summary.totals.lines, summary.totals.malformed), (1, 0));
}

#[test]
fn every_malformed_line_is_counted_and_the_first_hundred_kept_with_numbers() {
    let mut text = String::new();
    for n in 1..=300 {
        if n % 2 == 0 {
            text.push_str("1766998800.001 0 192.168.1.20 TCP_MISS/200 lots GET http://a.example/ - DIRECT/- -\n");
        } else {
            text.push_str(&squid(
                "2026-12-07T09:00:01Z",
                "192.168.1.5",
                "-",
                1,
                "GET",
                "http://a.example/",
            ));
        }
    }
    let summary = summarize_slice(Format::Squid, options(), text.as_bytes()).unwrap();
    assert_eq!(summary.totals.malformed, 150);
    assert_eq!(summary.totals.hits, 150);
    assert_eq!(summary.malformed.len(), KEPT_MALFORMED_LINES);
    assert_eq!(summary.malformed[0].line, 2);
    assert_eq!(summary.malformed[99].line, 200);
    assert!(summary.malformed[0].reason.contains("bytes"));
}

#[test]
fn invalid_utf8_and_overlong_lines_are_malformed_not_fatal() {
    let mut bytes = squid(
        "2026-12-07T09:00:01Z",
        "192.168.1.5",
        "-",
        1,
        "GET",
        "http://a.example/",
    )
    .into_bytes();
    bytes.extend_from_slice(
        b"1766998800.001 0 192.168.1.20 TCP_MISS/200 1 GET http://\xff\xfe/ - DIRECT/- -\n",
    );
    bytes.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
    bytes.push(b'\n');
    bytes.extend_from_slice(
        squid(
            "2026-12-07T09:00:02Z",
            "192.168.1.5",
            "-",
            1,
            "GET",
            "http://a.example/",
        )
        .as_bytes(),
    );
    let summary = summarize_slice(Format::Squid, options(), &bytes).unwrap();
    assert_eq!(summary.totals.hits, 2);
    assert_eq!(summary.totals.lines, 4);
    let reasons: Vec<(u64, &str)> = summary
        .malformed
        .iter()
        .map(|m| (m.line, m.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (2, "the line is not valid UTF-8 text"),
            (3, "the line is longer than 65,536 bytes")
        ]
    );
}

#[test]
fn a_file_in_another_format_is_refused_naming_the_format_it_looks_like() {
    let dnsmasq =
        "Dec  7 12:00:01 dnsmasq[123]: query[A] www.example.com from 192.168.1.5\n".repeat(30);
    let error = summarize_slice(Format::Squid, options(), dnsmasq.as_bytes()).unwrap_err();
    assert_eq!(
        error,
        SummaryError::WrongFormat {
            chosen: FormatKind::Squid,
            likely: FormatKind::Dnsmasq,
            examined: 20,
            unreadable: 20,
        }
    );
    let message = error.to_string();
    assert!(
        message
            .contains("look like a dnsmasq (or Pi-hole) query log, not Squid's native access.log"),
        "{message}"
    );
    assert!(message.ends_with("try --format dnsmasq."), "{message}");

    // Found as soon as the twentieth line is read, and a short file is checked at its end.
    let mut summarizer = Summarizer::new(Format::Squid, options());
    assert!(summarizer.feed(dnsmasq.as_bytes()).is_err());
    let short = squid_day();
    let error = summarize_slice(Format::Dnsmasq, options(), short.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("try --format squid"), "{error}");
    assert!(
        error.to_string().starts_with("The first 7 lines look like"),
        "{error}"
    );
}

#[test]
fn mostly_unreadable_lines_of_no_known_format_are_reported_not_refused() {
    let text = "Dear Clerk,\nplease find the minutes attached.\n";
    let summary = summarize_slice(Format::Squid, options(), text.as_bytes()).unwrap();
    assert_eq!(summary.totals.malformed, 2);
    let hint = summary.first_lines.unwrap();
    assert_eq!(hint.likely, None);
    assert_eq!(hint.examined, 2);
    // A web server's own log is in the chosen format; its lines say why they are unusable.
    let apache = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"-\" \"-\"\n";
    let summary = summarize_slice(Format::Combined, options(), apache.as_bytes()).unwrap();
    assert_eq!(
        summary.first_lines.unwrap().likely,
        Some(FormatKind::Combined)
    );
    assert!(summary.malformed[0].reason.contains("web server's own log"));
}

#[test]
fn dnsmasq_queries_count_and_its_other_lines_are_neither_hits_nor_malformed() {
    let text = "Dec 31 23:59:58 dnsmasq[7]: query[A] www.example.com from 192.168.1.5\n\
        Dec 31 23:59:58 dnsmasq[7]: forwarded www.example.com to 1.1.1.1\n\
        Dec 31 23:59:58 dnsmasq[7]: reply www.example.com is 93.184.216.34\n\
        \n\
        Jan  1 00:00:02 dnsmasq[7]: query[AAAA] www.example.com from 192.168.1.5\n";
    let options = SummaryOptions::new(jiff::civil::date(2027, 1, 1));
    let summary = summarize_slice(Format::Dnsmasq, options, text.as_bytes()).unwrap();
    assert_eq!(
        summary.totals,
        Totals {
            lines: 5,
            hits: 2,
            bytes: 0,
            malformed: 0,
            groups: 2,
        }
    );
    assert_eq!(summary.groups[0].day, day(2026, 12, 31));
    assert_eq!(summary.groups[1].day, day(2027, 1, 1));
}

#[test]
fn raw_lines_are_kept_by_key_and_day_when_asked() {
    let mut with_raw = options();
    with_raw.keep_raw_lines = true;
    let summary = summarize_slice(Format::Squid, with_raw, squid_day().as_bytes()).unwrap();
    let keys: Vec<(SubjectKey, LocalDay, usize)> = summary
        .raw
        .iter()
        .map(|r| (r.key.clone(), r.day, r.lines.split(|&b| b == b'\n').count()))
        .collect();
    assert_eq!(
        keys,
        vec![
            (SubjectKey::User("alice".into()), day(2026, 12, 7), 1),
            (SubjectKey::User("alice".into()), day(2026, 12, 8), 1),
            (
                SubjectKey::Client("192.168.1.5".into()),
                day(2026, 12, 7),
                4
            ),
        ]
    );
    let lines = String::from_utf8(summary.raw[2].lines.clone()).unwrap();
    assert!(lines.starts_with(squid_day().lines().next().unwrap()));
    assert!(!lines.ends_with('\n'));
}

#[test]
fn csv_exports_are_summarised_and_an_unknown_heading_stops_the_file() {
    let text = "\u{feff}Timestamp,Domain,Client IP\n\
        2026-12-07T09:00:01Z,www.example.com,192.168.1.5\n\
        2026-12-07T09:00:02Z,www.example.com.,192.168.1.5\n";
    let mapping: crate::CsvMapping = "time=Timestamp,client=Client IP,site=Domain"
        .parse()
        .unwrap();
    let summary = summarize_slice(Format::csv(mapping), options(), text.as_bytes()).unwrap();
    assert_eq!(
        (
            summary.totals.lines,
            summary.totals.hits,
            summary.totals.groups
        ),
        (3, 2, 1)
    );

    let wrong: crate::CsvMapping = "time=Timestamp,client=Client,site=Domain".parse().unwrap();
    let error = summarize_slice(Format::csv(wrong), options(), text.as_bytes()).unwrap_err();
    assert!(
        error.to_string().contains("no column headed \"Client\""),
        "{error}"
    );
}

#[test]
fn totals_only_agree_with_the_full_summary() {
    let text = squid_day();
    let full = summarize_slice(Format::Squid, options(), text.as_bytes()).unwrap();
    let mut summarizer = Summarizer::new(Format::Squid, options());
    summarizer.feed(text.as_bytes()).unwrap();
    let totals = summarizer.finish_totals().unwrap();
    assert_eq!(totals.totals, full.totals);
    assert_eq!(totals.malformed, full.malformed);
    assert!(totals.groups.is_empty());
}

#[test]
fn unbound_and_combined_files_summarise() {
    let unbound = "[1796634001] unbound[17201:0] info: 10.10.10.10 some.domain.com. A IN\n\
        [1796634002] unbound[17201:0] info: 10.10.10.10 some.domain.com. AAAA IN\n\
        [1796634002] unbound[17201:0] info: resolving some.domain.com. A IN\n";
    let summary = summarize_slice(Format::Unbound, options(), unbound.as_bytes()).unwrap();
    assert_eq!(
        (
            summary.totals.hits,
            summary.totals.groups,
            summary.totals.malformed
        ),
        (2, 1, 0)
    );
    let combined = "192.168.1.5 - alice [07/Dec/2026:09:00:01 +0000] \"CONNECT www.x.co.uk:443 HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\"\n";
    let summary = summarize_slice(Format::Combined, options(), combined.as_bytes()).unwrap();
    assert_eq!(summary.groups[0].key, SubjectKey::User("alice".into()));
    assert_eq!(summary.totals.bytes, 5120);
}

#[test]
fn mangled_lines_of_every_format_never_panic_and_any_split_agrees() {
    let samples = [
        squid_day(),
        "192.168.1.5 - alice [07/Dec/2026:09:00:01 +0000] \"CONNECT www.x.co.uk:443 HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\"\n".to_owned(),
        "Dec 31 23:59:58 dnsmasq[7]: query[A] www.example.com from 192.168.1.5\nMon Sep 28 21:30:01 2026 daemon.info dnsmasq[1]: 1 192.168.1.249/5001 query[A] a.example from 192.168.1.249\n".to_owned(),
        "[1796634001] unbound[17201:0] info: 10.10.10.10 some.domain.com. A IN\nJun 23 14:42:23 dns unbound: [893:0] info: 192.168.1.10 www.Google.com. AAAA IN\n".to_owned(),
        "Timestamp,Domain,Client IP\n2026-12-07T09:00:01.5+01:00,\"www.gov.uk\",192.168.1.5\n".to_owned(),
    ];
    let mapping: crate::CsvMapping = "time=Timestamp,client=Client IP,site=Domain"
        .parse()
        .unwrap();
    let formats = [
        Format::Squid,
        Format::Combined,
        Format::Dnsmasq,
        Format::Unbound,
        Format::csv(mapping),
    ];
    let mut seed: u64 = 0x5eed;
    let mut random = move |below: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % below.max(1)
    };
    let noise: &[u8] = b" \t\r\n:./[]\"-,0123456789\xff\xc3AZaz@";
    for round in 0..400 {
        let mut bytes = samples[round % samples.len()].clone().into_bytes();
        for _ in 0..1 + random(6) {
            let at = random(bytes.len());
            match random(3) {
                0 => bytes[at] = noise[random(noise.len())],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, noise[random(noise.len())]),
            }
        }
        for format in &formats {
            let mut with_raw = options();
            with_raw.keep_raw_lines = true;
            let whole = summarize_slice(format.clone(), with_raw.clone(), &bytes);
            let cut = random(bytes.len() + 1);
            let mut summarizer = Summarizer::new(format.clone(), with_raw);
            let _ = summarizer.feed(&bytes[..cut]);
            let _ = summarizer.feed(&bytes[cut..]);
            let pieces = summarizer.finish();
            assert_eq!(
                whole,
                pieces,
                "{format} split at {cut}: {:?}",
                String::from_utf8_lossy(&bytes)
            );
            if let Ok(summary) = whole {
                let totals = summary.totals;
                assert!(totals.hits + totals.malformed <= totals.lines, "{totals:?}");
                assert_eq!(totals.groups as usize, summary.groups.len());
                let hours: u64 = summary
                    .groups
                    .iter()
                    .flat_map(|g| g.figures.hits_by_hour)
                    .map(u64::from)
                    .sum();
                assert_eq!(hours, totals.hits);
            }
        }
    }
}

#[test]
fn request_paths_under_a_url_entry_give_their_group_its_categories() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-categories");
    let (lists, _) = CategoryLists::load(&folder).unwrap();
    let lists = Arc::new(lists);
    let log = [
        squid(
            "2026-12-07T09:00:01Z",
            "192.168.1.5",
            "-",
            100,
            "GET",
            "http://games-portal.example/casino/slots?table=3",
        ),
        squid(
            "2026-12-07T09:05:00Z",
            "192.168.1.5",
            "-",
            100,
            "GET",
            "http://games-portal.example/puzzles",
        ),
        squid(
            "2026-12-07T09:10:00Z",
            "192.168.1.6",
            "-",
            100,
            "GET",
            "http://games-portal.example/casinoroyale",
        ),
        squid(
            "2026-12-07T09:15:00Z",
            "192.168.1.7",
            "-",
            100,
            "CONNECT",
            "games-portal.example:443",
        ),
    ]
    .concat();
    let mut summarizer = Summarizer::new(Format::Squid, options());
    summarizer.match_url_paths(Arc::clone(&lists));
    summarizer.feed(log.as_bytes()).unwrap();
    let summary = summarizer.finish().unwrap();
    let gambling = lists.id("gambling").unwrap();
    assert_eq!(
        summary.path_categories,
        vec![PathCategories {
            key: SubjectKey::Client("192.168.1.5".to_owned()),
            day: day(2026, 12, 7),
            site: "games-portal.example".to_owned(),
            categories: CategorySet::EMPTY.with(gambling),
        }],
        "one request under /casino puts its group in gambling; /casinoroyale and HTTPS do not"
    );

    // Without the lists, nothing is looked up.
    let plain = summarize_slice(Format::Squid, options(), log.as_bytes()).unwrap();
    assert!(plain.path_categories.is_empty());
}
