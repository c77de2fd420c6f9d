//! Tests of reading MDM exports with a column mapping.

use super::*;
use crate::asset::SerialNumber;
use crate::audit::Actor;
use crate::device::{DeviceKind, DeviceName, NewDevice, Platform, register_council_device, retire};
use crate::ids::{CouncilId, PersonId};
use jiff::civil::date;

fn now() -> Timestamp {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

fn device(council: CouncilId, name: &str, serial: Option<&str>) -> Device {
    register_council_device(
        council,
        DeviceId::generate(),
        NewDevice {
            name: DeviceName::parse(name).unwrap(),
            kind: DeviceKind::Phone,
            platform: Platform::Ios,
            serial: serial.map(|s| SerialNumber::parse(s).unwrap()),
        },
        None,
        None,
        Actor::System,
        now(),
    )
    .unwrap()
    .0
}

/// An Intune-like export: awkward headers, a BOM, quoted cells, CRLF line ends.
const EXPORT: &str = "\u{feff}Device name,Serial number,OS version,Encrypted,Passcode type,Minimum passcode length,Max failed attempts,Auto-lock (minutes),Last OS update,Ownership\r\n\
Jo's iPhone,F2LX1234ABCD,17.5,Yes,\"Numeric\",6,10,5,2026-05-20,Personal\r\n\
Office iPad,DMPX9999ZZZZ,16.7,True,Alphanumeric,,0,30 seconds,20/04/2026,Corporate\r\n\
Someone else's phone,UNKNOWN999,17.4,Yes,Numeric,4,10,5,2026-05-01,Personal\r\n";

#[test]
fn headers_are_guessed_into_a_mapping() {
    let file = read_mdm_csv(EXPORT.as_bytes()).unwrap();
    assert_eq!(file.headers[0], "Device name");
    assert_eq!(file.row_count(), 3);
    let mapping = guess_mapping(&file.headers);
    assert_eq!(mapping.identifier, Identifier::Serial);
    assert_eq!(mapping.identifier_column, "Serial number");
    assert_eq!(
        mapping.facts,
        vec![
            (FactField::OsVersion, "OS version".to_owned()),
            (FactField::DiskEncryption, "Encrypted".to_owned()),
            (FactField::ScreenLock, "Passcode type".to_owned()),
            (FactField::PinLength, "Minimum passcode length".to_owned()),
            (FactField::Lockout, "Max failed attempts".to_owned()),
            (FactField::IdleLock, "Auto-lock (minutes)".to_owned()),
            (FactField::LastOsUpdate, "Last OS update".to_owned()),
        ]
    );
}

#[test]
fn rows_are_matched_by_serial_number_and_unknown_devices_are_listed_not_created() {
    let council = CouncilId::generate();
    let jo = device(council, "Jo's iPhone", Some("f2lx1234abcd"));
    let ipad = device(council, "Office iPad", Some("DMPX9999ZZZZ"));
    let file = read_mdm_csv(EXPORT.as_bytes()).unwrap();
    let import = read_mdm_rows(
        &file,
        &guess_mapping(&file.headers),
        &[jo.clone(), ipad.clone()],
        now(),
    )
    .unwrap();
    assert_eq!(import.updates.len(), 2);
    let first = &import.updates[0];
    assert_eq!((first.row, first.device), (2, jo.id));
    assert_eq!(first.facts.disk_encryption, Some(true));
    assert_eq!(first.facts.screen_lock, Some(ScreenLock::Pin));
    assert_eq!(first.facts.pin_length.map(PinLength::digits), Some(6));
    assert_eq!(first.facts.lockout, AttemptLimit::after(10));
    assert_eq!(first.facts.idle_lock, IdleLock::after_minutes(5));
    assert_eq!(first.facts.last_os_update, Some(date(2026, 5, 20)));
    let second = &import.updates[1];
    assert_eq!(second.device, ipad.id);
    // A blank cell stays unknown; 0 failed attempts means no limit.
    assert_eq!(second.facts.pin_length, None);
    assert_eq!(second.facts.lockout, Some(AttemptLimit::Never));
    assert_eq!(second.facts.idle_lock, IdleLock::after_seconds(30));
    assert_eq!(second.facts.last_os_update, Some(date(2026, 4, 20)));
    assert_eq!(
        import.unmatched,
        vec![Unmatched {
            row: 4,
            identifier: "UNKNOWN999".into()
        }]
    );
}

#[test]
fn a_value_that_cannot_be_read_names_its_row_column_and_what_is_accepted_and_nothing_is_read() {
    let council = CouncilId::generate();
    let devices = [
        device(council, "Jo's iPhone", Some("F2LX1234ABCD")),
        device(council, "Office iPad", Some("DMPX9999ZZZZ")),
    ];
    let bad = EXPORT
        .replace(",Yes,\"Numeric\"", ",Sometimes,\"Numeric\"")
        .replace("2026-04-20", "2026-13-40")
        .replace("20/04/2026", "next week");
    let file = read_mdm_csv(bad.as_bytes()).unwrap();
    let err = read_mdm_rows(&file, &guess_mapping(&file.headers), &devices, now()).unwrap_err();
    let MdmError::Rows(problems) = err else {
        panic!("expected row problems, got {err:?}");
    };
    assert_eq!(
        problems[0],
        RowProblem {
            row: 2,
            column: "Encrypted".into(),
            value: "Sometimes".into(),
            problem: format!("Not a yes or no. Use {YES_NO_ACCEPTED}."),
        }
    );
    assert_eq!(problems[1].row, 3);
    assert_eq!(problems[1].column, "Last OS update");
    assert_eq!(
        problems[1].problem,
        format!("Not a date. Use {DATE_ACCEPTED}.")
    );
    assert_eq!(problems.len(), 2);
}

#[test]
fn rows_can_be_matched_by_name_and_a_name_shared_by_two_devices_or_a_repeated_row_is_a_problem() {
    let council = CouncilId::generate();
    let devices = [
        device(council, "Office iPad", None),
        device(council, "office ipad", None),
        device(council, "Jo's iPhone", None),
    ];
    let file = read_mdm_csv(
        EXPORT
            .replace("Someone else's phone", "JO'S IPHONE")
            .as_bytes(),
    )
    .unwrap();
    let mut mapping = guess_mapping(&file.headers);
    mapping.identifier = Identifier::Name;
    mapping.identifier_column = "Device name".into();
    let MdmError::Rows(problems) = read_mdm_rows(&file, &mapping, &devices, now()).unwrap_err()
    else {
        panic!("expected row problems");
    };
    assert_eq!(problems.len(), 2);
    assert!(
        problems[0]
            .problem
            .starts_with("2 devices in Custodian have this name")
    );
    assert_eq!(problems[1].row, 4);
    assert_eq!(
        problems[1].problem,
        "Row 2 is the same device. Keep one row per device."
    );
}

#[test]
fn retired_devices_are_never_matched() {
    let council = CouncilId::generate();
    let jo = device(council, "Jo's iPhone", Some("F2LX1234ABCD"));
    let retired = retire(&jo, PersonId::generate(), now()).unwrap().0;
    let file = read_mdm_csv(EXPORT.as_bytes()).unwrap();
    let import = read_mdm_rows(&file, &guess_mapping(&file.headers), &[retired], now()).unwrap();
    assert!(import.updates.is_empty());
    assert_eq!(import.unmatched.len(), 3);
}

#[test]
fn a_mapping_that_does_not_fit_the_file_is_refused_before_any_row_is_read() {
    let file = read_mdm_csv(EXPORT.as_bytes()).unwrap();
    let mut mapping = guess_mapping(&file.headers);
    mapping
        .facts
        .push((FactField::RemoteWipe, "Find My".into()));
    let err = read_mdm_rows(&file, &mapping, &[], now()).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "The file has no column called \"Find My\". Its columns are: Device name, Serial number"
        ),
        "{err}"
    );
    mapping.identifier_column = String::new();
    assert!(matches!(
        read_mdm_rows(&file, &mapping, &[], now()),
        Err(MdmError::Mapping(_))
    ));
}

#[test]
fn files_that_are_not_csv_or_are_empty_are_refused() {
    assert!(
        matches!(read_mdm_csv(b"  \n"), Err(MdmError::File(m)) if m.starts_with("The file is empty"))
    );
    // Windows-1252 (older Excel) is read too.
    let file = read_mdm_csv(b"Name,Serial\nCaf\xe9 laptop,X1\n").unwrap();
    assert_eq!(file.row_count(), 1);
    assert_eq!(guess_mapping(&file.headers).identifier_column, "Serial");
}

#[test]
fn lenient_values_cover_what_mdm_products_write() {
    let mut facts = ReportedFacts::default();
    let today = date(2026, 6, 1);
    read_value(&mut facts, FactField::ScreenLock, "Face ID", today).unwrap();
    assert_eq!(facts.screen_lock, Some(ScreenLock::BiometricWithPin));
    read_value(&mut facts, FactField::WorkProfile, "Enrolled", today).unwrap();
    assert_eq!(facts.work_profile, Some(WorkProfile::InUse));
    read_value(&mut facts, FactField::IdleLock, "Never", today).unwrap();
    assert_eq!(facts.idle_lock, Some(IdleLock::Never));
    read_value(&mut facts, FactField::AutoWipe, "10 attempts", today).unwrap();
    assert_eq!(facts.auto_wipe, AttemptLimit::after(10));
    assert!(read_value(&mut facts, FactField::LastOsUpdate, "2026-06-02", today).is_err());
    assert!(read_value(&mut facts, FactField::ScreenLock, "Telepathy", today).is_err());
}
