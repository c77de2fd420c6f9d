//! Tests of reading osquery results, with output shaped as osqueryi --json prints it.

use super::*;
use crate::device::{
    DeviceFacts, DeviceKind, FactSource, Ownership, Requirement, Status, evaluate,
};
use crate::policy::PolicyProfile;
use jiff::civil::date;

fn now() -> Timestamp {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

/// A Windows laptop: several queries in one osqueryi call print one array after another.
const WINDOWS: &str = r#"[
  {"build":"22631","major":"10","minor":"0","name":"Microsoft Windows 11 Pro","patch":"","platform":"windows","version":"10.0.22631"}
]
[
  {"hardware_model":"Latitude 5440","hardware_serial":"5CG1234XYZ","hardware_vendor":"Dell Inc.","hostname":"CLERK-LAPTOP"}
]
[
  {"conversion_status":"1","drive_letter":"C:","protection_status":"1"},
  {"conversion_status":"0","drive_letter":"D:","protection_status":"0"}
]
[
  {"antivirus":"Good","autoupdate":"Good","firewall":"Good"}
]
[
  {"date":"1779000000","operation":"Installation","result_code":"Succeeded","title":"2026-05 Cumulative Update"},
  {"date":"1779500000","operation":"Installation","result_code":"Failed","title":"2026-05 Feature update"},
  {"date":"1700000000","operation":"Installation","result_code":"SucceededWithErrors","title":"Older"}
]
"#;

#[test]
fn a_windows_laptops_results_report_version_encryption_anti_virus_and_last_update() {
    let report = parse_osquery(WINDOWS, now()).unwrap();
    assert_eq!(report.platform, Some(Platform::Windows));
    assert_eq!(report.serial.as_deref(), Some("5CG1234XYZ"));
    let facts = &report.facts;
    assert_eq!(facts.os_version.as_ref().unwrap().as_str(), "10.0.22631");
    // The system drive C: is protected; an unprotected data drive D: does not decide it.
    assert_eq!(facts.disk_encryption, Some(true));
    assert_eq!(facts.anti_malware, Some(true));
    // The newest successful installation, not the failed one.
    assert_eq!(facts.last_os_update, Some(date(2026, 5, 17)));
    // What osquery cannot see stays unknown.
    assert_eq!(facts.screen_lock, None);
    assert_eq!(facts.idle_lock, None);
    assert_eq!(facts.lockout, None);
    assert_eq!(facts.pin_length, None);
    assert_eq!(facts.os_supported, None);
    assert_eq!(report.tables.len(), 5);
    assert_eq!(report.ignored, 0);
}

#[test]
fn a_mac_file_keyed_by_table_name_is_read_too() {
    let mac = r#"{
      "os_version": [{"name":"macOS","version":"14.5","major":"14","minor":"5","patch":"0","build":"23F79","platform":"darwin"}],
      "disk_encryption": [
        {"name":"/dev/disk1s1","encrypted":"1","type":"APFS Encryption","encryption_status":"encrypted","filevault_status":"on"},
        {"name":"/dev/disk2s1","encrypted":"0","type":"","encryption_status":"not encrypted","filevault_status":"off"}
      ],
      "screenlock": [{"enabled":"1","grace_period":"0"}],
      "install_history": [
        {"date":"1778000000","display_name":"macOS Sonoma 14.5","process_name":"softwareupdated","content_type":""},
        {"date":"1779900000","display_name":"XProtectPlistConfigData","process_name":"softwareupdated","content_type":"config-data"}
      ],
      "users": [{"username":"clerk"}]
    }"#;
    let report = parse_osquery(mac, now()).unwrap();
    assert_eq!(report.platform, Some(Platform::MacOs));
    assert_eq!(
        report.facts.os_version.as_ref().unwrap().as_str(),
        "14.5 (build 23F79)"
    );
    assert_eq!(report.facts.disk_encryption, Some(true));
    assert_eq!(report.facts.screen_lock, Some(ScreenLock::Password));
    // The XProtect data file is not an operating system update.
    assert_eq!(report.facts.last_os_update, Some(date(2026, 5, 5)));
    assert_eq!(report.ignored, 1);
}

#[test]
fn a_single_query_is_recognised_by_its_columns() {
    let linux = r#"[{"name":"/dev/dm-0","encrypted":"1","type":"aes-xts-plain64","encryption_status":"encrypted"}]"#;
    let report = parse_osquery(linux, now()).unwrap();
    assert_eq!(report.tables, vec!["disk_encryption"]);
    assert_eq!(report.facts.disk_encryption, Some(true));
    assert_eq!(report.facts.fields().len(), 1);

    let unprotected = r#"[{"drive_letter":"C:","protection_status":"0","conversion_status":"0"}]"#;
    assert_eq!(
        parse_osquery(unprotected, now())
            .unwrap()
            .facts
            .disk_encryption,
        Some(false)
    );
    // Protection status 2 means BitLocker itself does not know.
    let unknown = r#"[{"drive_letter":"C:","protection_status":"2","conversion_status":"1"}]"#;
    assert_eq!(
        parse_osquery(unknown, now()).unwrap().facts.disk_encryption,
        None
    );
}

#[test]
fn a_file_that_is_not_json_says_so_with_the_line_and_column() {
    let err = parse_osquery("name,version\nWindows,11\n", now()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("The file is not JSON (osqueryi --json output expected): "),
        "{message}"
    );
    assert!(message.contains("line 1 column"), "{message}");
    assert_eq!(
        parse_osquery("", now()).unwrap_err().to_string(),
        "The file is not JSON (osqueryi --json output expected): the file is empty."
    );
}

#[test]
fn json_of_another_shape_or_from_other_queries_is_refused() {
    assert_eq!(
        parse_osquery(r#""hello""#, now()),
        Err(OsqueryError::WrongShape)
    );
    assert_eq!(
        parse_osquery(r#"[1, 2]"#, now()),
        Err(OsqueryError::WrongShape)
    );
    assert_eq!(
        parse_osquery(r#"[{"pid":"1","name":"launchd"}]"#, now()),
        Err(OsqueryError::NothingRecognised)
    );
}

#[test]
fn results_from_another_computer_are_refused() {
    let report = parse_osquery(WINDOWS, now()).unwrap();
    assert!(
        report
            .check_device(Platform::Windows, Some("5cg1234xyz"))
            .is_ok()
    );
    assert!(report.check_device(Platform::Windows, None).is_ok());
    assert_eq!(
        report
            .check_device(Platform::Ios, None)
            .unwrap_err()
            .to_string(),
        "These results are from a Windows computer, but this device is recorded as iPhone or \
         iPad (iOS). Check that you chose the right device."
    );
    assert!(matches!(
        report.check_device(Platform::Windows, Some("OTHER")),
        Err(OsqueryError::SerialMismatch { .. })
    ));
}

#[test]
fn update_dates_in_the_future_are_not_taken_as_recent() {
    let future = r#"[{"date":"1900000000","operation":"Installation","result_code":"Succeeded","title":"x"}]"#;
    assert_eq!(
        parse_osquery(future, now()).unwrap().facts.last_os_update,
        None
    );
}

#[test]
fn a_windows_laptop_from_osquery_is_judged_only_on_what_osquery_saw() {
    let report = parse_osquery(WINDOWS, now()).unwrap();
    let mut facts = DeviceFacts::unknown(DeviceKind::Laptop, Platform::Windows, Ownership::Council);
    facts.apply(&report.facts, FactSource::Osquery, now());
    let evaluation = evaluate(&PolicyProfile::model_defaults(), &facts, now());
    let status = |r| evaluation.finding(r).map(|f| f.status());
    assert_eq!(status(Requirement::DiskEncryption), Some(Status::Compliant));
    assert_eq!(status(Requirement::AntiMalware), Some(Status::Compliant));
    assert_eq!(status(Requirement::OsUpdated), Some(Status::Compliant));
    assert_eq!(status(Requirement::IdleLock), Some(Status::Unknown));
    assert_eq!(evaluation.overall(), Status::Unknown);
}

#[test]
fn a_file_saved_by_windows_powershell_in_utf16_is_read() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in WINDOWS.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let report = parse_osquery(&osquery_text(&bytes), now()).unwrap();
    assert_eq!(report.platform, Some(Platform::Windows));
    assert_eq!(osquery_text(b"[]"), "[]");
}
