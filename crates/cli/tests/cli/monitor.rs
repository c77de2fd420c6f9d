//! `custodian monitor summarize`: the JSON contract on small logs of each kind, the readable
//! report, and a file read with the wrong format refused with the format it looks like.

use super::{custodian, text};
use std::io::Write;
use std::process::{Command, Stdio};

/// Squid's native format: a user's HTTPS visit, a device's plain-HTTP visits to one site in two
/// hours (one group), a Squid error line (not a request) and a broken line.
const SQUID: &str = "\
1796634001.123   5012 192.168.1.20 TCP_TUNNEL/200 6150 CONNECT www.bbc.co.uk:443 alice HIER_DIRECT/151.101.0.81 -
1796634002.779    180 192.168.0.224 TCP_MISS/200 411 GET http://liveupdate.symantecliveupdate.com/minitri.flg - DIRECT/125.23.216.203 text/plain
1796641202.001     75 192.168.0.224 TCP_MISS/200 89 GET http://LiveUpdate.SymantecLiveUpdate.com/other - DIRECT/125.23.216.203 text/plain
1796641203.001      0 192.168.0.224 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- -
1796641204.001 this line is broken
";

#[test]
fn summarize_prints_the_figures_as_one_line_of_json() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, SQUID).unwrap();
    let output = custodian(
        dir.path(),
        &[
            "monitor",
            "summarize",
            "--format",
            "squid",
            log.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        "{\"lines\": 5, \"hits\": 3, \"bytes\": 6650, \"malformed\": 1, \"groups\": 2}\n"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["groups"], 2);
    // Nothing is stored: the data folder gets no database.
    assert!(!dir.path().join("custodian.db").exists());
}

#[test]
fn the_readable_report_lists_unreadable_lines_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, SQUID).unwrap();
    let output = custodian(
        dir.path(),
        &[
            "monitor",
            "summarize",
            "--format",
            "squid",
            log.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    let out = text(&output);
    assert!(out.contains("read as Squid's native access.log"), "{out}");
    assert!(out.contains("Requests or queries: 3"), "{out}");
    assert!(out.contains("line 5: "), "{out}");
    assert!(out.contains("Nothing was stored."), "{out}");
}

#[test]
fn a_log_in_another_format_is_refused_naming_the_format_it_looks_like() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("pihole.log");
    let line = "Dec  7 12:00:01 dnsmasq[812]: query[A] www.bbc.co.uk from 192.168.1.5\n";
    std::fs::write(&log, line.repeat(25)).unwrap();
    let output = custodian(
        dir.path(),
        &[
            "monitor",
            "summarize",
            "--format",
            "squid",
            log.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(output.stdout.is_empty());
    let out = text(&output);
    assert!(
        out.contains("look like a dnsmasq (or Pi-hole) query log, not Squid's native access.log"),
        "{out}"
    );
    assert!(out.contains("try --format dnsmasq"), "{out}");
}

#[test]
fn a_dnsmasq_log_from_standard_input_is_dated_in_the_year_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_custodian"))
        .args([
            "monitor",
            "summarize",
            "--format",
            "pihole",
            "--year",
            "2026",
            "-",
            "--json",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"Dec 31 23:59:59 dnsmasq[812]: query[A] www.bbc.co.uk from 192.168.1.5\n\
              Dec 31 23:59:59 dnsmasq[812]: forwarded www.bbc.co.uk to 1.1.1.1\n\
              Jan  1 00:00:01 dnsmasq[812]: query[A] www.bbc.co.uk from 192.168.1.5",
        )
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
    // Two days (New Year's Eve 2026 and New Year's Day 2027), so two groups.
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "{\"lines\": 3, \"hits\": 2, \"bytes\": 0, \"malformed\": 0, \"groups\": 2}\n"
    );
}

#[test]
fn a_csv_export_needs_its_columns_and_names_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("export.csv");
    std::fs::write(
        &log,
        "Timestamp,Domain,Client IP\n2026-12-07T09:00:01Z,www.gov.uk,192.168.1.5\n",
    )
    .unwrap();
    let path = log.to_str().unwrap();
    let without = custodian(
        dir.path(),
        &["monitor", "summarize", "--format", "csv", path],
    );
    assert_eq!(without.status.code(), Some(2), "{}", text(&without));
    assert!(
        text(&without).contains("--csv-columns"),
        "{}",
        text(&without)
    );

    let wrong = custodian(
        dir.path(),
        &[
            "monitor",
            "summarize",
            "--format",
            "csv",
            "--csv-columns",
            "time=Timestamp,client=Client,site=Domain",
            path,
        ],
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong));
    assert!(
        text(&wrong).contains(
            "no column headed \"Client\"; its first row has: Timestamp, Domain, Client IP"
        ),
        "{}",
        text(&wrong)
    );

    let right = custodian(
        dir.path(),
        &[
            "monitor",
            "summarize",
            "--format",
            "csv",
            "--csv-columns",
            "time=Timestamp,client=Client IP,site=Domain",
            path,
            "--json",
        ],
    );
    assert!(right.status.success(), "{}", text(&right));
    assert!(String::from_utf8_lossy(&right.stdout).contains("\"hits\": 1"));
}

#[test]
fn a_missing_file_is_refused_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such.log");
    let output = custodian(
        dir.path(),
        &[
            "monitor",
            "summarize",
            "--format",
            "squid",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("there is no such file"),
        "{}",
        text(&output)
    );
}

#[test]
fn monitor_summarize_explains_itself() {
    let output = Command::new(env!("CARGO_BIN_EXE_custodian"))
        .args(["monitor", "summarize", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("Usage: custodian monitor summarize"),
        "{help}"
    );
    for format in ["squid", "combined", "dnsmasq", "unbound", "csv", "pihole"] {
        assert!(help.contains(format), "{format} is not explained: {help}");
    }
}
