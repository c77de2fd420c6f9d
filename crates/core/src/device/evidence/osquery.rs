//! Results of `osqueryi --json` uploaded by the council's IT provider.
//!
//! osqueryi prints one JSON array of flat objects per query, every value a string ("1", not 1;
//! NULL as ""). A file may hold:
//! - the output of one query (one array), or of several queries run in one `osqueryi` call or
//!   appended to one file (several arrays one after another), each recognised by its columns;
//! - or one JSON object whose keys are table names, each holding such an array.
//!
//! The queries Custodian reads are listed in [`QUERIES`] (and in docs/devices.md). Anything
//! osquery does not report stays unknown: osquery cannot see a phone's PIN, the idle-lock time,
//! or Windows' lock-out setting, so those come from the self-attestation form or an MDM export.

use crate::device::{IdleLock, OsVersion, Platform, ReportedFacts, ScreenLock};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;
use std::collections::BTreeMap;

/// The queries the devices guide tells the IT provider to run, by the table each reads, and
/// which computers it applies to.
pub const QUERIES: &[(&str, &str, &str)] = &[
    (
        "os_version",
        "all",
        "SELECT name, version, major, minor, patch, build, platform FROM os_version;",
    ),
    (
        "system_info",
        "all",
        "SELECT hostname, hardware_vendor, hardware_model, hardware_serial FROM system_info;",
    ),
    (
        "bitlocker_info",
        "Windows",
        "SELECT drive_letter, conversion_status, protection_status FROM bitlocker_info;",
    ),
    (
        "windows_security_center",
        "Windows",
        "SELECT antivirus, autoupdate, firewall FROM windows_security_center;",
    ),
    (
        "windows_update_history",
        "Windows",
        "SELECT date, operation, result_code, title FROM windows_update_history;",
    ),
    (
        "disk_encryption",
        "macOS",
        "SELECT name, encrypted, type, encryption_status, filevault_status FROM disk_encryption;",
    ),
    (
        "screenlock",
        "macOS",
        "SELECT enabled, grace_period FROM screenlock;",
    ),
    (
        "install_history",
        "macOS",
        "SELECT date, display_name, display_version, process_name, content_type FROM install_history WHERE process_name = 'softwareupdated';",
    ),
    (
        "disk_encryption",
        "Linux",
        "SELECT de.name, de.encrypted, de.type, de.encryption_status FROM mounts m JOIN disk_encryption de ON m.device_alias = de.name WHERE m.path = '/';",
    ),
];

/// Why an uploaded file could not be read. Messages are shown as they are.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OsqueryError {
    #[error("The file is not JSON (osqueryi --json output expected): {0}.")]
    NotJson(String),
    #[error(
        "The file is JSON but not osquery results: Custodian expects the list of rows osqueryi --json prints for each query, or one object whose keys are table names, each holding such a list."
    )]
    WrongShape,
    #[error(
        "None of the results in the file come from the queries Custodian reads (os_version, system_info, bitlocker_info, disk_encryption, screenlock, windows_security_center, windows_update_history, install_history). Run the queries in the devices guide and upload their output."
    )]
    NothingRecognised,
    #[error(
        "These results are from a {found} computer, but this device is recorded as {recorded}. Check that you chose the right device."
    )]
    PlatformMismatch {
        found: &'static str,
        recorded: &'static str,
    },
    #[error(
        "These results are from the computer with serial number {found}, but this device is recorded with serial number {recorded}. Check that you chose the right device."
    )]
    SerialMismatch { found: String, recorded: String },
}

/// What a file held: the facts it reports, which tables were read and how many results were
/// not recognised (and so ignored).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OsqueryReport {
    pub facts: ReportedFacts,
    /// The computer's operating system family, from `os_version.platform`.
    pub platform: Option<Platform>,
    /// The maker's serial number, from `system_info.hardware_serial`.
    pub serial: Option<String>,
    pub tables: Vec<&'static str>,
    pub ignored: usize,
}

impl OsqueryReport {
    /// Refuses results from another computer than the device they are being recorded for: a
    /// different operating system family, or a different serial number when both are known.
    pub fn check_device(
        &self,
        platform: Platform,
        serial: Option<&str>,
    ) -> Result<(), OsqueryError> {
        if let Some(found) = self.platform
            && found != platform
        {
            return Err(OsqueryError::PlatformMismatch {
                found: found.label(),
                recorded: platform.label(),
            });
        }
        if let (Some(found), Some(recorded)) = (self.serial.as_deref(), serial)
            && !found.eq_ignore_ascii_case(recorded.trim())
        {
            return Err(OsqueryError::SerialMismatch {
                found: found.to_owned(),
                recorded: recorded.trim().to_owned(),
            });
        }
        Ok(())
    }
}

type Row = BTreeMap<String, String>;

/// The text of an uploaded file. Windows PowerShell's `>` saves UTF-16 with a byte-order mark,
/// so a mark is honoured (see [`crate::text::decode_upload`]); a file that is not text then
/// fails as "not JSON" where it goes wrong.
pub fn osquery_text(bytes: &[u8]) -> String {
    crate::text::decode_upload(bytes)
}

/// Reads an uploaded file. `now` keeps update dates in the future (a wrong clock on the
/// computer) from counting as recent.
pub fn parse_osquery(text: &str, now: Timestamp) -> Result<OsqueryReport, OsqueryError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut results: Vec<(Option<String>, Vec<Row>)> = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match value.map_err(|e| OsqueryError::NotJson(e.to_string()))? {
            Value::Array(rows) => results.push((None, rows_of(rows)?)),
            Value::Object(tables) => {
                for (table, rows) in tables {
                    match rows {
                        Value::Array(rows) => results.push((Some(table), rows_of(rows)?)),
                        _ => return Err(OsqueryError::WrongShape),
                    }
                }
            }
            _ => return Err(OsqueryError::WrongShape),
        }
    }
    if results.is_empty() {
        return Err(OsqueryError::NotJson("the file is empty".to_owned()));
    }
    let mut report = OsqueryReport::default();
    let today = now.to_zoned(TimeZone::UTC).date();
    for (name, rows) in &results {
        let table = name
            .as_deref()
            .and_then(table_named)
            .or_else(|| table_of(rows));
        let Some(table) = table else {
            report.ignored += 1;
            continue;
        };
        read_table(table, rows, today, &mut report);
        if !report.tables.contains(&table) {
            report.tables.push(table);
        }
    }
    if report.tables.is_empty() {
        return Err(OsqueryError::NothingRecognised);
    }
    Ok(report)
}

/// osquery's values are strings; numbers, booleans and nulls are accepted too, as text.
fn rows_of(rows: Vec<Value>) -> Result<Vec<Row>, OsqueryError> {
    rows.into_iter()
        .map(|row| match row {
            Value::Object(cells) => Ok(cells
                .into_iter()
                .map(|(column, value)| {
                    let text = match value {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (column.to_lowercase(), text.trim().to_owned())
                })
                .collect()),
            _ => Err(OsqueryError::WrongShape),
        })
        .collect()
}

const TABLES: [&str; 8] = [
    "os_version",
    "system_info",
    "bitlocker_info",
    "disk_encryption",
    "screenlock",
    "windows_security_center",
    "windows_update_history",
    "install_history",
];

fn table_named(name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    TABLES.into_iter().find(|t| *t == name)
}

/// Recognises a result by its columns (the union over its rows).
fn table_of(rows: &[Row]) -> Option<&'static str> {
    let has = |column: &str| rows.iter().any(|r| r.contains_key(column));
    if has("protection_status") {
        Some("bitlocker_info")
    } else if has("filevault_status") || has("encryption_status") || has("encrypted") {
        Some("disk_encryption")
    } else if has("grace_period") {
        Some("screenlock")
    } else if has("antivirus") {
        Some("windows_security_center")
    } else if has("result_code") && has("date") {
        Some("windows_update_history")
    } else if has("process_name") && has("date") {
        Some("install_history")
    } else if has("platform") && has("version") {
        Some("os_version")
    } else if has("hardware_serial") {
        Some("system_info")
    } else {
        None
    }
}

fn cell<'r>(row: &'r Row, column: &str) -> &'r str {
    row.get(column).map_or("", String::as_str)
}

fn read_table(table: &str, rows: &[Row], today: Date, report: &mut OsqueryReport) {
    let facts = &mut report.facts;
    match table {
        "os_version" => {
            if let Some(row) = rows.first() {
                report.platform = platform(cell(row, "platform"));
                facts.os_version = os_version(row);
            }
        }
        "system_info" => {
            report.serial = rows
                .iter()
                .map(|r| cell(r, "hardware_serial"))
                .find(|s| !s.is_empty())
                .map(str::to_owned);
        }
        "bitlocker_info" => facts.disk_encryption = bitlocker(rows),
        "disk_encryption" => facts.disk_encryption = disk_encryption(rows),
        "screenlock" => {
            // "Require password after sleep or screen saver": with it, the Mac's login password
            // locks the screen; without it, the screen opens with no password.
            facts.screen_lock = rows.first().and_then(|r| match cell(r, "enabled") {
                "1" => Some(ScreenLock::Password),
                "0" => Some(ScreenLock::None),
                _ => None,
            });
            // The grace period is the delay after the screen saver starts, not how long the
            // Mac waits before starting it, so it does not settle the idle lock; only "never
            // requires a password" does.
            if rows
                .first()
                .is_some_and(|r| cell(r, "grace_period") == "-1")
            {
                facts.idle_lock = Some(IdleLock::Never);
            }
        }
        "windows_security_center" => {
            facts.anti_malware = rows.first().and_then(|r| match cell(r, "antivirus") {
                "Good" => Some(true),
                "Poor" | "Snoozed" => Some(false),
                // "Not Monitored", "Error" or empty: Windows does not know either.
                _ => None,
            });
        }
        "windows_update_history" => {
            facts.last_os_update = latest(rows, today, |r| {
                matches!(cell(r, "operation"), "Installation" | "")
                    && cell(r, "result_code").starts_with("Succeeded")
            });
        }
        "install_history" => {
            // Security data files (XProtect and the like) are "config-data"; everything else
            // softwareupdated installs is a macOS update.
            facts.last_os_update = latest(rows, today, |r| {
                cell(r, "process_name") == "softwareupdated"
                    && cell(r, "content_type") != "config-data"
            });
        }
        _ => {}
    }
}

fn platform(text: &str) -> Option<Platform> {
    match text.to_lowercase().as_str() {
        "" => None,
        "windows" => Some(Platform::Windows),
        "darwin" => Some(Platform::MacOs),
        "freebsd" => Some(Platform::Other),
        "chrome" | "chromeos" => Some(Platform::ChromeOs),
        // osquery names Linux by distribution: ubuntu, debian, rhel, fedora, arch...
        _ => Some(Platform::Linux),
    }
}

fn os_version(row: &Row) -> Option<OsVersion> {
    let version = cell(row, "version");
    let numbered = ["major", "minor", "patch"]
        .iter()
        .map(|c| cell(row, c))
        .take_while(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    let build = cell(row, "build");
    // Windows' "version" is the marketing name's number; the build tells updates apart.
    let text = match (version.is_empty(), build.is_empty()) {
        (false, false) if !version.contains(build) => format!("{version} (build {build})"),
        (false, _) => version.to_owned(),
        (true, _) => numbered,
    };
    OsVersion::parse(&text)
        .or_else(|_| OsVersion::parse(version))
        .ok()
}

fn bitlocker(rows: &[Row]) -> Option<bool> {
    // The system drive is what matters; without a C: row every drive must be protected.
    let system: Vec<&Row> = rows
        .iter()
        .filter(|r| cell(r, "drive_letter").eq_ignore_ascii_case("c:"))
        .collect();
    let chosen: Vec<&Row> = if system.is_empty() {
        rows.iter().collect()
    } else {
        system
    };
    let statuses: Vec<&str> = chosen
        .iter()
        .map(|r| cell(r, "protection_status"))
        .collect();
    // 1 is on; 0 is off (not encrypted, or protection suspended); 2 is unknown.
    if statuses.contains(&"0") {
        Some(false)
    } else if !statuses.is_empty() && statuses.iter().all(|s| *s == "1") {
        Some(true)
    } else {
        None
    }
}

fn disk_encryption(rows: &[Row]) -> Option<bool> {
    let filevault: Vec<&str> = rows.iter().map(|r| cell(r, "filevault_status")).collect();
    if filevault.contains(&"on") {
        return Some(true);
    }
    if filevault.contains(&"off") {
        return Some(false);
    }
    let encrypted: Vec<&str> = rows
        .iter()
        .map(|r| cell(r, "encrypted"))
        .filter(|e| !e.is_empty())
        .collect();
    if encrypted.contains(&"1") {
        Some(true)
    } else if !encrypted.is_empty() && encrypted.iter().all(|e| *e == "0") {
        Some(false)
    } else {
        None
    }
}

/// The newest `date` (Unix seconds) among the rows `wanted` keeps, as a UTC date; dates after
/// `today` are ignored.
fn latest(rows: &[Row], today: Date, wanted: impl Fn(&Row) -> bool) -> Option<Date> {
    rows.iter()
        .filter(|r| wanted(r))
        .filter_map(|r| cell(r, "date").parse::<i64>().ok())
        .filter_map(|seconds| Timestamp::from_second(seconds).ok())
        .map(|at| at.to_zoned(TimeZone::UTC).date())
        .filter(|date| *date <= today)
        .max()
}

#[cfg(test)]
#[path = "osquery_tests.rs"]
mod tests;
